//! Moving averages: simple, exponential and weighted, with TA-Lib's arithmetic (running sums in
//! its order of operations). `Sma::compare` is exact where it matters: when two averages are
//! within float noise of each other it re-sums both windows in integers of 1e-8 (Binance prices
//! have at most 8 decimals), so a tie is a tie and floating-point noise never invents a cross.

use super::{Indicator, Source, window::Ring};
use crate::market::Candle;
use std::cmp::Ordering;

pub(super) const UNITS: f64 = 1e8;

/// Simple moving average over `period` values.
#[derive(Debug, Clone)]
pub struct Sma {
    period: usize,
    /// `period` as a float, converted once.
    weight: f64,
    source: Source,
    /// The last `period` values, as a ring.
    values: Box<[f64]>,
    pos: usize,
    seen: usize,
    /// The window minus its newest value, summed as TA-Lib does.
    partial: f64,
    /// The last full window's sum (NaN until the window is full); the average is computed from
    /// it when asked.
    last_total: f64,
}

/// Averages closer than this (relative) are compared exactly. Float running sums drift by far
/// less (about 2e-10 after 1.5 million updates), so outside it the float order is the true order.
const NEAR_TIE: f64 = 1e-8;

/// `x` in integer units of 1e-8, when it is one (within float noise).
pub(super) fn exact_units(x: f64) -> Option<i128> {
    let scaled = x * UNITS;
    if scaled.is_nan() || scaled.abs() >= 9.0e18 {
        return None;
    }
    let rounded = (scaled + 0.5f64.copysign(scaled)) as i64;
    ((scaled - rounded as f64).abs() <= 1e-3).then_some(i128::from(rounded))
}

impl Sma {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            weight: period as f64,
            source,
            values: vec![0.0; period].into_boxed_slice(),
            pos: 0,
            seen: 0,
            partial: 0.0,
            last_total: f64::NAN,
        }
    }

    pub fn period(&self) -> usize {
        self.period
    }

    /// Adds a value; returns the average once `period` values have been seen.
    pub fn push(&mut self, x: f64) -> Option<f64> {
        self.add(x);
        self.value()
    }

    /// Adds a value without computing the average (see `value`, `compare`).
    pub fn add(&mut self, x: f64) {
        let total = self.partial + x;
        self.values[self.pos] = x;
        self.pos += 1;
        if self.pos == self.period {
            self.pos = 0;
        }
        self.seen += 1;
        if self.seen < self.period {
            self.partial = total;
            return;
        }
        self.last_total = total;
        // The oldest value of this window leaves the running sum.
        self.partial = total - self.values[self.pos];
    }

    /// The window sum in units of 1e-8, when every value in it is a multiple of 1e-8.
    pub fn exact_sum(&self) -> Option<i128> {
        self.value()?;
        self.values
            .iter()
            .try_fold(0i128, |sum, &v| Some(sum + exact_units(v)?))
    }

    pub fn value(&self) -> Option<f64> {
        (self.seen >= self.period).then(|| self.last_total / self.weight)
    }

    /// Compares two averages: by value, and exactly when they are within float noise of each other.
    /// Cross-multiplied (total × other period), so no division on the per-bar path.
    pub fn compare(&self, other: &Sma) -> Option<Ordering> {
        if self.seen < self.period || other.seen < other.period {
            return None;
        }
        let (a, b) = (
            self.last_total * other.weight,
            other.last_total * self.weight,
        );
        let gap = a - b;
        if gap.abs() > NEAR_TIE * (a.abs() + b.abs()) {
            return Some(if gap > 0.0 {
                Ordering::Greater
            } else {
                Ordering::Less
            });
        }
        match (self.exact_sum(), other.exact_sum()) {
            (Some(x), Some(y)) => Some((x * other.period as i128).cmp(&(y * self.period as i128))),
            _ => a.partial_cmp(&b),
        }
    }
}

impl Indicator for Sma {
    fn update(&mut self, bar: &Candle) {
        self.push(self.source.of(bar));
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.value() } else { None }
    }

    fn lookback(&self) -> usize {
        self.period - 1
    }

    fn reset(&mut self) {
        *self = Self::on(self.source, self.period);
    }
}

/// Exponential moving average, α = 2 / (period + 1), seeded (as TA-Lib does) with the simple mean
/// of the first `period` values; period 1 passes values through.
#[derive(Debug, Clone)]
pub struct Ema {
    period: usize,
    source: Source,
    k: f64,
    seen: usize,
    seed: f64,
    last: Option<f64>,
}

