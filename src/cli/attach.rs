//! `tickdesk attach`: the workstation on a running headless engine, through its control socket.
//! Everything the view shows comes from the engine; overrides go to the engine's command path;
//! `q` detaches and the engine keeps running. Backtests started here run in this process.

use super::Context;
use super::run_cmd::ENGINE_CODE;
use crate::tui::Session;
use crate::tui::logbuf::LogBuffer;
use std::process::ExitCode;

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    if !super::home::interactive() {
        anyhow::bail!(
            "`tickdesk attach` opens the workstation and needs a terminal; `tickdesk status` prints a summary instead"
        );
    }
    let loaded = ctx.load()?;
    let dir = ctx.data_dir(&loaded)?;
    let logs = LogBuffer::default();
    let guard = crate::logging::init(
        &dir.join("logs"),
        &loaded.config.logging,
        crate::logging::Terminal::View(logs.clone()),
    )?;
    let options = crate::tui::Options {
        config: loaded.config.clone(),
        data_dir: dir.clone(),
        config_dir: ctx.config_dir(),
        logs,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let remote = match crate::control::connect(&dir).await {
            Ok(remote) => remote,
            Err(e) if e.is_no_engine() => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(ENGINE_CODE));
            }
            Err(e) => return Err(e.into()),
        };
        tracing::info!("attached to the engine (pid {})", remote.hello.pid);
        Session::attach(options, remote)?.show().await?;
        Ok(ExitCode::SUCCESS)
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    if let Err(e) = &result {
        tracing::error!(target: crate::logging::FILE_ONLY_TARGET, "{e:#}");
    }
    drop(guard);
    result
}
