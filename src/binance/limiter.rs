//! One request-weight budget per process, shared by every download and, later, every strategy.
//!
//! Binance counts weight per IP in fixed one-minute windows and reports the window's total in the
//! `X-MBX-USED-WEIGHT-1M` header of every answer. The limiter reserves weight before a request,
//! trusts the header over its own count (other clients on the IP spend weight too), waits for the
//! next window when the budget is spent, pauses everyone after a 429 for `Retry-After`, and after a
//! 418 refuses to send anything until the ban has passed. New orders also pass the account's
//! order-count limits (`orders`), learnt from exchangeInfo and the order-count headers.

mod orders;

pub use orders::{OrderPermit, OrderWindow, header_interval_ms};

use super::RestError;
use crate::clock::Clock;
use orders::OrderCounts;
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

const MINUTE_MS: i64 = 60_000;
/// Margin after a window boundary, for clock skew between us and Binance.
const BOUNDARY_MARGIN_MS: i64 = 500;
/// Longest wait for an order-count window to reopen; beyond it a new order is refused.
const MAX_ORDER_WAIT_MS: i64 = 60_000;

pub struct WeightLimiter {
    configured: u32,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    limit: u32,
    minute: i64,
    used: u32,
    reserved: u32,
    paused_until_ms: i64,
    banned_until_ms: i64,
    orders: OrderCounts,
    orders_paused_until_ms: i64,
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
            configured: limit_per_minute,
            clock,
            state: Mutex::new(State {
                limit: limit_per_minute,
                ..State::default()
            }),
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
                s.refuse_while_banned(now)?;
                let minute = now.div_euclid(MINUTE_MS);
                if minute > s.minute {
                    s.minute = minute;
                    s.used = 0;
                }
                if now < s.paused_until_ms {
                    s.paused_until_ms - now
                } else if s.used + s.reserved + weight <= s.limit {
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

    /// Binance's own REQUEST_WEIGHT limit (from exchangeInfo): the budget becomes the lower of
    /// it and the configured one.
    pub fn cap_weight(&self, exchange_limit: u32) {
        self.state().limit = self.configured.min(exchange_limit);
    }

    /// The weight budget per minute in force.
    pub fn limit(&self) -> u32 {
        self.state().limit
    }

    /// The account's order-count limits (exchangeInfo `ORDERS`).
    pub fn set_order_limits(&self, windows: &[OrderWindow]) {
        self.state().orders.set(windows);
    }

    pub fn order_limits(&self) -> Vec<OrderWindow> {
        self.state().orders.windows()
    }

    /// Orders counted or in flight in the current window of `window_ms`.
    pub fn orders_used(&self, window_ms: i64) -> Option<u32> {
        self.state().orders.used(window_ms)
    }

    /// Reserves `n` new orders in every order-count window: waits for a window that reopens
    /// within a minute, refuses (`RateLimited`) when it would take longer, fails while banned.
    pub async fn acquire_orders(&self, n: u32) -> Result<OrderPermit, RestError> {
        loop {
            let wait_ms = {
                let mut s = self.state();
                let now = self.clock.now_ms();
                s.refuse_while_banned(now)?;
                if now < s.orders_paused_until_ms {
                    s.orders_paused_until_ms - now
                } else {
                    match s.orders.try_reserve(now, n) {
                        Ok(permit) => return Ok(permit),
                        Err(wait) => wait + BOUNDARY_MARGIN_MS,
                    }
                }
            };
            if wait_ms > MAX_ORDER_WAIT_MS {
                return Err(RestError::RateLimited {
                    retry_after: ms(wait_ms),
                });
            }
            tracing::debug!(wait_ms, "order-count limit reached; waiting");
            tokio::time::sleep(ms(wait_ms)).await;
        }
    }

    /// Settles an order permit with the `X-MBX-ORDER-COUNT-*` values Binance sent back, as
    /// `(window_ms, count)`.
    pub fn complete_orders(&self, permit: OrderPermit, reported: &[(i64, u32)]) {
        self.state().orders.settle(permit, reported);
    }

    /// Gives back an order permit whose request never left.
    pub fn release_orders(&self, permit: OrderPermit) {
        self.state().orders.release(permit);
    }

    /// After an order-count 429 (`-1015`): no new orders until `retry_after` has passed.
    pub fn pause_orders(&self, retry_after: Duration) {
        let until = self.clock.now_ms() + millis(retry_after);
        let mut s = self.state();
        s.orders_paused_until_ms = s.orders_paused_until_ms.max(until);
    }

    /// When a 418 ban ends (ms since the epoch), while one is in force: the critical condition
    /// the core alerts on.
    pub fn banned_until(&self) -> Option<i64> {
        let now = self.clock.now_ms();
        Some(self.state().banned_until_ms).filter(|t| *t > now)
    }

    /// When a 429 pause ends, while one is in force.
    pub fn paused_until(&self) -> Option<i64> {
        let now = self.clock.now_ms();
        Some(self.state().paused_until_ms).filter(|t| *t > now)
    }
}

impl State {
    /// After a 418, every request fails until the ban ends.
    fn refuse_while_banned(&self, now: i64) -> Result<(), RestError> {
        if now < self.banned_until_ms {
            return Err(RestError::Banned {
                retry_after: ms(self.banned_until_ms - now),
            });
        }
        Ok(())
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

    #[tokio::test(start_paused = true)]
    async fn exchange_limits_cap_the_budget_and_order_windows_wait_or_refuse() {
        let l = limiter(6000);
        l.cap_weight(1200);
        assert_eq!(l.limit(), 1200);
        l.cap_weight(10_000);
        assert_eq!(l.limit(), 6000, "never above the configured budget");

        l.set_order_limits(&[OrderWindow::new(10_000, 2), OrderWindow::new(86_400_000, 3)]);
        let t0 = Instant::now();
        let p = l.acquire_orders(2).await.unwrap();
        l.complete_orders(p, &[(10_000, 2), (86_400_000, 2)]);
        let p = l.acquire_orders(1).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::from_millis(10_500),
            "10 s window full: waits for the next one plus margin"
        );
        l.complete_orders(p, &[]);
        assert_eq!(l.orders_used(86_400_000), Some(3));
        let e = l.acquire_orders(1).await.unwrap_err();
        assert!(
            matches!(e, RestError::RateLimited { retry_after } if retry_after > Duration::from_secs(3600)),
            "the daily window is full: refused, not waited for ({e})"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn bans_and_order_pauses_are_visible_and_enforced() {
        let l = limiter(100);
        assert_eq!(l.banned_until(), None);
        l.pause(Duration::from_secs(5));
        assert!(l.paused_until().is_some());
        l.ban(Duration::from_secs(120));
        let until = l.banned_until().unwrap();
        assert!(matches!(
            l.acquire_orders(1).await,
            Err(RestError::Banned { .. })
        ));
        tokio::time::sleep(Duration::from_secs(121)).await;
        assert_eq!(l.banned_until(), None);
        assert!(until < 1_700_000_050_000 + 121_000);

        l.pause_orders(Duration::from_secs(3));
        let t0 = Instant::now();
        let p = l.acquire_orders(1).await.unwrap();
        assert_eq!(t0.elapsed(), Duration::from_secs(3));
        l.release_orders(p);
        let t1 = Instant::now();
        let _w = l.acquire(1).await.unwrap();
        assert_eq!(
            t1.elapsed(),
            Duration::ZERO,
            "an order pause does not stop other requests"
        );
    }
}
