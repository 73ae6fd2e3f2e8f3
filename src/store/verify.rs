//! `data verify`: a deep check of one series that trusts nothing: segment headers and lengths
//! against the manifest, then every candle for order, duplicates, alignment and OHLC sanity.

use super::{
    StoreError,
    manifest::Manifest,
    segment::{self, HEADER_LEN, RECORD_LEN},
};
use crate::market::{CandleFault, SeriesKey, time::Utc};
use std::{fmt, fs, path::Path};

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    MissingManifest,
    BadSegment { file: String, detail: String },
    SegmentBounds { file: String },
    Duplicate { open_time: i64 },
    OutOfOrder { open_time: i64, previous: i64 },
    Misaligned { open_time: i64 },
    Impossible { open_time: i64, fault: CandleFault },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingManifest => write!(
                f,
                "no manifest: the series directory holds no committed data"
            ),
            Self::BadSegment { file, detail } => write!(f, "segment {file}: {detail}"),
            Self::SegmentBounds { file } => {
                write!(
                    f,
                    "segment {file}: its first/last open times differ from the manifest's"
                )
            }
            Self::Duplicate { open_time } => write!(f, "{}: duplicate candle", Utc(*open_time)),
            Self::OutOfOrder {
                open_time,
                previous,
            } => {
                write!(
                    f,
                    "{}: comes after {} (out of order)",
                    Utc(*open_time),
                    Utc(*previous)
                )
            }
            Self::Misaligned { open_time } => write!(
                f,
                "{}: open time not aligned to the interval",
                Utc(*open_time)
            ),
            Self::Impossible { open_time, fault } => write!(f, "{}: {fault}", Utc(*open_time)),
        }
    }
}

pub fn verify(dir: &Path, key: &SeriesKey) -> Result<Vec<Problem>, StoreError> {
    let Some(m) = Manifest::read(dir)? else {
        return Ok(vec![Problem::MissingManifest]);
    };
    let mut problems = Vec::new();
    let mut prev: Option<i64> = None;
    for s in &m.segments {
        let path = dir.join(&s.file);
        let bad = |detail: String| Problem::BadSegment {
            file: s.file.clone(),
            detail,
        };
        let raw = match segment::inspect(&path) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(bad(e.to_string()));
                continue;
            }
        };
        if !raw.header_ok {
            problems.push(bad("bad header: not a tickdesk candle segment".into()));
            continue;
        }
        if raw.records < s.count {
            problems.push(bad(format!(
                "holds {} candles, the manifest expects {}",
                raw.records, s.count
            )));
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
        let mut candles = Vec::with_capacity(s.count);
        segment::decode(
            &bytes[HEADER_LEN..HEADER_LEN + s.count * RECORD_LEN],
            &mut candles,
        );
        if candles.first().map(|c| c.open_time) != Some(s.first)
            || candles.last().map(|c| c.open_time) != Some(s.last)
        {
            problems.push(Problem::SegmentBounds {
                file: s.file.clone(),
            });
        }
        for c in &candles {
            let t = c.open_time;
            match prev {
                Some(p) if p == t => problems.push(Problem::Duplicate { open_time: t }),
                Some(p) if p > t => problems.push(Problem::OutOfOrder {
                    open_time: t,
                    previous: p,
                }),
                _ => {}
            }
            if !key.interval.is_aligned(t) {
                problems.push(Problem::Misaligned { open_time: t });
            }
            if let Err(fault) = c.check() {
                problems.push(Problem::Impossible {
                    open_time: t,
                    fault,
                });
            }
            prev = Some(t);
        }
    }
    Ok(problems)
}
