//! The live edge's sending side: one task that takes the core's queued requests, in order, and
//! puts them to Binance through the trading client (which handles lost answers: an order is never
//! sent twice). The core's batch reaches this task only after the step that made it is in the
//! journal. Two orders of one one-cancels-other group in a batch go as one OCO list.
//!
//! What comes back: the exchange's order id of each placed order (so fills that name only that id
//! are recognised), a rejection as the order's `Rejected` report, or a failure to say in the
//! alerts. Accepted orders' states and fills are not taken from the answers but from the user-data
//! stream, the one source of them, so nothing is counted twice.

use super::ids::Ids;
use crate::binance::TradeClient;
use crate::binance::info::OrderContext;
use crate::binance::wire::{NewOco, NewOrder, OcoLeg, OrderSpec, RespType, TimeInForce};
use crate::binance::{RestError, TradeError};
use crate::core::{Order, OrderKind, OrderStatus, Qty, Reject};
use crate::exchange::{Outgoing, Report};
use rust_decimal::Decimal;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What sending found out.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// Binance's id of the session's order.
    Placed {
        exchange_id: u64,
        order: u64,
    },
    Report(Report),
    /// Something a person should know (a cancel that failed, an outcome nobody could confirm).
    Trouble(String),
    /// A request reached (or failed to reach) Binance: for the circuit breakers. `ok` is false
    /// when Binance could not be asked or did not answer as it should (a refusal is an answer).
    Request {
        ok: bool,
        latency_ms: u64,
    },
    /// Binance banned the IP (HTTP 418) for this long.
    Banned {
        retry_after: std::time::Duration,
    },
}

/// How a request went, for the breakers: `None` when it never left (refused here), else whether
/// Binance answered it as it should (a rejection of the order is such an answer).
fn healthy(result: Result<(), &TradeError>) -> Option<bool> {
    match result {
        Ok(()) => Some(true),
        Err(TradeError::Refused(_) | TradeError::UnknownSymbol(_) | TradeError::Setup(_)) => None,
        Err(TradeError::Rest(RestError::Rejected { .. })) => Some(true),
        Err(TradeError::Rest(_) | TradeError::Unknown { .. }) => Some(false),
    }
}

pub struct Sender {
    tx: mpsc::UnboundedSender<Vec<Outgoing>>,
}

impl Sender {
    /// Starts the sending task; what it finds out goes to `back`.
    pub fn spawn(
        client: Arc<TradeClient>,
        ids: Ids,
        symbols: Vec<String>,
        back: mpsc::UnboundedSender<Sent>,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<Outgoing>>();
        tokio::spawn(async move {
            let w = Worker {
                client,
                ids,
                symbols,
                back,
            };
            while let Some(batch) = rx.recv().await {
                w.batch(batch).await;
            }
        });
        Self { tx }
    }

    pub fn send(&self, batch: Vec<Outgoing>) {
        if !batch.is_empty() && self.tx.send(batch).is_err() {
            tracing::error!("the sending task is gone; requests were not sent");
        }
    }
}

struct Worker {
    client: Arc<TradeClient>,
    ids: Ids,
    symbols: Vec<String>,
    back: mpsc::UnboundedSender<Sent>,
}

impl Worker {
    async fn batch(&self, mut batch: Vec<Outgoing>) {
        while !batch.is_empty() {
            let first = batch.remove(0);
            match first {
                Outgoing::Place(o) => {
                    let partner = o.request.oco.and_then(|g| {
                        let i = batch.iter().position(
                            |x| matches!(x, Outgoing::Place(p) if p.request.oco == Some(g)),
                        )?;
                        match batch.remove(i) {
                            Outgoing::Place(p) => Some(p),
                            Outgoing::Cancel(_) => None,
                        }
                    });
                    match partner {
                        Some(p) => self.place_list(&o, &p).await,
                        None => self.place(&o).await,
                    }
                }
                Outgoing::Cancel(o) => self.cancel(&o).await,
            }
        }
    }

    fn tell(&self, sent: Sent) {
        let _ = self.back.send(sent);
    }

    /// Reports a request's outcome and round trip (from `started`) for the breakers.
    fn observe<T>(&self, started: tokio::time::Instant, result: &Result<T, TradeError>) {
        let error = result.as_ref().err();
        if let Some(TradeError::Rest(RestError::Banned { retry_after })) = error {
            self.tell(Sent::Banned {
                retry_after: *retry_after,
            });
        }
        if let Some(ok) = healthy(error.map_or(Ok(()), Err)) {
            let ms = started.elapsed().as_millis();
            self.tell(Sent::Request {
                ok,
                latency_ms: u64::try_from(ms).unwrap_or(u64::MAX),
            });
        }
    }

    fn symbol(&self, o: &Order) -> &str {
        self.symbols
            .get(o.request.instrument)
            .map_or("", String::as_str)
    }

    fn refused(&self, o: &Order, reject: Reject) {
        self.tell(Sent::Report(Report::Order {
            order: o.id,
            status: OrderStatus::Rejected,
            filled: Decimal::ZERO,
            reason: Some(reject),
        }));
    }

