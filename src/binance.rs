//! Binance spot over REST: typed errors, a process-wide request-weight limiter, retries with
//! jittered backoff, and the market-data endpoints. Wire facts follow docs/binance-spot.md
//! (from the shared spec); nothing here knows about the store or the UI.

pub mod book;
mod error;
pub mod info;
mod kline;
mod limiter;
mod rest;
mod retry;
mod sign;
pub mod stream;
mod time;
mod trade;
pub mod user;
pub mod wire;

pub use error::RestError;
pub use error::codes as error_codes;
pub use kline::Kline;
pub use limiter::{OrderPermit, OrderWindow, header_interval_ms};
pub use limiter::{Permit, WeightLimiter};
pub use rest::{KLINES_PER_REQUEST, KLINES_WEIGHT, MarketClient, depth_weight};
pub use retry::{Backoff, RetryPolicy};
pub use sign::{KeyKind, SignError, Signature, Signer, percent_encode, query_string, ws_payload};
pub use time::{DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, RecvWindow, ServerClock, TimeError};
pub use trade::{TradeClient, TradeConfig, TradeError, TradeQuery};

/// Installs ring as the process's TLS crypto provider (reqwest is built without one, keeping
/// aws-lc's C build out). Idempotent.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
