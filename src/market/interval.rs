//! Binance kline intervals and their UTC bucket arithmetic.
//!
//! Fixed intervals (1s … 3d) open on multiples of their length since the Unix epoch; `1w` opens on
//! Mondays 00:00 UTC (as Binance's weekly klines do); `1M` opens on the 1st of each calendar month.
//! The 3d alignment (epoch multiples) is an assumption not checked against Binance's own 3d klines.

use super::time::{DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, add_months, month_start};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Interval {
    S1,
    M1,
    M3,
    M5,
    M15,
    M30,
    H1,
    H2,
    H4,
    H6,
    H8,
    H12,
    D1,
    D3,
    W1,
    Mo1,
}

/// Monday 1970-01-05, the first weekly open after the epoch.
const WEEK_ORIGIN_MS: i64 = 4 * DAY_MS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a kline interval; use one of {list}", list = Interval::names())]
pub struct IntervalError(pub String);

impl Interval {
    pub const ALL: [Interval; 16] = [
        Self::S1,
        Self::M1,
        Self::M3,
        Self::M5,
        Self::M15,
        Self::M30,
        Self::H1,
        Self::H2,
        Self::H4,
        Self::H6,
        Self::H8,
        Self::H12,
        Self::D1,
        Self::D3,
        Self::W1,
        Self::Mo1,
    ];

    /// Binance's API name (`1M` is a month, `1m` a minute).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S1 => "1s",
            Self::M1 => "1m",
            Self::M3 => "3m",
            Self::M5 => "5m",
            Self::M15 => "15m",
            Self::M30 => "30m",
            Self::H1 => "1h",
            Self::H2 => "2h",
            Self::H4 => "4h",
            Self::H6 => "6h",
            Self::H8 => "8h",
            Self::H12 => "12h",
            Self::D1 => "1d",
            Self::D3 => "3d",
            Self::W1 => "1w",
            Self::Mo1 => "1M",
        }
    }

    /// Name safe on case-insensitive file systems (`1mo` for months, as data.binance.vision does).
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Mo1 => "1mo",
            other => other.as_str(),
        }
    }

    fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }

    /// Length in milliseconds, or `None` for calendar months.
    pub fn fixed_ms(self) -> Option<i64> {
        Some(match self {
            Self::S1 => SECOND_MS,
            Self::M1 => MINUTE_MS,
            Self::M3 => 3 * MINUTE_MS,
            Self::M5 => 5 * MINUTE_MS,
            Self::M15 => 15 * MINUTE_MS,
            Self::M30 => 30 * MINUTE_MS,
            Self::H1 => HOUR_MS,
            Self::H2 => 2 * HOUR_MS,
            Self::H4 => 4 * HOUR_MS,
            Self::H6 => 6 * HOUR_MS,
            Self::H8 => 8 * HOUR_MS,
            Self::H12 => 12 * HOUR_MS,
            Self::D1 => DAY_MS,
            Self::D3 => 3 * DAY_MS,
            Self::W1 => 7 * DAY_MS,
            Self::Mo1 => return None,
        })
    }

    /// A typical length, for estimates (a month counts as 30 days).
    pub fn approx_ms(self) -> i64 {
        self.fixed_ms().unwrap_or(30 * DAY_MS)
    }

    fn origin(self) -> i64 {
        if self == Self::W1 { WEEK_ORIGIN_MS } else { 0 }
    }

    /// Open time of the bucket that contains `t`.
    pub fn align(self, t: i64) -> i64 {
        match self.fixed_ms() {
            Some(len) => t - (t - self.origin()).rem_euclid(len),
            None => month_start(t),
        }
    }

    pub fn is_aligned(self, t: i64) -> bool {
        self.align(t) == t
    }

    /// Open time of the bucket after the one opening at `open` (`open` must be aligned).
    pub fn next(self, open: i64) -> i64 {
        match self.fixed_ms() {
            Some(len) => open + len,
            None => add_months(open, 1),
        }
    }

    /// Open time `n` buckets after the aligned `open`.
    pub fn advance(self, open: i64, n: i64) -> i64 {
        match self.fixed_ms() {
            Some(len) => open + n * len,
            None => add_months(open, n),
        }
    }

    /// Number of bucket opens in `[start, end)`.
    pub fn count_opens(self, start: i64, end: i64) -> i64 {
        if end <= start {
            return 0;
        }
        let first = self.ceil(start);
        match self.fixed_ms() {
            Some(len) => (end - first + len - 1).max(0) / len,
            None => {
                let mut n = 0;
                let mut t = first;
                while t < end {
                    n += 1;
                    t = add_months(t, 1);
                }
                n
            }
        }
    }

    /// The first bucket open at or after `t`.
    pub fn ceil(self, t: i64) -> i64 {
        let a = self.align(t);
        if a == t { t } else { self.next(a) }
    }

    /// Whether every bucket of `coarser` is an exact union of buckets of `self`, so candles of
    /// `self` can be resampled into `coarser`.
    pub fn divides(self, coarser: Interval) -> bool {
        if coarser <= self {
            return false;
        }
        match (self.fixed_ms(), coarser.fixed_ms()) {
            (Some(fine), Some(coarse)) => {
                coarse % fine == 0 && (coarser.origin() - self.origin()) % fine == 0
            }
            (Some(fine), None) => DAY_MS % fine == 0,
            _ => false,
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Interval {
    type Err = IntervalError;

    /// Accepts Binance's names and `1mo` for months.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "1mo" {
            return Ok(Self::Mo1);
        }
        Self::ALL
            .into_iter()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| IntervalError(s.to_string()))
    }
}

