//! Trading-pair symbols and the key that names a stored candle series. A `Symbol` is always the
//! exchange's upper-case spelling (`BTCUSDT`), so two spellings of one pair can never name two series.

use super::Interval;
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a symbol: use the exchange's pair name, 2 to 20 letters or digits, e.g. BTCUSDT"
)]
pub struct SymbolError(pub String);

impl Symbol {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Symbol {
    type Err = SymbolError;

    /// Upper-cases the input; rejects anything but ASCII letters and digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (2..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(SymbolError(s.to_string()))
        }
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Symbol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Symbol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The venue a series comes from. Only Binance spot today; the store keys by it so another venue
/// can never overwrite Binance's candles.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Exchange {
    Binance,
}

impl Exchange {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Binance => "binance",
        }
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Names one candle series: (exchange, symbol, interval).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SeriesKey {
    pub exchange: Exchange,
    pub symbol: Symbol,
    pub interval: Interval,
}

impl SeriesKey {
    pub fn binance(symbol: Symbol, interval: Interval) -> Self {
        Self {
            exchange: Exchange::Binance,
            symbol,
            interval,
        }
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.exchange, self.symbol, self.interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_upper_case_alphanumerics() {
        assert_eq!("btcusdt".parse::<Symbol>().unwrap().as_str(), "BTCUSDT");
        for bad in [
            "BTC/USDT",
            "B",
            "",
            "BTC-USDT",
            "ÄBC",
            "A234567890123456789012",
        ] {
            assert!(bad.parse::<Symbol>().is_err(), "{bad}");
        }
    }
}