    /// A failed placement: refused (here or by Binance), or of unknown outcome.
    fn failed(&self, o: &Order, e: TradeError) {
        match e {
            TradeError::Refused(reject) => self.refused(o, reject),
            e if e.is_outcome_unknown() => self.tell(Sent::Trouble(format!(
                "order {}: {e}; it stays open here until Binance's reconciliation says otherwise",
                o.id
            ))),
            e => self.refused(o, Reject::new("EXCHANGE", e.to_string())),
        }
    }

    async fn place(&self, o: &Order) {
        let spec = match OrderSpec::from_core(o.request.kind, o.request.qty, TimeInForce::Gtc) {
            Ok(s) => s,
            Err(reject) => return self.refused(o, reject),
        };
        let new = NewOrder {
            symbol: self.symbol(o).to_string(),
            side: o.request.side,
            spec,
            client_id: self.ids.order(o.id),
            response: RespType::Result,
        };
        let ctx = OrderContext::default();
        let started = tokio::time::Instant::now();
        let placed = match self.client.prepare(new, &ctx).await {
            Ok(p) => self.client.place(&p).await,
            Err(e) => Err(e),
        };
        self.observe(started, &placed);
        match placed {
            Ok(report) => self.tell(Sent::Placed {
                exchange_id: report.order_id,
                order: o.id,
            }),
            Err(e) => self.failed(o, e),
        }
    }

    /// Two orders of one group as an OCO list (the exits of a position: a stop below, a target
    /// above for a sell).
    async fn place_list(&self, a: &Order, b: &Order) {
        let (Some(la), Some(lb), Qty::Base(qty)) = (leg(a), leg(b), a.request.qty) else {
            let why = Reject::new(
                "INVALID",
                "an OCO list needs two stop or limit legs with a base quantity",
            );
            self.refused(a, why.clone());
            return self.refused(b, why);
        };
        let ((above, above_order), (below, below_order)) = if la.trigger() >= lb.trigger() {
            ((la, a), (lb, b))
        } else {
            ((lb, b), (la, a))
        };
        let oco = NewOco {
            symbol: self.symbol(a).to_string(),
            side: a.request.side,
            qty,
            above,
            below,
            list_client_id: self.ids.list(a.request.oco.unwrap_or(a.id)),
            above_client_id: self.ids.order(above_order.id),
            below_client_id: self.ids.order(below_order.id),
            response: RespType::Result,
        };
        let ctx = OrderContext::default();
        let started = tokio::time::Instant::now();
        let placed = match self.client.prepare_oco(oco, &ctx).await {
            Ok(p) => self.client.place_oco(&p).await,
            Err(e) => Err(e),
        };
        self.observe(started, &placed);
        match placed {
            Ok(list) => {
                for leg in &list.orders {
                    if let Some(order) = self.ids.parse(&leg.client_order_id) {
                        self.tell(Sent::Placed {
                            exchange_id: leg.order_id,
                            order,
                        });
                    }
                }
            }
            Err(e) => {
                self.failed(a, e.clone());
                self.failed(b, e);
            }
        }
    }

    async fn cancel(&self, o: &Order) {
        let id = self.ids.order(o.id);
        let started = tokio::time::Instant::now();
        let canceled = self.client.cancel(self.symbol(o), id.as_str()).await;
        self.observe(started, &canceled);
        match canceled {
            Ok(_) => {}
            // -2011: unknown order; it closed meanwhile (its report is on the way).
            Err(e) if e.binance_code() == Some(-2011) => {
                tracing::info!("cancel of order {}: already closed on Binance ({e})", o.id);
            }
            Err(e) => self.tell(Sent::Trouble(format!(
                "cancel of order {} failed: {e}",
                o.id
            ))),
        }
    }
}

/// An order as a leg of an OCO list.
fn leg(o: &Order) -> Option<OcoLeg> {
    Some(match o.request.kind {
        OrderKind::Limit { price } => OcoLeg::LimitMaker { price },
        OrderKind::StopLoss { stop } => OcoLeg::StopLoss { stop },
        OrderKind::StopLossLimit { stop, price } => OcoLeg::StopLossLimit {
            stop,
            price,
            tif: TimeInForce::Gtc,
        },
        OrderKind::TakeProfit { stop } => OcoLeg::TakeProfit { stop },
        OrderKind::TakeProfitLimit { stop, price } => OcoLeg::TakeProfitLimit {
            stop,
            price,
            tif: TimeInForce::Gtc,
        },
        OrderKind::Market => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_requests_binance_failed_to_answer_count_against_its_health() {
        let rest = |e| TradeError::Rest(e);
        assert_eq!(healthy(Ok(())), Some(true));
        let refused = rest(RestError::Rejected {
            status: 400,
            code: -2010,
            msg: "Account has insufficient balance".into(),
        });
        assert_eq!(healthy(Err(&refused)), Some(true), "an answer");
        let here = TradeError::Refused(Reject::new("LOT_SIZE", "too small"));
        assert_eq!(healthy(Err(&here)), None, "never sent");
        for e in [
            RestError::Server { status: 502 },
            RestError::Timeout(Duration::from_secs(10)),
            RestError::Banned {
                retry_after: Duration::from_secs(60),
            },
        ] {
            assert_eq!(healthy(Err(&rest(e))), Some(false));
        }
        let unknown = TradeError::Unknown {
            client_id: "td-s1-1".into(),
            cause: RestError::Timeout(Duration::from_secs(10)),
            check: RestError::Connection("refused".into()),
        };
        assert_eq!(healthy(Err(&unknown)), Some(false));
    }
}
