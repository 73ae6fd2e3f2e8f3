//! One client connection: a writer task that sends its queued lines, and a reader task that
//! turns its messages into controls for the core.
//!
//! Invariant: a client's messages reach the core in the order sent, through the same control
//! queue as the engine's own view would use; a message that is not understood is answered with
//! an `error` line and changes nothing.

use super::clients::Line;
use crate::control::frame::{CLIENT_LINE_MAX, FrameError, LineReader, encode};
use crate::control::wire::{ClientMsg, ServerMsg};
use crate::paper::Control;
use std::sync::Arc;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};

/// Sends queued lines until the queue closes (the server is done with this client), the socket
/// fails, or the reader says the client has gone.
pub async fn write(
    mut lines: mpsc::Receiver<Line>,
    mut socket: OwnedWriteHalf,
    mut gone: oneshot::Receiver<()>,
) {
    loop {
        let line = tokio::select! {
            biased;
            l = lines.recv() => match l {
                Some(l) => l,
                None => break,
            },
            _ = &mut gone => break,
        };
        if socket.write_all(line.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = socket.shutdown().await;
}

/// Reads a client's messages until it detaches or disconnects.
pub async fn read(
    id: u64,
    socket: OwnedReadHalf,
    controls: mpsc::Sender<Control>,
    replies: mpsc::Sender<Line>,
    gone: oneshot::Sender<()>,
) {
    let mut reader = LineReader::new(BufReader::new(socket), CLIENT_LINE_MAX);
    loop {
        match reader.next::<ClientMsg>().await {
            Ok(Some(msg)) => match msg.into_control() {
                Ok(Some(control)) => {
                    tracing::debug!("control client {id}: {control:?}");
                    if controls.send(control).await.is_err() {
                        break;
                    }
                }
                Ok(None) => {
                    tracing::info!("control client {id} detached");
                    break;
                }
                Err(why) => refuse(&replies, why),
            },
            Ok(None) => {
                tracing::info!("control client {id} disconnected");
                break;
            }
            Err(FrameError::Json(e)) => {
                tracing::warn!("control client {id} sent a message that is not understood: {e}");
                refuse(&replies, format!("not understood: {e}"));
            }
            Err(e) => {
                tracing::warn!("control client {id}: {e}; closing its connection");
                refuse(&replies, e.to_string());
                break;
            }
        }
    }
    let _ = gone.send(());
}

fn refuse(replies: &mpsc::Sender<Line>, message: String) {
    if let Ok(line) = encode(&ServerMsg::Error { message }) {
        let _ = replies.try_send(Arc::from(line));
    }
}
