//! The signed REST trading client: places orders (every type `wire::OrderSpec` names, and OCO
//! lists), cancels one or all, queries orders, open orders, balances and the account's trades.
//! It shares the process's `WeightLimiter`, keeps Binance's clock offset (`time`), caches
//! `exchangeInfo` and refuses an order the filters would refuse before it leaves (`info`).
//!
//! Invariant: an order is never submitted twice. Each carries a deterministic client order id;
//! when an answer is lost (timeout, reset, 5xx, `-1007`) the client waits until the first copy's
//! `recvWindow` has passed (after that Binance no longer executes it), then queries the order by
//! that id, and only a definite "no such order" (`-2013`) allows sending it again (`place`).

mod error;
mod http;
mod place;
mod queries;

pub use error::TradeError;
pub use queries::TradeQuery;

use super::info::{EXCHANGE_INFO_WEIGHT, ExchangeInfo, InfoCache, OrderContext, Prepared};
use super::wire::{self, NewOco, NewOrder};
use super::{Backoff, RecvWindow, RestError, RetryPolicy, ServerClock, Signer, WeightLimiter};
use crate::clock::Clock;
use http::Call;
use std::{sync::Arc, time::Duration};

#[derive(Debug, Clone)]
pub struct TradeConfig {
    pub base_url: String,
    /// Per request; an order whose answer does not come in time has an unknown outcome.
    pub timeout: Duration,
    pub recv_window: RecvWindow,
    /// How often the server-time offset is measured again.
    pub time_refresh: Duration,
    /// How long a cached exchangeInfo is trusted.
    pub info_max_age: Duration,
    /// Retries of idempotent requests (queries, cancels) and of an order proven absent.
    pub retry: RetryPolicy,
}

impl TradeConfig {
    /// Defaults: 10 s timeout (Binance's own processing limit), recvWindow 5000 ms, time
    /// resynced every 10 minutes, exchangeInfo trusted for an hour, 3 retries from 250 ms.
    /// From the `[binance]` config section: its trading host (testnet when it says so),
    /// recvWindow and order timeout.
    pub fn from_config(binance: &crate::config::Binance) -> Self {
        let recv_window = RecvWindow::new(binance.recv_window_ms.get()).unwrap_or_default();
        Self {
            timeout: Duration::from_secs(binance.order_timeout_secs.get()),
            recv_window,
            ..Self::new(binance.endpoints().trade.as_str())
        }
    }

    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(10),
            recv_window: RecvWindow::default(),
            time_refresh: Duration::from_secs(600),
            info_max_age: Duration::from_secs(3600),
            retry: RetryPolicy {
                max_retries: 3,
                base: Duration::from_millis(250),
                max: Duration::from_secs(5),
            },
        }
    }
}

pub struct TradeClient {
    http: reqwest::Client,
    base: String,
    signer: Signer,
    limiter: Arc<WeightLimiter>,
    time: ServerClock,
    info: InfoCache,
    clock: Arc<dyn Clock>,
    cfg: TradeConfig,
}

impl TradeClient {
    pub fn new(
        cfg: TradeConfig,
        signer: Signer,
        limiter: Arc<WeightLimiter>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, TradeError> {
        super::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .user_agent(concat!("tickdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TradeError::Setup(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: cfg.base_url.trim_end_matches('/').to_string(),
            signer,
            time: ServerClock::new(clock.clone(), cfg.time_refresh)?,
            info: InfoCache::new(clock.clone(), cfg.info_max_age),
            limiter,
            clock,
            cfg,
        })
    }

    pub fn limiter(&self) -> &Arc<WeightLimiter> {
        &self.limiter
    }

    /// When the IP ban (HTTP 418) ends, while one is in force: new orders are refused until
    /// then, and the core should raise a critical alert.
    pub fn banned_until(&self) -> Option<i64> {
        self.limiter.banned_until()
    }

    pub fn server_clock(&self) -> &ServerClock {
        &self.time
    }

    /// Measures the server-time offset (`GET /api/v3/time`) and returns it (ms, server − local).
    pub async fn sync_time(&self) -> Result<i64, TradeError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Time {
            server_time: i64,
        }
        let sent = self.time.local_ms();
        let body = self
            .attempt(&Call::public("/api/v3/time", 1))
            .await
            .map_err(|f| f.error)?;
        let received = self.time.local_ms();
        let t: Time = wire::from_slice(&body)?;
        Ok(self.time.record(sent, t.server_time, received))
    }

    /// exchangeInfo, from the cache while it is fresh. The exchange's rate limits are applied to
    /// the shared limiter on every load. A failed refresh falls back to a stale copy.
    pub async fn exchange_info(&self) -> Result<Arc<ExchangeInfo>, TradeError> {
        if let Some(info) = self.info.fresh() {
            return Ok(info);
        }
        match self.refresh_exchange_info().await {
            Ok(info) => Ok(info),
            Err(e) => match self.info.any() {
                Some(stale) => {
                    tracing::warn!("exchangeInfo refresh failed ({e}); using the cached copy");
                    Ok(stale)
                }
                None => Err(e),
            },
        }
    }

    pub async fn refresh_exchange_info(&self) -> Result<Arc<ExchangeInfo>, TradeError> {
        let body = self
            .idempotent(&Call::public("/api/v3/exchangeInfo", EXCHANGE_INFO_WEIGHT))
            .await?;
        let info = ExchangeInfo::parse(&body)?;
        if let Some(limit) = info.weight_per_minute() {
            self.limiter.cap_weight(limit);
        }
        self.limiter.set_order_limits(&info.order_windows());
        Ok(self.info.store(info))
    }

    /// Rounds and checks `order` against the symbol's live filters (see `info::prepare`).
    pub async fn prepare(
        &self,
        order: NewOrder,
        ctx: &OrderContext,
    ) -> Result<Prepared<NewOrder>, TradeError> {
        let info = self.exchange_info().await?;
        let symbol = info
            .symbol(&order.symbol)
            .ok_or_else(|| TradeError::UnknownSymbol(order.symbol.clone()))?;
        symbol.prepare(order, ctx).map_err(TradeError::Refused)
    }

    pub async fn prepare_oco(
        &self,
        oco: NewOco,
        ctx: &OrderContext,
    ) -> Result<Prepared<NewOco>, TradeError> {
        let info = self.exchange_info().await?;
        let symbol = info
            .symbol(&oco.symbol)
            .ok_or_else(|| TradeError::UnknownSymbol(oco.symbol.clone()))?;
        symbol.prepare_oco(oco, ctx).map_err(TradeError::Refused)
    }

    /// Sends a call that is safe to repeat, retrying transient failures with jittered backoff.
    async fn idempotent(&self, call: &Call) -> Result<Vec<u8>, RestError> {
        let seed = self.clock.now_ms().unsigned_abs() ^ (call.path.len() as u64) << 32;
        let mut backoff = Backoff::new(self.cfg.retry, seed);
        let mut attempt = 0;
        loop {
            match self.send(call).await {
                Ok(body) => return Ok(body),
                Err(f) if f.error.is_transient() && attempt < self.cfg.retry.max_retries => {
                    let wait = backoff.delay(attempt);
                    attempt += 1;
                    tracing::info!(path = call.path, "{}; retry {attempt} in {wait:?}", f.error);
                    tokio::time::sleep(wait).await;
                }
                Err(f) => return Err(f.error),
            }
        }
    }
}

#[cfg(test)]
mod tests;
