//! Momentum of one series: RSI (Wilder), ROC and MOM over `period` bars, and MACD.
//!
//! RSI keeps TA-Lib 0.8's order of operations: the first averages are plain means of the first
//! `period` gains and losses, then each is multiplied by `period − 1`, the new move added and the
//! sum multiplied by `1 / period`; a (near) zero gain + loss gives 0. MACD starts its fast EMA late so
//! both EMAs seed on the same bar (`slow − 1`): the fast one from the `fast` values ending there.

use super::{Ema, Indicator, Source, window::Ring, window::is_zero};
use crate::market::Candle;

/// Relative strength index.
#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    source: Source,
    prev: Option<f64>,
    seen: usize,
    gain: f64,
    loss: f64,
    last: Option<f64>,
}

impl Rsi {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        Self {
            period: period.max(2),
            source,
            prev: None,
            seen: 0,
            gain: 0.0,
            loss: 0.0,
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        let prev = self.prev.replace(x)?;
        let n = self.period as f64;
        let change = x - prev;
        self.seen += 1;
        if self.seen > self.period {
            self.gain *= n - 1.0;
            self.loss *= n - 1.0;
        }
        if change < 0.0 {
            self.loss -= change;
        } else {
            self.gain += change;
        }
        if self.seen < self.period {
            return None;
        }
        // TA-Lib 0.8 multiplies by the reciprocal (bit-identical to its output on real data).
        let reciprocal = 1.0 / n;
        self.gain *= reciprocal;
        self.loss *= reciprocal;
        let total = self.gain + self.loss;
        self.last = Some(if is_zero(total) {
            0.0
        } else {
            100.0 * (self.gain / total)
        });
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Rsi, lookback: |s| s.period, fresh: |s| Rsi::on(s.source, s.period));

/// Rate of change in %: (x / x[period] − 1)·100, 0 where x[period] is 0.
#[derive(Debug, Clone)]
pub struct Roc {
    period: usize,
    source: Source,
    window: Ring,
    last: Option<f64>,
}

impl Roc {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            window: Ring::new(period + 1),
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        self.window.push(x);
        let then = self.window.back(self.period)?;
        self.last = Some(if then != 0.0 {
            (x / then - 1.0) * 100.0
        } else {
            0.0
        });
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Roc, lookback: |s| s.period, fresh: |s| Roc::on(s.source, s.period));

/// Momentum: x − x[period].
#[derive(Debug, Clone)]
pub struct Mom {
    period: usize,
    source: Source,
    window: Ring,
    last: Option<f64>,
}

impl Mom {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            window: Ring::new(period + 1),
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        self.window.push(x);
        self.last = Some(x - self.window.back(self.period)?);
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Mom, lookback: |s| s.period, fresh: |s| Mom::on(s.source, s.period));

/// MACD: outputs the MACD line (fast EMA − slow EMA), its signal EMA and the histogram, all three
/// from the bar the signal is ready (TA-Lib outputs nothing before).
#[derive(Debug, Clone)]
pub struct Macd {
    fast: usize,
    slow: usize,
    source: Source,
    seen: usize,
    fast_ema: Ema,
    slow_ema: Ema,
    signal: Ema,
    last: Option<(f64, f64, f64)>,
}

impl Macd {
    /// Periods as TA-Lib takes them (fast and slow swapped if given the wrong way round).
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        Self::on(Source::Close, fast, slow, signal)
    }

    pub fn on(source: Source, fast: usize, slow: usize, signal: usize) -> Self {
        let (fast, slow) = (fast.min(slow).max(1), fast.max(slow).max(1));
        Self {
            fast,
            slow,
            source,
            seen: 0,
            fast_ema: Ema::new(fast),
            slow_ema: Ema::new(slow),
            signal: Ema::new(signal.max(1)),
            last: None,
        }
    }

    /// (macd, signal, histogram) once all three are defined.
    pub fn push(&mut self, x: f64) -> Option<(f64, f64, f64)> {
        self.seen += 1;
        let slow = self.slow_ema.push(x);
        let fast = if self.seen > self.slow - self.fast {
            self.fast_ema.push(x)
        } else {
            None
        };
        let line = fast? - slow?;
        let signal = self.signal.push(line)?;
        self.last = Some((line, signal, line - signal));
        self.last
    }

