//! Market streams: depth diffs that rebuild the fake's book from a snapshot, scripted gaps, raw and
//! combined connections, control messages, pings, the lifetime cut, stalls and disconnects.

use super::super::{Closed, FakeBinance, Side, WsConfig};
use super::support::{Rest, Ws, connect, json, next_json, send};
use futures_util::StreamExt;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::{collections::BTreeMap, str::FromStr, time::Duration};
use tickdesk::clock::TokioClock;
use tickdesk::market::{Candle, Interval};

type Side2 = BTreeMap<Decimal, Decimal>;

fn levels(v: &Value) -> Vec<(Decimal, Decimal)> {
    let num = |x: &Value| Decimal::from_str(x.as_str().unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| (num(&l[0]), num(&l[1])))
        .collect()
}

fn apply(book: &mut Side2, changes: &[(Decimal, Decimal)]) {
    for (p, q) in changes {
        if q.is_zero() {
            book.remove(p);
        } else {
            book.insert(*p, *q);
        }
    }
}

async fn fake() -> FakeBinance {
    FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await
}

#[tokio::test(start_paused = true)]
async fn depth_diffs_are_consecutive_and_rebuild_the_book() {
    let fake = fake().await;
    fake.set_book("BTCUSDT", &[("100", "1"), ("99", "2")], &[("101", "1")]);
    let mut ws = connect(
        &fake,
        "/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker",
    )
    .await;
    let snap = Rest::new(&fake)
        .get("/api/v3/depth", "symbol=BTCUSDT&limit=5000")
        .await
        .body;
    let (mut bids, mut asks) = (Side2::new(), Side2::new());
    apply(&mut bids, &levels(&snap["bids"]));
    apply(&mut asks, &levels(&snap["asks"]));
    let mut last = snap["lastUpdateId"].as_u64().unwrap();
    fake.change_book(
        "BTCUSDT",
        &[
            (Side::Buy, "100", "0"),
            (Side::Buy, "98", "5"),
            (Side::Sell, "101", "3"),
        ],
    );
    fake.set_level("BTCUSDT", Side::Sell, "102", "4");
    fake.set_book("BTCUSDT", &[("97", "1")], &[("103", "1")]);
    let mut tickers = 0;
    while last < fake.book("BTCUSDT").last_update_id {
        let frame = json(&mut ws).await;
        if frame["stream"] == "btcusdt@bookTicker" {
            tickers += 1;
            continue;
        }
        assert_eq!(frame["stream"], "btcusdt@depth@100ms");
        let data = &frame["data"];
        assert_eq!(data["e"], "depthUpdate");
        assert_eq!(data["U"].as_u64(), Some(last + 1), "no gap: {data}");
        assert!(data["u"].as_u64().unwrap() > last);
        last = data["u"].as_u64().unwrap();
        apply(&mut bids, &levels(&data["b"]));
        apply(&mut asks, &levels(&data["a"]));
    }
    while let Some(frame) = next_json(&mut ws, Duration::from_secs(1)).await {
        assert_eq!(
            frame["stream"], "btcusdt@bookTicker",
            "no diff past the book: {frame}"
        );
        tickers += 1;
    }
    let book = fake.book("BTCUSDT");
    assert_eq!(bids.into_iter().rev().collect::<Vec<_>>(), book.bids);
    assert_eq!(asks.into_iter().collect::<Vec<_>>(), book.asks);
    assert_eq!(
        tickers, 2,
        "the top moved on the first and last change only"
    );
}

#[tokio::test(start_paused = true)]
async fn dropped_diffs_leave_a_gap_in_update_ids() {
    let fake = fake().await;
    let mut ws = connect(&fake, "/ws/ethusdt@depth").await;
    fake.set_level("ETHUSDT", Side::Buy, "2000", "1");
    let first = json(&mut ws).await;
    fake.drop_depth_diffs("ETHUSDT", 2);
    fake.set_level("ETHUSDT", Side::Buy, "2001", "1");
    fake.set_level("ETHUSDT", Side::Buy, "2002", "1");
    fake.set_level("ETHUSDT", Side::Buy, "2003", "1");
    let next = json(&mut ws).await;
    assert_eq!(
        first["e"], "depthUpdate",
        "raw streams carry the payload itself"
    );
    assert_eq!(
        next["U"].as_u64(),
        Some(first["u"].as_u64().unwrap() + 3),
        "two diffs missing"
    );
    assert_eq!(levels(&next["b"]), [(Decimal::from(2003), Decimal::ONE)]);
}

