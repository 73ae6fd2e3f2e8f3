//! The account's user data over Binance's WebSocket API (spec §9–10; the old listenKey endpoints
//! are gone and not used): order updates, fills and balance changes for the core, on one tokio
//! task ([`UserStream::spawn`]).
//!
//! - **Subscription.** An Ed25519 key logs the connection on (`session.logon`) and calls
//!   `userDataStream.subscribe`; any other key uses `userDataStream.subscribe.signature`. Both
//!   are signed over the sorted params (`Signer::sign_ws`); the server clock is synced over the
//!   socket (`time`) when due, and a `-1021` resyncs and retries once.
//! - **Events.** `executionReport` → [`OrderUpdate`] and, for `x = TRADE`, a [`UserFill`] (before
//!   the update); `outboundAccountPosition` → [`AccountPosition`]; `balanceUpdate` →
//!   [`BalanceDelta`]; `eventStreamTerminated` → resubscribe on the same socket, then reconcile.
//! - **Reconciliation.** After every subscription, REST (through [`AccountRest`], which the
//!   trading client implements) supplies the open orders, the final state of orders that closed
//!   meanwhile, every trade since each symbol's cursor and, last, the account's balances (an
//!   [`AccountPosition`] with every balance, in place of balance events missed during the gap).
//!   Fills are deduplicated by
//!   (symbol, trade id) across socket and REST and come in trade-id order per symbol.
//! - **Connection.** Pings answered with their payload; no frame for `stale_after` → reconnect;
//!   a planned reconnect at `max_lifetime` (before the 24-hour cut) and on `serverShutdown`;
//!   capped jittered backoff otherwise. 429/418 (`retryAfter`, epoch ms) pause or ban the shared
//!   `WeightLimiter`, whose budget also pays for each connection (2) and request.
//! - **Overflow policy.** The event queue is bounded (`queue`) and nothing is ever dropped: when
//!   it is full the reader waits. If the consumer stalls past Binance's pong deadline (1 min),
//!   the server drops the connection; the reconnect's reconciliation then delivers what was
//!   missed, so fills are delayed, never lost.
//! - **Health.** [`UserStatus`] on a watch ([`UserStream::status`]) and, on every state change,
//!   a [`UserEvent::Health`] in order with the data.
//!
//! Invariant: a fill reaches the consumer at most once, and every fill Binance reports for a
//! watched symbol after `since_ms` (or after a `resume` point) reaches it eventually, as long as
//! the session runs.

mod conn;
mod error;
mod events;
mod execution;
mod frame;
mod health;
mod ledger;
mod reconcile;
mod request;
mod run;
mod session;
mod via_trade;

pub use error::UserError;
pub use events::{
    AccountPosition, BalanceDelta, ExecType, OrderUpdate, Source, UserEvent, UserFill,
};
pub use health::{UserCounters, UserState, UserStatus};
pub use ledger::TradeCursor;
pub use reconcile::{AccountRest, TRADES_PAGE};

use crate::binance::{RecvWindow, RetryPolicy, ServerClock, Signer, WeightLimiter};
use crate::market::Symbol;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct UserConfig {
    /// The WebSocket API endpoint (`binance.ws_api_url` or its testnet twin).
    pub url: String,
    /// Symbols reconciled after every (re)connect; symbols the socket mentions join them.
    pub symbols: Vec<Symbol>,
    /// Fills before this time (ms) are not reported on a symbol's first reconciliation.
    pub since_ms: i64,
    /// Per symbol, the last trade id already handled (e.g. from the journal).
    pub resume: Vec<(Symbol, u64)>,
    pub recv_window: RecvWindow,
    /// Capacity of the event queue.
    pub queue: usize,
    /// Handshake and request deadline.
    pub request_timeout: Duration,
    /// No frame at all (Binance pings every 20 s) for this long → reconnect.
    pub stale_after: Duration,
    /// Planned reconnect after this long (Binance cuts at 24 h).
    pub max_lifetime: Duration,
    /// Waits between connection attempts; `max_retries` is not used (the session retries until
    /// it is dropped or Binance refuses it for good).
    pub backoff: RetryPolicy,
    /// Seeds the backoff jitter.
    pub seed: u64,
}

impl UserConfig {
    pub fn new(url: &str, symbols: Vec<Symbol>, since_ms: i64) -> Self {
        Self {
            url: url.to_string(),
            symbols,
            since_ms,
            resume: Vec::new(),
            recv_window: RecvWindow::default(),
            queue: 1024,
            request_timeout: Duration::from_secs(10),
            stale_after: Duration::from_secs(60),
            max_lifetime: Duration::from_secs(23 * 3600 + 50 * 60),
            backoff: RetryPolicy {
                max_retries: u32::MAX,
                base: Duration::from_millis(500),
                max: Duration::from_secs(30),
            },
            seed: since_ms.unsigned_abs(),
        }
    }

    /// From the `[binance]` config section (production or testnet by its `testnet` switch).
    pub fn from_config(
        binance: &crate::config::Binance,
        symbols: Vec<Symbol>,
        since_ms: i64,
    ) -> Self {
        Self::new(binance.endpoints().ws_api.as_str(), symbols, since_ms)
    }
}

/// What the session shares with the rest of the process.
pub struct UserDeps<R> {
    pub signer: Arc<Signer>,
    pub server: Arc<ServerClock>,
    pub limiter: Arc<WeightLimiter>,
    /// The signed REST client used for reconciliation.
    pub rest: Arc<R>,
}

/// The consumer's end of a running session. Dropping it stops the task.
pub struct UserStream {
    events: mpsc::Receiver<UserEvent>,
    status: watch::Receiver<UserStatus>,
    task: JoinHandle<()>,
}

impl UserStream {
    /// Starts the session task in the current tokio runtime.
    pub fn spawn<R: AccountRest>(config: UserConfig, deps: UserDeps<R>) -> Self {
        let (tx, events) = mpsc::channel(config.queue.max(1));
        let (status_tx, status) = watch::channel(UserStatus::default());
        let runner = run::Runner::new(config, deps, tx, status_tx);
        let task = tokio::spawn(runner.run());
        Self {
            events,
            status,
            task,
        }
    }

    /// The next event; `None` once the session has ended (failed or stopped).
    pub async fn recv(&mut self) -> Option<UserEvent> {
        self.events.recv().await
    }

    /// The latest health snapshot.
    pub fn status(&self) -> UserStatus {
        self.status.borrow().clone()
    }

    /// A watch on the health snapshot (changes on state transitions).
    pub fn status_watch(&self) -> watch::Receiver<UserStatus> {
        self.status.clone()
    }
}

impl Drop for UserStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}
