//! Wilder's directional movement: +DI, −DI and ADX, sharing one core.
//!
//! Bar to bar, +DM is the rise of the high and −DM the fall of the low; only the larger counts
//! (neither when equal or not positive). The first `period − 1` DMs and true ranges (from bar 1)
//! are summed; from bar `period` each sum is smoothed as `s − s/period + today`, so the first DI
//! comes with bar `period`: DI = 100 · DM / TR, 0 when TR is (near) zero. DX = 100 · |−DI − +DI| /
//! (−DI + +DI); the first ADX is the mean of the DX of bars `period ..= 2·period − 1`, then
//! `adx = (adx · (period − 1) + dx) / period`. A bar whose DX is undefined (zero TR or zero DI sum)
//! adds nothing to the first mean and leaves the ADX unchanged afterwards, as in TA-Lib.

use super::{
    Indicator,
    window::{is_zero, true_range},
};
use crate::market::Candle;

#[derive(Debug, Clone)]
struct Dm {
    period: usize,
    prev: Option<Candle>,
    /// Bar-to-bar moves seen.
    moves: usize,
    plus: f64,
    minus: f64,
    range: f64,
}

impl Dm {
    fn new(period: usize) -> Self {
        Self {
            period: period.max(2),
            prev: None,
            moves: 0,
            plus: 0.0,
            minus: 0.0,
            range: 0.0,
        }
    }

    /// (+DI, −DI) from bar `period` on.
    fn update(&mut self, bar: &Candle) -> Option<(f64, f64)> {
        let prev = self.prev.replace(*bar)?;
        let up = bar.high - prev.high;
        let down = prev.low - bar.low;
        let tr = true_range(bar.high, bar.low, prev.close);
        let n = self.period as f64;
        self.moves += 1;
        if self.moves >= self.period {
            self.plus -= self.plus / n;
            self.minus -= self.minus / n;
            self.range -= self.range / n;
        }
        if down > 0.0 && up < down {
            self.minus += down;
        } else if up > 0.0 && up > down {
            self.plus += up;
        }
        self.range += tr;
        if self.moves < self.period {
            return None;
        }
        if is_zero(self.range) {
            return Some((0.0, 0.0));
        }
        Some((
            100.0 * (self.plus / self.range),
            100.0 * (self.minus / self.range),
        ))
    }

    /// DX, when defined.
    fn dx(&self, plus_di: f64, minus_di: f64) -> Option<f64> {
        let sum = minus_di + plus_di;
        (!is_zero(self.range) && !is_zero(sum)).then(|| 100.0 * ((minus_di - plus_di).abs() / sum))
    }
}

/// Plus directional indicator.
#[derive(Debug, Clone)]
pub struct PlusDi {
    dm: Dm,
    last: Option<f64>,
}

impl PlusDi {
    pub fn new(period: usize) -> Self {
        Self {
            dm: Dm::new(period),
            last: None,
        }
    }
}

/// Minus directional indicator.
#[derive(Debug, Clone)]
pub struct MinusDi {
    dm: Dm,
    last: Option<f64>,
}

impl MinusDi {
    pub fn new(period: usize) -> Self {
        Self {
            dm: Dm::new(period),
            last: None,
        }
    }
}

macro_rules! di_indicator {
    ($ty:ident, $pick:expr) => {
        impl Indicator for $ty {
            fn update(&mut self, bar: &Candle) {
                if let Some(di) = self.dm.update(bar) {
                    self.last = Some($pick(di));
                }
            }

            fn output(&self, i: usize) -> Option<f64> {
                if i == 0 { self.last } else { None }
            }

            fn lookback(&self) -> usize {
                self.dm.period
            }

            fn reset(&mut self) {
                *self = Self::new(self.dm.period);
            }
        }
    };
}

di_indicator!(PlusDi, |(plus, _): (f64, f64)| plus);
di_indicator!(MinusDi, |(_, minus): (f64, f64)| minus);

/// Average directional index.
#[derive(Debug, Clone)]
pub struct Adx {
    dm: Dm,
    /// DX values folded into the first mean so far.
    dxs: usize,
    sum: f64,
    last: Option<f64>,
    /// The last (+DI, −DI), which ADX computes anyway.
    di: Option<(f64, f64)>,
}

