//! How far prices move: population standard deviation, Bollinger Bands, ATR and NATR.
//!
//! The variance is computed exactly when every value in the window is a multiple of 1e-8 (as
//! Binance prices are): from integer sums, (n·Σu² − (Σu)²) / n², one rounding at the end. TA-Lib
//! 0.8 computes it cancellation-free too (its old E[x²] − mean² running sums lost up to 1e-7
//! relative on BTC prices); our values agree with it to ~1e-11. Other inputs (an RSI, say) use a
//! sliding Welford update, recomputed from the window every `period` bars so rounding cannot
//! build up. ATR is Wilder's: the mean of the first `period` true ranges (from bar 1), then
//! `atr = (atr · (period − 1) + tr) / period`.

use super::{
    Indicator, Sma, Source,
    average::{UNITS, exact_units},
    window::{Ring, is_zero, true_range},
};
use crate::market::Candle;

/// Population variance of the last `period` values.
#[derive(Debug, Clone)]
struct Variance {
    period: usize,
    window: Ring,
    /// Each window value in units of 1e-8, or `INEXACT`, in the window's slot order.
    units: Vec<i64>,
    /// Σu and Σu² over the window, and how many values are not such units.
    sum: i128,
    squares: i128,
    inexact: usize,
    /// Welford state over the window, kept only while the exact sums cannot serve.
    float: Option<Welford>,
    since_refresh: usize,
    /// Where the next value goes in `units` (the ring's own slot).
    slot: usize,
}

#[derive(Debug, Clone, Copy)]
struct Welford {
    mean: f64,
    m2: f64,
}

const INEXACT: i64 = i64::MIN;

/// Values below this many units (prices below ≈ 9e7) keep Σu² within i128 for any period.
const MAX_UNITS: i128 = 1 << 53;

fn units_of(x: f64) -> i64 {
    exact_units(x)
        .filter(|u| u.abs() < MAX_UNITS)
        .map_or(INEXACT, |u| u as i64)
}

impl Variance {
    fn new(period: usize) -> Self {
        Self {
            period,
            window: Ring::new(period),
            units: vec![INEXACT; period],
            sum: 0,
            squares: 0,
            inexact: 0,
            float: None,
            since_refresh: 0,
            slot: 0,
        }
    }

    fn count(&mut self, u: i64, sign: i128) {
        if u == INEXACT {
            if sign > 0 {
                self.inexact += 1;
            } else {
                self.inexact -= 1;
            }
        } else {
            let u = i128::from(u);
            self.sum += sign * u;
            self.squares += sign * (u * u);
        }
    }

    fn push(&mut self, x: f64) -> Option<f64> {
        // The ring stores push number k in slot k % period; the units mirror it.
        let slot = self.slot;
        self.slot = if slot + 1 == self.period { 0 } else { slot + 1 };
        let evicted = self.window.push(x);
        let u = units_of(x);
        if evicted.is_some() {
            self.count(self.units[slot], -1);
        }
        self.units[slot] = u;
        self.count(u, 1);
        if !self.window.is_full() {
            return None;
        }
        if let Some(exact) = self.exact() {
            self.float = None;
            return Some(exact);
        }
        self.since_refresh += 1;
        match (self.float.as_mut(), evicted) {
            (Some(w), Some(old)) if self.since_refresh < self.period => {
                let n = self.period as f64;
                let mean = w.mean + (x - old) / n;
                w.m2 += (x - old) * ((x - mean) + (old - w.mean));
                w.mean = mean;
                Some((w.m2 / n).max(0.0))
            }
            _ => Some(self.refresh()),
        }
    }

    fn exact(&self) -> Option<f64> {
        if self.inexact > 0 {
            return None;
        }
        let n = self.period as i128;
        let spread = n
            .checked_mul(self.squares)?
            .checked_sub(self.sum.checked_mul(self.sum)?)?;
        Some(spread.max(0) as f64 / ((n * n) as f64 * UNITS * UNITS))
    }

