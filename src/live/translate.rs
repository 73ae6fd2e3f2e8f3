//! Binance's account events in the core's terms: client ids become the session's order ids,
//! symbols become instruments, states become `OrderStatus`, and a commission becomes its value in
//! the quote asset (a commission in the base asset is worth qty × price; one in a third asset,
//! such as BNB, is not valued and the exchange's balances carry it). What is not the session's
//! (an order placed by hand on the exchange, or by another program) comes back as `Foreign`.

use super::ids::Ids;
use crate::binance::user::{OrderUpdate, UserEvent, UserFill};
use crate::core::{OrderStatus, Reject};
use crate::exchange::Report;
use crate::market::Symbol;

/// What the live loop does with one user-data event.
#[derive(Debug, Clone, PartialEq)]
pub enum Translated {
    Report(Report),
    /// Activity of an order the session did not place, described for the log and alerts.
    Foreign(String),
    Nothing,
}

pub struct Translator {
    pub ids: Ids,
    symbols: Vec<Symbol>,
    /// (base, quote) per instrument.
    assets: Vec<(String, String)>,
    /// Binance's order id of each of the session's orders seen so far: a fill found by the
    /// REST reconciliation names only that.
    known: std::collections::HashMap<u64, u64>,
}

impl Translator {
    pub fn new(ids: Ids, symbols: Vec<Symbol>, assets: Vec<(String, String)>) -> Self {
        Self {
            ids,
            symbols,
            assets,
            known: std::collections::HashMap::new(),
        }
    }

    /// Binance's id `exchange_id` is the session's order `order`.
    pub fn learn(&mut self, exchange_id: u64, order: u64) {
        self.known.insert(exchange_id, order);
    }

    pub fn instrument(&self, symbol: &Symbol) -> Option<usize> {
        self.symbols.iter().position(|s| s == symbol)
    }

    pub fn translate(&mut self, event: &UserEvent) -> Translated {
        match event {
            UserEvent::Order(u) => self.order(u),
            UserEvent::Fill(f) => self.fill(f),
            UserEvent::Balances(p) => Translated::Report(Report::Balances(
                p.balances
                    .iter()
                    .map(|b| (b.asset.clone(), b.free, b.locked))
                    .collect(),
            )),
            UserEvent::BalanceDelta(_) | UserEvent::Health(_) => Translated::Nothing,
        }
    }

    fn ours(&self, client_id: Option<&str>, exchange_id: u64) -> Option<u64> {
        client_id
            .and_then(|c| self.ids.parse(c))
            .or_else(|| self.known.get(&exchange_id).copied())
    }

    fn order(&mut self, u: &OrderUpdate) -> Translated {
        let Some(order) = self.ours(Some(&u.client_order_id), u.order_id) else {
            return Translated::Foreign(format!(
                "{} {} {} order {} (client id {}) is {:?} on the exchange: not placed by this session",
                u.symbol,
                u.side.as_str(),
                u.order_type.as_str(),
                u.order_id,
                u.client_order_id,
                u.status
            ));
        };
        self.learn(u.order_id, order);
        let Some(status) = u.status.to_core() else {
            return Translated::Nothing;
        };
        let reason = match status {
            OrderStatus::Rejected | OrderStatus::Expired => Some(Reject::new(
                "EXCHANGE",
                u.reject_reason
                    .clone()
                    .unwrap_or_else(|| format!("{:?} by Binance", u.status)),
            )),
            _ => None,
        };
        Translated::Report(Report::Order {
            order,
            status,
            filled: u.filled_qty,
            reason,
        })
    }

    fn fill(&self, f: &UserFill) -> Translated {
        let Some(order) = self.ours(f.client_order_id.as_deref(), f.order_id) else {
            return Translated::Foreign(format!(
                "{} {} {} at {} (order {}, trade {}): a fill of an order this session did not place",
                f.symbol,
                f.side.as_str(),
                f.qty,
                f.price,
                f.order_id,
                f.trade_id
            ));
        };
        let fee = match (
            self.instrument(&f.symbol).map(|i| &self.assets[i]),
            f.commission_asset.as_deref(),
        ) {
            (Some((_, quote)), Some(a)) if a == quote => f.commission,
            (Some((base, _)), Some(a)) if a == base => f.commission * f.price,
            _ => rust_decimal::Decimal::ZERO,
        };
        Translated::Report(Report::Fill {
            order,
            qty: f.qty,
            price: f.price,
            quote: f.quote_qty,
            fee,
            maker: f.maker,
            time: f.time,
        })
    }
}
