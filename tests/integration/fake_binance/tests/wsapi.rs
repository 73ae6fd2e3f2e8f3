//! The WebSocket API: logon with Ed25519, user-data subscriptions (by logon or by signature),
//! execution reports for orders placed over REST, termination, rate-limit answers and outages.

use super::super::{DOC_API_KEY, DOC_SECRET, FakeBinance, Fault, TestEd25519, hmac_hex};
use super::support::{Rest, Ws, connect, json, next_json, send};
use serde_json::{Value, json};
use std::time::Duration;
use tickdesk::clock::TokioClock;

/// A fake with a book and funds. (Pings stay at 20 s: the paused clock jumps to the next timer
/// whenever the runtime waits on a socket, so a long ping interval would make long jumps.)
async fn rig() -> FakeBinance {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    fake.set_balance("USDT", "100000");
    fake.set_book("BTCUSDT", &[("49990", "1")], &[("50000", "1")]);
    fake
}

async fn request(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    send(ws, json!({"id": id, "method": method, "params": params})).await;
    let reply = json(ws).await;
    assert_eq!(reply["id"], id, "{reply}");
    reply
}

/// `userDataStream.subscribe.signature` params signed with the doc HMAC key.
fn signature_params(fake: &FakeBinance, secret: &str) -> Value {
    let ts = fake.now();
    let payload = format!("apiKey={DOC_API_KEY}&timestamp={ts}");
    json!({"apiKey": DOC_API_KEY, "timestamp": ts, "signature": hmac_hex(secret, &payload)})
}

#[tokio::test(start_paused = true)]
async fn an_ed25519_session_subscribes_and_gets_execution_reports() {
    let fake = rig().await;
    let key = TestEd25519::from_seed([3; 32]);
    fake.add_ed25519_key("ed", &key.public_key());
    let mut ws = connect(&fake, "/ws-api/v3").await;
    let ts = fake.now();
    let sig = key.sign_base64(&format!("apiKey=ed&timestamp={ts}"));
    let logon = request(
        &mut ws,
        1,
        "session.logon",
        json!({"apiKey": "ed", "timestamp": ts, "signature": sig}),
    )
    .await;
    assert_eq!(
        (logon["status"].as_i64(), logon["result"]["apiKey"].as_str()),
        (Some(200), Some("ed")),
        "{logon}"
    );
    assert!(
        logon["rateLimits"][0]["count"].as_u64().unwrap() >= 4,
        "connection 2 + logon 2"
    );
    let sub = request(&mut ws, 2, "userDataStream.subscribe", json!({})).await;
    let id = sub["result"]["subscriptionId"].as_u64().unwrap();
    let rest = Rest::new(&fake);
    let r = rest
        .signed(
            &fake,
            "POST",
            "/api/v3/order",
            "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.1&newClientOrderId=m1",
        )
        .await;
    assert_eq!(r.status, 200);
    let mut reports = Vec::new();
    let mut position = None;
    while reports.len() < 2 || position.is_none() {
        let frame = json(&mut ws).await;
        assert_eq!(frame["subscriptionId"].as_u64(), Some(id));
        match frame["event"]["e"].as_str() {
            Some("executionReport") => reports.push(frame["event"].clone()),
            Some("outboundAccountPosition") => position = Some(frame["event"].clone()),
            other => panic!("unexpected {other:?}"),
        }
    }
    let xs: Vec<(&str, &str)> = reports
        .iter()
        .map(|e| (e["x"].as_str().unwrap(), e["X"].as_str().unwrap()))
        .collect();
    assert_eq!(xs, [("NEW", "NEW"), ("TRADE", "FILLED")]);
    let fields = "e E s c S o f q p P F g C x X r i l z L n N T t I w m M O Z Y Q V";
    for f in fields.split(' ') {
        assert!(
            reports[1].get(f).is_some(),
            "executionReport has {f}: {}",
            reports[1]
        );
    }
    assert_eq!(
        (reports[1]["c"].as_str(), reports[1]["L"].as_str()),
        (Some("m1"), Some("50000.00000000"))
    );
    let assets: Vec<&str> = position.as_ref().unwrap()["B"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["a"].as_str().unwrap())
        .collect();
    assert_eq!(assets, ["BTC", "USDT"]);
    let bye = request(&mut ws, 3, "userDataStream.unsubscribe", json!({})).await;
    assert_eq!(bye["status"], 200);
    assert_eq!(json(&mut ws).await["event"]["e"], "eventStreamTerminated");
    fake.deposit("USDT", "5");
    assert_eq!(
        next_json(&mut ws, Duration::from_secs(1)).await,
        None,
        "no events after unsubscribing"
    );
}

