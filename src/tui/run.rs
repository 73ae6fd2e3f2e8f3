//! The workstation's event loop: the trading core is reached through a `Link`, either a paper
//! session on a task of this process or a headless engine over the control socket (`attach`);
//! this loop applies the core's updates to the replica, turns keys into actions, runs backtests
//! on a blocking worker, and redraws only when something changed, at most `ui.max_fps` times a
//! second. Idle, it sleeps on its channels: no timer ticks unless a redraw or a backtest's
//! progress is due. Attached, quitting detaches: the engine keeps running.

use super::keymap::{Action, Keymap};
use super::layout::{Layouts, Pane};
use super::logbuf::LogBuffer;
use super::state::{Dialog, Job, Request, Ui};
use super::theme::{ColorDepth, Theme};
use super::view::{Look, draw};
use super::{terminal, update};
use crate::backtest::Spec;
use crate::cancel::Cancel;
use crate::config::{Config, Hangup};
use crate::control::{Incoming, Link, Remote};
use crate::journal::Journal;
use crate::paper::{Paper, PaperSetup};
use crate::replica::{AlertLevel, Replica, Update};
use crate::store::Store;
use anyhow::Context as _;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant, sleep_until};

pub struct Options {
    pub config: Config,
    pub data_dir: PathBuf,
    /// The user's config directory (themes, keymap.toml, layouts.toml), if any.
    pub config_dir: Option<PathBuf>,
    pub logs: LogBuffer,
}

impl Options {
    /// The configured colour theme (the user's themes directory first), at this terminal's depth.
    fn theme(&self) -> anyhow::Result<Theme> {
        let themes = self.config_dir.as_ref().map(|d| d.join("themes"));
        let depth = ColorDepth::detect();
        Ok(Theme::load(
            &self.config.ui.theme,
            themes.as_deref(),
            depth,
        )?)
    }
}

/// What ended the loop.
enum Exit {
    Quit,
    Hangup,
    /// The core's updates ended without being asked to (an engine stopped, a task failed).
    CoreGone,
}

/// Where the trading core runs.
enum Core {
    /// A paper session this process runs.
    Local(Box<Paper>),
    /// A session on live data (paper or live) this process runs.
    Live(Box<(Paper, crate::live::Edges)>),
    /// A headless engine reached over its control socket.
    Remote(Box<Remote>),
}

/// The quit confirmation when attached to an engine.
pub const DETACH_QUESTION: &str = "Detach? The engine keeps running.";

/// A backtest finished: its run id, or why it did not run.
type JobResult = Result<i64, String>;

/// Everything the view needs, loaded before the terminal is taken over (so a bad keymap or theme
/// prints as a plain error).
pub struct Session {
    opts: Options,
    theme: Theme,
    keymap: Keymap,
    layouts: Layouts,
    core: Core,
    replica: Replica,
    journal: Journal,
    ui: Ui,
    base: Spec,
}

/// Where the view draws: a terminal (or a sink, in the cost benchmark), the count of bytes written
/// to it, and whatever restores it when dropped.
pub struct Screen<B: Backend> {
    pub terminal: Terminal<B>,
    pub bytes: Arc<AtomicU64>,
    pub restore: Option<terminal::Guard>,
}

/// The workstation on a paper session of its own, in this terminal.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    Session::open(opts)?.show().await
}

/// The workstation on a session on live data (paper or live) of its own, in this terminal. When
/// `confirm` is given (live trading, the first time from this data dir), the view asks for the
/// typed confirmation before anything opens; false when it was not given (nothing started).
pub async fn run_live(
    opts: Options,
    start: crate::live::Start,
    confirm: Option<super::confirm::Confirmation>,
) -> anyhow::Result<bool> {
    let mut keys = read_keys();
    let mut screen = Screen::take_over()?;
    let theme = opts.theme()?;
    if let Some(c) = confirm
        && !super::confirm::ask(&mut screen.terminal, &mut keys, &theme, &c).await?
    {
        return Ok(false);
    }
    super::confirm::opening(&mut screen.terminal, &theme)?;
    let (paper, edges) = crate::live::open(start).await?;
    let replica = paper.replica();
    let interval = opts.config.paper.interval;
    let core = Core::Live(Box::new((paper, edges)));
    Session::build(opts, theme, core, replica, interval)?
        .run(screen, keys)
        .await?;
    Ok(true)
}

