//! Strategies: the trait every strategy implements, declared parameters, and the built-ins.
//!
//! A strategy first declares what it reads (`setup`: series at any interval at least as coarse as
//! the run's, indicators over them), then reacts to closed candles, its fills and orders, and
//! timers, acting only through the `Ctx` it is handed. The same strategy runs unchanged in a
//! backtest, in paper trading and live. docs/strategies.md (below) walks through writing one; its
//! example is compiled and run as a test.
#![doc = include_str!("../docs/strategies.md")]

mod common;
mod mean_reversion;
mod momentum;
mod mtf_trend;
mod params;
mod rebalance;
mod sma_cross;

pub use params::{ParamSpec, Params, parse_setting};

use crate::core::{Ctx, Fill, OrderId, OrderStatus, Reject, SeriesId};
use crate::market::{Candle, Interval};

pub trait Strategy: Send {
    /// Declares series and indicators; called once, before any event.
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError>;

    /// Once, before the first bar.
    fn on_start(&mut self, _ctx: &mut Ctx<'_>) {}

    /// A candle of a declared series has closed.
    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: SeriesId, candle: &Candle);

    fn on_fill(&mut self, _ctx: &mut Ctx<'_>, _fill: &Fill) {}

    /// An order of this strategy ended without (further) fills: rejected, canceled or expired.
    fn on_order_closed(
        &mut self,
        _ctx: &mut Ctx<'_>,
        _order: OrderId,
        _status: OrderStatus,
        _reason: Option<&Reject>,
    ) {
    }

    fn on_timer(&mut self, _ctx: &mut Ctx<'_>, _id: u64) {}
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StrategyError {
    #[error("unknown strategy `{0}`; built-in strategies are {list}", list = names().join(", "))]
    Unknown(String),
    #[error("{0}")]
    Param(String),
    #[error("{0}")]
    Setup(String),
}

/// A strategy's name, description, parameters and constructor.
pub struct StrategyInfo {
    pub name: &'static str,
    pub about: &'static str,
    pub params: &'static [ParamSpec],
    pub build: fn(&Params) -> Box<dyn Strategy>,
}

static BUILTIN: [&StrategyInfo; 5] = [
    &sma_cross::INFO,
    &momentum::INFO,
    &mean_reversion::INFO,
    &mtf_trend::INFO,
    &rebalance::INFO,
];

pub fn builtins() -> &'static [&'static StrategyInfo] {
    &BUILTIN
}

fn names() -> Vec<&'static str> {
    BUILTIN.iter().map(|s| s.name).collect()
}

pub fn find(name: &str) -> Result<&'static StrategyInfo, StrategyError> {
    BUILTIN
        .iter()
        .copied()
        .find(|s| s.name == name)
        .ok_or_else(|| StrategyError::Unknown(name.to_string()))
}

/// Builds a strategy from its defaults overlaid with `key=value` settings.
pub fn build(
    name: &str,
    settings: &[(String, String)],
) -> Result<(Box<dyn Strategy>, Params), StrategyError> {
    let info = find(name)?;
    let params = Params::resolve(info, settings)?;
    Ok(((info.build)(&params), params))
}

/// What a strategy may declare during `setup`. The engine implements it.
pub struct Setup<'a> {
    pub(crate) engine: &'a mut dyn SetupHost,
}

/// The engine side of `Setup`.
pub(crate) trait SetupHost {
    fn instruments(&self) -> Vec<String>;
    fn base_interval(&self) -> Interval;
    fn series(&mut self, instrument: usize, interval: Interval) -> Result<SeriesId, StrategyError>;
    fn keep(&mut self, series: SeriesId, candles: usize);
    fn indicator(&mut self, series: SeriesId, expr: &str) -> Result<usize, StrategyError>;
}

impl Setup<'_> {
    /// The symbols of the run, by instrument index.
    pub fn instruments(&self) -> Vec<String> {
        self.engine.instruments()
    }

    /// The interval the run's candles arrive at.
    pub fn base_interval(&self) -> Interval {
        self.engine.base_interval()
    }

    /// Subscribes to an instrument at `interval` (the run's, or a coarser one it nests in: its
    /// candles then arrive as each closes).
    pub fn series(
        &mut self,
        instrument: usize,
        interval: Interval,
    ) -> Result<SeriesId, StrategyError> {
        self.engine.series(instrument, interval)
    }

    /// Keeps at least `candles` closed candles of a series for `Ctx::candles`.
    pub fn keep(&mut self, series: SeriesId, candles: usize) {
        self.engine.keep(series, candles);
    }

    /// An indicator over a series, from an expression such as `rsi(14)` or `bbands(20,2).lower`.
    pub fn indicator(&mut self, series: SeriesId, expr: &str) -> Result<usize, StrategyError> {
        self.engine.indicator(series, expr)
    }
}
