//! A fake Binance spot exchange over loopback, speaking the documented wire format (spec sections
//! 2–10 of `../shared/specs/binance-spot.md`), scriptable from tests. It is test code, not product.
//!
//! **Ports.** REST on `addr` (`url()` = `http://127.0.0.1:<port>`); every WebSocket on `ws_addr`
//! (`ws_url()`): market streams at `/ws/<stream>` and `/stream?streams=a/b/c`, the WebSocket API at
//! `/ws-api/v3`. Time is the injected `Clock` plus a scriptable skew; every timer inside the fake
//! is tokio's, so `#[tokio::test(start_paused = true)]` drives pings, cuts and slow answers.
//!
//! **REST** (`rest`, `trade_api`): `ping`, `time`, `exchangeInfo` (BTCUSDT and ETHUSDT, more via
//! `add_symbol`), `depth`, `klines` (series held with `hold`/`forming`), `POST/GET/DELETE order`,
//! `order/test`, `GET/DELETE openOrders`, `account`, `myTrades`, `POST orderList/oco`,
//! `GET/DELETE orderList`. SIGNED ones check `X-MBX-APIKEY`, the signature (HMAC hex or Ed25519
//! base64; the doc key `DOC_API_KEY` is registered) and `timestamp`/`recvWindow`. Weights,
//! `X-MBX-USED-WEIGHT-1M`, order counts, 429/418 with `Retry-After`, error codes: `limits`, `wire`.
//!
//! **Matching** (`checks`, `matching`, `triggers`): one account (`set_balance`, `deposit`), the
//! book per symbol set by the script (other participants' liquidity) plus the account's resting
//! orders. MARKET walks the book; LIMIT GTC/IOC/FOK; LIMIT_MAKER; STOP_LOSS(_LIMIT) and
//! TAKE_PROFIT(_LIMIT) trigger on scripted trades; OCO legs cancel each other.
//!
//! **Streams** (`streams`, `wsapi`, `socket`): depth diffs go out at once, one per book change
//! (no 100 ms/1 s batching), on `@depth`, `@depth@100ms` and `@depth@1000ms` alike; also
//! `@bookTicker`, `@aggTrade`, `@trade`, `@kline_<i>`; user events on the WebSocket API.
//!
//! **Scripting API** (`script`): `set_book`/`set_level`/`change_book` (each call = one depth diff
//! with `U..u`), `drop_depth_diffs` (a sequence gap), `trade` (fills crossed resting orders, maybe
//! partially; triggers stops), `kline`, `server_shutdown`, `disconnect_all`/`disconnect_streams`/
//! `disconnect_api`, `stall` (silent sockets), `set_ws_config` (ping interval, pong timeout,
//! lifetime = the 24-hour cut, incoming rate), `end_user_subscriptions`, `user_data_outage`
//! (WebSocket API down: user events are lost), `fail`/`fail_after` (REST or `"WS <method>"` faults
//! per route, see `Fault`), `set_skew_ms` (→ `-1021`), `weight_limit`, `order_limits`,
//! `ban_on_violation`, `set_commission`, `numbers_as_json`.
//! **Inspection**: `calls`, `submissions` (every order request received), `orders`,
//! `open_orders`, `balance`, `book`, `trades`, `ws_stats`, `open_connections`, `requests`
//! (klines), `peak_used`, `over_limit_429s`, `retry_after_violations`, `requests_while_banned`.
//!
//! **On the paused clock.** Whenever the runtime waits on a socket, tokio jumps the clock to the
//! next timer (a ping 20 s away, a client's idle-pool timer): a signed request may arrive many
//! seconds after its `timestamp`, so tests sign with a generous `recvWindow`. Small writes must not
//! wait for a delayed ACK (real time): the fake sets `TCP_NODELAY`, and clients should too
//! (`connect_async_with_config(url, None, true)`).
//!
//! Invariant: the exchange state and the events it sends change under one lock, so every socket
//! sees events in the order the exchange made them, and a REST snapshot never runs ahead of them.
#![allow(
    dead_code,
    reason = "the scripting and inspection API serves connector tests still being written"
)]

