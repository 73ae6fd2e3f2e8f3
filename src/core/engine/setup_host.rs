//! The engine as a strategy's `setup` sees it: the series it declares (resampled from the run's
//! interval), how much history to keep, and the indicators computed on them.

use super::{DEFAULT_KEEP, Engine, EngineObserver, Series};
use crate::core::SeriesId;
use crate::exchange::Exchange;
use crate::indicators;
use crate::market::{Interval, Resampler};
use crate::strategy::{SetupHost, StrategyError};
use std::collections::VecDeque;

/// The engine as seen by a strategy's `setup`.
pub(super) struct Host<'a, X: Exchange, O: EngineObserver> {
    pub(super) engine: &'a mut Engine<X, O>,
    pub(super) declared: Vec<SeriesId>,
}

impl<X: Exchange, O: EngineObserver> SetupHost for Host<'_, X, O> {
    fn instruments(&self) -> Vec<String> {
        self.engine
            .instruments
            .iter()
            .map(|i| i.symbol.clone())
            .collect()
    }

    fn base_interval(&self) -> Interval {
        self.engine.base_interval
    }

    fn series(&mut self, instrument: usize, interval: Interval) -> Result<SeriesId, StrategyError> {
        let e = &mut *self.engine;
        if instrument >= e.instruments.len() {
            return Err(StrategyError::Setup(format!(
                "instrument {instrument} is not in this run"
            )));
        }
        let existing = e
            .series
            .iter()
            .position(|s| s.instrument == instrument && s.interval == interval);
        let id = match existing {
            Some(id) => id,
            None => {
                let resampler = Resampler::new(e.base_interval, interval)
                    .map_err(|err| StrategyError::Setup(err.to_string()))?;
                e.series.push(Series {
                    instrument,
                    interval,
                    length: interval.fixed_ms(),
                    keep: DEFAULT_KEEP,
                    resampler: Some(resampler),
                    subscribers: Vec::new(),
                    indicators: Vec::new(),
                });
                e.histories.push(VecDeque::new());
                let id = e.series.len() - 1;
                e.derived[instrument].push(id);
                id
            }
        };
        if !self.declared.contains(&id) {
            self.declared.push(id);
        }
        Ok(id)
    }

    fn keep(&mut self, series: SeriesId, candles: usize) {
        if let Some(s) = self.engine.series.get_mut(series) {
            s.keep = s.keep.max(candles);
        }
    }

    fn indicator(&mut self, series: SeriesId, expr: &str) -> Result<usize, StrategyError> {
        let (indicator, _) =
            indicators::build(expr).map_err(|e| StrategyError::Setup(e.to_string()))?;
        let e = &mut *self.engine;
        let s = e
            .series
            .get_mut(series)
            .ok_or_else(|| StrategyError::Setup(format!("series {series} was not declared")))?;
        e.indicators.push(indicator);
        e.indicator_values.push(None);
        s.indicators.push(e.indicators.len() - 1);
        Ok(e.indicators.len() - 1)
    }
}
