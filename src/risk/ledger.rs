//! Realised results per (origin, instrument), from fills alone: the open quantity and its average
//! cost (fees included), and each round trip as it closes, with its PnL and whether a protective
//! stop closed it. Loss limits, cooldowns, symbol locks and Kelly sizing read it. Deterministic:
//! a function of the fills in order.

use crate::core::{Fill, Origin, Side};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A round trip that just closed (the position in that instrument went back to zero).
#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    pub origin: Origin,
    pub instrument: usize,
    /// Quote asset, fees of both legs included.
    pub pnl: Decimal,
    pub at: i64,
    /// The last fill was a stop-loss order's.
    pub by_stop: bool,
}

/// Wins and losses of one origin's round trips.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Record {
    pub wins: u32,
    pub losses: u32,
    pub won: Decimal,
    pub lost: Decimal,
    /// Losses in a row, per the latest round trips (reset by a win).
    pub streak: u32,
}

#[derive(Debug, Clone, Copy, Default)]
struct Open {
    qty: Decimal,
    /// Quote paid for `qty`, fees included.
    cost: Decimal,
    /// Quote received from partial sells so far in this round trip, fees deducted.
    proceeds: Decimal,
    /// Cost of the quantity sold so far.
    sold_cost: Decimal,
}

#[derive(Debug, Default)]
pub struct Ledger {
    open: HashMap<(Origin, usize), Open>,
    records: HashMap<Origin, Record>,
}

impl Ledger {
    /// Books a fill; returns the round trip it closed, if any.
    pub fn on_fill(&mut self, fill: &Fill, by_stop: bool) -> Option<Closed> {
        let o = self.open.entry((fill.origin, fill.instrument)).or_default();
        match fill.side {
            Side::Buy => {
                o.qty += fill.qty;
                o.cost += fill.quote + fill.fee;
                None
            }
            Side::Sell => {
                if o.qty <= Decimal::ZERO {
                    return None; // selling what another origin bought: not this origin's trip
                }
                let sold = fill.qty.min(o.qty);
                let cost = o.cost * sold / o.qty;
                o.qty -= sold;
                o.cost -= cost;
                o.sold_cost += cost;
                o.proceeds += fill.quote - fill.fee;
                if !o.qty.is_zero() {
                    return None;
                }
                let pnl = o.proceeds - o.sold_cost;
                *o = Open::default();
                let closed = Closed {
                    origin: fill.origin,
                    instrument: fill.instrument,
                    pnl,
                    at: fill.time,
                    by_stop,
                };
                self.record(&closed);
                Some(closed)
            }
        }
    }

    fn record(&mut self, c: &Closed) {
        let r = self.records.entry(c.origin).or_default();
        if c.pnl > Decimal::ZERO {
            r.wins += 1;
            r.won += c.pnl;
            r.streak = 0;
        } else {
            r.losses += 1;
            r.lost += -c.pnl;
            r.streak += 1;
        }
    }

    pub fn record_of(&self, origin: Origin) -> Record {
        self.records.get(&origin).copied().unwrap_or_default()
    }

    /// Quantity an origin holds in an instrument by its own fills.
    pub fn held(&self, origin: Origin, instrument: usize) -> Decimal {
        self.open
            .get(&(origin, instrument))
            .map_or(Decimal::ZERO, |o| o.qty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Liquidity;
    use std::str::FromStr;

    fn fill(side: Side, qty: &str, price: &str, fee: &str, time: i64) -> Fill {
        let (q, p) = (
            Decimal::from_str(qty).unwrap(),
            Decimal::from_str(price).unwrap(),
        );
        Fill {
            order: 1,
            instrument: 0,
            side,
            qty: q,
            price: p,
            quote: q * p,
            fee: Decimal::from_str(fee).unwrap(),
            liquidity: Liquidity::Taker,
            time,
            origin: Origin::Strategy(0),
        }
    }

    #[test]
    fn round_trips_close_with_fees_in_their_pnl_and_count_streaks() {
        let mut l = Ledger::default();
        assert_eq!(
            l.on_fill(&fill(Side::Buy, "1", "100", "0.1", 1), false),
            None
        );
        assert_eq!(
            l.on_fill(&fill(Side::Buy, "1", "110", "0.11", 2), false),
            None
        );
        assert_eq!(
            l.on_fill(&fill(Side::Sell, "0.5", "120", "0.06", 3), false),
            None
        );
        let c = l
            .on_fill(&fill(Side::Sell, "1.5", "90", "0.135", 4), true)
            .unwrap();
        // Paid 210.21; received 59.94 + 134.865 = 194.805.
        assert_eq!(c.pnl, Decimal::from_str("-15.405").unwrap());
        assert!(c.by_stop);
        let r = l.record_of(Origin::Strategy(0));
        assert_eq!((r.wins, r.losses, r.streak), (0, 1, 1));
        l.on_fill(&fill(Side::Buy, "1", "100", "0", 5), false);
        let win = l
            .on_fill(&fill(Side::Sell, "1", "101", "0", 6), false)
            .unwrap();
        assert_eq!(win.pnl, Decimal::ONE);
        let r = l.record_of(Origin::Strategy(0));
        assert_eq!((r.wins, r.losses, r.streak, r.won), (1, 1, 0, Decimal::ONE));
        assert_eq!(l.held(Origin::Strategy(0), 0), Decimal::ZERO);
    }
}
