//! Binance's clock as seen from here: the offset between the local clock and `serverTime`
//! (from `GET /api/v3/time`), the `timestamp` every SIGNED request carries, and `recvWindow`.
//!
//! Invariant: a timestamp is the local clock plus the last measured offset; the offset is
//! re-measured when it is older than the refresh period or after Binance answered `-1021`
//! (`invalidate`). Before the first measurement the offset is taken as zero and a sync is due.

use crate::clock::Clock;
use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

/// Binance's default and maximum `recvWindow`, in ms.
pub const DEFAULT_RECV_WINDOW_MS: u32 = 5_000;
pub const MAX_RECV_WINDOW_MS: u32 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "recvWindow must be between 1 and {MAX_RECV_WINDOW_MS} ms (Binance's maximum; it advises \
         5000 or less); got {0}"
    )]
    RecvWindow(u64),
    #[error("the server-time refresh period must be at least one second")]
    RefreshPeriod,
}

/// How long after its `timestamp` Binance may still execute a request, in whole ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvWindow(u32);

impl RecvWindow {
    pub fn new(ms: u64) -> Result<Self, TimeError> {
        match u32::try_from(ms) {
            Ok(v) if (1..=MAX_RECV_WINDOW_MS).contains(&v) => Ok(Self(v)),
            _ => Err(TimeError::RecvWindow(ms)),
        }
    }

    pub fn ms(self) -> u32 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Duration::from_millis(u64::from(self.0))
    }
}

impl Default for RecvWindow {
    fn default() -> Self {
        Self(DEFAULT_RECV_WINDOW_MS)
    }
}

/// One measurement: server minus local time, and when (local ms) it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sample {
    offset_ms: i64,
    taken_at_ms: i64,
    round_trip_ms: i64,
}

pub struct ServerClock {
    clock: Arc<dyn Clock>,
    refresh_every_ms: i64,
    last: Mutex<Option<Sample>>,
}

impl ServerClock {
    pub fn new(clock: Arc<dyn Clock>, refresh_every: Duration) -> Result<Self, TimeError> {
        let refresh_every_ms = i64::try_from(refresh_every.as_millis()).unwrap_or(i64::MAX);
        if refresh_every_ms < 1_000 {
            return Err(TimeError::RefreshPeriod);
        }
        Ok(Self {
            clock,
            refresh_every_ms,
            last: Mutex::new(None),
        })
    }

    fn last(&self) -> std::sync::MutexGuard<'_, Option<Sample>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Local time, ms since the epoch.
    pub fn local_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Records a `serverTime` answer to a request sent at `sent_ms` and answered at
    /// `received_ms` (local). The server read its clock somewhere in between; the midpoint is
    /// the best guess, wrong by at most half the round trip. Returns the new offset.
    pub fn record(&self, sent_ms: i64, server_ms: i64, received_ms: i64) -> i64 {
        let round_trip_ms = (received_ms - sent_ms).max(0);
        let midpoint = sent_ms + round_trip_ms / 2;
        let sample = Sample {
            offset_ms: server_ms - midpoint,
            taken_at_ms: received_ms,
            round_trip_ms,
        };
        *self.last() = Some(sample);
        tracing::debug!(
            offset_ms = sample.offset_ms,
            round_trip_ms,
            "Binance server time synced"
        );
        sample.offset_ms
    }

    /// Server minus local time, once measured.
    pub fn offset_ms(&self) -> Option<i64> {
        self.last().map(|s| s.offset_ms)
    }

    /// Round trip of the last measurement (its uncertainty is half of it).
    pub fn round_trip_ms(&self) -> Option<i64> {
        self.last().map(|s| s.round_trip_ms)
    }

    /// True before the first sync, after `invalidate`, and once the offset is older than the
    /// refresh period.
    pub fn needs_sync(&self) -> bool {
        let now = self.local_ms();
        self.last()
            .is_none_or(|s| now - s.taken_at_ms >= self.refresh_every_ms)
    }

    /// Binance said our timestamp was off (`-1021`): measure again before the next request
    /// (the old offset stays in use until then).
    pub fn invalidate(&self) {
        if let Some(s) = self.last().as_mut() {
            s.taken_at_ms = i64::MIN / 2;
        }
    }

    /// The `timestamp` parameter for a request sent now.
    pub fn timestamp(&self) -> i64 {
        self.local_ms() + self.offset_ms().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::TokioClock;

    #[test]
    fn recv_window_is_validated() {
        assert_eq!(RecvWindow::default().ms(), 5000);
        assert_eq!(RecvWindow::new(60_000).unwrap().ms(), 60_000);
        assert_eq!(RecvWindow::new(0), Err(TimeError::RecvWindow(0)));
        let e = RecvWindow::new(60_001).unwrap_err();
        assert!(e.to_string().contains("between 1 and 60000 ms"), "{e}");
        assert!(RecvWindow::new(u64::MAX).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn offset_is_the_midpoint_estimate_and_refreshes_on_schedule() {
        let clock = Arc::new(TokioClock::starting_at(1_000_000));
        let sc = ServerClock::new(clock, Duration::from_secs(60)).unwrap();
        assert!(sc.needs_sync());
        assert_eq!(
            sc.timestamp(),
            1_000_000,
            "zero offset before the first sync"
        );
        // Sent at 1_000_000, answered 200 ms later; the server said 1_002_600.
        assert_eq!(sc.record(1_000_000, 1_002_600, 1_000_200), 2_500);
        assert_eq!(sc.round_trip_ms(), Some(200));
        assert!(!sc.needs_sync());
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(sc.timestamp(), 1_010_000 + 2_500);
        tokio::time::advance(Duration::from_millis(49_800)).await;
        assert!(
            !sc.needs_sync(),
            "measured at local 1_000_200: fresh until 1_060_200"
        );
        tokio::time::advance(Duration::from_millis(400)).await;
        assert!(sc.needs_sync());
    }

    #[test]
    fn invalidate_forces_a_resync_and_bad_periods_are_refused() {
        let clock = Arc::new(TokioClock::starting_at(5_000));
        assert_eq!(
            ServerClock::new(clock.clone(), Duration::from_millis(999)).err(),
            Some(TimeError::RefreshPeriod)
        );
        let sc = ServerClock::new(clock, Duration::from_secs(3600)).unwrap();
        sc.record(5_000, 4_000, 5_000);
        assert_eq!(
            sc.offset_ms(),
            Some(-1_000),
            "a local clock ahead of Binance"
        );
        assert!(!sc.needs_sync());
        sc.invalidate();
        assert!(sc.needs_sync());
        assert_eq!(sc.offset_ms(), Some(-1_000), "kept until the resync");
    }
}
