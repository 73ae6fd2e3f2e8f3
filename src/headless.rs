//! The engine without a view (`tickdesk run --headless`): the workstation's paper session, its
//! updates served on the control socket instead of drawn, logs to the daily files and stdout.
//! SIGTERM and SIGINT stop it gracefully: open orders are left or cancelled as
//! `[service].on_shutdown` says, through the engine's command path (so the journal records it),
//! then the core stops, clients are told, and the socket file is removed. SIGHUP (an SSH session
//! that started it going away) is logged and otherwise ignored.
//!
//! Invariant: the engine stops only on a signal to this process or a failure of its core; no
//! client of the socket can stop it.

pub mod stdout;

use crate::config::{Config, TradeMode};
use crate::control::{EngineLock, Link, ServeError, socket_path};
use crate::core::Command;
use crate::journal::{Journal, JournalError};
use crate::paper::{Control, Paper, PaperError, PaperSetup};
use crate::replica::Mode;
use crate::store::{Store, StoreError};
use std::path::PathBuf;
use tokio::signal::unix::{SignalKind, signal};

pub struct Options {
    pub config: Config,
    pub data_dir: PathBuf,
    /// The mode, as `opt_in` allowed it.
    pub mode: Mode,
    /// The API keys' signers, loaded before the runtime started (live only).
    pub signers: Option<(crate::binance::Signer, crate::binance::Signer)>,
}

#[derive(Debug, thiserror::Error)]
pub enum HeadlessError {
    #[error(transparent)]
    Control(#[from] ServeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Paper(#[from] PaperError),
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
    #[error("the engine stopped by itself: {0}")]
    CoreFailed(String),
    #[error(transparent)]
    Live(#[from] crate::live::LiveError),
    #[error("{0}")]
    OptIn(String),
}

/// How a clean run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    /// The signal that stopped it.
    pub signal: &'static str,
    /// Orders still open when it stopped (left, or cancelled if the policy says so).
    pub open_orders: usize,
    pub equity: f64,
}

/// Runs the engine on the data dir `lock` holds until a signal stops it.
pub async fn run(opts: Options, lock: EngineLock) -> Result<Stopped, HeadlessError> {
    let cfg = &opts.config;
    let mode = opts.mode;
    let (paper, edges) = if mode == Mode::PaperReplay {
        let store = Store::open(&opts.data_dir)?;
        let mut setup = PaperSetup::from_config(cfg, &store)?;
        drop(store);
        setup.journal = Some(Journal::open(&opts.data_dir)?);
        (Paper::new(setup)?, None)
    } else {
        let start = crate::live::Start {
            config: cfg.clone(),
            data_dir: opts.data_dir.clone(),
            mode,
            signers: opts.signers,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
        };
        let (paper, edges) = crate::live::open(start).await?;
        (paper, Some(edges))
    };
    let replica = paper.replica();
    let mut signals = Signals::new().map_err(HeadlessError::Signals)?;
    let server = lock.bind()?;
    let link = match edges {
        None => Link::local(paper),
        Some(edges) => Link::live(paper, edges),
    };
    let controls = link.controls.clone();
    tracing::info!(
        "engine running (pid {}): {} of {} {} at {}, strategies: {}; control socket {} (`tickdesk attach`, `tickdesk status`); SIGTERM or Ctrl-C stops it{}",
        std::process::id(),
        mode.label(),
        cfg.paper
            .symbols
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        cfg.paper.interval,
        replica.status.speed.label(),
        if cfg.paper.strategies.is_empty() {
            "none".into()
        } else {
            cfg.paper.strategies.join(", ")
        },
        socket_path(&opts.data_dir).display(),
        if cfg.service.cancels_on_shutdown() {
            " and cancels open orders"
        } else {
            ", leaving open orders"
        },
    );
    let mut serving = tokio::spawn(server.serve(replica, link));
    let signal = tokio::select! {
        s = signals.next() => s,
        done = &mut serving => {
            let why = match done {
                Ok(served) => served.core_failed.unwrap_or_else(|| "its core ended".into()),
                Err(e) => format!("the control socket's task failed: {e}"),
            };
            return Err(HeadlessError::CoreFailed(why));
        }
    };
    stop(cfg, signal, &controls).await;
    drop(controls);
    let served = serving
        .await
        .map_err(|e| HeadlessError::CoreFailed(format!("the control socket's task failed: {e}")))?;
    if let Some(why) = served.core_failed {
        return Err(HeadlessError::CoreFailed(why));
    }
    let stopped = Stopped {
        signal,
        open_orders: served.replica.orders.len(),
        equity: served.replica.account.equity,
    };
    tracing::info!(
        "engine stopped ({signal}): equity {:.2} {}, {} open order(s) left",
        stopped.equity,
        served.replica.quote,
        stopped.open_orders
    );
    Ok(stopped)
}

/// The mode `[trading] mode` asks for, if the opt-in allows it: live needs `--live` as well, and
/// `--live` is refused for any other mode (it must never be a no-op someone relies on).
pub fn opt_in(mode: TradeMode, live_flag: bool) -> Result<Mode, HeadlessError> {
    match (mode, live_flag) {
        (TradeMode::Replay, false) => Ok(Mode::PaperReplay),
        (TradeMode::Paper, false) => Ok(Mode::PaperLive),
        (TradeMode::Live, true) => Ok(Mode::Live),
        (TradeMode::Live, false) => Err(HeadlessError::OptIn(
            "[trading] mode = \"live\" sends real orders: start with `tickdesk run --headless --live` to confirm, or set mode = \"paper\" to paper trade on live data".into(),
        )),
        (_, true) => Err(HeadlessError::OptIn(
            "--live needs [trading] mode = \"live\" in the config (it is not live now, so nothing would be traded for real)".into(),
        )),
    }
}

/// The shutdown policy, through the engine's command path, then the core's stop.
async fn stop(cfg: &Config, signal: &str, controls: &tokio::sync::mpsc::Sender<Control>) {
    if cfg.service.cancels_on_shutdown() {
        tracing::info!("{signal}: stopping; cancelling open orders first (service.on_shutdown)");
        let _ = controls.send(Control::Command(Command::CancelAll)).await;
    } else {
        tracing::info!("{signal}: stopping; open orders are left (service.on_shutdown)");
    }
    let _ = controls.send(Control::Shutdown).await;
}

struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// The next signal that stops the engine.
    async fn next(&mut self) -> &'static str {
        loop {
            tokio::select! {
                _ = self.term.recv() => return "SIGTERM",
                _ = self.int.recv() => return "SIGINT",
                _ = self.hup.recv() => {
                    tracing::warn!("SIGHUP: the terminal went away; the engine keeps running");
                }
            }
        }
    }
}
