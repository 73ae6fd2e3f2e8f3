//! Exits: the stop-loss, take-profit and trailing stop of each strategy position, as exchange
//! orders. After an entry fill of a strategy whose risk settings name a `stop`, `take_profit` or
//! `trailing` distance (percent or ATR multiple, measured from the average entry), the position
//! gets a `StopLoss` sell and a `Limit` sell at the target for its whole quantity, in one
//! one-cancels-other group: whichever fills cancels the other, on the simulated exchange as in a
//! Binance OCO list, so the position stays protected while tickdesk is away. Further entry fills
//! (partial fills included) replace the group for the new quantity. On each closed bar a trailing
//! stop follows the best price since the entry (the bar's high) up by whole ticks, by cancelling
//! and replacing the group. Before a sell of the strategy or of a person in that instrument, the
//! exits are cancelled (they lock the base asset) and are placed again for what is left once that
//! sell is no longer open. Exits someone else cancelled, or that expired or were refused, stay off
//! until the next entry. The OCO groups risk numbers are `GROUP_BASE` and above.
//!
//!
//! After a restart (`resume`), the positions are rebuilt from the session's fills, the groups
//! still resting on the exchange are taken over with their levels (a trailing stop keeps how far
//! it rose), and whatever should rest but does not (cancelled while tickdesk was away) is placed
//! again.
//!
//! Invariants: exits never offer more than the position nor more than the account holds free; a
//! trailing stop never moves down (an added entry measures the levels again from the new average
//! entry); every exit order goes through `Risk::approve`.

mod arm;
mod atr;
mod position;

pub use atr::{ATR_PERIOD, Atrs};

use super::{Closed, Distance, RiskAction, RiskConfig, StrategyRisk, View};
use crate::core::{Fill, Order, OrderId, OrderKind, OrderRequest, Origin, Side, to_decimal};
use crate::market::Candle;
use arm::{Groups, Pass};
use position::{Placed, Position, State};

/// Risk's own one-cancels-other groups are numbered from here up; strategies keep below it.
pub const GROUP_BASE: u64 = 1 << 62;

fn is_exit(group: Option<u64>) -> bool {
    group.is_some_and(|g| g >= GROUP_BASE)
}

fn has_exits(s: &StrategyRisk) -> bool {
    s.stop.is_some() || s.take_profit.is_some() || s.trailing.is_some()
}

/// Whether a sell from `origin` takes a strategy's exits off: its own, or a person's.
fn sells_for(origin: Origin, strategy: usize) -> bool {
    origin == Origin::Manual || origin == Origin::Strategy(strategy)
}

/// Whether a sell that keeps the position's exits off is open (its strategy's or a person's).
fn selling(open: &[Order], p: &Position) -> bool {
    open.iter().any(|o| {
        let r = &o.request;
        r.instrument == p.instrument
            && r.side == Side::Sell
            && !is_exit(r.oco)
            && sells_for(r.origin, p.strategy)
    })
}

#[derive(Debug, Default)]
pub struct Exits {
    active: bool,
    uses_atr: bool,
    atr: Atrs,
    positions: Vec<Position>,
    groups: Groups,
    /// Approved orders of superseded groups, cancelled at the next chance.
    stale: Vec<OrderId>,
}

impl Exits {
    pub fn new(config: &RiskConfig) -> Self {
        let atr = |s: &StrategyRisk| {
            [s.stop, s.take_profit, s.trailing]
                .iter()
                .any(|d| matches!(d, Some(Distance::Atr(_))))
        };
        Self {
            active: config.strategies.iter().any(has_exits),
            uses_atr: config.strategies.iter().any(atr),
            ..Self::default()
        }
    }

    /// Whether any exit is configured (the engine skips the per-bar hook otherwise).
    pub fn active(&self) -> bool {
        self.active
    }

    pub fn atr(&self) -> &Atrs {
        &self.atr
    }

