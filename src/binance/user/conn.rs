//! One WebSocket API connection: the handshake (2 request weight from the shared limiter; a 429 or
//! 418 handshake pauses or bans it), frames in and out, server pings answered with their payload
//! (tungstenite queues the pong; we flush it at once), and stale detection: no frame at all, not
//! even a ping, for `stale_after` ends the connection. Requests are matched to their response by
//! id; user events that arrive meanwhile are kept, in order, for the caller.
//!
//! Invariant: every frame read is either returned or stashed, never lost; a read never waits
//! longer than the stale deadline.

use super::error::UserError;
use super::frame::{self, Frame, Response};
use super::request::Request;
use crate::binance::{RestError, WeightLimiter};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Pause assumed after a handshake 429 without `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);
/// Binance's shortest IP ban (spec §6), assumed after a handshake 418 without `Retry-After`.
const DEFAULT_BAN: Duration = Duration::from_secs(120);
/// Weight of opening a WebSocket API connection (spec §6).
const CONNECT_WEIGHT: u32 = 2;

/// What one read produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Frame(Frame),
    /// A server ping (already answered).
    Ping,
    /// A text frame that did not parse, with the reason.
    Malformed(String),
}

pub struct Conn {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    last_frame: Instant,
    stale_after: Duration,
}

/// Opens `url` after reserving its weight. `now_ms` is the local clock, for ban deadlines.
pub async fn connect(
    url: &str,
    limiter: &WeightLimiter,
    connect_timeout: Duration,
    stale_after: Duration,
    now_ms: i64,
) -> Result<Conn, UserError> {
    let permit = limiter.acquire(CONNECT_WEIGHT).await.map_err(|e| match e {
        RestError::Banned { retry_after } => UserError::Banned {
            until_ms: now_ms + millis(retry_after),
        },
        other => UserError::Rest(other),
    })?;
    crate::binance::install_tls_provider();
    // Nagle off: a request is a single small frame and should leave at once.
    let handshake = tokio_tungstenite::connect_async_with_config(url, None, true);
    let attempt = timeout(connect_timeout, handshake).await;
    limiter.complete(permit, None);
    let ws = match attempt {
        Err(_) => {
            let secs = connect_timeout.as_secs();
            return Err(UserError::Connection(format!(
                "no handshake within {secs} s"
            )));
        }
        Ok(Err(e)) => return Err(handshake_error(e, limiter, now_ms)),
        Ok(Ok((ws, _))) => ws,
    };
    Ok(Conn {
        ws,
        last_frame: Instant::now(),
        stale_after,
    })
}

fn handshake_error(e: tungstenite::Error, limiter: &WeightLimiter, now_ms: i64) -> UserError {
    let tungstenite::Error::Http(resp) = e else {
        return UserError::Connection(e.to_string());
    };
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    match status {
        429 => {
            let wait = retry_after.unwrap_or(DEFAULT_PAUSE);
            limiter.pause(wait);
            UserError::RateLimited {
                until_ms: now_ms + millis(wait),
            }
        }
        418 => {
            let wait = retry_after.unwrap_or(DEFAULT_BAN);
            limiter.ban(wait);
            tracing::error!(
                secs = wait.as_secs(),
                "Binance banned this IP (418 on connect)"
            );
            UserError::Banned {
                until_ms: now_ms + millis(wait),
            }
        }
        _ => UserError::Connection(format!("handshake refused with HTTP {status}")),
    }
}

pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

impl Conn {
    /// The next frame, or why the connection is over.
    pub async fn recv(&mut self) -> Result<Incoming, UserError> {
        loop {
            let deadline = self.last_frame + self.stale_after;
            let msg = tokio::select! {
                msg = self.ws.next() => msg,
                () = sleep_until(deadline) => return Err(UserError::Stale(self.stale_after.as_secs())),
            };
            let msg = match msg {
                None => return Err(UserError::Closed("end of stream".into())),
                Some(Err(e)) => return Err(UserError::Closed(e.to_string())),
                Some(Ok(m)) => m,
            };
            self.last_frame = Instant::now();
            match msg {
                Message::Text(t) => return Ok(parsed(t.as_str().as_bytes())),
                Message::Binary(b) => return Ok(parsed(&b)),
                Message::Ping(_) => {
                    self.ws.flush().await.map_err(closed)?;
                    return Ok(Incoming::Ping);
                }
                Message::Close(c) => {
                    let why = c.map_or_else(|| "closed by the server".into(), |c| c.to_string());
                    return Err(UserError::Closed(why));
                }
                Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Sends `req` and waits up to `wait` for its response; frames that come first are pushed
    /// onto `stash` in order.
    pub async fn call(
        &mut self,
        req: &Request,
        wait: Duration,
        stash: &mut Vec<Incoming>,
    ) -> Result<Response, UserError> {
        self.ws
            .send(Message::text(req.text.clone()))
            .await
            .map_err(closed)?;
        let deadline = Instant::now() + wait;
        loop {
            let got = tokio::select! {
                got = self.recv() => got?,
                () = sleep_until(deadline) => {
                    let (method, secs) = (req.method.to_string(), wait.as_secs());
                    return Err(UserError::Timeout { method, secs });
                }
            };
            match got {
                Incoming::Frame(Frame::Response(r)) if r.id == Some(req.id) => return Ok(r),
                Incoming::Frame(Frame::Response(r)) => {
                    tracing::debug!(id = ?r.id, "WebSocket API response to no pending request");
                }
                other => stash.push(other),
            }
        }
    }

    /// Closes politely (a planned reconnect); errors do not matter any more.
    pub async fn close(mut self) {
        let _ = timeout(Duration::from_secs(2), self.ws.close(None)).await;
    }
}

fn parsed(bytes: &[u8]) -> Incoming {
    match frame::parse(bytes) {
        Ok(f) => Incoming::Frame(f),
        Err(why) => Incoming::Malformed(why),
    }
}

fn closed(e: tungstenite::Error) -> UserError {
    UserError::Closed(e.to_string())
}

/// A response's result, or the typed refusal: 429/418 carry `retryAfter` (epoch ms, server
/// time); without it the defaults above apply from `server_now_ms`.
pub fn outcome(
    resp: Response,
    method: &str,
    server_now_ms: i64,
) -> Result<serde_json::Value, UserError> {
    let Some(err) = resp.error else {
        if resp.status == 200 {
            return Ok(resp.result.unwrap_or(serde_json::Value::Null));
        }
        return Err(UserError::Malformed(format!(
            "`{method}` answered status {} without an error",
            resp.status
        )));
    };
    let after = |d: Duration| err.retry_after_ms.unwrap_or(server_now_ms + millis(d));
    Err(match resp.status {
        429 => UserError::RateLimited {
            until_ms: after(DEFAULT_PAUSE),
        },
        418 => UserError::Banned {
            until_ms: after(DEFAULT_BAN),
        },
        status => UserError::Rejected {
            method: method.to_string(),
            status,
            code: err.code,
            msg: err.msg,
        },
    })
}
