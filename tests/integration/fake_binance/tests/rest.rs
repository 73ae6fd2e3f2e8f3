//! REST conventions: weights and headers, `exchangeInfo`, scripted faults and bans.

use super::super::{FakeBinance, Fault, hmac_hex};
use super::support::Rest;
use std::time::Duration;
use tickdesk::clock::TokioClock;

#[tokio::test(start_paused = true)]
async fn weights_and_order_counts_are_reported_in_headers() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    fake.set_balance("USDT", "1000");
    let rest = Rest::new(&fake);
    let used = |r: &super::support::Reply| {
        r.header("x-mbx-used-weight-1m")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let info = rest.get("/api/v3/exchangeInfo", "").await;
    assert_eq!(used(&info), 20);
    let depth = rest.get("/api/v3/depth", "symbol=BTCUSDT&limit=1000").await;
    assert_eq!(used(&depth), 70);
    let order = rest
        .signed(
            &fake,
            "POST",
            "/api/v3/order",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000",
        )
        .await;
    assert_eq!((order.status, used(&order)), (200, 71));
    assert_eq!(order.header("x-mbx-order-count-10s"), Some("1"));
    assert_eq!(order.header("x-mbx-order-count-1d"), Some("1"));
    let open = rest.signed(&fake, "GET", "/api/v3/openOrders", "").await;
    assert_eq!(used(&open), 151, "openOrders without a symbol weighs 80");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(used(&rest.get("/api/v3/ping", "").await), 1, "a new minute");
    fake.order_limits(1, 10);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let q = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000";
    assert_eq!(
        rest.signed(&fake, "POST", "/api/v3/order", q).await.status,
        200
    );
    let over = rest.signed(&fake, "POST", "/api/v3/order", q).await;
    assert_eq!((over.status, over.code()), (429, Some(-1015)));
    let wait: u64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=10).contains(&wait),
        "until the 10-second window ends: {wait}"
    );
}

#[tokio::test(start_paused = true)]
async fn exchange_info_publishes_the_filters() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    let rest = Rest::new(&fake);
    let info = rest
        .get("/api/v3/exchangeInfo", "symbol=ETHUSDT")
        .await
        .body;
    let eth = &info["symbols"][0];
    assert_eq!(
        (eth["symbol"].as_str(), eth["status"].as_str()),
        (Some("ETHUSDT"), Some("TRADING"))
    );
    let filter = |t: &str| {
        eth["filters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["filterType"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(filter("PRICE_FILTER")["tickSize"], "0.01000000");
    assert_eq!(filter("LOT_SIZE")["stepSize"], "0.00010000");
    assert_eq!(filter("MARKET_LOT_SIZE")["maxQty"], "3000.00000000");
    assert_eq!(filter("NOTIONAL")["minNotional"], "5.00000000");
    assert_eq!(info["rateLimits"][0]["limit"], 6000);
    let both = rest
        .get(
            "/api/v3/exchangeInfo",
            "symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D",
        )
        .await;
    assert_eq!(both.body["symbols"].as_array().unwrap().len(), 2);
    let unknown = rest.get("/api/v3/exchangeInfo", "symbol=NOPE").await;
    assert_eq!((unknown.status, unknown.code()), (400, Some(-1121)));
    fake.numbers_as_json(true);
    let info = rest
        .get("/api/v3/exchangeInfo", "symbol=BTCUSDT")
        .await
        .body;
    assert_eq!(
        info["symbols"][0]["filters"][0]["tickSize"].as_f64(),
        Some(0.01)
    );
}

#[tokio::test(start_paused = true)]
async fn a_scripted_ban_refuses_everything_until_it_ends() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    let rest = Rest::new(&fake);
    fake.fail(
        "GET /api/v3/time",
        [
            Fault::RateLimited {
                retry_after_secs: 7,
            },
            Fault::Banned {
                retry_after_secs: 30,
            },
        ],
    );
    let r = rest.get("/api/v3/time", "").await;
    assert_eq!(
        (r.status, r.code(), r.header("retry-after")),
        (429, Some(-1003), Some("7"))
    );
    tokio::time::sleep(Duration::from_secs(7)).await;
    let r = rest.get("/api/v3/time", "").await;
    assert_eq!((r.status, r.header("retry-after")), (418, Some("30")));
    assert_eq!(fake.retry_after_violations(), 0);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let r = rest.get("/api/v3/ping", "").await;
    assert_eq!(
        (r.status, r.header("retry-after")),
        (418, Some("20")),
        "still banned, on every route"
    );
    assert_eq!(fake.requests_while_banned(), 1);
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(rest.get("/api/v3/ping", "").await.status, 200);
}

