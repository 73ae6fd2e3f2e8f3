//! Property tests against a reference model of the exchange's book (`BTreeMap`s kept at every
//! update id). The model's diffs carry consecutive ids; the stream loses, delays (reorders),
//! duplicates them and reconnects; snapshots come late, old or unasked. Whenever `BookSync` shows
//! a book it must equal the model at the book's id, every gap must be reported, and a clean tail
//! must end synced.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

type Side = BTreeMap<u64, u64>;

/// Bids sit on ticks 1..=40, asks on 41..=80: the model is never crossed.
fn price(tick: u64) -> Decimal {
    Decimal::new(10_000 + 5 * tick as i64, 2)
}

fn qty(units: u64) -> Decimal {
    Decimal::new(7 * units as i64, 3)
}

/// The exchange: its book after every update id (`history[0]` is the empty start).
struct Exchange {
    history: Vec<(Side, Side)>,
    /// The level each update id changed: (is bid, tick).
    touched: Vec<(bool, u64)>,
}

impl Exchange {
    fn new() -> Self {
        Self {
            history: vec![Default::default()],
            touched: vec![(true, 0)],
        }
    }

    fn id(&self) -> u64 {
        self.history.len() as u64 - 1
    }

    /// Applies updates, one id each, and returns the diff event that covers them.
    fn advance(&mut self, updates: &[(bool, u64, u64)]) -> DepthDiff {
        let first = self.id() + 1;
        for &(is_bid, offset, units) in updates {
            let (mut bids, mut asks) = self.history[self.history.len() - 1].clone();
            let (side, tick) = if is_bid {
                (&mut bids, 1 + offset)
            } else {
                (&mut asks, 41 + offset)
            };
            if units == 0 {
                side.remove(&tick);
            } else {
                side.insert(tick, units);
            }
            self.history.push((bids, asks));
            self.touched.push((is_bid, tick));
        }
        self.event(first, self.id())
    }

    fn event(&self, first: u64, last: u64) -> DepthDiff {
        let (bids, asks) = &self.history[last as usize];
        let mut diff = DepthDiff {
            event_time: last as i64,
            ..DepthDiff::new(first, last)
        };
        let mut seen = std::collections::BTreeSet::new();
        for &(is_bid, tick) in &self.touched[first as usize..=last as usize] {
            if seen.insert((is_bid, tick)) {
                let now = if is_bid {
                    bids.get(&tick)
                } else {
                    asks.get(&tick)
                };
                let level = (price(tick), qty(now.copied().unwrap_or(0)));
                if is_bid {
                    diff.bids.push(level)
                } else {
                    diff.asks.push(level)
                }
            }
        }
        diff
    }

    fn snapshot(&self, id: u64) -> DepthSnapshot {
        let (bids, asks) = &self.history[id as usize];
        let levels = |s: &Side| s.iter().map(|(&t, &u)| (price(t), qty(u))).collect();
        DepthSnapshot {
            last_update_id: id,
            bids: levels(bids),
            asks: levels(asks),
        }
    }

    /// The book at `id` as (bids best first, asks best first).
    fn expected(&self, id: u64) -> (Vec<Level>, Vec<Level>) {
        let (bids, asks) = &self.history[id as usize];
        let level = |(&t, &u): (&u64, &u64)| Level {
            price: price(t),
            qty: qty(u),
        };
        (
            bids.iter().rev().map(level).collect(),
            asks.iter().map(level).collect(),
        )
    }
}

/// One exchange step: the updates, what the stream does with their event, and the delay and age
/// of a snapshot requested during the step.
type Plan = (Vec<(bool, u64, u64)>, u8, usize, u64);

struct Driver {
    sync: BookSync,
    ex: Exchange,
    step: usize,
    delayed: Vec<(usize, DepthDiff)>,
    /// Snapshot requests: (due step, age in ids when served).
    requests: Vec<(usize, u64)>,
}

impl Driver {
    fn feed(&mut self, diff: DepthDiff, delay: usize, age: u64) -> Result<(), TestCaseError> {
        let before = self.sync.book().map(OrderBook::seq);
        let (first, last) = (diff.first_id, diff.final_id);
        let action = self.sync.on_diff(diff);
        match before {
            Some(id) if first > id + 1 => {
                let gap = ResyncReason::Gap {
                    expected: id + 1,
                    got: first,
                };
                prop_assert_eq!(&action, &SyncAction::FetchSnapshot(gap));
            }
            Some(id) if last < id => prop_assert_eq!(&action, &SyncAction::Unchanged),
            _ => {}
        }
        self.handle(action, delay, age)
    }

    fn serve(&mut self, age: u64) -> Result<(), TestCaseError> {
        let id = self.ex.id().saturating_sub(age);
        let action = self.sync.on_snapshot(self.ex.snapshot(id));
        self.handle(action, 1, age)
    }

    fn handle(&mut self, action: SyncAction, delay: usize, age: u64) -> Result<(), TestCaseError> {
        match self.sync.book() {
            Some(book) => {
                let levels = (
                    book.levels(BookSide::Bid).collect(),
                    book.levels(BookSide::Ask).collect(),
                );
                prop_assert_eq!(
                    levels,
                    self.ex.expected(book.seq()),
                    "book at {}",
                    book.seq()
                );
                prop_assert_eq!(book.top(3).seq, book.seq());
                if let SyncAction::Updated { seq, .. } = action {
                    prop_assert_eq!(seq, book.seq());
                }
            }
            None => prop_assert!(matches!(
                action,
                SyncAction::Waiting | SyncAction::FetchSnapshot(_)
            )),
        }
        if matches!(action, SyncAction::FetchSnapshot(_)) {
            self.requests.push((self.step + delay, age));
        }
        Ok(())
    }

