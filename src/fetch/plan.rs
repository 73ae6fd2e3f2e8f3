//! Which requests a fetch needs: the parts of the wanted window the store's coverage lacks, cut
//! into pages of at most 1000 bars, each aligned to the interval.

use crate::market::Interval;
use crate::store::{Range, RangeSet};

/// One request's worth of bars: opens in `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start: i64,
    pub end: i64,
    /// Index of the missing range this page belongs to (pages of one range are contiguous).
    pub run: usize,
}

/// The closed-candle window for `[from, to)` at time `now`: the bar containing `now` is still
/// forming, so the window ends at its open.
pub fn window(interval: Interval, from: i64, to: Option<i64>, now: i64) -> Range {
    let forming = interval.align(now);
    Range::new(
        interval.ceil(from),
        to.map_or(forming, |t| interval.ceil(t).min(forming)),
    )
}

/// The parts of `window` the coverage lacks. With `refetch`, those ranges (exchange gaps: covered,
/// but without candles) count as missing again.
pub fn missing(coverage: &RangeSet, window: Range, refetch: Option<&[Range]>) -> Vec<Range> {
    let mut coverage = coverage.clone();
    for gap in refetch.unwrap_or_default() {
        coverage.remove(*gap);
    }
    coverage
        .missing(window)
        .into_iter()
        .filter(|r| !r.is_empty())
        .collect()
}

pub fn pages(missing: &[Range], interval: Interval, per_page: i64) -> Vec<Page> {
    let mut out = Vec::new();
    for (run, r) in missing.iter().enumerate() {
        let mut start = interval.ceil(r.start);
        while start < r.end {
            let end = interval.advance(start, per_page).min(r.end);
            out.push(Page { start, end, run });
            start = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::time::{HOUR_MS, MINUTE_MS};

    #[test]
    fn the_forming_bar_is_never_in_the_window() {
        let now = 10 * HOUR_MS + 25 * MINUTE_MS;
        assert_eq!(
            window(Interval::H1, 0, None, now),
            Range::new(0, 10 * HOUR_MS)
        );
        assert_eq!(
            window(Interval::H1, 30 * MINUTE_MS, Some(5 * HOUR_MS), now),
            Range::new(HOUR_MS, 5 * HOUR_MS)
        );
        assert_eq!(
            window(Interval::H1, 0, Some(99 * HOUR_MS), now).end,
            10 * HOUR_MS
        );
    }

    #[test]
    fn pages_cover_only_what_is_missing() {
        let mut cov = RangeSet::new();
        cov.insert(Range::new(1000 * HOUR_MS, 3000 * HOUR_MS));
        let gaps = missing(&cov, Range::new(0, 3500 * HOUR_MS), None);
        assert_eq!(
            gaps,
            [
                Range::new(0, 1000 * HOUR_MS),
                Range::new(3000 * HOUR_MS, 3500 * HOUR_MS)
            ]
        );
        let p = pages(&gaps, Interval::H1, 400);
        let starts: Vec<i64> = p.iter().map(|p| p.start / HOUR_MS).collect();
        assert_eq!(starts, [0, 400, 800, 3000, 3400]);
        assert_eq!(
            (p[2].end / HOUR_MS, p[4].end / HOUR_MS, p[3].run),
            (1000, 3500, 1)
        );
        let again = missing(
            &cov,
            Range::new(0, 3500 * HOUR_MS),
            Some(&[Range::new(1500 * HOUR_MS, 1510 * HOUR_MS)]),
        );
        assert_eq!(again.len(), 3, "a re-fetched exchange gap is missing again");
    }
}
