//! Klines, the fake's first endpoint (the `fetch` tests use it): candle series the test holds per
//! symbol and interval (plus one still-forming candle), `GET /api/v3/klines` answered with 12-element
//! arrays as spec §4 lays them out, the log of every klines request, and the `<s>@kline_<i>`
//! stream payload. Invariant: answers hold only held candles, ascending by open time; with a
//! `startTime` the oldest from there, without one the newest up to `endTime`.

use super::faults::Fault;
use super::rest::Answer;
use super::wire::{ApiError, Fmt, Params};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tickdesk::market::{Candle, Interval};

/// One klines request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub symbol: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub limit: i64,
    pub fault: Option<Fault>,
}

#[derive(Debug, Default)]
pub struct Klines {
    pub series: BTreeMap<(String, Interval), Vec<Candle>>,
    /// A candle still forming, served like Binance does but never closed.
    pub forming: BTreeMap<(String, Interval), Candle>,
    pub log: Vec<Request>,
}

fn window(params: &Params) -> (Option<i64>, Option<i64>, i64) {
    let num = |k: &str| params.get(k).and_then(|v| v.parse::<i64>().ok());
    (
        num("startTime"),
        num("endTime"),
        num("limit").unwrap_or(500).clamp(1, 1000),
    )
}

impl Klines {
    pub fn log(&mut self, params: &Params, fault: Option<Fault>) {
        let (start, end, limit) = window(params);
        self.log.push(Request {
            symbol: params.get("symbol").unwrap_or("").to_string(),
            start,
            end,
            limit,
            fault,
        });
    }

    pub fn answer(&self, params: &Params, fmt: Fmt) -> Result<Answer, ApiError> {
        let (start, end, limit) = window(params);
        let Ok(interval) = params.get("interval").unwrap_or("").parse::<Interval>() else {
            return Err(ApiError::new(400, -1120, "Invalid interval."));
        };
        let key = (params.get("symbol").unwrap_or("").to_string(), interval);
        let Some(all) = self.series.get(&key) else {
            return Err(ApiError::bad_symbol());
        };
        let picked: Vec<&Candle> = all
            .iter()
            .chain(self.forming.get(&key))
            .filter(|c| {
                start.is_none_or(|t| c.open_time >= t) && end.is_none_or(|t| c.open_time <= t)
            })
            .collect();
        let n = usize::try_from(limit).unwrap();
        let picked = if start.is_none() {
            &picked[picked.len().saturating_sub(n)..]
        } else {
            &picked[..picked.len().min(n)]
        };
        let rows: Vec<Value> = picked.iter().map(|c| row(c, interval, fmt)).collect();
        Ok(Answer::json(Value::Array(rows)))
    }
}

/// A price or volume as Binance writes it (8 decimals), or as a JSON number.
fn num(x: f64, fmt: Fmt) -> Value {
    if fmt.numbers {
        Value::from(x)
    } else {
        Value::String(format!("{x:.8}"))
    }
}

/// The 12-element REST kline array.
pub fn row(c: &Candle, interval: Interval, fmt: Fmt) -> Value {
    let close_time = interval.next(c.open_time) - 1;
    json!([
        c.open_time,
        num(c.open, fmt),
        num(c.high, fmt),
        num(c.low, fmt),
        num(c.close, fmt),
        num(c.volume, fmt),
        close_time,
        num(c.volume * c.close, fmt),
        100,
        num(c.volume / 2.0, fmt),
        num(c.volume * c.close / 2.0, fmt),
        "0"
    ])
}

/// The `<s>@kline_<i>` payload for a candle, closed (`x`) or still forming.
pub fn event(
    symbol: &str,
    interval: Interval,
    c: &Candle,
    closed: bool,
    now: i64,
    fmt: Fmt,
) -> Value {
    let k = json!({"t": c.open_time, "T": interval.next(c.open_time) - 1, "s": symbol,
        "i": interval.as_str(), "f": 100, "L": 199, "o": num(c.open, fmt), "c": num(c.close, fmt),
        "h": num(c.high, fmt), "l": num(c.low, fmt), "v": num(c.volume, fmt), "n": 100,
        "x": closed, "q": num(c.volume * c.close, fmt), "V": num(c.volume / 2.0, fmt),
        "Q": num(c.volume * c.close / 2.0, fmt), "B": "0"});
    json!({"e": "kline", "E": now, "s": symbol, "k": k})
}
