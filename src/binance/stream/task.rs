//! The feed task: opens the connection, runs one session per connection (frames → payloads →
//! the queue, the slots and the books), and decides what follows a session: a planned switch
//! (books kept), or a reconnect after a capped jittered backoff (books reset). Invariant: every
//! state change is written to the shared status and queued as a `Health` event, in order with
//! the klines and trades around it.

use super::books::{Books, SnapshotResult};
use super::dedupe::Dedupe;
use super::events::MarketEvent;
use super::health::{FeedState, StreamCounters};
use super::outlet::{Blocked, Outlet};
use super::payload::{FrameError, Payload, parse_frame};
use super::socket::{self, Ws};
use super::standby::Replacement;
use super::{StreamConfig, session};
use crate::binance::Backoff;
use crate::clock::Clock;
use std::sync::Arc;
use tokio::sync::mpsc;

/// How a session ended.
pub enum End {
    /// The connection failed or closed.
    Lost(String),
    /// No data frame for this many ms.
    Stale(u64),
    /// The queue stayed full; this event is still to be delivered.
    Lagged(MarketEvent),
    /// Planned switch: carry on with the replacement, its frames first.
    Switch(Box<Replacement>),
    /// The consumer is gone.
    Stop,
}

pub struct FeedTask {
    pub(super) config: StreamConfig,
    pub(super) url: String,
    pub(super) outlet: Outlet,
    pub(super) books: Books,
    pub(super) snapshots: mpsc::Receiver<SnapshotResult>,
    dedupe: Dedupe,
    clock: Arc<dyn Clock>,
    backoff: Backoff,
    /// Reconnect attempts since data last flowed.
    failures: u32,
}

