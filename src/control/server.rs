//! The control socket's server: owns `<data dir>/tickdesk.sock` for as long as an engine runs,
//! admits only connections from the user that owns the engine, greets each with a hello and a
//! snapshot of the replica, and fans every update batch of the core out to all clients (see
//! `clients` for what a slow client gets). Clients' controls go to the core's control queue.
//!
//! Invariants: the socket file is mode 0600 before the first connection is served, and the
//! peer's uid (SO_PEERCRED) is checked against ours on every connection; one engine per data dir
//! (a lock file held for the engine's life), so a socket file found at start without a locked
//! owner is stale and removed; the socket file is removed when the server ends.

mod bind;
mod clients;
mod conn;

pub use bind::{EngineLock, ServeError};
pub use clients::QUEUE as CLIENT_QUEUE;

use super::frame::encode;
use super::link::{Incoming, Link};
use super::wire::Hello;
use crate::paper::Control;
use crate::replica::{Replica, Update};
use clients::{Clients, Line};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio::time::Duration;

/// How often a client that fell behind is checked for having caught up, when no batch comes.
const RESYNC_EVERY: Duration = Duration::from_millis(100);
/// How long clients get to receive what is queued for them once the engine has stopped.
const FLUSH: Duration = Duration::from_secs(2);

/// What the server sends; the same shapes as `wire::ServerMsg`, borrowed (no copy of the replica).
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Out<'a> {
    Hello(&'a Hello),
    Snapshot { replica: &'a Replica },
    Updates { updates: &'a [Update] },
    Bye { reason: &'a str },
}

fn line(out: &Out<'_>) -> Option<Line> {
    match encode(out) {
        Ok(l) => Some(Arc::from(l)),
        Err(e) => {
            tracing::error!("control socket: cannot encode a message: {e}");
            None
        }
    }
}

/// A bound, not yet serving, control socket.
pub struct Server {
    listener: UnixListener,
    socket: SocketFile,
    uid: u32,
    _lock: EngineLock,
}

/// Removes the socket file when dropped.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// How the server ended: the replica as it last stood, and why the core stopped if it did so by
/// itself (a panic, say) rather than when asked.
pub struct Served {
    pub replica: Replica,
    pub core_failed: Option<String>,
}

struct Hub {
    replica: Replica,
    clients: Clients,
    hello: Hello,
    uid: u32,
    next_id: u64,
    controls: mpsc::Sender<Control>,
    writers: JoinSet<()>,
    readers: JoinSet<()>,
}

impl Server {
    pub fn path(&self) -> &Path {
        &self.socket.0
    }

    /// Serves until the core behind `link` is gone; `replica` is the core's state at the start.
    pub async fn serve(self, replica: Replica, mut link: Link) -> Served {
        let Self {
            listener,
            socket,
            uid,
            _lock,
        } = self;
        let mut hub = Hub {
            replica,
            clients: Clients::default(),
            hello: Hello::now(crate::clock::system_now_ms()),
            uid,
            next_id: 1,
            controls: link.controls.clone(),
            writers: JoinSet::new(),
            readers: JoinSet::new(),
        };
        let mut resync = tokio::time::interval(RESYNC_EVERY);
        resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                got = link.recv() => match got {
                    Some(Incoming::Updates(batch)) => hub.updates(batch),
                    Some(Incoming::Snapshot(r)) => hub.replica = *r,
                    None => break,
                },
                conn = listener.accept() => match conn {
                    Ok((stream, _)) => hub.admit(stream),
                    Err(e) => tracing::warn!("control socket: accept failed: {e}"),
                },
                _ = resync.tick(), if hub.clients.any_behind() => hub.resync(),
            }
        }
        drop(listener);
        drop(socket);
        let replica = hub.finish().await;
        Served {
            replica,
            core_failed: link.close().await,
        }
    }
}

impl Hub {
    /// Says goodbye to every client and gives their writers a moment to send what is queued.
    async fn finish(mut self) -> Replica {
        if let Some(bye) = line(&Out::Bye {
            reason: "the engine stopped",
        }) {
            self.clients.tell_all(&bye);
        }
        self.clients.close();
        self.readers.abort_all();
        let _ = tokio::time::timeout(FLUSH, async {
            while self.writers.join_next().await.is_some() {}
        })
        .await;
        self.writers.abort_all();
        self.replica
    }

    fn updates(&mut self, batch: Vec<Update>) {
        if !self.clients.is_empty()
            && let Some(l) = line(&Out::Updates { updates: &batch })
        {
            self.clients.broadcast(&l);
        }
        for u in batch {
            self.replica.apply(u);
        }
        self.resync();
    }

    fn resync(&mut self) {
        let replica = &self.replica;
        self.clients.resync(|| line(&Out::Snapshot { replica }));
    }

    fn admit(&mut self, stream: UnixStream) {
        let peer = match stream.peer_cred() {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("control socket: refused a connection whose owner is unknown: {e}");
                return;
            }
        };
        if peer.uid() != self.uid {
            tracing::warn!(
                "control socket: refused a connection from uid {} (pid {:?}); only uid {} may connect",
                peer.uid(),
                peer.pid(),
                self.uid
            );
            return;
        }
        let (Some(hello), Some(snapshot)) = (
            line(&Out::Hello(&self.hello)),
            line(&Out::Snapshot {
                replica: &self.replica,
            }),
        ) else {
            return;
        };
        while self.writers.try_join_next().is_some() || self.readers.try_join_next().is_some() {}
        let id = self.next_id;
        self.next_id += 1;
        let (tx, rx) = mpsc::channel(CLIENT_QUEUE);
        let _ = tx.try_send(hello);
        let _ = tx.try_send(snapshot);
        let (gone_tx, gone_rx) = oneshot::channel();
        let (read, write) = stream.into_split();
        self.writers.spawn(conn::write(rx, write, gone_rx));
        self.readers.spawn(conn::read(
            id,
            read,
            self.controls.clone(),
            tx.clone(),
            gone_tx,
        ));
        self.clients.add(id, tx);
        tracing::info!(
            "control client {id} attached (pid {}); {} attached now",
            peer.pid().map_or_else(|| "?".into(), |p| p.to_string()),
            self.clients.len()
        );
    }
}

#[cfg(test)]
mod tests;
