//! Depth-diff application speed (`cargo bench --bench depth`). Target ≥ 2 million level updates/s
//! on one core. The input is a pre-generated BTCUSDT-like stream applied to a synced book: 5,000
//! levels a side at a 0.01 tick near 65,000 (prices and quantities with Binance's 8 decimals),
//! diffs of 5–30 levels at ranks drawn mostly near the top, about 30 % removals, 40 % changes and
//! 30 % new levels. Throughput: `item/s` is level updates/s, `Hz` is diff events/s.
#![allow(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort loudly"
)]

use divan::counter::{CyclesCount, ItemsCount};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use tickdesk::binance::book::{BookSync, DepthDiff, DepthSnapshot, OrderBook, SyncAction};

fn main() {
    divan::main();
}

const LEVELS_PER_SIDE: usize = 5_000;
const DIFFS: usize = 100_000;
const MID_TICK: u64 = 6_500_000; // 65,000.00 in cents

/// splitmix64: a fixed, dependency-free stream of pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A rank from the top: exponential with mean 12 levels, so most changes are near the top.
    fn rank(&mut self) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (-(1.0 - u).ln() * 12.0) as usize
    }
}

fn price(tick: u64) -> Decimal {
    Decimal::new(tick as i64 * 1_000_000, 8)
}

fn qty(rng: &mut Rng) -> Decimal {
    Decimal::new(1 + rng.below(500_000_000) as i64, 8)
}

/// The generator's view of the book: occupied ticks per side, and a mid tick that wanders and
/// anchors new levels (so the spread stays a few ticks, as on BTCUSDT).
struct Model {
    bids: BTreeSet<u64>,
    asks: BTreeSet<u64>,
    mid: u64,
}

struct Stream {
    snapshot: DepthSnapshot,
    /// Applied first to turn the snapshot into a live `BookSync`; not timed.
    primer: DepthDiff,
    diffs: Vec<DepthDiff>,
    levels: usize,
}

fn initial(rng: &mut Rng) -> (Model, DepthSnapshot) {
    let mut model = Model {
        bids: BTreeSet::new(),
        asks: BTreeSet::new(),
        mid: MID_TICK,
    };
    let mut snapshot = DepthSnapshot {
        last_update_id: 1_000_000,
        ..DepthSnapshot::default()
    };
    let mut t = 0;
    while model.bids.len() < LEVELS_PER_SIDE {
        // About 60 % of ticks near the mid hold a level; the spread is one tick.
        if t == 0 || rng.below(10) < 6 {
            model.bids.insert(MID_TICK - t);
            snapshot.bids.push((price(MID_TICK - t), qty(rng)));
            model.asks.insert(MID_TICK + 1 + t);
            snapshot.asks.push((price(MID_TICK + 1 + t), qty(rng)));
        }
        t += 1;
    }
    (model, snapshot)
}

/// One level change on one side, kept in the model; returns the tick and whether it removes the
/// level. Removals and new levels are equally likely (30 % each), so the book keeps its size.
fn change(model: &mut Model, rng: &mut Rng, is_bid: bool) -> (u64, bool) {
    let rank = rng.rank();
    if rng.below(10) >= 7 {
        return (new_level(model, rank, is_bid), false);
    }
    let side = if is_bid {
        &mut model.bids
    } else {
        &mut model.asks
    };
    let nth = rank.min(side.len() - 1);
    let tick = *if is_bid {
        side.iter().rev().nth(nth)
    } else {
        side.iter().nth(nth)
    }
    .unwrap();
    let remove = rng.below(7) < 3 && side.len() > 1;
    if remove {
        side.remove(&tick);
    }
    (tick, remove)
}

/// The first free tick `rank` ticks from the mid on its side, never crossing the other side.
fn new_level(model: &mut Model, rank: usize, is_bid: bool) -> u64 {
    let best_bid = model.bids.last().copied().unwrap_or(MID_TICK);
    let best_ask = model.asks.first().copied().unwrap_or(MID_TICK + 1);
    let (side, mut tick) = if is_bid {
        let start = (model.mid - rank as u64).min(best_ask - 1);
        (&mut model.bids, start)
    } else {
        let start = (model.mid + 1 + rank as u64).max(best_bid + 1);
        (&mut model.asks, start)
    };
    while side.contains(&tick) {
        tick = if is_bid { tick - 1 } else { tick + 1 };
    }
    side.insert(tick);
    tick
}

