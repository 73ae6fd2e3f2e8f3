//! The REST client for public market data. Every request passes the shared weight limiter; HTTP
//! status codes become typed errors (429 pauses the limiter, 418 bans it); bodies are parsed here.

use super::book::DepthSnapshot;
use super::{Kline, RestError, WeightLimiter};
use crate::market::{Interval, Symbol};
use std::{sync::Arc, time::Duration};

/// Binance's maximum `limit` for klines.
pub const KLINES_PER_REQUEST: i64 = 1000;
/// Request weight of `GET /api/v3/klines`.
pub const KLINES_WEIGHT: u32 = 2;

/// Request weight of `GET /api/v3/depth` for a `limit`: 5 up to 100 levels, 25 up to 500, 50 up
/// to 1000, 250 beyond.
pub fn depth_weight(limit: u32) -> u32 {
    match limit {
        0..=100 => 5,
        101..=500 => 25,
        501..=1000 => 50,
        _ => 250,
    }
}

const USED_WEIGHT_HEADER: &str = "x-mbx-used-weight-1m";

pub struct MarketClient {
    http: reqwest::Client,
    base: String,
    limiter: Arc<WeightLimiter>,
    timeout: Duration,
}

impl MarketClient {
    pub fn new(
        base_url: &str,
        limiter: Arc<WeightLimiter>,
        timeout: Duration,
    ) -> Result<Self, RestError> {
        super::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("tickdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RestError::Connection(causes(&e)))?;

        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            limiter,
            timeout,
        })
    }

    pub fn limiter(&self) -> &Arc<WeightLimiter> {
        &self.limiter
    }

    /// `GET /api/v3/klines`: up to `limit` klines opening at or after `start` (and at or before
    /// `end`, inclusive, when given), oldest first.
    pub async fn klines(
        &self,
        symbol: &Symbol,
        interval: Interval,
        start: i64,
        end: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Kline>, RestError> {
        let mut query =
            format!("symbol={symbol}&interval={interval}&startTime={start}&limit={limit}");
        if let Some(end) = end {
            query.push_str(&format!("&endTime={end}"));
        }
        let body = self.get("/api/v3/klines", &query, KLINES_WEIGHT).await?;
        serde_json::from_slice(&body).map_err(|e| RestError::Malformed(format!("klines: {e}")))
    }

    /// `GET /api/v3/depth`: the order book as of its `lastUpdateId`, at most `limit` levels a
    /// side (clamped to Binance's 1–5000; the weight follows the limit, spec §4).
    pub async fn depth(&self, symbol: &Symbol, limit: u32) -> Result<DepthSnapshot, RestError> {
        let limit = limit.clamp(1, 5000);
        let query = format!("symbol={symbol}&limit={limit}");
        let body = self
            .get("/api/v3/depth", &query, depth_weight(limit))
            .await?;
        super::stream::parse_snapshot(&body)
            .map_err(|e| RestError::Malformed(format!("depth: {e}")))
    }

    async fn get(&self, path: &str, query: &str, weight: u32) -> Result<Vec<u8>, RestError> {
        let permit = self.limiter.acquire(weight).await?;
        let url = format!("{}{path}?{query}", self.base);
        let response = match self.http.get(&url).send().await {
            Ok(r) => r,
            Err(e) => {
                self.limiter.complete(permit, None);
                return Err(self.transport(&e));
            }
        };
        let used = header(&response, USED_WEIGHT_HEADER).and_then(|v| v.parse().ok());
        self.limiter.complete(permit, used);
        let status = response.status().as_u16();
        let retry_after = header(&response, "retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        match status {
            429 => {
                let retry_after = retry_after.unwrap_or(Duration::from_secs(60));
                self.limiter.pause(retry_after);
                return Err(RestError::RateLimited { retry_after });
            }
            418 => {
                let retry_after = retry_after.unwrap_or(Duration::from_secs(120));
                self.limiter.ban(retry_after);
                return Err(RestError::Banned { retry_after });
            }
            _ => {}
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport(&e))?
            .to_vec();
        match status {
            200..=299 => Ok(body),
            500..=599 => Err(RestError::Server { status }),
            _ => Err(rejection(status, &body)),
        }
    }

    fn transport(&self, e: &reqwest::Error) -> RestError {
        if e.is_timeout() {
            RestError::Timeout(self.timeout)
        } else {
            RestError::Connection(format!("{} ({})", self.base, causes(e)))
        }
    }
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Binance's `{"code": -1121, "msg": "Invalid symbol."}`, or the start of whatever came instead.
fn rejection(status: u16, body: &[u8]) -> RestError {
    #[derive(serde::Deserialize)]
    struct ApiError {
        code: i64,
        msg: String,
    }
    match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => RestError::Rejected {
            status,
            code: e.code,
            msg: e.msg,
        },
        Err(_) => {
            let msg: String = String::from_utf8_lossy(body).chars().take(200).collect();
            RestError::Rejected {
                status,
                code: 0,
                msg,
            }
        }
    }
}

/// What went wrong underneath a reqwest error, without its own message: that repeats the whole
/// URL, which on a signed request carries the signature.
pub(super) fn causes(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.dedup();
    if parts.is_empty() {
        "the request failed".into()
    } else {
        parts.join(": ")
    }
}
