//! The book itself: two ladders of exact price keys, the sequence number of the last update it
//! holds, and read access for the UI (best levels, spread, top N, health). It applies whatever it
//! is given; keeping the updates in sequence is `BookSync`'s job. Invariant: each side holds only
//! non-zero quantities at distinct prices, so `top(n)` is strictly ordered best first.

use super::ladder::Ladder;
use super::price::PriceScale;
use super::{BookError, BookSide, BookTop, DepthDiff, DepthSnapshot, Level};
use rust_decimal::Decimal;

#[derive(Debug, Clone, Default)]
pub struct OrderBook {
    scale: PriceScale,
    /// Keys are price keys.
    bids: Ladder,
    /// Keys are bitwise-inverted price keys, so the lowest ask sorts last (the best end).
    asks: Ladder,
    seq: u64,
    event_time: Option<i64>,
    scratch: Vec<(u64, Decimal)>,
}

/// What a reader should think of the book's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookHealth {
    Healthy,
    /// Best bid at or above best ask: impossible on the exchange, so the copy is wrong.
    Crossed,
    /// This side has no levels; prices are one-sided and a spread cannot be quoted.
    EmptySide(BookSide),
    Empty,
}

impl OrderBook {
    pub fn new(scale: PriceScale) -> Self {
        Self {
            scale,
            ..Self::default()
        }
    }

    pub fn scale(&self) -> PriceScale {
        self.scale
    }

