//! Parsing of combined-stream frames (`{"stream":"<name>","data":{…}}`, spec §8) into typed
//! payloads, and of the `/api/v3/depth` body into a [`DepthSnapshot`]. Prices and quantities are
//! read exactly whether Binance wrote them as strings or as JSON numbers (fractions are quoted by
//! `wire::quote_fractions` before serde sees them); candle prices become the core's `f64` straight
//! from that decimal text. Invariant: a frame either yields one payload or a [`FrameError`] saying
//! why; nothing here panics on hostile input.

use super::events::{AggTrade, BookTicker, KlineUpdate};
use crate::binance::book::{DepthDiff, DepthSnapshot};
use crate::binance::wire::{dec, quote_fractions};
use crate::market::{Candle, Interval, Symbol};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, de};
use std::fmt;

/// One frame's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Kline(KlineUpdate),
    Trade(AggTrade),
    Ticker(BookTicker),
    Depth(Symbol, DepthDiff),
    /// `{"e":"serverShutdown"}`: the server will close this connection soon.
    Shutdown,
}

impl Payload {
    /// Binance's `E` (ms), for latency; `bookTicker` carries none.
    pub fn event_time(&self) -> Option<i64> {
        match self {
            Self::Kline(k) => Some(k.event_time),
            Self::Trade(t) => Some(t.event_time),
            Self::Depth(_, d) => Some(d.event_time),
            Self::Ticker(_) | Self::Shutdown => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Well-formed JSON about something the feed does not handle (a control answer, a stream kind
    /// it did not subscribe to).
    #[error("unhandled frame: {0}")]
    Unknown(String),
    #[error("malformed frame: {0}")]
    Malformed(String),
}

/// Parses one text (or binary) frame.
pub fn parse_frame(frame: &[u8]) -> Result<Payload, FrameError> {
    let json = quote_fractions(frame);
    let head: Head = serde_json::from_slice(&json).map_err(malformed)?;
    let is_shutdown = |e: &Option<String>| e.as_deref() == Some("serverShutdown");
    if is_shutdown(&head.e) || head.data.as_ref().is_some_and(|d| is_shutdown(&d.e)) {
        return Ok(Payload::Shutdown);
    }
    let Some(stream) = head.stream else {
        return Err(FrameError::Unknown(excerpt(frame)));
    };
    let kind = stream.split_once('@').map_or("", |(_, kind)| kind);
    match kind {
        "bookTicker" => data::<TickerWire>(&json).map(|t| Payload::Ticker(t.into())),
        "aggTrade" => data::<TradeWire>(&json).map(|t| Payload::Trade(t.into())),
        "depth" | "depth@100ms" | "depth@1000ms" => {
            data::<DepthWire>(&json).map(DepthWire::payload)
        }
        k if k.starts_with("kline_") => data::<KlineWire>(&json).and_then(KlineWire::payload),
        _ => Err(FrameError::Unknown(format!("stream `{stream}`"))),
    }
}

/// The `/api/v3/depth` answer.
pub fn parse_snapshot(body: &[u8]) -> Result<DepthSnapshot, FrameError> {
    let wire: SnapshotWire = serde_json::from_slice(&quote_fractions(body)).map_err(malformed)?;
    Ok(DepthSnapshot {
        last_update_id: wire.last_update_id,
        bids: levels(wire.bids),
        asks: levels(wire.asks),
    })
}

fn data<T: de::DeserializeOwned>(json: &[u8]) -> Result<T, FrameError> {
    serde_json::from_slice::<Wrapped<T>>(json)
        .map(|w| w.data)
        .map_err(malformed)
}

fn malformed(e: serde_json::Error) -> FrameError {
    FrameError::Malformed(e.to_string())
}

fn excerpt(frame: &[u8]) -> String {
    String::from_utf8_lossy(frame).chars().take(120).collect()
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    stream: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    data: Option<HeadData>,
}

#[derive(Deserialize)]
struct HeadData {
    #[serde(default)]
    e: Option<String>,
}

#[derive(Deserialize)]
struct Wrapped<T> {
    data: T,
}

/// A decimal from a JSON string or number.
#[derive(Deserialize)]
struct Dec(#[serde(deserialize_with = "dec")] Decimal);

fn levels(wire: Vec<(Dec, Dec)>) -> Vec<(Decimal, Decimal)> {
    wire.into_iter().map(|(p, q)| (p.0, q.0)).collect()
}

#[derive(Deserialize)]
struct SnapshotWire {
    #[serde(rename = "lastUpdateId")]
    last_update_id: u64,
    bids: Vec<(Dec, Dec)>,
    asks: Vec<(Dec, Dec)>,
}

#[derive(Deserialize)]
struct DepthWire {
    #[serde(rename = "E")]
    event_time: i64,
    s: Symbol,
    #[serde(rename = "U")]
    first_id: u64,
    #[serde(rename = "u")]
    final_id: u64,
    b: Vec<(Dec, Dec)>,
    a: Vec<(Dec, Dec)>,
}

impl DepthWire {
    fn payload(self) -> Payload {
        let diff = DepthDiff {
            first_id: self.first_id,
            final_id: self.final_id,
            event_time: self.event_time,
            bids: levels(self.b),
            asks: levels(self.a),
        };
        Payload::Depth(self.s, diff)
    }
}

#[derive(Deserialize)]
struct TickerWire {
    u: u64,
    s: Symbol,
    b: Dec,
    #[serde(rename = "B")]
    bid_qty: Dec,
    a: Dec,
    #[serde(rename = "A")]
    ask_qty: Dec,
}

impl From<TickerWire> for BookTicker {
    fn from(w: TickerWire) -> Self {
        Self {
            symbol: w.s,
            update_id: w.u,
            bid: w.b.0,
            bid_qty: w.bid_qty.0,
            ask: w.a.0,
            ask_qty: w.ask_qty.0,
        }
    }
}

#[derive(Deserialize)]
struct TradeWire {
    #[serde(rename = "E")]
    event_time: i64,
    s: Symbol,
    a: u64,
    p: Dec,
    q: Dec,
    f: u64,
    l: u64,
    #[serde(rename = "T")]
    trade_time: i64,
    m: bool,
}

impl From<TradeWire> for AggTrade {
    fn from(w: TradeWire) -> Self {
        Self {
            symbol: w.s,
            id: w.a,
            price: w.p.0,
            qty: w.q.0,
            first_trade_id: w.f,
            last_trade_id: w.l,
            trade_time: w.trade_time,
            event_time: w.event_time,
            buyer_is_maker: w.m,
        }
    }
}

#[derive(Deserialize)]
struct KlineWire {
    #[serde(rename = "E")]
    event_time: i64,
    s: Symbol,
    k: KlineBody,
}

#[derive(Deserialize)]
struct KlineBody {
    t: i64,
    #[serde(rename = "T")]
    close_time: i64,
    i: Interval,
    o: F64,
    h: F64,
    l: F64,
    c: F64,
    v: F64,
    x: bool,
}

impl KlineWire {
    fn payload(self) -> Result<Payload, FrameError> {
        let k = self.k;
        let candle = Candle {
            open_time: k.t,
            open: k.o.0,
            high: k.h.0,
            low: k.l.0,
            close: k.c.0,
            volume: k.v.0,
        };
        candle
            .check()
            .map_err(|f| FrameError::Malformed(format!("kline {} {}: {f}", self.s, k.t)))?;
        Ok(Payload::Kline(KlineUpdate {
            symbol: self.s,
            interval: k.i,
            candle,
            closed: k.x,
            close_time: k.close_time,
            event_time: self.event_time,
        }))
    }
}

/// A candle value: the nearest `f64` to Binance's decimal text (or integer).
struct F64(f64);

impl<'de> Deserialize<'de> for F64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(F64Visitor).map(F64)
    }
}

struct F64Visitor;

impl de::Visitor<'_> for F64Visitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string holding one")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| E::custom(format!("`{v}` is not a finite number")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
}
