//! One connection's life: open it, sync the server clock over it (`time`) when due, log on and
//! subscribe (Ed25519: `session.logon` + `userDataStream.subscribe`; any other key:
//! `userDataStream.subscribe.signature`; a `-1021` resyncs the clock and retries once), reconcile
//! over REST while the socket keeps being read, then deliver events live until the connection is
//! lost, goes stale, is terminated (resubscribe + reconcile on the same socket) or reaches its
//! planned end (the lifetime cut before Binance's 24 hours, or `serverShutdown`).
//!
//! Invariant: the reconciliation works on a copy of the ledger that replaces the real one only
//! once it has succeeded, and its events go out before any socket event that arrived meanwhile;
//! so a failed or interrupted reconciliation loses nothing (the next one starts from the same
//! cursors) and fills keep trade-id order per symbol.

use super::conn::{self, Conn, Incoming};
use super::error::{INVALID_TIMESTAMP, UserError};
use super::events::UserEvent;
use super::frame::{Frame, Payload};
use super::health::{UserCounters, UserState};
use super::reconcile::{AccountRest, reconcile};
use super::run::{Ended, Runner, Step};
use crate::binance::KeyKind;
use crate::binance::RestError;
use crate::binance::user::request::Request;
use serde_json::Value;
use tokio::time::{Instant, sleep_until};

/// What the live loop does after a frame.
enum Next {
    Continue,
    Resubscribe,
}

impl<R: AccountRest> Runner<R> {
    /// Runs one connection to its end.
    pub(super) async fn session(&mut self) -> Ended {
        match self.session_steps().await {
            Ok(never) => match never {},
            Err(ended) => ended,
        }
    }

    async fn session_steps(&mut self) -> Step<std::convert::Infallible> {
        self.set_state(UserState::Connecting).await?;
        let (url, cfg) = (self.cfg.url.clone(), &self.cfg);
        let (wait, stale) = (cfg.request_timeout, cfg.stale_after);
        let mut conn =
            conn::connect(&url, &self.limiter, wait, stale, self.server.timestamp()).await?;
        let cut = Instant::now() + self.cfg.max_lifetime;
        self.count(|c| c.connections += 1);
        let sub_id = self.subscribe_and_catch_up(&mut conn).await?;
        self.live(conn, sub_id, cut).await
    }

    async fn subscribe_and_catch_up(&mut self, conn: &mut Conn) -> Step<u64> {
        self.set_state(UserState::Authenticating).await?;
        let mut stash = Vec::new();
        let sub_id = self.subscribe(conn, &mut stash).await?;
        self.count(|c| c.subscriptions += 1);
        self.set_state(UserState::Reconciling).await?;
        self.catch_up(conn, stash, sub_id).await?;
        self.went_live = true;
        let state = UserState::Subscribed {
            subscription_id: sub_id,
        };
        self.set_state(state).await?;
        Ok(sub_id)
    }

    async fn subscribe(&mut self, conn: &mut Conn, stash: &mut Vec<Incoming>) -> Step<u64> {
        self.sync_time(conn, stash).await?;
        match self.try_subscribe(conn, stash).await {
            Err(UserError::Rejected { code, .. }) if code == INVALID_TIMESTAMP => {
                tracing::warn!("Binance said our timestamp was off (-1021); resyncing once");
                self.server.invalidate();
                self.sync_time(conn, stash).await?;
                Ok(self.try_subscribe(conn, stash).await?)
            }
            other => Ok(other?),
        }
    }

    async fn try_subscribe(
        &mut self,
        conn: &mut Conn,
        stash: &mut Vec<Incoming>,
    ) -> Result<u64, UserError> {
        let (ts, recv) = (self.server.timestamp(), self.cfg.recv_window);
        let result = if self.signer.kind() == KeyKind::Ed25519 {
            let logon = self.requests.logon(&self.signer, ts, recv);
            self.call(conn, &logon, stash).await?;
            let subscribe = self.requests.subscribe();
            self.call(conn, &subscribe, stash).await?
        } else {
            let subscribe = self.requests.subscribe_signature(&self.signer, ts, recv);
            self.call(conn, &subscribe, stash).await?
        };
        result
            .get("subscriptionId")
            .and_then(Value::as_u64)
            .ok_or_else(|| UserError::Malformed(format!("subscription without an id: {result}")))
    }

    /// Measures the server clock over this connection when it is due.
    async fn sync_time(&mut self, conn: &mut Conn, stash: &mut Vec<Incoming>) -> Step<()> {
        if !self.server.needs_sync() {
            return Ok(());
        }
        let req = self.requests.time();
        let sent = self.server.local_ms();
        let result = self.call(conn, &req, stash).await?;
        let received = self.server.local_ms();
        let server_ms = result.get("serverTime").and_then(Value::as_i64);
        let server_ms = server_ms.ok_or_else(|| UserError::Malformed(format!("time: {result}")))?;
        self.server.record(sent, server_ms, received);
        Ok(())
    }

