//! Wilder's parabolic SAR with TA-Lib's bootstrap. Bar 0 is consumed: at bar 1 the trade is short
//! if −DM (the fall of the low) is positive and beats +DM (the rise of the high), long otherwise
//! (ties go long). A long starts with its SAR at bar 0's low and its extreme point at bar 1's
//! high (a short mirrors it), and bar 1 is treated as its own previous bar.
//!
//! Each bar outputs the SAR computed on the previous bar (or, on a reversal, the old extreme
//! point clamped to the last two bars' range), then moves the extreme point and the acceleration
//! (by `acceleration`, capped at `maximum`) and computes the next SAR, kept outside the last two
//! bars' range.

use super::Indicator;
use crate::market::Candle;

#[derive(Debug, Clone, Copy)]
struct Trend {
    long: bool,
    sar: f64,
    ep: f64,
    af: f64,
}

#[derive(Debug, Clone)]
pub struct Sar {
    acceleration: f64,
    maximum: f64,
    /// The previous bar's high and low.
    prev: Option<(f64, f64)>,
    trend: Option<Trend>,
    last: Option<f64>,
}

impl Sar {
    pub fn new(acceleration: f64, maximum: f64) -> Self {
        Self {
            // TA-Lib lowers the step to the cap when it exceeds it.
            acceleration: acceleration.min(maximum),
            maximum,
            prev: None,
            trend: None,
            last: None,
        }
    }

    /// Starts the trend at bar 1 from bars 0 and 1.
    fn start(&self, (high0, low0): (f64, f64), bar: &Candle) -> Trend {
        let up = bar.high - high0;
        let down = low0 - bar.low;
        let long = !(down > 0.0 && up < down);
        Trend {
            long,
            sar: if long { low0 } else { high0 },
            ep: if long { bar.high } else { bar.low },
            af: self.acceleration,
        }
    }

    /// Outputs this bar's SAR and prepares the next; `(ph, pl)` is the previous bar's range.
    fn step(&self, t: &mut Trend, (ph, pl): (f64, f64), bar: &Candle) -> f64 {
        let (high, low) = (bar.high, bar.low);
        let reversal = if t.long { low <= t.sar } else { high >= t.sar };
        let out;
        if reversal {
            t.long = !t.long;
            t.sar = t.ep;
            t.sar = self.outside(t.long, t.sar, ph, pl, high, low);
            out = t.sar;
            t.af = self.acceleration;
            t.ep = if t.long { high } else { low };
        } else {
            out = t.sar;
            let new_extreme = if t.long { high > t.ep } else { low < t.ep };
            if new_extreme {
                t.ep = if t.long { high } else { low };
                t.af = (t.af + self.acceleration).min(self.maximum);
            }
        }
        t.sar += t.af * (t.ep - t.sar);
        t.sar = self.outside(t.long, t.sar, ph, pl, high, low);
        out
    }

    /// Keeps a long's SAR at or below both lows, a short's at or above both highs.
    fn outside(&self, long: bool, sar: f64, ph: f64, pl: f64, high: f64, low: f64) -> f64 {
        let mut sar = sar;
        if long {
            if sar > pl {
                sar = pl;
            }
            if sar > low {
                sar = low;
            }
        } else {
            if sar < ph {
                sar = ph;
            }
            if sar < high {
                sar = high;
            }
        }
        sar
    }
}

impl Indicator for Sar {
    fn update(&mut self, bar: &Candle) {
        let Some(prev) = self.prev.replace((bar.high, bar.low)) else {
            return;
        };
        let (mut trend, prev) = match self.trend {
            Some(t) => (t, prev),
            None => (self.start(prev, bar), (bar.high, bar.low)),
        };
        self.last = Some(self.step(&mut trend, prev, bar));
        self.trend = Some(trend);
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        1
    }

    fn reset(&mut self) {
        *self = Self::new(self.acceleration, self.maximum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(high: f64, low: f64) -> Candle {
        Candle {
            open_time: 0,
            open: low,
            high,
            low,
            close: high,
            volume: 1.0,
        }
    }

    fn run(bars: &[Candle]) -> Vec<Option<f64>> {
        let mut s = Sar::new(0.02, 0.2);
        bars.iter()
            .map(|b| {
                s.update(b);
                s.value()
            })
            .collect()
    }

    #[test]
    fn a_rising_start_goes_long_from_the_first_low() {
        let got = run(&[bar(10.0, 9.0), bar(11.0, 10.0), bar(12.0, 11.0)]);
        assert_eq!(got[0], None);
        assert_eq!(got[1], Some(9.0), "bar 0's low");
        // Next SAR: 9 + 0.02·(11 − 9) = 9.04; at bar 2 the high 12 is a new extreme.
        assert!((got[2].unwrap() - 9.04).abs() < 1e-12);
    }

    #[test]
    fn a_falling_start_goes_short_and_reverses_on_a_breakout() {
        let got = run(&[bar(10.0, 9.0), bar(9.5, 8.0), bar(9.0, 7.5), bar(12.0, 9.0)]);
        assert_eq!(got[1], Some(10.0), "short: bar 0's high");
        // Bar 2: SAR 10 + 0.02·(8 − 10) = 9.96, above both highs (9.5, 9.5): kept.
        assert!((got[2].unwrap() - 9.96).abs() < 1e-12);
        // Bar 3's high 12 crosses the SAR: reverse to long at the extreme point 7.5.
        assert_eq!(got[3], Some(7.5));
    }

    #[test]
    fn ties_between_the_moves_start_long() {
        let got = run(&[bar(10.0, 9.0), bar(11.0, 8.0)]);
        // Long (equal moves), but bar 1's low 8 breaks the SAR 9 at once: short at the extreme 11.
        assert_eq!(got[1], Some(11.0));
    }
}
