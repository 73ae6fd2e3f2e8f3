//! Indicators drawn over the price chart: those whose outputs are prices (moving averages, bands,
//! parabolic SAR, VWAP), so they share the candles' scale. An `Overlay` is such an expression,
//! checked when it is read (config file, command line) and kept in a normal form for display:
//! lower case, no spaces (`bbands(20,2)`, `ema(20)|sma(5)`).

use super::{Indicator, build};
use crate::market::Candle;

/// Indicators whose every output is a price.
pub const PRICE_SCALE: [&str; 9] = [
    "sma", "ema", "wma", "dema", "tema", "kama", "bbands", "sar", "vwap",
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Overlay(String);

impl TryFrom<String> for Overlay {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<Overlay> for String {
    fn from(o: Overlay) -> Self {
        o.0
    }
}

impl std::fmt::Display for Overlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Overlay {
    /// Checks an expression: every stage must be a price indicator and the whole must build.
    pub fn parse(text: &str) -> Result<Self, String> {
        let expr: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        if expr.is_empty() {
            return Err(format!(
                "an overlay needs an indicator, e.g. sma(50) or bbands(20,2); one of {}",
                PRICE_SCALE.join(", ")
            ));
        }
        for stage in expr.split('|') {
            let name = stage.split(['(', '.']).next().unwrap_or_default();
            if !PRICE_SCALE.contains(&name) {
                return Err(format!(
                    "`{name}` is not drawn over prices; overlays take {}",
                    PRICE_SCALE.join(", ")
                ));
            }
        }
        build(&expr).map_err(|e| e.to_string())?;
        Ok(Self(expr))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn indicator(&self) -> Option<Box<dyn Indicator>> {
        build(&self.0).ok().map(|(i, _)| i)
    }

    /// Bars needed before every output has a value.
    pub fn lookback(&self) -> usize {
        self.indicator().map_or(0, |i| i.lookback())
    }

    /// One line per output, one value per candle (`None` while warming up).
    pub fn lines(&self, candles: &[Candle]) -> Vec<Vec<Option<f64>>> {
        let Some(mut ind) = self.indicator() else {
            return Vec::new();
        };
        let mut lines = vec![Vec::with_capacity(candles.len()); ind.outputs()];
        for c in candles {
            ind.update(c);
            for (i, line) in lines.iter_mut().enumerate() {
                line.push(ind.output(i));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(closes: &[f64]) -> Vec<Candle> {
        closes
            .iter()
            .enumerate()
            .map(|(i, &c)| Candle {
                open_time: i as i64 * 60_000,
                open: c,
                high: c + 1.0,
                low: c - 1.0,
                close: c,
                volume: 1.0,
            })
            .collect()
    }

    #[test]
    fn takes_price_indicators_in_a_normal_form() {
        assert_eq!(
            Overlay::parse(" BBands(20, 2) ").unwrap().as_str(),
            "bbands(20,2)"
        );
        assert_eq!(
            Overlay::parse("ema(20) | sma(5)").unwrap().as_str(),
            "ema(20)|sma(5)"
        );
        let e = Overlay::parse("rsi(14)").unwrap_err();
        assert!(
            e.contains("`rsi` is not drawn over prices") && e.contains("bbands"),
            "{e}"
        );
        let e = Overlay::parse("ema(20) | rsi(5)").unwrap_err();
        assert!(e.contains("`rsi`"), "{e}");
        let e = Overlay::parse("sma(0)").unwrap_err();
        assert!(e.contains("sma"), "{e}");
        assert!(Overlay::parse("").is_err());
    }

    #[test]
    fn computes_every_output_per_candle() {
        let candles = bars(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let sma = Overlay::parse("sma(3)").unwrap();
        assert_eq!(sma.lookback(), 2);
        assert_eq!(
            sma.lines(&candles),
            vec![vec![None, None, Some(2.0), Some(3.0), Some(4.0)]]
        );
        let bb = Overlay::parse("bbands(3,2)").unwrap().lines(&candles);
        assert_eq!(bb.len(), 3);
        let (upper, middle, lower) = (bb[0][4].unwrap(), bb[1][4].unwrap(), bb[2][4].unwrap());
        assert!((middle - 4.0).abs() < 1e-9 && upper > middle && lower < middle);
        assert!(
            (upper - middle - (middle - lower)).abs() < 1e-9,
            "symmetric bands"
        );
    }
}
