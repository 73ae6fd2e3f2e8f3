//! The engine observer of a backtest: turns fills into round trips as they happen and counts the
//! orders each rule refused, keeping the first refusals word for word for the report.

use super::trades::RoundTrips;
use crate::core::{EngineObserver, Fill, OrderId, OrderRequest, OrderStatus, Reject};
use std::collections::BTreeMap;

const SAMPLES: usize = 20;

#[derive(Debug)]
pub struct Recorder {
    pub trips: RoundTrips,
    pub refused: BTreeMap<String, usize>,
    pub refusal_samples: Vec<String>,
    pub signals: usize,
}

impl Recorder {
    pub fn new(symbols: Vec<String>) -> Self {
        Self {
            trips: RoundTrips::new(symbols),
            refused: BTreeMap::new(),
            refusal_samples: Vec::new(),
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
}
