//! Scripted REST faults: what can go wrong with one answer, and the per-route queues that hold
//! them (`"GET /api/v3/klines"`, `"POST /api/v3/order"`, …). Each request on a route consumes the
//! next entry of that route's queue; `None` entries let clean requests through. Invariant: a
//! fault is consumed by exactly one request, in script order.

use std::{
    collections::{BTreeMap, VecDeque},
    time::Duration,
};

/// One scripted failure of a REST answer. "Before" faults leave the exchange untouched; the
/// `Executed…` ones run the request first (an order is really placed) and then fail the answer,
/// which is the case where Binance says the outcome is unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429 `-1003` with `Retry-After`.
    RateLimited { retry_after_secs: u64 },
    /// 418 `-1003` with `Retry-After`; every request until then is refused with 418 too.
    Banned { retry_after_secs: u64 },
    /// 502 with an HTML body, nothing executed.
    ServerError,
    /// The connection is closed without an answer, nothing executed.
    Drop,
    /// Executed, then a 200 whose body is cut in half.
    Malformed,
    /// The request waits this long, then executes and is answered (a client that gave up
    /// meanwhile will not see it, but the order is still placed).
    Slow(Duration),
    /// `-1021` as if the timestamp were outside the window.
    InvalidTimestamp,
    /// 400 with this Binance code and message, nothing executed.
    Reject { code: i64, msg: String },
    /// Executed, then 502.
    ExecutedThenServerError,
    /// Executed, then the connection is closed without an answer.
    ExecutedThenDrop,
    /// Executed at once, answered after this long.
    ExecutedThenSlow(Duration),
    /// 503 `-1007` "Timeout waiting for response from backend server"; executed or not.
    BackendTimeout { executed: bool },
}

#[derive(Debug, Default)]
pub struct Faults(BTreeMap<String, VecDeque<Option<Fault>>>);

impl Faults {
    pub fn push(&mut self, route: &str, fault: Option<Fault>) {
        self.0
            .entry(route.to_string())
            .or_default()
            .push_back(fault);
    }

    pub fn pop(&mut self, route: &str) -> Option<Fault> {
        self.0
            .get_mut(route)
            .and_then(VecDeque::pop_front)
            .flatten()
    }
}
