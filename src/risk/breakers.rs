//! Circuit-breaker detection for the live edges: a pure, clock-free monitor fed with what the
//! edges observe (each exchange request's outcome and latency, each market-data message, a 418
//! ban, a reconciliation mismatch) that says when a breaker must trip. The runner turns its answer
//! into `Event::Breaker`, and the risk layer halts new entries until a person releases it. Each
//! breaker trips once; `reset` (on release) arms them again.
//!
//! Rules: over the last `window_ms`, with at least `min_requests` requests, more than
//! `error_rate_pct` % failed → `ApiErrors`; the mean latency above `max_latency_ms` → `Latency`;
//! no market data for `stale_data_secs` → `StaleData`. A ban or a mismatch trips at once.

use super::Breaker;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    pub error_rate_pct: Option<u32>,
    pub max_latency_ms: Option<u64>,
    pub stale_data_secs: Option<u64>,
    pub window_ms: i64,
    pub min_requests: usize,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            error_rate_pct: None,
            max_latency_ms: None,
            stale_data_secs: None,
            window_ms: 60_000,
            min_requests: 10,
        }
    }
}

#[derive(Debug, Default)]
pub struct Monitor {
    cfg: BreakerConfig,
    /// (time, ok, latency ms), oldest first, within the window.
    recent: VecDeque<(i64, bool, u64)>,
    last_data: Option<i64>,
    tripped: bool,
}

impl Monitor {
    pub fn new(cfg: BreakerConfig) -> Self {
        Self {
            cfg,
            ..Self::default()
        }
    }

    /// An exchange request finished at `at` (ms), successfully or not, after `latency_ms`.
    pub fn request(&mut self, at: i64, ok: bool, latency_ms: u64) -> Option<Breaker> {
        self.recent.push_back((at, ok, latency_ms));
        while self
            .recent
            .front()
            .is_some_and(|(t, ..)| *t <= at - self.cfg.window_ms)
        {
            self.recent.pop_front();
        }
        let n = self.recent.len();
        if n < self.cfg.min_requests.max(1) {
            return None;
        }
        let failed = self.recent.iter().filter(|(_, ok, _)| !ok).count();
        let pct = u32::try_from(failed * 100 / n).unwrap_or(100);
        if self.cfg.error_rate_pct.is_some_and(|max| pct > max) {
            return self.trip(Breaker::ApiErrors { pct });
        }
        let mean = self.recent.iter().map(|r| r.2).sum::<u64>() / n as u64;
        if self.cfg.max_latency_ms.is_some_and(|max| mean > max) {
            return self.trip(Breaker::Latency { ms: mean });
        }
        None
    }

    /// A market-data message arrived at `at`.
    pub fn market_data(&mut self, at: i64) {
        self.last_data = Some(self.last_data.map_or(at, |t| t.max(at)));
    }

    /// Time passes: trips when market data has been silent too long.
    pub fn tick(&mut self, now: i64) -> Option<Breaker> {
        let (Some(limit), Some(last)) = (self.cfg.stale_data_secs, self.last_data) else {
            return None;
        };
        let silent = now - last;
        let limit_ms = i64::try_from(limit.saturating_mul(1000)).unwrap_or(i64::MAX);
        if silent >= limit_ms {
            let secs = u64::try_from(silent / 1000).unwrap_or(0);
            return self.trip(Breaker::StaleData { secs });
        }
        None
    }

    /// Binance banned the IP until `until` (ms).
    pub fn banned(&mut self, until: i64) -> Option<Breaker> {
        self.trip(Breaker::Banned { until })
    }

    /// The exchange and the journal disagree.
    pub fn mismatch(&mut self, what: impl Into<String>) -> Option<Breaker> {
        self.trip(Breaker::Reconciliation(what.into()))
    }

    /// A person released the halt: the breakers are armed again, on fresh observations.
    pub fn reset(&mut self) {
        self.tripped = false;
        self.recent.clear();
    }

    fn trip(&mut self, b: Breaker) -> Option<Breaker> {
        if self.tripped {
            return None;
        }
        self.tripped = true;
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor() -> Monitor {
        Monitor::new(BreakerConfig {
            error_rate_pct: Some(20),
            max_latency_ms: Some(1500),
            stale_data_secs: Some(30),
            ..BreakerConfig::default()
        })
    }

    #[test]
    fn an_error_rate_over_the_window_trips_once_until_reset() {
        let mut m = monitor();
        for i in 0..9 {
            assert_eq!(
                m.request(i * 1000, i % 2 == 0, 50),
                None,
                "too few requests yet"
            );
        }
        // 10 requests, 4 failed: 40 % > 20 %.
        assert_eq!(
            m.request(9_000, true, 50),
            Some(Breaker::ApiErrors { pct: 40 })
        );
        assert_eq!(m.request(10_000, false, 50), None, "trips once");
        m.reset();
        for i in 0..10 {
            assert_eq!(m.request(100_000 + i, true, 50), None, "healthy again");
        }
        // Old failures leave the window.
        let mut m = monitor();
        for i in 0..5 {
            m.request(i, false, 50);
        }
        for i in 0..10 {
            assert_eq!(
                m.request(70_000 + i, true, 50),
                None,
                "the failures are a minute old"
            );
        }
    }

    #[test]
    fn slow_answers_stale_data_bans_and_mismatches_trip() {
        let mut m = monitor();
        for i in 0..9 {
            m.request(i, true, 2000);
        }
        assert_eq!(
            m.request(9, true, 2000),
            Some(Breaker::Latency { ms: 2000 })
        );

        let mut m = monitor();
        assert_eq!(
            m.tick(1_000_000),
            None,
            "no data seen yet: nothing to be stale"
        );
        m.market_data(1_000_000);
        assert_eq!(m.tick(1_029_999), None);
        assert_eq!(m.tick(1_031_000), Some(Breaker::StaleData { secs: 31 }));

        let mut m = monitor();
        assert_eq!(m.banned(5), Some(Breaker::Banned { until: 5 }));
        assert_eq!(
            m.mismatch("order 7 filled while down"),
            None,
            "already tripped"
        );
        m.reset();
        assert_eq!(
            m.mismatch("order 7 filled while down"),
            Some(Breaker::Reconciliation("order 7 filled while down".into()))
        );
    }
}
