//! Volume-based indicators: on-balance volume (TA-Lib's: starts at the first bar's volume) and
//! the session VWAP.
//!
//! VWAP (not in TA-Lib) is defined here as Σ(typical price · volume) / Σ volume over the bars of
//! the current session, the session being the UTC day of the bar's open time: the sums restart
//! at the first bar opening at or after 00:00 UTC. Typical price = (high + low + close) / 3. While
//! the session has traded no volume at all, the VWAP is the latest bar's typical price.

use super::Indicator;
use crate::market::Candle;

const DAY_MS: i64 = 86_400_000;

/// On-balance volume: adds the volume on an up close, subtracts it on a down close.
#[derive(Debug, Clone, Default)]
pub struct Obv {
    prev_close: Option<f64>,
    last: Option<f64>,
}

impl Obv {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Indicator for Obv {
    fn update(&mut self, bar: &Candle) {
        let obv = match (self.prev_close, self.last) {
            (Some(prev), Some(obv)) if bar.close > prev => obv + bar.volume,
            (Some(prev), Some(obv)) if bar.close < prev => obv - bar.volume,
            (Some(_), Some(obv)) => obv,
            _ => bar.volume,
        };
        self.prev_close = Some(bar.close);
        self.last = Some(obv);
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        0
    }

    fn reset(&mut self) {
        *self = Self::new();
    }
}

/// Volume-weighted average price of the UTC day so far.
#[derive(Debug, Clone, Default)]
pub struct Vwap {
    day: Option<i64>,
    price_volume: f64,
    volume: f64,
    last: Option<f64>,
}

impl Vwap {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Indicator for Vwap {
    fn update(&mut self, bar: &Candle) {
        let day = bar.open_time.div_euclid(DAY_MS);
        if self.day != Some(day) {
            self.day = Some(day);
            self.price_volume = 0.0;
            self.volume = 0.0;
        }
        let typical = (bar.high + bar.low + bar.close) / 3.0;
        self.price_volume += typical * bar.volume;
        self.volume += bar.volume;
        self.last = Some(if self.volume > 0.0 {
            self.price_volume / self.volume
        } else {
            typical
        });
    }

    fn output(&self, i: usize) -> Option<f64> {
        if i == 0 { self.last } else { None }
    }

    fn lookback(&self) -> usize {
        0
    }

    fn reset(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn bar(open_time: i64, high: f64, low: f64, close: f64, volume: f64) -> Candle {
        Candle {
            open_time,
            open: close,
            high,
            low,
            close,
            volume,
        }
    }

    fn run(ind: &mut dyn Indicator, bars: &[Candle]) -> Vec<Option<f64>> {
        bars.iter()
            .map(|b| {
                ind.update(b);
                ind.value()
            })
            .collect()
    }

    #[test]
    fn obv_starts_at_the_first_volume_and_follows_the_close() {
        let bars = [
            bar(0, 1.0, 1.0, 10.0, 5.0),
            bar(1, 1.0, 1.0, 11.0, 2.0),
            bar(2, 1.0, 1.0, 11.0, 7.0),
            bar(3, 1.0, 1.0, 9.0, 3.0),
        ];
        assert_eq!(
            run(&mut Obv::new(), &bars),
            vec![Some(5.0), Some(7.0), Some(7.0), Some(4.0)]
        );
    }

    #[test]
    fn vwap_weights_typical_prices_by_volume_and_restarts_each_utc_day() {
        let day = 19_000 * DAY_MS;
        let bars = [
            // Typical prices 10 (volume 1) and 20 (volume 3): (10 + 60) / 4.
            bar(day + 22 * HOUR, 12.0, 8.0, 10.0, 1.0),
            bar(day + 23 * HOUR, 21.0, 19.0, 20.0, 3.0),
            // 00:00 UTC: a new session.
            bar(day + 24 * HOUR, 31.0, 29.0, 30.0, 2.0),
            bar(day + 25 * HOUR, 33.0, 30.0, 30.0, 0.0),
        ];
        let got = run(&mut Vwap::new(), &bars);
        assert_eq!(got, vec![Some(10.0), Some(17.5), Some(30.0), Some(30.0)]);
    }

    #[test]
    fn vwap_without_volume_is_the_typical_price() {
        let bars = [bar(0, 6.0, 3.0, 3.0, 0.0), bar(HOUR, 9.0, 6.0, 6.0, 0.0)];
        assert_eq!(run(&mut Vwap::new(), &bars), vec![Some(4.0), Some(7.0)]);
        // Before 1970 the day still starts at midnight UTC.
        let mut v = Vwap::new();
        v.update(&bar(-HOUR, 3.0, 3.0, 3.0, 1.0));
        v.update(&bar(-HOUR / 2, 6.0, 6.0, 6.0, 1.0));
        assert_eq!(
            v.value(),
            Some(4.5),
            "both bars in the session of 1969-12-31"
        );
    }
}
