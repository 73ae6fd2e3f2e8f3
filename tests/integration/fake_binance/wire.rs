//! Wire-level vocabulary of the fake: Binance's error answer (`{"code","msg"}` plus the HTTP status
//! it travels with), request parameters as Binance reads them (query string wins over the body),
//! and how decimals go out (8-decimal strings as Binance sends them, or JSON numbers when a test
//! flips the switch). Invariant: every number the fake sends passes through `Fmt`.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::{collections::BTreeMap, str::FromStr};

/// A Binance error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: i64,
    pub msg: String,
    /// Seconds for a `Retry-After` header, when the refusal carries one.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: i64, msg: impl Into<String>) -> Self {
        Self {
            status,
            code,
            msg: msg.into(),
            retry_after: None,
        }
    }

    pub fn missing(name: &str) -> Self {
        Self::new(
            400,
            -1102,
            format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."),
        )
    }

    pub fn bad_symbol() -> Self {
        Self::new(400, -1121, "Invalid symbol.")
    }

    pub fn filter(name: &str) -> Self {
        Self::new(400, -1013, format!("Filter failure: {name}"))
    }

    /// `-2010 NEW_ORDER_REJECTED` with the matching engine's reason.
    pub fn rejected(msg: &str) -> Self {
        Self::new(400, -2010, msg)
    }

    pub fn insufficient_balance() -> Self {
        Self::rejected("Account has insufficient balance for requested action.")
    }

    pub fn unknown_order() -> Self {
        Self::new(400, -2011, "Unknown order sent.")
    }

    pub fn no_such_order() -> Self {
        Self::new(400, -2013, "Order does not exist.")
    }

    pub fn invalid_signature() -> Self {
        Self::new(400, -1022, "Signature for this request is not valid.")
    }

    pub fn body(&self) -> String {
        json!({"code": self.code, "msg": self.msg}).to_string()
    }
}

/// Request parameters by name, decoded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub BTreeMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn req(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::missing(name))
    }

    pub fn dec(&self, name: &str) -> Result<Option<Decimal>, ApiError> {
        self.get(name)
            .map(|v| {
                Decimal::from_str(v).map_err(|_| {
                    ApiError::new(
                        400,
                        -1100,
                        format!("Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'."),
                    )
                })
            })
            .transpose()
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.split('.')
                    .next()
                    .unwrap_or("")
                    .parse::<i64>()
                    .map_err(|_| ApiError::missing(name))
            })
            .transpose()
    }
}

/// How decimals are written: Binance's 8-decimal strings, or JSON numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fmt {
    pub numbers: bool,
}

impl Fmt {
    pub fn dec(self, d: Decimal) -> Value {
        if self.numbers {
            Value::from(d.normalize().to_string().parse::<f64>().unwrap())
        } else {
            Value::String(format!("{d:.8}"))
        }
    }

    /// Price levels as `[["price","qty"],…]`.
    pub fn levels(self, levels: &[(Decimal, Decimal)]) -> Value {
        Value::Array(
            levels
                .iter()
                .map(|(p, q)| json!([self.dec(*p), self.dec(*q)]))
                .collect(),
        )
    }
}
