//! One connection's life: read frames (pings answered as they come), hand snapshots to the books,
//! watch for silence (`stale_after`), and run the planned switch when the lifetime is up or the
//! server announces a shutdown. Invariant: a session ends with exactly one [`End`], and the old
//! socket is closed before the feed waits on anything else.

use super::socket::{self, Frame, Ws};
use super::standby::{Standby, StandbyEvent};
use super::task::{End, FeedTask};
use std::pin::Pin;
use tokio::time::{Instant, Sleep, sleep};
use tokio_tungstenite::tungstenite::Bytes;

enum Step {
    Frame(Frame),
    Snapshot(super::books::SnapshotResult),
    Stale,
    Cut,
    Standby(StandbyEvent),
}

struct Session<'a> {
    task: &'a mut FeedTask,
    /// Fires `stale_after` past the last data frame.
    stale: Pin<Box<Sleep>>,
    /// Fires when the planned switch should start (or be retried).
    cut: Pin<Box<Sleep>>,
    standby: Standby,
}

/// Runs the session on `ws`, replaying `backlog` (frames a replacement buffered) first.
pub async fn run(task: &mut FeedTask, mut ws: Ws, backlog: Vec<Bytes>) -> End {
    let mut session = Session {
        stale: Box::pin(sleep(task.config.stale_after)),
        cut: Box::pin(sleep(task.config.max_lifetime)),
        standby: Standby::Idle,
        task,
    };
    for frame in backlog {
        if let Some(end) = session.on_data(&frame).await {
            return finish(ws, end).await;
        }
    }
    loop {
        let step = session.next(&mut ws).await;
        if let Some(end) = session.handle(step).await {
            return finish(ws, end).await;
        }
    }
}

impl Session<'_> {
    async fn next(&mut self, ws: &mut Ws) -> Step {
        let overlap = self.task.config.switch_overlap;
        tokio::select! {
            frame = socket::next_frame(ws) => Step::Frame(frame),
            Some(result) = self.task.snapshots.recv() => Step::Snapshot(result),
            () = &mut self.stale => Step::Stale,
            () = &mut self.cut, if self.standby.is_idle() => Step::Cut,
            event = self.standby.poll(overlap) => Step::Standby(event),
        }
    }

    async fn handle(&mut self, step: Step) -> Option<End> {
        match step {
            Step::Frame(Frame::Data(bytes)) => {
                let stale_after = self.task.config.stale_after;
                self.stale.as_mut().reset(Instant::now() + stale_after);
                return self.on_data(&bytes).await;
            }
            Step::Frame(Frame::Ping) => self.task.count(|c| c.pings += 1),
            Step::Frame(Frame::Closed(why)) => {
                return Some(match self.standby.take_open() {
                    Some(replacement) => End::Switch(replacement),
                    None => End::Lost(why),
                });
            }
            Step::Snapshot(result) => self.task.on_snapshot(result),
            Step::Stale => {
                let silent = self.task.config.stale_after.as_millis();
                return Some(End::Stale(u64::try_from(silent).unwrap_or(u64::MAX)));
            }
            Step::Cut => self.begin_switch(),
            Step::Standby(StandbyEvent::Progress) => {}
            Step::Standby(StandbyEvent::Failed(why)) => {
                tracing::warn!(reason = %why, "replacement market stream failed; retrying");
                let retry = Instant::now() + self.task.config.backoff.max;
                self.cut.as_mut().reset(retry);
            }
            Step::Standby(StandbyEvent::Ready) => return self.standby.take_open().map(End::Switch),
        }
        None
    }

    async fn on_data(&mut self, frame: &[u8]) -> Option<End> {
        match self.task.on_data(frame).await {
            Ok(true) => {
                self.begin_switch();
                None
            }
            Ok(false) => None,
            Err(end) => Some(end),
        }
    }

    fn begin_switch(&mut self) {
        let config = &self.task.config;
        self.standby.begin(&self.task.url, config.connect_timeout);
    }
}

/// Closes the old socket politely when the server may still be listening (not after a stall, and
/// not when the consumer is gone) and ends the session.
async fn finish(ws: Ws, end: End) -> End {
    if !matches!(end, End::Stop | End::Stale(_)) {
        socket::close(ws).await;
    }
    end
}
