//! One test per rule of the synchronisation procedure, on small hand-written sequences.

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A diff covering updates `first..=last` that sets bid 100 to `last` (so the book shows which
/// diff it holds) plus any extra levels.
fn diff(first: u64, last: u64) -> DepthDiff {
    DepthDiff::new(first, last).bid(d("100"), Decimal::from(last))
}

fn snapshot(last_update_id: u64) -> DepthSnapshot {
    DepthSnapshot {
        last_update_id,
        bids: vec![
            (d("100"), Decimal::from(last_update_id)),
            (d("99.5"), d("2")),
        ],
        asks: vec![(d("101"), d("1.5"))],
    }
}

fn sync() -> BookSync {
    BookSync::new(SyncConfig::default())
}

/// Bid 100's quantity, i.e. the id of the update that last set it.
fn marker(s: &BookSync) -> Option<Decimal> {
    Some(s.book()?.best_bid()?.qty)
}

fn live(seq: u64) -> SyncAction {
    SyncAction::Updated {
        seq,
        health: BookHealth::Healthy,
    }
}

fn live_at(last_update_id: u64, first_diff: DepthDiff) -> BookSync {
    let mut s = sync();
    s.on_diff(first_diff);
    assert!(matches!(
        s.on_snapshot(snapshot(last_update_id)),
        SyncAction::Updated { .. }
    ));
    s
}

#[test]
fn the_first_diff_asks_for_a_snapshot_once() {
    let mut s = sync();
    assert_eq!(
        s.on_diff(diff(10, 12)),
        SyncAction::FetchSnapshot(ResyncReason::NoBook)
    );
    assert_eq!(s.on_diff(diff(13, 15)), SyncAction::Waiting);
    assert_eq!((s.buffered(), s.counters().snapshot_requests), (2, 1));
    assert!(s.book().is_none() && s.top(5).is_none());
}

#[test]
fn a_snapshot_ending_before_the_first_buffered_update_is_refetched() {
    let mut s = sync();
    s.on_diff(diff(10, 12));
    let expected = ResyncReason::SnapshotTooOld {
        last_update_id: 8,
        first_buffered: 10,
    };
    assert_eq!(
        s.on_snapshot(snapshot(8)),
        SyncAction::FetchSnapshot(expected)
    );
    assert_eq!(s.counters().stale_snapshots, 1);
    assert_eq!(s.buffered(), 1, "the buffer is kept for the next snapshot");
    // lastUpdateId + 1 == U: the diff straddles lastUpdateId + 1, so this one fits.
    assert_eq!(s.on_snapshot(snapshot(9)), live(12));
    assert_eq!(marker(&s), Some(d("12")));
}

#[test]
fn buffered_diffs_the_snapshot_already_holds_are_dropped() {
    let mut s = sync();
    s.on_diff(diff(100, 103));
    // Would move bid 99.5 had it been applied over the newer snapshot.
    s.on_diff(diff(104, 105).bid(d("99.5"), d("7")));
    s.on_diff(diff(106, 108));
    assert_eq!(s.on_snapshot(snapshot(105)), live(108));
    let book = s.book().unwrap();
    assert_eq!(book.levels(BookSide::Bid).nth(1).unwrap().qty, d("2"));
    assert_eq!(s.counters().ignored_diffs, 2);
}

#[test]
fn the_first_applied_diff_straddles_the_snapshot() {
    let mut s = sync();
    s.on_diff(diff(100, 103));
    s.on_diff(diff(104, 108));
    s.on_diff(diff(109, 110));
    assert_eq!(s.on_snapshot(snapshot(105)), live(110));
    assert_eq!(marker(&s), Some(d("110")));
    assert_eq!((s.counters().syncs, s.buffered()), (1, 0));
}

#[test]
fn a_gap_inside_the_buffer_keeps_the_rest_for_the_next_snapshot() {
    let mut s = sync();
    for (u0, u1) in [(100, 103), (104, 108), (111, 112), (113, 113)] {
        s.on_diff(diff(u0, u1));
    }
    let gap = ResyncReason::Gap {
        expected: 109,
        got: 111,
    };
    assert_eq!(s.on_snapshot(snapshot(105)), SyncAction::FetchSnapshot(gap));
    assert!(s.book().is_none());
    assert_eq!(
        s.buffered(),
        2,
        "111..=112 and 113 wait for the next snapshot"
    );
    assert_eq!(s.on_snapshot(snapshot(111)), live(113));
    assert_eq!(marker(&s), Some(d("113")));
}

#[test]
fn a_snapshot_past_every_buffered_diff_is_the_book_at_once() {
    let mut s = sync();
    s.on_diff(diff(100, 103));
    assert_eq!(
        s.on_snapshot(snapshot(104)),
        live(104),
        "a quiet market gets its book without waiting for a change"
    );
    assert_eq!(s.on_diff(diff(105, 106)), live(106));
    // And a snapshot that came before any diff also waits.
    let mut early = sync();
    assert_eq!(early.on_snapshot(snapshot(50)), SyncAction::Waiting);
    assert_eq!(early.on_diff(diff(51, 52)), live(52));
}

#[test]
fn a_snapshot_then_a_gap_before_the_next_diff_is_refused() {
    let mut s = sync();
    s.on_diff(diff(100, 103));
    assert_eq!(s.on_snapshot(snapshot(104)), live(104));
    let action = s.on_diff(diff(107, 109));
    assert!(
        matches!(action, SyncAction::FetchSnapshot(ResyncReason::Gap { .. })),
        "{action:?}"
    );
    assert!(s.book().is_none());
}

#[test]
fn live_diffs_older_than_the_book_are_ignored() {
    let mut s = live_at(105, diff(104, 106));
    assert_eq!(s.on_diff(diff(100, 103)), SyncAction::Unchanged);
    assert_eq!(marker(&s), Some(d("106")));
    assert_eq!(s.counters().ignored_diffs, 1);
    // u == book id: the levels as of the book's own update, applied without change.
    assert_eq!(s.on_diff(diff(105, 106)), live(106));
    assert_eq!(marker(&s), Some(d("106")));
}

#[test]
fn a_live_gap_withdraws_the_book_and_keeps_the_diff() {
    let mut s = live_at(105, diff(104, 106));
    assert_eq!(s.on_diff(diff(107, 107)), live(107));
    let gap = ResyncReason::Gap {
        expected: 108,
        got: 109,
    };
    assert_eq!(s.on_diff(diff(109, 110)), SyncAction::FetchSnapshot(gap));
    assert!(s.book().is_none());
    assert_eq!(s.buffered(), 1);
    let c = s.counters();
    assert_eq!((c.gaps, c.resyncs, c.snapshot_requests), (1, 1, 2));
    // No second request while one is outstanding.
    assert_eq!(s.on_diff(diff(111, 111)), SyncAction::Waiting);
    assert_eq!(s.on_snapshot(snapshot(110)), live(111));
}

#[test]
fn a_crossed_book_resyncs() {
    let mut s = live_at(105, diff(104, 106));
    let crossing = DepthDiff::new(107, 107).bid(d("101.5"), d("1"));
    let reason = ResyncReason::Crossed {
        bid: d("101.5"),
        ask: d("101"),
    };
    assert_eq!(s.on_diff(crossing), SyncAction::FetchSnapshot(reason));
    assert!(s.book().is_none());
    assert_eq!((s.counters().crossed, s.buffered()), (1, 0));
    // A locked book (bid == ask) is crossed too.
    let mut s = live_at(105, diff(104, 106));
    let locking = DepthDiff::new(107, 107).bid(d("101"), d("1"));
    assert!(matches!(
        s.on_diff(locking),
        SyncAction::FetchSnapshot(ResyncReason::Crossed { .. })
    ));
}

#[test]
fn an_empty_side_is_reported_not_resynced() {
    let mut s = live_at(105, diff(104, 106));
    let emptying = DepthDiff::new(107, 107).ask(d("101"), d("0"));
    let expected = SyncAction::Updated {
        seq: 107,
        health: BookHealth::EmptySide(BookSide::Ask),
    };
    assert_eq!(s.on_diff(emptying), expected);
    assert!(s.book().is_some());
    assert_eq!(s.counters().resyncs, 0);
}

#[test]
fn a_level_the_book_cannot_hold_resyncs() {
    let mut s = live_at(105, diff(104, 106));
    let bad = DepthDiff::new(107, 107).bid(d("100.000000001"), d("1"));
    let action = s.on_diff(bad);
    assert!(matches!(
        action,
        SyncAction::FetchSnapshot(ResyncReason::BadLevel(BookError::Price { .. }))
    ));
    assert_eq!(s.counters().bad_levels, 1);
    let negative = DepthSnapshot {
        bids: vec![(d("100"), d("-1"))],
        ..snapshot(107)
    };
    s.on_diff(diff(108, 108));
    let action = s.on_snapshot(negative);
    assert!(matches!(
        action,
        SyncAction::FetchSnapshot(ResyncReason::BadLevel(BookError::NegativeQty { .. }))
    ));
}

#[test]
fn a_full_buffer_drops_its_oldest_diff() {
    let mut s = BookSync::new(SyncConfig {
        max_buffered: 2,
        ..SyncConfig::default()
    });
    for (u0, u1) in [(10, 11), (12, 13), (14, 15)] {
        s.on_diff(diff(u0, u1));
    }
    assert_eq!((s.buffered(), s.counters().buffer_overflows), (2, 1));
    // 10..=11 is gone, so a snapshot at 10 no longer fits.
    assert!(matches!(
        s.on_snapshot(snapshot(10)),
        SyncAction::FetchSnapshot(_)
    ));
    assert_eq!(s.on_snapshot(snapshot(11)), live(15));
}

#[test]
fn late_snapshots_are_ignored_while_live() {
    let mut s = live_at(105, diff(104, 106));
    assert_eq!(s.on_snapshot(snapshot(200)), SyncAction::Unchanged);
    assert_eq!(marker(&s), Some(d("106")));
    assert_eq!(s.counters().late_snapshots, 1);
}

#[test]
fn reset_and_failed_requests_ask_again_on_the_next_diff() {
    let mut s = live_at(105, diff(104, 106));
    s.reset();
    assert!(s.book().is_none());
    assert_eq!(
        s.on_diff(diff(300, 301)),
        SyncAction::FetchSnapshot(ResyncReason::NoBook)
    );
    s.snapshot_failed();
    assert_eq!(
        s.on_diff(diff(302, 302)),
        SyncAction::FetchSnapshot(ResyncReason::NoBook)
    );
    assert_eq!(s.on_diff(diff(303, 303)), SyncAction::Waiting);
    assert_eq!(s.counters().resyncs, 1);
}

#[test]
fn top_shows_the_synced_book_best_first_with_its_sequence() {
    let mut s = live_at(105, diff(104, 106).ask(d("102"), d("3")));
    s.on_diff(DepthDiff {
        event_time: 1_700_000_000_123,
        ..DepthDiff::new(107, 109).bid(d("99"), d("4"))
    });
    let top = s.top(2).unwrap();
    assert_eq!((top.seq, top.event_time), (109, Some(1_700_000_000_123)));
    let prices = |l: &[Level]| l.iter().map(|l| l.price).collect::<Vec<_>>();
    assert_eq!(prices(&top.bids), [d("100"), d("99.5")]);
    assert_eq!(prices(&top.asks), [d("101"), d("102")]);
    assert_eq!(s.book().unwrap().spread(), Some(d("1")));
}
