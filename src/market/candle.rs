//! The candle (kline) and the sanity rules every stored candle obeys: finite positive prices,
//! `low ≤ open, close ≤ high`, non-negative volume. The store refuses candles that break them.

use std::fmt;

/// One OHLCV bar. `open_time` is the bar's UTC open in milliseconds; the bar covers
/// `[open_time, open_time + interval)`. Volume is in the base asset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    pub open_time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// What makes a candle impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandleFault {
    NotFinite,
    NonPositivePrice,
    NegativeVolume,
    LowAboveHigh,
    OpenOutsideRange,
    CloseOutsideRange,
}

impl fmt::Display for CandleFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotFinite => "a price or the volume is not a finite number",
            Self::NonPositivePrice => "a price is zero or negative",
            Self::NegativeVolume => "volume is negative",
            Self::LowAboveHigh => "low is above high",
            Self::OpenOutsideRange => "open is outside [low, high]",
            Self::CloseOutsideRange => "close is outside [low, high]",
        })
    }
}

impl Candle {
    pub fn check(&self) -> Result<(), CandleFault> {
        let prices = [self.open, self.high, self.low, self.close];
        if !prices.iter().chain([&self.volume]).all(|v| v.is_finite()) {
            return Err(CandleFault::NotFinite);
        }
        if prices.iter().any(|&p| p <= 0.0) {
            return Err(CandleFault::NonPositivePrice);
        }
        if self.volume < 0.0 {
            return Err(CandleFault::NegativeVolume);
        }
        if self.low > self.high {
            return Err(CandleFault::LowAboveHigh);
        }
        if !(self.low..=self.high).contains(&self.open) {
            return Err(CandleFault::OpenOutsideRange);
        }
        if !(self.low..=self.high).contains(&self.close) {
            return Err(CandleFault::CloseOutsideRange);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(o: f64, h: f64, l: f64, cl: f64, v: f64) -> Candle {
        Candle {
            open_time: 0,
            open: o,
            high: h,
            low: l,
            close: cl,
            volume: v,
        }
    }

    #[test]
    fn accepts_sane_and_rejects_impossible_candles() {
        assert_eq!(c(10.0, 12.0, 9.0, 11.0, 0.0).check(), Ok(()));
        assert_eq!(c(10.0, 10.0, 10.0, 10.0, 5.0).check(), Ok(()));
        assert_eq!(
            c(10.0, 9.0, 11.0, 10.0, 1.0).check(),
            Err(CandleFault::LowAboveHigh)
        );
        assert_eq!(
            c(13.0, 12.0, 9.0, 11.0, 1.0).check(),
            Err(CandleFault::OpenOutsideRange)
        );
        assert_eq!(
            c(10.0, 12.0, 9.0, 8.0, 1.0).check(),
            Err(CandleFault::CloseOutsideRange)
        );
        assert_eq!(
            c(0.0, 12.0, 0.0, 11.0, 1.0).check(),
            Err(CandleFault::NonPositivePrice)
        );
        assert_eq!(
            c(10.0, 12.0, 9.0, 11.0, -1.0).check(),
            Err(CandleFault::NegativeVolume)
        );
        assert_eq!(
            c(f64::NAN, 12.0, 9.0, 11.0, 1.0).check(),
            Err(CandleFault::NotFinite)
        );
    }
}
