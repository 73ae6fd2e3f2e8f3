//! Live market data from Binance's combined WebSocket streams (spec §8): klines, book tickers,
//! agg trades and depth diffs for several symbols on one connection, turned into typed
//! [`MarketEvent`]s, with one local order book per depth-subscribed symbol kept by
//! [`crate::binance::book::BookSync`] (snapshots over REST on their own tasks).
//!
//! The feed runs on one tokio task ([`spawn`]) and talks to the core through a [`MarketFeed`]:
//! an ordered bounded queue for klines, trades and health changes (never dropped) and
//! latest-value slots for book tops and tickers (coalesced per symbol); `outlet.rs` states the
//! overflow policy. Connection rules:
//! - every server ping is answered with a pong carrying its payload, at once (`socket.rs`);
//! - a lost connection is reopened after a capped, jittered backoff, and every book resyncs;
//! - no data frame for `stale_after` (default 30 s) marks the feed stale and reconnects;
//! - before Binance's 24-hour cut (`max_lifetime`, default 23 h 50 m), and at once on a
//!   `serverShutdown` event, a new connection is opened first; both are read for
//!   `switch_overlap` (the new one's frames buffered), then the old one is closed and the new
//!   one's frames replayed. Repeats are dropped (`dedupe.rs`) and the books carry on, their
//!   sequence still checked on every diff (a gap resyncs as usual), so nothing is lost.
//!
//! Invariant: the socket is never left unread for longer than `lag_wait` by a slow consumer, and
//! a book is published only when its synchroniser vouches for it (`top == None` while resyncing).

mod books;
mod dedupe;
mod events;
mod feed;
mod health;
mod outlet;
mod payload;
mod session;
mod socket;
mod standby;
mod task;

#[cfg(test)]
mod tests;

pub use events::{AggTrade, BookTicker, BookView, KlineUpdate, MarketEvent};
pub use feed::MarketFeed;
pub use health::{FeedState, FeedStatus, StreamCounters};
pub use payload::FrameError;
pub(crate) use payload::parse_snapshot;

use crate::binance::book::{PriceScale, SyncConfig};
use crate::binance::{MarketClient, RetryPolicy};
use crate::clock::Clock;
use crate::market::{Interval, Symbol};
use std::sync::Arc;
use std::time::Duration;

/// `/api/v3/depth` levels per snapshot (weight 50).
pub const DEFAULT_DEPTH_LIMIT: u32 = 1000;
/// Binance's limit of streams on one connection.
pub const MAX_STREAMS: usize = 1024;

/// One stream per symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// `<s>@kline_<i>`
    Kline(Interval),
    /// `<s>@bookTicker`
    BookTicker,
    /// `<s>@aggTrade`
    AggTrade,
    /// `<s>@depth@100ms`, feeding the symbol's local book.
    Depth,
}