mod account;
mod book;
mod checks;
mod exchange;
mod faults;
mod http;
mod hub;
mod info;
mod klines;
mod limits;
mod matching;
mod order;
mod render;
mod rest;
mod script;
mod signing;
mod socket;
mod streams;
mod tests;
mod trade_api;
mod triggers;
mod wire;
mod wsapi;

pub use account::Balance;
pub use faults::Fault;
pub use hub::{Closed, ConnKind, WsConfig};
pub use info::SymbolSpec;
pub use order::{Kind, Order, Side, Status};
pub use signing::{DOC_API_KEY, DOC_SECRET, TestEd25519, hmac_hex, percent_encode};

use exchange::Exchange;
use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, Ordering},
    },
};
use tickdesk::clock::{Clock, TokioClock};
use tokio::{
    io::{AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// One REST request as the fake saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub params: BTreeMap<String, String>,
    pub api_key: Option<String>,
    /// 0 when the connection was dropped without an answer.
    pub status: u16,
    pub fault: Option<Fault>,
    pub at_ms: i64,
}

struct State {
    ex: Exchange,
    limits: limits::Limits,
    faults: faults::Faults,
    keys: signing::Keys,
    klines: klines::Klines,
    calls: Vec<Call>,
    submissions: Vec<BTreeMap<String, String>>,
}

#[derive(Clone)]
pub struct FakeBinance {
    pub addr: SocketAddr,
    pub ws_addr: SocketAddr,
    clock: Arc<dyn Clock>,
    skew_ms: Arc<AtomicI64>,
    state: Arc<Mutex<State>>,
    hub: Arc<hub::Hub>,
}

impl FakeBinance {
    /// Starts serving on 127.0.0.1 (ephemeral ports) in the current runtime.
    pub async fn start(clock: TokioClock) -> Self {
        Self::start_with(Arc::new(clock)).await
    }

    pub async fn start_with(clock: Arc<dyn Clock>) -> Self {
        let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut keys = signing::Keys::default();
        keys.0.insert(
            DOC_API_KEY.to_string(),
            signing::KeyKind::Hmac {
                secret: DOC_SECRET.to_string(),
            },
        );
        let state = State {
            ex: Exchange::default(),
            limits: limits::Limits::default(),
            faults: faults::Faults::default(),
            keys,
            klines: klines::Klines::default(),
            calls: Vec::new(),
            submissions: Vec::new(),
        };
        let fake = Self {
            addr: rest.local_addr().unwrap(),
            ws_addr: ws.local_addr().unwrap(),
            clock,
            skew_ms: Arc::new(AtomicI64::new(0)),
            state: Arc::new(Mutex::new(state)),
            hub: Arc::new(hub::Hub::default()),
        };
        let server = fake.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = rest.accept().await {
                let _ = socket.set_nodelay(true);
                let conn = server.clone();
                tokio::spawn(async move { conn.serve(socket).await });
            }
        });
        tokio::spawn(socket::accept_loop(fake.clone(), ws));
        fake
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    /// The fake's server time: the clock plus the scripted skew.
    pub fn now(&self) -> i64 {
        self.clock.now_ms() + self.skew_ms.load(Ordering::SeqCst)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Runs an exchange operation at the current server time and sends the events it made.
    fn exchange<R>(&self, f: impl FnOnce(&mut Exchange) -> R) -> R {
        let mut s = self.state();
        s.ex.now = self.now();
        let r = f(&mut s.ex);
        let events = std::mem::take(&mut s.ex.out);
        self.hub.publish(events);
        r
    }

    fn record(
        &self,
        req: &http::HttpRequest,
        params: &wire::Params,
        status: u16,
        fault: Option<Fault>,
    ) {
        let call = rest::call(req, params, status, fault, self.now());
        self.state().calls.push(call);
    }

    async fn serve(&self, socket: TcpStream) {
        let mut reader = BufReader::new(socket);
        while let Some(req) = http::read_request(&mut reader).await {
            let Some(reply) = rest::answer(self, req).await else {
                return;
            };
            if reader.get_mut().write_all(&reply).await.is_err() {
                return;
            }
        }
    }
}
