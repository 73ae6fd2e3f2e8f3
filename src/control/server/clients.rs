//! The attached clients and the slow-client policy.
//!
//! Policy: each client has a queue of `QUEUE` lines between the server and its socket. A batch
//! of updates is queued for every client that keeps up. A client whose queue is full when a
//! batch comes is marked *behind*: it misses that batch and every later one (nothing piles up
//! for it) until it has emptied its queue; it is then sent one fresh snapshot (the replica as of
//! that moment, which includes everything it missed) and batches resume. The server never waits
//! for a client, so the engine never does either.
//!
//! Invariant: after a missed batch, the next thing a client receives is a snapshot; never a
//! batch that assumes the one it missed.

use std::sync::Arc;
use tokio::sync::mpsc::{self, error::TrySendError};

/// Lines queued per client before it counts as behind.
pub const QUEUE: usize = 32;

pub type Line = Arc<str>;

struct Client {
    id: u64,
    tx: mpsc::Sender<Line>,
    behind: bool,
}

#[derive(Default)]
pub struct Clients {
    list: Vec<Client>,
}

impl Clients {
    pub fn add(&mut self, id: u64, tx: mpsc::Sender<Line>) {
        self.list.retain(|c| !c.tx.is_closed());
        self.list.push(Client {
            id,
            tx,
            behind: false,
        });
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Queues a batch for every client that keeps up; forgets clients that went away.
    pub fn broadcast(&mut self, line: &Line) {
        self.list.retain(|c| !c.tx.is_closed());
        for c in &mut self.list {
            if c.behind {
                continue;
            }
            match c.tx.try_send(line.clone()) {
                Ok(()) | Err(TrySendError::Closed(_)) => {}
                Err(TrySendError::Full(_)) => {
                    tracing::warn!(
                        "control client {} fell behind; it gets a fresh snapshot once it has caught up",
                        c.id
                    );
                    c.behind = true;
                }
            }
        }
    }

    pub fn any_behind(&self) -> bool {
        self.list.iter().any(|c| c.behind)
    }

    /// Clients behind whose queue has drained get a snapshot; `snapshot` is made at most once,
    /// and only when one is due.
    pub fn resync(&mut self, snapshot: impl FnOnce() -> Option<Line>) {
        let due = |c: &Client| c.behind && c.tx.capacity() == c.tx.max_capacity();
        if !self.list.iter().any(due) {
            return;
        }
        let Some(line) = snapshot() else {
            return;
        };
        for c in self.list.iter_mut().filter(|c| due(c)) {
            if c.tx.try_send(line.clone()).is_ok() {
                c.behind = false;
            }
        }
    }

    /// Best effort to every client (the goodbye); a full queue misses it.
    pub fn tell_all(&mut self, line: &Line) {
        for c in &self.list {
            let _ = c.tx.try_send(line.clone());
        }
    }

    /// Drops every queue: each client's writer sends what is queued, then closes.
    pub fn close(&mut self) {
        self.list.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Line {
        Arc::from(s)
    }

    fn drain(rx: &mut mpsc::Receiver<Line>) -> Vec<String> {
        let mut got = Vec::new();
        while let Ok(l) = rx.try_recv() {
            got.push(l.to_string());
        }
        got
    }

    #[test]
    fn a_slow_client_skips_the_backlog_and_gets_a_snapshot_once_drained() {
        let mut clients = Clients::default();
        let (fast_tx, mut fast) = mpsc::channel(2);
        let (slow_tx, mut slow) = mpsc::channel(2);
        clients.add(1, fast_tx);
        clients.add(2, slow_tx);
        let mut made = 0;
        for i in 1..=4 {
            clients.broadcast(&line(&format!("b{i}")));
            // The fast client reads as batches come; the slow one does not read at all.
            let got = drain(&mut fast);
            assert_eq!(got, [format!("b{i}")]);
            clients.resync(|| {
                made += 1;
                Some(line("snap"))
            });
        }
        assert!(clients.any_behind());
        assert_eq!(
            made, 0,
            "no snapshot is made while the slow queue is still full"
        );
        // The slow client reads what was queued before it fell behind: b1, b2 (b3, b4 missed).
        assert_eq!(drain(&mut slow), ["b1", "b2"]);
        clients.broadcast(&line("b5"));
        assert_eq!(
            drain(&mut slow),
            Vec::<String>::new(),
            "no batch before the snapshot"
        );
        clients.resync(|| {
            made += 1;
            Some(line("snap"))
        });
        assert_eq!(made, 1);
        assert!(!clients.any_behind());
        clients.broadcast(&line("b6"));
        assert_eq!(drain(&mut slow), ["snap", "b6"]);
        assert_eq!(
            drain(&mut fast),
            ["b5", "b6"],
            "the fast client never saw a snapshot"
        );
    }

    #[test]
    fn clients_that_went_away_are_forgotten() {
        let mut clients = Clients::default();
        let (tx, rx) = mpsc::channel(2);
        let (kept_tx, mut kept) = mpsc::channel(2);
        clients.add(1, tx);
        clients.add(2, kept_tx);
        drop(rx);
        clients.broadcast(&line("b1"));
        assert_eq!(clients.len(), 1);
        clients.tell_all(&line("bye"));
        assert_eq!(drain(&mut kept), ["b1", "bye"]);
        clients.close();
        assert!(clients.is_empty());
        assert!(kept.try_recv().is_err() && kept.is_closed());
    }
}
