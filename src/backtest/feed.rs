//! The historical feed: candles of one or more symbols replayed through the engine in time order
//! (several symbols at the same time step in the order given), equity marked once per time step,
//! and, with `--detail`, the finer candles inside each bar handed to the simulated exchange.

use crate::cancel::Cancel;
use crate::core::{Engine, EngineObserver};
use crate::exchange::Exchange;
use crate::market::{Candle, Interval};

/// Candles per instrument, and optionally finer candles for matching inside each bar.
pub struct Feed {
    pub interval: Interval,
    pub series: Vec<Vec<Candle>>,
    pub detail: Vec<Vec<Candle>>,
}

/// How often the replay looks at the cancel flag.
const CHECK_EVERY: usize = 4096;

/// Reports progress to whoever may cancel the run; true when they have.
fn stop(cancel: Option<&Cancel>, done: usize, total: usize) -> bool {
    cancel.is_some_and(|c| {
        c.report(done, total);
        c.is_cancelled()
    })
}

/// What a replay produced: each step's open time and marked equity, how many steps ended holding a
/// position, and whether it was cancelled.
pub struct Replay {
    pub open_times: Vec<i64>,
    pub equity: Vec<f64>,
    pub exposed: usize,
    pub interrupted: bool,
}

impl Feed {
    pub fn new(interval: Interval, series: Vec<Vec<Candle>>) -> Self {
        Self {
            interval,
            series,
            detail: Vec::new(),
        }
    }

    pub fn with_detail(mut self, detail: Vec<Vec<Candle>>) -> Self {
        self.detail = detail;
        self
    }

    pub fn bars(&self) -> usize {
        self.series.iter().map(Vec::len).sum()
    }

    /// Equal-weight buy-and-hold return from the first open to the last close, in percent.
    pub fn buy_and_hold_pct(&self) -> f64 {
        let legs: Vec<f64> = self
            .series
            .iter()
            .filter_map(|s| Some(s.last()?.close / s.first()?.open - 1.0))
            .collect();
        if legs.is_empty() {
            0.0
        } else {
            legs.iter().sum::<f64>() / legs.len() as f64 * 100.0
        }
    }

    pub fn replay<X: Exchange, O: EngineObserver>(
        &self,
        engine: &mut Engine<X, O>,
        cancel: Option<&Cancel>,
    ) -> Replay {
        let steps = self.series.iter().map(Vec::len).max().unwrap_or(0);
        let mut r = Replay {
            open_times: Vec::with_capacity(steps),
            equity: Vec::with_capacity(steps),
            exposed: 0,
            interrupted: false,
        };
        if self.series.len() == 1 && self.detail.is_empty() {
            // The common case, kept tight: one symbol, no finer candles.
            for (n, candle) in self.series[0].iter().enumerate() {
                engine.on_bar(0, candle, &[]);
                r.record(engine, candle.open_time);
                if n.is_multiple_of(CHECK_EVERY) && stop(cancel, n, steps) {
                    r.interrupted = true;
                    break;
                }
            }
            return r;
        }
        let mut cursor = vec![0usize; self.series.len()];
        let mut detail_cursor = vec![0usize; self.detail.len()];
        let mut step = Vec::with_capacity(self.series.len());
        while let Some(t) = (0..self.series.len())
            .filter_map(|i| self.series[i].get(cursor[i]).map(|c| c.open_time))
            .min()
        {
            step.clear();
            for (i, (series, at)) in self.series.iter().zip(cursor.iter_mut()).enumerate() {
                if let Some(candle) = series.get(*at).filter(|c| c.open_time == t) {
                    step.push((i, candle, self.inside(i, candle, &mut detail_cursor)));
                    *at += 1;
                }
            }
            engine.on_step(&step);
            r.record(engine, t);
            let n = r.open_times.len();
            if n.is_multiple_of(CHECK_EVERY) && stop(cancel, n, steps) {
                r.interrupted = true;
                break;
            }
        }
        r
    }

    /// The finer candles inside `candle` of instrument `i` (advancing a cursor; empty without detail).
    fn inside<'a>(&'a self, i: usize, candle: &Candle, cursors: &mut [usize]) -> &'a [Candle] {
        let Some(fine) = self.detail.get(i) else {
            return &[];
        };
        let from = cursors[i];
        let start = from + fine[from..].partition_point(|c| c.open_time < candle.open_time);
        let close = self.interval.next(candle.open_time);
        let end = start + fine[start..].partition_point(|c| c.open_time < close);
        cursors[i] = end;
        &fine[start..end]
    }
}

impl Replay {
    fn record<X: Exchange, O: EngineObserver>(&mut self, engine: &Engine<X, O>, open_time: i64) {
        let (equity, holding) = engine.mark_and_holding();
        self.open_times.push(open_time);
        self.equity.push(equity);
        self.exposed += usize::from(holding);
    }
}
