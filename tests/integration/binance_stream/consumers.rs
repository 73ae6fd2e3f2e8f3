//! Overflow policy: a consumer that ignores books still gets every trade and kline in order and
//! the latest book; a stuck one gets a `Lagged` feed, never a stalled socket.

use super::support::*;

/// Two minutes of activity on BTC, one step every 100 ms: a book change (top included), a trade,
/// and every 2 s a kline (closed at the end of each minute). Returns the trades' quantities and
/// the bars, in order.
async fn busy_two_minutes(rig: &Rig) -> (Vec<Decimal>, Vec<(Candle, bool)>) {
    let minute = T0 - T0 % 60_000;
    let (mut qtys, mut bars) = (Vec::new(), Vec::new());
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
            let close = 100.0 + f64::from(u32::try_from(i % 600).unwrap()) / 1000.0;
            let (bar, closed) = (bar(open_time, close), i % 600 == 599);
            rig.fake.kline(BTC, Interval::M1, &bar, closed);
            bars.push((bar, closed));
        }
        sleep(Duration::from_millis(100)).await;
    }
    (qtys, bars)
}

/// Reads the ordered queue until `trades` trades and `klines` klines came.
async fn drain(
    rig: &mut Rig,
    trades: usize,
    klines: usize,
) -> (Vec<AggTrade>, Vec<(Candle, bool)>) {
    let (mut got_trades, mut got_klines) = (Vec::new(), Vec::new());
    while got_trades.len() < trades || got_klines.len() < klines {
        match rig.feed.recv_ordered().await.unwrap() {
            MarketEvent::Trade(t) => got_trades.push(t),
            MarketEvent::Kline(k) => got_klines.push((k.candle, k.closed)),
            MarketEvent::Health(_) => {}
            other => panic!("books and tickers never enter the ordered queue: {other:?}"),
        }
    }
    (got_trades, got_klines)
}

#[tokio::test(start_paused = true)]
async fn a_consumer_ignoring_books_gets_every_trade_and_kline_in_order_and_the_latest_book() {
    let mut rig = rig(&[BTC], all_kinds(), |_| {}).await;
    rig.settle(BTC).await;
    let (qtys, bars) = busy_two_minutes(&rig).await; // the consumer reads nothing meanwhile
    let (trades, klines) = drain(&mut rig, qtys.len(), bars.len()).await;
    assert_delivered_once_in_order(&trades, &qtys);
    assert_eq!(klines, bars, "every kline, in order");
    until("the book matches", || book_matches(&rig, BTC)).await;
    let latest: Vec<MarketEvent> = std::iter::from_fn(|| rig.feed.take_latest()).collect();
    let theirs = rig.fake.book(BTC);
    let [MarketEvent::Book(book), MarketEvent::Ticker(ticker)] = &latest[..] else {
        panic!("one book and one ticker, coalesced: {latest:?}");
    };
    assert_eq!(book.seq(), Some(theirs.last_update_id), "the latest book");
    assert_eq!(
        (ticker.ask, ticker.ask_qty),
        theirs.asks[0],
        "the latest ticker"
    );
    let stats = rig.fake.ws_stats();
    assert!(stats.pings_sent >= 6, "{stats:?}");
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