    /// The id of the last update the book holds: the snapshot's `lastUpdateId`, then each
    /// applied diff's `u`.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn event_time(&self) -> Option<i64> {
        self.event_time
    }

    pub fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
        self.seq = 0;
        self.event_time = None;
    }

    /// Makes the snapshot the book. On error the book is left empty.
    pub fn load_snapshot(&mut self, snapshot: &DepthSnapshot) -> Result<(), BookError> {
        self.clear();
        let loaded = self
            .load_side(BookSide::Bid, &snapshot.bids)
            .and_then(|()| self.load_side(BookSide::Ask, &snapshot.asks));
        if loaded.is_err() {
            self.clear();
        }
        self.seq = snapshot.last_update_id;
        loaded
    }

    /// Sets every level of `diff` and takes its `u` and event time. On error the book is
    /// partly updated and must be discarded.
    pub fn apply(&mut self, diff: &DepthDiff) -> Result<(), BookError> {
        for &(price, qty) in &diff.bids {
            self.set_level(BookSide::Bid, price, qty)?;
        }
        for &(price, qty) in &diff.asks {
            self.set_level(BookSide::Ask, price, qty)?;
        }
        self.seq = diff.final_id;
        self.event_time = Some(diff.event_time);
        Ok(())
    }

    /// Sets one level; a zero quantity removes it.
    #[inline]
    pub fn set_level(
        &mut self,
        side: BookSide,
        price: Decimal,
        qty: Decimal,
    ) -> Result<(), BookError> {
        let key = self.side_key(side, price, qty)?;
        match side {
            BookSide::Bid => self.bids.set(key, qty),
            BookSide::Ask => self.asks.set(key, qty),
        }
        Ok(())
    }

    pub fn best_bid(&self) -> Option<Level> {
        self.bids
            .best()
            .map(|(k, qty)| self.level(BookSide::Bid, k, qty))
    }

    pub fn best_ask(&self) -> Option<Level> {
        self.asks
            .best()
            .map(|(k, qty)| self.level(BookSide::Ask, k, qty))
    }

    /// Best ask minus best bid; `None` unless both sides have levels.
    pub fn spread(&self) -> Option<Decimal> {
        Some(self.best_ask()?.price - self.best_bid()?.price)
    }

    /// Best bid at or above best ask (a locked book counts: Binance would have matched it).
    pub fn is_crossed(&self) -> bool {
        match (self.bids.best(), self.asks.best()) {
            (Some((bid, _)), Some((ask, _))) => bid >= !ask,
            _ => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bids.len() == 0 && self.asks.len() == 0
    }

    pub fn health(&self) -> BookHealth {
        match (self.bids.len(), self.asks.len()) {
            (0, 0) => BookHealth::Empty,
            (0, _) => BookHealth::EmptySide(BookSide::Bid),
            (_, 0) => BookHealth::EmptySide(BookSide::Ask),
            _ if self.is_crossed() => BookHealth::Crossed,
            _ => BookHealth::Healthy,
        }
    }

    /// Number of levels on a side.
    pub fn depth(&self, side: BookSide) -> usize {
        match side {
            BookSide::Bid => self.bids.len(),
            BookSide::Ask => self.asks.len(),
        }
    }

    /// All levels of a side, best first.
    pub fn levels(&self, side: BookSide) -> impl Iterator<Item = Level> + '_ {
        let ladder = match side {
            BookSide::Bid => &self.bids,
            BookSide::Ask => &self.asks,
        };
        ladder.iter().map(move |(k, qty)| self.level(side, k, qty))
    }

    pub fn top(&self, n: usize) -> BookTop {
        let mut top = BookTop::default();
        self.top_into(n, &mut top);
        top
    }

    /// [`OrderBook::top`] into an existing value, reusing its vectors.
    pub fn top_into(&self, n: usize, top: &mut BookTop) {
        top.seq = self.seq;
        top.event_time = self.event_time;
        top.bids.clear();
        top.bids.extend(self.levels(BookSide::Bid).take(n));
        top.asks.clear();
        top.asks.extend(self.levels(BookSide::Ask).take(n));
    }

    fn load_side(
        &mut self,
        side: BookSide,
        levels: &[(Decimal, Decimal)],
    ) -> Result<(), BookError> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for &(price, qty) in levels {
            match self.side_key(side, price, qty) {
                Ok(key) => scratch.push((key, qty)),
                Err(e) => {
                    self.scratch = scratch;
                    return Err(e);
                }
            }
        }
        match side {
            BookSide::Bid => self.bids.load(&mut scratch),
            BookSide::Ask => self.asks.load(&mut scratch),
        }
        self.scratch = scratch;
        Ok(())
    }

    /// The ladder key of a level, after checking it can be held exactly.
    #[inline]
    fn side_key(&self, side: BookSide, price: Decimal, qty: Decimal) -> Result<u64, BookError> {
        if qty.is_sign_negative() && !qty.is_zero() {
            return Err(BookError::NegativeQty { price, qty });
        }
        let key = self.scale.key(price)?;
        Ok(match side {
            BookSide::Bid => key,
            BookSide::Ask => !key,
        })
    }

    fn level(&self, side: BookSide, key: u64, qty: Decimal) -> Level {
        let key = match side {
            BookSide::Bid => key,
            BookSide::Ask => !key,
        };
        Level {
            price: self.scale.price(key),
            qty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn book() -> OrderBook {
        let mut b = OrderBook::new(PriceScale::BINANCE);
        let snapshot = DepthSnapshot {
            last_update_id: 42,
            // Binance order (best first), one bid with fewer decimals, a zero level to skip.
            bids: vec![
                (d("100.50000000"), d("1")),
                (d("100.4"), d("2")),
                (d("99"), d("0")),
            ],
            asks: vec![(d("100.60000000"), d("3")), (d("101"), d("0.5"))],
        };
        b.load_snapshot(&snapshot).unwrap();
        b
    }

    #[test]
    fn a_snapshot_becomes_two_sorted_sides() {
        let b = book();
        let bids: Vec<_> = b.levels(BookSide::Bid).map(|l| (l.price, l.qty)).collect();
        assert_eq!(bids, [(d("100.5"), d("1")), (d("100.4"), d("2"))]);
        assert_eq!(
            b.best_ask(),
            Some(Level {
                price: d("100.6"),
                qty: d("3")
            })
        );
        assert_eq!((b.seq(), b.event_time()), (42, None));
        assert_eq!(b.spread(), Some(d("0.1")));
        assert_eq!(b.health(), BookHealth::Healthy);
    }

    #[test]
    fn diffs_set_insert_and_remove_levels() {
        let mut b = book();
        let diff = DepthDiff {
            event_time: 7,
            ..DepthDiff::new(43, 45)
                .bid(d("100.4"), d("5")) // change
                .bid(d("100.55"), d("1")) // new best
                .bid(d("100.5"), d("0")) // removal
                .bid(d("50"), d("0")) // removal of an unknown level: nothing
                .ask(d("100.6"), d("0"))
        };
        b.apply(&diff).unwrap();
        let top = b.top(5);
        let bids: Vec<_> = top.bids.iter().map(|l| (l.price, l.qty)).collect();
        assert_eq!(bids, [(d("100.55"), d("1")), (d("100.4"), d("5"))]);
        assert_eq!(
            top.best_ask(),
            Some(Level {
                price: d("101"),
                qty: d("0.5")
            })
        );
        assert_eq!((top.seq, top.event_time), (45, Some(7)));
        assert_eq!(b.top(1).bids.len(), 1);
    }

    #[test]
    fn crossed_locked_and_empty_books_are_told_apart() {
        let mut b = book();
        b.set_level(BookSide::Bid, d("100.6"), d("1")).unwrap();
        assert!(b.is_crossed(), "a locked book counts as crossed");
        assert_eq!(b.health(), BookHealth::Crossed);
        b.set_level(BookSide::Bid, d("100.6"), d("0")).unwrap();
        assert!(!b.is_crossed());
        for price in ["100.6", "101"] {
            b.set_level(BookSide::Ask, d(price), d("0")).unwrap();
        }
        assert_eq!(b.health(), BookHealth::EmptySide(BookSide::Ask));
        assert_eq!((b.spread(), b.is_crossed()), (None, false));
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.health(), BookHealth::Empty);
    }

    #[test]
    fn unholdable_levels_are_refused() {
        let mut b = book();
        let err = b.set_level(BookSide::Ask, d("1.123456789"), d("1"));
        assert!(matches!(err, Err(BookError::Price { scale: 8, .. })));
        let err = b.set_level(BookSide::Bid, d("1"), d("-0.1"));
        assert!(matches!(err, Err(BookError::NegativeQty { .. })));
        let bad = DepthSnapshot {
            last_update_id: 1,
            bids: vec![(d("1"), d("1"))],
            asks: vec![(d("-2"), d("1"))],
        };
        assert!(b.load_snapshot(&bad).is_err());
        assert!(b.is_empty(), "a refused snapshot leaves no half book");
    }
}