impl FeedTask {
    pub fn new(
        config: StreamConfig,
        outlet: Outlet,
        books: Books,
        snapshots: mpsc::Receiver<SnapshotResult>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            url: config.url(),
            backoff: Backoff::new(config.backoff, config.seed),
            config,
            outlet,
            books,
            snapshots,
            dedupe: Dedupe::default(),
            clock,
            failures: 0,
        }
    }

    pub async fn run(mut self) {
        let mut reason = None;
        loop {
            let Some(ws) = self.open(reason.take()).await else {
                break;
            };
            let mut next = Some((ws, Vec::new()));
            while let Some((ws, backlog)) = next.take() {
                match session::run(&mut self, ws, backlog).await {
                    End::Switch(r) => {
                        self.count(|c| c.switches += 1);
                        next = Some((r.ws, r.frames));
                    }
                    End::Stop => return self.stopped(),
                    end => match self.after_loss(end).await {
                        Ok(why) => reason = Some(why),
                        Err(Blocked::Closed | Blocked::Lagged(_)) => return self.stopped(),
                    },
                }
            }
        }
        self.stopped();
    }

    /// Connects, retrying with backoff; `reason` is why the last connection ended (`None` at
    /// start). `None` when the consumer is gone.
    async fn open(&mut self, mut reason: Option<String>) -> Option<Ws> {
        loop {
            let state = match &reason {
                None => FeedState::Connecting,
                Some(why) => {
                    self.failures = self.failures.saturating_add(1);
                    FeedState::Reconnecting {
                        attempt: self.failures,
                        reason: why.clone(),
                    }
                }
            };
            self.set_state_waiting(state).await.ok()?;
            if self.failures > 0 {
                tokio::time::sleep(self.backoff.delay(self.failures - 1)).await;
            }
            match socket::connect(&self.url, self.config.connect_timeout).await {
                Ok(ws) => {
                    self.count(|c| c.connections += 1);
                    return Some(ws);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "market stream connection failed");
                    reason = Some(e.to_string());
                }
            }
        }
    }

    /// Records why the session ended, delivers anything held back, withdraws every book.
    /// Returns the reason to report while reconnecting.
    async fn after_loss(&mut self, end: End) -> Result<String, Blocked> {
        let why = match end {
            End::Lost(why) => why,
            End::Stale(silent_ms) => {
                self.count(|c| c.stale += 1);
                self.set_state_waiting(FeedState::Stale { silent_ms })
                    .await?;
                format!("no data for {} s", silent_ms / 1000)
            }
            End::Lagged(held) => {
                self.count(|c| c.lagged += 1);
                self.outlet
                    .shared
                    .update_status(|s| s.state = FeedState::Lagged);
                self.outlet.send_waiting(held).await?;
                self.emit_status_waiting().await?;
                "the consumer fell behind".to_string()
            }
            End::Switch(_) | End::Stop => String::new(),
        };
        tracing::warn!(reason = %why, "market stream lost; reconnecting");
        self.count(|c| c.reconnects += 1);
        for view in self.books.reset_all() {
            self.outlet.shared.publish_book(view);
        }
        Ok(why)
    }

    /// One data frame from the live connection. `Ok(true)`: the server announced a shutdown.
    pub(super) async fn on_data(&mut self, frame: &[u8]) -> Result<bool, End> {
        let now = self.clock.now_ms();
        let payload = parse_frame(frame);
        let latency = payload.as_ref().ok().and_then(Payload::event_time);
        let became_live = self.outlet.shared.update_status(|s| {
            s.counters.frames += 1;
            s.last_message_ms = Some(now);
            if let Some(e) = latency {
                s.latency_ms = Some(now - e);
            }
            let became_live = s.state != FeedState::Live;
            s.state = FeedState::Live;
            became_live
        });
        if became_live {
            self.failures = 0;
            self.emit_status().await?;
        }
        match payload {
            Ok(payload) => self.deliver(payload).await,
            Err(e) => {
                self.count_bad_frame(&e);
                Ok(false)
            }
        }
    }

    async fn deliver(&mut self, payload: Payload) -> Result<bool, End> {
        if !self.dedupe.admit(&payload) {
            self.count(|c| c.duplicates += 1);
            return Ok(false);
        }
        match payload {
            Payload::Kline(k) => self.emit(MarketEvent::Kline(k)).await?,
            Payload::Trade(t) => self.emit(MarketEvent::Trade(t)).await?,
            Payload::Ticker(t) => self.outlet.shared.publish_ticker(t),
            Payload::Depth(symbol, diff) => {
                if let Some(view) = self.books.on_diff(&symbol, diff) {
                    self.outlet.shared.publish_book(view);
                }
            }
            Payload::Shutdown => {
                self.count(|c| c.server_shutdowns += 1);
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(super) fn on_snapshot(&mut self, result: SnapshotResult) {
        if let Some(view) = self.books.on_snapshot(result) {
            self.outlet.shared.publish_book(view);
        }
    }

    pub(super) fn count(&self, f: impl FnOnce(&mut StreamCounters)) {
        self.outlet.shared.update_status(|s| f(&mut s.counters));
    }

    fn count_bad_frame(&self, error: &FrameError) {
        let n = self.outlet.shared.update_status(|s| {
            let c = &mut s.counters;
            match error {
                FrameError::Unknown(_) => c.unknown_frames += 1,
                FrameError::Malformed(_) => c.malformed_frames += 1,
            }
            c.unknown_frames + c.malformed_frames
        });
        if n <= 20 || n.is_power_of_two() {
            tracing::warn!(%error, bad_frames = n, "market stream frame skipped");
        }
    }

    /// Queues an ordered event, waiting at most `lag_wait`.
    async fn emit(&self, event: MarketEvent) -> Result<(), End> {
        self.outlet.send(event).await.map_err(|b| match b {
            Blocked::Lagged(event) => End::Lagged(event),
            Blocked::Closed => End::Stop,
        })
    }

    async fn emit_status(&self) -> Result<(), End> {
        self.emit(MarketEvent::Health(self.outlet.shared.status()))
            .await
    }

    async fn emit_status_waiting(&self) -> Result<(), Blocked> {
        let status = self.outlet.shared.status();
        self.outlet.send_waiting(MarketEvent::Health(status)).await
    }

    /// Sets the state and queues it (no socket is open, so waiting is harmless).
    async fn set_state_waiting(&self, state: FeedState) -> Result<(), Blocked> {
        self.outlet.shared.update_status(|s| s.state = state);
        self.emit_status_waiting().await
    }

    fn stopped(&self) {
        self.outlet
            .shared
            .update_status(|s| s.state = FeedState::Stopped);
    }
}
