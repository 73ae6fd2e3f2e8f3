//! An indicator over an indicator: `Chain(a, b)` feeds output `pick` of `a` into `b`, as a bar
//! whose open, high, low and close all equal that value (volume and time pass through).

use super::Indicator;
use crate::market::Candle;

pub struct Chain {
    first: Box<dyn Indicator>,
    pick: usize,
    then: Box<dyn Indicator>,
}

impl Chain {
    pub fn new(first: Box<dyn Indicator>, pick: usize, then: Box<dyn Indicator>) -> Self {
        Self { first, pick, then }
    }
}

impl Indicator for Chain {
    fn update(&mut self, bar: &Candle) {
        self.first.update(bar);
        if let Some(v) = self.first.output(self.pick) {
            let synthetic = Candle {
                open: v,
                high: v,
                low: v,
                close: v,
                ..*bar
            };
            self.then.update(&synthetic);
        }
    }

    fn output(&self, i: usize) -> Option<f64> {
        self.then.output(i)
    }

    fn outputs(&self) -> usize {
        self.then.outputs()
    }

    fn lookback(&self) -> usize {
        self.first.lookback() + self.then.lookback()
    }

    fn reset(&mut self) {
        self.first.reset();
        self.then.reset();
    }
}
