//! Minimal clients for the fake's tests: signed REST calls with the documentation's HMAC key and
//! WebSocket helpers that read the next JSON frame (answering pings as they go).

use super::super::{DOC_API_KEY, DOC_SECRET, FakeBinance, hmac_hex};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async_with_config, tungstenite::Message,
};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A REST answer: status, headers (lower-case names), body parsed as JSON (or the raw text).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn code(&self) -> Option<i64> {
        self.body["code"].as_i64()
    }
}

pub struct Rest {
    http: reqwest::Client,
    base: String,
    pub key: String,
    pub secret: String,
}

impl Rest {
    pub fn new(fake: &FakeBinance) -> Self {
        tickdesk::binance::install_tls_provider();
        Self {
            // No idle pool: its timer would move the paused clock between requests.
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            base: fake.url(),
            key: DOC_API_KEY.to_string(),
            secret: DOC_SECRET.to_string(),
        }
    }

    /// Sends `query` and `body` exactly as given.
    pub async fn raw(&self, method: &str, path: &str, query: &str, body: &str) -> Reply {
        let url = if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{query}", self.base)
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, url)
            .header("X-MBX-APIKEY", &self.key);
        if !body.is_empty() {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.to_string());
        }
        let resp = req.send().await.unwrap();
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, query: &str) -> Reply {
        self.raw("GET", path, query, "").await
    }

    /// A SIGNED request: `params` plus `recvWindow` (the maximum, as the paused clock jumps to
    /// the next timer whenever the runtime waits) and `timestamp`, HMAC-signed in the query.
    pub async fn signed(
        &self,
        fake: &FakeBinance,
        method: &str,
        path: &str,
        params: &str,
    ) -> Reply {
        let sep = if params.is_empty() { "" } else { "&" };
        let payload = format!("{params}{sep}recvWindow=60000&timestamp={}", fake.now());
        let signature = hmac_hex(&self.secret, &payload);
        self.raw(
            method,
            path,
            &format!("{payload}&signature={signature}"),
            "",
        )
        .await
    }
}

/// Connects with Nagle off (small frames must not wait for a real-time delayed ACK).
pub async fn connect(fake: &FakeBinance, path: &str) -> Ws {
    let url = format!("{}{path}", fake.ws_url());
    connect_async_with_config(url, None, true).await.unwrap().0
}

/// The next text frame as JSON, or `None` when nothing comes within `wait` or the socket ends.
pub async fn next_json(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match msg {
            Ok(Message::Text(t)) => return Some(serde_json::from_str(&t).unwrap()),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

pub async fn json(ws: &mut Ws) -> Value {
    next_json(ws, Duration::from_secs(5))
        .await
        .expect("a frame within 5 s")
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}
