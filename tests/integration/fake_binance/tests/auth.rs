//! Authentication of SIGNED endpoints: the documented signature vectors, refusals with
//! Binance's codes, the timestamp window against the fake's (skewable) clock, Ed25519 keys.

use super::super::{FakeBinance, SymbolSpec, TestEd25519, hmac_hex, percent_encode};
use super::support::Rest;
use tickdesk::clock::TokioClock;

const DOC_TIME: i64 = 1_499_827_319_559;
const DOC_PAYLOAD: &str = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";

/// A fake whose clock reads the documentation's timestamp, with LTCBTC listed and BTC to spend.
async fn doc_fake() -> FakeBinance {
    let fake = FakeBinance::start(TokioClock::starting_at(DOC_TIME + 100)).await;
    fake.add_symbol(SymbolSpec::new(
        "LTCBTC", "LTC", "BTC", "0.000001", "0.001", "0.0001",
    ));
    fake.set_balance("BTC", "1");
    fake
}

#[tokio::test(start_paused = true)]
async fn the_documented_signature_vectors_are_accepted() {
    let fake = doc_fake().await;
    let rest = Rest::new(&fake);
    let sig = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    assert_eq!(hmac_hex(&rest.secret, DOC_PAYLOAD), sig);
    let as_body = rest
        .raw(
            "POST",
            "/api/v3/order",
            "",
            &format!("{DOC_PAYLOAD}&signature={sig}"),
        )
        .await;
    let as_query = rest
        .raw(
            "POST",
            "/api/v3/order",
            &format!("{DOC_PAYLOAD}&signature={sig}"),
            "",
        )
        .await;
    let mixed = rest
        .raw(
            "POST",
            "/api/v3/order",
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
        )
        .await;
    for r in [&as_body, &as_query, &mixed] {
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "NEW");
        assert_eq!(r.body["origQty"], "1.00000000");
    }
    assert_eq!(fake.open_orders().len(), 3);
    assert_eq!(
        fake.balance("BTC").locked.to_string(),
        "0.3",
        "0.1 BTC locked per order"
    );
}

#[tokio::test(start_paused = true)]
async fn bad_keys_signatures_and_params_are_refused_with_binances_codes() {
    let fake = doc_fake().await;
    let mut rest = Rest::new(&fake);
    let wrong = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b72";
    let r = rest
        .raw(
            "POST",
            "/api/v3/order",
            &format!("{DOC_PAYLOAD}&signature={wrong}"),
            "",
        )
        .await;
    assert_eq!((r.status, r.code()), (400, Some(-1022)));
    let upper = "C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71";
    let r = rest
        .raw(
            "POST",
            "/api/v3/order",
            &format!("{DOC_PAYLOAD}&signature={upper}"),
            "",
        )
        .await;
    assert_eq!(
        r.status, 200,
        "HMAC signatures are case-insensitive: {:?}",
        r.body
    );
    let r = rest.raw("POST", "/api/v3/order", DOC_PAYLOAD, "").await;
    assert_eq!(r.code(), Some(-1102), "no signature");
    let r = rest
        .signed(
            &fake,
            "POST",
            "/api/v3/order",
            "symbol=LTCBTC&side=BUY&type=LIMIT&quantity=1&price=0.1",
        )
        .await;
    assert_eq!(
        r.code(),
        Some(-1102),
        "LIMIT needs timeInForce: {:?}",
        r.body
    );
    assert!(r.body["msg"].as_str().unwrap().contains("timeInForce"));
    rest.key = "nobody".to_string();
    let r = rest.signed(&fake, "GET", "/api/v3/account", "").await;
    assert_eq!((r.status, r.code()), (401, Some(-2015)));
    assert_eq!(
        fake.open_orders().len(),
        1,
        "only the good request placed an order"
    );
}

#[tokio::test(start_paused = true)]
async fn timestamps_outside_the_window_get_1021() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    let rest = Rest::new(&fake);
    assert_eq!(
        rest.signed(&fake, "GET", "/api/v3/account", "")
            .await
            .status,
        200
    );
    let old = fake.now() - 6000;
    let payload = format!("timestamp={old}");
    let q = format!("{payload}&signature={}", hmac_hex(&rest.secret, &payload));
    let r = rest.raw("GET", "/api/v3/account", &q, "").await;
    assert_eq!(r.code(), Some(-1021), "6 s old with the default 5 s window");
    let payload = format!("recvWindow=10000&timestamp={old}");
    let q = format!("{payload}&signature={}", hmac_hex(&rest.secret, &payload));
    assert_eq!(rest.raw("GET", "/api/v3/account", &q, "").await.status, 200);
    let ahead = fake.now() + 1000;
    let payload = format!("timestamp={ahead}");
    let q = format!("{payload}&signature={}", hmac_hex(&rest.secret, &payload));
    let r = rest.raw("GET", "/api/v3/account", &q, "").await;
    assert!(
        r.body["msg"].as_str().unwrap().contains("ahead"),
        "{:?}",
        r.body
    );
    let client_time = fake.now();
    fake.set_skew_ms(-2000);
    let payload = format!("timestamp={client_time}");
    let q = format!("{payload}&signature={}", hmac_hex(&rest.secret, &payload));
    assert_eq!(
        rest.raw("GET", "/api/v3/account", &q, "").await.code(),
        Some(-1021),
        "server clock behind"
    );
    let time = rest.get("/api/v3/time", "").await;
    assert_eq!(time.body["serverTime"].as_i64(), Some(client_time - 2000));
}

#[tokio::test(start_paused = true)]
async fn ed25519_signatures_are_base64_percent_encoded() {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    let key = TestEd25519::from_seed([7; 32]);
    fake.add_ed25519_key("ed-key", &key.public_key());
    let mut rest = Rest::new(&fake);
    rest.key = "ed-key".to_string();
    let payload = format!("omitZeroBalances=true&timestamp={}", fake.now());
    let sig = key.sign_base64(&payload);
    let r = rest
        .raw(
            "GET",
            "/api/v3/account",
            &format!("{payload}&signature={}", percent_encode(&sig)),
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let other = TestEd25519::from_seed([8; 32]).sign_base64(&payload);
    let r = rest
        .raw(
            "GET",
            "/api/v3/account",
            &format!("{payload}&signature={}", percent_encode(&other)),
            "",
        )
        .await;
    assert_eq!(r.code(), Some(-1022));
}
