//! A strategy trading live through the fake Binance, end to end: a closed kline on the stream
//! makes `sma_cross` buy, the fill comes back on the user-data stream, the risk layer's stop and
//! target go to Binance as one OCO list; a restart takes those exits over without sending
//! anything, a restart after a person cancelled them on the website places them again at the same
//! levels, and the stop then triggering on a trade sells the position, the target leg expiring
//! with it, all journaled.

use crate::fake_binance::{ConnKind, FakeBinance, Kind, Order, Side as Venue};
use crate::live::{T0, dec, open_with, stock, until};
use rust_decimal::Decimal;
use std::time::Duration;
use tickdesk::clock::TokioClock;
use tickdesk::control::Link;
use tickdesk::core::{Command, Side};
use tickdesk::journal::Journal;
use tickdesk::market::{Candle, Interval};
use tickdesk::paper::Control;
use tickdesk::replica::{FillRow, Mode, Update};

/// Falling closes: the fast average stays below the slow one through the warm-up.
fn falling(n: i64) -> Vec<Candle> {
    (0..n)
        .map(|i| {
            let p = 64_500.0 - 10.0 * i as f64;
            Candle {
                open_time: T0 - (n - i) * 60_000,
                open: p,
                high: p + 5.0,
                low: p - 15.0,
                close: p - 10.0,
                volume: 3.0,
            }
        })
        .collect()
}

async fn fake(clock: TokioClock) -> FakeBinance {
    let fake = FakeBinance::start(clock).await;
    fake.set_commission("0", "0");
    stock(&fake, &[("64010", "5"), ("64020", "5")]);
    fake.hold("BTCUSDT", Interval::M1, falling(30));
    fake
}

const PAPER: &str = r#"strategies = ["sma_cross"]"#;
const SETTINGS: &str = r#"
[strategies.sma_cross]
fast = 2
slow = 3
[risk.strategies.sma_cross]
sizing = "quote:640.1"
stop = "2%"
take_profit = "3%"
"#;

async fn start(fake: &FakeBinance, clock: TokioClock, dir: &std::path::Path) -> Link {
    let mut link = open_with(fake, clock, dir, Mode::Live, PAPER, SETTINGS).await;
    until(&mut link, |u| match u {
        Update::Account(a) if !a.balances.is_empty() => Some(()),
        _ => None,
    })
    .await;
    link
}

