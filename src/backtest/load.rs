//! A backtest's candles from the store: each symbol at the run's interval (resampled from a finer
//! stored interval when needed; a last bucket that never closed is left out), and the finer
//! `--detail` candles when asked for.

use super::{BacktestError, Feed, Spec};
use crate::export;
use crate::market::{Candle, SeriesKey};
use crate::store::{Range, Store};

fn candles(store: &Store, key: &SeriesKey, range: Range) -> Result<Vec<Candle>, BacktestError> {
    let selected =
        export::select(store, key, range).map_err(|e| BacktestError::Data(e.to_string()))?;
    let mut bars = selected.bars;
    if bars.last().is_some_and(|b| !b.complete) {
        bars.pop();
    }
    if bars.is_empty() {
        return Err(BacktestError::Data(format!(
            "no {key} candles in the chosen range; `tickdesk data list` shows what is stored, \
             `tickdesk data fetch {} {} --from DATE` downloads more",
            key.symbol, key.interval
        )));
    }
    Ok(bars.into_iter().map(|b| b.candle).collect())
}

/// Loads everything `spec` replays.
pub fn load(store: &Store, spec: &Spec) -> Result<Feed, BacktestError> {
    let range = Range::new(spec.from.unwrap_or(i64::MIN), spec.to.unwrap_or(i64::MAX));
    let mut series = Vec::new();
    for symbol in &spec.symbols {
        series.push(candles(
            store,
            &SeriesKey::binance(symbol.clone(), spec.interval),
            range,
        )?);
    }
    let mut feed = Feed::new(spec.interval, series);
    if let Some(fine) = spec.detail {
        if !fine.divides(spec.interval) {
            return Err(BacktestError::Data(format!(
                "--detail {fine} must be finer than {} and nest in it (e.g. 1m inside 1h)",
                spec.interval
            )));
        }
        let mut detail = Vec::new();
        for symbol in &spec.symbols {
            detail.push(candles(
                store,
                &SeriesKey::binance(symbol.clone(), fine),
                range,
            )?);
        }
        feed = feed.with_detail(detail);
    }
    Ok(feed)
}
