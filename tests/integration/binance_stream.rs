//! The market feed (`tickdesk::binance::stream`) against the fake Binance on 127.0.0.1, on tokio's
//! paused clock: several symbols on one connection, local books equal to the fake's after
//! scripted diffs, a gap, a disconnect, the 24-hour cut (planned switch, and the cut arriving
//! first), `serverShutdown` and a silent stall; pings answered; slow and stuck consumers.

use super::fake_binance::{Closed, ConnKind, FakeBinance, Fault, Side};
use rust_decimal::Decimal;
use std::{str::FromStr, sync::Arc, time::Duration};
use tickdesk::binance::book::Level;
use tickdesk::binance::stream::{
    self, AggTrade, BookView, FeedState, MarketEvent, MarketFeed, StreamConfig, StreamKind,
};
use tickdesk::binance::{MarketClient, WeightLimiter};
use tickdesk::clock::TokioClock;
use tickdesk::market::{Candle, Interval, Symbol};
use tokio::time::{Instant, sleep, timeout};

const T0: i64 = 1_700_000_000_000;
const BTC: &str = "BTCUSDT";
const ETH: &str = "ETHUSDT";

fn all_kinds() -> Vec<StreamKind> {
    vec![
        StreamKind::Kline(Interval::M1),
        StreamKind::BookTicker,
        StreamKind::AggTrade,
        StreamKind::Depth,
    ]
}

fn sym(s: &str) -> Symbol {
    s.parse().unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

struct Rig {
    fake: FakeBinance,
    feed: MarketFeed,
    /// Bumped by every nudge, so each one changes the book.
    nudges: u32,
}

fn clock() -> TokioClock {
    TokioClock::starting_at(T0)
}

async fn rig(
    symbols: &[&str],
    kinds: Vec<StreamKind>,
    tweak: impl FnOnce(&mut StreamConfig),
) -> Rig {
    let fake = FakeBinance::start(clock()).await;
    rig_on(fake, symbols, kinds, tweak).await
}

/// Books for `symbols` on the fake, then a feed connected to it.
async fn rig_on(
    fake: FakeBinance,
    symbols: &[&str],
    kinds: Vec<StreamKind>,
    tweak: impl FnOnce(&mut StreamConfig),
) -> Rig {
    let clock = clock();
    for s in symbols {
        fake.set_book(s, &[("100.00", "1"), ("99.50", "2")], &[("100.50", "1.5")]);
    }
    let limiter = Arc::new(WeightLimiter::new(6000, Arc::new(clock)));
    let rest = MarketClient::new(&fake.url(), limiter, Duration::from_secs(10)).unwrap();
    let mut config = StreamConfig::new(
        &fake.ws_url(),
        symbols.iter().map(|s| sym(s)).collect(),
        kinds,
    );
    config.top_levels = 1000;
    tweak(&mut config);
    let feed = stream::spawn(config, Arc::new(rest), Arc::new(clock)).unwrap();
    let rig = Rig {
        fake,
        feed,
        nudges: 0,
    };
    until("the feed connects", || {
        rig.fake.open_connections(ConnKind::Market) == 1
    })
    .await;
    rig
}

/// Polls `cond` every 10 ms of virtual time for up to 60 s.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting until {what}"
        );
        sleep(Duration::from_millis(10)).await;
    }
}

fn levels(side: &[(Decimal, Decimal)]) -> Vec<Level> {
    side.iter()
        .map(|&(price, qty)| Level { price, qty })
        .collect()
}

/// Whether the feed's book of `symbol` is live and equal to the fake's, level for level.
fn book_matches(rig: &Rig, symbol: &str) -> bool {
    let theirs = rig.fake.book(symbol);
    rig.feed
        .book(&sym(symbol))
        .and_then(|v| v.top)
        .is_some_and(|top| {
            top.seq == theirs.last_update_id
                && top.bids == levels(&theirs.bids)
                && top.asks == levels(&theirs.asks)
        })
}

fn view(rig: &Rig, symbol: &str) -> BookView {
    rig.feed.book(&sym(symbol)).unwrap()
}

impl Rig {
    /// One more book change on a far level (a diff the book must apply).
    fn nudge(&mut self, symbol: &str) {
        self.nudges += 1;
        let qty = format!("{}", self.nudges);
        self.fake.set_level(symbol, Side::Buy, "50.00", &qty);
    }

