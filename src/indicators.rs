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
//!
//! Where things are: `average` (SMA, EMA, WMA), `ema_chain` (DEMA, TEMA, TRIX), `kama`,
//! `momentum` (RSI, ROC, MOM, MACD), `stochastic` (STOCH, STOCHF, STOCHRSI, WILLR), `oscillator`
//! (CCI, MFI, ULTOSC, AROON), `volatility` (STDDEV, BBANDS, ATR, NATR), `directional` (ADX, ±DI),
//! `sar`, `volume` (OBV, VWAP); `window` holds the shared rolling buffers, `table` the reference
//! table and its CSV. Each file's header states the TA-Lib rules it reproduces.

/// Implements `Indicator` for a single-input, single-output type that has a `source` field and
/// `push(x)` / `value()` methods: it reads its source from each bar.
macro_rules! single_input {
    ($ty:ty, lookback: |$s:ident| $lookback:expr, fresh: |$f:ident| $fresh:expr) => {
        impl $crate::indicators::Indicator for $ty {
            fn update(&mut self, bar: &$crate::market::Candle) {
                self.push(self.source.of(bar));
            }

            fn output(&self, i: usize) -> Option<f64> {
                if i == 0 { self.value() } else { None }
            }

            fn lookback(&self) -> usize {
                let $s = self;
                $lookback
            }

            fn reset(&mut self) {
                let $f = &*self;
                *self = $fresh;
            }
        }
    };
}

mod average;
mod compose;
pub mod custom;
mod directional;
mod ema_chain;
mod kama;
mod momentum;
mod oscillator;
mod overlay;
mod registry;
mod sar;
mod source;
mod stochastic;
mod table;
mod volatility;
mod volume;
mod window;

/// A test candle with the given high, low and close (open at the close, volume 1).
#[cfg(test)]
pub(crate) fn test_bar(high: f64, low: f64, close: f64) -> crate::market::Candle {
    crate::market::Candle {
        open_time: 0,
        open: close,
        high,
        low,
        close,
        volume: 1.0,
    }
}

pub use average::{Ema, Sma, Wma};
pub use compose::Chain;
pub use directional::{Adx, Dmi, MinusDi, PlusDi};
pub use ema_chain::{Dema, Tema, Trix};
pub use kama::Kama;
pub use momentum::{Macd, Mom, Roc, Rsi};
pub use oscillator::{Aroon, Cci, Mfi, UltOsc};
pub use overlay::{Overlay, PRICE_SCALE};
pub use registry::{IndicatorError, Param, Spec, build, reference_columns, specs};
pub use sar::Sar;
pub use source::Source;
pub use stochastic::{StochF, StochRsi, Stochastic, WillR};
pub use table::{Column, reference_table, write_table_csv};
pub use volatility::{Atr, Bbands, Natr, StdDev};
pub use volume::{Obv, Vwap};

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

    /// Bars consumed before every output has a value (TA-Lib's lookback): the last output to
    /// warm up gets its first value with bar number `lookback()`, counting from 0. Outputs may start
    /// earlier (`dmi`'s +DI and −DI come before its ADX, as in TA-Lib).
    fn lookback(&self) -> usize;

    /// Forgets every bar seen.
    fn reset(&mut self);
}
