//! Incoming trading answers: one `OrderReport` shape for order responses (ACK, RESULT, FULL),
//! cancels, order queries and open orders (fields a shape lacks are `None`); order lists; account
//! balances; account trades.
//!
//! Invariant: parsing is tolerant of fields Binance adds and of numbers as strings or JSON
//! numbers, strict about the ones tickdesk relies on (ids, decimals, side).

use super::{OrderType, TimeInForce, dec, opt_dec, opt_side};
use crate::core::{OrderStatus, Side};
use rust_decimal::Decimal;
use serde::Deserialize;

/// Binance's order status (`X` in execution reports, `status` in answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderState {
    New,
    PendingNew,
    PartiallyFilled,
    Filled,
    Canceled,
    PendingCancel,
    Rejected,
    Expired,
    ExpiredInMatch,
    #[serde(other)]
    Unknown,
}

impl OrderState {
    /// The core's view: a pending order list leg is working (`New`); STP expiry is `Expired`.
    pub fn to_core(self) -> Option<OrderStatus> {
        Some(match self {
            Self::New | Self::PendingNew | Self::PendingCancel => OrderStatus::New,
            Self::PartiallyFilled => OrderStatus::PartiallyFilled,
            Self::Filled => OrderStatus::Filled,
            Self::Canceled => OrderStatus::Canceled,
            Self::Rejected => OrderStatus::Rejected,
            Self::Expired | Self::ExpiredInMatch => OrderStatus::Expired,
            Self::Unknown => return None,
        })
    }
}

fn no_list() -> i64 {
    -1
}

/// An order as Binance reports it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderReport {
    pub symbol: String,
    pub order_id: u64,
    #[serde(default = "no_list")]
    pub order_list_id: i64,
    /// On a cancel answer this is the cancel request's own id; see `orig_client_order_id`.
    pub client_order_id: String,
    #[serde(default)]
    pub orig_client_order_id: Option<String>,
    #[serde(default)]
    pub transact_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_dec")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_dec")]
    pub orig_qty: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_dec")]
    pub executed_qty: Option<Decimal>,
    /// Negative for some old orders ("not available").
    #[serde(default, deserialize_with = "opt_dec")]
    pub cummulative_quote_qty: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_dec")]
    pub orig_quote_order_qty: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_dec")]
    pub stop_price: Option<Decimal>,
    #[serde(default)]
    pub status: Option<OrderState>,
    #[serde(default)]
    pub time_in_force: Option<TimeInForce>,
    #[serde(default, rename = "type")]
    pub order_type: Option<OrderType>,
    #[serde(default, deserialize_with = "opt_side")]
    pub side: Option<Side>,
    #[serde(default)]
    pub time: Option<i64>,
    #[serde(default)]
    pub update_time: Option<i64>,
    #[serde(default)]
    pub working_time: Option<i64>,
    #[serde(default)]
    pub is_working: Option<bool>,
    #[serde(default)]
    pub fills: Vec<TradeFill>,
}

impl OrderReport {
    /// The id tickdesk gave the order (a cancel answer's `origClientOrderId`).
    pub fn order_client_id(&self) -> &str {
        self.orig_client_order_id
            .as_deref()
            .unwrap_or(&self.client_order_id)
    }

    /// A bare id-only report (an order list's `orders` entry).
    pub fn bare(symbol: &str, order_id: u64, order_list_id: i64, client_order_id: &str) -> Self {
        Self {
            symbol: symbol.to_string(),
            order_id,
            order_list_id,
            client_order_id: client_order_id.to_string(),
            orig_client_order_id: None,
            transact_time: None,
            price: None,
            orig_qty: None,
            executed_qty: None,
            cummulative_quote_qty: None,
            orig_quote_order_qty: None,
            stop_price: None,
            status: None,
            time_in_force: None,
            order_type: None,
            side: None,
            time: None,
            update_time: None,
            working_time: None,
            is_working: None,
            fills: Vec::new(),
        }
    }
}

/// One fill in a FULL order response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TradeFill {
    #[serde(deserialize_with = "dec")]
    pub price: Decimal,
    #[serde(deserialize_with = "dec")]
    pub qty: Decimal,
    #[serde(deserialize_with = "dec")]
    pub commission: Decimal,
    pub commission_asset: String,
    #[serde(default)]
    pub trade_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrder {
    pub symbol: String,
    pub order_id: u64,
    pub client_order_id: String,
}

/// An order list (OCO) as placed, queried or canceled.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderListReport {
    pub order_list_id: i64,
    pub contingency_type: String,
    #[serde(default)]
    pub list_status_type: Option<String>,
    #[serde(default)]
    pub list_order_status: Option<String>,
    pub list_client_order_id: String,
    #[serde(default)]
    pub transaction_time: Option<i64>,
    pub symbol: String,
    pub orders: Vec<ListOrder>,
    /// Present in RESULT/FULL answers and cancels: the legs in full.
    #[serde(default)]
    pub order_reports: Vec<OrderReport>,
}

/// One entry of `DELETE /api/v3/openOrders`: a plain order or a whole order list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Canceled {
    List(OrderListReport),
    Order(OrderReport),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Balance {
    pub asset: String,
    #[serde(deserialize_with = "dec")]
    pub free: Decimal,
    #[serde(deserialize_with = "dec")]
    pub locked: Decimal,
}

/// `GET /api/v3/account`, the parts tickdesk uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    #[serde(default)]
    pub can_trade: bool,
    #[serde(default)]
    pub update_time: Option<i64>,
    pub balances: Vec<Balance>,
}

impl Account {
    /// Free balance of `asset` (zero when Binance lists none).
    pub fn free(&self, asset: &str) -> Decimal {
        self.balances
            .iter()
            .find(|b| b.asset == asset)
            .map_or(Decimal::ZERO, |b| b.free)
    }
}

/// One of the account's trades (`GET /api/v3/myTrades`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyTrade {
    pub symbol: String,
    pub id: u64,
    pub order_id: u64,
    #[serde(default = "no_list")]
    pub order_list_id: i64,
    #[serde(deserialize_with = "dec")]
    pub price: Decimal,
    #[serde(deserialize_with = "dec")]
    pub qty: Decimal,
    #[serde(deserialize_with = "dec")]
    pub quote_qty: Decimal,
    #[serde(deserialize_with = "dec")]
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: i64,
    pub is_buyer: bool,
    pub is_maker: bool,
}

impl MyTrade {
    pub fn side(&self) -> Side {
        if self.is_buyer { Side::Buy } else { Side::Sell }
    }
}