impl Adx {
    pub fn new(period: usize) -> Self {
        Self {
            dm: Dm::new(period),
            dxs: 0,
            sum: 0.0,
            last: None,
            di: None,
        }
    }
}

impl Indicator for Adx {
    fn update(&mut self, bar: &Candle) {
        let Some((plus, minus)) = self.dm.update(bar) else {
            return;
        };
        self.di = Some((plus, minus));
        let dx = self.dm.dx(plus, minus);
        let n = self.dm.period as f64;
        match self.last {
            Some(adx) => {
                if let Some(dx) = dx {
                    self.last = Some((adx * (n - 1.0) + dx) / n);
                }
            }
            None => {
                self.sum += dx.unwrap_or(0.0);
                self.dxs += 1;
                if self.dxs == self.dm.period {
                    self.last = Some(self.sum / n);
                }
            }
        }
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        2 * self.dm.period - 1
    }

    fn reset(&mut self) {
        *self = Self::new(self.dm.period);
    }
}

/// ADX, +DI and −DI from one computation (outputs in that order; the DIs start `period − 1` bars
/// before the ADX). Cheaper than the three separately when all are wanted.
#[derive(Debug, Clone)]
pub struct Dmi(Adx);

impl Dmi {
    pub fn new(period: usize) -> Self {
        Self(Adx::new(period))
    }
}

impl Indicator for Dmi {
    fn update(&mut self, bar: &Candle) {
        self.0.update(bar);
    }

    fn output(&self, i: usize) -> Option<f64> {
        match i {
            0 => self.0.last,
            1 => self.0.di.map(|d| d.0),
            2 => self.0.di.map(|d| d.1),
            _ => None,
        }
    }

    fn outputs(&self) -> usize {
        3
    }

    fn lookback(&self) -> usize {
        self.0.lookback()
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::test_bar as bar;

    fn feed(ind: &mut dyn Indicator, bars: &[Candle]) -> Vec<Option<f64>> {
        bars.iter()
            .map(|b| {
                ind.update(b);
                ind.value()
            })
            .collect()
    }

    /// A steady climb: every bar's high rises by 1 and its low by 1; TR 2 (range) each bar.
    fn climb(n: usize) -> Vec<Candle> {
        (0..n)
            .map(|i| i as f64)
            .map(|x| bar(x + 2.0, x, x + 1.0))
            .collect()
    }

    #[test]
    fn di_sums_then_smooths_from_bar_period() {
        let bars = climb(5);
        let plus = feed(&mut PlusDi::new(3), &bars);
        let minus = feed(&mut MinusDi::new(3), &bars);
        assert_eq!(plus[..3], [None, None, None]);
        // +DM 1 per bar against TR 2: DI 50 however it is smoothed.
        assert!(plus[3..].iter().all(|v| (v.unwrap() - 50.0).abs() < 1e-12));
        assert_eq!(minus[3..], [Some(0.0), Some(0.0)]);
    }

    #[test]
    fn adx_is_the_mean_dx_then_wilder_smoothed() {
        let bars = climb(8);
        let mut adx = Adx::new(3);
        let got = feed(&mut adx, &bars);
        assert_eq!(adx.lookback(), 5);
        assert_eq!(got.iter().position(Option::is_some), Some(5));
        // −DI 0 and +DI 50: DX 100 on every bar.
        assert!(got[5..].iter().all(|v| (v.unwrap() - 100.0).abs() < 1e-12));
    }

    #[test]
    fn equal_moves_count_for_neither_side_and_flat_bars_leave_adx_alone() {
        // Outside bars: high up 1, low down 1 — +DM and −DM tie, so both are 0.
        let bars: Vec<_> = (0..6)
            .map(f64::from)
            .map(|x| bar(10.0 + x, 5.0 - x, 7.0))
            .collect();
        let plus = feed(&mut PlusDi::new(2), &bars);
        assert!(plus[2..].iter().all(|v| *v == Some(0.0)));
        let mut adx = Adx::new(2);
        let got = feed(&mut adx, &bars);
        assert_eq!(
            got[3],
            Some(0.0),
            "undefined DX adds nothing to the first mean"
        );
    }
}
