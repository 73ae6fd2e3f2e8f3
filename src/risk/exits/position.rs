//! One strategy's position in one instrument as the exits see it: how much the strategy holds
//! by its own fills, its average entry, the best price since, where its stop and target sit, and
//! what rests on the exchange for it.
//!
//! Invariant: levels are on the tick grid (sell side: rounded up) and positive; a trailing stop
//! only ever rises; a fixed distance is measured once (at the entry fill, or at the first bar
//! where the ATR allows it) and then stays.

use super::Atrs;
use crate::core::{OrderId, Side};
use crate::exchange::SymbolRules;
use crate::risk::StrategyRisk;
use rust_decimal::Decimal;

/// Exit orders sent for a position: one one-cancels-other group.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub group: u64,
    /// Approved orders of the group still open.
    pub legs: Vec<OrderId>,
    /// Orders sent in the group, and how many of them the risk layer has approved so far.
    pub sent: usize,
    pub approved: usize,
    pub qty: Decimal,
    pub stop: Option<Decimal>,
    pub target: Option<Decimal>,
}

impl Placed {
    pub fn covers(&self, qty: Decimal, stop: Option<Decimal>, target: Option<Decimal>) -> bool {
        (self.qty, self.stop, self.target) == (qty, stop, target)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Exits rest (or are on their way) at the position's levels.
    Armed,
    /// A sell of the strategy or of a person took them off; armed again once no such sell is open.
    Suspended,
    /// Cancelled by someone else, expired or refused: left alone until the next entry fill.
    Off,
}

#[derive(Debug, Clone)]
pub struct Position {
    pub strategy: usize,
    pub instrument: usize,
    /// Base bought by the strategy's entries less what its sells sold, never above the holding.
    pub qty: Decimal,
    /// Average price of the entries.
    pub entry: Decimal,
    /// Time of the first entry fill: bars opening from then on count for `best`.
    pub since: i64,
    pub best: Decimal,
    pub stop: Option<Decimal>,
    pub target: Option<Decimal>,
    pub state: State,
    pub placed: Option<Placed>,
}

impl Position {
    pub fn new(strategy: usize, instrument: usize, since: i64, price: Decimal) -> Self {
        Self {
            strategy,
            instrument,
            qty: Decimal::ZERO,
            entry: price,
            since,
            best: price,
            stop: None,
            target: None,
            state: State::Armed,
            placed: None,
        }
    }

    /// An entry fill: the average entry moves, the levels are measured again from it.
    pub fn add(&mut self, qty: Decimal, price: Decimal) {
        let total = self.qty + qty;
        if total > Decimal::ZERO {
            self.entry = (self.entry * self.qty + price * qty) / total;
        }
        self.qty = total;
        self.best = self.best.max(price);
        (self.stop, self.target) = (None, None);
        if self.state == State::Off {
            self.state = State::Armed;
        }
    }

    /// Measures the levels not yet known (a fresh entry, or an ATR that just warmed up). The
    /// first stop is the stop distance below the entry (the trailing distance if no stop is
    /// set), raised to the trailing distance below the best price.
    pub fn fill_in(&mut self, s: &StrategyRisk, atr: &Atrs, rules: &SymbolRules) {
        let sell =
            |x: Decimal| Some(rules.round_price(x, Side::Sell)).filter(|p| *p > Decimal::ZERO);
        if self.stop.is_none() {
            let from_entry = s.stop.or(s.trailing).and_then(|d| {
                let gap = atr.distance(d, self.entry, self.instrument)?;
                sell(self.entry - gap)
            });
            self.stop =
                from_entry.map(|stop| stop.max(self.trailed(s, atr, rules).unwrap_or(stop)));
        }
        if self.target.is_none() {
            self.target = s.take_profit.and_then(|d| {
                let gap = atr.distance(d, self.entry, self.instrument)?;
                sell(self.entry + gap)
            });
        }
    }

    /// Raises the stop to the trailing distance below the best price, when that is higher.
    pub fn trail(&mut self, s: &StrategyRisk, atr: &Atrs, rules: &SymbolRules) {
        if let (Some(stop), Some(moved)) = (self.stop, self.trailed(s, atr, rules)) {
            self.stop = Some(stop.max(moved));
        }
    }

    fn trailed(&self, s: &StrategyRisk, atr: &Atrs, rules: &SymbolRules) -> Option<Decimal> {
        let gap = atr.distance(s.trailing?, self.best, self.instrument)?;
        Some(rules.round_price(self.best - gap, Side::Sell)).filter(|p| *p > Decimal::ZERO)
    }
}
