//! Market-data vocabulary shared by every layer: symbols, kline intervals, candles, UTC time
//! arithmetic and resampling. Candles carry prices and volumes as `f64` (analytics); money that
//! changes hands is kept in `rust_decimal` by the trading core, never here.

mod candle;
mod interval;
mod resample;
mod symbol;
pub mod time;

pub use candle::{Candle, CandleFault};
pub use interval::{Interval, IntervalError};
pub use resample::{Bar, ResampleError, Resampler, resample, resample_bars};
pub use symbol::{Exchange, SeriesKey, Symbol, SymbolError};
