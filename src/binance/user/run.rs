//! The session task: connections one after another until the consumer leaves or Binance refuses
//! us for good. A lost, stale or refused connection is retried after a capped, jittered backoff
//! (`retry::Backoff`; the attempt count restarts after a connection that went live), a 429 or 418
//! waits for its `retryAfter` and feeds the shared `WeightLimiter` (pause, or ban with a
//! critical log), and a planned end (lifetime cut, `serverShutdown`) reconnects at once.
//!
//! Invariant: every state change is published on the status watch and, in order with the data,
//! as a `UserEvent::Health`; counters and timestamps only update the watch.

use super::error::UserError;
use super::events::UserEvent;
use super::health::{UserState, UserStatus};
use super::ledger::Ledger;
use super::reconcile::AccountRest;
use super::request::Requests;
use super::{UserConfig, UserDeps};
use crate::binance::{Backoff, RestError, ServerClock, Signer, WeightLimiter};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Why a connection ended.
#[derive(Debug)]
pub(super) enum Ended {
    /// Lost or refused for a reason worth retrying after a backoff.
    Lost(UserError),
    /// A planned reconnect (no backoff).
    Planned(String),
    /// Binance refused us for good.
    Fatal(UserError),
    /// The event receiver was dropped.
    ConsumerGone,
}

impl From<UserError> for Ended {
    fn from(e: UserError) -> Self {
        if e.is_transient() {
            Self::Lost(e)
        } else {
            Self::Fatal(e)
        }
    }
}

pub(super) type Step<T> = Result<T, Ended>;

pub(super) struct Runner<R> {
    pub cfg: UserConfig,
    pub signer: Arc<Signer>,
    pub server: Arc<ServerClock>,
    pub limiter: Arc<WeightLimiter>,
    pub rest: Arc<R>,
    pub out: mpsc::Sender<UserEvent>,
    pub status: watch::Sender<UserStatus>,
    pub ledger: Ledger,
    pub requests: Requests,
    /// The current connection reached `Subscribed`.
    pub went_live: bool,
}

impl<R: AccountRest> Runner<R> {
    pub fn new(
        cfg: UserConfig,
        deps: UserDeps<R>,
        out: mpsc::Sender<UserEvent>,
        status: watch::Sender<UserStatus>,
    ) -> Self {
        let mut ledger = Ledger::new(&cfg.symbols, cfg.since_ms);
        for (symbol, last) in &cfg.resume {
            ledger.resume_after(symbol, *last);
        }
        Self {
            cfg,
            signer: deps.signer,
            server: deps.server,
            limiter: deps.limiter,
            rest: deps.rest,
            out,
            status,
            ledger,
            requests: Requests::default(),
            went_live: false,
        }
    }

    pub async fn run(mut self) {
        let mut backoff = Backoff::new(self.cfg.backoff, self.cfg.seed);
        let mut attempt: u32 = 0;
        loop {
            self.went_live = false;
            let ended = self.session().await;
            if self.went_live {
                attempt = 0;
            }
            let wait = match ended {
                Ended::ConsumerGone => break,
                Ended::Fatal(e) => {
                    tracing::error!(error = %e, "user-data session refused by Binance; stopped");
                    self.touch(|s| s.last_error = Some(e.clone()));
                    let _ = self.set_state(UserState::Failed(e)).await;
                    return;
                }
                Ended::Planned(why) => {
                    tracing::info!(%why, "user-data connection renewed");
                    self.count_reconnect();
                    continue;
                }
                Ended::Lost(e) => {
                    attempt = attempt.saturating_add(1);
                    let backoff = backoff.delay(attempt - 1);
                    match self.after_loss(e, attempt, backoff).await {
                        Some(wait) => wait,
                        None => break,
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
        self.status.send_modify(|s| s.state = UserState::Stopped);
    }

    /// Publishes the loss; returns how long to wait (`None`: the consumer is gone).
    async fn after_loss(&self, e: UserError, attempt: u32, backoff: Duration) -> Option<Duration> {
        tracing::warn!(error = %e, "user-data connection lost");
        self.count_reconnect();
        let wait = self.wait_after(&e, backoff);
        self.touch(|s| s.last_error = Some(e.clone()));
        let state = match e {
            UserError::Banned { until_ms } => UserState::Banned { until_ms },
            reason => UserState::Reconnecting { attempt, reason },
        };
        self.set_state(state).await.ok().map(|()| wait)
    }

    fn count_reconnect(&self) {
        self.touch(|s| s.counters.reconnects += 1);
    }

    /// The backoff, or longer when Binance named the end of a pause or ban.
    fn wait_after(&self, e: &UserError, backoff: Duration) -> Duration {
        let server_wait = |until_ms: i64| {
            let ms = until_ms.saturating_sub(self.server.timestamp()).max(0);
            Duration::from_millis(u64::try_from(ms).unwrap_or(0))
        };
        let told = match e {
            UserError::Banned { until_ms } | UserError::RateLimited { until_ms } => {
                server_wait(*until_ms)
            }
            UserError::Rest(
                RestError::Banned { retry_after } | RestError::RateLimited { retry_after },
            ) => *retry_after,
            _ => Duration::ZERO,
        };
        backoff.max(told)
    }

    /// Feeds a WebSocket API 429/418 to the process-wide limiter, so REST callers hold off too.
    pub(super) fn obey_limits(&self, e: &UserError) {
        let wait = |until_ms: i64| {
            let ms = until_ms.saturating_sub(self.server.timestamp()).max(0);
            Duration::from_millis(u64::try_from(ms).unwrap_or(0))
        };
        match e {
            UserError::RateLimited { until_ms } => self.limiter.pause(wait(*until_ms)),
            UserError::Banned { until_ms } => {
                tracing::error!(
                    until_ms,
                    "Binance banned this IP (418 on the WebSocket API); nothing is sent until then"
                );
                self.limiter.ban(wait(*until_ms));
            }
            _ => {}
        }
    }

    /// Publishes a state change on the watch and, in order, as an event.
    pub(super) async fn set_state(&self, state: UserState) -> Step<()> {
        self.status.send_modify(|s| s.state = state);
        let snapshot = self.status.borrow().clone();
        self.emit(UserEvent::Health(snapshot)).await
    }

    /// Waits for room in the bounded queue (back-pressure on the reader; nothing is dropped).
    pub(super) async fn emit(&self, event: UserEvent) -> Step<()> {
        self.out.send(event).await.map_err(|_| Ended::ConsumerGone)
    }

    /// Updates the snapshot without waking watchers (counters and timestamps).
    pub(super) fn touch(&self, f: impl FnOnce(&mut UserStatus)) {
        self.status.send_if_modified(|s| {
            f(s);
            false
        });
    }
}
