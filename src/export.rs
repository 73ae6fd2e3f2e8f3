//! `data export`: candles as CSV with the header `open_time,open,high,low,close,volume`, open time
//! in UTC milliseconds and numbers in their shortest exact form, so export → import is lossless.
//! An interval that is not stored, or stored but not over the asked range, is resampled from the
//! stored interval that nests in it and covers most of the range (the coarsest, on a tie).

use crate::import::HEADER;
use crate::market::{Bar, Candle, Interval, SeriesKey, resample};
use crate::store::{Range, Store, StoreError};
use std::io::{self, Write};

pub fn write_csv<'a, W: Write>(
    candles: impl IntoIterator<Item = &'a Candle>,
    out: W,
) -> io::Result<usize> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(w, "{}", HEADER.join(","))?;
    let mut n = 0;
    for c in candles {
        writeln!(
            w,
            "{},{},{},{},{},{}",
            c.open_time, c.open, c.high, c.low, c.close, c.volume
        )?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// Candles of `key` in `range`, resampled when `key.interval` is not stored.
pub struct Exported {
    pub bars: Vec<Bar>,
    /// The stored interval the bars were resampled from, if they were.
    pub resampled_from: Option<Interval>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "no {key} candles are stored, and no finer stored interval of {symbol} nests in {interval}; run `tickdesk data list` to see what is stored"
    )]
    NotStored {
        key: SeriesKey,
        symbol: String,
        interval: Interval,
    },
}

/// How much of `range` a stored series covers, in milliseconds.
fn covered_ms(store: &Store, key: &SeriesKey, range: Range) -> Result<i128, StoreError> {
    let coverage = store.coverage(key)?;
    let parts = coverage.covered(range);
    Ok(parts
        .iter()
        .map(|r| i128::from(r.end) - i128::from(r.start))
        .sum())
}

pub fn select(store: &Store, key: &SeriesKey, range: Range) -> Result<Exported, ExportError> {
    let stored = store.series()?;
    // The key itself and every finer stored interval of the symbol that nests in it; the one
    // covering most of the range wins, the coarsest on a tie (so the key itself when it covers
    // the range: nothing to resample).
    let mut best: Option<(&SeriesKey, i128)> = None;
    for k in &stored {
        let same = k.exchange == key.exchange && k.symbol == key.symbol;
        if !same || !(k == key || k.interval.divides(key.interval)) {
            continue;
        }
        let ms = covered_ms(store, k, range)?;
        let better = match best {
            None => true,
            Some((b, bms)) => ms > bms || (ms == bms && k.interval > b.interval),
        };
        if better {
            best = Some((k, ms));
        }
    }
    let Some((source, _)) = best else {
        return Err(ExportError::NotStored {
            key: key.clone(),
            symbol: key.symbol.to_string(),
            interval: key.interval,
        });
    };
    if source == key {
        let candles = store.load_range(key, range)?;
        return Ok(Exported {
            bars: candles
                .into_iter()
                .map(|candle| Bar {
                    candle,
                    complete: true,
                })
                .collect(),
            resampled_from: None,
        });
    }
    // Widen the range to whole buckets so the first and last bars are not cut.
    let wide = Range::new(key.interval.align(range.start.max(i64::MIN / 2)), range.end);
    let candles = store.load_range(source, wide)?;
    let bars =
        resample(&candles, source.interval, key.interval).map_err(|_| ExportError::NotStored {
            key: key.clone(),
            symbol: key.symbol.to_string(),
            interval: key.interval,
        })?;
    let bars = bars
        .into_iter()
        .filter(|b| range.contains(b.candle.open_time))
        .collect();
    Ok(Exported {
        bars,
        resampled_from: Some(source.interval),
    })
}
