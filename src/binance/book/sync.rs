//! The synchronisation procedure (spec §8, steps 1–6) as a state machine the stream layer drives:
//! it buffers diffs until a snapshot fits them, then applies live diffs in sequence, and answers
//! every input with what the driver must do. Invariant: a book is exposed only while every update
//! since its snapshot has been applied in order; any gap, crossed book or unholdable level
//! withdraws it and asks for a new snapshot.
//!
//! Decisions the spec leaves open:
//! - A snapshot is too old when `lastUpdateId + 1 < U` of the first buffered diff: updates between
//!   the two would be missing. `lastUpdateId + 1 == U` is accepted, since that diff then straddles
//!   `lastUpdateId + 1` exactly as step 4 demands.
//! - The first `FetchSnapshot` comes with the first diff, so the snapshot can be checked against
//!   a known first `U`. A snapshot that arrives before any diff waits for one.
//! - Buffer overflow (snapshot slow to come): the oldest buffered diff is dropped and counted. Only
//!   the newest diffs matter once a snapshot arrives, and a snapshot older than what is left is
//!   refused by the rule above, so dropping never makes a book wrong.
//! - A crossed (or locked) book after an update cannot be the exchange's: resync. An empty side
//!   can be real (an illiquid market) and is reported in [`SyncAction::Updated`], not resynced.
//! - On a resync the diffs that were not applied yet (the one revealing a gap and any buffered
//!   after it) stay buffered for the next snapshot; each is still checked in sequence.
//! - A snapshot newer than every buffered diff goes live at once, as the book at
//!   `lastUpdateId`: the next diff must then straddle `lastUpdateId + 1` like any live diff.
//! - A diff with `u == ` book id is applied: it carries the levels as of the book's own update,
//!   so it changes nothing a correct book holds (only `u <` book id is ignored, as the spec says).

use super::order_book::{BookHealth, OrderBook};
use super::price::PriceScale;
use super::{BookError, BookTop, DepthDiff, DepthSnapshot};
use rust_decimal::Decimal;
use std::collections::VecDeque;

/// Diffs held while waiting for a snapshot: 1024 is about 100 s of `@depth@100ms`.
pub const DEFAULT_MAX_BUFFERED: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncConfig {
    pub scale: PriceScale,
    /// At least 1.
    pub max_buffered: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            scale: PriceScale::BINANCE,
            max_buffered: DEFAULT_MAX_BUFFERED,
        }
    }
}

/// What the driver must do after an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncAction {
    /// No book yet; keep feeding diffs (and the snapshot once fetched).
    Waiting,
    /// The book is live and did not change (a stale diff or a late snapshot was ignored).
    Unchanged,
    /// The book is live and now holds update `seq`. `health` is never `Crossed` (that resyncs).
    Updated { seq: u64, health: BookHealth },
    /// Fetch `/api/v3/depth` and pass it to [`BookSync::on_snapshot`]. Any book is withdrawn.
    FetchSnapshot(ResyncReason),
}

/// Why a snapshot is needed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResyncReason {
    #[error("no book yet")]
    NoBook,
    #[error("snapshot {last_update_id} ends before the first buffered update {first_buffered}")]
    SnapshotTooOld {
        last_update_id: u64,
        first_buffered: u64,
    },
    #[error("missed updates: expected {expected}, the next diff starts at {got}")]
    Gap { expected: u64, got: u64 },
    #[error("crossed book: best bid {bid} at or above best ask {ask}")]
    Crossed { bid: Decimal, ask: Decimal },
    #[error(transparent)]
    BadLevel(#[from] BookError),
}

/// Running totals for metrics; they only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounters {
    /// `FetchSnapshot` answers given.
    pub snapshot_requests: u64,
    /// Snapshots that became a live book.
    pub syncs: u64,
    /// Books (live or being built) withdrawn: gaps, crossed, bad levels, [`BookSync::reset`].
    pub resyncs: u64,
    pub gaps: u64,
    pub crossed: u64,
    pub bad_levels: u64,
    pub stale_snapshots: u64,
    /// Snapshots that arrived while the book was live.
    pub late_snapshots: u64,
    /// Diffs already contained in the book or the snapshot (`u` below the book id).
    pub ignored_diffs: u64,
    /// Buffered diffs dropped because the buffer was full.
    pub buffer_overflows: u64,
}

