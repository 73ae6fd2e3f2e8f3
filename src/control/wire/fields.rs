//! Serde for the replica's fields whose types carry no `Deserialize` of their own (candles, sides,
//! an open order's `&'static str` kind) or that JSON cannot carry as they are (a NaN price is
//! written as `null`). The replica's derives name these functions with `#[serde(with = …)]`.
//!
//! Invariant: every value written here reads back equal (NaN reads back as NaN); a candle is the
//! compact array `[open_time, open, high, low, close, volume]`.

use crate::core::{OrderId, OrderKind, Side};
use crate::market::Candle;
use crate::replica::OpenOrder;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::VecDeque;

/// An `f64` that may be NaN: JSON has no NaN, so it travels as `null` and comes back as NaN.
pub mod float {
    use super::*;

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(*v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

type Row = (
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

fn row(c: &Candle) -> [serde_json::Value; 6] {
    let f = |x: f64| serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, Into::into);
    [
        c.open_time.into(),
        f(c.open),
        f(c.high),
        f(c.low),
        f(c.close),
        f(c.volume),
    ]
}

fn from_row(r: Row) -> Candle {
    let n = |x: Option<f64>| x.unwrap_or(f64::NAN);
    Candle {
        open_time: r.0,
        open: n(r.1),
        high: n(r.2),
        low: n(r.3),
        close: n(r.4),
        volume: n(r.5),
    }
}

pub mod candle {
    use super::*;

    pub fn serialize<S: Serializer>(c: &Candle, s: S) -> Result<S::Ok, S::Error> {
        row(c).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Candle, D::Error> {
        Row::deserialize(d).map(from_row)
    }
}

pub mod opt_candle {
    use super::*;

    pub fn serialize<S: Serializer>(c: &Option<Candle>, s: S) -> Result<S::Ok, S::Error> {
        c.as_ref().map(row).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Candle>, D::Error> {
        Ok(Option::<Row>::deserialize(d)?.map(from_row))
    }
}

pub mod candles {
    use super::*;

    pub fn serialize<S: Serializer>(c: &VecDeque<Candle>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(c.iter().map(row))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<VecDeque<Candle>, D::Error> {
        Ok(Vec::<Row>::deserialize(d)?
            .into_iter()
            .map(from_row)
            .collect())
    }
}

/// `Side` as Binance writes it: "BUY" or "SELL".
pub mod side {
    use super::*;

    pub fn serialize<S: Serializer>(side: &Side, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(side.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Side, D::Error> {
        let text = String::deserialize(d)?;
        parse_side(&text).ok_or_else(|| serde::de::Error::custom(format!("no side `{text}`")))
    }
}

pub(crate) fn parse_side(text: &str) -> Option<Side> {
    match text {
        "BUY" => Some(Side::Buy),
        "SELL" => Some(Side::Sell),
        _ => None,
    }
}

/// The book's last trade: `[price, quantity, side]` or null.
pub mod last_trade {
    use super::*;

    type Trade = Option<(f64, f64, Side)>;

    pub fn serialize<S: Serializer>(t: &Trade, s: S) -> Result<S::Ok, S::Error> {
        t.map(|(p, q, side)| (p, q, side.as_str())).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Trade, D::Error> {
        match Option::<(f64, f64, String)>::deserialize(d)? {
            None => Ok(None),
            Some((p, q, side)) => parse_side(&side)
                .map(|side| Some((p, q, side)))
                .ok_or_else(|| serde::de::Error::custom(format!("no side `{side}`"))),
        }
    }
}

/// An order kind's name (`OrderKind::name`) as the same `&'static str`.
pub fn kind_name(text: &str) -> Option<&'static str> {
    let z = Decimal::ZERO;
    [
        OrderKind::Market,
        OrderKind::Limit { price: z },
        OrderKind::StopLoss { stop: z },
        OrderKind::StopLossLimit { stop: z, price: z },
        OrderKind::TakeProfit { stop: z },
        OrderKind::TakeProfitLimit { stop: z, price: z },
    ]
    .iter()
    .map(OrderKind::name)
    .find(|n| *n == text)
}

/// An open order as it travels: `OpenOrder` with its kind as an owned name.
#[derive(Deserialize)]
struct OrderRow {
    id: OrderId,
    market: usize,
    symbol: String,
    #[serde(with = "side")]
    side: Side,
    kind: String,
    qty: String,
    price: Option<Decimal>,
    stop: Option<Decimal>,
    origin: String,
}

impl<'de> Deserialize<'de> for OpenOrder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = OrderRow::deserialize(d)?;
        let kind = kind_name(&r.kind)
            .ok_or_else(|| serde::de::Error::custom(format!("no order kind `{}`", r.kind)))?;
        Ok(Self {
            id: r.id,
            market: r.market,
            symbol: r.symbol,
            side: r.side,
            kind,
            qty: r.qty,
            price: r.price,
            stop: r.stop,
            origin: r.origin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Probe {
        #[serde(with = "candle")]
        c: Candle,
        #[serde(with = "opt_candle")]
        forming: Option<Candle>,
        #[serde(with = "float")]
        last: f64,
        #[serde(with = "side")]
        side: Side,
        #[serde(with = "last_trade")]
        trade: Option<(f64, f64, Side)>,
    }

    fn candle_at(t: i64) -> Candle {
        Candle {
            open_time: t,
            open: 1.5,
            high: 2.0,
            low: 1.0,
            close: 1.75,
            volume: 10.25,
        }
    }

    #[test]
    fn fields_read_back_as_written() {
        let p = Probe {
            c: candle_at(60_000),
            forming: None,
            last: 3.5,
            side: Side::Sell,
            trade: Some((1.0, 2.0, Side::Buy)),
        };
        let text = serde_json::to_string(&p).unwrap();
        assert!(
            text.contains(r#""c":[60000,1.5,2.0,1.0,1.75,10.25]"#),
            "{text}"
        );
        assert!(text.contains(r#""trade":[1.0,2.0,"BUY"]"#), "{text}");
        let back: Probe = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn nan_travels_as_null_and_comes_back() {
        let mut c = candle_at(0);
        c.close = f64::NAN;
        let p = Probe {
            c,
            forming: Some(c),
            last: f64::NAN,
            side: Side::Buy,
            trade: None,
        };
        let text = serde_json::to_string(&p).unwrap();
        assert!(text.contains(r#""last":null"#), "{text}");
        let back: Probe = serde_json::from_str(&text).unwrap();
        assert!(back.last.is_nan() && back.c.close.is_nan());
        assert!(
            back.forming
                .is_some_and(|f| f.close.is_nan() && f.open == 1.5)
        );
    }

    #[test]
    fn open_orders_read_back_and_unknown_sides_and_kinds_are_refused() {
        let order = OpenOrder {
            id: 9,
            market: 1,
            symbol: "ETHUSDT".into(),
            side: Side::Buy,
            kind: "STOP_LOSS_LIMIT",
            qty: "0.5 ETH".into(),
            price: Some("2500.10".parse().unwrap()),
            stop: Some("2510".parse().unwrap()),
            origin: "manual".into(),
        };
        let good = serde_json::to_string(&order).unwrap();
        assert_eq!(serde_json::from_str::<OpenOrder>(&good).unwrap(), order);
        let side = good.replace(r#""BUY""#, r#""HOLD""#);
        let err = serde_json::from_str::<OpenOrder>(&side).unwrap_err();
        assert!(err.to_string().contains("no side `HOLD`"), "{err}");
        let kind = good.replace(r#""STOP_LOSS_LIMIT""#, r#""ICEBERG""#);
        let err = serde_json::from_str::<OpenOrder>(&kind).unwrap_err();
        assert!(err.to_string().contains("no order kind `ICEBERG`"), "{err}");
    }
}
