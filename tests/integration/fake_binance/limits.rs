//! The fake's rate limits, per spec §6: request weight per clock minute (one budget for the
//! whole "IP": REST and WebSocket API alike), order counts per 10 s and per day, and IP bans.
//! Over the weight limit → 429 `-1003` with `Retry-After` up to the minute's end; over the order
//! limit → 429 `-1015`; while banned every request is refused with 418 and counted. Requests sent
//! before a 429's `Retry-After` ran out are counted as violations (and, when configured, earn a
//! ban as Binance's repeat-offender rule does). Invariant: the weight used in any minute never
//! exceeds the limit, and `peak_used` is the highest weight reached.

use super::wire::ApiError;

#[derive(Debug, Clone)]
pub struct Limits {
    pub weight_limit: u32,
    minute: i64,
    pub used: u32,
    pub peak_used: u32,
    pub over_limit_429s: usize,
    pub banned_until: Option<i64>,
    pub requests_while_banned: usize,
    retry_until: Option<i64>,
    pub retry_after_violations: usize,
    /// Ban length for a request that ignored `Retry-After`; `None` = never ban for it.
    pub ban_on_violation_secs: Option<u64>,
    pub orders_10s_limit: u32,
    pub orders_1d_limit: u32,
    window_10s: (i64, u32),
    window_1d: (i64, u32),
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            weight_limit: 6000,
            minute: 0,
            used: 0,
            peak_used: 0,
            over_limit_429s: 0,
            banned_until: None,
            requests_while_banned: 0,
            retry_until: None,
            retry_after_violations: 0,
            ban_on_violation_secs: None,
            orders_10s_limit: 50,
            orders_1d_limit: 160_000,
            window_10s: (0, 0),
            window_1d: (0, 0),
        }
    }
}

/// Why a request is refused before it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Banned { retry_after_secs: u64 },
    OverWeight { retry_after_secs: u64 },
}

fn secs_until(now: i64, until: i64) -> u64 {
    u64::try_from((until - now + 999) / 1000)
        .unwrap_or(0)
        .max(1)
}

impl Limits {
    /// Counts `weight` against the current minute, unless banned or over the limit.
    pub fn charge(&mut self, now: i64, weight: u32) -> Result<u32, Refusal> {
        if let Some(until) = self.banned_until.filter(|u| now < *u) {
            self.requests_while_banned += 1;
            return Err(Refusal::Banned {
                retry_after_secs: secs_until(now, until),
            });
        }
        if self.retry_until.is_some_and(|u| now < u) {
            self.retry_after_violations += 1;
            if let Some(secs) = self.ban_on_violation_secs {
                self.ban(now, secs);
                return Err(Refusal::Banned {
                    retry_after_secs: secs,
                });
            }
        }
        let minute = now.div_euclid(60_000);
        if minute != self.minute {
            self.minute = minute;
            self.used = 0;
        }
        if self.used + weight > self.weight_limit {
            self.over_limit_429s += 1;
            let wait = 60 - u64::try_from(now.rem_euclid(60_000) / 1000).unwrap_or(0);
            self.retry_until = Some(now + i64::try_from(wait).unwrap_or(60) * 1000);
            return Err(Refusal::OverWeight {
                retry_after_secs: wait,
            });
        }
        self.used += weight;
        self.peak_used = self.peak_used.max(self.used);
        Ok(self.used)
    }

    pub fn ban(&mut self, now: i64, secs: u64) {
        self.banned_until = Some(now + i64::try_from(secs).unwrap_or(0) * 1000);
    }

    /// A 429 was sent: requests before `now + secs` violate it.
    pub fn told_to_wait(&mut self, now: i64, secs: u64) {
        self.retry_until = Some(now + i64::try_from(secs).unwrap_or(0) * 1000);
    }

    /// Counts `n` new orders; refuses with 429 `-1015` and `Retry-After` (spec §6) past either
    /// order limit.
    pub fn count_orders(&mut self, now: i64, n: u32) -> Result<(), ApiError> {
        let (w10, d1) = (now.div_euclid(10_000), now.div_euclid(86_400_000));
        if self.window_10s.0 != w10 {
            self.window_10s = (w10, 0);
        }
        if self.window_1d.0 != d1 {
            self.window_1d = (d1, 0);
        }
        let over = |limit: u32, what: &str, until: i64| {
            let msg = format!("Too many new orders; current limit is {limit} orders per {what}.");
            ApiError {
                retry_after: Some(secs_until(now, until)),
                ..ApiError::new(429, -1015, msg)
            }
        };
        if self.window_10s.1 + n > self.orders_10s_limit {
            return Err(over(self.orders_10s_limit, "10 SECOND", (w10 + 1) * 10_000));
        }
        if self.window_1d.1 + n > self.orders_1d_limit {
            return Err(over(self.orders_1d_limit, "DAY", (d1 + 1) * 86_400_000));
        }
        self.window_10s.1 += n;
        self.window_1d.1 += n;
        Ok(())
    }

    /// `X-MBX-ORDER-COUNT-10S` and `-1D`, as successful orders carry them.
    pub fn order_headers(&self) -> Vec<(String, String)> {
        vec![
            (
                "X-MBX-ORDER-COUNT-10S".to_string(),
                self.window_10s.1.to_string(),
            ),
            (
                "X-MBX-ORDER-COUNT-1D".to_string(),
                self.window_1d.1.to_string(),
            ),
        ]
    }

    pub fn weight_header(&self) -> (String, String) {
        ("X-MBX-USED-WEIGHT-1M".to_string(), self.used.to_string())
    }
}
