//! Resampling a candle series into a coarser interval, UTC-aligned, streaming.
//!
//! A bucket is *complete* when every finer bar it should contain is present; buckets at the edges of
//! the data or around exchange outages are emitted but marked incomplete. A bucket is emitted as soon
//! as its last finer bar arrives (a live 4h candle closes with its last minute), or when a bar of a
//! later bucket shows it can grow no more.
//!
//! Volumes are summed exactly: Binance quotes volumes with at most 8 decimals, so they are added as
//! integers of 1e-8 and rounded to `f64` once. A resampled 1h candle therefore equals Binance's own
//! 1h candle bit for bit, and resampling is associative (1m→5m→1h equals 1m→1h). Volumes with more
//! decimals fall back to compensated floating-point summation.

use super::{Candle, Interval};

/// A resampled candle and whether all of its finer bars were present.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub candle: Candle,
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot resample {from} into {to}: each {to} bucket must be a whole number of {from} buckets; \
     use a finer source interval (1m, 1h or 1d divide most intervals)"
)]
pub struct ResampleError {
    pub from: Interval,
    pub to: Interval,
}

/// Resamples a strictly increasing, aligned series of `from` candles into `to` candles.
pub fn resample(src: &[Candle], from: Interval, to: Interval) -> Result<Vec<Bar>, ResampleError> {
    let bars = src.iter().map(|&candle| Bar {
        candle,
        complete: true,
    });
    resample_iter(bars, src.len(), from, to)
}

/// Resamples bars that were themselves resampled: a bucket holding an incomplete bar is incomplete.
pub fn resample_bars(src: &[Bar], from: Interval, to: Interval) -> Result<Vec<Bar>, ResampleError> {
    resample_iter(src.iter().copied(), src.len(), from, to)
}

fn resample_iter(
    src: impl Iterator<Item = Bar>,
    len: usize,
    from: Interval,
    to: Interval,
) -> Result<Vec<Bar>, ResampleError> {
    let mut resampler = Resampler::new(from, to)?;
    let mut out = Vec::with_capacity(len / 2 + 1);
    for bar in src {
        resampler.push_bar(&bar, &mut out);
    }
    out.extend(resampler.finish());
    Ok(out)
}

/// Streaming aggregator from one interval into a coarser one.
#[derive(Debug, Clone)]
pub struct Resampler {
    from: Interval,
    to: Interval,
    current: Option<Bucket>,
}

#[derive(Debug, Clone)]
struct Bucket {
    candle: Candle,
    volume: VolumeSum,
    bars: i64,
    parts_complete: bool,
}

impl Resampler {
    pub fn new(from: Interval, to: Interval) -> Result<Self, ResampleError> {
        if from.divides(to) {
            Ok(Self {
                from,
                to,
                current: None,
            })
        } else {
            Err(ResampleError { from, to })
        }
    }

    /// Adds the next finer candle; appends every bucket this closes to `out` (at most two).
    pub fn push(&mut self, c: &Candle, out: &mut Vec<Bar>) {
        self.push_bar(
            &Bar {
                candle: *c,
                complete: true,
            },
            out,
        );
    }

    /// Adds the next finer bar, carrying its completeness into the bucket.
    pub fn push_bar(&mut self, bar: &Bar, out: &mut Vec<Bar>) {
        let c = &bar.candle;
        let open = self.to.align(c.open_time);
        match &mut self.current {
            Some(b) if b.candle.open_time == open => {
                b.candle.high = b.candle.high.max(c.high);
                b.candle.low = b.candle.low.min(c.low);
                b.candle.close = c.close;
                b.volume.add(c.volume);
                b.bars += 1;
                b.parts_complete &= bar.complete;
            }
            _ => {
                out.extend(self.finish());
                let mut volume = VolumeSum::default();
                volume.add(c.volume);
                self.current = Some(Bucket {
                    candle: Candle {
                        open_time: open,
                        ..*c
                    },
                    volume,
                    bars: 1,
                    parts_complete: bar.complete,
                });
            }
        }
        if self.from.next(c.open_time) >= self.to.next(open) {
            out.extend(self.finish());
        }
    }

    /// The bucket still being built, as it stands (for a live chart's last candle).
    pub fn partial(&self) -> Option<Bar> {
        self.current.as_ref().map(|b| self.bar(b))
    }

    /// Emits the bucket in progress, if any.
    pub fn finish(&mut self) -> Option<Bar> {
        let bucket = self.current.take()?;
        Some(self.bar(&bucket))
    }

