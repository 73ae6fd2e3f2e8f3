//! Placing orders and OCO lists without ever placing one twice.
//!
//! When the answer to a placement is lost (timeout, reset, HTTP 5xx, `-1007`/`-1006`), the order
//! may or may not exist. The client then:
//! 1. waits until the lost request's `timestamp + recvWindow` (plus a margin for clock-offset
//!    error) has passed on Binance's clock: Binance checks the window again just before the
//!    matching engine, so from then on the lost copy can no longer be executed;
//! 2. queries the order by its client order id: found → that is the answer (never resubmitted);
//!    `-2013` (no such order) → the first copy is dead and it is safe to send the same order again,
//!    under the same client id;
//! 3. if the query itself fails, gives up with `TradeError::Unknown`: the caller reconciles
//!    (open orders, the user-data stream) instead of guessing.
//!
//! Invariant: a placement is re-sent only after a definite `-2013` for its client id.

use super::http::{Call, Failure};
use super::{TradeClient, TradeError};
use crate::binance::info::Prepared;
use crate::binance::wire::{
    self, ClientOrderId, NewOco, NewOrder, OrderListReport, OrderReport, WireError,
};
use crate::binance::{Backoff, RestError};
use reqwest::Method;
use std::time::Duration;

/// Added to `recvWindow` before the lost copy counts as dead: the offset's error is at most
/// half a round trip; this covers that and Binance's own processing.
const RECV_WINDOW_MARGIN_MS: i64 = 1_000;

/// What a placement came back with: Binance's answer, or the order found after a lost answer.
enum Placed<T> {
    Answer(T),
    Found(Box<OrderReport>),
}

impl TradeClient {
    /// `POST /api/v3/order` for a prepared order; see the module note for lost answers.
    pub async fn place(&self, order: &Prepared<NewOrder>) -> Result<OrderReport, TradeError> {
        let o = order.get();
        let call = Call::signed(Method::POST, "/api/v3/order", o.params(), 1).placing(1);
        match self
            .submit(&call, &o.symbol, &o.client_id, wire::from_slice)
            .await?
        {
            Placed::Answer(report) => Ok(report),
            Placed::Found(report) => Ok(*report),
        }
    }

    /// `POST /api/v3/orderList/oco` for a prepared list. After a lost answer the list is looked
    /// up through its above leg, and both legs are returned as its reports.
    pub async fn place_oco(&self, oco: &Prepared<NewOco>) -> Result<OrderListReport, TradeError> {
        let o = oco.get();
        let call = Call::signed(Method::POST, "/api/v3/orderList/oco", o.params(), 1).placing(2);
        match self
            .submit(&call, &o.symbol, &o.above_client_id, wire::from_slice)
            .await?
        {
            Placed::Answer(list) => Ok(list),
            Placed::Found(above) => {
                let below = self.find(&o.symbol, o.below_client_id.as_str()).await;
                let below = below.unwrap_or_else(|e| {
                    tracing::warn!(client_id = %o.below_client_id, "OCO placed, but its below leg could not be read back ({e})");
                    None
                });
                let mut reports = vec![*above];
                reports.extend(below);
                Ok(list_from_legs(o, reports))
            }
        }
    }

    /// Sends a placement; on a lost answer, checks by `probe` before anything is sent again.
    async fn submit<T>(
        &self,
        call: &Call,
        symbol: &str,
        probe: &ClientOrderId,
        parse: fn(&[u8]) -> Result<T, WireError>,
    ) -> Result<Placed<T>, TradeError> {
        let seed = self.clock.now_ms().unsigned_abs() ^ probe.as_str().len() as u64;
        let mut backoff = Backoff::new(self.cfg.retry, seed);
        let mut resent = 0;
        loop {
            let lost = match self.send_once(call, parse).await? {
                Ok(answer) => return Ok(Placed::Answer(answer)),
                Err(lost) => lost,
            };
            tracing::warn!(client_id = %probe, "order outcome unknown ({}); checking before any retry", lost.error);
            self.outlast_recv_window(lost.timestamp).await;
            match self.find(symbol, probe.as_str()).await {
                Ok(Some(report)) => {
                    tracing::info!(client_id = %probe, "the order was placed after all; not resending");
                    return Ok(Placed::Found(Box::new(report)));
                }
                Ok(None) if resent < self.cfg.retry.max_retries => {
                    let wait = backoff.delay(resent);
                    resent += 1;
                    tracing::info!(client_id = %probe, "Binance has no such order; resending in {wait:?}");
                    tokio::time::sleep(wait).await;
                }
                Ok(None) => return Err(TradeError::Rest(lost.error)),
                Err(check) => return Err(unknown(probe, lost.error, check)),
            }
        }
    }

    /// One placement: its parsed answer, or a lost one (`Ok(Err(_))`) that may have executed;
    /// `Err` when it definitely did not.
    async fn send_once<T>(
        &self,
        call: &Call,
        parse: fn(&[u8]) -> Result<T, WireError>,
    ) -> Result<Result<T, Failure>, TradeError> {
        match self.send(call).await {
            Ok(body) => Ok(parse(&body).map_err(|e| Failure {
                // A 2xx we cannot read: the order was most likely placed.
                error: RestError::Malformed(e.to_string()),
                maybe_executed: true,
                timestamp: Some(self.time.timestamp()),
            })),
            Err(f) if f.maybe_executed => Ok(Err(f)),
            Err(f) => Err(TradeError::Rest(f.error)),
        }
    }

    /// Sleeps until Binance can no longer execute a request stamped `timestamp`.
    async fn outlast_recv_window(&self, timestamp: Option<i64>) {
        let Some(ts) = timestamp else { return };
        let half_trip = self.time.round_trip_ms().unwrap_or(0) / 2;
        let dead_at = ts + i64::from(self.cfg.recv_window.ms()) + RECV_WINDOW_MARGIN_MS + half_trip;
        let wait = dead_at - self.time.timestamp();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
        }
    }
}

fn unknown(id: &ClientOrderId, cause: RestError, check: RestError) -> TradeError {
    tracing::error!(client_id = %id, "order outcome unknown and the check failed ({check}); not resending");
    TradeError::Unknown {
        client_id: id.to_string(),
        cause,
        check,
    }
}

/// An order list rebuilt from its legs' queries (after its own answer was lost).
fn list_from_legs(o: &NewOco, reports: Vec<OrderReport>) -> OrderListReport {
    let orders = reports
        .iter()
        .map(|r| wire::ListOrder {
            symbol: r.symbol.clone(),
            order_id: r.order_id,
            client_order_id: r.client_order_id.clone(),
        })
        .collect();
    OrderListReport {
        order_list_id: reports.first().map_or(-1, |r| r.order_list_id),
        contingency_type: "OCO".into(),
        list_status_type: None,
        list_order_status: None,
        list_client_order_id: o.list_client_id.to_string(),
        transaction_time: None,
        symbol: o.symbol.clone(),
        orders,
        order_reports: reports,
    }
}