impl serde::Serialize for Interval {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Interval {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::time::parse_datetime;

    fn t(s: &str) -> i64 {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn parses_every_binance_name_and_rejects_others() {
        for i in Interval::ALL {
            assert_eq!(i.as_str().parse::<Interval>(), Ok(i));
            assert_eq!(i.file_name().parse::<Interval>(), Ok(i));
        }
        let err = "7m".parse::<Interval>().unwrap_err().to_string();
        assert!(err.contains("`7m`") && err.contains("1m, 3m"), "{err}");
        assert_eq!("1M".parse::<Interval>(), Ok(Interval::Mo1));
        assert_eq!("1m".parse::<Interval>(), Ok(Interval::M1));
    }

    #[test]
    fn weeks_open_on_monday_and_months_on_the_first() {
        // 2024-01-03 is a Wednesday; its week opened Monday 2024-01-01.
        assert_eq!(Interval::W1.align(t("2024-01-03T12:00")), t("2024-01-01"));
        assert_eq!(Interval::W1.align(t("2024-01-01")), t("2024-01-01"));
        assert_eq!(Interval::Mo1.align(t("2024-02-29T23:59")), t("2024-02-01"));
        assert_eq!(Interval::Mo1.next(t("2024-02-01")), t("2024-03-01"));
        assert_eq!(
            Interval::H4.align(t("2024-01-01T07:59")),
            t("2024-01-01T04:00")
        );
    }

    #[test]
    fn counts_opens_in_ranges() {
        assert_eq!(
            Interval::H1.count_opens(t("2024-01-01"), t("2024-01-02")),
            24
        );
        assert_eq!(
            Interval::H1.count_opens(t("2024-01-01T00:30"), t("2024-01-01T03:00")),
            2
        );
        assert_eq!(
            Interval::Mo1.count_opens(t("2024-01-01"), t("2025-01-01")),
            12
        );
        assert_eq!(
            Interval::Mo1.count_opens(t("2024-01-15"), t("2024-03-01")),
            1
        );
        assert_eq!(Interval::D1.count_opens(5, 5), 0);
    }

    #[test]
    fn which_intervals_resample_into_which() {
        use Interval::*;
        assert!(M1.divides(H1) && M1.divides(W1) && M1.divides(Mo1) && M5.divides(H4));
        assert!(D1.divides(W1) && D1.divides(Mo1) && H12.divides(W1));
        assert!(!D3.divides(W1), "a 3-day bucket straddles week boundaries");
        assert!(!W1.divides(Mo1) && !H1.divides(M1) && !H1.divides(H1));
        assert!(!M3.divides(M5) && !H8.divides(H12));
    }
}
