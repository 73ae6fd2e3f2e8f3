//! The candle store: every series (exchange, symbol, interval) in its own directory under
//! `<data dir>/candles/`, as binary segments plus a manifest that is the commit point.
//!
//! Invariants: the candles of a series are strictly increasing, aligned to the interval and sane
//! (see `Candle::check`); a reader sees exactly some committed state; a `kill -9` during a write
//! loses at most the batch being written. One process writes a series at a time (a lock file);
//! readers take no lock.

mod manifest;
mod ranges;
mod segment;
mod summary;
mod verify;
mod writer;

pub use ranges::{Range, RangeSet};
pub use summary::{Gap, GapKind, SeriesSummary};
pub use verify::Problem;
pub use writer::{InsertReport, SeriesWriter};

use crate::market::{Candle, Exchange, Interval, SeriesKey, Symbol};
use manifest::Manifest;
use std::{
    fs, io,
    path::{Path, PathBuf},
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{path} is damaged: {detail}; run `tickdesk data verify` and re-import or re-fetch the series"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("refused to store {key}: {reason}")]
    Rejected { key: SeriesKey, reason: String },
    #[error(
        "{key} is being written by another tickdesk process (lock {path}); wait for it to finish"
    )]
    Locked { key: SeriesKey, path: PathBuf },
}

impl StoreError {
    fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let root = data_dir.join("candles");
        fs::create_dir_all(&root).map_err(|e| StoreError::io(&root, e))?;
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, key: &SeriesKey) -> PathBuf {
        self.root
            .join(key.exchange.as_str())
            .join(key.symbol.as_str())
            .join(key.interval.file_name())
    }

    /// Every stored series, sorted.
    pub fn series(&self) -> Result<Vec<SeriesKey>, StoreError> {
        let mut keys = Vec::new();
        let exchange = Exchange::Binance;
        let ex_dir = self.root.join(exchange.as_str());
        for sym_dir in read_dir(&ex_dir)? {
            let Some(symbol) = file_name(&sym_dir).and_then(|n| n.parse::<Symbol>().ok()) else {
                continue;
            };
            for iv_dir in read_dir(&sym_dir)? {
                let Some(interval) = file_name(&iv_dir).and_then(|n| n.parse::<Interval>().ok())
                else {
                    continue;
                };
                if iv_dir.join(manifest::FILE).exists() {
                    keys.push(SeriesKey {
                        exchange,
                        symbol: symbol.clone(),
                        interval,
                    });
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// The coverage ranges of a series (empty when it does not exist).
    pub fn coverage(&self, key: &SeriesKey) -> Result<RangeSet, StoreError> {
        Ok(Manifest::read(&self.dir(key))?
            .map(|m| m.coverage)
            .unwrap_or_default())
    }

    /// All candles of a series (empty when it does not exist).
    pub fn load(&self, key: &SeriesKey) -> Result<Vec<Candle>, StoreError> {
        self.load_range(key, Range::new(i64::MIN, i64::MAX))
    }

    /// The candles whose open time lies in `range`.
    pub fn load_range(&self, key: &SeriesKey, range: Range) -> Result<Vec<Candle>, StoreError> {
        let dir = self.dir(key);
        // A concurrent writer may compact between our manifest read and the segment reads; the
        // files it removed are then named by a newer manifest, so read again.
        let mut attempts = 0;
        loop {
            let Some(m) = Manifest::read(&dir)? else {
                return Ok(Vec::new());
            };
            match read_segments(&dir, &m, range) {
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempts < 3 => attempts += 1,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    return Err(StoreError::Corrupt {
                        path: dir,
                        detail: e.to_string(),
                    });
                }
                other => return other.map_err(|e| StoreError::io(&dir, e)),
            }
        }
    }

    /// Counts, time span, gaps and coverage of a series.
    pub fn summary(&self, key: &SeriesKey) -> Result<SeriesSummary, StoreError> {
        let candles = self.load(key)?;
        Ok(SeriesSummary::new(
            key.clone(),
            &candles,
            self.coverage(key)?,
        ))
    }

    /// Opens a series for writing, creating it if needed; fails if another process holds it.
    pub fn writer(&self, key: &SeriesKey) -> Result<SeriesWriter, StoreError> {
        SeriesWriter::open(self.dir(key), key.clone())
    }

    /// Deep consistency check of a series' files and candles.
    pub fn verify(&self, key: &SeriesKey) -> Result<Vec<Problem>, StoreError> {
        verify::verify(&self.dir(key), key)
    }
}

fn read_segments(dir: &Path, m: &Manifest, range: Range) -> io::Result<Vec<Candle>> {
    let wanted: Vec<_> = m
        .segments
        .iter()
        .filter(|s| s.last >= range.start && s.first < range.end)
        .collect();
    let mut out = Vec::with_capacity(wanted.iter().map(|s| s.count).sum());
    for s in wanted {
        segment::read(&dir.join(&s.file), s.count, &mut out)?;
    }
    // Everything downstream (binary search, resampling, indicators) relies on this order: one
    // cheap pass here turns damage into an error instead of silently wrong numbers.
    if let Some(w) = out.windows(2).find(|w| w[0].open_time >= w[1].open_time) {
        let detail = format!(
            "candle at {} is not after the one before it",
            crate::market::time::Utc(w[1].open_time)
        );
        return Err(io::Error::new(io::ErrorKind::InvalidData, detail));
    }
    if range.start > i64::MIN || range.end < i64::MAX {
        let lo = out.partition_point(|c| c.open_time < range.start);
        let hi = out.partition_point(|c| c.open_time < range.end);
        out.truncate(hi);
        out.drain(..lo);
    }
    Ok(out)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StoreError::io(dir, e)),
    }
}

fn file_name(p: &Path) -> Option<&str> {
    p.file_name().and_then(|n| n.to_str())
}

#[cfg(test)]
mod tests;
