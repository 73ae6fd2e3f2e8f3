//! Duplicate and out-of-date events, dropped before they reach the core. A planned switch to a new
//! connection (the 24-hour cut, `serverShutdown`) reads both sockets for a moment, so the new one
//! repeats what the old one already delivered. Invariant: per symbol, delivered agg trades have
//! strictly increasing ids, tickers strictly increasing update ids, and klines of one interval
//! increasing (open time, closed, event time), a repeat of the same key passing only with a
//! different bar. Depth diffs need no filter here: the book synchroniser ignores what its book
//! already holds.

use super::payload::Payload;
use crate::market::{Candle, Interval, Symbol};
use std::collections::HashMap;

/// (open time, closed, event time): the order klines of one series arrive in.
type KlineKey = (i64, bool, i64);

#[derive(Debug, Default)]
pub struct Dedupe {
    trades: HashMap<Symbol, u64>,
    tickers: HashMap<Symbol, u64>,
    /// Per series: (open time, closed, event time) and the bar last delivered.
    klines: HashMap<(Symbol, Interval), (KlineKey, Candle)>,
}

impl Dedupe {
    /// Whether the payload is new; records it when it is.
    pub fn admit(&mut self, payload: &Payload) -> bool {
        match payload {
            Payload::Trade(t) => advance(&mut self.trades, &t.symbol, t.id),
            Payload::Ticker(t) => advance(&mut self.tickers, &t.symbol, t.update_id),
            Payload::Kline(k) => {
                let key = (k.candle.open_time, k.closed, k.event_time);
                let id = (k.symbol.clone(), k.interval);
                match self.klines.get(&id) {
                    Some((last, bar)) if *last > key || (*last == key && *bar == k.candle) => false,
                    _ => {
                        self.klines.insert(id, (key, k.candle));
                        true
                    }
                }
            }
            Payload::Depth(..) | Payload::Shutdown => true,
        }
    }
}

fn advance(seen: &mut HashMap<Symbol, u64>, symbol: &Symbol, id: u64) -> bool {
    match seen.get_mut(symbol) {
        Some(last) if *last >= id => false,
        Some(last) => {
            *last = id;
            true
        }
        None => {
            seen.insert(symbol.clone(), id);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::stream::events::{AggTrade, KlineUpdate};
    use rust_decimal::Decimal;

    fn trade(symbol: &str, id: u64) -> Payload {
        Payload::Trade(AggTrade {
            symbol: symbol.parse().unwrap(),
            id,
            price: Decimal::ONE,
            qty: Decimal::ONE,
            first_trade_id: id,
            last_trade_id: id,
            trade_time: 0,
            event_time: 0,
            buyer_is_maker: false,
        })
    }

    fn kline(open_time: i64, closed: bool, event_time: i64) -> Payload {
        Payload::Kline(KlineUpdate {
            symbol: "BTCUSDT".parse().unwrap(),
            interval: Interval::M1,
            candle: Candle {
                open_time,
                open: 1.0,
                high: 1.0,
                low: 1.0,
                close: 1.0,
                volume: 0.0,
            },
            closed,
            close_time: open_time + 59_999,
            event_time,
        })
    }

    #[test]
    fn trades_pass_once_in_id_order_per_symbol() {
        let mut d = Dedupe::default();
        let admitted: Vec<bool> = [
            ("BTCUSDT", 5),
            ("BTCUSDT", 6),
            ("ETHUSDT", 1),
            ("BTCUSDT", 6),
        ]
        .into_iter()
        .chain([("BTCUSDT", 4), ("ETHUSDT", 2), ("BTCUSDT", 7)])
        .map(|(s, id)| d.admit(&trade(s, id)))
        .collect();
        assert_eq!(admitted, [true, true, true, false, false, true, true]);
    }

    #[test]
    fn klines_repeat_and_go_back_in_time_never() {
        let mut d = Dedupe::default();
        let seq = [
            kline(0, false, 2_000),
            kline(0, false, 4_000),
            kline(0, false, 2_000), // replayed from the new socket
            kline(0, true, 60_000),
            kline(0, false, 58_000), // forming after closed: stale
            kline(0, true, 60_000),  // the closed bar again
            kline(60_000, false, 62_000),
        ];
        let admitted: Vec<bool> = seq.iter().map(|p| d.admit(p)).collect();
        assert_eq!(admitted, [true, true, false, true, false, false, true]);
        let Payload::Kline(mut moved) = kline(60_000, false, 62_000) else {
            unreachable!()
        };
        moved.candle.close = 2.0;
        assert!(
            d.admit(&Payload::Kline(moved)),
            "same event time, different bar: new"
        );
    }
}
