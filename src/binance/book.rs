//! The local order book of one symbol and the documented procedure that keeps it equal to
//! Binance's (spec §8 "Local order book procedure (spot)"). Pure and synchronous: the stream layer
//! feeds wire-independent [`DepthDiff`]s and REST [`DepthSnapshot`]s into a [`BookSync`] and does
//! what its [`SyncAction`] says (fetch a snapshot, publish the book, nothing).
//!
//! Invariant: whenever [`BookSync::book`] returns a book, that book equals the exchange's book as
//! of its sequence number (the last applied `u`) for every level the snapshot and the diffs since
//! covered; a missed update is detected and the book withdrawn, never served silently wrong.
//! Prices are exact integer keys at a fixed decimal scale per symbol; quantities are `Decimal`s as
//! received. No floating point anywhere.

mod ladder;
mod order_book;
mod price;
mod sync;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod sync_tests;

pub use order_book::{BookHealth, OrderBook};
pub use price::{MAX_PRICE_SCALE, PriceScale};
pub use sync::{BookSync, ResyncReason, SyncAction, SyncConfig, SyncCounters};

use rust_decimal::Decimal;

/// One `depthUpdate` event: every level that changed in updates `first_id..=final_id`, with its
/// quantity as of `final_id` (zero: the level is gone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepthDiff {
    /// `U`
    pub first_id: u64,
    /// `u`
    pub final_id: u64,
    /// `E`, milliseconds (or µs if the stream was opened with `timeUnit=MICROSECOND`).
    pub event_time: i64,
    pub bids: Vec<(Decimal, Decimal)>,
    pub asks: Vec<(Decimal, Decimal)>,
}

impl DepthDiff {
    /// A diff with no levels yet; add them with [`DepthDiff::bid`] and [`DepthDiff::ask`].
    pub fn new(first_id: u64, final_id: u64) -> Self {
        Self {
            first_id,
            final_id,
            ..Self::default()
        }
    }

    pub fn bid(mut self, price: Decimal, qty: Decimal) -> Self {
        self.bids.push((price, qty));
        self
    }

    pub fn ask(mut self, price: Decimal, qty: Decimal) -> Self {
        self.asks.push((price, qty));
        self
    }

    /// Levels it changes, both sides.
    pub fn len(&self) -> usize {
        self.bids.len() + self.asks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bids.is_empty() && self.asks.is_empty()
    }
}

/// The REST `/api/v3/depth` answer: the book as of `last_update_id` (at most 5000 levels a side;
/// deeper levels stay unknown until a diff touches them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepthSnapshot {
    pub last_update_id: u64,
    pub bids: Vec<(Decimal, Decimal)>,
    pub asks: Vec<(Decimal, Decimal)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookSide {
    Bid,
    Ask,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub price: Decimal,
    pub qty: Decimal,
}

/// The best `n` levels of each side, best first, as of update `seq`: a small owned value for the
/// UI and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookTop {
    pub seq: u64,
    /// Event time of the last applied diff; `None` straight after a snapshot.
    pub event_time: Option<i64>,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

impl BookTop {
    pub fn best_bid(&self) -> Option<Level> {
        self.bids.first().copied()
    }

    pub fn best_ask(&self) -> Option<Level> {
        self.asks.first().copied()
    }
}

/// A level the book cannot hold exactly. Data errors, so permanent for that message: the sync
/// discards the book (it may be half-updated) and asks for a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("price {price} does not fit the book's {scale}-decimal price scale")]
    Price { price: Decimal, scale: u32 },
    #[error("negative quantity {qty} at price {price}")]
    NegativeQty { price: Decimal, qty: Decimal },
}
