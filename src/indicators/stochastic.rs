//! Where the close sits in the recent range: fast and slow stochastics, StochRSI and Williams %R.
//! The range is the highest high and lowest low of the last `k` bars, the current bar included.
//! %K = 100 · ((close − lowest) / (highest − lowest)) and %R = −100 · ((highest − close) /
//! (highest − lowest)), in TA-Lib 0.8's order (bit-identical on real data). A flat range gives 0;
//! "flat" means within 1e-14 of the range's level, so the rounding residue a flat RSI leaves does
//! not become a spurious 0 or 100 (TA-Lib's fix for STOCHRSI, issue #107). %D lines are simple
//! moving averages (TA-Lib's default MA type, with TA-Lib's running sum), so the fast
//! stochastic's first value comes with bar `k − 1 + d − 1`.

use super::{
    Chain, Indicator, Rsi,
    window::{Extreme, RunningMean},
};
use crate::market::Candle;

/// Highest high and lowest low over the last `period` bars.
#[derive(Debug, Clone)]
struct Range {
    period: usize,
    bar: usize,
    high: Extreme,
    low: Extreme,
}

impl Range {
    fn new(period: usize) -> Self {
        Self {
            period,
            bar: 0,
            high: Extreme::max(period),
            low: Extreme::min(period),
        }
    }

    /// (highest, lowest) once `period` bars are in.
    fn push(&mut self, high: f64, low: f64) -> Option<(f64, f64)> {
        self.high.push(self.bar, high);
        self.low.push(self.bar, low);
        self.bar += 1;
        let (_, hi) = self.high.get()?;
        let (_, lo) = self.low.get()?;
        (self.bar >= self.period).then_some((hi, lo))
    }

    /// %K of `close` in the range.
    fn percent_k(&mut self, bar: &Candle) -> Option<f64> {
        let (hi, lo) = self.push(bar.high, bar.low)?;
        Some(if flat(hi, lo) {
            0.0
        } else {
            100.0 * ((bar.close - lo) / (hi - lo))
        })
    }
}

fn flat(hi: f64, lo: f64) -> bool {
    (hi - lo).abs() <= 1e-14 * (hi.abs() + lo.abs())
}

/// Fast stochastic: %K and %D = SMA(%K).
#[derive(Debug, Clone)]
pub struct StochF {
    range: Range,
    d: RunningMean,
    last: Option<(f64, f64)>,
}

impl StochF {
    pub fn new(k: usize, d: usize) -> Self {
        Self {
            range: Range::new(k.max(1)),
            d: RunningMean::new(d.max(1)),
            last: None,
        }
    }
}

impl Indicator for StochF {
    fn update(&mut self, bar: &Candle) {
        let Some(k) = self.range.percent_k(bar) else {
            return;
        };
        if let Some(d) = self.d.push(k) {
            self.last = Some((k, d));
        }
    }

    fn output(&self, i: usize) -> Option<f64> {
        let (k, d) = self.last?;
        [k, d].get(i).copied()
    }

    fn outputs(&self) -> usize {
        2
    }

    fn lookback(&self) -> usize {
        self.range.period - 1 + self.d.period() - 1
    }

    fn reset(&mut self) {
        *self = Self::new(self.range.period, self.d.period());
    }
}

/// Slow stochastic (TA-Lib's STOCH): slow %K = SMA(fast %K), slow %D = SMA(slow %K).
#[derive(Debug, Clone)]
pub struct Stochastic {
    range: Range,
    slow_k: RunningMean,
    slow_d: RunningMean,
    last: Option<(f64, f64)>,
}

impl Stochastic {
    pub fn new(fast_k: usize, slow_k: usize, slow_d: usize) -> Self {
        Self {
            range: Range::new(fast_k.max(1)),
            slow_k: RunningMean::new(slow_k.max(1)),
            slow_d: RunningMean::new(slow_d.max(1)),
            last: None,
        }
    }
}

impl Indicator for Stochastic {
    fn update(&mut self, bar: &Candle) {
        let Some(k) = self.range.percent_k(bar) else {
            return;
        };
        let Some(slow_k) = self.slow_k.push(k) else {
            return;
        };
        if let Some(slow_d) = self.slow_d.push(slow_k) {
            self.last = Some((slow_k, slow_d));
        }
    }

    fn output(&self, i: usize) -> Option<f64> {
        let (k, d) = self.last?;
        [k, d].get(i).copied()
    }

    fn outputs(&self) -> usize {
        2
    }

    fn lookback(&self) -> usize {
        self.range.period - 1 + self.slow_k.period() - 1 + self.slow_d.period() - 1
    }

    fn reset(&mut self) {
        *self = Self::new(
            self.range.period,
            self.slow_k.period(),
            self.slow_d.period(),
        );
    }
}