    /// Carries on after a restart: `fills` (the session's, in order) rebuild the positions, the
    /// exits open on the exchange are taken over, a trailing stop's best price counts the
    /// `history` candles (by instrument) since the entry, and every instrument is settled, so
    /// exits that should rest but do not are placed again, in groups numbered above
    /// `last_group` (the highest the session used).
    pub fn resume(
        &mut self,
        fills: &[Fill],
        history: &[Vec<Candle>],
        last_group: u64,
        config: &RiskConfig,
        view: &View<'_>,
        out: &mut Vec<RiskAction>,
    ) {
        if !self.active {
            return;
        }
        self.groups.taken(last_group);
        for fill in fills {
            if let Origin::Strategy(s) = fill.origin {
                match fill.side {
                    Side::Buy if config.strategy(s).is_some_and(has_exits) => self.entered(s, fill),
                    Side::Buy => {}
                    Side::Sell => self.sold(s, fill),
                }
            }
        }
        for o in view.exchange.open_orders() {
            self.take_over(o);
        }
        for p in &mut self.positions {
            if let Some(placed) = &p.placed {
                (p.stop, p.target) = (placed.stop, placed.target);
            }
            let since = history.get(p.instrument).into_iter().flatten();
            for c in since.filter(|c| c.open_time >= p.since) {
                p.best = p.best.max(to_decimal(c.high));
            }
        }
        self.cancel_stale(out);
        let mut instruments: Vec<usize> = self.positions.iter().map(|p| p.instrument).collect();
        instruments.sort_unstable();
        instruments.dedup();
        for i in instruments {
            self.settle(i, config, view, out);
        }
    }

    /// An exit order found open after a restart joins its position's group.
    fn take_over(&mut self, o: &Order) {
        let (Some(group), Origin::Strategy(s)) = (o.request.oco, o.request.origin) else {
            return;
        };
        if !is_exit(Some(group)) {
            return;
        }
        self.groups.taken(group);
        let same = |p: &&mut Position| p.strategy == s && p.instrument == o.request.instrument;
        let Some(p) = self.positions.iter_mut().find(same) else {
            tracing::warn!(
                "exit order {} rests on the exchange for no position of strategy {s}; left alone",
                o.id
            );
            return;
        };
        let left = match o.request.qty {
            crate::core::Qty::Base(q) => q - o.filled,
            crate::core::Qty::Quote(_) => return,
        };
        let placed = p.placed.get_or_insert_with(|| Placed {
            group,
            legs: Vec::new(),
            sent: 0,
            approved: 0,
            qty: left,
            stop: None,
            target: None,
        });
        if placed.group != group {
            // A second group for one position: the first found stays, this one goes.
            self.stale.push(o.id);
            return;
        }
        placed.legs.push(o.id);
        placed.sent += 1;
        placed.approved += 1;
        match o.request.kind {
            OrderKind::StopLoss { stop } => placed.stop = Some(stop),
            OrderKind::Limit { price } => placed.target = Some(price),
            _ => {}
        }
        if p.state == State::Off {
            p.state = State::Armed;
        }
    }

    /// Order `id` passed the risk layer: an exit learns its id.
    pub fn on_approved(&mut self, id: OrderId, r: &OrderRequest) {
        let Some(group) = r.oco.filter(|g| *g >= GROUP_BASE) else {
            return;
        };
        let mut placed = self.positions.iter_mut().filter_map(|p| p.placed.as_mut());
        if let Some(p) = placed.find(|p| p.group == group) {
            p.legs.push(id);
            p.approved += 1;
        } else if self.groups.superseded.contains(&group) {
            self.stale.push(id);
        }
    }

    /// Orders to cancel before `r` is placed (a position's exits hold its base asset locked).
    pub fn before_place(&mut self, r: &OrderRequest) -> Vec<OrderId> {
        let mut ids = std::mem::take(&mut self.stale);
        if r.side != Side::Sell || is_exit(r.oco) {
            return ids;
        }
        let Self {
            positions, groups, ..
        } = self;
        for p in positions.iter_mut() {
            if p.instrument != r.instrument || !sells_for(r.origin, p.strategy) {
                continue;
            }
            if let Some(placed) = p.placed.take() {
                groups.retire(placed, &mut ids);
            }
            if p.state == State::Armed {
                p.state = State::Suspended;
            }
        }
        ids
    }

    pub fn on_fill(
        &mut self,
        fill: &Fill,
        _closed: Option<&Closed>,
        config: &RiskConfig,
        view: &View<'_>,
        out: &mut Vec<RiskAction>,
    ) {
        if let Origin::Strategy(s) = fill.origin {
            match fill.side {
                Side::Buy if config.strategy(s).is_some_and(has_exits) => self.entered(s, fill),
                Side::Buy => {}
                Side::Sell => self.sold(s, fill),
            }
        }
        self.cancel_stale(out);
        self.settle(fill.instrument, config, view, out);
    }

    fn entered(&mut self, strategy: usize, fill: &Fill) {
        let same = |p: &&mut Position| p.strategy == strategy && p.instrument == fill.instrument;
        if let Some(p) = self.positions.iter_mut().find(same) {
            return p.add(fill.qty, fill.price);
        }
        let mut p = Position::new(strategy, fill.instrument, fill.time, fill.price);
        p.add(fill.qty, fill.price);
        self.positions.push(p);
    }

