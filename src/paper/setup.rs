//! What a paper session is made of, and building it from the config and the candle store.

use crate::backtest::Spec;
use crate::config::Config;
use crate::exchange::SimConfig;
use crate::export::select;
use crate::journal::Journal;
use crate::market::{Candle, Interval, SeriesKey, Symbol, time::parse_datetime};
use crate::replica::Speed;
use crate::store::{Range, Store};
use crate::strategy::StrategyError;
use rust_decimal::Decimal;

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    Strategy(#[from] StrategyError),
    #[error("{0}")]
    Data(String),
    #[error(
        "paper.start = `{0}` is not a date: use a UTC date or time such as 2025-08-01 or 2025-08-01T12:00, or \"\" for the start of the data"
    )]
    Start(String),
}

/// Everything a paper session starts from.
pub struct PaperSetup {
    pub symbols: Vec<Symbol>,
    pub interval: Interval,
    /// Each symbol's candles to replay, oldest first.
    pub candles: Vec<Vec<Candle>>,
    /// Steps replayed unpaced before the session is handed over.
    pub warmup: usize,
    /// Strategy names with their settings (`key=value` strings, as `--set` takes them).
    pub strategies: Vec<(String, Vec<(String, String)>)>,
    pub cash: Decimal,
    pub sim: SimConfig,
    pub filters: bool,
    pub speed: Speed,
    /// Price levels a side in the simulated book.
    pub book_levels: usize,
    /// Where manual overrides are recorded (none in tests that do not care).
    pub journal: Option<Journal>,
    /// The `[risk]` rules the session obeys, as a backtest of it would.
    pub risk: crate::risk::RiskSettings,
    /// What the session trades on (a replay unless a live edge says otherwise).
    pub trading: Trading,
}

/// Replay, paper on live data, or live, and what a restarted session carries on from.
#[derive(Default)]
pub struct Trading {
    pub mode: crate::replica::Mode,
    /// The real account's mirror, when live (the simulated exchange otherwise).
    pub live: Option<crate::exchange::LiveExchange>,
    /// The journal session to carry on (a live session restarted), instead of a new one.
    pub session: Option<i64>,
    /// The highest order id the carried-on session used.
    pub first_id: crate::core::OrderId,
    /// The highest one-cancels-other group the carried-on session used (new exits go above).
    pub last_group: u64,
}

impl PaperSetup {
    /// The session `config` describes, over candles read from `store`.
    pub fn from_config(config: &Config, store: &Store) -> Result<Self, PaperError> {
        let p = &config.paper;
        let start = match p.start.trim() {
            "" => i64::MIN,
            s => parse_datetime(s).map_err(|_| PaperError::Start(s.to_string()))?,
        };
        let mut candles = Vec::new();
        for symbol in &p.symbols {
            let key = SeriesKey::binance(symbol.clone(), p.interval);
            let got = select(store, &key, Range::new(start, i64::MAX))
                .map_err(|e| PaperError::Data(format!("paper.symbols: {e}")))?;
            if got.bars.is_empty() {
                return Err(PaperError::Data(format!(
                    "no {symbol} {} candles are stored{}; run `tickdesk data fetch {symbol} {}` or change [paper] symbols in the config",
                    p.interval,
                    if start == i64::MIN {
                        String::new()
                    } else {
                        format!(" after paper.start = {}", p.start)
                    },
                    p.interval
                )));
            }
            candles.push(got.bars.into_iter().map(|b| b.candle).collect());
        }
        let strategies = p
            .strategies
            .iter()
            .map(|name| (name.clone(), config.strategy_settings(name)))
            .collect();
        // The simulated exchange trades on the [backtest] fees, slippage, fills and filters.
        let b = Spec::from_config(&config.backtest, "", Vec::new(), p.interval);
        Ok(Self {
            symbols: p.symbols.clone(),
            interval: p.interval,
            candles,
            warmup: usize::try_from(p.warmup_bars.get()).unwrap_or(0),
            strategies,
            cash: p.cash.0,
            sim: b.sim(),
            filters: b.filters,
            speed: Speed::from_factor(p.speed.get()),
            book_levels: usize::try_from(config.ui.book_levels.get()).unwrap_or(12),
            journal: None,
            risk: config.risk.clone(),
            trading: Trading::default(),
        })
    }
}
