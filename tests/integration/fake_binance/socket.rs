//! The WebSocket side of the fake (its own port): the handshake (`/ws…` and `/stream…` become
//! market-stream connections, `/ws-api/v3` a WebSocket API one; anything else 404, the API 503
//! during a scripted user-data outage, 429/418 when the weight budget or a ban refuses the
//! connection's 2 weight), and the life of a connection: frames in and out, a ping every
//! `ping_every` carrying the server time as payload, disconnect when no pong answers for
//! `pong_timeout`, a close at `max_lifetime` (the 24-hour cut), too many incoming frames, a
//! scripted kill (abrupt, no close frame) or stall (silent: no data, no pings, nothing read).
//! All timers are tokio's, so a paused test clock drives them. Invariant: every connection is
//! registered in the hub while it runs and unregistered with the reason it ended.

use super::FakeBinance;
use super::exchange::Event;
use super::hub::{Closed, ConnKind, Msg, WsConfig};
use super::limits::Refusal;
use super::streams::MarketSession;
use super::wsapi::{ApiSession, Reply};
use futures_util::{SinkExt, StreamExt};
use std::collections::VecDeque;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::{Error as WsError, Message, http::StatusCode};
use tokio_tungstenite::{WebSocketStream, accept_hdr_async};

enum Session {
    Market(MarketSession),
    Api(Box<ApiSession>),
}

impl Session {
    fn kind(&self) -> ConnKind {
        match self {
            Self::Market(_) => ConnKind::Market,
            Self::Api(_) => ConnKind::Api,
        }
    }

    fn on_text(&mut self, text: &str) -> Reply {
        match self {
            Self::Market(m) => (m.on_text(text), false),
            Self::Api(a) => a.on_text(text),
        }
    }

    fn end_subscription(&mut self) -> Vec<String> {
        match self {
            Self::Market(_) => Vec::new(),
            Self::Api(a) => a.terminate(),
        }
    }

    fn on_event(&self, event: &Event) -> Vec<String> {
        match self {
            Self::Market(m) => m.on_event(event),
            Self::Api(a) => a.on_event(event),
        }
    }
}

pub async fn accept_loop(fake: FakeBinance, listener: TcpListener) {
    while let Ok((tcp, _)) = listener.accept().await {
        // Nagle would hold small frames until a delayed ACK (real time), which a paused clock
        // never waits for.
        let _ = tcp.set_nodelay(true);
        let fake = fake.clone();
        tokio::spawn(async move { serve(fake, tcp).await });
    }
}

fn refuse(status: StatusCode, why: &str) -> ErrorResponse {
    let mut e = ErrorResponse::new(Some(why.to_string()));
    *e.status_mut() = status;
    e
}

async fn serve(fake: FakeBinance, tcp: TcpStream) {
    let mut target = String::new();
    #[allow(
        clippy::result_large_err,
        reason = "tungstenite's handshake callback type"
    )]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        target = req.uri().to_string();
        if target.starts_with("/ws-api/v3") {
            if fake.hub.refusing_api() {
                return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "user data outage"));
            }
            match fake.state().limits.charge(fake.now(), 2) {
                Err(Refusal::Banned { .. }) => {
                    return Err(refuse(StatusCode::IM_A_TEAPOT, "banned"));
                }
                Err(Refusal::OverWeight { .. }) => {
                    return Err(refuse(StatusCode::TOO_MANY_REQUESTS, "weight"));
                }
                Ok(_) => {}
            }
        } else if MarketSession::from_path(&target).is_none() {
            return Err(refuse(StatusCode::NOT_FOUND, "no such endpoint"));
        }
        Ok(resp)
    };
    let Ok(ws) = accept_hdr_async(tcp, callback).await else {
        return;
    };
    let session = match MarketSession::from_path(&target) {
        Some(m) if !target.starts_with("/ws-api") => Session::Market(m),
        _ => Session::Api(Box::new(ApiSession::new(fake.clone()))),
    };
    drive(&fake, ws, session, &target).await;
}

/// Why a write failed: the peer went away (closed, reset), or something else.
fn gone(e: &WsError) -> Closed {
    match e {
        WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Io(_)
        | WsError::Protocol(_) => Closed::ByClient,
        _ => Closed::Error,
    }
}

