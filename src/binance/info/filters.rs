//! Symbol filters as exchangeInfo lists them (`filterType` plus decimal strings). The ones an
//! order must pass before it leaves are typed; the rest are kept by name only.
//!
//! Invariant: a zero bound means "no bound", as Binance documents for PRICE_FILTER.

use crate::binance::wire::dec;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "filterType", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Filter {
    PriceFilter(PriceFilter),
    LotSize(LotSize),
    MarketLotSize(LotSize),
    MinNotional(MinNotional),
    Notional(Notional),
    PercentPrice(PercentPrice),
    PercentPriceBySide(PercentPriceBySide),
    #[serde(other)]
    Other,
}

/// `price` and `stopPrice`: within [min, max] and on the tick grid.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceFilter {
    #[serde(deserialize_with = "dec")]
    pub min_price: Decimal,
    #[serde(deserialize_with = "dec")]
    pub max_price: Decimal,
    #[serde(deserialize_with = "dec")]
    pub tick_size: Decimal,
}

/// LOT_SIZE (every order) and MARKET_LOT_SIZE (market orders): quantity within [min, max] and
/// on the step grid.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LotSize {
    #[serde(deserialize_with = "dec")]
    pub min_qty: Decimal,
    #[serde(deserialize_with = "dec")]
    pub max_qty: Decimal,
    #[serde(deserialize_with = "dec")]
    pub step_size: Decimal,
}

fn yes() -> bool {
    true
}

/// The older minimum order value: price × quantity ≥ `min_notional`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinNotional {
    #[serde(deserialize_with = "dec")]
    pub min_notional: Decimal,
    #[serde(default = "yes")]
    pub apply_to_market: bool,
    #[serde(default)]
    pub avg_price_mins: i64,
}

/// Order value within [min, max]; each bound may skip market orders.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notional {
    #[serde(deserialize_with = "dec")]
    pub min_notional: Decimal,
    #[serde(default = "yes")]
    pub apply_min_to_market: bool,
    #[serde(deserialize_with = "dec")]
    pub max_notional: Decimal,
    #[serde(default)]
    pub apply_max_to_market: bool,
    #[serde(default)]
    pub avg_price_mins: i64,
}

/// Price within [avg × down, avg × up] of the average price over `avg_price_mins`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PercentPrice {
    #[serde(deserialize_with = "dec")]
    pub multiplier_up: Decimal,
    #[serde(deserialize_with = "dec")]
    pub multiplier_down: Decimal,
    #[serde(default)]
    pub avg_price_mins: i64,
}

/// As PERCENT_PRICE, with separate bands for buys (bid) and sells (ask).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PercentPriceBySide {
    #[serde(deserialize_with = "dec")]
    pub bid_multiplier_up: Decimal,
    #[serde(deserialize_with = "dec")]
    pub bid_multiplier_down: Decimal,
    #[serde(deserialize_with = "dec")]
    pub ask_multiplier_up: Decimal,
    #[serde(deserialize_with = "dec")]
    pub ask_multiplier_down: Decimal,
    #[serde(default)]
    pub avg_price_mins: i64,
}
