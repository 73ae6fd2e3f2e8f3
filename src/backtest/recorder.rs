//! The engine observer of a backtest: turns fills into round trips as they happen, counts the
//! orders each rule refused (keeping the first refusals word for word for the report) and notes
//! every halt of the risk layer with its time and reason.

use super::trades::RoundTrips;
use crate::core::{EngineObserver, Fill, OrderId, OrderRequest, OrderStatus, Reject};
use crate::risk::Halt;
use std::collections::BTreeMap;

const SAMPLES: usize = 20;

/// The risk layer halted trading at `at` (the engine's time), saying why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Halted {
    pub at: i64,
    pub reason: String,
}

#[derive(Debug)]
pub struct Recorder {
    pub trips: RoundTrips,
    pub refused: BTreeMap<String, usize>,
    pub refusal_samples: Vec<String>,
    pub halts: Vec<Halted>,
    pub signals: usize,
}

impl Recorder {
    pub fn new(symbols: Vec<String>) -> Self {
        Self {
            trips: RoundTrips::new(symbols),
            refused: BTreeMap::new(),
            refusal_samples: Vec::new(),
            halts: Vec::new(),
            signals: 0,
        }
    }

    fn refuse(&mut self, at: &str, reject: &Reject) {
        *self.refused.entry(reject.code.to_string()).or_default() += 1;
        if self.refusal_samples.len() < SAMPLES {
            self.refusal_samples.push(format!("{at}: {reject}"));
        }
    }
}

impl EngineObserver for Recorder {
    fn on_fill(&mut self, fill: &Fill) {
        self.trips.add(fill);
    }

    fn on_rejected(&mut self, order: OrderId, request: &OrderRequest, reject: &Reject) {
        let what = format!(
            "order {order} ({} {})",
            request.side.as_str(),
            request.kind.name()
        );
        self.refuse(&what, reject);
    }

    fn on_closed(&mut self, order: OrderId, status: OrderStatus, reason: Option<&Reject>) {
        if let (OrderStatus::Expired, Some(r)) = (status, reason) {
            self.refuse(&format!("order {order} expired"), r);
        }
    }

    fn on_signal(&mut self, _strategy: usize, _at: i64, _text: &str) {
        self.signals += 1;
    }

    fn on_halted(&mut self, at: i64, halt: &Halt) {
        let reason = halt.reason();
        self.halts.push(Halted { at, reason });
    }
}
