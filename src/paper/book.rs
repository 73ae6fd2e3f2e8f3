//! The simulated order book of paper trading on replayed candles. Candles carry no book, so one is
//! synthesised around the last price: best bid and ask one tick apart, levels a basis point apart,
//! sizes drawn deterministically from the candle's volume (the same candle always gives the same
//! book). The replica marks it `simulated`, and the book pane says so.

use crate::core::Side;
use crate::market::Candle;
use crate::replica::Book;

/// A deterministic number in [0, 1) from a seed (SplitMix64's finaliser).
fn unit(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn to_tick(x: f64, tick: f64) -> f64 {
    (x / tick).round() * tick
}

/// `levels` price levels a side around `last`, for the candle being traded.
pub fn simulate(last: f64, candle: &Candle, tick: f64, levels: usize) -> Book {
    let tick = if tick > 0.0 { tick } else { 0.01 };
    let step = to_tick((last * 1e-4).max(tick), tick).max(tick);
    let best_bid = to_tick(last - tick / 2.0, tick).min(last);
    let best_ask = best_bid + tick;
    // A level holds around a sixtieth of the candle's volume, more further out.
    let unit_size = (candle.volume / 60.0).max(1e-6);
    let seed = candle.open_time as u64 ^ last.to_bits();
    let size = |side: u64, i: usize| {
        let r = unit(seed ^ (side << 32) ^ i as u64);
        unit_size * (0.3 + 1.4 * r) * (1.0 + 0.15 * i as f64)
    };
    let bids = (0..levels)
        .map(|i| (best_bid - step * i as f64, size(1, i)))
        .collect();
    let asks = (0..levels)
        .map(|i| (best_ask + step * i as f64, size(2, i)))
        .collect();
    let aggressor = if candle.close >= candle.open {
        Side::Buy
    } else {
        Side::Sell
    };
    Book {
        simulated: true,
        bids,
        asks,
        last_trade: Some((last, unit_size * (0.2 + unit(seed ^ 7)), aggressor)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(t: i64) -> Candle {
        Candle {
            open_time: t,
            open: 100.0,
            high: 101.0,
            low: 99.0,
            close: 100.5,
            volume: 600.0,
        }
    }

    #[test]
    fn a_tick_wide_spread_around_the_last_price_sorted_outward() {
        let b = simulate(60_000.004, &candle(0), 0.01, 10);
        assert!(b.simulated);
        assert_eq!((b.bids.len(), b.asks.len()), (10, 10));
        let spread = b.spread().unwrap();
        assert!((spread - 0.01).abs() < 1e-9, "spread {spread}");
        assert!(b.bids[0].0 <= 60_000.004 && b.asks[0].0 >= 60_000.0);
        assert!(b.bids.windows(2).all(|w| w[0].0 > w[1].0));
        assert!(b.asks.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(b.bids.iter().chain(&b.asks).all(|l| l.1 > 0.0));
    }

    #[test]
    fn the_same_candle_gives_the_same_book() {
        assert_eq!(
            simulate(100.0, &candle(5), 0.01, 5),
            simulate(100.0, &candle(5), 0.01, 5)
        );
        assert_ne!(
            simulate(100.0, &candle(5), 0.01, 5),
            simulate(100.0, &candle(6), 0.01, 5)
        );
        // A zero tick (unknown filters) still gives a usable book.
        assert!(simulate(1.0, &candle(1), 0.0, 3).spread().unwrap() > 0.0);
    }
}
