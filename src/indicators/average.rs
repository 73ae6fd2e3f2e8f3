//! Moving averages. `Sma` keeps its window sum exactly when the inputs have at most 8 decimals (as
//! Binance prices do): integers of 1e-8, so two averages compare exactly (`Sma::compare`) and a tie
//! is a tie, where a floating-point running sum would invent crosses. Its value is the correctly
//! rounded mean, within TA-Lib's own rounding of its running sum.

use super::{Indicator, Source};
use crate::market::Candle;
use std::{cmp::Ordering, collections::VecDeque};

const UNITS: f64 = 1e8;

/// Simple moving average over `period` values.
#[derive(Debug, Clone)]
pub struct Sma {
    period: usize,
    source: Source,
    /// The last `period - 1` values (the window without its newest value), with their 1e-8 units
    /// when exact.
    window: VecDeque<(f64, Option<i128>)>,
    /// Sums of `window`, exact and floating (in TA-Lib's order of operations).
    units: i128,
    inexact: usize,
    partial: f64,
    /// The last average and its exact window sum, if any.
    last: Option<f64>,
    last_units: Option<i128>,
}

fn exact_units(x: f64) -> Option<i128> {
    let scaled = x * UNITS;
    let rounded = scaled.round();
    ((scaled - rounded).abs() <= 1e-3 && rounded.abs() < 1e30).then_some(rounded as i128)
}

impl Sma {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            window: VecDeque::with_capacity(period),
            units: 0,
            inexact: 0,
            partial: 0.0,
            last: None,
            last_units: None,
        }
    }

    pub fn period(&self) -> usize {
        self.period
    }

    /// Adds a value; returns the average once `period` values have been seen.
    pub fn push(&mut self, x: f64) -> Option<f64> {
        let units = exact_units(x);
        let total = self.partial + x;
        if self.window.len() + 1 < self.period {
            self.window.push_back((x, units));
            self.partial = total;
            self.units += units.unwrap_or(0);
            self.inexact += usize::from(units.is_none());
            return None;
        }
        let exact = (self.inexact == 0)
            .then_some(())
            .and(units)
            .map(|u| self.units + u);
        self.last_units = exact;
        self.last = Some(match exact {
            // Exact operands, one rounding: the mean correctly rounded.
            Some(u) if u.unsigned_abs() < (1u128 << 53) => u as f64 / (UNITS * self.period as f64),
            _ => total / self.period as f64,
        });
        self.window.push_back((x, units));
        self.units += units.unwrap_or(0);
        self.inexact += usize::from(units.is_none());
        if let Some((old, old_units)) = self.window.pop_front() {
            self.partial = total - old;
            self.units -= old_units.unwrap_or(0);
            self.inexact -= usize::from(old_units.is_none());
        }
        self.last
    }

    /// The window sum in units of 1e-8, when every value in the window is a multiple of 1e-8.
    pub fn exact_sum(&self) -> Option<i128> {
        self.last_units
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }

    /// Compares two averages, exactly when both sums are exact.
    pub fn compare(&self, other: &Sma) -> Option<Ordering> {
        match (self.exact_sum(), other.exact_sum()) {
            (Some(a), Some(b)) => Some((a * other.period as i128).cmp(&(b * self.period as i128))),
            _ => self.value()?.partial_cmp(&other.value()?),
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
}