/// The fake's open orders once `n` of them rest (or fails after 20 s).
async fn resting(fake: &FakeBinance, n: usize) -> Vec<Order> {
    for _ in 0..200 {
        let open = fake.open_orders();
        if open.len() == n {
            return open;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} orders never rested: {:?}", fake.open_orders());
}

/// The stop and the target of one OCO list: (stop order, target order).
fn exits(open: &[Order]) -> (&Order, &Order) {
    let stop = open.iter().find(|o| o.kind == Kind::StopLoss).unwrap();
    let target = open.iter().find(|o| o.kind == Kind::LimitMaker).unwrap();
    assert_eq!(stop.list_id, target.list_id, "one OCO list");
    assert!(stop.list_id >= 0);
    assert!(stop.client_id.starts_with("td-s1-"), "{}", stop.client_id);
    assert_eq!((stop.side, target.side), (Venue::Sell, Venue::Sell));
    (stop, target)
}

async fn fill(link: &mut Link, side: Side) -> FillRow {
    until(link, |u| match u {
        Update::Fill(f) if f.side == side => Some(f.clone()),
        _ => None,
    })
    .await
}

/// A session in which sma_cross has bought (its fill's quantity returned) and its exits rest.
async fn entered(fake: &FakeBinance, clock: TokioClock, dir: &std::path::Path) -> (Link, Decimal) {
    let mut link = start(fake, clock, dir).await;
    assert!(fake.submissions().is_empty(), "the warm-up sent nothing");

    // A kline pushed before the market stream connects would be lost.
    for _ in 0..200 {
        if fake.open_connections(ConnKind::Market) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The next minute closes far up: SMA2 64 255 crosses above SMA3 64 243.33.
    let up = Candle {
        open_time: T0,
        open: 64_210.0,
        high: 64_310.0,
        low: 64_200.0,
        close: 64_300.0,
        volume: 5.0,
    };
    fake.kline("BTCUSDT", Interval::M1, &up, true);
    let bought = fill(&mut link, Side::Buy).await;
    assert_eq!(bought.origin, "sma_cross");
    assert_eq!(bought.price, dec("64010"));
    let qty = bought.qty;
    assert!(
        qty > dec("0.0099") && qty <= dec("0.01"),
        "640.1 USDT: {qty}"
    );
    resting(fake, 2).await;
    (link, qty)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strategy_trades_live_its_exits_rest_as_an_oco_list_and_survive_restarts() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let (link, qty) = entered(&fake, clock, dir.path()).await;

    // Stop 2 % and target 3 % from the 64 010 entry, on the 0.01 tick: 62 729.80 and 65 930.30.
    let open = resting(&fake, 2).await;
    let (stop, target) = exits(&open);
    assert_eq!(stop.stop, Some(dec("62729.8")));
    assert_eq!(target.price, dec("65930.3"));
    assert_eq!((stop.qty, target.qty), (qty, qty));
    let sent = fake.submissions();
    assert_eq!(sent.len(), 2, "the buy, then the list: {sent:?}");
    assert_eq!(sent[0]["type"], "MARKET");
    assert_eq!(
        (sent[1]["aboveType"].as_str(), sent[1]["belowType"].as_str()),
        ("LIMIT_MAKER", "STOP_LOSS")
    );
    let first_ids = (stop.id, target.id);
    assert_eq!(link.close().await, None);

    // A restart takes the resting list over: nothing is sent, nothing is cancelled.
    let link = start(&fake, clock, dir.path()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(link.close().await, None);
    assert_eq!(
        fake.submissions().len(),
        2,
        "nothing sent after the restart"
    );
    let open = fake.open_orders();
    let (stop, target) = exits(&open);
    assert_eq!((stop.id, target.id), first_ids, "the same list rests");

    // A person cancels the list on the website while the engine is down; the restart places it
    // again, for the same quantity at the same levels, in a new list.
    fake.cancel_by_hand(first_ids.0);
    assert!(fake.open_orders().is_empty());
    let mut link = start(&fake, clock, dir.path()).await;
    let open = resting(&fake, 2).await;
    let (stop, target) = exits(&open);
    assert_eq!(stop.stop, Some(dec("62729.8")));
    assert_eq!(target.price, dec("65930.3"));
    assert_eq!((stop.qty, target.qty), (qty, qty));
    assert!(stop.id > first_ids.1, "new orders");
    let sent = fake.submissions();
    assert_eq!(sent.len(), 3, "only the list again: {sent:?}");
    assert_ne!(sent[2]["listClientOrderId"], sent[1]["listClientOrderId"]);

    // The market falls through the stop: it sells the position into the bids, the target leg
    // expires with it.
    fake.set_book(
        "BTCUSDT",
        &[("62700", "5"), ("62690", "5")],
        &[("62710", "5")],
    );
    fake.trade("BTCUSDT", "62700", "1");
    let sold = fill(&mut link, Side::Sell).await;
    assert_eq!((sold.qty, sold.price), (qty, dec("62700")));
    assert_eq!(sold.origin, "sma_cross");
    assert!(resting(&fake, 0).await.is_empty());
    assert_eq!(
        fake.balance("BTC").free + fake.balance("BTC").locked,
        dec("0")
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(link.close().await, None);

    let journal = Journal::open(dir.path()).unwrap();
    let session = journal
        .last_session_of(Mode::Live.label())
        .unwrap()
        .unwrap();
    let fills = journal.fills(session).unwrap();
    let sides: Vec<Side> = fills.iter().map(|f| f.side).collect();
    assert_eq!(sides, [Side::Buy, Side::Sell], "each trade journaled once");
    let orders = journal.orders(session).unwrap();
    assert_eq!(orders.len(), 5, "the buy and two lists of two");
    assert!(
        orders.iter().all(|o| !o.status.is_open()),
        "nothing left open: {orders:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flatten_cancels_the_exits_and_sells_the_whole_position_at_once() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut link, qty) = entered(&fake, clock, dir.path()).await;
    assert_eq!(fake.balance("BTC").locked, qty, "the exits hold it all");
    let flatten = Control::Command(Command::Flatten(0));
    link.controls.send(flatten).await.unwrap();
    let sold = fill(&mut link, Side::Sell).await;
    assert_eq!((sold.qty, sold.price), (qty, dec("64000")));
    assert_eq!(sold.origin, "manual");
    assert!(resting(&fake, 0).await.is_empty());
    let btc = fake.balance("BTC");
    assert_eq!(btc.free + btc.locked, dec("0"));
    assert_eq!(link.close().await, None);
}