    fn run(&mut self, (updates, fate, delay, age): Plan) -> Result<(), TestCaseError> {
        self.step += 1;
        let diff = self.ex.advance(&updates);
        match fate {
            0..70 => self.feed(diff, delay, age)?,
            70..78 => {} // lost
            78..86 => self.delayed.push((self.step + delay, diff)),
            86..92 => {
                self.feed(diff.clone(), delay, age)?;
                self.feed(diff, delay, age)?;
            }
            92..95 => {
                self.sync.reset();
                self.feed(diff, delay, age)?;
            }
            _ => {
                self.feed(diff, delay, age)?;
                self.serve(age)?; // nobody asked for this one
            }
        }
        self.deliver_due(delay, age)
    }

    /// Late diffs and requested snapshots whose step has come.
    fn deliver_due(&mut self, delay: usize, age: u64) -> Result<(), TestCaseError> {
        let step = self.step;
        let due: Vec<_> = self
            .delayed
            .iter()
            .filter(|d| d.0 <= step)
            .cloned()
            .collect();
        self.delayed.retain(|d| d.0 > step);
        for (_, diff) in due {
            self.feed(diff, delay, age)?;
        }
        let due: Vec<_> = self
            .requests
            .iter()
            .filter(|r| r.0 <= step)
            .copied()
            .collect();
        self.requests.retain(|r| r.0 > step);
        for (_, age) in due {
            self.serve(age)?;
        }
        Ok(())
    }

    /// No more faults: events in order, every requested snapshot fresh and at once.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        self.delayed.clear();
        for _ in 0..4 {
            self.step += 1;
            let diff = self.ex.advance(&[(true, 3, 1)]);
            self.feed(diff, 0, 0)?;
            for _ in 0..3 {
                if self.requests.is_empty() {
                    break;
                }
                self.requests.clear();
                self.serve(0)?;
            }
        }
        prop_assert!(
            self.sync.is_synced(),
            "not synced after a clean tail: {:?}",
            self.sync.counters()
        );
        Ok(())
    }
}

fn plans() -> impl Strategy<Value = Vec<Plan>> {
    let updates = prop::collection::vec((any::<bool>(), 0u64..40, 0u64..4), 1..5);
    prop::collection::vec((updates, 0u8..100, 1usize..5, 0u64..6), 10..150)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_synced_book_always_equals_the_exchange(plans in plans(), max_buffered in 1usize..12) {
        let mut driver = Driver {
            sync: BookSync::new(SyncConfig { max_buffered, ..SyncConfig::default() }),
            ex: Exchange::new(),
            step: 0,
            delayed: Vec::new(),
            requests: Vec::new(),
        };
        for plan in plans {
            driver.run(plan)?;
        }
        driver.settle()?;
        let c = driver.sync.counters();
        prop_assert!(c.syncs >= 1 && c.snapshot_requests >= 1);
    }

    /// The ladders against ordered maps under random sets and removals, mostly near the top.
    #[test]
    fn the_book_matches_ordered_maps(
        snapshot in prop::collection::vec((any::<bool>(), 0u64..3000, 0u64..5), 0..300),
        ops in prop::collection::vec((any::<bool>(), prop_oneof![0u64..3000, 2980u64..3000], 0u64..5), 0..600),
    ) {
        // Bids on ticks 0..3000 (top near 2999), asks mirrored on 3000..6000 (top near 3000).
        let tick = |is_bid: bool, t: u64| if is_bid { t } else { 5999 - t };
        let mut book = OrderBook::new(PriceScale::BINANCE);
        let (mut bids, mut asks) = (Side::new(), Side::new());
        let mut snap = DepthSnapshot { last_update_id: 7, ..DepthSnapshot::default() };
        for &(is_bid, t, units) in &snapshot {
            let (side, levels) = if is_bid { (&mut bids, &mut snap.bids) } else { (&mut asks, &mut snap.asks) };
            levels.push((price(tick(is_bid, t)), qty(units))); // repeats: the last one counts
            side.insert(tick(is_bid, t), units);
        }
        bids.retain(|_, u| *u > 0);
        asks.retain(|_, u| *u > 0);
        book.load_snapshot(&snap).unwrap();
        for (is_bid, t, units) in ops {
            let side = if is_bid { BookSide::Bid } else { BookSide::Ask };
            book.set_level(side, price(tick(is_bid, t)), qty(units)).unwrap();
            let model = if is_bid { &mut bids } else { &mut asks };
            if units == 0 { model.remove(&tick(is_bid, t)); } else { model.insert(tick(is_bid, t), units); }
        }
        let level = |(&t, &u): (&u64, &u64)| Level { price: price(t), qty: qty(u) };
        let want_bids: Vec<Level> = bids.iter().rev().map(level).collect();
        let want_asks: Vec<Level> = asks.iter().map(level).collect();
        prop_assert_eq!(book.levels(BookSide::Bid).collect::<Vec<_>>(), want_bids.clone());
        prop_assert_eq!(book.levels(BookSide::Ask).collect::<Vec<_>>(), want_asks.clone());
        prop_assert_eq!(book.best_bid(), want_bids.first().copied());
        prop_assert_eq!(book.best_ask(), want_asks.first().copied());
        prop_assert_eq!(book.depth(BookSide::Bid), want_bids.len());
        prop_assert_eq!(book.is_crossed(), false);
        prop_assert_eq!(book.seq(), 7);
    }
}
