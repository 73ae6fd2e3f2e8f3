//! Kaufman's adaptive moving average, as TA-Lib computes it. The efficiency ratio
//! ER = |x − x[period]| / Σ|x − x[−1]| over the last `period` changes picks a smoothing constant
//! between the 2-bar and 30-bar EMA ones (TA-Lib fixes both, whatever the period):
//! sc = (ER·(2/3 − 2/31) + 2/31)², KAMA += sc·(x − KAMA), seeded with the previous price.
//!
//! TA-Lib's edge rules, kept: the ER is 1 when the path length is (near) zero or when it is not
//! larger than the signed net change (`sumROC1 <= periodROC`); the path length is a running sum
//! (add the newest change, drop the oldest), so it carries TA-Lib's rounding too.

use super::{Source, window::Ring, window::is_zero};

const SLOWEST: f64 = 2.0 / (30.0 + 1.0);

#[derive(Debug, Clone)]
pub struct Kama {
    period: usize,
    source: Source,
    /// The last `period + 1` inputs.
    window: Ring,
    /// Σ|x − x[−1]| over the window.
    path: f64,
    last: Option<f64>,
}

impl Kama {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            window: Ring::new(period + 1),
            path: 0.0,
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        if self.period == 1 {
            self.last = Some(x);
            return self.last;
        }
        let prev = self.window.back(0);
        // The oldest input and the one before it, about to leave the window.
        let (oldest, leaving) = (
            self.window.back(self.period - 1),
            self.window.back(self.period),
        );
        self.window.push(x);
        let prev = prev?;
        if let (Some(oldest), Some(leaving)) = (oldest, leaving) {
            self.path -= (leaving - oldest).abs();
        }
        self.path += (prev - x).abs();
        if !self.window.is_full() {
            return None;
        }
        let base = oldest.unwrap_or(x);
        let change = x - base;
        let ratio = if self.path <= change || is_zero(self.path) {
            1.0
        } else {
            (change / self.path).abs()
        };
        let sc = ratio * (2.0 / (2.0 + 1.0) - SLOWEST) + SLOWEST;
        let sc = sc * sc;
        let kama = self.last.unwrap_or(prev);
        self.last = Some((x - kama) * sc + kama);
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Kama, lookback: |s| if s.period == 1 { 0 } else { s.period }, fresh: |s| Kama::on(s.source, s.period));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::Indicator;

    #[test]
    fn first_value_uses_the_previous_price_as_seed() {
        let mut k = Kama::new(2);
        assert_eq!((k.push(1.0), k.push(2.0)), (None, None));
        // Straight move: ER = 1, sc = (2/3)², KAMA = 2 + (3 − 2)·4/9.
        let v = k.push(3.0).unwrap();
        assert!((v - (2.0 + 4.0 / 9.0)).abs() < 1e-12, "{v}");
        assert_eq!(k.lookback(), 2);
    }

    #[test]
    fn choppy_moves_smooth_slowly_and_flat_prices_count_as_efficient() {
        let mut k = Kama::new(2);
        for x in [10.0, 12.0] {
            k.push(x);
        }
        // Change 10 → 10 over a path of 4: ER = 0, sc = (2/31)².
        let v = k.push(10.0).unwrap();
        let sc = SLOWEST * SLOWEST;
        assert!((v - (12.0 + (10.0 - 12.0) * sc)).abs() < 1e-12);
        let mut flat = Kama::new(3);
        let out: Vec<_> = [5.0; 6].iter().map(|&x| flat.push(x)).collect();
        assert_eq!(out[3..], [Some(5.0); 3], "zero path: ER 1, value unchanged");
    }

    #[test]
    fn a_falling_market_is_efficient_by_the_absolute_ratio() {
        let mut k = Kama::new(2);
        for x in [3.0, 2.0] {
            k.push(x);
        }
        let v = k.push(1.0).unwrap();
        assert!(
            (v - (2.0 - 4.0 / 9.0)).abs() < 1e-12,
            "ER = |−2/2| = 1: {v}"
        );
    }
}