/// Stochastic RSI as TA-Lib defines it: the fast stochastic of the RSI (the RSI value serving as
/// high, low and close), built by composition.
pub struct StochRsi {
    params: (usize, usize, usize),
    chain: Chain,
}

impl StochRsi {
    pub fn new(period: usize, k: usize, d: usize) -> Self {
        Self {
            params: (period, k, d),
            chain: Chain::new(Box::new(Rsi::new(period)), 0, Box::new(StochF::new(k, d))),
        }
    }
}

impl Indicator for StochRsi {
    fn update(&mut self, bar: &Candle) {
        self.chain.update(bar);
    }

    fn output(&self, i: usize) -> Option<f64> {
        self.chain.output(i)
    }

    fn outputs(&self) -> usize {
        self.chain.outputs()
    }

    fn lookback(&self) -> usize {
        self.chain.lookback()
    }

    fn reset(&mut self) {
        self.chain.reset();
    }
}

impl std::fmt::Debug for StochRsi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StochRsi")
            .field("params", &self.params)
            .finish()
    }
}

/// Williams %R: (highest − close) / (highest − lowest) · −100, 0 on a zero range.
#[derive(Debug, Clone)]
pub struct WillR {
    range: Range,
    last: Option<f64>,
}

impl WillR {
    pub fn new(period: usize) -> Self {
        Self {
            range: Range::new(period.max(1)),
            last: None,
        }
    }
}

impl Indicator for WillR {
    fn update(&mut self, bar: &Candle) {
        let Some((hi, lo)) = self.range.push(bar.high, bar.low) else {
            return;
        };
        self.last = Some(if flat(hi, lo) {
            0.0
        } else {
            -100.0 * ((hi - bar.close) / (hi - lo))
        });
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        self.range.period - 1
    }

    fn reset(&mut self) {
        *self = Self::new(self.range.period);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_bar as bar;

    fn close(x: f64) -> Candle {
        bar(x, x, x)
    }

    #[test]
    fn fast_k_includes_the_current_bar() {
        let mut s = StochF::new(2, 1);
        s.update(&bar(10.0, 8.0, 9.0));
        assert_eq!(s.value(), None);
        s.update(&bar(12.0, 9.0, 11.0));
        // Range 8..12: (11 − 8) / 4 · 100.
        assert_eq!((s.output(0), s.output(1)), (Some(75.0), Some(75.0)));
        assert_eq!(s.lookback(), 1);
    }

    #[test]
    fn slow_lines_are_smas_of_fast_k_and_a_flat_range_gives_zero() {
        let mut s = Stochastic::new(1, 2, 2);
        assert_eq!(s.lookback(), 2);
        let bars = [
            bar(10.0, 0.0, 10.0),
            bar(10.0, 0.0, 0.0),
            close(5.0),
            bar(10.0, 0.0, 5.0),
        ];
        let mut got = Vec::new();
        for b in &bars {
            s.update(b);
            got.push((s.output(0), s.output(1)));
        }
        // Fast %K: 100, 0, 0 (flat bar), 50. Slow %K: -, 50, 0, 25. Slow %D: -, -, 25, 12.5.
        assert_eq!(got[1], (None, None));
        assert_eq!(got[2], (Some(0.0), Some(25.0)));
        assert_eq!(got[3], (Some(25.0), Some(12.5)));
    }

    #[test]
    fn stoch_rsi_is_a_stochastic_over_rsi_values() {
        let mut s = StochRsi::new(2, 2, 1);
        assert_eq!(s.lookback(), 2 + 1);
        let mut rsi = Rsi::new(2);
        let mut values = Vec::new();
        for x in [1.0, 2.0, 1.5, 3.0, 2.0] {
            s.update(&close(x));
            values.push(rsi.push(x));
        }
        let (a, b) = (values[3].unwrap(), values[4].unwrap());
        let want = 100.0 * ((b - a.min(b)) / (a.max(b) - a.min(b)));
        assert_eq!(s.value(), Some(want));
        assert_eq!(s.outputs(), 2);
    }

    #[test]
    fn rounding_noise_in_a_flat_range_is_no_range() {
        let mut s = StochF::new(2, 1);
        s.update(&close(50.0));
        s.update(&close(50.0 + 1e-13));
        assert_eq!(
            s.value(),
            Some(0.0),
            "a 1e-13 wobble at 50 is flat, not 100"
        );
        s.update(&close(50.001));
        assert_eq!(s.value(), Some(100.0));
    }

    #[test]
    fn williams_r_runs_from_minus_100_to_0() {
        let mut w = WillR::new(2);
        w.update(&bar(10.0, 5.0, 6.0));
        assert_eq!(w.value(), None);
        w.update(&bar(9.0, 6.0, 9.0));
        assert_eq!(w.value(), Some(-20.0), "(10 − 9) / (10 − 5) · −100");
        w.update(&close(7.0));
        w.update(&close(7.0));
        assert_eq!(w.value(), Some(0.0), "flat range");
    }
}
