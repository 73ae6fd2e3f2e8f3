//! `data export`: candles as CSV with the header `open_time,open,high,low,close,volume`, open time
//! in UTC milliseconds and numbers in their shortest exact form, so export → import is lossless.
//! An interval that is not stored is resampled from the finest stored interval that nests in it.

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

pub fn select(store: &Store, key: &SeriesKey, range: Range) -> Result<Exported, ExportError> {
    let stored = store.series()?;
    if stored.contains(key) {
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
    let source = stored
        .iter()
        .filter(|k| {
            k.exchange == key.exchange && k.symbol == key.symbol && k.interval.divides(key.interval)
        })
        .max_by_key(|k| k.interval)
        .ok_or_else(|| ExportError::NotStored {
            key: key.clone(),
            symbol: key.symbol.to_string(),
            interval: key.interval,
        })?;
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
