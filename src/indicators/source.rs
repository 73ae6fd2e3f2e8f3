//! Which number of a bar a single-input indicator reads.

use crate::market::Candle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    Open,
    High,
    Low,
    #[default]
    Close,
    Volume,
    /// (high + low) / 2
    Hl2,
    /// (high + low + close) / 3, TA-Lib's typical price.
    Hlc3,
    /// (open + high + low + close) / 4
    Ohlc4,
}

impl Source {
    pub fn of(self, bar: &Candle) -> f64 {
        match self {
            Self::Open => bar.open,
            Self::High => bar.high,
            Self::Low => bar.low,
            Self::Close => bar.close,
            Self::Volume => bar.volume,
            Self::Hl2 => (bar.high + bar.low) / 2.0,
            Self::Hlc3 => (bar.high + bar.low + bar.close) / 3.0,
            Self::Ohlc4 => (bar.open + bar.high + bar.low + bar.close) / 4.0,
        }
    }
}