/// The terminal's events, read on a thread of their own.
fn read_keys() -> mpsc::Receiver<Event> {
    let (keys_tx, keys) = mpsc::channel(64);
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if keys_tx.blocking_send(ev).is_err() {
                break;
            }
        }
    });
    keys
}

impl Screen<ratatui::backend::CrosstermBackend<terminal::Counted<std::io::Stdout>>> {
    /// This process's terminal, full-screen until dropped.
    fn take_over() -> anyhow::Result<Self> {
        let (guard, terminal, bytes) =
            terminal::enter().context("cannot take over the terminal")?;
        Ok(Self {
            terminal,
            bytes,
            restore: Some(guard),
        })
    }
}

impl Session {
    /// The workstation on a paper session this process runs.
    pub fn open(opts: Options) -> anyhow::Result<Self> {
        let store = Store::open(&opts.data_dir)?;
        let mut setup = PaperSetup::from_config(&opts.config, &store)?;
        setup.journal = Some(Journal::open(&opts.data_dir)?);
        let base_interval = setup.interval;
        let paper = Paper::new(setup)?;
        let replica = paper.replica();
        let theme = opts.theme()?;
        Self::build(
            opts,
            theme,
            Core::Local(Box::new(paper)),
            replica,
            base_interval,
        )
    }

    /// The workstation on a running engine, through its control socket.
    pub fn attach(opts: Options, mut remote: Remote) -> anyhow::Result<Self> {
        let replica = std::mem::take(&mut remote.replica);
        let base_interval = replica.interval.unwrap_or(opts.config.paper.interval);
        let pid = remote.hello.pid;
        let theme = opts.theme()?;
        let core = Core::Remote(Box::new(remote));
        let mut session = Self::build(opts, theme, core, replica, base_interval)?;
        session.ui.note(
            AlertLevel::Info,
            format!("attached to pid {pid} · q detaches"),
        );
        Ok(session)
    }

    fn build(
        opts: Options,
        theme: Theme,
        core: Core,
        replica: Replica,
        base_interval: crate::market::Interval,
    ) -> anyhow::Result<Self> {
        let cfg = &opts.config;
        let dir = opts.config_dir.as_deref();
        let keymap = Keymap::load(dir.map(|d| d.join("keymap.toml")).as_deref())?;
        let layouts = Layouts::load(dir.map(|d| d.join("layouts.toml")).as_deref())?;
        let journal = Journal::open(&opts.data_dir)?;
        let symbols = replica.markets.iter().map(|m| m.symbol.clone()).collect();
        let first = layouts
            .pick(u16::MAX, u16::MAX)
            .map(|l| l.panes())
            .unwrap_or_default();
        let mut ui = Ui::new(first, base_interval, symbols);
        ui.chart.overlays = cfg.ui.overlays.clone();
        ui.backtests.runs = journal.runs()?;
        let mut base = Spec::from_config(
            &cfg.backtest,
            &cfg.backtest.strategy,
            Vec::new(),
            base_interval,
        );
        base.risk = cfg.risk.clone();
        Ok(Self {
            opts,
            theme,
            keymap,
            layouts,
            core,
            replica,
            journal,
            ui,
            base,
        })
    }

    /// Takes over this process's terminal and runs (see `run`).
    pub async fn show(self) -> anyhow::Result<()> {
        let keys = read_keys();
        self.run(Screen::take_over()?, keys).await
    }

