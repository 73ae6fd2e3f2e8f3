//! Bar-based oscillators: CCI, MFI, the Ultimate Oscillator and Aroon, each with TA-Lib's edge
//! rules. CCI averages its window in TA-Lib's circular-buffer order (O(period) per bar, as in
//! TA-Lib) and reads a distance from the mean within 1e-14 of the price level as 0; MFI treats a typical price that moved less than 1e-14 of its size as unchanged and
//! empties its sums after a whole window of zero flow; Aroon takes the most recent bar among equal
//! extremes.

use super::{
    Indicator,
    window::{Extreme, Ring, is_zero, true_range},
};
use crate::market::Candle;

fn typical(bar: &Candle) -> f64 {
    (bar.high + bar.low + bar.close) / 3.0
}

/// Commodity channel index: (tp − mean) / (0.015 · mean absolute deviation) of the typical price;
/// 0 where either is (near) zero.
#[derive(Debug, Clone)]
pub struct Cci {
    period: usize,
    window: Ring,
    last: Option<f64>,
}

impl Cci {
    pub fn new(period: usize) -> Self {
        let period = period.max(2);
        Self {
            period,
            window: Ring::new(period),
            last: None,
        }
    }
}

impl Indicator for Cci {
    fn update(&mut self, bar: &Candle) {
        let tp = typical(bar);
        self.window.push(tp);
        if !self.window.is_full() {
            return;
        }
        let n = self.period as f64;
        let slots = self.window.slots();
        let mean = slots.iter().fold(0.0, |acc, x| acc + x) / n;
        let deviation = slots.iter().fold(0.0, |acc, x| acc + (x - mean).abs());
        let distance = tp - mean;
        // A distance within rounding of the price level is no distance (TA-Lib 0.8 gives 0 there).
        let level = tp.abs() + mean.abs();
        self.last = Some(if distance.abs() > 1e-14 * level && !is_zero(deviation) {
            distance / (0.015 * (deviation / n))
        } else {
            0.0
        });
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        self.period - 1
    }

    fn reset(&mut self) {
        *self = Self::new(self.period);
    }
}

/// Money flow index: 100 · positive flow / total flow over `period` bar-to-bar moves of the typical
/// price, flow = typical price · volume.
#[derive(Debug, Clone)]
pub struct Mfi {
    period: usize,
    prev: Option<f64>,
    moves: usize,
    positive: Ring,
    negative: Ring,
    pos_sum: f64,
    neg_sum: f64,
    /// Consecutive moves that carried no flow.
    idle: usize,
    last: Option<f64>,
}

impl Mfi {
    pub fn new(period: usize) -> Self {
        let period = period.max(2);
        Self {
            period,
            prev: None,
            moves: 0,
            positive: Ring::new(period),
            negative: Ring::new(period),
            pos_sum: 0.0,
            neg_sum: 0.0,
            idle: 0,
            last: None,
        }
    }
}