/// One open connection: its socket, its view, and the ping and rate bookkeeping.
struct Conn<'a> {
    fake: &'a FakeBinance,
    id: u64,
    ws: WebSocketStream<TcpStream>,
    session: Session,
    cfg: WsConfig,
    started: Instant,
    /// Payloads of recent pings; a pong must echo one of them to count.
    recent_pings: VecDeque<Vec<u8>>,
    /// When the oldest unanswered ping went out.
    outstanding: Option<Instant>,
    /// Incoming frames in the current second.
    window: (u64, u32),
}

/// `Err` ends the connection for that reason.
type Step = Result<(), Closed>;

impl Conn<'_> {
    async fn send_all(&mut self, frames: Vec<String>) -> Step {
        for f in frames {
            self.ws.send(Message::text(f)).await.map_err(|e| gone(&e))?;
        }
        Ok(())
    }

    async fn incoming(&mut self, msg: Message) -> Step {
        let second = self.started.elapsed().as_secs();
        self.window = match self.window {
            (s, n) if s == second => (s, n + 1),
            _ => (second, 1),
        };
        if self.window.1 > self.cfg.max_incoming_per_sec {
            return Err(Closed::TooManyMessages);
        }
        match msg {
            Message::Text(text) => {
                let id = self.id;
                self.fake
                    .hub
                    .note(|s| s.received.push((id, text.to_string())));
                let (frames, close) = self.session.on_text(&text);
                self.send_all(frames).await?;
                if close { Err(Closed::Killed) } else { Ok(()) }
            }
            Message::Pong(payload) => {
                if self.recent_pings.iter().any(|p| p[..] == payload[..]) {
                    self.outstanding = None;
                    self.fake.hub.note(|s| s.pongs_received += 1);
                }
                Ok(())
            }
            Message::Close(_) => Err(Closed::ByClient),
            _ => Ok(()),
        }
    }

    async fn ping(&mut self) -> Step {
        let payload = self.fake.now().to_string().into_bytes();
        self.recent_pings.push_back(payload.clone());
        if self.recent_pings.len() > 8 {
            self.recent_pings.pop_front();
        }
        self.outstanding.get_or_insert_with(Instant::now);
        self.fake.hub.note(|s| s.pings_sent += 1);
        self.ws
            .send(Message::Ping(payload.into()))
            .await
            .map_err(|e| gone(&e))
    }
}

async fn drive(fake: &FakeBinance, ws: WebSocketStream<TcpStream>, session: Session, target: &str) {
    let (id, mut rx, cfg) = fake.hub.register(session.kind(), target);
    let started = Instant::now();
    let cut = started + cfg.max_lifetime;
    let mut ticks = tokio::time::interval_at(started + cfg.ping_every, cfg.ping_every);
    let mut c = Conn {
        fake,
        id,
        ws,
        session,
        cfg,
        started,
        recent_pings: VecDeque::new(),
        outstanding: None,
        window: (0, 0),
    };
    let why = loop {
        let pong_deadline = c.outstanding.map(|t| t + c.cfg.pong_timeout);
        let step = tokio::select! {
            incoming = c.ws.next() => match incoming {
                Some(Ok(msg)) => c.incoming(msg).await,
                _ => Err(Closed::ByClient),
            },
            msg = rx.recv() => match msg {
                None | Some(Msg::Kill) => Err(Closed::Killed),
                Some(Msg::Stall) => Err(stall(&mut rx, cut).await),
                Some(Msg::Event(event)) => c.send_all(c.session.on_event(&event)).await,
                Some(Msg::EndSubscription) => {
                    let frames = c.session.end_subscription();
                    c.send_all(frames).await
                }
            },
            _ = ticks.tick() => c.ping().await,
            _ = sleep_until(pong_deadline.unwrap_or(cut)), if pong_deadline.is_some() => Err(Closed::PongTimeout),
            _ = sleep_until(cut) => Err(Closed::Lifetime),
        };
        if let Err(why) = step {
            break why;
        }
    };
    fake.hub.unregister(id, why);
    if matches!(
        why,
        Closed::Lifetime | Closed::PongTimeout | Closed::TooManyMessages
    ) {
        let _ = c.ws.send(Message::Close(None)).await;
    }
}

/// A silent connection: nothing sent, nothing read, until killed or cut.
async fn stall(rx: &mut UnboundedReceiver<Msg>, cut: Instant) -> Closed {
    loop {
        tokio::select! {
            msg = rx.recv() => if matches!(msg, None | Some(Msg::Kill)) { return Closed::Killed },
            _ = sleep_until(cut) => return Closed::Lifetime,
        }
    }
}