#[tokio::test(start_paused = true)]
async fn requests_that_ignore_retry_after_are_counted_and_may_earn_a_ban() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    let rest = Rest::new(&fake);
    fake.weight_limit(2);
    fake.ban_on_violation(Some(120));
    assert_eq!(rest.get("/api/v3/ping", "").await.status, 200);
    assert_eq!(rest.get("/api/v3/ping", "").await.status, 200);
    let wait = 60 - fake.now().rem_euclid(60_000) / 1000;
    let r = rest.get("/api/v3/ping", "").await;
    assert_eq!(
        (r.status, r.header("retry-after")),
        (429, Some(wait.to_string().as_str()))
    );
    let r = rest.get("/api/v3/ping", "").await;
    assert_eq!((r.status, r.header("retry-after")), (418, Some("120")));
    assert_eq!(
        (fake.over_limit_429s(), fake.retry_after_violations()),
        (1, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn faults_before_execution_change_nothing_and_after_it_the_order_exists() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    fake.set_balance("USDT", "1000");
    fake.set_book("BTCUSDT", &[("49999", "1")], &[("50000", "1")]);
    let rest = Rest::new(&fake);
    let q = |id: &str| {
        format!("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&newClientOrderId={id}")
    };
    fake.fail(
        "POST /api/v3/order",
        [
            Fault::ServerError,
            Fault::ExecutedThenServerError,
            Fault::Reject {
                code: -2010,
                msg: "Market is closed.".into(),
            },
            Fault::InvalidTimestamp,
            Fault::BackendTimeout { executed: true },
        ],
    );
    assert_eq!(
        rest.signed(&fake, "POST", "/api/v3/order", &q("a"))
            .await
            .status,
        502
    );
    assert_eq!(
        rest.signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=a"
        )
        .await
        .code(),
        Some(-2013)
    );
    assert_eq!(
        rest.signed(&fake, "POST", "/api/v3/order", &q("b"))
            .await
            .status,
        502
    );
    let b = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=b",
        )
        .await;
    assert_eq!(
        (b.body["status"].as_str(), b.body["executedQty"].as_str()),
        (Some("FILLED"), Some("0.00100000"))
    );
    let c = rest.signed(&fake, "POST", "/api/v3/order", &q("c")).await;
    assert_eq!(
        (c.status, c.code(), c.body["msg"].as_str()),
        (400, Some(-2010), Some("Market is closed."))
    );
    let d = rest.signed(&fake, "POST", "/api/v3/order", &q("d")).await;
    assert_eq!((d.status, d.code()), (400, Some(-1021)));
    let e = rest.signed(&fake, "POST", "/api/v3/order", &q("e")).await;
    assert_eq!((e.status, e.code()), (503, Some(-1007)));
    let placed: Vec<String> = fake.orders().into_iter().map(|o| o.client_id).collect();
    assert_eq!(
        placed,
        ["b", "e"],
        "only the faults after execution placed an order"
    );
    let ids: Vec<String> = fake
        .submissions()
        .iter()
        .map(|p| p["newClientOrderId"].clone())
        .collect();
    assert_eq!(
        ids,
        ["a", "b", "c", "d", "e"],
        "every order request that arrived is on record"
    );
    let calls = fake.calls();
    let posts = calls
        .iter()
        .filter(|c| c.path == "/api/v3/order" && c.method == "POST");
    let statuses: Vec<u16> = posts.map(|c| c.status).collect();
    assert_eq!(statuses, [502, 502, 400, 400, 503]);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_or_slow_answer_hides_the_outcome() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    fake.set_balance("USDT", "1000");
    fake.set_book("BTCUSDT", &[], &[("50000", "1")]);
    let rest = Rest::new(&fake);
    fake.fail(
        "POST /api/v3/order",
        [
            Fault::ExecutedThenDrop,
            Fault::ExecutedThenSlow(Duration::from_secs(30)),
        ],
    );
    let q = "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001";
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let payload = format!("{q}&timestamp={}", fake.now());
    let url = format!(
        "{}/api/v3/order?{payload}&signature={}",
        fake.url(),
        hmac_hex(&rest.secret, &payload)
    );
    let dropped = http
        .post(&url)
        .header("X-MBX-APIKEY", &rest.key)
        .send()
        .await;
    assert!(dropped.is_err(), "connection closed without an answer");
    let slow = http
        .post(&url)
        .header("X-MBX-APIKEY", &rest.key)
        .send()
        .await;
    assert!(slow.unwrap_err().is_timeout());
    assert_eq!(fake.orders().len(), 2, "both were executed");
}
