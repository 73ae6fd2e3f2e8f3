//! The fake's order book for one symbol: per price level, the quantity other participants show
//! (set by the test script, consumed when the account's orders take it) plus the account's own
//! resting orders. Every batch of changes is committed as one depth diff whose `U..u` covers one
//! update id per changed level, exactly what `<s>@depth` streams carry. Invariant: the displayed
//! book (external + own) at `update_id` equals the previous snapshot with every committed diff
//! applied in order; a level whose displayed quantity is zero does not exist.

use super::order::Side;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Level {
    ext: Decimal,
    own: Decimal,
}

impl Level {
    fn shown(self) -> Decimal {
        self.ext + self.own
    }
}

/// One committed change set: update ids `first..=last`, levels with their new quantities (0 =
/// removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub first: u64,
    pub last: u64,
    pub bids: Vec<(Decimal, Decimal)>,
    pub asks: Vec<(Decimal, Decimal)>,
}

type Top = (Option<(Decimal, Decimal)>, Option<(Decimal, Decimal)>);

#[derive(Debug, Clone)]
pub struct Book {
    bids: BTreeMap<Decimal, Level>,
    asks: BTreeMap<Decimal, Level>,
    pub update_id: u64,
    touched: Vec<(Side, Decimal)>,
    last_top: Top,
}

impl Book {
    pub fn new(update_id: u64) -> Self {
        Self {
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
            update_id,
            touched: Vec::new(),
            last_top: (None, None),
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<Decimal, Level> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    fn side(&self, side: Side) -> &BTreeMap<Decimal, Level> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn change(&mut self, side: Side, price: Decimal, f: impl FnOnce(&mut Level)) {
        let levels = self.side_mut(side);
        let level = levels.entry(price).or_default();
        let before = level.shown();
        f(level);
        let after = level.shown();
        if after <= Decimal::ZERO && level.own <= Decimal::ZERO {
            levels.remove(&price);
        }
        if before != after {
            self.touched.push((side, price));
        }
    }

    /// Other participants now show `qty` at this level (0 removes their part).
    pub fn set_ext(&mut self, side: Side, price: Decimal, qty: Decimal) {
        self.change(side, price, |l| l.ext = qty.max(Decimal::ZERO));
    }

    /// The account's order took `qty` of other participants' liquidity here.
    pub fn take_ext(&mut self, side: Side, price: Decimal, qty: Decimal) {
        self.change(side, price, |l| l.ext = (l.ext - qty).max(Decimal::ZERO));
    }

    /// The account's resting quantity here changes by `delta`.
    pub fn add_own(&mut self, side: Side, price: Decimal, delta: Decimal) {
        self.change(side, price, |l| l.own = (l.own + delta).max(Decimal::ZERO));
    }

    /// Other participants' liquidity on `side`, best first.
    pub fn ext_levels(&self, side: Side) -> Vec<(Decimal, Decimal)> {
        self.ordered(side)
            .filter(|(_, l)| l.ext > Decimal::ZERO)
            .map(|(p, l)| (p, l.ext))
            .collect()
    }

    /// The displayed book on `side`, best first, at most `limit` levels.
    pub fn levels(&self, side: Side, limit: usize) -> Vec<(Decimal, Decimal)> {
        self.ordered(side)
            .filter(|(_, l)| l.shown() > Decimal::ZERO)
            .take(limit)
            .map(|(p, l)| (p, l.shown()))
            .collect()
    }

    fn ordered(&self, side: Side) -> Box<dyn Iterator<Item = (Decimal, Level)> + '_> {
        let levels = self.side(side).iter().map(|(p, l)| (*p, *l));
        match side {
            Side::Buy => Box::new(levels.rev()),
            Side::Sell => Box::new(levels),
        }
    }

    pub fn best(&self, side: Side) -> Option<(Decimal, Decimal)> {
        self.levels(side, 1).first().copied()
    }

    /// Closes the current change set: `None` when no displayed quantity changed.
    pub fn commit(&mut self) -> Option<Diff> {
        let mut touched = std::mem::take(&mut self.touched);
        let mut seen = std::collections::BTreeSet::new();
        touched.retain(|t| seen.insert(*t));
        if touched.is_empty() {
            return None;
        }
        let first = self.update_id + 1;
        self.update_id += touched.len() as u64;
        let qty =
            |side: Side, p: Decimal| self.side(side).get(&p).map_or(Decimal::ZERO, |l| l.shown());
        let pick = |want: Side| -> Vec<(Decimal, Decimal)> {
            touched
                .iter()
                .filter(|(s, _)| *s == want)
                .map(|(s, p)| (*p, qty(*s, *p)))
                .collect()
        };
        Some(Diff {
            first,
            last: self.update_id,
            bids: pick(Side::Buy),
            asks: pick(Side::Sell),
        })
    }

    /// Whether the best bid or ask (price or quantity) moved since the last call.
    pub fn top_changed(&mut self) -> bool {
        let top = (self.best(Side::Buy), self.best(Side::Sell));
        let changed = top != self.last_top;
        self.last_top = top;
        changed
    }
}
