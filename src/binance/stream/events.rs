//! What the market feed hands the core: one [`MarketEvent`] enum over typed payloads. Prices and
//! quantities of tickers and trades are exact `Decimal`s; candles are the core's `f64` analytics
//! type, read from Binance's decimal text. Invariant: every value here is plain owned data, so an
//! event can be queued, cloned into a replica or logged without touching the feed.

use super::health::FeedStatus;
use crate::binance::book::{BookHealth, BookTop, SyncCounters};
use crate::core::Side;
use crate::market::{Candle, Interval, Symbol};
use rust_decimal::Decimal;

/// Everything the feed emits. `Kline`, `Trade` and `Health` travel through the ordered queue
/// (never dropped); `Ticker` and `Book` are coalesced to the latest value per symbol.
#[derive(Debug, Clone, PartialEq)]
pub enum MarketEvent {
    Kline(KlineUpdate),
    Trade(AggTrade),
    Ticker(BookTicker),
    Book(BookView),
    Health(FeedStatus),
}

impl MarketEvent {
    /// The symbol the event is about (`None` for health changes, which concern the connection).
    pub fn symbol(&self) -> Option<&Symbol> {
        match self {
            Self::Kline(k) => Some(&k.symbol),
            Self::Trade(t) => Some(&t.symbol),
            Self::Ticker(t) => Some(&t.symbol),
            Self::Book(b) => Some(&b.symbol),
            Self::Health(_) => None,
        }
    }
}

/// `<s>@kline_<i>`: the bar so far (`closed == false`, sent about every 2 s) or its final state.
#[derive(Debug, Clone, PartialEq)]
pub struct KlineUpdate {
    pub symbol: Symbol,
    pub interval: Interval,
    pub candle: Candle,
    /// Binance's `x`: this is the bar's final state.
    pub closed: bool,
    /// `T`: open time + interval − 1 ms.
    pub close_time: i64,
    /// `E`, ms.
    pub event_time: i64,
}

/// `<s>@aggTrade`: trades of one taker order at one price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggTrade {
    pub symbol: Symbol,
    /// `a`, increasing per symbol.
    pub id: u64,
    pub price: Decimal,
    pub qty: Decimal,
    pub first_trade_id: u64,
    pub last_trade_id: u64,
    /// `T`, ms.
    pub trade_time: i64,
    /// `E`, ms.
    pub event_time: i64,
    /// `m`: the buyer was the resting (maker) order.
    pub buyer_is_maker: bool,
}

impl AggTrade {
    /// The side that took liquidity: a maker buyer means the seller crossed the spread.
    pub fn aggressor(&self) -> Side {
        if self.buyer_is_maker {
            Side::Sell
        } else {
            Side::Buy
        }
    }
}

/// `<s>@bookTicker`: best bid and ask. Binance sends no event time with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookTicker {
    pub symbol: Symbol,
    /// `u`, the order-book update id it reflects.
    pub update_id: u64,
    pub bid: Decimal,
    pub bid_qty: Decimal,
    pub ask: Decimal,
    pub ask_qty: Decimal,
}

/// The local order book of one symbol as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookView {
    pub symbol: Symbol,
    /// Best levels and the sequence number (last applied `u`); `None` while (re)synchronising.
    pub top: Option<BookTop>,
    /// Shape of the live book (an empty side is real on an illiquid market); `None` with no book.
    pub health: Option<BookHealth>,
    /// Gaps, resyncs, snapshots and the rest, as counted by the book's synchroniser.
    pub counters: SyncCounters,
    /// `/api/v3/depth` requests that failed (retried with backoff).
    pub snapshot_failures: u64,
}

impl BookView {
    pub fn is_synced(&self) -> bool {
        self.top.is_some()
    }

    /// Sequence number of the live book.
    pub fn seq(&self) -> Option<u64> {
        self.top.as_ref().map(|t| t.seq)
    }
}