#[derive(Debug, Clone)]
enum Phase {
    Buffering {
        awaiting_snapshot: bool,
        snapshot: Option<DepthSnapshot>,
    },
    Live,
}

/// Result of offering one diff to a live book.
enum Step {
    Applied,
    Ignored,
    /// The book must go; the diff (if any) is still unapplied and must stay buffered.
    Restart(ResyncReason, Option<DepthDiff>),
}

#[derive(Debug, Clone)]
pub struct BookSync {
    config: SyncConfig,
    phase: Phase,
    book: OrderBook,
    buffer: VecDeque<DepthDiff>,
    counters: SyncCounters,
}

impl BookSync {
    pub fn new(config: SyncConfig) -> Self {
        let config = SyncConfig {
            max_buffered: config.max_buffered.max(1),
            ..config
        };
        Self {
            config,
            phase: Phase::Buffering {
                awaiting_snapshot: false,
                snapshot: None,
            },
            book: OrderBook::new(config.scale),
            buffer: VecDeque::new(),
            counters: SyncCounters::default(),
        }
    }

    pub fn config(&self) -> SyncConfig {
        self.config
    }

    pub fn is_synced(&self) -> bool {
        matches!(self.phase, Phase::Live)
    }

    /// The live book; `None` while (re)synchronising.
    pub fn book(&self) -> Option<&OrderBook> {
        self.is_synced().then_some(&self.book)
    }

    pub fn top(&self, n: usize) -> Option<BookTop> {
        self.book().map(|b| b.top(n))
    }

    pub fn counters(&self) -> &SyncCounters {
        &self.counters
    }

    /// Diffs waiting for a snapshot.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// One diff from the stream, in arrival order.
    pub fn on_diff(&mut self, diff: DepthDiff) -> SyncAction {
        if !self.is_synced() {
            return self.buffer_diff(diff);
        }
        match self.step(diff) {
            Step::Applied => self.updated(),
            Step::Ignored => SyncAction::Unchanged,
            Step::Restart(reason, unapplied) => {
                self.buffer.clear();
                self.buffer.extend(unapplied);
                self.restart(reason)
            }
        }
    }

    /// The answer to a `FetchSnapshot`. Ignored while the book is live.
    pub fn on_snapshot(&mut self, snapshot: DepthSnapshot) -> SyncAction {
        match &mut self.phase {
            Phase::Live => {
                self.counters.late_snapshots += 1;
                SyncAction::Unchanged
            }
            Phase::Buffering {
                awaiting_snapshot,
                snapshot: pending,
            } => {
                *awaiting_snapshot = false;
                *pending = Some(snapshot);
                self.try_sync()
            }
        }
    }

    /// The snapshot request failed: the next diff asks again.
    pub fn snapshot_failed(&mut self) {
        if let Phase::Buffering {
            awaiting_snapshot, ..
        } = &mut self.phase
        {
            *awaiting_snapshot = false;
        }
    }

    /// Forget everything after a disconnect (diffs were surely missed); the next diff asks for a
    /// snapshot. A snapshot already requested may still be passed in: it is checked as usual.
    pub fn reset(&mut self) {
        if self.is_synced() {
            self.counters.resyncs += 1;
        }
        self.book.clear();
        self.buffer.clear();
        self.phase = Phase::Buffering {
            awaiting_snapshot: false,
            snapshot: None,
        };
    }

    fn buffer_diff(&mut self, diff: DepthDiff) -> SyncAction {
        if self.buffer.len() >= self.config.max_buffered {
            self.buffer.pop_front();
            self.counters.buffer_overflows += 1;
        }
        self.buffer.push_back(diff);
        match &mut self.phase {
            Phase::Buffering {
                snapshot: Some(_), ..
            } => self.try_sync(),
            Phase::Buffering {
                awaiting_snapshot: awaiting @ false,
                ..
            } => {
                *awaiting = true;
                self.counters.snapshot_requests += 1;
                SyncAction::FetchSnapshot(ResyncReason::NoBook)
            }
            _ => SyncAction::Waiting,
        }
    }

