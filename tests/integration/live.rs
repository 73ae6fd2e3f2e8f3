//! Live trading and paper on live data, end to end against the fake Binance over loopback: the
//! session opens on the fake (warm-up klines, exchangeInfo, the account), a person's order sent
//! through the link (as from an attached workstation) reaches the fake, its fill comes back on the
//! user-data stream and is journaled with its trade id; a restart sends nothing again, takes no
//! fill twice, and halts when the account was changed by hand meanwhile.

use crate::binance_rest::hmac_signer;
use crate::fake_binance::{FakeBinance, Fault};
use std::sync::Arc;
use std::time::Duration;
use tickdesk::clock::TokioClock;
use tickdesk::config::{Loaded, Sources};
use tickdesk::control::{Incoming, Link};
use tickdesk::core::{Command, Qty, Side};
use tickdesk::journal::Journal;
use tickdesk::market::{Candle, Interval};
use tickdesk::paper::Control;
use tickdesk::replica::{Mode, Update};

pub const T0: i64 = 1_767_225_600_000;

pub fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn candles(n: i64) -> Vec<Candle> {
    (0..n)
        .map(|i| {
            let p = 64_000.0 + i as f64;
            Candle {
                open_time: T0 - (n - i) * 60_000,
                open: p,
                high: p + 5.0,
                low: p - 5.0,
                close: p + 1.0,
                volume: 3.0,
            }
        })
        .collect()
}

/// The account every live test starts from (10 000 USDT, no BTC) and a BTCUSDT book bid at
/// 64 000 / 63 990 with these `asks`.
pub fn stock(fake: &FakeBinance, asks: &[(&str, &str)]) {
    fake.set_balance("USDT", "10000");
    fake.set_balance("BTC", "0");
    fake.set_book("BTCUSDT", &[("64000", "5"), ("63990", "5")], asks);
}

async fn fake(clock: TokioClock) -> FakeBinance {
    let fake = FakeBinance::start(clock).await;
    stock(&fake, &[("64010", "0.004"), ("64020", "5")]);
    fake.hold("BTCUSDT", Interval::M1, candles(30));
    fake
}