    fn sold(&mut self, strategy: usize, fill: &Fill) {
        let same = |p: &&mut Position| p.strategy == strategy && p.instrument == fill.instrument;
        let Some(p) = self.positions.iter_mut().find(same) else {
            return;
        };
        p.qty = (p.qty - fill.qty).max(rust_decimal::Decimal::ZERO);
        if let Some(placed) = p.placed.as_mut().filter(|pl| pl.legs.contains(&fill.order)) {
            placed.qty -= fill.qty;
            if placed.qty <= rust_decimal::Decimal::ZERO {
                // Filled in full. An OCO list's exchange cancels the other leg itself; cancelling
                // it too costs nothing and covers an adapter that placed the legs apart.
                let leftover = placed.legs.iter().filter(|id| **id != fill.order);
                self.stale.extend(leftover);
                p.placed = None;
            }
        }
    }

    /// An order left the book without (further) fills.
    pub fn on_closed(&mut self, order: OrderId) {
        self.stale.retain(|id| *id != order);
        for p in &mut self.positions {
            let Some(placed) = p.placed.as_mut() else {
                continue;
            };
            let before = placed.legs.len();
            placed.legs.retain(|id| *id != order);
            if placed.legs.len() < before && placed.legs.is_empty() {
                if let Some(gone) = p.placed.take() {
                    self.groups.retire(gone, &mut Vec::new());
                }
                Self::switch_off(p, "were cancelled or expired");
            }
        }
    }

    pub fn on_bar(
        &mut self,
        instrument: usize,
        candle: &Candle,
        config: &RiskConfig,
        view: &View<'_>,
        out: &mut Vec<RiskAction>,
    ) {
        if self.uses_atr {
            self.atr.update(instrument, candle);
        }
        self.cancel_stale(out);
        // Every placement before this bar has been decided by now.
        self.groups.superseded.clear();
        let open = view.exchange.open_orders();
        let high = to_decimal(candle.high);
        let rules = view.exchange.rules(instrument);
        for p in self
            .positions
            .iter_mut()
            .filter(|p| p.instrument == instrument)
        {
            if let Some(placed) = p.placed.as_mut() {
                placed.legs.retain(|id| open.iter().any(|o| o.id == *id));
                if placed.legs.is_empty() {
                    p.placed = None;
                    Self::switch_off(p, "are not on the exchange (refused)");
                }
            }
            if candle.open_time >= p.since {
                p.best = p.best.max(high);
            }
            if let Some(s) = config.strategy(p.strategy) {
                p.trail(s, &self.atr, rules);
            }
        }
        self.settle(instrument, config, view, out);
    }

    fn switch_off(p: &mut Position, why: &str) {
        if p.state == State::Armed {
            p.state = State::Off;
            tracing::warn!(
                "exits of strategy {} in instrument {} {why}; they stay off until its next entry",
                p.strategy,
                p.instrument
            );
        }
    }

    fn cancel_stale(&mut self, out: &mut Vec<RiskAction>) {
        out.extend(self.stale.drain(..).map(RiskAction::Cancel));
    }

    /// One instrument's positions after a change: each is held to what the account has, dropped
    /// once gone, re-armed when no sell of its own is open, and its orders made to match.
    fn settle(
        &mut self,
        instrument: usize,
        config: &RiskConfig,
        view: &View<'_>,
        out: &mut Vec<RiskAction>,
    ) {
        let rules = view.exchange.rules(instrument);
        let base = view.assets[instrument].0;
        let account = view.exchange.account();
        let total = account.total(base);
        let open = view.exchange.open_orders();
        let mut pass = Pass {
            rules,
            free: account.free(base),
            groups: &mut self.groups,
            out,
        };
        let atr = &self.atr;
        self.positions.retain_mut(|p| {
            if p.instrument != instrument {
                return true;
            }
            p.qty = p.qty.min(total);
            if rules.round_qty(p.qty).is_zero() {
                pass.drop_group(p.placed.take());
                return false;
            }
            if p.state == State::Suspended && !selling(open, p) {
                p.state = State::Armed;
            }
            if let Some(s) = config.strategy(p.strategy) {
                p.fill_in(s, atr, rules);
            }
            if p.state == State::Armed {
                pass.arm(p);
            }
            true
        });
    }
}

#[cfg(test)]
mod tests;