fn diff(model: &mut Model, rng: &mut Rng, first_id: u64) -> DepthDiff {
    model.mid = match rng.below(8) {
        0 => model.mid - 1,
        1 => model.mid + 1,
        _ => model.mid,
    };
    let mut d = DepthDiff::new(first_id, first_id + rng.below(20));
    d.event_time = first_id as i64;
    // One entry per level and event, as Binance sends them: the last change wins.
    let mut levels = BTreeMap::new();
    for _ in 0..5 + rng.below(26) {
        let is_bid = rng.below(2) == 0;
        let (tick, removed) = change(model, rng, is_bid);
        let q = if removed { Decimal::ZERO } else { qty(rng) };
        levels.insert((is_bid, tick), q);
    }
    for ((is_bid, tick), q) in levels {
        let side = if is_bid { &mut d.bids } else { &mut d.asks };
        side.push((price(tick), q));
    }
    d
}

fn stream() -> &'static Stream {
    static S: OnceLock<Stream> = OnceLock::new();
    S.get_or_init(|| {
        let mut rng = Rng(0x7469_636B_6465_736B);
        let (mut model, snapshot) = initial(&mut rng);
        let primer = diff(&mut model, &mut rng, snapshot.last_update_id);
        let (mut next, mut spread_ticks) = (primer.final_id + 1, 0);
        let diffs: Vec<_> = (0..DIFFS)
            .map(|_| {
                let d = diff(&mut model, &mut rng, next);
                next = d.final_id + 1;
                spread_ticks += model.asks.first().unwrap() - model.bids.last().unwrap();
                d
            })
            .collect();
        let levels = diffs.iter().map(DepthDiff::len).sum();
        let removals = diffs
            .iter()
            .flat_map(|d| d.bids.iter().chain(&d.asks))
            .filter(|l| l.1.is_zero())
            .count();
        eprintln!(
            "depth stream: {DIFFS} diffs, {levels} level updates ({:.1} a diff, {:.0} % removals), \
             mean spread {:.1} ticks",
            levels as f64 / DIFFS as f64,
            100.0 * removals as f64 / levels as f64,
            spread_ticks as f64 / DIFFS as f64,
        );
        Stream {
            snapshot,
            primer,
            diffs,
            levels,
        }
    })
}

/// A live `BookSync` holding the snapshot plus the primer, checked to stay live and uncrossed
/// through the whole stream (so the timed runs never measure a resync).
fn synced() -> &'static BookSync {
    static B: OnceLock<BookSync> = OnceLock::new();
    B.get_or_init(|| {
        let s = stream();
        let mut sync = BookSync::new(Default::default());
        sync.on_diff(s.primer.clone());
        let action = sync.on_snapshot(s.snapshot.clone());
        assert!(matches!(action, SyncAction::Updated { .. }), "{action:?}");
        let mut check = sync.clone();
        for d in &s.diffs {
            let action = check.on_diff(d.clone());
            assert!(matches!(action, SyncAction::Updated { .. }), "{action:?}");
        }
        let book = check.book().unwrap();
        eprintln!(
            "book after the stream: {} bids, {} asks, spread {:?}",
            book.depth(tickdesk::binance::book::BookSide::Bid),
            book.depth(tickdesk::binance::book::BookSide::Ask),
            book.spread()
        );
        sync
    })
}

/// `OrderBook::apply` alone: the level updates, no sequence checks.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn order_book_apply(bencher: divan::Bencher) {
    let s = stream();
    let book: OrderBook = synced().book().unwrap().clone();
    bencher
        .counter(ItemsCount::new(s.levels))
        .counter(CyclesCount::new(s.diffs.len()))
        .with_inputs(|| book.clone())
        .bench_local_values(|mut book| {
            for d in &s.diffs {
                book.apply(d).unwrap();
            }
            book
        });
}

/// The path the stream layer takes: owned diffs through `BookSync::on_diff` (sequence and
/// crossed-book checks, dropping each diff after use).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn book_sync_on_diff(bencher: divan::Bencher) {
    let s = stream();
    let sync = synced();
    bencher
        .counter(ItemsCount::new(s.levels))
        .counter(CyclesCount::new(s.diffs.len()))
        .with_inputs(|| (sync.clone(), s.diffs.clone()))
        .bench_local_values(|(mut sync, diffs)| {
            for d in diffs {
                divan::black_box(sync.on_diff(d));
            }
            sync
        });
}