impl StreamKind {
    /// The stream's name for a symbol (symbols are lower-case in stream names).
    pub fn name(self, symbol: &Symbol) -> String {
        let s = symbol.as_str().to_ascii_lowercase();
        match self {
            Self::Kline(i) => format!("{s}@kline_{i}"),
            Self::BookTicker => format!("{s}@bookTicker"),
            Self::AggTrade => format!("{s}@aggTrade"),
            Self::Depth => format!("{s}@depth@100ms"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Host of the market streams (`binance.ws_url`, or the testnet one).
    pub ws_url: String,
    pub symbols: Vec<Symbol>,
    /// Subscribed for every symbol.
    pub kinds: Vec<StreamKind>,
    /// Levels per side in each depth snapshot (1–5000).
    pub depth_limit: u32,
    /// Levels per side in each published book top.
    pub top_levels: usize,
    pub price_scale: PriceScale,
    /// Silence (no data frame; pings do not count) that marks the feed stale. Keep it above the
    /// quietest subscribed stream's pace: klines tick every 2 s, depth and trades only on change.
    pub stale_after: Duration,
    /// Age at which a connection is replaced (Binance cuts at 24 h).
    pub max_lifetime: Duration,
    /// How long old and new connections are read together during a planned switch.
    pub switch_overlap: Duration,
    pub connect_timeout: Duration,
    /// Reconnect and snapshot-retry delays (`max_retries` is not used: the feed never gives up).
    pub backoff: RetryPolicy,
    /// Ordered events the consumer may leave unread before the reader waits.
    pub queue_capacity: usize,
    /// Longest the reader waits for queue room before recording `Lagged`.
    pub lag_wait: Duration,
    /// Seed of the backoff jitter.
    pub seed: u64,
}

impl StreamConfig {
    /// The defaults: 1000-level snapshots, top 20, stale after 30 s, a new connection after
    /// 23 h 50 m with a 2 s overlap, reconnects 0.5–30 s apart, 4096 queued events, 5 s lag wait.
    pub fn new(ws_url: &str, symbols: Vec<Symbol>, kinds: Vec<StreamKind>) -> Self {
        Self {
            ws_url: ws_url.to_string(),
            symbols,
            kinds,
            depth_limit: DEFAULT_DEPTH_LIMIT,
            top_levels: 20,
            price_scale: PriceScale::BINANCE,
            stale_after: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(23 * 3600 + 50 * 60),
            switch_overlap: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(10),
            backoff: RetryPolicy {
                max_retries: u32::MAX,
                base: Duration::from_millis(500),
                max: Duration::from_secs(30),
            },
            queue_capacity: 4096,
            lag_wait: Duration::from_secs(5),
            seed: 0x5EED,
        }
    }

    /// The market-stream host from the `[binance]` section (testnet when it says so).
    pub fn from_config(
        binance: &crate::config::Binance,
        symbols: Vec<Symbol>,
        kinds: Vec<StreamKind>,
    ) -> Self {
        Self {
            depth_limit: u32::try_from(binance.depth_snapshot_levels.get())
                .unwrap_or(DEFAULT_DEPTH_LIMIT),
            stale_after: Duration::from_secs(binance.stale_after_secs.get()),
            max_lifetime: Duration::from_secs(binance.reconnect_after_mins.get() * 60),
            ..Self::new(binance.endpoints().ws.as_str(), symbols, kinds)
        }
    }

    /// Every stream name, symbol by symbol.
    pub fn stream_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for symbol in &self.symbols {
            for kind in &self.kinds {
                let name = kind.name(symbol);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    pub fn url(&self) -> String {
        socket::combined_url(&self.ws_url, &self.stream_names())
    }

    fn depth_symbols(&self) -> Vec<Symbol> {
        if self.kinds.contains(&StreamKind::Depth) {
            self.symbols.clone()
        } else {
            Vec::new()
        }
    }

    fn validate(&self) -> Result<(), StreamError> {
        let n = self.stream_names().len();
        if n == 0 {
            return Err(StreamError::NoStreams);
        }
        if n > MAX_STREAMS {
            return Err(StreamError::TooManyStreams(n));
        }
        let scheme_ok = ["ws://", "wss://"]
            .iter()
            .any(|s| self.ws_url.starts_with(s));
        if !scheme_ok {
            return Err(StreamError::Url(self.ws_url.clone()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    #[error("no market streams: give at least one symbol and one stream kind")]
    NoStreams,
    #[error("{0} streams on one connection; Binance allows at most {MAX_STREAMS}")]
    TooManyStreams(usize),
    #[error("`{0}` is not a WebSocket URL (ws:// or wss://)")]
    Url(String),
    #[error("WebSocket connection failed: {0}")]
    Connect(String),
    #[error("no WebSocket handshake within {}s", .0.as_secs())]
    ConnectTimeout(Duration),
}

/// Starts the feed on the current tokio runtime. `rest` fetches depth snapshots (its weight
/// limiter is the process's); `clock` times latency (now − `E`) and message ages.
pub fn spawn(
    config: StreamConfig,
    rest: Arc<MarketClient>,
    clock: Arc<dyn Clock>,
) -> Result<MarketFeed, StreamError> {
    config.validate()?;
    let (tx, rx) = tokio::sync::mpsc::channel(config.queue_capacity.max(1));
    let shared = Arc::new(outlet::Shared::default());
    let outlet = outlet::Outlet::new(tx, shared.clone(), config.lag_wait);
    let (snap_tx, snap_rx) = tokio::sync::mpsc::channel(config.symbols.len().max(1));
    let sync = SyncConfig {
        scale: config.price_scale,
        ..SyncConfig::default()
    };
    let books = books::Books::new(
        &config.depth_symbols(),
        sync,
        rest,
        (config.depth_limit.clamp(1, 5000), config.top_levels),
        (config.backoff, config.seed.rotate_left(17)),
        snap_tx,
    );
    let task = task::FeedTask::new(config, outlet, books, snap_rx, clock);
    let handle = tokio::spawn(task.run());
    Ok(MarketFeed::new(rx, shared, handle))
}