    /// Nudges until the feed's book equals the fake's (a fresh snapshot waits for a diff after it).
    async fn settle(&mut self, symbol: &str) {
        for _ in 0..100 {
            sleep(Duration::from_millis(20)).await;
            if book_matches(self, symbol) {
                return;
            }
            self.nudge(symbol);
        }
        panic!(
            "{symbol}: local book never matched the fake's: {:?}",
            self.feed.book(&sym(symbol))
        );
    }

    /// Ordered events until `n` trades arrived (health and klines collected on the way).
    async fn trades(&mut self, n: usize) -> (Vec<AggTrade>, Vec<MarketEvent>) {
        let (mut trades, mut others) = (Vec::new(), Vec::new());
        while trades.len() < n {
            let event = timeout(Duration::from_secs(120), self.feed.recv_ordered())
                .await
                .expect("an ordered event in time")
                .expect("the feed is running");
            match event {
                MarketEvent::Trade(t) => trades.push(t),
                other => others.push(other),
            }
        }
        (trades, others)
    }
}

fn states(events: &[MarketEvent]) -> Vec<FeedState> {
    events
        .iter()
        .filter_map(|e| match e {
            MarketEvent::Health(s) => Some(s.state.clone()),
            _ => None,
        })
        .collect()
}

/// The quantity that names trade `i` of a run (unique, so a lost or repeated trade shows).
fn trade_qty(i: usize) -> Decimal {
    Decimal::new(i64::try_from(i).unwrap() + 1, 3)
}

/// Scripts `n` trades on `symbol`, `every` apart, each after a book change; returns their
/// quantities in order.
async fn trade_run(rig: &Rig, symbol: &str, n: usize, every: Duration) -> Vec<Decimal> {
    let mut qtys = Vec::new();
    for i in 0..n {
        let ask = format!("{}", 1 + i % 9);
        rig.fake.set_level(symbol, Side::Sell, "100.50", &ask);
        let qty = trade_qty(i);
        rig.fake.trade(symbol, "100.50", &qty.to_string());
        qtys.push(qty);
        sleep(every).await;
    }
    qtys
}

