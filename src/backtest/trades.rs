//! Round trips from fills: a trade opens when an instrument's position leaves zero and closes when
//! it returns to zero. Entry and exit prices are quantity-weighted averages of the buys and sells;
//! profit is what the sells brought in minus what the buys cost, fees included on both sides.
//! These are statistics, so they accumulate in `f64` from each fill's decimal amounts (the account
//! itself stays decimal); whether a position is flat is decided on the decimal quantities.

use crate::core::{Fill, Side, to_f64};
use rust_decimal::Decimal;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Trade {
    /// Shared between the trades of one instrument (one allocation per symbol, not per trade).
    pub symbol: Arc<str>,
    pub entry_time_ms: i64,
    pub entry_price: f64,
    pub exit_time_ms: i64,
    pub exit_price: f64,
    pub qty: f64,
    pub pnl: f64,
    pub fees: f64,
    pub return_pct: f64,
}

/// A position still open when the run ended.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct OpenTrade {
    pub symbol: String,
    pub entry_time_ms: i64,
    pub entry_price: f64,
    pub qty: f64,
    pub fees: f64,
}

#[derive(Debug, Clone, Default)]
struct Building {
    entry_time: i64,
    held: Decimal,
    bought: f64,
    buy_notional: f64,
    buy_fees: f64,
    sold: f64,
    sell_notional: f64,
    sell_fees: f64,
}

fn avg(amount: f64, qty: f64) -> f64 {
    if qty == 0.0 { f64::NAN } else { amount / qty }
}

/// Round trips built fill by fill, so a backtest never keeps its fills.
#[derive(Debug, Clone)]
pub struct RoundTrips {
    symbols: Vec<Arc<str>>,
    open: Vec<Option<Building>>,
    pub trades: Vec<Trade>,
    pub fills: usize,
    pub fees: f64,
}

impl RoundTrips {
    /// `symbols[i]` names instrument `i`.
    pub fn new(symbols: Vec<String>) -> Self {
        Self {
            open: vec![None; symbols.len()],
            symbols: symbols.into_iter().map(Arc::from).collect(),
            trades: Vec::new(),
            fills: 0,
            fees: 0.0,
        }
    }

    pub fn add(&mut self, fill: &Fill) {
        let (qty, notional, fee) = (to_f64(fill.qty), to_f64(fill.quote), to_f64(fill.fee));
        self.fills += 1;
        self.fees += fee;
        let slot = &mut self.open[fill.instrument];
        let b = slot.get_or_insert_with(|| Building {
            entry_time: fill.time,
            ..Building::default()
        });
        match fill.side {
            Side::Buy => {
                b.held += fill.qty;
                b.bought += qty;
                b.buy_notional += notional;
                b.buy_fees += fee;
            }
            Side::Sell => {
                b.held -= fill.qty;
                b.sold += qty;
                b.sell_notional += notional;
                b.sell_fees += fee;
            }
        }
        if b.held <= Decimal::ZERO
            && let Some(done) = slot.take()
        {
            self.trades
                .push(close(&done, fill.time, &self.symbols[fill.instrument]));
        }
    }

    /// Positions not closed yet.
    pub fn open_trades(&self) -> Vec<OpenTrade> {
        self.open
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let b = b.as_ref()?;
                Some(OpenTrade {
                    symbol: self.symbols[i].to_string(),
                    entry_time_ms: b.entry_time,
                    entry_price: avg(b.buy_notional, b.bought),
                    qty: to_f64(b.held),
                    fees: b.buy_fees + b.sell_fees,
                })
            })
            .collect()
    }
}

/// Pairs fills into trades per instrument; `symbols[i]` names instrument `i`.
pub fn round_trips(fills: &[Fill], symbols: &[String]) -> (Vec<Trade>, Vec<OpenTrade>) {
    let mut r = RoundTrips::new(symbols.to_vec());
    for fill in fills {
        r.add(fill);
    }
    let open = r.open_trades();
    (r.trades, open)
}

fn close(b: &Building, exit_time: i64, symbol: &Arc<str>) -> Trade {
    let cost = b.buy_notional + b.buy_fees;
    let pnl = (b.sell_notional - b.sell_fees) - cost;
    Trade {
        symbol: Arc::clone(symbol),
        entry_time_ms: b.entry_time,
        entry_price: avg(b.buy_notional, b.bought),
        exit_time_ms: exit_time,
        exit_price: avg(b.sell_notional, b.sold),
        qty: b.bought,
        pnl,
        fees: b.buy_fees + b.sell_fees,
        return_pct: if cost == 0.0 { 0.0 } else { pnl / cost * 100.0 },
    }
}
