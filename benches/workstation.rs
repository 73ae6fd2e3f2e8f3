//! The workstation's cost (`cargo bench --bench workstation`), measured on the real event loop:
//! the paper session replaying the shipped minutes at 60× with sma_cross, drawn by ratatui's
//! crossterm backend at 120×40 into a byte-counting sink instead of a terminal, driven by key
//! events as a person would. Prints: start to first frame (store seeded, and a first run that
//! seeds it), CPU while replaying at 60× and while paused (idle), peak resident memory, and bytes
//! written to the "terminal" per second. Targets (the TUI issue): first frame < 300 ms, idle
//! < 1 % of a core, 60× replay < 5 %, resident memory < 60 MB.
//! `TICKDESK_BENCH_SECS` sets each measured phase's length (default 15 s).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup: a failure should abort loudly"
)]

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport, backend::CrosstermBackend};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tickdesk::config::{Env, Loaded, Sources};
use tickdesk::store::Store;
use tickdesk::tui::{Options, Screen, Session, logbuf::LogBuffer, terminal::Counted};
use tokio::sync::mpsc;

/// CPU time of every thread of this process so far (the scheduler's nanoseconds).
fn cpu_ns() -> u64 {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

struct Run {
    keys: mpsc::Sender<Event>,
    bytes: Arc<AtomicU64>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
    first_frame: Duration,
}

/// Opens the workstation on `dir` and waits for its first frame.
async fn open(dir: &std::path::Path) -> Run {
    let t0 = Instant::now();
    let env = Env::from_pairs([("TICKDESK_PAPER__SPEED".to_string(), "60".to_string())]);
    let loaded = Loaded::load(&Sources {
        env,
        ..Default::default()
    })
    .unwrap();
    let store = Store::open(dir).unwrap();
    if store.series().unwrap().is_empty() {
        tickdesk::samples::seed(&store).unwrap();
    }
    drop(store);
    let session = Session::open(Options {
        config: loaded.config,
        data_dir: dir.to_path_buf(),
        config_dir: None,
        logs: LogBuffer::default(),
    })
    .unwrap();
    let sink = Counted::new(std::io::sink());
    let bytes = Arc::clone(&sink.bytes);
    let viewport = Viewport::Fixed(Rect::new(0, 0, 120, 40));
    let terminal =
        Terminal::with_options(CrosstermBackend::new(sink), TerminalOptions { viewport }).unwrap();
    let screen = Screen {
        terminal,
        bytes: Arc::clone(&bytes),
        restore: None,
    };
    let (keys, rx) = mpsc::channel(16);
    let done = tokio::spawn(session.run(screen, rx));
    while bytes.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Run {
        keys,
        bytes,
        done,
        first_frame: t0.elapsed(),
    }
}

async fn quit(run: Run) {
    run.keys.send(key('q')).await.unwrap();
    run.keys.send(key('y')).await.unwrap();
    run.done.await.unwrap().unwrap();
}

/// CPU share of one core and bytes per second over `secs` of wall time.
async fn phase(run: &Run, secs: u64) -> (f64, f64) {
    let (c0, b0, t0) = (cpu_ns(), run.bytes.load(Ordering::Relaxed), Instant::now());
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (cpu_ns() - c0) as f64 / 1e9 / wall * 100.0;
    let bytes = (run.bytes.load(Ordering::Relaxed) - b0) as f64 / wall;
    (cpu, bytes)
}

fn main() {
    let secs: u64 = std::env::var("TICKDESK_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let first = open(dir.path()).await;
        let cold = first.first_frame;
        quit(first).await;
        let run = open(dir.path()).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (replay_cpu, replay_bytes) = phase(&run, secs).await;
        let rss = status_kb("VmRSS:");
        run.keys.send(key(' ')).await.unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (idle_cpu, idle_bytes) = phase(&run, secs).await;
        let seeded = run.first_frame;
        quit(run).await;
        let peak = status_kb("VmHWM:");
        println!("workstation cost, 120x40, sma_cross on the shipped minutes ({secs} s per phase):");
        println!(
            "  start to first frame: {:.0} ms seeded (target < 300), {:.0} ms on a first run that seeds the store",
            seeded.as_secs_f64() * 1e3,
            cold.as_secs_f64() * 1e3
        );
        println!(
            "  60x replay: {replay_cpu:.2} % of a core (target < 5), {replay_bytes:.0} B/s to the terminal"
        );
        println!(
            "  paused (idle): {idle_cpu:.2} % of a core (target < 1), {idle_bytes:.0} B/s to the terminal"
        );
        println!(
            "  resident memory: {} MB during replay, peak {} MB (target < 60)",
            rss / 1024,
            peak / 1024
        );
    });
}
