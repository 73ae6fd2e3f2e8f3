//! One REST call of the trading client: order-count and weight permits from the shared limiter,
//! `recvWindow` + `timestamp` + signature on SIGNED calls, the answer's rate-limit headers fed
//! back, HTTP statuses turned into `RestError`s (429 pauses, 418 bans), and a `-1021` answered by
//! one time resync and one retry.
//!
//! Invariant: nothing here logs or formats a URL (it carries the signature) or the API key; and a
//! `Failure` says whether the request may have reached the matching engine.

use super::TradeClient;
use crate::binance::Permit;
use crate::binance::error::codes;
use crate::binance::limiter::{OrderPermit, header_interval_ms};
use crate::binance::{RestError, query_string, wire};
use reqwest::{Method, Response, header::HeaderValue};
use std::time::Duration;

const USED_WEIGHT_HEADER: &str = "x-mbx-used-weight-1m";
const ORDER_COUNT_PREFIX: &str = "x-mbx-order-count-";
/// When a 429 or 418 comes without `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);
const DEFAULT_BAN: Duration = Duration::from_secs(120);
const DEFAULT_ORDER_PAUSE: Duration = Duration::from_secs(10);

/// A request as the client means it; `send` adds time, window and signature per attempt.
#[derive(Debug, Clone)]
pub(super) struct Call {
    pub method: Method,
    pub path: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub weight: u32,
    /// New orders the call places (counts against the order-rate limits).
    pub orders: u32,
    pub signed: bool,
}

impl Call {
    pub fn signed(
        method: Method,
        path: &'static str,
        params: Vec<(&'static str, String)>,
        weight: u32,
    ) -> Self {
        Self {
            method,
            path,
            params,
            weight,
            orders: 0,
            signed: true,
        }
    }

    pub fn public(path: &'static str, weight: u32) -> Self {
        Self {
            method: Method::GET,
            path,
            params: Vec::new(),
            weight,
            orders: 0,
            signed: false,
        }
    }

    pub fn placing(mut self, orders: u32) -> Self {
        self.orders = orders;
        self
    }
}

/// A failed call: the error, whether the request may have been executed, and the `timestamp`
/// it carried (server time, ms), after which `recvWindow` bounds when it could still execute.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    pub error: RestError,
    pub maybe_executed: bool,
    pub timestamp: Option<i64>,
}

impl Failure {
    fn not_sent(error: RestError) -> Self {
        Self {
            error,
            maybe_executed: false,
            timestamp: None,
        }
    }
}

impl TradeClient {
    /// Sends `call`; on `-1021` resyncs the clock and sends it once more (the first copy was
    /// refused before the engine saw it).
    pub(super) async fn send(&self, call: &Call) -> Result<Vec<u8>, Failure> {
        let mut resynced = false;
        loop {
            if call.signed
                && self.time.needs_sync()
                && let Err(e) = self.sync_time().await
            {
                tracing::warn!("server time sync failed ({e}); signing with the last offset");
            }
            match self.attempt(call).await {
                Err(f)
                    if call.signed
                        && !resynced
                        && f.error.code() == Some(codes::INVALID_TIMESTAMP) =>
                {
                    tracing::warn!(
                        path = call.path,
                        "Binance refused our timestamp (-1021); resyncing and retrying once"
                    );
                    self.time.invalidate();
                    resynced = true;
                }
                other => return other,
            }
        }
    }

