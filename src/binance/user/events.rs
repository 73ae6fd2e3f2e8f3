//! What the user-data session hands the core: order updates, fills and balance changes, each
//! marked with where it came from (the socket or a REST reconciliation), plus health changes.
//! Invariant: every value is plain owned data with exact `Decimal` amounts, so an event can be
//! queued, cloned into a replica or journalled without touching the session.

use super::health::UserStatus;
use crate::binance::wire::{
    Account, Balance, MyTrade, OrderReport, OrderState, OrderType, TimeInForce,
};
use crate::core::Side;
use crate::market::Symbol;
use rust_decimal::Decimal;

/// Everything the session emits, in the order it learnt it. None of these is ever dropped: the
/// channel is bounded and the reader waits for room (see the module note of `user`).
#[derive(Debug, Clone, PartialEq)]
pub enum UserEvent {
    Order(OrderUpdate),
    Fill(UserFill),
    /// `outboundAccountPosition`: the balances that changed, in full.
    Balances(AccountPosition),
    /// `balanceUpdate`: a deposit, withdrawal or transfer.
    BalanceDelta(BalanceDelta),
    /// The session's state changed (connected, subscribed, reconnecting…).
    Health(UserStatus),
}

/// How an event reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Pushed on the user-data subscription.
    Stream,
    /// Found by the REST reconciliation after a (re)connect.
    Reconciled,
}

/// Binance's execution type (`x` in an execution report): what just happened to the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecType {
    New,
    Canceled,
    Replaced,
    Rejected,
    Trade,
    Expired,
    TradePrevention,
    #[serde(other)]
    Other,
}

/// An order's state after an execution report, or as the REST reconciliation found it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderUpdate {
    pub symbol: Symbol,
    pub order_id: u64,
    /// The id tickdesk gave the order (`C` on a cancel report, `c` otherwise).
    pub client_order_id: String,
    /// The OCO list the order belongs to.
    pub order_list_id: Option<i64>,
    pub side: Side,
    pub order_type: OrderType,
    pub time_in_force: Option<TimeInForce>,
    pub status: OrderState,
    /// `None` for a reconciled order (REST gives the state, not the last transition).
    pub execution: Option<ExecType>,
    /// Binance's `r` when it is not `NONE` (e.g. `INSUFFICIENT_BALANCE`).
    pub reject_reason: Option<String>,
    pub qty: Decimal,
    pub price: Decimal,
    pub stop_price: Option<Decimal>,
    pub filled_qty: Decimal,
    /// Cumulative quote amount (`Z`); absent or negative for some old orders.
    pub filled_quote: Option<Decimal>,
    /// When it happened on the exchange (`T`, or the order's `updateTime`), ms.
    pub time: i64,
    pub source: Source,
}

/// One execution of one of the account's orders.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFill {
    pub symbol: Symbol,
    /// Binance's trade id (`t`): unique per symbol, increasing.
    pub trade_id: u64,
    pub order_id: u64,
    /// Known when the order was seen on the socket, in open orders or by a query.
    pub client_order_id: Option<String>,
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    /// The quote amount traded, fees excluded.
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: Option<String>,
    pub maker: bool,
    /// Trade time, ms.
    pub time: i64,
    pub source: Source,
}

impl UserFill {
    /// The deduplication key: a trade id is unique within its symbol.
    pub fn key(&self) -> (&Symbol, u64) {
        (&self.symbol, self.trade_id)
    }

    /// A missed fill from `GET /api/v3/myTrades`.
    pub fn from_rest(t: &MyTrade, symbol: &Symbol, client_order_id: Option<String>) -> Self {
        Self {
            symbol: symbol.clone(),
            trade_id: t.id,
            order_id: t.order_id,
            client_order_id,
            side: t.side(),
            qty: t.qty,
            price: t.price,
            quote_qty: t.quote_qty,
            commission: t.commission,
            commission_asset: Some(t.commission_asset.clone()),
            maker: t.is_maker,
            time: t.time,
            source: Source::Reconciled,
        }
    }
}

/// `outboundAccountPosition` (the balances that changed), or after a reconciliation the whole
/// account from `GET /api/v3/account` (every balance it lists).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPosition {
    /// `E`, ms (the account's update time when reconciled).
    pub event_time: i64,
    /// `u`: time of the last account update, ms.
    pub update_time: i64,
    pub balances: Vec<Balance>,
    pub source: Source,
}

/// `balanceUpdate`.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceDelta {
    pub asset: String,
    pub delta: Decimal,
    /// `T`: clear time, ms.
    pub clear_time: i64,
    pub event_time: i64,
}

impl AccountPosition {
    /// The account as `GET /api/v3/account` listed it.
    pub fn from_rest(a: Account) -> Self {
        let time = a.update_time.unwrap_or(0);
        Self {
            event_time: time,
            update_time: time,
            balances: a.balances,
            source: Source::Reconciled,
        }
    }
}

impl OrderUpdate {
    /// A REST order (open orders or a query) as a reconciled update; `None` when Binance left
    /// out a field an update needs (status, side, type).
    pub fn from_rest(r: &OrderReport, symbol: &Symbol) -> Option<Self> {
        Some(Self {
            symbol: symbol.clone(),
            order_id: r.order_id,
            client_order_id: r.order_client_id().to_string(),
            order_list_id: (r.order_list_id >= 0).then_some(r.order_list_id),
            side: r.side?,
            order_type: r.order_type?,
            time_in_force: r.time_in_force,
            status: r.status?,
            execution: None,
            reject_reason: None,
            qty: r.orig_qty.unwrap_or_default(),
            price: r.price.unwrap_or_default(),
            stop_price: r.stop_price.filter(|p| !p.is_zero()),
            filled_qty: r.executed_qty.unwrap_or_default(),
            filled_quote: r.cummulative_quote_qty.filter(|q| !q.is_sign_negative()),
            time: r.update_time.or(r.time).or(r.transact_time).unwrap_or(0),
            source: Source::Reconciled,
        })
    }

    /// Still working on the book (or waiting for its list partner).
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            OrderState::New | OrderState::PendingNew | OrderState::PartiallyFilled
        )
    }
}
