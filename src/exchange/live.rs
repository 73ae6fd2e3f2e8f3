//! The account as a real exchange holds it, mirrored for the synchronous core. `submit` and
//! `cancel` do not talk to the exchange: they record the order (or the cancel) and queue an
//! [`Outgoing`] request, which the live edge sends only after the step that made it is in the
//! journal (journal before act). What the exchange then says comes back as [`Report`]s through
//! `Event::Report`: acknowledgements, fills, cancels, rejections and balances.
//!
//! Balances: an accepted order locks an estimate of its funds at once, so the risk layer does not
//! spend them twice while the request is in flight; fills move the estimate; every balance report
//! from the exchange replaces the mirror with the exchange's own numbers (which include what open
//! orders lock), and local estimates are dropped then.
//!
//! Invariant: an order is in `open_orders` from `submit` until the exchange reports it filled,
//! canceled, expired or rejected; a cancel is requested at most once per order.

use super::locks::{self, Locks};
use super::{ExecEvent, Report, SymbolRules};
use crate::core::{
    Account, Asset, Fill, Liquidity, Order, OrderId, OrderRequest, OrderStatus, Qty, Reject, Side,
};
use crate::market::Candle;
use rust_decimal::Decimal;

/// Closed orders remembered for fills reported after their final state.
const RECENTLY_CLOSED: usize = 256;

/// A request for the exchange, queued by the core for the live edge.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    Place(Order),
    Cancel(Order),
}

pub struct LiveExchange {
    account: Account,
    rules: Vec<SymbolRules>,
    assets: Vec<(Asset, Asset)>,
    orders: Vec<Order>,
    /// Orders closed lately: a fill may be reported after its order's final state (a restart
    /// learns the state by query, the fills by the trade history after it).
    closed: std::collections::VecDeque<Order>,
    /// Funds an order locked by estimate, until the exchange's balances replace them.
    locks: Locks,
    /// Cancels already requested (a cancel is sent once).
    canceling: Vec<OrderId>,
    outbox: Vec<Outgoing>,
    /// Last price seen per instrument, to estimate what a market buy by quantity locks.
    last: Vec<Decimal>,
    taker_fee: Decimal,
}

impl LiveExchange {
    /// A mirror of an account trading `rules` (index = instrument), with `balances` as the
    /// exchange stated them: (asset, free, locked).
    pub fn new(
        rules: Vec<SymbolRules>,
        balances: &[(String, Decimal, Decimal)],
        taker_fee: Decimal,
    ) -> Self {
        let mut account = Account::new();
        let assets = rules
            .iter()
            .map(|r| (account.asset(&r.base), account.asset(&r.quote)))
            .collect();
        let n = rules.len();
        let mut x = Self {
            account,
            rules,
            assets,
            orders: Vec::new(),
            closed: std::collections::VecDeque::new(),
            locks: Locks::default(),
            canceling: Vec::new(),
            outbox: Vec::new(),
            last: vec![Decimal::ZERO; n],
            taker_fee,
        };
        x.set_balances(balances);
        x
    }

    /// An order that was open before a restart (from the journal, confirmed by the exchange):
    /// it is mirrored again without being sent.
    pub fn restore(&mut self, order: Order) {
        if !self.orders.iter().any(|o| o.id == order.id) {
            self.orders.push(order);
        }
    }

    /// Whether cancels were sent that Binance has not confirmed yet.
    pub fn cancels_pending(&self) -> bool {
        !self.canceling.is_empty()
    }

