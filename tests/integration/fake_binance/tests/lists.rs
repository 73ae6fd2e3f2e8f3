//! Stop orders, OCO lists, cancels and client order ids, numbers as JSON numbers.

use super::super::{Side, Status};
use super::orders::{d, n, order, rig};

#[tokio::test(start_paused = true)]
async fn a_stop_loss_limit_triggers_on_a_trade_and_sells_into_the_bids() {
    let (fake, rest) = rig().await;
    fake.trade("BTCUSDT", "49995", "0.01");
    let now = order(
        &fake,
        &rest,
        "side=SELL&type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.5&price=50000&stopPrice=50000",
    )
    .await;
    assert_eq!(now["msg"], "Order would trigger immediately.");
    let r = order(&fake, &rest, "side=SELL&type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.5&price=49900&stopPrice=49990&newClientOrderId=sl").await;
    assert_eq!(
        r.as_object().unwrap().len(),
        5,
        "STOP_LOSS_LIMIT answers ACK by default: {r}"
    );
    let q = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=sl",
        )
        .await
        .body;
    assert_eq!(
        (q["status"].as_str(), q["isWorking"].as_bool()),
        (Some("NEW"), Some(false))
    );
    assert_eq!(fake.balance("BTC").locked, n("0.5"));
    fake.trade("BTCUSDT", "49991", "0.01");
    assert_eq!(
        fake.orders()[0].status,
        Status::New,
        "49991 is above the stop"
    );
    fake.trade("BTCUSDT", "49990", "0.01");
    let q = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=sl",
        )
        .await
        .body;
    assert_eq!(
        (q["status"].as_str(), q["isWorking"].as_bool()),
        (Some("FILLED"), Some(true))
    );
    assert_eq!(
        d(&q["cummulativeQuoteQty"]),
        n("49990") * n("0.5"),
        "took the bid, not its limit"
    );
    assert_eq!(fake.book("BTCUSDT").bids, [(n("49990"), n("0.5"))]);
    assert_eq!(fake.balance("BTC").locked, n("0"));
}

#[tokio::test(start_paused = true)]
async fn an_oco_holds_one_lock_and_one_leg_expires_the_other() {
    let (fake, rest) = rig().await;
    fake.trade("BTCUSDT", "50000", "0.01");
    let params = "symbol=BTCUSDT&side=SELL&quantity=0.4&listClientOrderId=exit\
        &aboveType=LIMIT_MAKER&abovePrice=51000&aboveClientOrderId=tp\
        &belowType=STOP_LOSS_LIMIT&belowStopPrice=49000&belowPrice=48900&belowTimeInForce=GTC&belowClientOrderId=sl";
    let r = rest
        .signed(&fake, "POST", "/api/v3/orderList/oco", params)
        .await;
    assert_eq!(
        (r.status, r.body["contingencyType"].as_str()),
        (200, Some("OCO")),
        "{:?}",
        r.body
    );
    assert_eq!(r.header("x-mbx-order-count-10s"), Some("2"));
    let reports = r.body["orderReports"].as_array().unwrap();
    let types: Vec<&str> = reports
        .iter()
        .map(|o| o["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]);
    assert_eq!(
        fake.balance("BTC").locked,
        n("0.4"),
        "one lock for both legs"
    );
    assert_eq!(
        fake.book("BTCUSDT").asks.last(),
        Some(&(n("51000"), n("0.4")))
    );
    fake.trade("BTCUSDT", "51000", "0.1");
    let tp = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=tp",
        )
        .await
        .body;
    let sl = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=sl",
        )
        .await
        .body;
    assert_eq!(
        (tp["status"].as_str(), sl["status"].as_str()),
        (Some("PARTIALLY_FILLED"), Some("EXPIRED"))
    );
    assert_eq!(
        fake.balance("BTC").locked,
        n("0.3"),
        "the lock followed the live leg"
    );
    let list = rest
        .signed(&fake, "GET", "/api/v3/orderList", "listClientOrderId=exit")
        .await
        .body;
    assert_eq!(list["listOrderStatus"], "EXECUTING");
    fake.trade("BTCUSDT", "51000", "1");
    let list = rest
        .signed(&fake, "GET", "/api/v3/orderList", "listClientOrderId=exit")
        .await
        .body;
    assert_eq!(list["listOrderStatus"], "ALL_DONE");
    assert_eq!(fake.balance("BTC").locked, n("0"));
    assert_eq!(fake.balance("BTC").free, n("0.6"));
}

