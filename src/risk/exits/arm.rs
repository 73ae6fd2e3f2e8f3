//! Turning a position's levels into exchange orders: a `StopLoss` sell (market on trigger) and a
//! `Limit` sell at the target, in one one-cancels-other group (Binance's OCO list: STOP_LOSS
//! below, LIMIT_MAKER above), origin the strategy. A change of quantity or level replaces the
//! whole group: cancel, then place. Once a trailing stop reaches the target, the stop rests alone.
//!
//! Invariant: the quantity offered never exceeds the strategy's position nor the base asset the
//! account has free once the group being replaced is cancelled, and it passes the symbol's
//! filters at both levels; otherwise nothing is placed and the position's exits are off.

use super::GROUP_BASE;
use super::position::{Placed, Position, State};
use crate::core::{OrderId, OrderKind, OrderRequest, Origin, Qty, Side};
use crate::exchange::SymbolRules;
use crate::risk::RiskAction;
use rust_decimal::Decimal;

/// Numbers for new groups, and the groups dropped before all their orders were approved.
#[derive(Debug, Default)]
pub struct Groups {
    next: u64,
    pub superseded: Vec<u64>,
}

impl Groups {
    fn fresh(&mut self) -> u64 {
        self.next += 1;
        GROUP_BASE + self.next
    }

    /// A group found resting on the exchange (after a restart): new groups are numbered above it.
    pub fn taken(&mut self, group: u64) {
        self.next = self.next.max(group.saturating_sub(GROUP_BASE));
    }

    /// Gives up a group: its approved orders go to `cancel`; orders still on their way are
    /// cancelled when they are approved.
    pub fn retire(&mut self, placed: Placed, cancel: &mut Vec<OrderId>) {
        if placed.approved < placed.sent {
            self.superseded.push(placed.group);
        }
        cancel.extend(placed.legs);
    }
}

/// What a pass over one instrument may still hand out: base free on the account.
pub struct Pass<'a> {
    pub rules: &'a SymbolRules,
    pub free: Decimal,
    pub groups: &'a mut Groups,
    pub out: &'a mut Vec<RiskAction>,
}

impl Pass<'_> {
    /// Cancels a group, as actions.
    pub fn drop_group(&mut self, placed: Option<Placed>) {
        let mut ids = Vec::new();
        if let Some(p) = placed {
            self.groups.retire(p, &mut ids);
        }
        self.out.extend(ids.into_iter().map(RiskAction::Cancel));
    }

    /// Makes what rests for an armed position match its quantity and levels.
    pub fn arm(&mut self, p: &mut Position) {
        let held = p.placed.as_ref().map_or(Decimal::ZERO, |pl| pl.qty);
        let qty = self.rules.round_qty(p.qty.min(self.free + held));
        // A trailing stop that rose to the target replaces it: an OCO list needs the target above.
        let target = p.target.filter(|t| p.stop.is_none_or(|s| s < *t));
        if p.placed
            .as_ref()
            .is_some_and(|pl| pl.covers(qty, p.stop, target))
        {
            return;
        }
        let levels: Vec<Decimal> = [p.stop, target].into_iter().flatten().collect();
        if qty <= Decimal::ZERO || levels.is_empty() {
            return self.drop_group(p.placed.take());
        }
        if let Some(e) = levels.iter().find_map(|l| self.rules.check(qty, *l).err()) {
            tracing::warn!(
                "exits of strategy {} in {}{} cannot be placed: {e}",
                p.strategy,
                self.rules.base,
                self.rules.quote
            );
            p.state = State::Off;
            return self.drop_group(p.placed.take());
        }
        self.drop_group(p.placed.take());
        self.send(p, qty, target);
        self.free = (self.free + held - qty).max(Decimal::ZERO);
    }

    /// Places a new group for the position: the stop leg first, then the target.
    fn send(&mut self, p: &mut Position, qty: Decimal, target: Option<Decimal>) {
        let group = self.groups.fresh();
        let leg = |kind| {
            RiskAction::Place(OrderRequest {
                instrument: p.instrument,
                side: Side::Sell,
                kind,
                qty: Qty::Base(qty),
                oco: Some(group),
                origin: Origin::Strategy(p.strategy),
            })
        };
        let before = self.out.len();
        if let Some(stop) = p.stop {
            self.out.push(leg(OrderKind::StopLoss { stop }));
        }
        if let Some(price) = target {
            self.out.push(leg(OrderKind::Limit { price }));
        }
        p.placed = Some(Placed {
            group,
            legs: Vec::new(),
            sent: self.out.len() - before,
            approved: 0,
            qty,
            stop: p.stop,
            target,
        });
    }
}