impl Indicator for Mfi {
    fn update(&mut self, bar: &Candle) {
        let tp = typical(bar);
        let Some(prev) = self.prev.replace(tp) else {
            return;
        };
        self.moves += 1;
        if self.moves > self.period {
            self.pos_sum -= self.positive.back(self.period - 1).unwrap_or(0.0);
            self.neg_sum -= self.negative.back(self.period - 1).unwrap_or(0.0);
        }
        let change = tp - prev;
        let still = change.abs() <= 1e-14 * (tp.abs() + prev.abs());
        let flow = if still { 0.0 } else { tp * bar.volume };
        let (pos, neg) = if change < 0.0 {
            (0.0, flow)
        } else {
            (flow, 0.0)
        };
        self.positive.push(pos);
        self.negative.push(neg);
        self.pos_sum += pos;
        self.neg_sum += neg;
        self.idle = if flow == 0.0 { self.idle + 1 } else { 0 };
        if self.idle >= self.period {
            self.idle = self.period;
            self.pos_sum = 0.0;
            self.neg_sum = 0.0;
        }
        if self.moves < self.period {
            return;
        }
        let total = self.pos_sum + self.neg_sum;
        let pos = self.pos_sum.clamp(0.0, total.max(0.0));
        self.last = Some(if total <= 0.0 {
            0.0
        } else {
            100.0 * (pos / total)
        });
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

/// Ultimate Oscillator (Williams): buying pressure over true range on three windows, weighted
/// 4:2:1 from the shortest, scaled to 0..100.
#[derive(Debug, Clone)]
pub struct UltOsc {
    /// Shortest to longest.
    periods: [usize; 3],
    prev_close: Option<f64>,
    terms: usize,
    pressure: Ring,
    range: Ring,
    pressure_sums: [f64; 3],
    range_sums: [f64; 3],
    last: Option<f64>,
}

impl UltOsc {
    pub fn new(p1: usize, p2: usize, p3: usize) -> Self {
        let mut periods = [p1.max(1), p2.max(1), p3.max(1)];
        periods.sort_unstable();
        Self {
            periods,
            prev_close: None,
            terms: 0,
            pressure: Ring::new(periods[2]),
            range: Ring::new(periods[2]),
            pressure_sums: [0.0; 3],
            range_sums: [0.0; 3],
            last: None,
        }
    }

    fn add(&mut self, k: usize, pressure: f64, range: f64) {
        self.pressure_sums[k] += pressure;
        self.range_sums[k] += range;
    }
}

impl Indicator for UltOsc {
    fn update(&mut self, bar: &Candle) {
        let Some(prev_close) = self.prev_close.replace(bar.close) else {
            return;
        };
        let true_low = if bar.low < prev_close {
            bar.low
        } else {
            prev_close
        };
        let pressure = bar.close - true_low;
        let range = true_range(bar.high, bar.low, prev_close);
        self.pressure.push(pressure);
        self.range.push(range);
        self.terms += 1;
        let longest = self.periods[2];
        if self.terms < longest {
            for k in 0..3 {
                if self.terms + self.periods[k] > longest {
                    self.add(k, pressure, range);
                }
            }
            return;
        }
        for k in 0..3 {
            self.add(k, pressure, range);
        }
        let mut sum = 0.0;
        for (k, weight) in [4.0, 2.0, 1.0].into_iter().enumerate() {
            if !is_zero(self.range_sums[k]) {
                sum += weight * (self.pressure_sums[k] / self.range_sums[k]);
            }
        }
        for k in 0..3 {
            let age = self.periods[k] - 1;
            self.pressure_sums[k] -= self.pressure.back(age).unwrap_or(0.0);
            self.range_sums[k] -= self.range.back(age).unwrap_or(0.0);
        }
        self.last = Some(100.0 * (sum / 7.0));
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        self.periods[2]
    }

    fn reset(&mut self) {
        let [a, b, c] = self.periods;
        *self = Self::new(a, b, c);
    }
}

/// Aroon down and up: 100 · (period − bars since the lowest low / highest high) / period over the
/// last `period + 1` bars.
#[derive(Debug, Clone)]
pub struct Aroon {
    period: usize,
    bar: usize,
    high: Extreme,
    low: Extreme,
    last: Option<(f64, f64)>,
}

impl Aroon {
    pub fn new(period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            bar: 0,
            high: Extreme::max(period + 1),
            low: Extreme::min(period + 1),
            last: None,
        }
    }
}

impl Indicator for Aroon {
    fn update(&mut self, bar: &Candle) {
        let today = self.bar;
        self.bar += 1;
        self.high.push(today, bar.high);
        self.low.push(today, bar.low);
        if today < self.period {
            return;
        }
        let (Some((hi, _)), Some((lo, _))) = (self.high.get(), self.low.get()) else {
            return;
        };
        let factor = 100.0 / self.period as f64;
        let score = |at: usize| factor * (self.period - (today - at)) as f64;
        self.last = Some((score(lo), score(hi)));
    }

    fn output(&self, i: usize) -> Option<f64> {
        let (down, up) = self.last?;
        [down, up].get(i).copied()
    }

