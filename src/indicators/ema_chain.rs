//! Indicators built from EMAs of EMAs, each EMA seeded by the mean of its own first `period`
//! inputs (so each layer adds `period - 1` bars of warm-up): DEMA = 2·e1 − e2,
//! TEMA = e3 + (3·e1 − 3·e2) (TA-Lib's grouping), TRIX = the one-bar % change of e3.

use super::{Ema, Source};

/// Double exponential moving average (Mulloy).
#[derive(Debug, Clone)]
pub struct Dema {
    period: usize,
    source: Source,
    e1: Ema,
    e2: Ema,
    last: Option<f64>,
}

impl Dema {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            e1: Ema::new(period),
            e2: Ema::new(period),
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        let v1 = self.e1.push(x)?;
        let v2 = self.e2.push(v1)?;
        self.last = Some(2.0 * v1 - v2);
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Dema, lookback: |s| 2 * (s.period - 1), fresh: |s| Dema::on(s.source, s.period));

/// Triple exponential moving average (Mulloy); not to be confused with an EMA of an EMA of an EMA.
#[derive(Debug, Clone)]
pub struct Tema {
    period: usize,
    source: Source,
    e1: Ema,
    e2: Ema,
    e3: Ema,
    last: Option<f64>,
}

impl Tema {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            e1: Ema::new(period),
            e2: Ema::new(period),
            e3: Ema::new(period),
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        let v1 = self.e1.push(x)?;
        let v2 = self.e2.push(v1)?;
        let v3 = self.e3.push(v2)?;
        self.last = Some(v3 + (3.0 * v1 - 3.0 * v2));
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Tema, lookback: |s| 3 * (s.period - 1), fresh: |s| Tema::on(s.source, s.period));

/// TRIX: the one-bar rate of change, in %, of a triple-smoothed EMA; 0 where the previous value
/// is 0 (TA-Lib's guard).
#[derive(Debug, Clone)]
pub struct Trix {
    period: usize,
    source: Source,
    e1: Ema,
    e2: Ema,
    e3: Ema,
    prev: Option<f64>,
    last: Option<f64>,
}

impl Trix {
    pub fn new(period: usize) -> Self {
        Self::on(Source::Close, period)
    }

    pub fn on(source: Source, period: usize) -> Self {
        let period = period.max(1);
        Self {
            period,
            source,
            e1: Ema::new(period),
            e2: Ema::new(period),
            e3: Ema::new(period),
            prev: None,
            last: None,
        }
    }

    pub fn push(&mut self, x: f64) -> Option<f64> {
        let v1 = self.e1.push(x)?;
        let v2 = self.e2.push(v1)?;
        let v3 = self.e3.push(v2)?;
        if let Some(prev) = self.prev.replace(v3) {
            self.last = Some(if prev != 0.0 {
                (v3 / prev - 1.0) * 100.0
            } else {
                0.0
            });
        }
        self.last
    }

    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

single_input!(Trix, lookback: |s| 3 * (s.period - 1) + 1, fresh: |s| Trix::on(s.source, s.period));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::Indicator;

    fn run(mut push: impl FnMut(f64) -> Option<f64>, xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().map(|&x| push(x)).collect()
    }

    #[test]
    fn dema_warms_up_over_two_layers() {
        let mut d = Dema::new(2);
        let got = run(|x| d.push(x), &[1.0, 3.0, 5.0, 7.0]);
        // e1: -, 2, 4, 6 (k = 2/3); e2 seeds at bar 2 with mean(2, 4) = 3, then 3 + (6-3)·2/3 = 5.
        assert_eq!(&got[..2], &[None, None]);
        assert!((got[2].unwrap() - 5.0).abs() < 1e-12, "2·4 − 3");
        assert!((got[3].unwrap() - 7.0).abs() < 1e-12, "2·6 − 5");
        assert_eq!(d.lookback(), 2);
    }

    #[test]
    fn tema_of_a_line_is_the_line() {
        let mut t = Tema::new(3);
        let xs: Vec<f64> = (0..12).map(f64::from).collect();
        let got = run(|x| t.push(x), &xs);
        assert_eq!(got.iter().position(Option::is_some), Some(t.lookback()));
        for (x, v) in xs.iter().zip(&got) {
            if let Some(v) = v {
                assert!(
                    (v - x).abs() < 1e-12,
                    "TEMA has no lag on a straight line: {v} vs {x}"
                );
            }
        }
    }

    #[test]
    fn trix_is_the_percent_change_of_the_triple_ema() {
        let mut t = Trix::new(1);
        let got = run(|x| t.push(x), &[100.0, 110.0, 99.0]);
        assert_eq!(got[0], None);
        assert!((got[1].unwrap() - 10.0).abs() < 1e-12);
        assert!((got[2].unwrap() + 10.0).abs() < 1e-12);
        let mut zero = Trix::new(1);
        assert_eq!(run(|x| zero.push(x), &[0.0, 5.0]), vec![None, Some(0.0)]);
        assert_eq!(Trix::new(15).lookback(), 43);
    }
}
