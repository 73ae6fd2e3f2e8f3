//! What the risk layer enforces, as plain values: limits for every order (none by default: a
//! backtest without a `[risk]` section trades exactly as before), the fee rate that "the free
//! balance after fees" means, and each strategy's own sizing and exits. Loaded from the `[risk]`
//! config section; runners may set it directly.

use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Limits every order that adds exposure must respect (orders that only reduce it always pass).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// Value (quote asset) of one symbol's position after the order.
    pub max_position_quote: Option<Decimal>,
    /// Value of all non-quote holdings after the order, as a percentage of equity.
    pub max_exposure_pct: Option<Decimal>,
    /// Open orders, this one included.
    pub max_open_orders: Option<usize>,
    /// Value of one order.
    pub max_order_quote: Option<Decimal>,
    /// Smallest order value accepted (on top of the exchange's own minimum).
    pub min_order_quote: Option<Decimal>,
}

/// A strategy's own risk settings (sizing and exits; filled in by the sizing and exits work).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrategyRisk {}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskConfig {
    pub limits: Limits,
    /// Taker fee rate charged on market buys, so a buy never needs more than the free quote.
    pub taker_fee: Decimal,
    /// By strategy name.
    pub strategies: BTreeMap<String, StrategyRisk>,
}