    /// Steps 3–5 once a snapshot and at least one diff are at hand.
    fn try_sync(&mut self) -> SyncAction {
        let (
            Phase::Buffering {
                snapshot: Some(snapshot),
                ..
            },
            Some(first),
        ) = (&self.phase, self.buffer.front())
        else {
            return SyncAction::Waiting;
        };
        let (last_update_id, first_buffered) = (snapshot.last_update_id, first.first_id);
        if last_update_id.saturating_add(1) < first_buffered {
            self.counters.stale_snapshots += 1;
            return self.ask_again(ResyncReason::SnapshotTooOld {
                last_update_id,
                first_buffered,
            });
        }
        while self
            .buffer
            .front()
            .is_some_and(|d| d.final_id <= last_update_id)
        {
            self.buffer.pop_front();
            self.counters.ignored_diffs += 1;
        }
        // With every buffered diff older than the snapshot, the snapshot itself is the book as of
        // `lastUpdateId`; the next diff is checked for continuity like any live one. (Waiting for
        // it instead would leave a quiet market without a book.)
        self.go_live()
    }

    /// Step 5 and 6: the snapshot becomes the book and the buffered diffs are applied to it.
    fn go_live(&mut self) -> SyncAction {
        let loaded = match std::mem::replace(&mut self.phase, Phase::Live) {
            Phase::Buffering {
                snapshot: Some(snapshot),
                ..
            } => self
                .book
                .load_snapshot(&snapshot)
                .map_err(ResyncReason::from),
            _ => Err(ResyncReason::NoBook),
        };
        match loaded {
            Ok(()) => self.replay(),
            Err(reason) => {
                self.counters.bad_levels += u64::from(matches!(reason, ResyncReason::BadLevel(_)));
                self.restart(reason)
            }
        }
    }

    /// Applies the buffered diffs to the freshly loaded snapshot.
    fn replay(&mut self) -> SyncAction {
        let mut pending = std::mem::take(&mut self.buffer);
        while let Some(diff) = pending.pop_front() {
            if let Step::Restart(reason, unapplied) = self.step(diff) {
                if let Some(d) = unapplied {
                    pending.push_front(d);
                }
                self.buffer = pending;
                return self.restart(reason);
            }
        }
        self.buffer = pending; // empty; keeps its allocation for the next resync
        self.counters.syncs += 1;
        self.updated()
    }

    /// Step 6 for one diff against the book.
    fn step(&mut self, diff: DepthDiff) -> Step {
        let id = self.book.seq();
        if diff.final_id < id {
            self.counters.ignored_diffs += 1;
            return Step::Ignored;
        }
        let expected = id.saturating_add(1);
        if diff.first_id > expected {
            self.counters.gaps += 1;
            let got = diff.first_id;
            return Step::Restart(ResyncReason::Gap { expected, got }, Some(diff));
        }
        if let Err(e) = self.book.apply(&diff) {
            self.counters.bad_levels += 1;
            return Step::Restart(e.into(), None);
        }
        if self.book.is_crossed() {
            self.counters.crossed += 1;
            let price = |l: Option<super::Level>| l.map_or(Decimal::ZERO, |l| l.price);
            let (bid, ask) = (price(self.book.best_bid()), price(self.book.best_ask()));
            return Step::Restart(ResyncReason::Crossed { bid, ask }, None);
        }
        Step::Applied
    }

    fn updated(&self) -> SyncAction {
        SyncAction::Updated {
            seq: self.book.seq(),
            health: self.book.health(),
        }
    }

    /// Withdraws the book (the buffer is the caller's) and asks for a snapshot.
    fn restart(&mut self, reason: ResyncReason) -> SyncAction {
        self.counters.resyncs += 1;
        self.book.clear();
        self.ask_again(reason)
    }

    fn ask_again(&mut self, reason: ResyncReason) -> SyncAction {
        self.phase = Phase::Buffering {
            awaiting_snapshot: true,
            snapshot: None,
        };
        self.counters.snapshot_requests += 1;
        SyncAction::FetchSnapshot(reason)
    }
}
