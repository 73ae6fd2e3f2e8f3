//! What travels to and from Binance's trading endpoints: the incoming JSON (order responses
//! ACK/RESULT/FULL, order queries, open orders, account, my trades, OCO lists, error bodies) and
//! the outgoing order specs with their exact form parameters.
//!
//! Invariant: every price, quantity and amount is a `Decimal` parsed exactly, whether Binance sent
//! it as a JSON string (its habit) or as a JSON number: [`from_slice`] quotes fractional numbers
//! before serde sees them, so no value ever passes through `f64`.

mod numbers;
mod oco;
mod order;
mod report;

pub use numbers::quote_fractions;
pub(crate) use numbers::{dec, opt_dec};
pub use oco::{NewOco, OcoLeg};
pub use order::{ClientOrderId, NewOrder, OrderSpec, RespType, SessionTag};
pub use report::{
    Account, Balance, Canceled, ListOrder, MyTrade, OrderListReport, OrderReport, OrderState,
    TradeFill,
};

use crate::core::Side;
use serde::{Deserialize, Deserializer, de};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("invalid client order id `{0}`: Binance allows 1 to 36 of A-Z a-z 0-9 - _")]
    ClientId(String),
    #[error("invalid session tag `{0}`: use 1 to 11 ASCII letters or digits")]
    Session(String),
    #[error("unexpected JSON from Binance: {0}")]
    Json(String),
}

/// Parses a Binance answer, with fractional JSON numbers read exactly (see the module note).
pub fn from_slice<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(&quote_fractions(body)).map_err(|e| WireError::Json(e.to_string()))
}

/// Binance's error body: `{"code": -1121, "msg": "Invalid symbol."}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiError {
    pub code: i64,
    pub msg: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    Market,
    Limit,
    LimitMaker,
    StopLoss,
    StopLossLimit,
    TakeProfit,
    TakeProfitLimit,
    #[serde(other)]
    Other,
}

impl OrderType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Market => "MARKET",
            Self::Limit => "LIMIT",
            Self::LimitMaker => "LIMIT_MAKER",
            Self::StopLoss => "STOP_LOSS",
            Self::StopLossLimit => "STOP_LOSS_LIMIT",
            Self::TakeProfit => "TAKE_PROFIT",
            Self::TakeProfitLimit => "TAKE_PROFIT_LIMIT",
            Self::Other => "OTHER",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum TimeInForce {
    #[serde(rename = "GTC")]
    Gtc,
    #[serde(rename = "IOC")]
    Ioc,
    #[serde(rename = "FOK")]
    Fok,
}

impl TimeInForce {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gtc => "GTC",
            Self::Ioc => "IOC",
            Self::Fok => "FOK",
        }
    }
}

fn side_from(s: &str) -> Option<Side> {
    match s {
        "BUY" => Some(Side::Buy),
        "SELL" => Some(Side::Sell),
        _ => None,
    }
}

pub(crate) fn side<'de, D: Deserializer<'de>>(d: D) -> Result<Side, D::Error> {
    let s = String::deserialize(d)?;
    side_from(&s).ok_or_else(|| de::Error::custom(format!("`{s}` is not BUY or SELL")))
}

pub(crate) fn opt_side<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Side>, D::Error> {
    side(d).map(Some)
}

#[cfg(test)]
mod tests;