    /// One attempt, no retries.
    pub(super) async fn attempt(&self, call: &Call) -> Result<Vec<u8>, Failure> {
        let (orders, permit) = self.permits(call).await?;
        let (url, timestamp) = self.url(call);
        let mut request = self.http.request(call.method.clone(), url);
        if call.signed {
            request = request.header("X-MBX-APIKEY", self.api_key_header()?);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let sent = !e.is_connect();
                self.limiter.complete(permit, None);
                self.settle_orders(orders, sent, &[]);
                let error = self.transport(&e);
                return Err(Failure {
                    error,
                    maybe_executed: sent && call.orders > 0,
                    timestamp,
                });
            }
        };
        let used = header(&response, USED_WEIGHT_HEADER).and_then(|v| v.trim().parse().ok());
        self.limiter.complete(permit, used);
        self.settle_orders(orders, true, &order_counts(&response));
        self.answer(call, response, timestamp).await
    }

    /// Order-count permits (for a placement), then weight; nothing is held on failure.
    async fn permits(&self, call: &Call) -> Result<(Option<OrderPermit>, Permit), Failure> {
        let orders = match call.orders {
            0 => None,
            n => Some(
                self.limiter
                    .acquire_orders(n)
                    .await
                    .map_err(Failure::not_sent)?,
            ),
        };
        match self.limiter.acquire(call.weight).await {
            Ok(permit) => Ok((orders, permit)),
            Err(e) => {
                if let Some(o) = orders {
                    self.limiter.release_orders(o);
                }
                Err(Failure::not_sent(e))
            }
        }
    }

    /// The URL with its query string; for a SIGNED call also `recvWindow`, `timestamp` and the
    /// signature over the query as sent.
    pub(super) fn url(&self, call: &Call) -> (String, Option<i64>) {
        let mut query = query_string(&call.params);
        let mut timestamp = None;
        if call.signed {
            let ts = self.time.timestamp();
            timestamp = Some(ts);
            let sep = if query.is_empty() { "" } else { "&" };
            query = format!(
                "{query}{sep}recvWindow={}&timestamp={ts}",
                self.cfg.recv_window.ms()
            );
            let signature = self.signer.sign_rest(&query, "");
            query = format!("{query}&signature={}", signature.for_query());
        }
        let sep = if query.is_empty() { "" } else { "?" };
        (format!("{}{}{sep}{query}", self.base, call.path), timestamp)
    }

    fn api_key_header(&self) -> Result<HeaderValue, Failure> {
        let mut v = HeaderValue::from_str(self.signer.api_key().expose()).map_err(|_| {
            Failure::not_sent(RestError::Connection(
                "the API key holds characters HTTP headers cannot carry".into(),
            ))
        })?;
        v.set_sensitive(true);
        Ok(v)
    }

    fn settle_orders(&self, permit: Option<OrderPermit>, sent: bool, counts: &[(i64, u32)]) {
        match (permit, sent) {
            (Some(p), true) => self.limiter.complete_orders(p, counts),
            (Some(p), false) => self.limiter.release_orders(p),
            (None, _) => {}
        }
    }

    /// The status and body of an answer as a result.
    async fn answer(
        &self,
        call: &Call,
        response: Response,
        timestamp: Option<i64>,
    ) -> Result<Vec<u8>, Failure> {
        let status = response.status().as_u16();
        let retry_after = header(&response, "retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let placing = call.orders > 0;
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => {
                let error = self.transport(&e);
                return Err(Failure {
                    error,
                    maybe_executed: placing && !(400..500).contains(&status),
                    timestamp,
                });
            }
        };
        match self.status_error(status, &body, retry_after) {
            None => Ok(body),
            Some(error) => {
                let unknown = match &error {
                    RestError::Server { .. } => true,
                    e => matches!(e.code(), Some(codes::TIMEOUT | codes::UNKNOWN_STATUS)),
                };
                Err(Failure {
                    error,
                    maybe_executed: placing && unknown,
                    timestamp,
                })
            }
        }
    }

    /// The error an answer's status means (`None` for success); 429 and 418 act on the limiter.
    fn status_error(
        &self,
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Option<RestError> {
        match status {
            200..=299 => None,
            429 => Some(self.rate_limited(body, retry_after)),
            418 => {
                let retry_after = retry_after.unwrap_or(DEFAULT_BAN);
                self.limiter.ban(retry_after);
                tracing::error!(
                    secs = retry_after.as_secs(),
                    "Binance banned this IP (HTTP 418); nothing is sent until the ban ends"
                );
                Some(RestError::Banned { retry_after })
            }
            500..=599 => Some(RestError::Server { status }),
            _ => Some(rejection(status, body)),
        }
    }

    /// A 429: the order-rate limit (`-1015`) pauses new orders; the weight limit pauses all.
    fn rate_limited(&self, body: &[u8], retry_after: Option<Duration>) -> RestError {
        let code = rejection(429, body).code();
        let retry_after = if code == Some(codes::TOO_MANY_ORDERS) {
            let wait = retry_after.unwrap_or(DEFAULT_ORDER_PAUSE);
            self.limiter.pause_orders(wait);
            wait
        } else {
            let wait = retry_after.unwrap_or(DEFAULT_PAUSE);
            self.limiter.pause(wait);
            wait
        };
        tracing::warn!(
            secs = retry_after.as_secs(),
            ?code,
            "Binance rate limit (HTTP 429); pausing"
        );
        RestError::RateLimited { retry_after }
    }

    fn transport(&self, e: &reqwest::Error) -> RestError {
        if e.is_timeout() {
            RestError::Timeout(self.cfg.timeout)
        } else {
            RestError::Connection(crate::binance::rest::causes(e))
        }
    }
}

fn header(r: &Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The `X-MBX-ORDER-COUNT-<n><unit>` headers as `(window_ms, count)`.
fn order_counts(r: &Response) -> Vec<(i64, u32)> {
    r.headers()
        .iter()
        .filter_map(|(name, value)| {
            let suffix = name.as_str().strip_prefix(ORDER_COUNT_PREFIX)?;
            let count = value.to_str().ok()?.trim().parse().ok()?;
            Some((header_interval_ms(suffix)?, count))
        })
        .collect()
}

/// Binance's `{"code": …, "msg": …}`, or the start of whatever came instead.
pub(super) fn rejection(status: u16, body: &[u8]) -> RestError {
    match wire::from_slice::<wire::ApiError>(body) {
        Ok(e) => RestError::Rejected {
            status,
            code: e.code,
            msg: e.msg,
        },
        Err(_) => RestError::Rejected {
            status,
            code: 0,
            msg: String::from_utf8_lossy(body).chars().take(200).collect(),
        },
    }
}
