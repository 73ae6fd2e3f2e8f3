//! The property the connector issue names: after any random sequence of book changes and
//! sequence gaps scripted on the fake, the feed's local book equals the fake's book; and while it
//! runs, a book the feed serves at the fake's current update id is never different from it.

use super::support::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// A bid level (ticks of 0.25 below 100.25) set to a quantity; 0 removes it.
    Bid(u8, u8),
    /// An ask level (ticks of 0.25 above 100.25).
    Ask(u8, u8),
    /// The next n diffs are not sent.
    Gap(u8),
    /// Virtual milliseconds pass.
    Wait(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..20, 0u8..5).prop_map(|(t, q)| Step::Bid(t, q)),
        4 => (0u8..20, 0u8..5).prop_map(|(t, q)| Step::Ask(t, q)),
        1 => (1u8..4).prop_map(Step::Gap),
        2 => (1u16..500).prop_map(Step::Wait),
    ]
}

fn price(ticks_from_mid: u8, side: Side) -> String {
    let off = (Decimal::from(ticks_from_mid) + Decimal::ONE) * d("0.25");
    let p = match side {
        Side::Buy => d("100.25") - off,
        Side::Sell => d("100.25") + off,
    };
    format!("{p:.2}")
}

async fn run(script: Vec<Step>) {
    let mut rig = rig(&[BTC], vec![StreamKind::Depth], |_| {}).await;
    rig.settle(BTC).await; // the first snapshot is asked for with the first diff
    for step in &script {
        match *step {
            Step::Bid(t, q) => {
                rig.fake
                    .set_level(BTC, Side::Buy, &price(t, Side::Buy), &q.to_string())
            }
            Step::Ask(t, q) => {
                rig.fake
                    .set_level(BTC, Side::Sell, &price(t, Side::Sell), &q.to_string())
            }
            Step::Gap(n) => rig.fake.drop_depth_diffs(BTC, usize::from(n)),
            Step::Wait(ms) => sleep(Duration::from_millis(u64::from(ms))).await,
        }
        sleep(Duration::from_millis(5)).await;
        let theirs = rig.fake.book(BTC);
        if let Some(top) = rig.feed.book(&sym(BTC)).and_then(|v| v.top)
            && top.seq == theirs.last_update_id
        {
            assert_eq!(
                top.bids,
                levels(&theirs.bids),
                "bids served at seq {}",
                top.seq
            );
            assert_eq!(
                top.asks,
                levels(&theirs.asks),
                "asks served at seq {}",
                top.seq
            );
        }
    }
    // Changes on a level the script never touches until one gets through: a diff after the
    // drops still pending at the end reveals their gap.
    let mut equal = false;
    for qty in 1..200 {
        rig.fake
            .set_level(BTC, Side::Buy, "40.00", &qty.to_string());
        if matches_within(&rig, BTC, Duration::from_secs(1)).await {
            equal = true;
            break;
        }
    }
    let gaps = script.iter().filter(|s| matches!(s, Step::Gap(_))).count() as u64;
    let counters = view(&rig, BTC).counters;
    assert!(
        equal,
        "book differs from the fake's after {script:?}: {counters:?}\nfeed: {:?}\nfake: {:?}",
        rig.feed.book(&sym(BTC)).and_then(|v| v.top),
        rig.fake.book(BTC)
    );
    assert!(counters.gaps <= gaps, "{counters:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_local_book_equals_the_fakes_after_random_changes_and_gaps(
        script in prop::collection::vec(step(), 1..40)
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(run(script));
    }
}
