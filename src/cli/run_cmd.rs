//! `tickdesk run`: the trading engine. `--headless` runs it without a view, for a server or a
//! Raspberry Pi: logs to the daily files and to stdout, the control socket for `attach` and
//! `status`, graceful stop on SIGTERM or SIGINT. Without `--headless`, the workstation.

use super::Context;
use crate::control::{EngineLock, ServeError};
use crate::headless::stdout::{StdoutLayer, Style};
use crate::logging::{FILE_ONLY_TARGET, LogGuard, Terminal};
use clap::Args;
use std::path::Path;
use std::process::ExitCode;
use tracing::level_filters::LevelFilter;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt as _;

/// The engine's exit codes, for `--help` and the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  stopped cleanly (SIGTERM or SIGINT)
  1  an error (printed on stderr and logged), or the engine failed while running
  2  bad usage
  3  another engine already runs on this data dir";

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct RunArgs {
    /// No view: serve the control socket (`tickdesk attach`, `tickdesk status`), log to stdout
    /// and the daily log files, stop on SIGTERM or SIGINT ([service] on_shutdown says what
    /// happens to open orders).
    #[arg(long)]
    headless: bool,
    /// Trade for real: required, with [trading] mode = "live", before any real order is sent.
    #[arg(long)]
    live: bool,
}

/// The exit code for "another engine runs here" (and for `status`/`attach`: "none runs").
pub const ENGINE_CODE: u8 = 3;

pub fn run(ctx: &Context, args: RunArgs) -> anyhow::Result<ExitCode> {
    if !args.headless {
        if super::home::interactive() {
            return super::home::workstation(ctx, args.live);
        }
        eprintln!(
            "error: without --headless, `tickdesk run` opens the workstation, which needs a terminal; use `tickdesk run --headless` for the engine alone"
        );
        return Ok(ExitCode::from(2));
    }
    let loaded = ctx.load()?;
    let dir = ctx.data_dir(&loaded)?;
    let level = if ctx.quiet {
        LevelFilter::ERROR
    } else {
        ctx.stderr_level.max(LevelFilter::INFO)
    };
    let guards = init_logging(&dir, &loaded.config.logging, level)?;
    let lock = match EngineLock::acquire(&dir) {
        Ok(lock) => lock,
        Err(e @ ServeError::Busy { .. }) => {
            tracing::error!(target: FILE_ONLY_TARGET, "{e}");
            eprintln!("error: {e}");
            return Ok(ExitCode::from(ENGINE_CODE));
        }
        Err(e) => return Err(e.into()),
    };
    super::home::open_seeded(&loaded, &dir)?;
    let mode = crate::headless::opt_in(loaded.config.trading.mode, args.live)?;
    let signers = if mode == crate::replica::Mode::Live {
        super::keys::signers(ctx, &dir)?
    } else {
        None
    };
    let options = crate::headless::Options {
        config: loaded.config.clone(),
        data_dir: dir,
        mode,
        signers,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(crate::headless::run(options, lock));
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    if let Err(e) = &result {
        tracing::error!(target: FILE_ONLY_TARGET, "{e}");
    }
    drop(guards);
    result?;
    Ok(ExitCode::SUCCESS)
}

/// The daily files as every command has them, plus stdout instead of stderr.
fn init_logging(
    dir: &Path,
    cfg: &crate::config::Logging,
    level: LevelFilter,
) -> anyhow::Result<(LogGuard, WorkerGuard)> {
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let (files, guard) = crate::logging::subscriber(
        &dir.join("logs"),
        cfg,
        rust_log.as_deref(),
        Terminal::Silent,
    )?;
    let (writer, stdout_guard) = tracing_appender::non_blocking(std::io::stdout());
    let subscriber = files.with(StdoutLayer::new(writer, Style::detect(), level));
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| crate::logging::LogError::AlreadySet)?;
    Ok((guard, stdout_guard))
}
