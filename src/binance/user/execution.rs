//! `executionReport` (spec §10) as Binance sends it, and its conversion into an order update
//! plus, for `x = TRADE` with a trade id, the fill. Invariant: the client id reported is the
//! order's own (`C` on a cancel report, whose `c` is the cancel request's id), and amounts keep
//! Binance's exact decimal text.

use super::events::{ExecType, OrderUpdate, Source, UserFill};
use crate::binance::wire::{OrderState, OrderType, TimeInForce, dec};
use crate::core::Side;
use crate::market::Symbol;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

/// `executionReport`, the fields tickdesk uses (spec §10).
#[derive(Deserialize)]
pub struct RawExecution {
    s: String,
    c: String,
    #[serde(rename = "S")]
    side: String,
    o: OrderType,
    #[serde(default)]
    f: Option<String>,
    #[serde(deserialize_with = "dec")]
    q: Decimal,
    #[serde(deserialize_with = "dec")]
    p: Decimal,
    #[serde(rename = "P", default, deserialize_with = "opt_dec_null")]
    stop: Option<Decimal>,
    #[serde(default)]
    g: Option<i64>,
    #[serde(rename = "C", default)]
    orig_client_id: Option<String>,
    x: ExecType,
    #[serde(rename = "X")]
    status: OrderState,
    #[serde(default)]
    r: Option<String>,
    i: u64,
    #[serde(deserialize_with = "dec")]
    l: Decimal,
    #[serde(deserialize_with = "dec")]
    z: Decimal,
    #[serde(rename = "L", deserialize_with = "dec")]
    last_price: Decimal,
    #[serde(default, deserialize_with = "opt_dec_null")]
    n: Option<Decimal>,
    #[serde(rename = "N", default)]
    commission_asset: Option<String>,
    #[serde(rename = "T")]
    time: i64,
    t: i64,
    #[serde(default)]
    m: bool,
    #[serde(rename = "Z", default, deserialize_with = "opt_dec_null")]
    cum_quote: Option<Decimal>,
    #[serde(rename = "Y", default, deserialize_with = "opt_dec_null")]
    last_quote: Option<Decimal>,
}

/// A decimal that may be absent or `null`.
fn opt_dec_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => dec(v).map(Some).map_err(serde::de::Error::custom),
    }
}

fn tif(f: Option<&str>) -> Option<TimeInForce> {
    match f? {
        "GTC" => Some(TimeInForce::Gtc),
        "IOC" => Some(TimeInForce::Ioc),
        "FOK" => Some(TimeInForce::Fok),
        _ => None,
    }
}

impl RawExecution {
    pub fn into_update(self) -> Result<(OrderUpdate, Option<UserFill>), String> {
        let symbol: Symbol = self
            .s
            .parse()
            .map_err(|e| format!("executionReport: {e}"))?;
        let side = match self.side.as_str() {
            "BUY" => Side::Buy,
            "SELL" => Side::Sell,
            other => return Err(format!("executionReport: side `{other}`")),
        };
        let client_order_id = match &self.orig_client_id {
            Some(orig) if !orig.is_empty() => orig.clone(),
            _ => self.c.clone(),
        };
        let fill = self.fill(&symbol, side, &client_order_id);
        let update = OrderUpdate {
            symbol,
            order_id: self.i,
            client_order_id,
            order_list_id: self.g.filter(|g| *g >= 0),
            side,
            order_type: self.o,
            time_in_force: tif(self.f.as_deref()),
            status: self.status,
            execution: Some(self.x),
            reject_reason: self.r.filter(|r| r != "NONE"),
            qty: self.q,
            price: self.p,
            stop_price: self.stop.filter(|p| !p.is_zero()),
            filled_qty: self.z,
            filled_quote: self.cum_quote.filter(|q| !q.is_sign_negative()),
            time: self.time,
            source: Source::Stream,
        };
        Ok((update, fill))
    }

    /// The execution's fill: only `x = TRADE` with a trade id (`t` is -1 otherwise).
    fn fill(&self, symbol: &Symbol, side: Side, client_order_id: &str) -> Option<UserFill> {
        let trade_id = u64::try_from(self.t)
            .ok()
            .filter(|_| self.x == ExecType::Trade)?;
        Some(UserFill {
            symbol: symbol.clone(),
            trade_id,
            order_id: self.i,
            client_order_id: Some(client_order_id.to_string()),
            side,
            qty: self.l,
            price: self.last_price,
            quote_qty: self.last_quote.unwrap_or(self.l * self.last_price),
            commission: self.n.unwrap_or_default(),
            commission_asset: self.commission_asset.clone(),
            maker: self.m,
            time: self.time,
            source: Source::Stream,
        })
    }
}
