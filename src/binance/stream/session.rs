//! One connection's life: read frames (pings answered as they come), hand snapshots to the books,
//! watch for silence (`stale_after`), and run the planned switch when the lifetime is up or the
//! server announces a shutdown. Invariant: a session ends with exactly one [`End`], and the old
//! socket is closed before the feed waits on anything else.

use super::socket::{self, Frame, Ws};
use super::standby::{Standby, StandbyEvent};
use super::task::{End, FeedTask};
use tokio::time::{Instant, sleep};
use tokio_tungstenite::tungstenite::Bytes;

enum Step {
    Frame(Frame),
    Snapshot(super::books::SnapshotResult),
    Stale,
    Cut,
    Standby(StandbyEvent),
}

/// Runs the session on `ws`, replaying `backlog` (frames a replacement buffered) first.
pub async fn run(task: &mut FeedTask, mut ws: Ws, backlog: Vec<Bytes>) -> End {
    let (stale_after, overlap) = (task.config.stale_after, task.config.switch_overlap);
    let stale = sleep(stale_after);
    let cut = sleep(task.config.max_lifetime);
    tokio::pin!(stale, cut);
    let mut standby = Standby::Idle;
    for frame in backlog {
        match task.on_data(&frame).await {
            Ok(shutdown) => begin_if(shutdown, task, &mut standby),
            Err(end) => return finish(ws, end).await,
        }
    }
    loop {
        let step = tokio::select! {
            frame = socket::next_frame(&mut ws) => Step::Frame(frame),
            Some(result) = task.snapshots.recv() => Step::Snapshot(result),
            () = &mut stale => Step::Stale,
            () = &mut cut, if standby.is_idle() => Step::Cut,
            event = standby.poll(overlap) => Step::Standby(event),
        };
        match step {
            Step::Frame(Frame::Data(bytes)) => {
                stale.as_mut().reset(Instant::now() + stale_after);
                match task.on_data(&bytes).await {
                    Ok(shutdown) => begin_if(shutdown, task, &mut standby),
                    Err(end) => return finish(ws, end).await,
                }
            }
            Step::Frame(Frame::Ping) => task.count(|c| c.pings += 1),
            Step::Frame(Frame::Closed(why)) => {
                return match standby.take_open() {
                    Some(replacement) => End::Switch(replacement),
                    None => End::Lost(why),
                };
            }
            Step::Snapshot(result) => task.on_snapshot(result),
            Step::Stale => {
                let silent = u64::try_from(stale_after.as_millis()).unwrap_or(u64::MAX);
                return finish(ws, End::Stale(silent)).await;
            }
            Step::Cut => begin_if(true, task, &mut standby),
            Step::Standby(StandbyEvent::Progress) => {}
            Step::Standby(StandbyEvent::Failed(why)) => {
                tracing::warn!(reason = %why, "replacement market stream failed; retrying");
                cut.as_mut().reset(Instant::now() + task.config.backoff.max);
            }
            Step::Standby(StandbyEvent::Ready) => {
                if let Some(replacement) = standby.take_open() {
                    return finish(ws, End::Switch(replacement)).await;
                }
            }
        }
    }
}

fn begin_if(shutdown: bool, task: &FeedTask, standby: &mut Standby) {
    if shutdown {
        standby.begin(&task.url, task.config.connect_timeout);
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
