//! What a fetch job did, for the summary line and for callers that act on the outcome.

use crate::market::{SeriesKey, time::Utc};
use crate::store::Range;

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Complete,
    UpToDate,
    Interrupted,
    Failed(String),
}

/// One series' download: what was asked, what was stored, how it ended.
#[derive(Debug, Clone)]
pub struct JobReport {
    pub key: SeriesKey,
    pub window: Range,
    pub requested_bars: i64,
    pub added: usize,
    pub changed: usize,
    /// Bars the exchange did not have inside the fetched ranges.
    pub exchange_gap_bars: i64,
    pub first_new: Option<i64>,
    pub last_new: Option<i64>,
    pub outcome: Outcome,
}

impl JobReport {
    pub fn summary(&self) -> String {
        let span = match (self.first_new, self.last_new) {
            (Some(a), Some(b)) => format!(" ({} → {})", Utc(a), Utc(b)),
            _ => String::new(),
        };
        let gaps = match self.exchange_gap_bars {
            0 => String::new(),
            n => format!("; {n} bars missing at the exchange (recorded, not re-fetched)"),
        };
        match &self.outcome {
            Outcome::UpToDate => "already up to date".to_string(),
            Outcome::Complete => format!("+{} candles{span}{gaps}", self.added),
            Outcome::Interrupted => {
                format!(
                    "interrupted; kept +{} candles{span}; run the same command to resume",
                    self.added
                )
            }
            Outcome::Failed(e) => format!(
                "stopped: {e}; kept +{} candles{span}; run again to resume",
                self.added
            ),
        }
    }
}

impl JobReport {
    pub(super) fn empty(key: SeriesKey) -> Self {
        Self {
            key,
            window: Range::new(0, 0),
            requested_bars: 0,
            added: 0,
            changed: 0,
            exchange_gap_bars: 0,
            first_new: None,
            last_new: None,
            outcome: Outcome::UpToDate,
        }
    }
}
