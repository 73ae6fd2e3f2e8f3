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

/// How many of `bars` contain at least one of the (sorted) finer candles.
fn bars_with_detail(bars: &[Candle], fine: &[Candle], interval: crate::market::Interval) -> usize {
    let mut k = 0;
    let mut n = 0;
    for b in bars {
        k += fine[k..].partition_point(|c| c.open_time < b.open_time);
        n += usize::from(
            fine.get(k)
                .is_some_and(|c| c.open_time < interval.next(b.open_time)),
        );
    }
    n
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
        for (symbol, bars) in spec.symbols.iter().zip(&feed.series) {
            let fine_candles = candles(store, &SeriesKey::binance(symbol.clone(), fine), range)?;
            let inside = bars_with_detail(bars, &fine_candles, spec.interval);
            if inside == 0 {
                return Err(BacktestError::Data(format!(
                    "--detail {fine}: no stored {symbol} {fine} candle falls inside the run's {} bars \
                     ({} → {}); narrow the run with --from/--to to where {fine} is stored \
                     (`tickdesk data list`), or fetch it",
                    spec.interval,
                    crate::market::time::Utc(bars[0].open_time),
                    crate::market::time::Utc(bars[bars.len() - 1].open_time),
                )));
            }
            if inside < bars.len() {
                tracing::warn!(
                    "--detail {fine}: only {inside} of {} {symbol} bars have {fine} candles inside; \
                     the others are matched on the whole bar",
                    bars.len()
                );
            }
            detail.push(fine_candles);
        }
        feed = feed.with_detail(detail);
    }
    Ok(feed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Interval;

    fn at(minute: i64) -> Candle {
        Candle {
            open_time: minute * 60_000,
            open: 1.0,
            high: 1.0,
            low: 1.0,
            close: 1.0,
            volume: 1.0,
        }
    }

    #[test]
    fn bars_with_detail_counts_the_bars_that_hold_a_finer_candle() {
        let hours: Vec<Candle> = (0..4).map(|h| at(h * 60)).collect();
        // Minutes inside hours 1 and 3 only (and one before the run).
        let minutes: Vec<Candle> = [-5, 60, 61, 119, 200].into_iter().map(at).collect();
        assert_eq!(bars_with_detail(&hours, &minutes, Interval::H1), 2);
        assert_eq!(bars_with_detail(&hours, &[], Interval::H1), 0);
        assert_eq!(bars_with_detail(&hours, &hours, Interval::H1), 4);
    }
}
