//! Exchange adapters: what executes the core's orders. The simulated exchange here serves
//! backtests and paper trading; the Binance adapter arrives with the connector. Either way the
//! adapter owns the account (the exchange is the source of truth for balances) and reports what
//! happened to orders as `ExecEvent`s, which the engine hands to strategies and observers.

mod filters;
mod sim;

pub use filters::{SymbolRules, rules_for, split_symbol, unrestricted};
pub use sim::{FillPolicy, SimConfig, SimExchange};

use crate::core::{Account, Fill, Order, OrderId, OrderStatus, Reject};
use crate::market::Candle;

/// What happened to an order after it was accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Fill(Fill),
    /// The order left the book without (further) fills: canceled, or expired with a reason
    /// (e.g. a stop that triggered when the balance was already gone).
    Closed {
        order: OrderId,
        status: OrderStatus,
        reason: Option<Reject>,
    },
}

pub trait Exchange {
    fn account(&self) -> &Account;

    fn rules(&self, instrument: usize) -> &SymbolRules;

    fn open_orders(&self) -> &[Order];

    /// Accepts an order the risk layer approved (rounded to the filters, within the limits) or
    /// refuses it with a reason.
    fn submit(
        &mut self,
        id: OrderId,
        order: crate::risk::Approved,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject>;

    fn cancel(&mut self, id: OrderId, out: &mut Vec<ExecEvent>) -> Result<(), Reject>;

    /// A closed bar of an instrument's base series. The simulated exchange matches resting orders
    /// along it, or along `detail` (finer bars inside it) when given; a live adapter ignores it.
    fn on_bar(
        &mut self,
        instrument: usize,
        bar: &Candle,
        detail: &[Candle],
        out: &mut Vec<ExecEvent>,
    );
}
