//! Logging: daily-rolling files in `<data dir>/logs` (a bounded number kept), written off-thread by
//! non-blocking writers whose guards the caller holds until exit, so the last lines are flushed.
//! `tickdesk.log` gets everything the filter passes; `trade.log` gets order and fill events (target
//! `trade`); the terminal gets warnings (more with `-v`) unless a full-screen UI owns it.

use crate::config::Logging;
use std::{io::IsTerminal, path::Path};
use tracing::level_filters::LevelFilter;
use tracing_appender::{non_blocking::WorkerGuard, rolling};
use tracing_subscriber::{EnvFilter, Layer, Registry, filter::filter_fn, layer::SubscriberExt};

/// The target of order and fill events; they also go to the trade log.
pub const TRADE_TARGET: &str = "trade";

/// Events for the log files only (the terminal gets them another way, e.g. the final error).
pub const FILE_ONLY_TARGET: &str = "tickdesk::file_only";

/// Keeps the log writers alive; dropping it flushes what is buffered.
#[must_use = "dropping the guard stops file logging"]
pub struct LogGuard {
    _guards: Vec<WorkerGuard>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot create the log directory {path}: {source}")]
    Dir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the log files in {path}: {detail}")]
    Appender {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error(
        "RUST_LOG=`{0}` is not a log filter: use a level such as info, or directives like \"info,tickdesk=debug\""
    )]
    RustLog(String),
    #[error("logging was already set up in this process")]
    AlreadySet,
}

/// Where terminal output goes: the stderr level, or nothing when a full-screen UI owns the terminal.
#[derive(Debug, Clone)]
pub enum Terminal {
    Stderr(LevelFilter),
    Silent,
    /// A full-screen UI owns the terminal: recent events go to its log pane instead.
    View(crate::tui::logbuf::LogBuffer),
}

/// Builds the subscriber (files + optional stderr) without installing it.
pub fn subscriber(
    log_dir: &Path,
    cfg: &Logging,
    rust_log: Option<&str>,
    terminal: Terminal,
) -> Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard), LogError> {
    std::fs::create_dir_all(log_dir).map_err(|source| LogError::Dir {
        path: log_dir.to_path_buf(),
        source,
    })?;
    let filter_text = rust_log.unwrap_or(cfg.level.as_str());
    let file_filter = EnvFilter::builder()
        .parse(filter_text)
        .map_err(|_| LogError::RustLog(filter_text.to_string()))?;
    let max_files = usize::try_from(cfg.max_files.get()).unwrap_or(usize::MAX);
    let mut guards = Vec::new();

    let (main_writer, guard) =
        tracing_appender::non_blocking(appender(log_dir, "tickdesk", max_files)?);
    guards.push(guard);
    let main = if cfg.json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(main_writer)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(main_writer)
            .boxed()
    };
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> =
        vec![main.with_filter(file_filter).boxed()];

    if cfg.trade_log {
        let (trade_writer, guard) =
            tracing_appender::non_blocking(appender(log_dir, TRADE_TARGET, max_files)?);
        guards.push(guard);
        let trade = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_target(false)
            .with_writer(trade_writer);
        let trade = if cfg.json {
            trade.json().boxed()
        } else {
            trade.boxed()
        };
        layers.push(
            trade
                .with_filter(filter_fn(|m| m.target() == TRADE_TARGET))
                .boxed(),
        );
    }
    if let Terminal::View(buffer) = &terminal {
        layers.push(buffer.clone().boxed());
    }
    if let Terminal::Stderr(level) = terminal {
        let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let stderr = tracing_subscriber::fmt::layer()
            .with_ansi(ansi)
            .with_target(false)
            .without_time();
        let not_file_only = filter_fn(|m| m.target() != FILE_ONLY_TARGET);
        let stderr = stderr
            .with_writer(std::io::stderr)
            .with_filter(level)
            .with_filter(not_file_only);
        layers.push(stderr.boxed());
    }
    Ok((
        Registry::default().with(layers),
        LogGuard { _guards: guards },
    ))
}

/// Installs file logging (and terminal output) for the whole process.
pub fn init(log_dir: &Path, cfg: &Logging, terminal: Terminal) -> Result<LogGuard, LogError> {
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let (subscriber, guard) = subscriber(log_dir, cfg, rust_log.as_deref(), terminal)?;
    tracing::subscriber::set_global_default(subscriber).map_err(|_| LogError::AlreadySet)?;
    Ok(guard)
}

/// Terminal-only logging, for commands that do not touch the data directory.
pub fn init_terminal(level: LevelFilter) {
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_target(false)
        .without_time();
    let subscriber =
        Registry::default().with(layer.with_writer(std::io::stderr).with_filter(level));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

fn appender(
    dir: &Path,
    prefix: &str,
    max_files: usize,
) -> Result<rolling::RollingFileAppender, LogError> {
    rolling::Builder::new()
        .rotation(rolling::Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .max_log_files(max_files)
        .build(dir)
        .map_err(|e| LogError::Appender {
            path: dir.to_path_buf(),
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Env, Loaded, Sources};

    fn logging(json: bool) -> Logging {
        let mut c = Loaded::load(&Sources {
            env: Env::default(),
            ..Default::default()
        })
        .unwrap()
        .config
        .logging;
        c.json = json;
        c
    }

    fn read_logs(dir: &Path, prefix: &str) -> String {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect()
    }

    #[test]
    fn files_get_events_and_the_trade_log_gets_trades_only() {
        let dir = tempfile::tempdir().unwrap();
        let (sub, guard) =
            subscriber(dir.path(), &logging(false), Some("debug"), Terminal::Silent).unwrap();
        tracing::subscriber::with_default(sub, || {
            tracing::debug!(bars = 5, "engine detail");
            tracing::info!(target: "trade", side = "BUY", qty = "0.1", "fill");
        });
        drop(guard); // flushes: nothing buffered is lost
        let main = read_logs(dir.path(), "tickdesk");
        let trade = read_logs(dir.path(), "trade");
        assert!(
            main.contains("engine detail") && main.contains("fill"),
            "{main}"
        );
        assert!(
            trade.contains("fill")
                && trade.contains("side=\"BUY\"")
                && !trade.contains("engine detail"),
            "{trade}"
        );
    }

    #[test]
    fn json_lines_and_level_filtering() {
        let dir = tempfile::tempdir().unwrap();
        let (sub, guard) = subscriber(dir.path(), &logging(true), None, Terminal::Silent).unwrap();
        tracing::subscriber::with_default(sub, || {
            tracing::debug!("hidden at the default info level");
            tracing::warn!(symbol = "BTCUSDT", "gap found");
        });
        drop(guard);
        let main = read_logs(dir.path(), "tickdesk");
        let line = main.lines().next().unwrap();
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["fields"]["message"], "gap found");
        assert_eq!(v["fields"]["symbol"], "BTCUSDT");
        assert!(!main.contains("hidden"));
    }

    #[test]
    fn a_bad_rust_log_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let err = subscriber(dir.path(), &logging(false), Some("=="), Terminal::Silent)
            .err()
            .unwrap();
        assert!(err.to_string().contains("RUST_LOG=`==`"), "{err}");
    }
}
