//! The paced loop of a paper session, the async edge around the synchronous engine. Market time
//! maps onto the wall clock through an anchor (market time `m` was on screen at instant `w`); a
//! candle closes when the wall clock reaches its close on that scale. Between closes the forming
//! candle is shown at a quarter, half and three quarters of the interval, along the candle's path
//! (down first for a rising candle: open → low → high → close). A command, a pause or a new speed
//! re-anchors at the market time on screen, so nothing jumps.
//!
//! Overflow policy: the replica's channel is bounded. When it is full, candles, fills and alerts
//! wait for the next send (fills are never dropped); snapshots are dropped and made afresh at the
//! next send. Snapshots are made only after a step or a command, never for a forming candle.
//! When nobody listens any more (the view closed), the session trades on without sending.

use super::{Outbox, Paper};
use crate::core::Command;
use crate::market::Candle;
use crate::replica::{Speed, Update};
use tokio::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use tokio::time::{Duration, Instant, sleep_until};

/// What the view (or a control socket) asks of a running session.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    Command(Command),
    Speed(Speed),
    Pause(bool),
    TogglePause,
    Shutdown,
}

/// Steps run between sends when unpaced.
const UNPACED_BATCH: usize = 2_000;

struct Anchor {
    wall: Instant,
    market: i64,
}

/// The candle `c` as it stood after `stage` quarters (1 to 3) of its interval.
pub fn partial(c: &Candle, stage: u8) -> Candle {
    let (first, second) = if c.close >= c.open {
        (c.low, c.high)
    } else {
        (c.high, c.low)
    };
    let path = [c.open, first, second, c.close];
    let seen = &path[..=usize::from(stage.min(3))];
    Candle {
        open_time: c.open_time,
        open: c.open,
        high: seen.iter().copied().fold(f64::MIN, f64::max),
        low: seen.iter().copied().fold(f64::MAX, f64::min),
        close: seen[seen.len() - 1],
        volume: c.volume * f64::from(stage) / 4.0,
    }
}

/// Runs the session until `Control::Shutdown` or until the controls are dropped; returns it.
pub async fn drive(
    mut paper: Paper,
    mut controls: mpsc::Receiver<Control>,
    updates: mpsc::Sender<Vec<Update>>,
) -> Paper {
    let mut out = Outbox::default();
    let mut shown = paper.next_open().unwrap_or(0);
    let mut anchor: Option<Anchor> = None;
    let mut stage = 0u8;
    loop {
        loop {
            match controls.try_recv() {
                Ok(c) => {
                    if !apply(&mut paper, c, &mut out) {
                        send(&paper, &mut out, &updates);
                        return paper;
                    }
                    anchor = None;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return paper,
            }
        }
        if paper.paused() || paper.next_open().is_none() {
            send(&paper, &mut out, &updates);
            let c = controls.recv().await;
            if !c.is_some_and(|c| apply(&mut paper, c, &mut out)) {
                send(&paper, &mut out, &updates);
                return paper;
            }
            anchor = None;
            continue;
        }
        let Some(factor) = paper.speed().factor() else {
            for _ in 0..UNPACED_BATCH {
                if !paper.step(&mut out) {
                    break;
                }
            }
            (stage, anchor) = (0, None);
            shown = paper.next_open().unwrap_or(shown);
            send(&paper, &mut out, &updates);
            tokio::task::yield_now().await;
            continue;
        };
        let Some(open) = paper.next_open() else {
            continue;
        };
        let dur = paper.interval_ms();
        let a = anchor.get_or_insert_with(|| Anchor {
            wall: Instant::now(),
            market: shown.max(open),
        });
        let target = open + dur * i64::from(stage + 1) / 4;
        let wait = u64::try_from(target - a.market).unwrap_or(0) / u64::from(factor);
        let due = a.wall + Duration::from_millis(wait);
        tokio::select! {
            () = sleep_until(due) => {}
            c = controls.recv() => {
                if !c.is_some_and(|c| apply(&mut paper, c, &mut out)) {
                    send(&paper, &mut out, &updates);
                    return paper;
                }
                anchor = None;
                continue;
            }
        }
        shown = target;
        if stage < 3 {
            stage += 1;
            for (market, c) in paper.upcoming() {
                out.updates.push(Update::Forming {
                    market,
                    candle: partial(&c, stage),
                });
            }
        } else {
            paper.step(&mut out);
            stage = 0;
        }
        send(&paper, &mut out, &updates);
    }
}

/// False when the session should end.
fn apply(paper: &mut Paper, control: Control, out: &mut Outbox) -> bool {
    out.changed = true;
    match control {
        Control::Command(c) => paper.command(c, out),
        Control::Speed(s) => paper.set_speed(s),
        Control::Pause(p) => paper.set_paused(p),
        Control::TogglePause => paper.set_paused(!paper.paused()),
        Control::Shutdown => return false,
    }
    true
}

/// Sends what the outbox holds (with fresh snapshots if something moved); see the module note
/// for what happens when the view is behind.
pub fn send(paper: &Paper, out: &mut Outbox, updates: &mpsc::Sender<Vec<Update>>) {
    if updates.is_closed() {
        out.updates.clear();
        return;
    }
    // Snapshots only after something that can move them (not for a forming candle).
    if std::mem::take(&mut out.changed) {
        paper.publish(out);
    }
    if out.updates.is_empty() {
        return;
    }
    let batch = std::mem::take(&mut out.updates);
    match updates.try_send(batch) {
        Ok(()) | Err(TrySendError::Closed(_)) => {}
        Err(TrySendError::Full(batch)) => {
            out.changed = true;
            out.updates = batch
                .into_iter()
                .filter(|u| {
                    matches!(
                        u,
                        Update::Candle { .. } | Update::Fill(_) | Update::Alert(_)
                    )
                })
                .collect();
        }
    }
}