impl Ema {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            k: 2.0 / (period + 1) as f64,
            seen: 0,
            seed: 0.0,
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        self.last = match self.last {
            _ if self.period == 1 => Some(x),
            Some(prev) => Some((x - prev) * self.k + prev),
            None => {
                self.seed += x;
                self.seen += 1;
                (self.seen == self.period).then(|| self.seed / self.period as f64)
            }
        };
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Ema, lookback: |s| s.period - 1, fresh: |s| Ema::on(s.source, s.period));

/// Weighted moving average: weights 1..=period, the newest value heaviest. Kept as TA-Lib keeps
/// it: a running weighted sum and a running plain sum, the latter subtracted after each output.
#[derive(Debug, Clone)]
pub struct Wma {
    period: usize,
    source: Source,
    window: Ring,
    plain: f64,
    weighted: f64,
    trailing: f64,
    last: Option<f64>,
}

impl Wma {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            window: Ring::new(period),
            plain: 0.0,
            weighted: 0.0,
            trailing: 0.0,
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        if self.period == 1 {
            self.last = Some(x);
            return self.last;
        }
        self.window.push(x);
        let seen = self.window.len();
        if !self.window.is_full() {
            self.plain += x;
            self.weighted += x * seen as f64;
            return None;
        }
        self.plain += x;
        self.plain -= self.trailing;
        self.weighted += x * self.period as f64;
        self.trailing = self.window.back(self.period - 1).unwrap_or(0.0);
        let divider = (self.period * (self.period + 1) / 2) as f64;
        self.last = Some(self.weighted / divider);
        self.weighted -= self.plain;
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Wma, lookback: |s| s.period - 1, fresh: |s| Wma::on(s.source, s.period));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_and_warms_up_like_talib() {
        let mut s = Sma::new(3);
        assert_eq!(s.push(1.0), None);
        assert_eq!(s.push(2.0), None);
        assert_eq!(s.push(3.0), Some(2.0));
        assert_eq!(s.push(10.0), Some(5.0));
        assert_eq!(s.lookback(), 2);
    }

    #[test]
    fn ties_are_exact_where_floats_would_differ() {
        // 0.1 + 0.2 + 0.3 over 3 versus 0.2: equal in decimals, unequal in a float running sum.
        let (mut a, mut b) = (Sma::new(3), Sma::new(1));
        for x in [0.1, 0.2, 0.3] {
            a.push(x);
        }
        b.push(0.2);
        assert_eq!(a.compare(&b), Some(Ordering::Equal));
        assert_ne!(
            (0.1 + 0.2 + 0.3) / 3.0,
            0.2,
            "the float sum really does differ"
        );
    }

    #[test]
    fn values_with_more_decimals_fall_back_to_floats() {
        let mut s = Sma::new(2);
        s.push(1.0 / 3.0);
        s.push(2.0 / 3.0);
        assert_eq!(s.exact_sum(), None);
        assert!((s.value().unwrap() - 0.5).abs() < 1e-15);
        s.push(1.0);
        s.push(2.0);
        assert_eq!(
            s.exact_sum(),
            Some(300_000_000),
            "exact again once the window is clean"
        );
    }

    #[test]
    fn ema_seeds_with_the_mean_then_smooths() {
        let mut e = Ema::new(3);
        assert_eq!((e.push(1.0), e.push(2.0)), (None, None));
        assert_eq!(e.push(3.0), Some(2.0), "seed: mean of the first three");
        assert_eq!(e.push(6.0), Some(4.0), "(6 - 2) * 0.5 + 2");
        assert_eq!(e.lookback(), 2);
        let mut one = Ema::new(1);
        assert_eq!(one.push(0.1), Some(0.1), "period 1 is the input itself");
    }

    #[test]
    fn wma_weights_the_newest_most() {
        let mut w = Wma::new(3);
        assert_eq!((w.push(1.0), w.push(2.0)), (None, None));
        // (1·1 + 2·2 + 3·3) / 6
        assert_eq!(w.push(3.0), Some(14.0 / 6.0));
        // (2·1 + 3·2 + 6·3) / 6
        assert_eq!(w.push(6.0), Some(26.0 / 6.0));
        w.reset();
        assert_eq!(w.push(5.0), None);
    }
}
