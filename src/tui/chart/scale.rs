//! The price scale: a linear map from price to half rows of the plot, and the axis labels' text.
//! Invariant: every finite price maps inside the plot (clamped); `lo < hi` always holds.

use super::Level;
use crate::market::Candle;
use ratatui::layout::Rect;

/// Levels this close to the candles' range (as a share of it) widen the range to show them.
const LEVEL_REACH: f64 = 0.1;
/// A flat range (all prices equal) is padded by this share of the price each way.
const FLAT_PAD: f64 = 0.005;
/// More decimals than this are never printed.
const MAX_DECIMALS: usize = 12;

pub(super) struct Scale {
    pub lo: f64,
    pub hi: f64,
    /// The plot's first row.
    pub top: u16,
    pub rows: u16,
}

impl Scale {
    /// The range of the shown candles' lows and highs, widened to take in nearby levels.
    /// `None` when no candle has a finite low and high.
    pub fn new(shown: &[Candle], levels: &[Level], plot: Rect) -> Option<Self> {
        let (mut lo, mut hi) = shown
            .iter()
            .filter(|c| c.low.is_finite() && c.high.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
                (lo.min(c.low), hi.max(c.high))
            });
        if lo > hi {
            return None;
        }
        let reach = (hi - lo) * LEVEL_REACH;
        for level in levels.iter().filter(|l| l.price.is_finite()) {
            if (lo - reach..=hi + reach).contains(&level.price) {
                lo = lo.min(level.price);
                hi = hi.max(level.price);
            }
        }
        if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 {
            let mid = (hi + lo) / 2.0;
            let pad = if mid == 0.0 {
                1.0
            } else {
                mid.abs() * FLAT_PAD
            };
            (lo, hi) = (mid - pad, mid + pad);
        }
        Some(Self {
            lo,
            hi,
            top: plot.y,
            rows: plot.height.max(1),
        })
    }

    fn half_rows(&self) -> u16 {
        self.rows.saturating_mul(2)
    }

    /// Half row of `price`: 0 is the top half of the top row (`hi`), the last the bottom half of
    /// the bottom row (`lo`). Prices off the plot are clamped; NaN lands on the top.
    pub fn half_row(&self, price: f64) -> u16 {
        let last = f64::from(self.half_rows() - 1);
        let t = (self.hi - price) / (self.hi - self.lo) * last;
        t.round().clamp(0.0, last) as u16
    }

    /// The terminal row of `price` (clamped onto the plot).
    pub fn row(&self, price: f64) -> u16 {
        self.top + self.half_row(price) / 2
    }

    pub fn contains(&self, price: f64) -> bool {
        (self.lo..=self.hi).contains(&price)
    }

    pub fn bottom(&self) -> u16 {
        self.top + self.rows - 1
    }

    /// Rows that carry a price label, with the price each shows: `hi` on the top row, `lo` on the
    /// bottom one, and round prices (1, 2 or 5 × 10ⁿ, never finer than `decimals`) between,
    /// at least two rows apart.
    pub fn labels(&self, decimals: usize) -> Vec<(u16, f64)> {
        let mut out = vec![(self.top, self.hi)];
        if self.rows < 2 {
            return out;
        }
        let wanted = self.rows.div_ceil(3).clamp(2, 6);
        let finest = 10f64.powi(-(decimals.min(MAX_DECIMALS) as i32));
        let step = round_step((self.hi - self.lo) / f64::from(wanted - 1)).max(finest);
        let first = (self.hi / step).floor();
        for price in (0..12).map(|i| (first - f64::from(i)) * step) {
            let y = self.row(price);
            let previous = out.last().map_or(self.top, |l| l.0);
            if price >= self.lo && y >= previous + 2 && y + 2 <= self.bottom() {
                out.push((y, price));
            }
        }
        out.push((self.bottom(), self.lo));
        out
    }
}

/// The smallest of 1, 2 or 5 × 10ⁿ that is at least `raw`.
fn round_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return raw;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw)
        .unwrap_or(10.0 * magnitude)
}

pub(super) fn price_label(price: f64, decimals: usize) -> String {
    format!("{price:.*}", decimals.min(MAX_DECIMALS))
}

/// Columns the price axis takes: a tick column and the widest label a price on this chart can
/// have (levels and flat padding can reach 10 % past `max_price`). Never more than half the width.
pub(super) fn axis_width(width: u16, decimals: usize, max_price: f64) -> u16 {
    let widest = [max_price, max_price.abs() * (1.0 + LEVEL_REACH)]
        .iter()
        .map(|&p| price_label(p, decimals).chars().count())
        .max()
        .unwrap_or(0);
    let label = u16::try_from(widest).unwrap_or(u16::MAX);
    label.saturating_add(1).min(width / 2)
}

/// A volume in at most five characters or so: `950`, `1.2k`, `34M`.
pub(super) fn compact(volume: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];
    let (value, unit) = UNITS
        .iter()
        .find(|(size, _)| volume >= *size)
        .map_or((volume, ""), |&(size, unit)| (volume / size, unit));
    let decimals = if value < 1.0 {
        2
    } else {
        usize::from(value < 10.0)
    };
    format!("{value:.decimals$}{unit}")
}
