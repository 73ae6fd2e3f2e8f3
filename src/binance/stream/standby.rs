//! The replacement connection of a planned switch (the 24-hour cut, `serverShutdown`): opened
//! while the current one keeps delivering, read into a buffer (its pings answered) for the
//! overlap, then handed over with its buffered frames. Invariant: from the moment it is open, no
//! frame it receives is lost, whether the switch completes on time or the old connection dies
//! first.

use super::StreamError;
use super::socket::{self, Frame, Ws};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Bytes;

type Connecting = Pin<Box<dyn Future<Output = Result<Ws, StreamError>> + Send>>;

/// An open replacement and what it has received so far.
pub struct Replacement {
    pub ws: Ws,
    pub frames: Vec<Bytes>,
}

#[derive(Default)]
pub enum Standby {
    #[default]
    Idle,
    Connecting(Connecting),
    Open {
        replacement: Box<Replacement>,
        switch_at: Instant,
    },
}

/// What polling the standby produced.
pub enum StandbyEvent {
    /// Connected, or a frame buffered, or a ping answered: keep going.
    Progress,
    /// Connecting failed or the new connection died; try again later.
    Failed(String),
    /// The overlap is over: switch now.
    Ready,
}

impl Standby {
    pub fn is_idle(&self) -> bool {
        matches!(self, Self::Idle)
    }

    /// Starts opening the replacement (no-op unless idle).
    pub fn begin(&mut self, url: &str, timeout: Duration) {
        if self.is_idle() {
            let url = url.to_string();
            *self = Self::Connecting(Box::pin(
                async move { socket::connect(&url, timeout).await },
            ));
        }
    }

    /// The replacement, if it is open (the standby goes idle).
    pub fn take_open(&mut self) -> Option<Box<Replacement>> {
        match std::mem::take(self) {
            Self::Open { replacement, .. } => Some(replacement),
            other => {
                *self = other;
                None
            }
        }
    }

    /// Drives the standby; pending forever while idle. Cancel-safe: all state lives in `self`.
    pub async fn poll(&mut self, overlap: Duration) -> StandbyEvent {
        match self {
            Self::Idle => std::future::pending().await,
            Self::Connecting(connecting) => {
                let result = connecting.as_mut().await;
                self.connected(result, overlap)
            }
            Self::Open {
                replacement,
                switch_at,
            } => {
                let frame = tokio::select! {
                    frame = socket::next_frame(&mut replacement.ws) => frame,
                    () = tokio::time::sleep_until(*switch_at) => return StandbyEvent::Ready,
                };
                match frame {
                    Frame::Data(bytes) => replacement.frames.push(bytes),
                    Frame::Ping => {}
                    Frame::Closed(why) => {
                        *self = Self::Idle;
                        return StandbyEvent::Failed(why);
                    }
                }
                StandbyEvent::Progress
            }
        }
    }

    fn connected(&mut self, result: Result<Ws, StreamError>, overlap: Duration) -> StandbyEvent {
        match result {
            Ok(ws) => {
                let frames = Vec::new();
                *self = Self::Open {
                    replacement: Box::new(Replacement { ws, frames }),
                    switch_at: Instant::now() + overlap,
                };
                StandbyEvent::Progress
            }
            Err(e) => {
                *self = Self::Idle;
                StandbyEvent::Failed(e.to_string())
            }
        }
    }
}
