//! The connection's life: a dropped socket, server pings, a silent stall, the 24-hour cut (our
//! planned switch, and the server's cut arriving first) and `serverShutdown`.

use super::support::*;

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
    fake.set_ws_config(WsConfig {
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
