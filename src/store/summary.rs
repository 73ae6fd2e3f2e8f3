//! What a series holds, for `data list` and the UI: span, count, and every run of missing bars
//! between the first and last candle, split into exchange gaps (inside coverage: the source had no
//! candles there, e.g. an outage) and holes never fetched.

use super::{Range, RangeSet};
use crate::market::{Candle, SeriesKey};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// The source was asked and had no candles: a real exchange outage. Not re-fetched.
    Exchange,
    /// Never fetched or imported; `data fetch` fills it.
    Unfetched,
}

/// A run of missing bars: open times in `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub start: i64,
    pub end: i64,
    pub bars: i64,
    pub kind: GapKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesSummary {
    pub key: SeriesKey,
    pub count: usize,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub gaps: Vec<Gap>,
    pub coverage: RangeSet,
}

impl SeriesSummary {
    pub fn new(key: SeriesKey, candles: &[Candle], coverage: RangeSet) -> Self {
        let interval = key.interval;
        let mut gaps = Vec::new();
        for pair in candles.windows(2) {
            let expected = interval.next(pair[0].open_time);
            let found = pair[1].open_time;
            if found <= expected {
                continue;
            }
            let missing = Range::new(expected, found);
            let mut pieces: Vec<(Range, GapKind)> = coverage
                .covered(missing)
                .into_iter()
                .map(|r| (r, GapKind::Exchange))
                .collect();
            pieces.extend(
                coverage
                    .missing(missing)
                    .into_iter()
                    .map(|r| (r, GapKind::Unfetched)),
            );
            pieces.sort_by_key(|(r, _)| r.start);
            for (r, kind) in pieces {
                let bars = interval.count_opens(r.start, r.end);
                if bars > 0 {
                    gaps.push(Gap {
                        start: interval.ceil(r.start),
                        end: r.end,
                        bars,
                        kind,
                    });
                }
            }
        }
        Self {
            key,
            count: candles.len(),
            first: candles.first().map(|c| c.open_time),
            last: candles.last().map(|c| c.open_time),
            gaps,
            coverage,
        }
    }

    pub fn missing_bars(&self) -> i64 {
        self.gaps.iter().map(|g| g.bars).sum()
    }

    pub fn missing_of(&self, kind: GapKind) -> i64 {
        self.gaps
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| g.bars)
            .sum()
    }
}
