//! Exchange adapters: what executes the core's orders. The simulated exchange here serves
//! backtests and paper trading; the Binance adapter arrives with the connector. Either way the
//! adapter owns the account (the exchange is the source of truth for balances) and reports what
//! happened to orders as `ExecEvent`s, which the engine hands to strategies and observers.

mod filters;
mod live;
mod locks;
mod sim;
mod venue;

pub use filters::{SymbolRules, rules_for, split_symbol, unrestricted};
pub use live::{LiveExchange, Outgoing};
pub use sim::{FillPolicy, SimConfig, SimExchange};
pub use venue::Venue;

use crate::core::{Account, Fill, Order, OrderId, OrderStatus, Reject};
use crate::market::Candle;
use rust_decimal::Decimal;

/// Binance takes an amount of the quote asset (`quoteOrderQty`) for market orders only; both
/// adapters refuse any other order that names one.
fn quote_amount_allowed(req: &crate::core::OrderRequest) -> Result<(), Reject> {
    if matches!(req.qty, crate::core::Qty::Quote(_)) && req.kind != crate::core::OrderKind::Market {
        return Err(Reject::new(
            "INVALID",
            "only market orders may name a quote amount",
        ));
    }
    Ok(())
}

/// Price levels of one side of a book, best first: (price, quantity).
pub type Levels = Vec<(Decimal, Decimal)>;

/// The best levels of a live order book (paper trading on live data fills against it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Depth {
    pub bids: Levels,
    pub asks: Levels,
}

/// What a real exchange said about the account, in the core's terms (the live edge has mapped
/// its client ids to order ids and its symbols to instruments).
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// An order's state on the exchange: acknowledged, canceled, expired, rejected or filled,
    /// with the quantity filled so far. Fills themselves arrive as `Fill` reports.
    Order {
        order: OrderId,
        status: OrderStatus,
        filled: Decimal,
        reason: Option<Reject>,
    },
    /// One execution of one of the session's orders; the fee is valued in the quote asset.
    Fill {
        order: OrderId,
        qty: Decimal,
        price: Decimal,
        quote: Decimal,
        fee: Decimal,
        maker: bool,
        time: i64,
    },
    /// Balances as the exchange states them, per asset: (name, free, locked).
    Balances(Vec<(String, Decimal, Decimal)>),
}

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

    /// The live book's best levels changed (paper on live data fills market orders against
    /// them); a real exchange ignores it.
    fn on_book(&mut self, _instrument: usize, _book: &Depth, _now: i64, _out: &mut Vec<ExecEvent>) {
    }

    /// A trade printed on the market (paper on live data fills resting orders the market
    /// trades through); a real exchange ignores it.
    fn on_trade(
        &mut self,
        _instrument: usize,
        _price: Decimal,
        _now: i64,
        _out: &mut Vec<ExecEvent>,
    ) {
    }

    /// A real exchange's report on the account; a simulated exchange never gets one.
    fn on_report(&mut self, _report: Report, _out: &mut Vec<ExecEvent>) {}
}