#[tokio::test(start_paused = true)]
async fn control_messages_and_trade_and_kline_streams() {
    let fake = fake().await;
    let mut ws = connect(&fake, "/ws").await;
    send(
        &mut ws,
        json!({"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade", "btcusdt@kline_1m"], "id": 1}),
    )
    .await;
    assert_eq!(json(&mut ws).await, json!({"result": null, "id": 1}));
    send(&mut ws, json!({"method": "LIST_SUBSCRIPTIONS", "id": "x"})).await;
    assert_eq!(
        json(&mut ws).await,
        json!({"result": ["btcusdt@aggTrade", "btcusdt@kline_1m"], "id": "x"})
    );
    fake.trade("BTCUSDT", "50000.5", "0.25");
    let t = json(&mut ws).await;
    assert_eq!(
        (t["e"].as_str(), t["p"].as_str(), t["q"].as_str()),
        (Some("aggTrade"), Some("50000.50000000"), Some("0.25000000"))
    );
    let candle = Candle {
        open_time: 1_700_000_000_000,
        open: 1.0,
        high: 2.0,
        low: 0.5,
        close: 1.5,
        volume: 10.0,
    };
    fake.kline("BTCUSDT", Interval::M1, &candle, true);
    let k = json(&mut ws).await;
    assert_eq!(
        (
            k["k"]["i"].as_str(),
            k["k"]["x"].as_bool(),
            k["k"]["c"].as_str()
        ),
        (Some("1m"), Some(true), Some("1.50000000"))
    );
    assert_eq!(k["k"]["T"].as_i64(), Some(candle.open_time + 59_999));
    send(
        &mut ws,
        json!({"method": "SET_PROPERTY", "params": ["combined", true], "id": 2}),
    )
    .await;
    json(&mut ws).await;
    send(
        &mut ws,
        json!({"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 3}),
    )
    .await;
    json(&mut ws).await;
    fake.trade("BTCUSDT", "50001", "1");
    assert_eq!(
        json(&mut ws).await["stream"],
        "btcusdt@aggTrade",
        "combined now"
    );
    send(&mut ws, json!({"method": "NOPE", "id": 4})).await;
    assert_eq!(json(&mut ws).await["error"]["code"], 2);
}

async fn read_for(ws: &mut Ws, d: Duration) {
    let _ = next_json(ws, d).await;
}

#[tokio::test(start_paused = true)]
async fn pings_are_sent_and_a_silent_client_is_dropped() {
    let fake = fake().await;
    fake.set_ws_config(WsConfig {
        ping_every: Duration::from_secs(5),
        pong_timeout: Duration::from_secs(12),
        ..WsConfig::default()
    });
    let mut polite = connect(&fake, "/ws/btcusdt@depth").await;
    let mut rude = connect(&fake, "/ws/btcusdt@depth").await;
    read_for(&mut polite, Duration::from_secs(40)).await;
    let stats = fake.ws_stats();
    assert!(
        stats.pings_sent >= 7 + 3,
        "every 5 s, until the silent one was dropped: {stats:?}"
    );
    assert!(
        stats.pongs_received >= 7,
        "the reading client answered: {stats:?}"
    );
    assert_eq!(
        stats.closed,
        [(2, Closed::PongTimeout)],
        "only the one that never read"
    );
    let mut saw_ping = false;
    while let Some(Ok(msg)) = rude.next().await {
        saw_ping |= msg.is_ping();
    }
    assert!(saw_ping);
}

#[tokio::test(start_paused = true)]
async fn connections_are_cut_at_their_lifetime_and_on_command() {
    let fake = fake().await;
    fake.set_ws_config(WsConfig {
        max_lifetime: Duration::from_secs(30),
        ..WsConfig::default()
    });
    let mut ws = connect(&fake, "/ws/btcusdt@depth").await;
    let t0 = tokio::time::Instant::now();
    assert_eq!(next_json(&mut ws, Duration::from_secs(60)).await, None);
    assert!(t0.elapsed() >= Duration::from_secs(30));
    assert_eq!(fake.ws_stats().closed, [(1, Closed::Lifetime)]);
    let mut a = connect(&fake, "/ws/btcusdt@depth").await;
    let mut b = connect(&fake, "/ws-api/v3").await;
    fake.server_shutdown();
    assert_eq!(json(&mut a).await["e"], "serverShutdown");
    assert_eq!(json(&mut b).await["e"], "serverShutdown");
    fake.disconnect_all();
    assert_eq!(next_json(&mut a, Duration::from_secs(1)).await, None);
    assert_eq!(next_json(&mut b, Duration::from_secs(1)).await, None);
    let closed: Vec<Closed> = fake.ws_stats().closed.iter().map(|c| c.1).collect();
    assert_eq!(closed, [Closed::Lifetime, Closed::Killed, Closed::Killed]);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_connection_goes_silent_while_new_ones_work() {
    let fake = fake().await;
    let mut old = connect(&fake, "/ws/btcusdt@depth").await;
    fake.stall();
    let mut new = connect(&fake, "/ws/btcusdt@depth").await;
    let pings_before = fake.ws_stats().pings_sent;
    fake.set_level("BTCUSDT", Side::Buy, "100", "1");
    assert_eq!(json(&mut new).await["e"], "depthUpdate");
    assert_eq!(
        next_json(&mut old, Duration::from_secs(50)).await,
        None,
        "no data, no close"
    );
    let stats = fake.ws_stats();
    assert!(
        stats.closed.is_empty(),
        "the stalled socket is still open: {stats:?}"
    );
    assert!(
        stats.pings_sent > pings_before,
        "the new connection is pinged"
    );
    assert_eq!(fake.open_connections(super::super::ConnKind::Market), 2);
}

#[tokio::test(start_paused = true)]
async fn unknown_paths_are_refused() {
    let fake = fake().await;
    let r = tokio_tungstenite::connect_async(format!("{}/nope", fake.ws_url())).await;
    assert!(r.is_err());
    let r = tokio_tungstenite::connect_async(format!("{}/api/v3/time", fake.ws_url())).await;
    assert!(r.is_err());
}

#[tokio::test(start_paused = true)]
async fn more_than_five_messages_a_second_get_the_client_dropped() {
    let fake = fake().await;
    let mut ws = connect(&fake, "/ws").await;
    for id in 0..6 {
        send(&mut ws, json!({"method": "LIST_SUBSCRIPTIONS", "id": id})).await;
    }
    let mut replies = 0;
    while next_json(&mut ws, Duration::from_secs(1)).await.is_some() {
        replies += 1;
    }
    assert_eq!(replies, 5);
    assert_eq!(fake.ws_stats().closed, [(1, Closed::TooManyMessages)]);
}