    fn outputs(&self) -> usize {
        2
    }

    fn lookback(&self) -> usize {
        self.period
    }

    fn reset(&mut self) {
        *self = Self::new(self.period);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(high: f64, low: f64, close: f64, volume: f64) -> Candle {
        Candle {
            open_time: 0,
            open: close,
            high,
            low,
            close,
            volume,
        }
    }

    fn run(ind: &mut dyn Indicator, bars: &[Candle], i: usize) -> Vec<Option<f64>> {
        bars.iter()
            .map(|b| {
                ind.update(b);
                ind.output(i)
            })
            .collect()
    }

    #[test]
    fn cci_measures_distance_in_mean_deviations() {
        let bars: Vec<_> = [1.0, 2.0, 3.0].map(|x| bar(x, x, x, 1.0)).to_vec();
        let got = run(&mut Cci::new(3), &bars, 0);
        // Mean 2, mean deviation 2/3: (3 − 2) / (0.015 · 2/3) = 100.
        assert_eq!(got[..2], [None, None]);
        assert!((got[2].unwrap() - 100.0).abs() < 1e-9);
        let flat: Vec<_> = [5.0; 4].map(|x| bar(x, x, x, 1.0)).to_vec();
        assert_eq!(run(&mut Cci::new(3), &flat, 0)[3], Some(0.0), "0/0 is 0");
    }

    #[test]
    fn mfi_splits_flow_by_direction_and_ignores_unchanged_prices() {
        let bars = [
            bar(10.0, 10.0, 10.0, 1.0),
            bar(12.0, 12.0, 12.0, 2.0), // up: +24
            bar(11.0, 11.0, 11.0, 4.0), // down: −44
            bar(11.0, 11.0, 11.0, 9.0), // unchanged: no flow
        ];
        let mut mfi = Mfi::new(2);
        let got = run(&mut mfi, &bars, 0);
        assert_eq!(got[..2], [None, None]);
        assert!((got[2].unwrap() - 100.0 * 24.0 / 68.0).abs() < 1e-12);
        assert_eq!(
            got[3],
            Some(0.0),
            "window holds −44 and nothing: no positive flow"
        );
        let idle = [bar(5.0, 5.0, 5.0, 0.0); 4];
        assert_eq!(
            run(&mut Mfi::new(2), &idle, 0)[3],
            Some(0.0),
            "no flow at all"
        );
    }

    #[test]
    fn ultimate_oscillator_weights_the_short_window_most() {
        // A steady rise closing at the high: buying pressure equals the true range everywhere.
        let bars: Vec<_> = (0..6)
            .map(f64::from)
            .map(|x| bar(x + 1.0, x, x + 1.0, 1.0))
            .collect();
        let mut u = UltOsc::new(3, 1, 2);
        assert_eq!(u.lookback(), 3);
        let got = run(&mut u, &bars, 0);
        assert_eq!(got[..3], [None, None, None]);
        assert!(got[3..].iter().all(|v| (v.unwrap() - 100.0).abs() < 1e-12));
    }

    #[test]
    fn aroon_counts_bars_since_the_extremes_latest_tie_winning() {
        let highs = [5.0, 9.0, 7.0, 9.0, 6.0];
        let bars: Vec<_> = highs.iter().map(|&h| bar(h, h - 4.0, h, 1.0)).collect();
        let mut a = Aroon::new(3);
        let up = run(&mut a, &bars, 1);
        // Bar 3: highs 5,9,7,9 tie at bars 1 and 3; the later wins: 100 · 3/3.
        assert_eq!(up[..3], [None, None, None]);
        assert!((up[3].unwrap() - 100.0).abs() < 1e-12);
        assert!((up[4].unwrap() - 100.0 * 2.0 / 3.0).abs() < 1e-12);
        // Lows 1,5,3,5,2: lowest in bars 1..4 is bar 4.
        assert!((a.output(0).unwrap() - 100.0).abs() < 1e-12);
        assert_eq!(a.outputs(), 2);
    }
}