/// A config for the fake: `paper` goes into `[paper]` (strategies), `extra` after it.
fn config(fake: &FakeBinance, paper: &str, extra: &str) -> tickdesk::config::Config {
    let text = format!(
        r#"
[binance]
rest_url = "{rest}"
trade_url = "{rest}"
ws_url = "{ws}"
ws_api_url = "{ws}/ws-api/v3"
recv_window_ms = 60000
[paper]
symbols = ["BTCUSDT"]
interval = "1m"
warmup_bars = 20
{paper}
{extra}
"#,
        rest = fake.url(),
        ws = fake.ws_url(),
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let sources = Sources {
        user_file: None,
        cli_file: Some(file.path().to_path_buf()),
        env: tickdesk::config::Env::from_pairs(std::iter::empty()),
    };
    Loaded::load(&sources).unwrap().config
}

async fn open(
    fake: &FakeBinance,
    clock: TokioClock,
    dir: &std::path::Path,
    mode: Mode,
    extra: &str,
) -> Link {
    open_with(fake, clock, dir, mode, "strategies = []", extra).await
}

/// A session on the fake with `paper` in `[paper]` (its strategies) and `extra` after it.
pub async fn open_with(
    fake: &FakeBinance,
    clock: TokioClock,
    dir: &std::path::Path,
    mode: Mode,
    paper: &str,
    extra: &str,
) -> Link {
    let start = tickdesk::live::Start {
        config: config(fake, paper, extra),
        data_dir: dir.to_path_buf(),
        mode,
        signers: (mode == Mode::Live).then(|| (hmac_signer(), hmac_signer())),
        clock: Arc::new(clock),
    };
    let (paper, edges) = tickdesk::live::open(start).await.unwrap();
    Link::live(paper, edges)
}

/// Reads the link's updates until `pick` finds something (or fails after 20 s).
pub async fn until<T>(link: &mut Link, pick: impl FnMut(&Update) -> Option<T>) -> T {
    until_within(Duration::from_secs(20), link, pick)
        .await
        .expect("nothing came within 20 s")
}

pub async fn until_within<T>(
    limit: Duration,
    link: &mut Link,
    mut pick: impl FnMut(&Update) -> Option<T>,
) -> Option<T> {
    let wait = async {
        loop {
            match link.recv().await {
                Some(Incoming::Updates(batch)) => {
                    if let Some(t) = batch.iter().find_map(&mut pick) {
                        return t;
                    }
                }
                Some(Incoming::Snapshot(_)) => {}
                None => panic!("the core went away"),
            }
        }
    };
    tokio::time::timeout(limit, wait).await.ok()
}

fn buy(qty: &str) -> Control {
    Control::Command(Command::market(0, Side::Buy, Qty::Base(dec(qty))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_order_trades_on_the_exchange_and_a_restart_neither_resends_nor_double_counts() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    link.controls.send(buy("0.01")).await.unwrap();
    let fills: Vec<_> = {
        let mut got = Vec::new();
        while got
            .iter()
            .map(|f: &tickdesk::replica::FillRow| f.qty)
            .sum::<rust_decimal::Decimal>()
            < dec("0.01")
        {
            got.push(
                until(&mut link, |u| match u {
                    Update::Fill(f) => Some(f.clone()),
                    _ => None,
                })
                .await,
            );
        }
        got
    };
    // The market buy walked the fake's asks: 0.004 at 64010, then 0.006 at 64020.
    assert_eq!(
        fills.iter().map(|f| (f.qty, f.price)).collect::<Vec<_>>(),
        vec![(dec("0.004"), dec("64010")), (dec("0.006"), dec("64020"))]
    );
    let sent = fake.submissions();
    assert_eq!(sent.len(), 1, "one order reached the exchange: {sent:?}");
    assert_eq!(sent[0]["newClientOrderId"], "td-s1-1");
    assert_eq!(link.close().await, None);

    let journal = Journal::open(dir.path()).unwrap();
    let session = journal
        .last_session_of(Mode::Live.label())
        .unwrap()
        .unwrap();
    assert_eq!(journal.fills(session).unwrap().len(), 2);
    let cursors = journal.trade_cursors(session).unwrap();
    assert_eq!(cursors.len(), 1, "{cursors:?}");
    let orders = journal.orders(session).unwrap();
    assert_eq!(orders.len(), 1);
    drop(journal);

    // A restart: the session carries on; the user stream's reconciliation resumes after the
    // journaled trades, so nothing is journaled twice and nothing is sent.
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    until(&mut link, |u| match u {
        Update::Account(a) if !a.balances.is_empty() => Some(()),
        _ => None,
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    link.controls.send(buy("0.001")).await.unwrap();
    let f = until(&mut link, |u| match u {
        Update::Fill(f) => Some(f.clone()),
        _ => None,
    })
    .await;
    assert_eq!(f.order, 2, "order ids carry on after the journal's");
    assert_eq!(link.close().await, None);
    let sent = fake.submissions();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["newClientOrderId"], "td-s1-2");
    let journal = Journal::open(dir.path()).unwrap();
    assert_eq!(journal.fills(session).unwrap().len(), 3, "no fill twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holding_changed_by_hand_while_down_halts_the_restarted_engine() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    link.controls.send(buy("0.002")).await.unwrap();
    until(&mut link, |u| match u {
        Update::Fill(_) => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(link.close().await, None);
    // Someone sells the bitcoin by hand on the exchange while the engine is down.
    fake.set_balance("BTC", "0");
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    let halted = until(&mut link, |u| match u {
        Update::Status(s) => s.halted.clone(),
        _ => None,
    })
    .await;
    assert!(
        halted.to_lowercase().contains("reconcil") || halted.contains("BTC"),
        "{halted}"
    );
    assert_eq!(link.close().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_that_cancels_waits_for_binance_to_confirm_before_it_ends() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    let bid = tickdesk::core::OrderRequest {
        instrument: 0,
        side: Side::Buy,
        kind: tickdesk::core::OrderKind::Limit {
            price: dec("60000"),
        },
        qty: Qty::Base(dec("0.01")),
        oco: None,
        origin: tickdesk::core::Origin::Manual,
    };
    link.controls
        .send(Control::Command(Command::Place(bid)))
        .await
        .unwrap();
    for _ in 0..200 {
        if !fake.open_orders().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(fake.open_orders().len(), 1, "the bid rests on the exchange");
    // What `[service] on_shutdown = "cancel"` does on SIGTERM: cancel all, then stop.
    let cancel = Control::Command(Command::CancelAll);
    link.controls.send(cancel).await.unwrap();
    assert_eq!(link.close().await, None);
    assert!(fake.open_orders().is_empty());
    let journal = Journal::open(dir.path()).unwrap();
    let session = journal
        .last_session_of(Mode::Live.label())
        .unwrap()
        .unwrap();
    let orders = journal.orders(session).unwrap();
    assert_eq!(
        orders.iter().map(|o| o.status).collect::<Vec<_>>(),
        [tickdesk::core::OrderStatus::Canceled],
        "the journal saw Binance's confirmation before the engine ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kill_switch_stays_on_across_a_restart() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    let kill = Control::Command(Command::KillSwitch);
    link.controls.send(kill).await.unwrap();
    let halted = |u: &Update| match u {
        Update::Status(s) => s.halted.clone(),
        _ => None,
    };
    assert_eq!(until(&mut link, halted).await, "KILL SWITCH ON");
    assert_eq!(link.close().await, None);
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    assert_eq!(until(&mut link, halted).await, "KILL SWITCH ON");
    link.controls.send(buy("0.001")).await.unwrap();
    let refused = until(&mut link, |u| match u {
        Update::Alert(a) if a.text.contains(": refused: ") => Some(a.text.clone()),
        _ => None,
    })
    .await;
    assert!(
        refused.contains("HALTED") && refused.contains("kill switch"),
        "{refused}"
    );
    assert_eq!(link.close().await, None);
    assert!(fake.submissions().is_empty(), "nothing sent while halted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_418_ban_on_an_order_halts_trading_until_it_ends() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let mut link = open(&fake, clock, dir.path(), Mode::Live, "").await;
    let ban = Fault::Banned {
        retry_after_secs: 120,
    };
    fake.fail("POST /api/v3/order", [ban]);
    link.controls.send(buy("0.002")).await.unwrap();
    let halted = until(&mut link, |u| match u {
        Update::Status(s) => s.halted.clone(),
        _ => None,
    })
    .await;
    assert!(halted.contains("IP banned"), "{halted}");
    assert!(fake.trades().is_empty());
    assert_eq!(link.close().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_on_live_data_fills_against_the_streamed_book_and_sends_nothing() {
    let clock = TokioClock::starting_at(T0);
    let fake = fake(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let mut link = open(&fake, clock, dir.path(), Mode::PaperLive, "").await;
    // The market moves (a bid deep in the book): the first diff starts the local book, which the
    // pane then shows as the exchange's own, not a simulation.
    // (Repeated until the stream is up: a diff before the subscription is not seen.)
    let mut synced = false;
    for i in 1..=100 {
        let qty = format!("{i}");
        fake.set_level("BTCUSDT", crate::fake_binance::Side::Buy, "63900", &qty);
        let book = until_within(Duration::from_millis(200), &mut link, |u| match u {
            Update::Book { book, .. } if !book.simulated && !book.asks.is_empty() => Some(()),
            _ => None,
        });
        if book.await.is_some() {
            synced = true;
            break;
        }
    }
    assert!(synced, "the streamed book never reached the session");
    link.controls.send(buy("0.01")).await.unwrap();
    let f = until(&mut link, |u| match u {
        Update::Fill(f) => Some(f.clone()),
        _ => None,
    })
    .await;
    // VWAP over the streamed asks: (0.004 × 64010 + 0.006 × 64020) / 0.01 = 64016.
    assert_eq!((f.qty, f.price), (dec("0.01"), dec("64016")));
    assert!(f.fee > dec("0"), "the taker fee is charged");
    assert_eq!(link.close().await, None);
    assert!(fake.submissions().is_empty(), "paper sends no order");
    let journal = Journal::open(dir.path()).unwrap();
    let session = journal
        .last_session_of(Mode::PaperLive.label())
        .unwrap()
        .unwrap();
    assert_eq!(journal.fills(session).unwrap().len(), 1);
}
