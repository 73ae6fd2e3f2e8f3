//! Trading on live data: paper on Binance's streams (the simulated exchange fills against the
//! live book and trades), or live (the connector executes). The session is the same one replay
//! runs (`paper::Paper`: engine, strategies, risk, desk, journal, replica); what differs is the
//! feed (`run`), the exchange adapter (`exchange::LiveExchange`) and the edges that talk to
//! Binance (`send`, `translate`), plus what a restart needs (`start`, `reconcile`). See
//! docs/live.md for the guarantees and the crash tests that hold them.

pub mod ids;
pub mod reconcile;
pub mod run;
pub mod send;
pub mod start;
pub mod translate;

pub use run::{Edges, drive};
pub use start::{Start, open};

use crate::binance::RestError;
use crate::binance::TradeError;
use crate::binance::stream::StreamError;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(
        "live trading needs API keys and none were found: store them with `tickdesk keys set` (or set TICKDESK_API_KEY and TICKDESK_API_SECRET), then check them with `tickdesk keys test`"
    )]
    NoKeys,
    #[error("{0} is not listed on Binance (exchangeInfo): change [paper] symbols")]
    NotListed(String),
    #[error("Binance market data: {0}")]
    Rest(#[from] RestError),
    #[error("Binance trading: {0}")]
    Trade(#[from] TradeError),
    #[error("market streams: {0}")]
    Stream(#[from] StreamError),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    Paper(#[from] crate::paper::PaperError),
    #[error("live setup: {0}")]
    Setup(String),
}
