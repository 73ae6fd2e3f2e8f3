//! One WebSocket connection to the combined market streams: the URL, the handshake with a
//! deadline, and reading frames with server pings answered at once. tungstenite queues a pong
//! carrying the ping's payload when it reads a ping; [`next_frame`] flushes it straight away
//! instead of waiting for the next read, so a ping is answered even if the reader is about to
//! wait on something else. Invariant: the reader never answers a ping by hand (a second pong
//! would count against Binance's 5 messages a second).

use super::StreamError;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `<base>/stream?streams=a/b/c`. The base is the configured host (`binance.ws_url`); a trailing
/// `/ws` or `/stream` path is dropped, since combined streams live at `/stream`.
pub fn combined_url(base: &str, streams: &[String]) -> String {
    let base = base.trim_end_matches('/');
    let base = base
        .strip_suffix("/ws")
        .or_else(|| base.strip_suffix("/stream"))
        .unwrap_or(base);
    format!("{base}/stream?streams={}", streams.join("/"))
}

pub async fn connect(url: &str, timeout: Duration) -> Result<Ws, StreamError> {
    crate::binance::install_tls_provider();
    match tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url)).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(StreamError::Connect(e.to_string())),
        Err(_) => Err(StreamError::ConnectTimeout(timeout)),
    }
}

/// What reading the socket produced.
#[derive(Debug)]
pub enum Frame {
    /// A text or binary message.
    Data(Bytes),
    /// A server ping, already answered.
    Ping,
    /// The connection is over (close frame, error or end of stream), and why.
    Closed(String),
}

/// The next frame worth the caller's attention (pongs are skipped). Cancel-safe.
pub async fn next_frame(ws: &mut Ws) -> Frame {
    loop {
        let message = match ws.next().await {
            Some(Ok(m)) => m,
            Some(Err(e)) => return Frame::Closed(e.to_string()),
            None => return Frame::Closed("connection ended".into()),
        };
        match message {
            Message::Text(_) | Message::Binary(_) => return Frame::Data(message.into_data()),
            Message::Ping(_) => {
                return match ws.flush().await {
                    Ok(()) => Frame::Ping,
                    Err(e) => Frame::Closed(format!("answering a ping: {e}")),
                };
            }
            Message::Close(frame) => {
                let why = frame.map_or_else(
                    || "closed by the server".to_string(),
                    |f| format!("closed by the server ({}): {}", f.code, f.reason),
                );
                return Frame::Closed(why);
            }
            Message::Pong(_) | Message::Frame(_) => {}
        }
    }
}

/// The close handshake, bounded to a second: our close frame, then whatever the server still had
/// in flight (discarded) up to its close frame, so the TCP connection is not reset under a frame
/// it is sending.
pub async fn close(mut ws: Ws) {
    let handshake = async {
        if ws.close(None).await.is_ok() {
            while let Some(Ok(_)) = ws.next().await {}
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), handshake).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_url_joins_streams_under_stream() {
        let names = ["btcusdt@aggTrade".to_string(), "ethusdt@depth@100ms".into()];
        let want = "wss://h:9443/stream?streams=btcusdt@aggTrade/ethusdt@depth@100ms";
        for base in [
            "wss://h:9443",
            "wss://h:9443/",
            "wss://h:9443/ws",
            "wss://h:9443/stream",
        ] {
            assert_eq!(combined_url(base, &names), want, "{base}");
        }
    }
}
