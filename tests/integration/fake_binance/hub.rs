//! The registry of open WebSocket connections and the fan-out of exchange events to them: market
//! events go to market-stream connections (each filters by its subscriptions), user events to
//! WebSocket API connections, `serverShutdown` to all. Control messages (disconnect, stall) travel
//! the same per-connection queue. Also the WebSocket settings (ping interval, pong timeout,
//! lifetime, incoming message rate) and the statistics tests inspect. Invariant: events reach
//! every connection in the order the exchange produced them (unbounded queues: the fake never
//! drops on its own; gaps happen only when scripted).

use super::exchange::Event;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// WebSocket behaviour, read by each connection when it opens.
#[derive(Debug, Clone, PartialEq)]
pub struct WsConfig {
    /// Ping frame interval (Binance: 20 s).
    pub ping_every: Duration,
    /// Disconnect when no pong answered a ping for this long (Binance: 1 minute).
    pub pong_timeout: Duration,
    /// A connection's maximum life (Binance: 24 h).
    pub max_lifetime: Duration,
    /// Incoming frames per second before the server disconnects (Binance: 5).
    pub max_incoming_per_sec: u32,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            ping_every: Duration::from_secs(20),
            pong_timeout: Duration::from_secs(60),
            max_lifetime: Duration::from_secs(24 * 3600),
            max_incoming_per_sec: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnKind {
    Market,
    Api,
}

/// Why the server ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The client closed, dropped the socket, or was gone when the server wrote.
    ByClient,
    Killed,
    Lifetime,
    PongTimeout,
    TooManyMessages,
    Error,
}

/// What tests can inspect about the sockets.
#[derive(Debug, Clone, Default)]
pub struct WsStats {
    /// Connection id and the request path (with query) it opened.
    pub opened: Vec<(u64, String)>,
    pub closed: Vec<(u64, Closed)>,
    pub pings_sent: u64,
    /// Pongs that answered one of our pings (unsolicited ones are not counted).
    pub pongs_received: u64,
    /// Text frames received, per connection.
    pub received: Vec<(u64, String)>,
}

pub enum Msg {
    Event(Arc<Event>),
    Kill,
    Stall,
    /// The server ends the user-data subscription (WebSocket API connections).
    EndSubscription,
}

struct Conn {
    id: u64,
    kind: ConnKind,
    tx: UnboundedSender<Msg>,
}

#[derive(Default)]
struct Inner {
    conns: Vec<Conn>,
    next_id: u64,
    stats: WsStats,
    refuse_api: bool,
    config: WsConfig,
}

#[derive(Default)]
pub struct Hub(Mutex<Inner>);

impl Hub {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap()
    }

    pub fn register(&self, kind: ConnKind, path: &str) -> (u64, UnboundedReceiver<Msg>, WsConfig) {
        let (tx, rx) = unbounded_channel();
        let mut inner = self.inner();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.conns.push(Conn { id, kind, tx });
        inner.stats.opened.push((id, path.to_string()));
        (id, rx, inner.config.clone())
    }

    pub fn unregister(&self, id: u64, why: Closed) {
        let mut inner = self.inner();
        inner.conns.retain(|c| c.id != id);
        inner.stats.closed.push((id, why));
    }

    pub fn publish(&self, events: Vec<Event>) {
        let inner = self.inner();
        for event in events {
            let event = Arc::new(event);
            for conn in &inner.conns {
                let wanted = matches!(
                    (&*event, conn.kind),
                    (Event::Market { .. }, ConnKind::Market)
                        | (Event::User(_), ConnKind::Api)
                        | (Event::Shutdown(_), _)
                );
                if wanted {
                    let _ = conn.tx.send(Msg::Event(event.clone()));
                }
            }
        }
    }

    /// Sends a control message to every connection of `kind` (all when `None`).
    pub fn control(&self, kind: Option<ConnKind>, msg: impl Fn() -> Msg) {
        for conn in &self.inner().conns {
            if kind.is_none_or(|k| k == conn.kind) {
                let _ = conn.tx.send(msg());
            }
        }
    }

    pub fn set_refuse_api(&self, refuse: bool) {
        self.inner().refuse_api = refuse;
    }

    pub fn refusing_api(&self) -> bool {
        self.inner().refuse_api
    }

    pub fn set_config(&self, config: WsConfig) {
        self.inner().config = config;
    }

    pub fn open_count(&self, kind: ConnKind) -> usize {
        self.inner().conns.iter().filter(|c| c.kind == kind).count()
    }

    pub fn stats(&self) -> WsStats {
        self.inner().stats.clone()
    }

    pub fn note(&self, f: impl FnOnce(&mut WsStats)) {
        f(&mut self.inner().stats);
    }
}