#[tokio::test(start_paused = true)]
async fn cancels_queries_and_client_order_ids() {
    let (fake, rest) = rig().await;
    let bid = "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=49000&newClientOrderId=x1";
    assert_eq!(order(&fake, &rest, bid).await["status"], "NEW");
    let dup = order(&fake, &rest, bid).await;
    assert_eq!(
        (dup["code"].as_i64(), dup["msg"].as_str()),
        (Some(-2010), Some("Duplicate order sent."))
    );
    let c = rest
        .signed(
            &fake,
            "DELETE",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=x1&newClientOrderId=c1",
        )
        .await
        .body;
    assert_eq!(
        (
            c["status"].as_str(),
            c["origClientOrderId"].as_str(),
            c["clientOrderId"].as_str()
        ),
        (Some("CANCELED"), Some("x1"), Some("c1"))
    );
    assert_eq!(fake.balance("USDT").locked, n("0"));
    let again = rest
        .signed(
            &fake,
            "DELETE",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=x1",
        )
        .await;
    assert_eq!(again.code(), Some(-2011));
    assert_eq!(
        order(&fake, &rest, bid).await["status"],
        "NEW",
        "a closed order's id may be reused"
    );
    let missing = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&orderId=999999",
        )
        .await;
    assert_eq!(missing.code(), Some(-2013));
    let neither = rest
        .signed(&fake, "GET", "/api/v3/order", "symbol=BTCUSDT")
        .await;
    assert_eq!(neither.code(), Some(-1102));
    let ask = "side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=51000";
    order(&fake, &rest, ask).await;
    let open = rest
        .signed(&fake, "GET", "/api/v3/openOrders", "symbol=BTCUSDT")
        .await
        .body;
    assert_eq!(open.as_array().unwrap().len(), 2);
    let all = rest
        .signed(&fake, "DELETE", "/api/v3/openOrders", "symbol=BTCUSDT")
        .await
        .body;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert!(fake.open_orders().is_empty());
    let none = rest
        .signed(&fake, "DELETE", "/api/v3/openOrders", "symbol=BTCUSDT")
        .await;
    assert_eq!(none.code(), Some(-2011));
    assert_eq!(
        fake.book("BTCUSDT").bids,
        [(n("49990"), n("1"))],
        "own orders left the book"
    );
    let sides: Vec<Side> = fake.orders().iter().map(|o| o.side).collect();
    assert_eq!(sides, [Side::Buy, Side::Buy, Side::Sell]);
}

#[tokio::test(start_paused = true)]
async fn numbers_can_come_as_json_numbers() {
    let (fake, rest) = rig().await;
    fake.numbers_as_json(true);
    let r = order(&fake, &rest, "side=BUY&type=MARKET&quantity=0.1").await;
    assert_eq!(r["executedQty"].as_f64(), Some(0.1));
    assert_eq!(r["fills"][0]["price"].as_f64(), Some(50000.0));
    let depth = rest
        .get("/api/v3/depth", "symbol=BTCUSDT&limit=5")
        .await
        .body;
    assert_eq!(depth["asks"][0][1].as_f64(), Some(0.4));
    let account = rest
        .signed(&fake, "GET", "/api/v3/account", "omitZeroBalances=true")
        .await
        .body;
    assert!(
        account["balances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["free"].is_number())
    );
}

#[tokio::test(start_paused = true)]
async fn a_take_profit_buy_waits_for_the_price_to_fall_then_rests() {
    let (fake, rest) = rig().await;
    fake.trade("BTCUSDT", "50000", "0.01");
    let tp = "side=BUY&type=TAKE_PROFIT_LIMIT&timeInForce=GTC&quantity=0.1&price=49010&stopPrice=49000&newClientOrderId=tp";
    assert_eq!(order(&fake, &rest, tp).await["clientOrderId"], "tp");
    assert_eq!(fake.balance("USDT").locked, n("49010") * n("0.1"));
    fake.trade("BTCUSDT", "49500", "0.01");
    assert!(!fake.orders()[0].working, "49500 is above the stop");
    fake.trade("BTCUSDT", "49000", "0.01");
    let q = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=tp",
        )
        .await
        .body;
    assert_eq!(
        (q["status"].as_str(), q["isWorking"].as_bool()),
        (Some("NEW"), Some(true))
    );
    assert!(
        fake.book("BTCUSDT").bids.contains(&(n("49010"), n("0.1"))),
        "rests at its limit"
    );
}
