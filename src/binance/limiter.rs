//! One request-weight budget per process, shared by every download and, later, every strategy.
//!
//! Binance counts weight per IP in fixed one-minute windows and reports the window's total in the
//! `X-MBX-USED-WEIGHT-1M` header of every answer. The limiter reserves weight before a request,
//! trusts the header over its own count (other clients on the IP spend weight too), waits for the
//! next window when the budget is spent, pauses everyone after a 429 for `Retry-After`, and after a
//! 418 refuses to send anything until the ban has passed.

use super::RestError;
use crate::clock::Clock;
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

const MINUTE_MS: i64 = 60_000;
/// Margin after a window boundary, for clock skew between us and Binance.
const BOUNDARY_MARGIN_MS: i64 = 500;

pub struct WeightLimiter {
    limit: u32,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    minute: i64,
    used: u32,
    reserved: u32,
    paused_until_ms: i64,
    banned_until_ms: i64,
}

/// Weight reserved for one request; hand it back with [`WeightLimiter::complete`].
#[derive(Debug)]
pub struct Permit {
    weight: u32,
    minute: i64,
}

impl WeightLimiter {
    pub fn new(limit_per_minute: u32, clock: Arc<dyn Clock>) -> Self {
        Self {
            limit: limit_per_minute,
            clock,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until `weight` fits in the current window, then reserves it.
    pub async fn acquire(&self, weight: u32) -> Result<Permit, RestError> {
        loop {
            let wait_ms = {
                let mut s = self.state();
                let now = self.clock.now_ms();
                if now < s.banned_until_ms {
                    return Err(RestError::Banned {
                        retry_after: ms(s.banned_until_ms - now),
                    });
                }
                let minute = now.div_euclid(MINUTE_MS);
                if minute > s.minute {
                    s.minute = minute;
                    s.used = 0;
                }
                if now < s.paused_until_ms {
                    s.paused_until_ms - now
                } else if s.used + s.reserved + weight <= self.limit {
                    s.reserved += weight;
                    return Ok(Permit { weight, minute });
                } else {
                    (minute + 1) * MINUTE_MS - now + BOUNDARY_MARGIN_MS
                }
            };
            tracing::debug!(wait_ms, "request weight budget spent; waiting");
            tokio::time::sleep(ms(wait_ms)).await;
        }
    }

    /// Settles a permit with the used weight Binance reported (`None` when no answer came, in
    /// which case the request is assumed to have counted).
    pub fn complete(&self, permit: Permit, used_header: Option<u32>) {
        let mut s = self.state();
        s.reserved = s.reserved.saturating_sub(permit.weight);
        if permit.minute == s.minute {
            s.used = match used_header {
                Some(h) => s.used.max(h),
                None => s.used + permit.weight,
            };
        }
    }

    /// After a 429: nobody sends until `retry_after` has passed.
    pub fn pause(&self, retry_after: Duration) {
        let until = self.clock.now_ms() + millis(retry_after);
        let mut s = self.state();
        s.paused_until_ms = s.paused_until_ms.max(until);
    }

    /// After a 418: every request fails until the ban ends.
    pub fn ban(&self, retry_after: Duration) {
        let until = self.clock.now_ms() + millis(retry_after);
        let mut s = self.state();
        s.banned_until_ms = s.banned_until_ms.max(until);
    }

    /// Weight used in the current window, as far as we know.
    pub fn used(&self) -> u32 {
        let s = self.state();
        s.used + s.reserved
    }
}

fn ms(v: i64) -> Duration {
    Duration::from_millis(u64::try_from(v).unwrap_or(0))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::TokioClock;
    use tokio::time::Instant;

    fn limiter(limit: u32) -> WeightLimiter {
        // 10 s into a minute.
        WeightLimiter::new(
            limit,
            Arc::new(TokioClock::starting_at(1_700_000_040_000 + 10_000)),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_next_window_when_the_budget_is_spent() {
        let l = limiter(10);
        let t0 = Instant::now();
        for _ in 0..5 {
            let p = l.acquire(2).await.unwrap();
            l.complete(p, None);
        }
        assert_eq!(t0.elapsed(), Duration::ZERO);
        let p = l.acquire(2).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::from_millis(50_500),
            "waits to the minute boundary plus margin"
        );
        l.complete(p, Some(2));
        assert_eq!(l.used(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_header_wins_over_our_own_count() {
        let l = limiter(100);
        let p = l.acquire(2).await.unwrap();
        l.complete(p, Some(99)); // another client on this IP spent most of the window
        let t0 = Instant::now();
        let _p = l.acquire(2).await.unwrap();
        assert!(t0.elapsed() >= Duration::from_secs(50));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_everyone_and_a_418_refuses() {
        let l = limiter(100);
        l.pause(Duration::from_secs(7));
        let t0 = Instant::now();
        let p = l.acquire(1).await.unwrap();
        assert_eq!(t0.elapsed(), Duration::from_secs(7));
        l.complete(p, None);
        l.ban(Duration::from_secs(120));
        assert_eq!(
            l.acquire(1).await.unwrap_err(),
            RestError::Banned {
                retry_after: Duration::from_secs(120)
            }
        );
        tokio::time::sleep(Duration::from_secs(121)).await;
        assert!(l.acquire(1).await.is_ok(), "the ban ends");
    }
}
