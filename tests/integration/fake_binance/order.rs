//! Orders as the fake's matching engine keeps them: Binance's enums (side, type, time in force,
//! status) with their wire spellings, the order record and its fills. Invariant: `executed ≤ qty`
//! and `status` agrees with it (FILLED exactly when everything executed); `locked` is what the
//! order still holds of the account's balance (quote for BUY, base for SELL).

use super::wire::ApiError;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s {
            "BUY" => Ok(Self::Buy),
            "SELL" => Ok(Self::Sell),
            _ => Err(ApiError::new(400, -1117, "Invalid side.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        }
    }

    pub fn opposite(self) -> Self {
        match self {
            Self::Buy => Self::Sell,
            Self::Sell => Self::Buy,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Market,
    Limit,
    LimitMaker,
    StopLoss,
    StopLossLimit,
    TakeProfit,
    TakeProfitLimit,
}

impl Kind {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        Ok(match s {
            "MARKET" => Self::Market,
            "LIMIT" => Self::Limit,
            "LIMIT_MAKER" => Self::LimitMaker,
            "STOP_LOSS" => Self::StopLoss,
            "STOP_LOSS_LIMIT" => Self::StopLossLimit,
            "TAKE_PROFIT" => Self::TakeProfit,
            "TAKE_PROFIT_LIMIT" => Self::TakeProfitLimit,
            _ => return Err(ApiError::new(400, -1116, "Invalid orderType.")),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Market => "MARKET",
            Self::Limit => "LIMIT",
            Self::LimitMaker => "LIMIT_MAKER",
            Self::StopLoss => "STOP_LOSS",
            Self::StopLossLimit => "STOP_LOSS_LIMIT",
            Self::TakeProfit => "TAKE_PROFIT",
            Self::TakeProfitLimit => "TAKE_PROFIT_LIMIT",
        }
    }

    /// Waits for its stop price before it works.
    pub fn is_stop(self) -> bool {
        matches!(
            self,
            Self::StopLoss | Self::StopLossLimit | Self::TakeProfit | Self::TakeProfitLimit
        )
    }

    /// Has a limit price (rests on the book once working).
    pub fn has_price(self) -> bool {
        matches!(
            self,
            Self::Limit | Self::LimitMaker | Self::StopLossLimit | Self::TakeProfitLimit
        )
    }

    /// Executes like a MARKET order once working.
    pub fn is_market_like(self) -> bool {
        matches!(self, Self::Market | Self::StopLoss | Self::TakeProfit)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tif {
    Gtc,
    Ioc,
    Fok,
}

impl Tif {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s {
            "GTC" => Ok(Self::Gtc),
            "IOC" => Ok(Self::Ioc),
            "FOK" => Ok(Self::Fok),
            _ => Err(ApiError::new(400, -1115, "Invalid timeInForce.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gtc => "GTC",
            Self::Ioc => "IOC",
            Self::Fok => "FOK",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::PartiallyFilled => "PARTIALLY_FILLED",
            Self::Filled => "FILLED",
            Self::Canceled => "CANCELED",
            Self::Expired => "EXPIRED",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::PartiallyFilled)
    }
}

/// One execution of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    pub price: Decimal,
    pub qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub trade_id: u64,
    pub maker: bool,
}

/// An order the engine accepted, open or closed.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub symbol: String,
    pub id: u64,
    pub client_id: String,
    pub list_id: i64,
    pub side: Side,
    pub kind: Kind,
    pub tif: Tif,
    /// Limit price; zero for MARKET-like orders.
    pub price: Decimal,
    pub stop: Option<Decimal>,
    /// Base quantity ordered; zero for a MARKET order by `quoteOrderQty`.
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub executed: Decimal,
    pub cum_quote: Decimal,
    pub status: Status,
    pub time: i64,
    pub update_time: i64,
    pub working: bool,
    pub working_time: i64,
    pub locked: Decimal,
    /// Part of the displayed book (a working limit order with quantity left).
    pub resting: bool,
    pub fills: Vec<Fill>,
}

impl Order {
    pub fn remaining(&self) -> Decimal {
        self.qty - self.executed
    }

    /// Whether a trade or book price `p` reaches this order's limit.
    pub fn crosses(&self, p: Decimal) -> bool {
        if self.kind.is_market_like() {
            return true;
        }
        match self.side {
            Side::Buy => p <= self.price,
            Side::Sell => p >= self.price,
        }
    }

    /// Whether last price `p` triggers this stop order (spec §5's trigger directions).
    pub fn triggered_by(&self, p: Decimal) -> bool {
        let Some(stop) = self.stop else { return false };
        let rising = matches!(
            (self.kind, self.side),
            (Kind::StopLoss | Kind::StopLossLimit, Side::Buy)
                | (Kind::TakeProfit | Kind::TakeProfitLimit, Side::Sell)
        );
        if rising { p >= stop } else { p <= stop }
    }
}
