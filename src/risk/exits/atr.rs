//! The 14-bar ATR of each instrument's base series, which the risk layer keeps for distances
//! written as ATR multiples (`2.5atr`): risk-based sizing and the stop, target and trailing
//! distances of exits.
//!
//! Invariant: fed the closed base candles the strategies see, one per instrument per bar, after
//! the exchange matched them; a value exists only once the ATR is warmed up (`ATR_PERIOD + 1`
//! candles), never a guess before.

use crate::core::to_decimal;
use crate::indicators::{Atr, Indicator};
use crate::market::Candle;
use crate::risk::Distance;
use rust_decimal::Decimal;

/// The ATR period `Distance::Atr` multiplies (see `risk::config`).
pub const ATR_PERIOD: usize = 14;

#[derive(Debug, Default)]
pub struct Atrs {
    per: Vec<Atr>,
}

impl Atrs {
    pub fn update(&mut self, instrument: usize, candle: &Candle) {
        if self.per.len() <= instrument {
            self.per
                .resize_with(instrument + 1, || Atr::new(ATR_PERIOD));
        }
        self.per[instrument].update(candle);
    }

    /// The instrument's current ATR, once warmed up.
    pub fn value(&self, instrument: usize) -> Option<Decimal> {
        let atr = self.per.get(instrument)?.value()?;
        Some(to_decimal(atr)).filter(|a| *a > Decimal::ZERO)
    }

    /// A distance in quote units: a percentage of `reference`, or a multiple of the
    /// instrument's ATR (None until it is warmed up).
    pub fn distance(&self, d: Distance, reference: Decimal, instrument: usize) -> Option<Decimal> {
        match d {
            Distance::Pct(p) => Some(reference * p / Decimal::ONE_HUNDRED),
            Distance::Atr(m) => self.value(instrument).map(|a| m * a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_value_only_after_warm_up_and_distances_in_either_unit() {
        let mut a = Atrs::default();
        let bar = |i: i64, close: f64| Candle {
            open_time: i,
            open: close,
            high: close + 1.5,
            low: close - 1.5,
            close,
            volume: 1.0,
        };
        for i in 0..ATR_PERIOD as i64 {
            a.update(1, &bar(i, 100.0));
        }
        assert_eq!(a.value(1), None, "14 true ranges need 15 candles");
        assert_eq!(a.distance(Distance::Atr(d("2")), d("100"), 1), None);
        a.update(1, &bar(14, 100.0));
        assert_eq!(a.value(1), Some(d("3")));
        assert_eq!(a.value(0), None, "each instrument has its own");
        assert_eq!(
            a.distance(Distance::Atr(d("2.5")), d("100"), 1),
            Some(d("7.5"))
        );
        assert_eq!(
            a.distance(Distance::Pct(d("3")), d("250"), 0),
            Some(d("7.5"))
        );
    }
}