    /// The requests queued since the last call, in the order the core made them.
    pub fn take_outgoing(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.outbox)
    }

    fn set_balances(&mut self, balances: &[(String, Decimal, Decimal)]) {
        for (name, free, locked) in balances {
            let a = self.account.asset(name);
            self.account.set(a, *free, *locked);
        }
        self.locks.clear();
    }

    /// What an order needs locked, a buy by quantity valued at the last price seen.
    fn requirement(&self, req: &OrderRequest) -> (Asset, Decimal) {
        let reference = self.last[req.instrument];
        let gross = Decimal::ONE + self.taker_fee;
        locks::requirement(req, self.assets[req.instrument], reference, gross)
    }

    /// A cancel is on its way: what the order holds counts as free for what follows (a flatten's
    /// sell of the whole holding), since the sender puts the cancel to Binance first. The lock
    /// this session took is given back; for an order it did not lock (restored after a restart,
    /// or its lock forgotten when Binance's balances replaced the mirror's) what it still needs
    /// moves from locked to free, once per one-cancels-other list. Binance's next balances set
    /// the truth either way (a cancel that fails because the order filled is corrected there).
    fn free_early(&mut self, order: &Order) {
        if self.locks.holds(order.id) {
            return self.release(order.id);
        }
        let group = order.request.oco;
        let shared = group.is_some()
            && self.orders.iter().any(|o| {
                o.id != order.id
                    && o.request.oco == group
                    && (self.locks.holds(o.id) || self.canceling.contains(&o.id))
            });
        let left = match order.request.qty {
            Qty::Base(q) => q - order.filled,
            Qty::Quote(_) => return, // a market buy by value: nothing rests
        };
        if shared || left <= Decimal::ZERO {
            return;
        }
        let rest = OrderRequest {
            qty: Qty::Base(left),
            ..order.request.clone()
        };
        let (asset, amount) = self.requirement(&rest);
        self.account.unlock(asset, amount);
    }

    fn release(&mut self, id: OrderId) {
        self.locks.release(&mut self.account, id);
    }

    fn spend(&mut self, id: OrderId, asset: Asset, amount: Decimal) {
        self.locks.spend(&mut self.account, id, asset, amount);
    }

    fn order_report(
        &mut self,
        id: OrderId,
        status: OrderStatus,
        filled: Decimal,
        reason: Option<Reject>,
        out: &mut Vec<ExecEvent>,
    ) {
        let Some(i) = self.orders.iter().position(|o| o.id == id) else {
            return;
        };
        if status.is_open() {
            let o = &mut self.orders[i];
            o.status = status;
            o.filled = o.filled.max(filled);
            return;
        }
        let mut order = self.orders.swap_remove(i);
        order.status = status;
        if self.closed.len() == RECENTLY_CLOSED {
            self.closed.pop_front();
        }
        self.closed.push_back(order);
        self.canceling.retain(|c| *c != id);
        self.release(id);
        if status != OrderStatus::Filled {
            out.push(ExecEvent::Closed {
                order: id,
                status,
                reason,
            });
        }
    }

    /// A `Report::Fill`: the order's fill count, the mirror's balances and the core's fill.
    fn fill(&mut self, report: Report, out: &mut Vec<ExecEvent>) {
        let Report::Fill {
            order: id,
            qty,
            price,
            quote,
            fee,
            maker,
            time,
        } = report
        else {
            return;
        };
        let Some(o) = self
            .orders
            .iter_mut()
            .chain(self.closed.iter_mut())
            .find(|o| o.id == id)
        else {
            tracing::warn!("a fill of order {id}, which this session does not know, was ignored");
            return;
        };
        o.filled += qty;
        if o.status == OrderStatus::New {
            o.status = OrderStatus::PartiallyFilled;
        }
        let (instrument, side, origin) = (o.request.instrument, o.request.side, o.request.origin);
        let (base, quote_asset) = self.assets[instrument];
        match side {
            Side::Buy => {
                self.spend(id, quote_asset, quote + fee);
                self.account.receive(base, qty);
            }
            Side::Sell => {
                self.spend(id, base, qty);
                self.account.receive(quote_asset, quote - fee);
            }
        }
        self.last[instrument] = price;
        out.push(ExecEvent::Fill(Fill {
            order: id,
            instrument,
            side,
            qty,
            price,
            quote,
            fee,
            liquidity: if maker {
                Liquidity::Maker
            } else {
                Liquidity::Taker
            },
            time,
            origin,
        }));
    }
}

impl super::Exchange for LiveExchange {
    fn account(&self) -> &Account {
        &self.account
    }

    fn rules(&self, instrument: usize) -> &SymbolRules {
        &self.rules[instrument]
    }

    fn open_orders(&self) -> &[Order] {
        &self.orders
    }

    fn submit(
        &mut self,
        id: OrderId,
        order: crate::risk::Approved,
        now: i64,
        _out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject> {
        let request = order.into_request();
        if request.instrument >= self.rules.len() {
            return Err(Reject::new("INVALID", "no such instrument"));
        }
        super::quote_amount_allowed(&request)?;
        let need = self.requirement(&request);
        self.locks
            .lock(&mut self.account, &self.orders, (id, request.oco), need)?;
        let order = Order {
            id,
            request,
            status: OrderStatus::New,
            placed_at: now,
            filled: Decimal::ZERO,
            triggered: false,
        };
        self.orders.push(order.clone());
        self.outbox.push(Outgoing::Place(order));
        Ok(())
    }

    fn cancel(&mut self, id: OrderId, _out: &mut Vec<ExecEvent>) -> Result<(), Reject> {
        let Some(order) = self.orders.iter().find(|o| o.id == id) else {
            return Err(Reject::new(
                "UNKNOWN_ORDER",
                format!("order {id} is not open"),
            ));
        };
        if !self.canceling.contains(&id) {
            let order = order.clone();
            self.outbox.push(Outgoing::Cancel(order.clone()));
            self.free_early(&order);
            self.canceling.push(id);
        }
        Ok(())
    }

    fn on_bar(&mut self, instrument: usize, bar: &Candle, _: &[Candle], _: &mut Vec<ExecEvent>) {
        if let Some(last) = self.last.get_mut(instrument) {
            *last = crate::core::to_decimal(bar.close);
        }
    }

    fn on_report(&mut self, report: Report, out: &mut Vec<ExecEvent>) {
        match report {
            Report::Order {
                order,
                status,
                filled,
                reason,
            } => self.order_report(order, status, filled, reason, out),
            fill @ Report::Fill { .. } => self.fill(fill, out),
            Report::Balances(b) => self.set_balances(&b),
        }
    }
}

#[cfg(test)]
mod tests;
