use super::*;
use crate::core::{OrderKind, OrderRequest, Origin, Qty, Side};
use crate::exchange::{FillPolicy, SimConfig};
use crate::market::{Interval, time::MINUTE_MS};
use crate::replica::{FeedHealth, Replica};
use rust_decimal::Decimal;
use std::time::Duration;
use tokio::sync::mpsc;

/// Minutes falling for 30, rising for 50, then falling (a golden cross, then a death cross).
fn minutes(n: usize, t0: i64) -> Vec<Candle> {
    (0..n)
        .map(|i| {
            let x = match i {
                0..30 => 130.0 - i as f64,
                30..80 => 100.0 + (i - 30) as f64,
                _ => 150.0 - (i - 80) as f64,
            };
            Candle {
                open_time: t0 + i as i64 * MINUTE_MS,
                open: x,
                high: x + 0.5,
                low: x - 0.5,
                close: x + 0.25,
                volume: 10.0,
            }
        })
        .collect()
}

fn setup(strategies: &[&str], warmup: usize, journal: Option<Journal>) -> PaperSetup {
    PaperSetup {
        symbols: vec!["BTCUSDT".parse().unwrap(), "ETHUSDT".parse().unwrap()],
        interval: Interval::M1,
        candles: vec![minutes(120, 0), minutes(120, 0)],
        warmup,
        strategies: strategies
            .iter()
            .map(|s| {
                (
                    s.to_string(),
                    vec![("fast".into(), "3".into()), ("slow".into(), "8".into())],
                )
            })
            .collect(),
        cash: Decimal::from(10_000),
        sim: SimConfig {
            fill: FillPolicy::NextOpen,
            slippage_bps: Decimal::ZERO,
            maker_fee: Decimal::new(1, 3),
            taker_fee: Decimal::new(1, 3),
        },
        filters: true,
        speed: Speed::X60,
        book_levels: 5,
        journal,
        risk: Default::default(),
        trading: Default::default(),
    }
}

fn manual_buy(market: usize, qty: &str) -> Command {
    Command::Place(OrderRequest {
        instrument: market,
        side: Side::Buy,
        kind: OrderKind::Market,
        qty: Qty::Base(qty.parse().unwrap()),
        oco: None,
        origin: Origin::Manual,
    })
}

#[test]
fn warm_up_builds_history_and_the_strategy_trades_the_trend() {
    let paper = Paper::new(setup(&["sma_cross"], 100, None)).unwrap();
    let r = paper.replica();
    assert_eq!(r.markets.len(), 2);
    assert_eq!(r.markets[0].candles.len(), 100);
    assert_eq!(r.markets[0].price_decimals, 2);
    assert!(r.markets[0].book.simulated);
    assert_eq!(r.strategies[0].name, "sma_cross");
    assert!(
        r.strategies[0]
            .params
            .contains(&("fast".into(), "3".into()))
    );
    assert!(
        r.strategies[0].fills >= 2,
        "bought in the rise, sold in the fall"
    );
    assert!(r.strategies[0].last_signal.is_some());
    assert_eq!(r.status.feed, FeedHealth::Running);
}

#[test]
fn a_manual_order_goes_through_the_engine_and_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path()).unwrap();
    let mut paper = Paper::new(setup(&[], 10, Some(journal))).unwrap();
    let mut out = Outbox::default();
    paper.command(manual_buy(0, "1"), &mut out);
    assert!(paper.step(&mut out), "fills at the next open");
    let fill = out.updates.iter().find_map(|u| match u {
        Update::Fill(f) => Some(f.clone()),
        _ => None,
    });
    let fill = fill.expect("a fill");
    assert_eq!((fill.origin.as_str(), fill.side), ("manual", Side::Buy));
    assert_eq!(
        fill.price,
        Decimal::from(120),
        "the 11th minute opens at 120"
    );
    let mut r = paper.replica();
    assert_eq!(r.account.positions.len(), 1);
    let entry = r.account.positions[0].entry.unwrap();
    assert!(
        (entry - 120.0 * 1.001).abs() < 1e-9,
        "fee included: {entry}"
    );

    // The kill switch refuses new buys; a person's sell still goes; release lifts it.
    paper.command(Command::KillSwitch, &mut out);
    paper.command(manual_buy(1, "1"), &mut out);
    r.apply(Update::Status(paper.status()));
    assert_eq!(r.status.halted.as_deref(), Some("KILL SWITCH ON"));
    paper.command(Command::Flatten(0), &mut out);
    paper.step(&mut out);
    paper.command(Command::Release, &mut out);
    assert!(paper.replica().account.positions.is_empty(), "flattened");
    let alerts: Vec<String> = out
        .updates
        .iter()
        .filter_map(|u| match u {
            Update::Alert(a) => Some(a.text.clone()),
            _ => None,
        })
        .collect();
    assert!(alerts.iter().any(|a| a.contains("HALTED")), "{alerts:?}");
    drop(paper);
    let journal = Journal::open(dir.path()).unwrap();
    let logged: Vec<String> = journal
        .overrides(10)
        .unwrap()
        .into_iter()
        .rev()
        .map(|o| format!("{} → {}", o.command, o.outcome))
        .collect();
    assert_eq!(logged.len(), 5, "{logged:?}");
    assert_eq!(logged[0], "buy 1 BTCUSDT market → accepted");
    assert!(
        logged[2].starts_with("buy 1 ETHUSDT market → refused: HALTED"),
        "{logged:?}"
    );
    assert_eq!(logged[3], "flatten BTCUSDT → accepted");
    let refused = journal.refusals(10).unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    let r = &refused[0];
    assert_eq!(
        (r.origin.as_str(), r.order.as_str(), r.code.as_str()),
        ("manual", "buy MARKET ETHUSDT", "HALTED")
    );
    assert!(r.reason.contains("kill switch"), "{r:?}");
}