    /// Runs the core (or follows the engine) and the view until the person quits or detaches
    /// (or the terminal goes away), then stops the session cleanly or detaches from the engine.
    pub async fn run<B: Backend>(
        self,
        mut screen: Screen<B>,
        mut keys: mpsc::Receiver<Event>,
    ) -> anyhow::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let Self {
            opts,
            theme,
            keymap,
            layouts,
            core,
            mut replica,
            mut journal,
            mut ui,
            base,
        } = self;
        let cfg = &opts.config;
        let attached = matches!(core, Core::Remote(_));
        let mut link = match core {
            Core::Local(paper) => Link::local(*paper),
            Core::Live(live) => {
                let (paper, edges) = *live;
                Link::live(paper, edges)
            }
            Core::Remote(remote) => remote.into_link(),
        };
        let ctl = link.controls.clone();
        let (jobs_tx, mut jobs) = mpsc::channel::<JobResult>(4);
        let mut job: Option<Cancel> = None;
        let started = Instant::now();
        let mut hup = signal(SignalKind::hangup())?;
        let mut term_sig = signal(SignalKind::terminate())?;
        let frame = Duration::from_millis(1000 / cfg.ui.max_fps.get().max(1));
        let (mut dirty, mut last_draw) = (true, started - frame);
        let mut log_seq = -1;
        let mut quit = false;
        let exit = loop {
            let logs = opts.logs.seq();
            if logs != log_seq {
                (log_seq, dirty) = (logs, true);
            }
            if dirty && Instant::now() >= last_draw + frame {
                let (_, lines) = opts.logs.snapshot();
                let look = Look {
                    theme: &theme,
                    keymap: &keymap,
                    layouts: &layouts,
                    logs: &lines,
                };
                screen.terminal.draw(|f| {
                    refocus(&mut ui, &layouts, f.area());
                    draw(f, &replica, &ui, &look);
                })?;
                (dirty, last_draw) = (false, Instant::now());
            }
            let progress_due = Instant::now() + Duration::from_millis(250);
            tokio::select! {
                got = link.recv() => {
                    match got {
                        Some(Incoming::Updates(batch)) => apply(&mut ui, &mut replica, batch),
                        Some(Incoming::Snapshot(fresh)) => {
                            let seen = replica.version;
                            replica = *fresh;
                            replica.version = seen + 1;
                        }
                        None => break Exit::CoreGone,
                    }
                    dirty = true;
                }
                Some(ev) = keys.recv() => {
                    dirty = true;
                    let requests = match ev {
                        Event::Key(k) if k.kind != KeyEventKind::Release => key(&mut ui, &replica, &keymap, &base, k, attached),
                        _ => Vec::new(),
                    };
                    for r in requests {
                        match r {
                            Request::Quit => quit = true,
                            Request::Control(c) => { let _ = ctl.send(c).await; }
                            Request::StartBacktest(spec) => start_job(&mut ui, &mut job, *spec, &opts.data_dir, &jobs_tx),
                            Request::CancelBacktest => match &job {
                                Some(c) => { c.cancel(); ui.note(AlertLevel::Warn, "backtest cancelled"); }
                                None => ui.note(AlertLevel::Info, "no backtest is running"),
                            },
                            Request::LoadRun(id) => ui.backtests.shown = journal.run(id).ok().flatten(),
                            Request::DeleteRun(id) => {
                                if let Err(e) = journal.delete_run(id) { ui.note(AlertLevel::Error, e.to_string()) }
                                ui.backtests.runs = journal.runs().unwrap_or_default();
                            }
                        }
                    }
                    if quit || ctl.is_closed() { break Exit::Quit; }
                }
                Some(done) = jobs.recv() => {
                    dirty = true;
                    job = None;
                    finished(&mut ui, &mut journal, done);
                }
                () = sleep_until(progress_due), if job.is_some() => {
                    if let (Some(c), Some(j)) = (&job, &mut ui.backtests.job) { j.progress = c.progress(); dirty = true; }
                }
                () = sleep_until(last_draw + frame), if dirty => {}
                _ = hup.recv() => break Exit::Hangup,
                _ = term_sig.recv() => break Exit::Quit,
                else => break Exit::Quit,
            }
        };
        let secs = started.elapsed().as_secs_f64();
        let bytes = screen.bytes.load(Ordering::Relaxed);
        drop(screen);
        tracing::info!(
            "view closed after {secs:.1} s; {bytes} bytes written to the terminal ({:.0} B/s)",
            bytes as f64 / secs.max(1e-9)
        );
        if !attached && matches!(exit, Exit::Hangup) && cfg.ui.on_hangup == Hangup::Headless {
            tracing::warn!(
                "terminal hung up: the paper session keeps running headless until SIGTERM or SIGINT"
            );
            link.stop_receiving();
            let mut int = signal(SignalKind::interrupt())?;
            tokio::select! { _ = term_sig.recv() => {}, _ = int.recv() => {}, _ = hup.recv() => {} }
        }
        drop(ctl);
        let gone = link.close().await;
        match (attached, gone) {
            (_, Some(why)) => anyhow::bail!("{why}"),
            (true, None) if matches!(exit, Exit::CoreGone) => {
                anyhow::bail!("the connection to the engine ended")
            }
            (true, None) => tracing::info!("detached; the engine keeps running"),
            (false, None) => tracing::info!("paper session stopped cleanly"),
        }
        Ok(())
    }
}