fn assert_delivered_once_in_order(trades: &[AggTrade], qtys: &[Decimal]) {
    let got: Vec<Decimal> = trades.iter().map(|t| t.qty).collect();
    assert_eq!(got, qtys, "every trade once, in order");
    assert!(trades.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
}

#[tokio::test(start_paused = true)]
async fn several_symbols_share_one_connection_and_books_follow_the_script() {
    let mut rig = rig(&[BTC, ETH], all_kinds(), |_| {}).await;
    rig.settle(BTC).await;
    rig.settle(ETH).await;
    for i in 0..30 {
        let symbol = [BTC, ETH][i % 2];
        let (p, q) = (format!("99.{:02}", 40 - i), format!("{}", i % 4));
        let top = format!("{}", i % 3 + 1);
        let changes = [
            (Side::Buy, p.as_str(), q.as_str()),
            (Side::Sell, "100.50", top.as_str()),
        ];
        rig.fake.change_book(symbol, &changes);
        rig.fake.trade(symbol, "100.00", &trade_qty(i).to_string());
        assert!(!rig.feed.is_finished());
    }
    let bar = Candle {
        open_time: T0 - T0 % 60_000,
        open: 100.0,
        high: 101.0,
        low: 99.5,
        close: 100.5,
        volume: 12.5,
    };
    rig.fake.kline(ETH, Interval::M1, &bar, true);
    let (trades, others) = rig.trades(30).await;
    for (k, symbol) in [BTC, ETH].into_iter().enumerate() {
        let mine: Vec<AggTrade> = trades
            .iter()
            .filter(|t| t.symbol == sym(symbol))
            .cloned()
            .collect();
        let qtys: Vec<Decimal> = (0..30).filter(|i| i % 2 == k).map(trade_qty).collect();
        assert_delivered_once_in_order(&mine, &qtys);
    }
    let kline = match rig.feed.recv_ordered().await {
        Some(MarketEvent::Kline(k)) => k,
        other => panic!("the closed kline, got {other:?} after {others:?}"),
    };
    assert_eq!(
        (kline.symbol, kline.interval, kline.closed),
        (sym(ETH), Interval::M1, true)
    );
    assert_eq!(kline.candle, bar);
    until("both books match", || {
        book_matches(&rig, BTC) && book_matches(&rig, ETH)
    })
    .await;
    for symbol in [BTC, ETH] {
        let c = view(&rig, symbol).counters;
        assert_eq!((c.syncs, c.gaps, c.resyncs), (1, 0, 0), "{symbol}: {c:?}");
        let ticker = rig.feed.ticker(&sym(symbol)).unwrap();
        let theirs = rig.fake.book(symbol);
        assert_eq!((ticker.bid, ticker.bid_qty), theirs.bids[0]);
        assert_eq!((ticker.ask, ticker.ask_qty), theirs.asks[0]);
    }
    let opened = rig.fake.ws_stats().opened;
    assert_eq!(opened.len(), 1, "one connection for everything: {opened:?}");
    for name in [
        "btcusdt@kline_1m",
        "btcusdt@bookTicker",
        "ethusdt@aggTrade",
        "ethusdt@depth@100ms",
    ] {
        assert!(opened[0].1.contains(name), "{name} in {}", opened[0].1);
    }
    let status = rig.feed.status();
    assert_eq!(status.state, FeedState::Live);
    assert_eq!(status.latency_ms, Some(0), "same clock on both sides");
    assert_eq!(
        status.counters.malformed_frames + status.counters.unknown_frames,
        0
    );
}

#[tokio::test(start_paused = true)]
async fn a_sequence_gap_withdraws_the_book_and_resyncs_it() {
    let mut rig = rig(&[BTC], vec![StreamKind::Depth], |_| {}).await;
    rig.settle(BTC).await;
    rig.fake.drop_depth_diffs(BTC, 1);
    rig.fake.set_level(BTC, Side::Buy, "99.00", "3"); // never sent
    rig.fake.set_level(BTC, Side::Sell, "101.00", "4"); // reveals the gap
    until("the gap is seen", || view(&rig, BTC).counters.gaps == 1).await;
    assert!(
        !view(&rig, BTC).is_synced(),
        "no book is served across a gap"
    );
    rig.settle(BTC).await;
    let c = view(&rig, BTC).counters;
    assert_eq!((c.gaps, c.resyncs, c.syncs), (1, 1, 2), "{c:?}");
    assert!(c.snapshot_requests >= 2);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_reconnects_and_every_book_resyncs() {
    let mut rig = rig(&[BTC, ETH], all_kinds(), |_| {}).await;
    rig.settle(BTC).await;
    rig.settle(ETH).await;
    rig.fake.disconnect_streams();
    until("the feed reconnects", || {
        rig.fake.ws_stats().opened.len() == 2
    })
    .await;
    for symbol in [BTC, ETH] {
        rig.settle(symbol).await;
        let c = view(&rig, symbol).counters;
        assert_eq!(
            (c.syncs, c.resyncs),
            (2, 1),
            "{symbol} rebuilt from a new snapshot: {c:?}"
        );
    }
    let qtys = trade_run(&rig, BTC, 5, Duration::from_millis(100)).await;
    let (trades, others) = rig.trades(5).await;
    assert_delivered_once_in_order(&trades, &qtys);
    let seen = states(&others);
    assert!(
        matches!(
            &seen[..],
            [
                FeedState::Connecting,
                FeedState::Live,
                FeedState::Reconnecting { attempt: 1, .. },
                FeedState::Live
            ]
        ),
        "{seen:?}"
    );
    assert_eq!(rig.feed.status().counters.reconnects, 1);
}

#[tokio::test(start_paused = true)]
async fn failed_snapshots_are_retried_until_the_book_syncs() {
    let mut rig = rig(&[BTC], vec![StreamKind::Depth], |_| {}).await;
    rig.fake
        .fail("GET /api/v3/depth", [Fault::ServerError, Fault::Drop]);
    rig.settle(BTC).await;
    let v = view(&rig, BTC);
    assert_eq!((v.snapshot_failures, v.counters.syncs), (2, 1), "{v:?}");
}

#[tokio::test(start_paused = true)]
async fn server_pings_are_answered_with_their_payload() {
    let rig = rig(&[BTC], vec![StreamKind::Depth], |c| {
        c.stale_after = Duration::from_secs(3600);
    })
    .await;
    sleep(Duration::from_secs(5 * 60 + 1)).await;
    let stats = rig.fake.ws_stats();
    assert_eq!(stats.pings_sent, 15, "one every 20 s");
    assert_eq!(
        stats.pongs_received, stats.pings_sent,
        "each answered with its payload"
    );
    assert!(
        stats.closed.is_empty(),
        "never dropped for a missing pong: {:?}",
        stats.closed
    );
    assert_eq!(rig.feed.status().counters.pings, 15);
}

#[tokio::test(start_paused = true)]
async fn a_silent_stall_is_detected_within_stale_after_and_the_feed_recovers() {
    let mut rig = rig(
        &[BTC],
        vec![StreamKind::Depth, StreamKind::AggTrade],
        |_| {},
    )
    .await;
    rig.settle(BTC).await;
    let stalled_at = Instant::now();
    rig.fake.stall();
    until("the stall is seen", || {
        rig.feed.status().counters.stale == 1
    })
    .await;
    let detected = stalled_at.elapsed();
    assert!(
        (Duration::from_secs(29)..=Duration::from_secs(30)).contains(&detected),
        "stale 30 s after the last frame: {detected:?}"
    );
    until("the feed reconnects", || {
        rig.fake.ws_stats().opened.len() == 2
    })
    .await;
    assert!(
        stalled_at.elapsed() < Duration::from_secs(31),
        "reconnected at once"
    );
    rig.settle(BTC).await;
    assert_eq!(view(&rig, BTC).counters.syncs, 2, "the book was rebuilt");
    let qtys = trade_run(&rig, BTC, 3, Duration::from_millis(100)).await;
    let (trades, others) = rig.trades(3).await;
    assert_delivered_once_in_order(&trades, &qtys);
    let seen = states(&others);
    let stale = seen
        .iter()
        .position(|s| *s == FeedState::Stale { silent_ms: 30_000 });
    let reconnecting = seen.iter().position(
        |s| matches!(s, FeedState::Reconnecting { reason, .. } if reason.contains("no data")),
    );
    assert!(stale.is_some() && reconnecting > stale, "{seen:?}");
    assert_eq!(seen.last(), Some(&FeedState::Live));
    assert_eq!(rig.feed.status().counters.stale, 1);
}

#[tokio::test(start_paused = true)]
async fn the_24_hour_cut_is_preempted_by_a_switch_that_loses_nothing() {
    let mut rig = rig(&[BTC], vec![StreamKind::Depth, StreamKind::AggTrade], |c| {
        c.stale_after = Duration::from_secs(24 * 3600); // silence is the stall test's subject
    })
    .await;
    rig.settle(BTC).await;
    sleep(Duration::from_secs(23 * 3600 + 49 * 60 + 50)).await;
    // 20 s of trades and book changes across the switch at 23 h 50 m (2 s of overlap).
    let qtys = trade_run(&rig, BTC, 200, Duration::from_millis(100)).await;
    let (trades, others) = rig.trades(200).await;
    assert_delivered_once_in_order(&trades, &qtys);
    assert_eq!(states(&others), [FeedState::Connecting, FeedState::Live]);
    let counters = rig.feed.status().counters;
    assert_eq!(
        (counters.switches, counters.reconnects),
        (1, 0),
        "{counters:?}"
    );
    assert!(
        counters.duplicates > 0,
        "the overlap repeated trades; they were dropped"
    );
    until("the book matches", || book_matches(&rig, BTC)).await;
    let c = view(&rig, BTC).counters;
    assert_eq!(
        (c.syncs, c.resyncs),
        (1, 0),
        "the book carried over the switch: {c:?}"
    );
    let stats = rig.fake.ws_stats();
    assert_eq!(stats.opened.len(), 2);
    assert_eq!(
        stats.closed,
        [(1, Closed::ByClient)],
        "closed by us before the server's cut"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cut_that_comes_first_reconnects_and_resyncs_the_books() {
    let fake = FakeBinance::start(clock()).await;
    fake.set_ws_config(super::fake_binance::WsConfig {
        max_lifetime: Duration::from_secs(3600),
        ..Default::default()
    });
    let mut rig = rig_on(fake, &[BTC], vec![StreamKind::Depth], |c| {
        c.stale_after = Duration::from_secs(3 * 3600);
    })
    .await;
    rig.settle(BTC).await;
    sleep(Duration::from_secs(3600)).await;
    until("the feed reconnects", || {
        rig.fake.ws_stats().opened.len() == 2
    })
    .await;
    assert_eq!(rig.fake.ws_stats().closed, [(1, Closed::Lifetime)]);
    rig.settle(BTC).await;
    let c = view(&rig, BTC).counters;
    assert_eq!((c.syncs, c.resyncs), (2, 1), "{c:?}");
    let mut events = Vec::new();
    while let Ok(Some(e)) = timeout(Duration::from_millis(1), rig.feed.recv_ordered()).await {
        events.push(e);
    }
    let health = states(&events);
    assert!(
        health.iter().any(
            |s| matches!(s, FeedState::Reconnecting { attempt: 1, reason } if reason.contains("closed"))
        ),
        "{health:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn server_shutdown_switches_connections_early_without_loss() {
    let mut rig = rig(
        &[BTC],
        vec![StreamKind::Depth, StreamKind::AggTrade],
        |_| {},
    )
    .await;
    rig.settle(BTC).await;
    let mut qtys = trade_run(&rig, BTC, 10, Duration::from_millis(100)).await;
    rig.fake.server_shutdown();
    for i in 10..40 {
        rig.fake
            .set_level(BTC, Side::Buy, "99.00", &format!("{}", i % 5 + 1));
        rig.fake.trade(BTC, "100.50", &trade_qty(i).to_string());
        qtys.push(trade_qty(i));
        sleep(Duration::from_millis(100)).await;
    }
    let (trades, _) = rig.trades(40).await;
    assert_delivered_once_in_order(&trades, &qtys);
    let counters = rig.feed.status().counters;
    assert_eq!(
        (
            counters.server_shutdowns,
            counters.switches,
            counters.reconnects
        ),
        (1, 1, 0)
    );
    assert_eq!(rig.fake.ws_stats().closed, [(1, Closed::ByClient)]);
    until("the book matches", || book_matches(&rig, BTC)).await;
    assert_eq!(view(&rig, BTC).counters.syncs, 1, "no resync needed");
}

#[tokio::test(start_paused = true)]
async fn a_consumer_ignoring_books_gets_every_trade_and_kline_in_order_and_the_latest_book() {
    let mut rig = rig(&[BTC], all_kinds(), |_| {}).await;
    rig.settle(BTC).await;
    let minute = T0 - T0 % 60_000;
    let mut bars = Vec::new();
    let mut qtys = Vec::new();
    // Two minutes of activity; the consumer reads nothing meanwhile.
    for i in 0..1200 {
        let (p, q) = (format!("99.{:02}", i % 50), format!("{}", i % 3));
        let top = format!("{}", i % 4 + 1);
        let changes = [
            (Side::Buy, p.as_str(), q.as_str()),
            (Side::Sell, "100.50", top.as_str()),
        ];
        rig.fake.change_book(BTC, &changes);
        rig.fake.trade(BTC, "100.50", &trade_qty(i).to_string());
        qtys.push(trade_qty(i));
        if i % 20 == 19 {
            let open_time = minute + 60_000 * i64::try_from(i / 600).unwrap();
            let bar = Candle {
                open_time,
                open: 100.0,
                high: 101.0,
                low: 99.0,
                close: 100.0 + f64::from(u32::try_from(i % 600).unwrap()) / 1000.0,
                volume: 1.0,
            };
            let closed = i % 600 == 599;
            rig.fake.kline(BTC, Interval::M1, &bar, closed);
            bars.push((bar, closed));
        }
        sleep(Duration::from_millis(100)).await;
    }
    let mut trades = Vec::new();
    let mut klines = Vec::new();
    while trades.len() < qtys.len() || klines.len() < bars.len() {
        match rig.feed.recv_ordered().await.unwrap() {
            MarketEvent::Trade(t) => trades.push(t),
            MarketEvent::Kline(k) => klines.push((k.candle, k.closed)),
            MarketEvent::Health(_) => {}
            other => panic!("books and tickers never enter the ordered queue: {other:?}"),
        }
    }
    assert_delivered_once_in_order(&trades, &qtys);
    assert_eq!(klines, bars, "every kline, in order");
    until("the book matches", || book_matches(&rig, BTC)).await;
    let latest: Vec<MarketEvent> = std::iter::from_fn(|| rig.feed.take_latest()).collect();
    assert_eq!(
        latest.len(),
        2,
        "one book and one ticker, coalesced: {latest:?}"
    );
    let Some(MarketEvent::Book(book)) = latest.iter().find(|e| matches!(e, MarketEvent::Book(_)))
    else {
        panic!("a book top");
    };
    let theirs = rig.fake.book(BTC);
    assert_eq!(book.seq(), Some(theirs.last_update_id), "the latest book");
    let Some(MarketEvent::Ticker(ticker)) =
        latest.iter().find(|e| matches!(e, MarketEvent::Ticker(_)))
    else {
        panic!("a ticker");
    };
    assert_eq!(
        (ticker.ask, ticker.ask_qty),
        theirs.asks[0],
        "the latest ticker"
    );
    let stats = rig.fake.ws_stats();
    assert_eq!(
        stats.pongs_received, stats.pings_sent,
        "pings answered throughout"
    );
    assert_eq!(rig.feed.status().counters.lagged, 0);
}

#[tokio::test(start_paused = true)]
async fn a_stuck_consumer_gets_a_lagged_feed_not_a_stalled_socket() {
    let mut rig = rig(&[BTC], vec![StreamKind::AggTrade], |c| {
        c.queue_capacity = 16;
        c.lag_wait = Duration::from_secs(5);
    })
    .await;
    // Connecting + Live + 14 trades fill the queue; the 15th waits 5 s, then the feed lags.
    let qtys = trade_run(&rig, BTC, 40, Duration::from_millis(100)).await;
    until("the feed lags", || {
        rig.feed.status().state == FeedState::Lagged
    })
    .await;
    until("the socket is closed", || {
        !rig.fake.ws_stats().closed.is_empty()
    })
    .await;
    assert_eq!(
        rig.fake.ws_stats().closed,
        [(1, Closed::ByClient)],
        "we closed it, politely"
    );
    let (trades, others) = rig.trades(15).await;
    assert_delivered_once_in_order(&trades, &qtys[..15]);
    assert_eq!(states(&others), [FeedState::Connecting, FeedState::Live]);
    let lagged = rig.feed.recv_ordered().await.unwrap();
    assert!(
        matches!(&lagged, MarketEvent::Health(s) if s.state == FeedState::Lagged),
        "{lagged:?}"
    );
    until("the feed reconnects", || {
        rig.fake.ws_stats().opened.len() == 2
    })
    .await;
    let later: Vec<Decimal> = (100..103).map(trade_qty).collect();
    for q in &later {
        rig.fake.trade(BTC, "100.50", &q.to_string());
    }
    let (after, others) = rig.trades(3).await;
    assert_delivered_once_in_order(&after, &later);
    assert!(
        matches!(
            &states(&others)[..],
            [FeedState::Reconnecting { attempt: 1, .. }, FeedState::Live]
        ),
        "the gap is announced before anything after it: {others:?}"
    );
    assert_eq!(rig.feed.status().counters.lagged, 1);
}

#[tokio::test(start_paused = true)]
async fn latency_is_now_minus_event_time_and_json_numbers_read_exactly() {
    let fake = FakeBinance::start(clock()).await;
    fake.set_skew_ms(-250);
    fake.numbers_as_json(true);
    let kinds = vec![
        StreamKind::Depth,
        StreamKind::AggTrade,
        StreamKind::BookTicker,
    ];
    let mut rig = rig_on(fake, &[BTC], kinds, |_| {}).await;
    rig.settle(BTC).await;
    rig.fake.set_level(BTC, Side::Buy, "100.10", "0.5");
    rig.fake.trade(BTC, "100.50", "0.12345678");
    let (trades, _) = rig.trades(1).await;
    assert_eq!(
        (trades[0].price, trades[0].qty),
        (d("100.50"), d("0.12345678"))
    );
    assert_eq!(rig.feed.status().latency_ms, Some(250));
    until("a ticker", || rig.feed.ticker(&sym(BTC)).is_some()).await;
    let ticker = rig.feed.ticker(&sym(BTC)).unwrap();
    assert_eq!(
        (ticker.bid, ticker.bid_qty, ticker.ask),
        (d("100.1"), d("0.5"), d("100.5"))
    );
    until("the book matches", || book_matches(&rig, BTC)).await;
}
