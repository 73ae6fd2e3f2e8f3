//! Order-count limits: exchangeInfo's `ORDERS` rate limits (e.g. 100 per 10 s and 200 000 per
//! day, per account), counted in fixed windows aligned to the epoch, fed back by the
//! `X-MBX-ORDER-COUNT-<n><unit>` headers of order answers.
//!
//! Invariant: in every window, counted + reserved orders never exceed the window's limit; a
//! header raises the count (other clients on the account place orders too), never lowers it.

/// One `ORDERS` limit: at most `limit` new orders per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderWindow {
    pub window_ms: i64,
    pub limit: u32,
}

impl OrderWindow {
    pub fn new(window_ms: i64, limit: u32) -> Self {
        Self {
            window_ms: window_ms.max(1),
            limit,
        }
    }
}

/// `10s` → 10 000, `1d` → 86 400 000: the interval in a Binance rate-limit header's name.
pub fn header_interval_ms(suffix: &str) -> Option<i64> {
    let suffix = suffix.trim();
    let split = suffix.len().checked_sub(1)?;
    let (num, unit) = suffix.split_at(split);
    let unit_ms = match unit.to_ascii_lowercase().as_str() {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    num.parse::<i64>().ok().map(|n| n * unit_ms)
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    window: OrderWindow,
    index: i64,
    used: u32,
    reserved: u32,
}

/// Orders reserved in each window; settle with [`OrderCounts::settle`] or give back unsent
/// with [`OrderCounts::release`].
#[derive(Debug)]
pub struct OrderPermit {
    pub(super) n: u32,
    indices: Vec<(i64, i64)>,
}

#[derive(Debug, Default)]
pub(super) struct OrderCounts {
    counters: Vec<Counter>,
}

impl OrderCounts {
    /// Replaces the limits, keeping the count of a window that is still there.
    pub(super) fn set(&mut self, windows: &[OrderWindow]) {
        let old = std::mem::take(&mut self.counters);
        self.counters = windows
            .iter()
            .map(|w| {
                let kept = old.iter().find(|c| c.window.window_ms == w.window_ms);
                Counter {
                    window: *w,
                    index: kept.map_or(i64::MIN, |c| c.index),
                    used: kept.map_or(0, |c| c.used),
                    reserved: kept.map_or(0, |c| c.reserved),
                }
            })
            .collect();
    }

    pub(super) fn windows(&self) -> Vec<OrderWindow> {
        self.counters.iter().map(|c| c.window).collect()
    }

    /// Reserves `n` orders in every window, or returns how long (ms) until they fit.
    pub(super) fn try_reserve(&mut self, now: i64, n: u32) -> Result<OrderPermit, i64> {
        let mut wait = 0;
        for c in &mut self.counters {
            let index = now.div_euclid(c.window.window_ms);
            if index > c.index {
                c.index = index;
                c.used = 0;
            }
            if c.used + c.reserved + n > c.window.limit {
                wait = wait.max((index + 1) * c.window.window_ms - now);
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        let indices = self
            .counters
            .iter_mut()
            .map(|c| {
                c.reserved += n;
                (c.window.window_ms, c.index)
            })
            .collect();
        Ok(OrderPermit { n, indices })
    }

    /// Settles a permit with the counts Binance reported (`(window_ms, count)`); a window it did
    /// not report counts the permit's orders as placed.
    pub(super) fn settle(&mut self, permit: OrderPermit, reported: &[(i64, u32)]) {
        for c in &mut self.counters {
            let Some(&(_, index)) = permit
                .indices
                .iter()
                .find(|(w, _)| *w == c.window.window_ms)
            else {
                continue;
            };
            c.reserved = c.reserved.saturating_sub(permit.n);
            if index != c.index {
                continue;
            }
            c.used = match reported.iter().find(|(w, _)| *w == c.window.window_ms) {
                Some(&(_, count)) => c.used.max(count),
                None => c.used + permit.n,
            };
        }
    }

    /// Gives back a permit whose request never left.
    pub(super) fn release(&mut self, permit: OrderPermit) {
        for c in &mut self.counters {
            if permit.indices.iter().any(|(w, _)| *w == c.window.window_ms) {
                c.reserved = c.reserved.saturating_sub(permit.n);
            }
        }
    }

    /// Orders counted or reserved in the current window of `window_ms`.
    pub(super) fn used(&self, window_ms: i64) -> Option<u32> {
        self.counters
            .iter()
            .find(|c| c.window.window_ms == window_ms)
            .map(|c| c.used + c.reserved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_intervals() {
        assert_eq!(header_interval_ms("10s"), Some(10_000));
        assert_eq!(header_interval_ms("1D"), Some(86_400_000));
        assert_eq!(header_interval_ms("1m"), Some(60_000));
        assert_eq!(header_interval_ms("x"), None);
        assert_eq!(header_interval_ms(""), None);
        assert_eq!(header_interval_ms("5y"), None);
    }

    #[test]
    fn windows_fill_then_wait_for_their_boundary() {
        let mut oc = OrderCounts::default();
        oc.set(&[
            OrderWindow::new(10_000, 3),
            OrderWindow::new(86_400_000, 100),
        ]);
        let now = 1_700_000_003_000; // 3 s into a 10 s window
        let a = oc.try_reserve(now, 2).unwrap();
        assert_eq!(oc.try_reserve(now, 2).unwrap_err(), 7_000);
        oc.settle(a, &[(10_000, 2)]);
        let b = oc.try_reserve(now, 1).unwrap();
        oc.release(b);
        assert_eq!(oc.used(10_000), Some(2), "a released permit is not counted");
        // Another client on the account placed orders: the header says 3 were used.
        let c = oc.try_reserve(now, 1).unwrap();
        oc.settle(c, &[(10_000, 3), (86_400_000, 40)]);
        assert_eq!(oc.used(86_400_000), Some(40));
        assert_eq!(oc.try_reserve(now + 6_999, 1).unwrap_err(), 1);
        assert!(oc.try_reserve(now + 7_000, 1).is_ok(), "a new 10 s window");
    }

    #[test]
    fn changing_limits_keeps_counts() {
        let mut oc = OrderCounts::default();
        oc.set(&[OrderWindow::new(10_000, 5)]);
        let p = oc.try_reserve(0, 4).unwrap();
        oc.settle(p, &[]);
        oc.set(&[OrderWindow::new(10_000, 4), OrderWindow::new(60_000, 10)]);
        assert_eq!(oc.used(10_000), Some(4));
        assert!(oc.try_reserve(1, 1).is_err());
        assert_eq!(oc.windows().len(), 2);
    }
}