#[tokio::test(start_paused = true)]
async fn hmac_keys_subscribe_by_signature_but_cannot_log_on() {
    let fake = rig().await;
    let mut ws = connect(&fake, "/ws-api/v3").await;
    let params = signature_params(&fake, DOC_SECRET);
    let logon = request(&mut ws, 1, "session.logon", params.clone()).await;
    assert_eq!(logon["status"], 401, "{logon}");
    let before = request(&mut ws, 2, "userDataStream.subscribe", json!({})).await;
    assert_eq!(before["status"], 401, "no logon, no plain subscribe");
    let bad = request(
        &mut ws,
        3,
        "userDataStream.subscribe.signature",
        signature_params(&fake, "wrong"),
    )
    .await;
    assert_eq!(bad["error"]["code"], -1022);
    let ok = request(&mut ws, 4, "userDataStream.subscribe.signature", params).await;
    assert_eq!(ok["result"]["subscriptionId"], 0, "{ok}");
    fake.deposit("BTC", "0.5");
    let update = json(&mut ws).await;
    assert_eq!(
        (update["event"]["e"].as_str(), update["event"]["d"].as_str()),
        (Some("balanceUpdate"), Some("0.50000000"))
    );
    assert_eq!(json(&mut ws).await["event"]["e"], "outboundAccountPosition");
    let time = request(&mut ws, 5, "time", json!({})).await;
    let server = time["result"]["serverTime"].as_i64().unwrap();
    assert!(
        server <= fake.now() && server > fake.now() - 60_000,
        "{server}"
    );
}

#[tokio::test(start_paused = true)]
async fn rate_limit_answers_carry_retry_after_in_epoch_ms() {
    let fake = rig().await;
    let mut ws = connect(&fake, "/ws-api/v3").await;
    fake.fail(
        "WS ping",
        [
            Fault::RateLimited {
                retry_after_secs: 9,
            },
            Fault::Banned {
                retry_after_secs: 120,
            },
        ],
    );
    let r = request(&mut ws, 1, "ping", json!({})).await;
    assert_eq!(
        (r["status"].as_i64(), r["error"]["code"].as_i64()),
        (Some(429), Some(-1003))
    );
    let data = &r["error"]["data"];
    assert_eq!(
        data["retryAfter"].as_i64().unwrap() - data["serverTime"].as_i64().unwrap(),
        9000
    );
    tokio::time::sleep(Duration::from_secs(9)).await;
    let r = request(&mut ws, 2, "ping", json!({})).await;
    assert_eq!(r["status"], 418);
    let r = request(&mut ws, 3, "time", json!({})).await;
    assert_eq!(r["status"], 418, "the ban covers every method");
    let refused = tokio_tungstenite::connect_async(format!("{}/ws-api/v3", fake.ws_url())).await;
    assert!(refused.is_err(), "and new connections");
}

#[tokio::test(start_paused = true)]
async fn fills_during_an_outage_are_lost_to_the_socket_but_not_to_rest() {
    let fake = rig().await;
    let mut ws = connect(&fake, "/ws-api/v3").await;
    request(
        &mut ws,
        1,
        "userDataStream.subscribe.signature",
        signature_params(&fake, DOC_SECRET),
    )
    .await;
    let rest = Rest::new(&fake);
    rest.signed(&fake, "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.2&price=49000&newClientOrderId=r1").await;
    assert_eq!(json(&mut ws).await["event"]["x"], "NEW");
    fake.user_data_outage(true);
    assert_eq!(
        next_json(&mut ws, Duration::from_secs(1))
            .await
            .filter(|f| f["event"]["e"] == "executionReport"),
        None
    );
    fake.trade("BTCUSDT", "49000", "0.2");
    assert!(
        tokio_tungstenite::connect_async(format!("{}/ws-api/v3", fake.ws_url()))
            .await
            .is_err()
    );
    fake.user_data_outage(false);
    let mut again = connect(&fake, "/ws-api/v3").await;
    request(
        &mut again,
        1,
        "userDataStream.subscribe.signature",
        signature_params(&fake, DOC_SECRET),
    )
    .await;
    assert_eq!(
        next_json(&mut again, Duration::from_secs(1)).await,
        None,
        "the fill's events are gone"
    );
    let q = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=r1",
        )
        .await
        .body;
    assert_eq!(q["status"], "FILLED", "REST reconciliation finds it");
    let trades = rest
        .signed(&fake, "GET", "/api/v3/myTrades", "symbol=BTCUSDT")
        .await
        .body;
    assert_eq!(trades.as_array().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_server_can_end_a_subscription_and_the_socket_subscribes_again() {
    let fake = rig().await;
    let mut ws = connect(&fake, "/ws-api/v3").await;
    let params = signature_params(&fake, DOC_SECRET);
    request(&mut ws, 1, "userDataStream.subscribe.signature", params).await;
    fake.end_user_subscriptions();
    let end = json(&mut ws).await;
    assert_eq!(
        (end["subscriptionId"].as_u64(), end["event"]["e"].as_str()),
        (Some(0), Some("eventStreamTerminated"))
    );
    fake.deposit("USDT", "1");
    assert_eq!(
        next_json(&mut ws, Duration::from_secs(1)).await,
        None,
        "ended: no events"
    );
    let params = signature_params(&fake, DOC_SECRET);
    let again = request(&mut ws, 2, "userDataStream.subscribe.signature", params).await;
    assert_eq!(again["result"]["subscriptionId"], 1);
    fake.deposit("USDT", "1");
    assert_eq!(json(&mut ws).await["subscriptionId"], 1);
    assert_eq!(fake.ws_stats().opened.len(), 1, "the same socket");
}
