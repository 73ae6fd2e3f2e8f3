//! Backtests: a strategy run by the trading core over stored history, against the simulated
//! exchange, with the same code paper and live trading use. The feed replays closed candles in time
//! order (several symbols share one account); equity is marked at each bar's close; the result
//! carries the trades, the equity curve, the metrics, how many orders each rule refused, and how
//! fast the engine ran.

mod feed;
mod load;
mod metrics;
mod recorder;
mod trades;

pub use feed::Feed;
pub use load::load;
pub use metrics::{Metrics, Sharpe};
pub use recorder::{Halted, Recorder};
pub use trades::{OpenTrade, RoundTrips, Trade, round_trips};

use crate::cancel::Cancel;
use crate::core::{Engine, Instrument};
use crate::exchange::{Exchange as _, FillPolicy, SimConfig, SimExchange};
use crate::market::{Interval, Symbol};
use crate::strategy::{self, Params, StrategyError};
use rust_decimal::{Decimal, prelude::ToPrimitive};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// Everything that defines a run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Spec {
    pub strategy: String,
    pub settings: Vec<(String, String)>,
    pub symbols: Vec<Symbol>,
    pub interval: Interval,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub cash: Decimal,
    pub maker_fee: Decimal,
    pub taker_fee: Decimal,
    pub slippage_bps: Decimal,
    pub fill: FillPolicy,
    /// Enforce Binance's tick, step and minimum-notional filters.
    pub filters: bool,
    /// Match orders on this finer interval inside each bar.
    pub detail: Option<Interval>,
    /// The `[risk]` rules the run obeys (runs stored before the risk layer read as all off).
    #[serde(default)]
    pub risk: crate::risk::RiskSettings,
}

impl Spec {
    /// The simulated exchange's settings of this run.
    pub fn sim(&self) -> SimConfig {
        SimConfig {
            fill: self.fill,
            slippage_bps: self.slippage_bps,
            maker_fee: self.maker_fee,
            taker_fee: self.taker_fee,
        }
    }

    /// A run on the config's `[backtest]` defaults (cash, fees, slippage, fill, filters).
    pub fn from_config(
        b: &crate::config::Backtest,
        strategy: &str,
        symbols: Vec<Symbol>,
        interval: Interval,
    ) -> Self {
        let mut s = Self::new(strategy, symbols, interval);
        s.cash = b.cash.0;
        s.maker_fee = b.maker_fee.0;
        s.taker_fee = b.taker_fee.0;
        s.slippage_bps = b.slippage_bps.0;
        s.fill = b.fill;
        s.filters = b.filters;
        s
    }

    /// A run with tickdesk's defaults: 10,000 USDT, 0.1 % fees, next-open fills, filters on.
    pub fn new(strategy: &str, symbols: Vec<Symbol>, interval: Interval) -> Self {
        Self {
            strategy: strategy.to_string(),
            settings: Vec::new(),
            symbols,
            interval,
            from: None,
            to: None,
            cash: Decimal::from(10_000),
            maker_fee: Decimal::new(1, 3),
            taker_fee: Decimal::new(1, 3),
            slippage_bps: Decimal::ZERO,
            fill: FillPolicy::NextOpen,
            filters: true,
            detail: None,
            risk: crate::risk::RiskSettings::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    pub engine_seconds: f64,
    pub bars: usize,
    pub bars_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub spec: Spec,
    pub params: Params,
    pub trades: Vec<Trade>,
    pub open_trades: Vec<OpenTrade>,
    pub open_times: Vec<i64>,
    pub equity: Vec<f64>,
    pub metrics: Metrics,
    /// Orders refused, by rule (`NOTIONAL`, `INSUFFICIENT_BALANCE`, …).
    pub refused: BTreeMap<String, usize>,
    /// The first refusals in full, for the report.
    pub refusal_samples: Vec<String>,
    /// When the risk layer halted trading, and why.
    pub halts: Vec<Halted>,
    pub unknown_filters: Vec<String>,
    pub timing: Timing,
    pub interrupted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error(transparent)]
    Strategy(#[from] StrategyError),
    #[error("{0}")]
    Data(String),
}

/// Runs `spec` over `feed` (the candles of `spec.symbols`, in that order).
pub fn run(spec: &Spec, feed: &Feed, cancel: Option<&Cancel>) -> Result<Outcome, BacktestError> {
    let (strategy, params) = strategy::build(&spec.strategy, &spec.settings)?;
    run_strategy(spec, strategy, params, feed, cancel)
}

/// Runs a strategy built by the caller (one not registered, or in a test) under `spec`'s
/// settings; `spec.strategy` and `spec.settings` only label the run.
pub fn run_strategy(
    spec: &Spec,
    strategy: Box<dyn strategy::Strategy>,
    params: Params,
    feed: &Feed,
    cancel: Option<&Cancel>,
) -> Result<Outcome, BacktestError> {
    let names: Vec<String> = spec.symbols.iter().map(|s| s.to_string()).collect();
    let exchange = SimExchange::for_symbols(spec.sim(), &names, spec.filters, spec.cash);
    let unknown_filters = names
        .iter()
        .enumerate()
        .filter(|&(i, _)| !exchange.rules(i).known)
        .map(|(_, n)| n.clone())
        .collect();
    let instruments = names
        .iter()
        .map(|s| Instrument { symbol: s.clone() })
        .collect();
    let mut engine = Engine::new(
        exchange,
        Recorder::new(names.clone()),
        instruments,
        spec.interval,
    );
    let names = [spec.strategy.as_str()];
    engine.set_risk(spec.risk.to_config(&names, spec.taker_fee));
    engine.add_strategy(strategy)?;
    engine.start();

    let started = Instant::now();
    let initial = spec.cash.to_f64().unwrap_or(0.0);
    let replay = feed.replay(&mut engine, cancel);
    let feed::Replay {
        open_times,
        equity,
        exposed,
        interrupted,
    } = replay;
    let (_, recorder) = engine.into_parts();
    let Recorder {
        trips,
        refused,
        refusal_samples,
        halts,
        ..
    } = recorder;
    let open_trades = trips.open_trades();
    let fees = trips.fees;
    let trades = trips.trades;
    let curve = metrics::Curve {
        open_times: &open_times,
        equity: &equity,
        initial,
        bar_ms: spec.interval.approx_ms(),
        end_ms: open_times.last().map_or(0, |&t| spec.interval.next(t)),
        exposed_bars: exposed,
    };
    let metrics = metrics::compute(&curve, &trades, fees, feed.buy_and_hold_pct());
    let secs = started.elapsed().as_secs_f64();
    Ok(Outcome {
        spec: spec.clone(),
        params,
        trades,
        open_trades,
        metrics,
        refused,
        refusal_samples,
        halts,
        unknown_filters,
        timing: Timing {
            engine_seconds: secs,
            bars: open_times.len(),
            bars_per_second: open_times.len() as f64 / secs.max(1e-9),
        },
        open_times,
        equity,
        interrupted,
    })
}
