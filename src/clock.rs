//! Time as an injected dependency. The trading core and the downloaders ask a `Clock` for "now"
//! instead of reading the system clock, so backtests replay history and tests control time.

use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> i64;
}

pub fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        system_now_ms()
    }
}

/// Wall-clock time that advances with tokio's clock: real time in production, virtual time under
/// `tokio::time::pause` in tests (so rate-limit windows and timeouts stay consistent there).
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    origin_ms: i64,
    origin: tokio::time::Instant,
}

impl TokioClock {
    /// Starts at `origin_ms` now.
    pub fn starting_at(origin_ms: i64) -> Self {
        Self {
            origin_ms,
            origin: tokio::time::Instant::now(),
        }
    }

    pub fn system() -> Self {
        Self::starting_at(system_now_ms())
    }
}

impl Clock for TokioClock {
    fn now_ms(&self) -> i64 {
        let elapsed = tokio::time::Instant::now()
            .duration_since(self.origin)
            .as_millis();
        self.origin_ms + i64::try_from(elapsed).unwrap_or(i64::MAX / 2)
    }
}
