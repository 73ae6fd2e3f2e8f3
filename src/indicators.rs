//! Streaming technical indicators behind one trait, matching TA-Lib's numbers.
//!
//! Every indicator consumes closed bars one at a time and costs O(1) per bar after warm-up (CCI's
//! mean deviation is O(period), as in TA-Lib). `output(i)` is `None` exactly where TA-Lib has no
//! value: the first value appears after `lookback()` bars, as TA-Lib's own lookback says. Values
//! agree with TA-Lib 0.8 within 1e-9 relative (tests against `shared/reference/talib`).
//!
//! Single-input indicators read one `Source` of the bar (close by default) and also offer
//! `push(x)` for a plain number, which is how they compose: `Chain` feeds one indicator's output
//! into another as a bar whose open, high, low and close are all that value (TA-Lib's STOCHRSI is
//! STOCHF over RSI exactly that way). The registry builds any of them from text such as
//! `bbands(20,2)` or `rsi(14) | sma(5)`, for strategies, the chart and the CLI alike; a user's own
//! indicator goes in `custom.rs` and is registered the same way.

mod average;
mod compose;
pub mod custom;
mod registry;
mod source;

pub use average::Sma;
pub use compose::Chain;
pub use registry::{IndicatorError, Param, Spec, build, reference_columns, specs};
pub use source::Source;

use crate::market::Candle;

pub trait Indicator: Send {
    /// Feeds the next closed bar.
    fn update(&mut self, bar: &Candle);

    /// Output `i` after the last bar, or `None` while warming up (or if `i` is out of range).
    fn output(&self, i: usize) -> Option<f64>;

    /// The first output.
    fn value(&self) -> Option<f64> {
        self.output(0)
    }

    /// How many outputs `output` serves.
    fn outputs(&self) -> usize {
        1
    }

    /// Bars consumed before the first value (TA-Lib's lookback): the first value comes with bar
    /// number `lookback()`, counting from 0.
    fn lookback(&self) -> usize;

    /// Forgets every bar seen.
    fn reset(&mut self);
}