#[test]
fn the_forming_candle_follows_the_path() {
    let c = Candle {
        open_time: 0,
        open: 10.0,
        high: 12.0,
        low: 9.0,
        close: 11.0,
        volume: 8.0,
    };
    let one = drive::partial(&c, 1);
    assert_eq!(
        (one.low, one.high, one.close, one.volume),
        (9.0, 10.0, 9.0, 2.0)
    );
    let three = drive::partial(&c, 3);
    assert_eq!((three.low, three.high, three.close), (9.0, 12.0, 11.0));
}

fn count(batches: &[Vec<Update>], f: impl Fn(&Update) -> bool) -> usize {
    batches.iter().flatten().filter(|u| f(u)).count()
}

#[tokio::test(start_paused = true)]
async fn paced_by_the_clock_paused_and_sped_up_from_outside() {
    let paper = Paper::new(setup(&["sma_cross"], 10, None)).unwrap();
    let (ctl, controls) = mpsc::channel(8);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(drive(paper, controls, tx));
    let candles = |b: &[Vec<Update>]| count(b, |u| matches!(u, Update::Candle { market: 0, .. }));
    let mut got = Vec::new();
    // 60×: a minute candle every second, three forming views in between.
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    while let Ok(b) = rx.try_recv() {
        got.push(b);
    }
    assert_eq!(candles(&got), 3);
    assert_eq!(
        count(&got, |u| matches!(u, Update::Forming { market: 0, .. })),
        9
    );
    // Paused: nothing moves however long we wait.
    ctl.send(Control::Pause(true)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    got.clear();
    while let Ok(b) = rx.try_recv() {
        got.push(b);
    }
    assert_eq!(candles(&got), 0);
    // 600× from here: ten candles a second.
    ctl.send(Control::Speed(Speed::X600)).await.unwrap();
    ctl.send(Control::Pause(false)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    got.clear();
    while let Ok(b) = rx.try_recv() {
        got.push(b);
    }
    assert_eq!(candles(&got), 10);
    // Max speed runs out the data; the feed says so.
    ctl.send(Control::Speed(Speed::Max)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let mut replica = Replica {
        markets: vec![Default::default(); 2],
        ..Replica::default()
    };
    while let Ok(b) = rx.try_recv() {
        b.into_iter().for_each(|u| replica.apply(u));
    }
    assert_eq!(replica.status.feed, FeedHealth::Ended);
    ctl.send(Control::Shutdown).await.unwrap();
    let paper = task.await.unwrap();
    assert!(paper.next_open().is_none());
}

#[test]
fn a_carried_on_session_stays_halted_and_paused_as_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path()).unwrap();
    let mut paper = Paper::new(setup(&["sma_cross"], 10, Some(journal))).unwrap();
    let mut out = Outbox::default();
    paper.command(Command::KillSwitch, &mut out);
    paper.command(Command::Pause(0), &mut out);
    drop(paper); // as if killed: everything was journaled with its step
    let reopen = || {
        let journal = Journal::open(dir.path()).unwrap();
        let session = journal.last_session_of(Mode::PaperReplay.label()).unwrap();
        let mut s = setup(&["sma_cross"], 10, Some(journal));
        s.trading.session = session;
        Paper::new(s).unwrap()
    };
    let mut paper = reopen();
    assert_eq!(
        paper.replica().status.halted.as_deref(),
        Some("KILL SWITCH ON")
    );
    paper.command(Command::Release, &mut out);
    let r = paper.replica();
    assert_eq!(r.strategies[0].state, crate::replica::StrategyState::Paused);
    paper.command(Command::Resume(0), &mut out);
    drop(paper);
    let r = reopen().replica();
    assert_eq!(r.status.halted, None);
    assert_eq!(
        r.strategies[0].state,
        crate::replica::StrategyState::Running
    );
}
