//! Progress of long jobs (downloads today, backtests later) for people: live bars with rate and ETA
//! on a terminal, one plain line per job every few seconds otherwise (logs, CI, pipes).

use crate::clock::Clock;
use crate::market::SeriesKey;
use std::{
    collections::HashMap,
    io::Write,
    sync::{Arc, Mutex},
};

pub trait Progress: Send + Sync {
    /// A job starts with about `total` units of work.
    fn begin(&self, key: &SeriesKey, total: u64);
    fn advance(&self, key: &SeriesKey, done: u64);
    /// Something worth telling while it runs (a pause, a retry).
    fn note(&self, key: &SeriesKey, message: &str);
    /// The job's last word.
    fn end(&self, key: &SeriesKey, summary: &str);
    /// A line for the user that concerns no single job (printed above live bars, not through them).
    fn say(&self, line: &str);
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &SeriesKey, _: u64) {}
    fn advance(&self, _: &SeriesKey, _: u64) {}
    fn note(&self, _: &SeriesKey, _: &str) {}
    fn end(&self, _: &SeriesKey, _: &str) {}
    fn say(&self, _: &str) {}
}

/// indicatif bars, one per job.
pub struct Bars {
    multi: indicatif::MultiProgress,
    bars: Mutex<HashMap<SeriesKey, indicatif::ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Self {
            multi: indicatif::MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn with<F: FnOnce(&indicatif::ProgressBar)>(&self, key: &SeriesKey, f: F) {
        if let Some(bar) = self
            .bars
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
        {
            f(bar);
        }
    }
}

impl Default for Bars {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Bars {
    fn begin(&self, key: &SeriesKey, total: u64) {
        let style = indicatif::ProgressStyle::with_template(
            "{prefix:>12} [{bar:30}] {human_pos}/{human_len} bars  {rate:>12}  ETA {eta:>4}  {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} bars/s", s.per_sec());
            },
        )
        .progress_chars("=> ");
        let bar = self
            .multi
            .add(indicatif::ProgressBar::new(total).with_style(style));
        bar.set_prefix(format!("{} {}", key.symbol, key.interval));
        self.bars
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.clone(), bar);
    }

    fn advance(&self, key: &SeriesKey, done: u64) {
        self.with(key, |b| b.inc(done));
    }

    fn note(&self, key: &SeriesKey, message: &str) {
        self.with(key, |b| b.set_message(message.to_string()));
    }

    fn end(&self, key: &SeriesKey, summary: &str) {
        // The full summary goes to stdout; the bar keeps its real position and a short word.
        let short = summary
            .split([';', '('])
            .next()
            .unwrap_or(summary)
            .trim()
            .to_string();
        self.with(key, |b| b.abandon_with_message(short));
    }

    fn say(&self, line: &str) {
        if self.multi.println(line).is_err() {
            Lines::print(line);
        }
    }
}

/// Plain lines on stderr: one per job at most every `every_ms`, plus notes and endings.
pub struct Lines {
    clock: Arc<dyn Clock>,
    every_ms: i64,
    jobs: Mutex<HashMap<SeriesKey, LineState>>,
}

struct LineState {
    total: u64,
    done: u64,
    started_ms: i64,
    printed_ms: i64,
}

impl Lines {
    pub fn new(clock: Arc<dyn Clock>, every_ms: i64) -> Self {
        Self {
            clock,
            every_ms,
            jobs: Mutex::new(HashMap::new()),
        }
    }

    fn print(line: &str) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

impl Progress for Lines {
    fn begin(&self, key: &SeriesKey, total: u64) {
        let now = self.clock.now_ms();
        let state = LineState {
            total,
            done: 0,
            started_ms: now,
            printed_ms: now,
        };
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.clone(), state);
        Self::print(&format!(
            "{} {}: fetching up to {total} bars",
            key.symbol, key.interval
        ));
    }

    fn advance(&self, key: &SeriesKey, done: u64) {
        let now = self.clock.now_ms();
        let mut jobs = self
            .jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(s) = jobs.get_mut(key) else { return };
        s.done += done;
        if now - s.printed_ms < self.every_ms {
            return;
        }
        s.printed_ms = now;
        let secs = ((now - s.started_ms) as f64 / 1000.0).max(1e-3);
        let rate = s.done as f64 / secs;
        let eta = if rate > 0.0 {
            (s.total.saturating_sub(s.done)) as f64 / rate
        } else {
            f64::INFINITY
        };
        Self::print(&format!(
            "{} {}: {}/{} bars ({:.0}%), {:.0} bars/s, ETA {}",
            key.symbol,
            key.interval,
            s.done,
            s.total,
            100.0 * s.done as f64 / s.total.max(1) as f64,
            rate,
            human_secs(eta)
        ));
    }

    fn note(&self, key: &SeriesKey, message: &str) {
        Self::print(&format!("{} {}: {message}", key.symbol, key.interval));
    }

    fn end(&self, key: &SeriesKey, summary: &str) {
        Self::print(&format!("{} {}: {summary}", key.symbol, key.interval));
    }

    fn say(&self, line: &str) {
        Self::print(line);
    }
}

fn human_secs(s: f64) -> String {
    if !s.is_finite() {
        return "unknown".into();
    }
    let s = s.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}