/// A batch from the core: applied in order; an alert becomes the note at the bottom.
fn apply(ui: &mut Ui, replica: &mut Replica, batch: Vec<Update>) {
    for u in batch {
        if let Update::Alert(a) = &u {
            ui.note = Some((a.level, a.text.clone()));
        }
        replica.apply(u);
    }
}

/// A backtest job ended: its run lands in the backtests pane, or the reason it did not.
fn finished(ui: &mut Ui, journal: &mut Journal, done: JobResult) {
    ui.backtests.job = None;
    match done {
        Ok(id) => {
            ui.backtests.runs = journal.runs().unwrap_or_default();
            ui.backtests.shown = journal.run(id).ok().flatten();
            if let Some(i) = ui.backtests.runs.iter().position(|r| r.id == id) {
                ui.set_row(Pane::Backtests, i);
            }
            ui.focus_pane(Pane::Backtests);
            ui.note(AlertLevel::Info, format!("backtest run {id} finished"));
        }
        Err(e) => ui.note(AlertLevel::Error, e),
    }
}

/// The layout in use follows the screen's size; focus stays on the same pane kind.
fn refocus(ui: &mut Ui, layouts: &Layouts, size: Rect) {
    let Some(layout) = layouts.pick(size.width, size.height) else {
        return;
    };
    let panes = layout.panes();
    if panes != ui.panes {
        let focused = ui.focused();
        ui.panes = panes;
        ui.focus_pane(focused);
    }
    if let Some(tab) = layout.tab_index(ui.focused()) {
        ui.tab = tab;
    }
}

/// A key: typed text in a text dialog, else the keymap's action for the current context.
/// Attached to an engine, the quit confirmation asks about detaching instead.
fn key(
    ui: &mut Ui,
    r: &Replica,
    keymap: &Keymap,
    base: &Spec,
    k: event::KeyEvent,
    attached: bool,
) -> Vec<Request> {
    let ctx = ui.context();
    if let Some(action) = keymap.action(ctx, k) {
        let requests = update::update(ui, r, base, action);
        if attached
            && let Some(Dialog::Confirm(c)) = &mut ui.dialog
            && c.on_yes == Request::Quit
        {
            c.question = DETACH_QUESTION.into();
        }
        return requests;
    }
    let plain = !k
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match k.code {
        KeyCode::Char(c) if plain && update::type_char(ui, Some(c)) => {}
        KeyCode::Backspace if update::type_char(ui, None) => {}
        _ => {
            if ctx == super::keymap::Context::Confirm {
                return update::update(ui, r, base, Action::Deny);
            }
        }
    }
    Vec::new()
}

fn start_job(
    ui: &mut Ui,
    job: &mut Option<Cancel>,
    spec: Spec,
    dir: &Path,
    done: &mpsc::Sender<JobResult>,
) {
    if job.is_some() {
        ui.note(
            AlertLevel::Warn,
            "a backtest is already running (ctrl-x cancels it)",
        );
        return;
    }
    let cancel = Cancel::default();
    let label = format!(
        "{} {} {}",
        spec.strategy,
        spec.symbols
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        spec.interval
    );
    ui.backtests.job = Some(Job {
        label,
        progress: 0.0,
    });
    ui.focus_pane(Pane::Backtests);
    *job = Some(cancel.clone());
    let (dir, done) = (dir.to_path_buf(), done.clone());
    tokio::task::spawn_blocking(move || {
        let result = backtest_job(&spec, &dir, &cancel);
        let _ = done.blocking_send(result);
    });
}

fn backtest_job(spec: &Spec, dir: &Path, cancel: &Cancel) -> JobResult {
    let store = Store::open(dir).map_err(|e| e.to_string())?;
    let feed = crate::backtest::load(&store, spec).map_err(|e| e.to_string())?;
    let outcome = crate::backtest::run(spec, &feed, Some(cancel)).map_err(|e| e.to_string())?;
    if outcome.interrupted {
        return Err("backtest cancelled; nothing saved".into());
    }
    let mut journal = Journal::open(dir).map_err(|e| e.to_string())?;
    journal.save_run(&outcome).map_err(|e| e.to_string())
}