    /// Two-pass mean and sum of squared deviations over the window; returns the variance.
    fn refresh(&mut self) -> f64 {
        let n = self.period as f64;
        let values = self.window.slots();
        let mean = values.iter().sum::<f64>() / n;
        let m2 = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
        self.float = Some(Welford { mean, m2 });
        self.since_refresh = 0;
        (m2 / n).max(0.0)
    }
}

/// Population standard deviation times `deviations`.
#[derive(Debug, Clone)]
pub struct StdDev {
    source: Source,
    deviations: f64,
    variance: Variance,
    last: Option<f64>,
}

impl StdDev {
    pub fn new(period: usize, deviations: f64) -> Self {
        Self::on(Source::Close, period, deviations)
    }

    pub fn on(source: Source, period: usize, deviations: f64) -> Self {
        Self {
            source,
            deviations,
            variance: Variance::new(period.max(1)),
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        let variance = self.variance.push(x)?;
        self.last = Some(variance.sqrt() * self.deviations);
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(StdDev, lookback: |s| s.variance.period - 1,
    fresh: |s| StdDev::on(s.source, s.variance.period, s.deviations));

/// Bollinger Bands: the SMA, and the SMA ± k population standard deviations.
#[derive(Debug, Clone)]
pub struct Bbands {
    source: Source,
    up: f64,
    down: f64,
    middle: Sma,
    variance: Variance,
    last: Option<(f64, f64, f64)>,
}

impl Bbands {
    pub fn new(period: usize, up: f64, down: f64) -> Self {
        Self::on(Source::Close, period, up, down)
    }

    pub fn on(source: Source, period: usize, up: f64, down: f64) -> Self {
        let period = period.max(1);
        Self {
            source,
            up,
            down,
            middle: Sma::on(source, period),
            variance: Variance::new(period),
            last: None,
        }
    }

    /// (upper, middle, lower).
    pub fn push(&mut self, x: f64) -> Option<(f64, f64, f64)> {
        let middle = self.middle.push(x);
        let sd = self.variance.push(x)?.sqrt();
        let middle = middle?;
        self.last = Some((middle + self.up * sd, middle, middle - self.down * sd));
        self.last
    }
}

impl Indicator for Bbands {
    fn update(&mut self, bar: &Candle) {
        self.push(self.source.of(bar));
    }

    fn output(&self, i: usize) -> Option<f64> {
        let (upper, middle, lower) = self.last?;
        [upper, middle, lower].get(i).copied()
    }

    fn outputs(&self) -> usize {
        3
    }

    fn lookback(&self) -> usize {
        self.middle.period() - 1
    }

    fn reset(&mut self) {
        *self = Self::on(self.source, self.middle.period(), self.up, self.down);
    }
}

/// Average true range (Wilder).
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    prev_close: Option<f64>,
    ranges: usize,
    sum: f64,
    last: Option<f64>,
}

impl Atr {
    pub fn new(period: usize) -> Self {
        Self {
            period: period.max(1),
            prev_close: None,
            ranges: 0,
            sum: 0.0,
            last: None,
        }
    }
}

impl Indicator for Atr {
    fn update(&mut self, bar: &Candle) {
        let Some(prev_close) = self.prev_close.replace(bar.close) else {
            return;
        };
        let tr = true_range(bar.high, bar.low, prev_close);
        let n = self.period as f64;
        self.ranges += 1;
        self.last = match self.last {
            Some(atr) => Some((atr * (n - 1.0) + tr) / n),
            None => {
                self.sum += tr;
                (self.ranges == self.period).then(|| self.sum / n)
            }
        };
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        self.period
    }

    fn reset(&mut self) {
        *self = Self::new(self.period);
    }
}

/// ATR as a percentage of the close; 0 for a (near) zero close.
#[derive(Debug, Clone)]
pub struct Natr {
    atr: Atr,
    last: Option<f64>,
}

impl Natr {
    pub fn new(period: usize) -> Self {
        Self {
            atr: Atr::new(period),
            last: None,
        }
    }
}

impl Indicator for Natr {
    fn update(&mut self, bar: &Candle) {
        self.atr.update(bar);
        self.last = self.atr.value().map(|atr| {
            if is_zero(bar.close) {
                0.0
            } else {
                (atr / bar.close) * 100.0
            }
        });
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        self.atr.lookback()
    }

    fn reset(&mut self) {
        self.atr.reset();
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_bar as bar;

    #[test]
    fn stddev_is_the_population_deviation() {
        let mut s = StdDev::new(4, 1.0);
        let got: Vec<_> = [2.0, 4.0, 4.0, 4.0, 5.0]
            .iter()
            .map(|&x| s.push(x))
            .collect();
        assert_eq!(got[..3], [None, None, None]);
        // 2,4,4,4: mean 3.5, squared deviations 2.25 + 3·0.25 = 3, / 4.
        assert_eq!(got[3], Some(0.75_f64.sqrt()));
        // 4,4,4,5: mean 4.25, (3·0.0625 + 0.5625) / 4 = 0.1875.
        assert_eq!(got[4], Some(0.1875_f64.sqrt()));
        let mut flat = StdDev::new(3, 2.0);
        assert_eq!([7.1; 4].map(|x| flat.push(x))[3], Some(0.0));
    }

    #[test]
    fn stddev_of_big_prices_does_not_cancel() {
        // A float running E[x²] − mean² loses all digits here; the exact sums do not.
        let mut s = StdDev::new(2, 1.0);
        s.push(100_000.01);
        let sd = s.push(100_000.02).unwrap();
        assert!((sd - 0.005).abs() < 1e-15, "{sd}");
    }

    #[test]
    fn inexact_inputs_use_a_stable_float_path() {
        let mut s = StdDev::new(3, 1.0);
        let xs: Vec<f64> = (0..50).map(|i| 1e6 + f64::from(i % 3) / 3.0).collect();
        let last = xs.iter().map(|&x| s.push(x)).last().flatten().unwrap();
        // Each window is {0, 1/3, 2/3} + 1e6: σ = √(2/27).
        assert!((last - (2.0_f64 / 27.0).sqrt()).abs() < 1e-9, "{last}");
    }

    #[test]
    fn windows_moving_between_exact_and_inexact_values_stay_accurate() {
        let mut s = StdDev::new(5, 1.0);
        let xs: Vec<f64> = (0..300_u32)
            .map(|i| {
                let x = 2e4 + f64::from(i * 7919 % 97) * 0.37;
                // Runs of values with more than 8 decimals, then clean ones again.
                if (i / 11) % 3 == 0 { x + 1.0 / 3.0 } else { x }
            })
            .collect();
        for (i, &x) in xs.iter().enumerate() {
            let got = s.push(x);
            if i < 4 {
                assert_eq!(got, None);
                continue;
            }
            let w = &xs[i - 4..=i];
            let mean = w.iter().sum::<f64>() / 5.0;
            let want = (w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 5.0).sqrt();
            let got = got.unwrap();
            assert!(
                (got - want).abs() <= 1e-9 * want.max(1.0),
                "bar {i}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn bands_sit_k_deviations_around_the_sma() {
        let mut b = Bbands::new(2, 2.0, 1.0);
        assert_eq!(b.push(1.0), None);
        assert_eq!(b.push(3.0), Some((4.0, 2.0, 1.0)));
        assert_eq!((b.outputs(), b.lookback()), (3, 1));
    }

    #[test]
    fn atr_seeds_with_the_mean_true_range_from_bar_one() {
        let mut atr = Atr::new(2);
        let mut natr = Natr::new(2);
        let bars = [
            bar(10.0, 8.0, 9.0),
            bar(11.0, 9.0, 10.0),
            bar(14.0, 10.0, 13.0),
            bar(13.0, 12.0, 12.5),
        ];
        let mut got = Vec::new();
        for b in &bars {
            atr.update(b);
            natr.update(b);
            got.push((atr.value(), natr.value()));
        }
        assert_eq!(got[1], (None, None), "only one true range yet");
        // TRs: 2 (bar 1), 4 (bar 2): mean 3. Then (3·1 + 1) / 2 = 2.
        assert_eq!(got[2].0, Some(3.0));
        assert_eq!(got[3].0, Some(2.0));
        assert_eq!(got[3].1, Some(2.0 / 12.5 * 100.0));
        assert_eq!(atr.lookback(), 2);
    }
}