    fn bar(&self, b: &Bucket) -> Bar {
        let open = b.candle.open_time;
        let expected = self.from.count_opens(open, self.to.next(open));
        Bar {
            candle: Candle {
                volume: b.volume.value(),
                ..b.candle
            },
            complete: b.parts_complete && b.bars == expected,
        }
    }
}

/// Exact sum of decimal volumes with up to 8 decimals, with a compensated-float fallback.
#[derive(Debug, Clone, Default)]
struct VolumeSum {
    units: i128,
    inexact: bool,
    sum: f64,
    compensation: f64,
}

const UNITS_PER_ONE: f64 = 1e8;
const EXACT_F64_INT: f64 = 9_007_199_254_740_992.0; // 2^53

impl VolumeSum {
    fn add(&mut self, v: f64) {
        let scaled = v * UNITS_PER_ONE;
        let rounded = scaled.round();
        if (scaled - rounded).abs() > 1e-3 && scaled.abs() < EXACT_F64_INT {
            self.inexact = true;
        }
        self.units += rounded as i128;
        // Neumaier summation, kept alongside in case a later value has more than 8 decimals.
        let t = self.sum + v;
        self.compensation += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }

    fn value(&self) -> f64 {
        if self.inexact {
            return self.sum + self.compensation;
        }
        if (self.units.unsigned_abs() as f64) < EXACT_F64_INT {
            // Both operands are exact, so IEEE division rounds the true quotient once.
            return self.units as f64 / UNITS_PER_ONE;
        }
        let (int, frac) = (self.units / 100_000_000, (self.units % 100_000_000).abs());
        format!("{int}.{frac:08}")
            .parse()
            .unwrap_or(self.sum + self.compensation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::time::{HOUR_MS, MINUTE_MS};

    fn minute(i: i64, price: f64, volume: f64) -> Candle {
        Candle {
            open_time: i * MINUTE_MS,
            open: price,
            high: price + 1.0,
            low: price - 1.0,
            close: price + 0.5,
            volume,
        }
    }

    #[test]
    fn aggregates_ohlcv_and_marks_completeness() {
        let src: Vec<Candle> = (0..120).map(|i| minute(i, 100.0 + i as f64, 0.1)).collect();
        let bars = resample(&src[..90], Interval::M1, Interval::H1).unwrap();
        assert_eq!(bars.len(), 2);
        let first = bars[0];
        assert!(first.complete && !bars[1].complete);
        assert_eq!(first.candle.open_time, 0);
        assert_eq!(first.candle.open, 100.0);
        assert_eq!(first.candle.high, 160.0);
        assert_eq!(first.candle.low, 99.0);
        assert_eq!(first.candle.close, 159.5);
        assert_eq!(first.candle.volume, 6.0, "exact sum of sixty 0.1s");
        assert_eq!(bars[1].candle.open_time, HOUR_MS);
    }

    #[test]
    fn a_missing_minute_makes_its_hour_incomplete() {
        let src: Vec<Candle> = (0..120)
            .filter(|&i| i != 70)
            .map(|i| minute(i, 100.0, 1.0))
            .collect();
        let bars = resample(&src, Interval::M1, Interval::H1).unwrap();
        assert_eq!(
            bars.iter().map(|b| b.complete).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(bars[1].candle.volume, 59.0);
    }

    #[test]
    fn emits_a_bucket_as_soon_as_its_last_bar_arrives() {
        let mut r = Resampler::new(Interval::M1, Interval::M5).unwrap();
        let mut out = Vec::new();
        for i in 0..4 {
            r.push(&minute(i, 1.0, 1.0), &mut out);
        }
        assert!(out.is_empty());
        assert_eq!(r.partial().map(|b| b.complete), Some(false));
        r.push(&minute(4, 1.0, 1.0), &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].complete && r.partial().is_none());
    }

    #[test]
    fn refuses_intervals_that_do_not_nest() {
        let err = Resampler::new(Interval::W1, Interval::Mo1).unwrap_err();
        assert!(
            err.to_string().contains("cannot resample 1w into 1M"),
            "{err}"
        );
    }

    #[test]
    fn volume_sum_falls_back_for_long_decimals() {
        let mut s = VolumeSum::default();
        for _ in 0..3 {
            s.add(0.123_456_789_1);
        }
        assert!((s.value() - 0.370_370_367_3).abs() < 1e-15);
        let mut big = VolumeSum::default();
        big.add(123_456_789.123_456_78);
        big.add(1.0);
        assert_eq!(big.value(), 123_456_790.123_456_78);
    }
}
