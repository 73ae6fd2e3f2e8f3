//! Parsing of what the WebSocket API sends (spec §9–10): responses `{id, status, result | error,
//! rateLimits}` and user events `{"subscriptionId": N, "event": {…}}`, plus the bare
//! `serverShutdown` warning. Execution reports become an [`OrderUpdate`] and, for `x = TRADE`, a
//! [`UserFill`]. Invariant: decimals are read exactly whether sent as strings or JSON numbers
//! (`wire::quote_fractions` runs first); a frame yields one [`Frame`] or a reason it is malformed,
//! never a panic.

use super::events::{AccountPosition, BalanceDelta, OrderUpdate, Source, UserFill};
use super::execution::RawExecution;
use crate::binance::wire::{Balance, dec, quote_fractions};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Response(Response),
    Event {
        subscription_id: u64,
        event: Payload,
    },
    /// The server will close this connection soon.
    Shutdown,
}

/// One user-data event.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Execution(Box<OrderUpdate>, Option<Box<UserFill>>),
    Position(AccountPosition),
    Balance(BalanceDelta),
    /// `eventStreamTerminated`: the subscription is over (after logout or unsubscribe).
    Terminated,
    /// An event type tickdesk does not use (`externalLockUpdate`, …), by name.
    Other(String),
}

/// An answer to one of our requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Our request id (we only send integers).
    pub id: Option<u64>,
    pub status: u16,
    pub result: Option<Value>,
    pub error: Option<ApiFailure>,
    /// The 1-minute `REQUEST_WEIGHT` count from `rateLimits`, when present.
    pub used_weight: Option<u32>,
}

/// The `error` of a response, with `retryAfter` (epoch ms) on 429/418.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub code: i64,
    pub msg: String,
    pub retry_after_ms: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<RawError>,
    #[serde(default)]
    rate_limits: Option<Vec<RateLimit>>,
    #[serde(default)]
    subscription_id: Option<u64>,
    #[serde(default)]
    event: Option<Value>,
    #[serde(default)]
    e: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    code: i64,
    msg: String,
    #[serde(default)]
    data: Option<ErrorData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorData {
    #[serde(default)]
    retry_after: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimit {
    rate_limit_type: String,
    interval: String,
    interval_num: u32,
    #[serde(default)]
    count: Option<u32>,
}

/// Parses one text frame.
pub fn parse(frame: &[u8]) -> Result<Frame, String> {
    let json = quote_fractions(frame);
    let head: Head = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
    if head.e.as_deref() == Some("serverShutdown") {
        return Ok(Frame::Shutdown);
    }
    if let (Some(subscription_id), Some(event)) = (head.subscription_id, head.event) {
        return Ok(Frame::Event {
            subscription_id,
            event: payload(event)?,
        });
    }
    let Some(status) = head.status else {
        return Err("neither a response nor a user event".to_string());
    };
    let used_weight = head.rate_limits.iter().flatten().find_map(|r| {
        let minute =
            r.rate_limit_type == "REQUEST_WEIGHT" && r.interval == "MINUTE" && r.interval_num == 1;
        minute.then_some(r.count).flatten()
    });
    Ok(Frame::Response(Response {
        id: head.id.as_ref().and_then(Value::as_u64),
        status,
        result: head.result,
        error: head.error.map(|e| ApiFailure {
            code: e.code,
            msg: e.msg,
            retry_after_ms: e.data.and_then(|d| d.retry_after),
        }),
        used_weight,
    }))
}

fn payload(event: Value) -> Result<Payload, String> {
    let kind = event
        .get("e")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let named = |e: serde_json::Error| format!("{kind}: {e}");
    match kind.as_str() {
        "executionReport" => {
            let raw: RawExecution = serde_json::from_value(event).map_err(named)?;
            let (update, fill) = raw.into_update()?;
            Ok(Payload::Execution(Box::new(update), fill.map(Box::new)))
        }
        "outboundAccountPosition" => {
            let raw: RawPosition = serde_json::from_value(event).map_err(named)?;
            Ok(Payload::Position(AccountPosition {
                event_time: raw.event_time,
                update_time: raw.update_time,
                balances: raw
                    .balances
                    .into_iter()
                    .map(RawBalance::into_balance)
                    .collect(),
                source: Source::Stream,
            }))
        }
        "balanceUpdate" => {
            let raw: RawDelta = serde_json::from_value(event).map_err(named)?;
            Ok(Payload::Balance(BalanceDelta {
                asset: raw.asset,
                delta: raw.delta,
                clear_time: raw.clear_time,
                event_time: raw.event_time,
            }))
        }
        "eventStreamTerminated" => Ok(Payload::Terminated),
        other => Ok(Payload::Other(other.to_string())),
    }
}

#[derive(Deserialize)]
struct RawPosition {
    #[serde(rename = "E")]
    event_time: i64,
    #[serde(rename = "u")]
    update_time: i64,
    #[serde(rename = "B")]
    balances: Vec<RawBalance>,
}

#[derive(Deserialize)]
struct RawBalance {
    a: String,
    #[serde(deserialize_with = "dec")]
    f: Decimal,
    #[serde(deserialize_with = "dec")]
    l: Decimal,
}

impl RawBalance {
    fn into_balance(self) -> Balance {
        Balance {
            asset: self.a,
            free: self.f,
            locked: self.l,
        }
    }
}

#[derive(Deserialize)]
struct RawDelta {
    #[serde(rename = "E")]
    event_time: i64,
    #[serde(rename = "a")]
    asset: String,
    #[serde(rename = "d", deserialize_with = "dec")]
    delta: Decimal,
    #[serde(rename = "T")]
    clear_time: i64,
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
