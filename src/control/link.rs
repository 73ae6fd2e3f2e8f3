//! A `Link` is how anything outside a trading core talks to it: controls in, update batches out,
//! and the task that runs it. The core may run here (a paper session's `drive` task) or in
//! another process (a headless engine, reached over the control socket); a view or the socket
//! server holds a `Link` and does not care which. Live trading's runner plugs in the same way.
//!
//! Invariant: a link's updates end (`recv` gives `None`) only when its core is gone; `close`
//! then says why, if the core went away by itself.

use crate::paper::{Control, Paper, drive};
use crate::replica::{Replica, Update};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Controls queued towards a core.
pub const CONTROL_QUEUE: usize = 64;
/// Update batches queued from a core (see `paper::drive` for what happens when it is full).
pub const UPDATE_QUEUE: usize = 16;

/// What comes out of a core.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Updates(Vec<Update>),
    /// The whole state again (a remote client that fell behind): replaces the replica.
    Snapshot(Box<Replica>),
}

enum Source {
    Local(mpsc::Receiver<Vec<Update>>),
    Remote(mpsc::Receiver<Incoming>),
}

pub struct Link {
    pub controls: mpsc::Sender<Control>,
    source: Source,
    /// Ends with why the core went away (`None`: it was asked to stop, or we detached).
    task: JoinHandle<Option<String>>,
}

impl Link {
    /// Runs a paper session on a task of its own.
    pub fn local(paper: Paper) -> Self {
        let (controls, rx) = mpsc::channel(CONTROL_QUEUE);
        let (tx, updates) = mpsc::channel(UPDATE_QUEUE);
        let task = tokio::spawn(async move {
            drive(paper, rx, tx).await;
            None
        });
        Self {
            controls,
            source: Source::Local(updates),
            task,
        }
    }

    /// Runs a session on live data (paper or live) on a task of its own.
    pub fn live(paper: Paper, edges: crate::live::Edges) -> Self {
        let (controls, rx) = mpsc::channel(CONTROL_QUEUE);
        let (tx, updates) = mpsc::channel(UPDATE_QUEUE);
        let task = tokio::spawn(async move {
            crate::live::drive(paper, edges, rx, tx).await;
            None
        });
        Self {
            controls,
            source: Source::Local(updates),
            task,
        }
    }

    /// A link whose core is reached through `task` (the control socket's client).
    pub(crate) fn remote(
        controls: mpsc::Sender<Control>,
        incoming: mpsc::Receiver<Incoming>,
        task: JoinHandle<Option<String>>,
    ) -> Self {
        Self {
            controls,
            source: Source::Remote(incoming),
            task,
        }
    }

    /// The next batch or snapshot; `None` once the core is gone.
    pub async fn recv(&mut self) -> Option<Incoming> {
        match &mut self.source {
            Source::Local(rx) => rx.recv().await.map(Incoming::Updates),
            Source::Remote(rx) => rx.recv().await,
        }
    }

    /// Nobody will read the updates any more: a local core trades on without sending (see
    /// `paper::drive`); a remote link detaches at the engine's next message.
    pub fn stop_receiving(&mut self) {
        match &mut self.source {
            Source::Local(rx) => rx.close(),
            Source::Remote(rx) => rx.close(),
        }
    }

    /// Asks the core to stop (a remote one: detaches) and waits for its task. Says why the core
    /// had gone away already, if it had; a panic in the core is reported, not lost.
    pub async fn close(self) -> Option<String> {
        let _ = self.controls.send(Control::Shutdown).await;
        let Self {
            controls,
            source,
            task,
        } = self;
        drop(controls);
        drop(source);
        match task.await {
            Ok(why) => why,
            Err(e) if e.is_panic() => Some(format!("the trading core panicked: {e}")),
            Err(e) => Some(format!("the trading core's task ended: {e}")),
        }
    }
}
