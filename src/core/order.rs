//! Orders, fills and rejections. Quantities and prices are decimals, exactly as they would travel
//! to Binance; a market buy may name the quote amount to spend (Binance's `quoteOrderQty`).

use rust_decimal::Decimal;
use std::fmt;

pub type OrderId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        }
    }
}

/// The order types of Binance spot. Stops and take-profits trigger on the stop price; the `Limit`
/// variants then rest as a limit order at `price`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum OrderKind {
    Market,
    Limit { price: Decimal },
    StopLoss { stop: Decimal },
    StopLossLimit { stop: Decimal, price: Decimal },
    TakeProfit { stop: Decimal },
    TakeProfitLimit { stop: Decimal, price: Decimal },
}

impl OrderKind {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Market => "MARKET",
            Self::Limit { .. } => "LIMIT",
            Self::StopLoss { .. } => "STOP_LOSS",
            Self::StopLossLimit { .. } => "STOP_LOSS_LIMIT",
            Self::TakeProfit { .. } => "TAKE_PROFIT",
            Self::TakeProfitLimit { .. } => "TAKE_PROFIT_LIMIT",
        }
    }

    pub fn stop(&self) -> Option<Decimal> {
        match *self {
            Self::StopLoss { stop } | Self::StopLossLimit { stop, .. } => Some(stop),
            Self::TakeProfit { stop } | Self::TakeProfitLimit { stop, .. } => Some(stop),
            _ => None,
        }
    }

    pub fn limit(&self) -> Option<Decimal> {
        match *self {
            Self::Limit { price }
            | Self::StopLossLimit { price, .. }
            | Self::TakeProfitLimit { price, .. } => Some(price),
            _ => None,
        }
    }
}

/// How much: in the base asset, or (market orders only) the quote amount to spend or receive,
/// fees included.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Qty {
    Base(Decimal),
    Quote(Decimal),
}

/// Who asked for an order: a strategy (by index) or the user at the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Origin {
    Strategy(usize),
    Manual,
}

/// An order as asked for, before an exchange has seen it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderRequest {
    /// Index of the instrument in the engine's instrument list.
    pub instrument: usize,
    pub side: Side,
    pub kind: OrderKind,
    pub qty: Qty,
    /// Orders sharing a group cancel each other when one fills (one-cancels-other).
    pub oco: Option<u64>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum OrderStatus {
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Rejected,
    Expired,
}

impl OrderStatus {
    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::PartiallyFilled)
    }
}

/// An order the exchange accepted.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Order {
    pub id: OrderId,
    pub request: OrderRequest,
    pub status: OrderStatus,
    pub placed_at: i64,
    pub filled: Decimal,
    /// A stop-limit whose stop has triggered now rests as a limit.
    pub triggered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Liquidity {
    Maker,
    Taker,
}

/// One execution. The fee is charged in the quote asset.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fill {
    pub order: OrderId,
    pub instrument: usize,
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    /// qty × price, the quote amount traded (fees excluded).
    pub quote: Decimal,
    pub fee: Decimal,
    pub liquidity: Liquidity,
    pub time: i64,
    pub origin: Origin,
}

impl Fill {
    /// Quote amount of the trade, fees excluded.
    pub fn notional(&self) -> Decimal {
        self.quote
    }
}

/// Why an order was refused, worded for the person who placed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    /// A short stable code: the Binance filter name (`LOT_SIZE`, `PRICE_FILTER`, `NOTIONAL`) or
    /// `INSUFFICIENT_BALANCE`, `NO_SHORT_SELLING`, `INVALID`, `UNKNOWN_ORDER`, `HALTED`.
    pub code: &'static str,
    pub reason: String,
}

impl Reject {
    pub fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.reason)
    }
}