    /// Sends one request through the shared limiter and returns its result or typed refusal.
    async fn call(
        &mut self,
        conn: &mut Conn,
        req: &Request,
        stash: &mut Vec<Incoming>,
    ) -> Result<Value, UserError> {
        let permit = self
            .limiter
            .acquire(req.weight)
            .await
            .map_err(|e| match e {
                RestError::Banned { retry_after } => UserError::Banned {
                    until_ms: self.server.timestamp() + conn::millis(retry_after),
                },
                other => UserError::Rest(other),
            })?;
        let answer = conn.call(req, self.cfg.request_timeout, stash).await;
        let used = answer.as_ref().ok().and_then(|r| r.used_weight);
        self.limiter.complete(permit, used);
        let out = conn::outcome(answer?, req.method, self.server.timestamp());
        if let Err(e) = &out {
            self.obey_limits(e);
        }
        out
    }

    /// Reconciles over REST while reading the socket; then delivers the reconciled events and
    /// what the socket sent meanwhile, in that order.
    async fn catch_up(&mut self, conn: &mut Conn, stash: Vec<Incoming>, sub_id: u64) -> Step<()> {
        let mut pending = stash;
        let mut ledger = self.ledger.clone();
        let rest = self.rest.clone();
        let started = self.server.local_ms();
        let found = {
            let job = reconcile(&*rest, &mut ledger, started);
            tokio::pin!(job);
            loop {
                tokio::select! {
                    found = &mut job => break found?,
                    got = conn.recv() => pending.push(got?),
                }
            }
        };
        self.ledger = ledger;
        self.count(|c| {
            c.reconciliations += 1;
            c.reconciled_fills += found.fills;
            c.fills += found.fills;
            c.reconciled_orders += found.orders;
            c.duplicate_fills += found.duplicates;
        });
        for event in found.events {
            self.emit(event).await?;
        }
        let mut resubscribe = false;
        for got in pending {
            resubscribe |= matches!(self.handle(got, sub_id).await?, Next::Resubscribe);
        }
        if resubscribe {
            return Err(Ended::Lost(UserError::Closed(
                "the subscription ended while reconciling".into(),
            )));
        }
        Ok(())
    }

    async fn live(
        &mut self,
        mut conn: Conn,
        mut sub_id: u64,
        cut: Instant,
    ) -> Step<std::convert::Infallible> {
        loop {
            let got = tokio::select! {
                got = conn.recv() => got,
                () = sleep_until(cut) => {
                    self.count(|c| c.lifetime_cuts += 1);
                    conn.close().await;
                    return Err(Ended::Planned("the connection's lifetime cut".into()));
                }
            };
            let got = got.inspect_err(|e| {
                if matches!(e, UserError::Stale(_)) {
                    self.count(|c| c.stale += 1);
                }
            })?;
            if let Next::Resubscribe = self.handle(got, sub_id).await? {
                self.count(|c| c.terminated += 1);
                sub_id = self.subscribe_and_catch_up(&mut conn).await?;
            }
        }
    }

    /// Delivers one frame's content.
    async fn handle(&mut self, got: Incoming, sub_id: u64) -> Step<Next> {
        let now = self.server.local_ms();
        self.touch(|s| s.last_frame_ms = Some(now));
        let (subscription_id, event) = match got {
            Incoming::Frame(Frame::Event {
                subscription_id,
                event,
            }) => (subscription_id, event),
            Incoming::Ping => {
                self.count(|c| c.pings += 1);
                return Ok(Next::Continue);
            }
            Incoming::Malformed(why) => {
                tracing::warn!(%why, "malformed WebSocket API frame");
                self.count(|c| c.malformed += 1);
                return Ok(Next::Continue);
            }
            Incoming::Frame(Frame::Shutdown) => {
                self.count(|c| c.lifetime_cuts += 1);
                return Err(Ended::Planned("serverShutdown".into()));
            }
            Incoming::Frame(Frame::Response(_)) => return Ok(Next::Continue),
        };
        if subscription_id != sub_id {
            tracing::debug!(subscription_id, "event of another subscription ignored");
            return Ok(Next::Continue);
        }
        self.touch(|s| s.last_event_ms = Some(now));
        self.count(|c| c.events += 1);
        self.deliver(event).await
    }

    async fn deliver(&mut self, event: Payload) -> Step<Next> {
        match event {
            Payload::Execution(update, fill) => {
                self.ledger.note_order(&update);
                if let Some(fill) = fill {
                    if self.ledger.admit(&fill) {
                        self.count(|c| c.fills += 1);
                        self.emit(UserEvent::Fill(*fill)).await?;
                    } else {
                        self.count(|c| c.duplicate_fills += 1);
                    }
                }
                self.emit(UserEvent::Order(*update)).await?;
            }
            Payload::Position(p) => self.emit(UserEvent::Balances(p)).await?,
            Payload::Balance(b) => self.emit(UserEvent::BalanceDelta(b)).await?,
            Payload::Terminated => return Ok(Next::Resubscribe),
            Payload::Other(name) => tracing::debug!(%name, "user event not used"),
        }
        Ok(Next::Continue)
    }

    fn count(&self, f: impl FnOnce(&mut UserCounters)) {
        self.touch(|s| f(&mut s.counters));
    }
}