    pub fn value(&self) -> Option<(f64, f64, f64)> {
        self.last
    }

    fn signal_period(&self) -> usize {
        self.signal.lookback() + 1
    }
}

impl Indicator for Macd {
    fn update(&mut self, bar: &Candle) {
        self.push(self.source.of(bar));
    }

    fn output(&self, i: usize) -> Option<f64> {
        let (line, signal, hist) = self.last?;
        [line, signal, hist].get(i).copied()
    }

    fn outputs(&self) -> usize {
        3
    }

    fn lookback(&self) -> usize {
        self.slow - 1 + self.signal_period() - 1
    }

    fn reset(&mut self) {
        *self = Self::on(self.source, self.fast, self.slow, self.signal_period());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed<T>(xs: &[f64], mut push: impl FnMut(f64) -> Option<T>) -> Vec<Option<T>> {
        xs.iter().map(|&x| push(x)).collect()
    }

    #[test]
    fn rsi_seeds_with_plain_means_then_smooths_like_wilder() {
        let mut r = Rsi::new(2);
        let got = feed(&[10.0, 12.0, 11.0, 14.0], |x| r.push(x));
        assert_eq!(&got[..2], &[None, None]);
        // Gains 2, losses 1 over two moves: 100 · 1 / 1.5.
        assert!((got[2].unwrap() - 100.0 / 1.5).abs() < 1e-12);
        // gain (1·1 + 3) / 2 = 2, loss (0.5·1 + 0) / 2 = 0.25.
        assert!((got[3].unwrap() - 100.0 * 2.0 / 2.25).abs() < 1e-12);
        assert_eq!(r.lookback(), 2);
    }

    #[test]
    fn rsi_of_a_flat_series_is_zero_as_in_talib() {
        let mut r = Rsi::new(3);
        let got = feed(&[7.0; 6], |x| r.push(x));
        assert_eq!(got[3..], [Some(0.0); 3]);
    }

    #[test]
    fn roc_and_mom_look_back_period_bars() {
        let (mut roc, mut mom) = (Roc::new(2), Mom::new(2));
        let xs = [100.0, 50.0, 110.0, 0.0, 10.0];
        let r = feed(&xs, |x| roc.push(x));
        let m = feed(&xs, |x| mom.push(x));
        assert_eq!(r[..2], [None, None]);
        assert!((r[2].unwrap() - 10.0).abs() < 1e-12);
        assert_eq!(
            (r[3], r[4]),
            (Some(-100.0), Some(-100.0 * (1.0 - 10.0 / 110.0)))
        );
        assert_eq!(m, vec![None, None, Some(10.0), Some(-50.0), Some(-100.0)]);
        let mut from_zero = Roc::new(1);
        assert_eq!(
            feed(&[0.0, 5.0], |x| from_zero.push(x)),
            vec![None, Some(0.0)]
        );
    }

    #[test]
    fn macd_starts_both_emas_together_and_outputs_three_lines() {
        let mut m = Macd::new(2, 3, 2);
        assert_eq!(m.lookback(), 3);
        let got = feed(&[1.0, 2.0, 3.0, 4.0, 5.0], |x| m.push(x));
        assert_eq!(got.iter().position(Option::is_some), Some(3));
        // At bar 2 the slow EMA is mean(1,2,3) = 2 and the fast one mean(2,3) = 2.5: line 0.5.
        // Bar 3: fast 2.5 + (4 − 2.5)·2/3 = 3.5, slow 2 + (4 − 2)·0.5 = 3, line 0.5.
        let (line, signal, hist) = got[3].unwrap();
        assert!((line - 0.5).abs() < 1e-12 && (signal - 0.5).abs() < 1e-12);
        assert!(hist.abs() < 1e-12);
        assert_eq!(m.outputs(), 3);
        assert_eq!(m.output(3), None);
        m.reset();
        assert_eq!(m.value(), None);
    }
}
