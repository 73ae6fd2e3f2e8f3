//! Your own indicators. Anything written here is usable everywhere the built-ins are: in
//! strategies, on the chart, in expressions such as `supertrend(10, 3) | ema(5)` and in
//! `tickdesk indicators`. `Supertrend` below is a complete worked example, written only against
//! the public API (`Indicator`, `Spec`, `Param` and the built-in `Atr`), exactly as you would.
//!
//! How to write one, step by step:
//!
//! 1. **State.** Make a struct holding what the indicator must remember between bars: its
//!    parameters, any inner indicators it builds on (here an `Atr`), the previous bar's values it
//!    needs, and its last output(s) as `Option<f64>` (`None` while warming up).
//! 2. **`update(&mut self, bar)`.** Called once per *closed* bar, in time order. Feed inner
//!    indicators first, return early while they have no value, then compute and store the new
//!    output. Keep it O(1) (or O(period)) per bar: never re-scan the whole history.
//! 3. **`output(i)`.** Return output `i` of the last bar, `None` while warming up or when `i` is
//!    out of range. Override `outputs()` if there is more than one (the default is 1).
//! 4. **`lookback()`.** The bar number (from 0) of the first value: the sum of the warm-ups of
//!    what you build on, plus any bars you consume yourself. The test suite checks, for every
//!    registered indicator, that the first value appears exactly there on real data.
//! 5. **`reset()`.** Forget every bar seen; simplest is `*self = Self::new(...)`.
//! 6. **Register it.** Add a `Spec` to `SPECS`: a lower-case name (used in expressions), a
//!    one-line description, its parameters with defaults and allowed ranges (`Param::period` for
//!    whole numbers, `Param::real` for the rest; the registry validates user input against them
//!    before calling `make`), the names of its outputs, and `make`, which receives the parameter
//!    values in order.
//! 7. **Test it** beside the code: a small case you can check by hand, the warm-up boundary, and
//!    an edge case (flat prices, zero volume).
//!
//! Indicators run on `f64`; a single-input indicator can read any `Source` of the bar and be
//! chained after another one with `|`, which feeds it bars whose open, high, low and close all
//! equal the previous stage's output.

use crate::indicators::{Atr, Indicator, Param, Spec};
use crate::market::Candle;

/// Indicators defined in this file.
pub static SPECS: &[Spec] = &[Spec {
    name: "supertrend",
    about: "Supertrend: an ATR trailing band that flips with the trend",
    params: &[
        Param::period("period", 10.0),
        Param::real("multiplier", 3.0, 0.1, 100.0),
    ],
    outputs: &["supertrend", "direction"],
    make: |p| Box::new(Supertrend::new(p[0] as usize, p[1])),
}];

/// Supertrend: bands at (high + low) / 2 ± multiplier · ATR(period). A band only tightens while
/// the close stays on its side; the line is the lower band in an up-trend and the upper band in a
/// down-trend, and the trend flips when the close crosses the band in force. It starts in a
/// down-trend (the convention of most charting platforms). Outputs: the line, and the direction
/// (+1 up, −1 down).
#[derive(Debug, Clone)]
pub struct Supertrend {
    multiplier: f64,
    atr: Atr,
    prev_close: Option<f64>,
    /// Final (upper, lower) bands of the previous bar.
    bands: Option<(f64, f64)>,
    up: bool,
    last: Option<(f64, f64)>,
}

impl Supertrend {
    pub fn new(period: usize, multiplier: f64) -> Self {
        Self {
            multiplier,
            atr: Atr::new(period),
            prev_close: None,
            bands: None,
            up: false,
            last: None,
        }
    }
}

impl Indicator for Supertrend {
    fn update(&mut self, bar: &Candle) {
        self.atr.update(bar);
        let prev_close = self.prev_close.replace(bar.close);
        let Some(atr) = self.atr.value() else {
            return;
        };
        let mid = (bar.high + bar.low) / 2.0;
        let (mut upper, mut lower) = (mid + self.multiplier * atr, mid - self.multiplier * atr);
        if let (Some((prev_upper, prev_lower)), Some(prev_close)) = (self.bands, prev_close) {
            if upper > prev_upper && prev_close <= prev_upper {
                upper = prev_upper;
            }
            if lower < prev_lower && prev_close >= prev_lower {
                lower = prev_lower;
            }
            self.up = if self.up {
                bar.close >= lower
            } else {
                bar.close > upper
            };
        }
        self.bands = Some((upper, lower));
        let line = if self.up { lower } else { upper };
        self.last = Some((line, if self.up { 1.0 } else { -1.0 }));
    }

    fn output(&self, i: usize) -> Option<f64> {
        let (line, direction) = self.last?;
        [line, direction].get(i).copied()
    }

    fn outputs(&self) -> usize {
        2
    }

    fn lookback(&self) -> usize {
        self.atr.lookback()
    }

    fn reset(&mut self) {
        *self = Self::new(self.atr.lookback(), self.multiplier);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::build;
    use crate::indicators::test_bar as bar;

    #[test]
    fn starts_down_trails_the_band_and_flips_on_a_cross() {
        let mut st = Supertrend::new(2, 1.0);
        assert_eq!(st.lookback(), 2);
        // True ranges 2, 2: ATR 2 at bar 2; mid 10, so bands 12 / 8 and a down-trend.
        for b in [bar(11.0, 9.0, 10.0), bar(11.0, 9.0, 10.0)] {
            st.update(&b);
            assert_eq!(st.value(), None);
        }
        st.update(&bar(11.0, 9.0, 10.0));
        assert_eq!((st.output(0), st.output(1)), (Some(12.0), Some(-1.0)));
        // A higher mid would widen the upper band; while the close stayed below, it holds at 12.
        st.update(&bar(11.5, 9.5, 11.0));
        assert_eq!(st.value(), Some(12.0));
        // Closing above the band flips to an up-trend: the line becomes the lower band.
        st.update(&bar(16.0, 12.0, 15.0));
        let (line, dir) = (st.output(0).unwrap(), st.output(1).unwrap());
        assert_eq!(dir, 1.0);
        assert!(line < 15.0, "the lower band trails below the close: {line}");
        st.reset();
        assert_eq!(st.value(), None);
    }

    #[test]
    fn is_registered_and_composable() {
        let (ind, names) = build("supertrend(10, 3)").unwrap();
        assert_eq!(
            (ind.lookback(), names),
            (10, vec!["supertrend".to_string(), "direction".to_string()])
        );
        let (chained, _) = build("supertrend.supertrend | sma(3)").unwrap();
        assert_eq!(chained.lookback(), 12);
    }
}
