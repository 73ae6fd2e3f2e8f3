//! Fault scenarios for the trading client: an answer lost after the order executed (5xx, reset,
//! backend timeout, cut body, client timeout) is looked up and never resubmitted; one lost before
//! execution is resent once Binance confirms the order does not exist; `-1021` resyncs and
//! retries once; 429 pauses, 418 stops all sending; rejections keep Binance's code and message.
//! Every scenario ends with exactly one order per client id on the fake.

use super::{client_with, d, exit_oco, hmac_signer, id, limit, market_buy, rig};
use crate::fake_binance::Fault;
use std::time::Duration;
use tickdesk::binance::info::OrderContext;
use tickdesk::binance::wire::OrderState;
use tickdesk::binance::{RestError, TradeConfig, TradeError};
use tickdesk::core::Side;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn an_answer_lost_after_execution_is_looked_up_never_resubmitted() {
    let lost = [
        Fault::ExecutedThenServerError,
        Fault::ExecutedThenDrop,
        Fault::BackendTimeout { executed: true },
        Fault::Malformed,
        Fault::ExecutedThenSlow(Duration::from_secs(30)),
    ];
    let r = rig().await;
    for (n, fault) in (1..).zip(lost) {
        r.fake.fail("POST /api/v3/order", [fault.clone()]);
        let placed = r.place(market_buy(n, "0.01")).await.unwrap();
        assert_eq!(placed.status, Some(OrderState::Filled), "{fault:?}");
        assert_eq!(placed.executed_qty, Some(d("0.01")));
        assert_eq!(r.submissions_of(&id(n)).len(), 1, "{fault:?}: sent once");
        assert_eq!(
            r.orders_with(&id(n)),
            1,
            "{fault:?}: one order on the exchange"
        );
    }
    assert_eq!(
        r.calls_to("GET", "/api/v3/order"),
        5,
        "each loss was checked by a query"
    );
}

#[tokio::test(start_paused = true)]
async fn an_answer_lost_before_execution_is_resent_once_binance_says_no_such_order() {
    let r = rig().await;
    for (n, fault) in [
        (1, Fault::ServerError),
        (2, Fault::Drop),
        (3, Fault::BackendTimeout { executed: false }),
    ] {
        r.fake.fail("POST /api/v3/order", [fault.clone()]);
        let t0 = Instant::now();
        let placed = r.place(market_buy(n, "0.01")).await.unwrap();
        assert_eq!(placed.status, Some(OrderState::Filled));
        assert!(
            t0.elapsed() >= Duration::from_secs(5),
            "{fault:?}: the lost copy's recvWindow ran out before the query ({:?})",
            t0.elapsed()
        );
        assert_eq!(r.orders_with(&id(n)), 1, "{fault:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_client_timeout_is_resolved_by_the_query_with_one_order_either_way() {
    let r = rig().await;
    // The exchange holds the request 30 s before executing it: by then its timestamp is outside
    // the recvWindow and Binance refuses it, so the copy resent after `-2013` is the only order.
    r.fake
        .fail("POST /api/v3/order", [Fault::Slow(Duration::from_secs(30))]);
    let placed = r.place(market_buy(1, "0.01")).await.unwrap();
    assert_eq!(placed.status, Some(OrderState::Filled));
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(r.orders_with(&id(1)), 1);
    // Executed at once, answered after the client gave up: found by the query.
    r.fake.fail(
        "POST /api/v3/order",
        [Fault::ExecutedThenSlow(Duration::from_secs(30))],
    );
    r.place(market_buy(2, "0.01")).await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        (r.orders_with(&id(2)), r.submissions_of(&id(2)).len()),
        (1, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn a_copy_still_inside_the_exchange_is_waited_out_before_the_check() {
    // The client gives up after 2 s; the exchange executes the request at 3 s, well inside its
    // 5 s recvWindow. Checking at once would find nothing and resend: two orders. Waiting out the
    // window first finds the order.
    let r = rig().await;
    let mut cfg = TradeConfig::new(&r.fake.url());
    cfg.timeout = Duration::from_secs(2);
    let client = client_with(cfg, hmac_signer(), r.clock);
    r.fake
        .fail("POST /api/v3/order", [Fault::Slow(Duration::from_secs(3))]);
    let prepared = client
        .prepare(market_buy(1, "0.01"), &OrderContext::default())
        .await
        .unwrap();
    let placed = client.place(&prepared).await.unwrap();
    assert_eq!(placed.status, Some(OrderState::Filled));
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(r.orders_with(&id(1)), 1);
    assert_eq!(
        r.submissions_of(&id(1)).len(),
        1,
        "found by the query, never resent"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lost_oco_answer_is_found_through_its_legs() {
    let r = rig().await;
    r.fake.fail(
        "POST /api/v3/orderList/oco",
        [Fault::ExecutedThenServerError],
    );
    let prepared = r
        .client
        .prepare_oco(exit_oco(1, 10, 11), &OrderContext::default())
        .await
        .unwrap();
    let list = r.client.place_oco(&prepared).await.unwrap();
    assert_eq!(list.order_reports.len(), 2);
    assert!(list.order_list_id >= 0);
    assert!(
        list.order_reports
            .iter()
            .all(|o| o.order_list_id == list.order_list_id)
    );
    assert_eq!(r.fake.open_orders().len(), 2, "one list, placed once");
    assert_eq!(r.fake.submissions().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_invalid_timestamp_resyncs_the_clock_and_retries_once() {
    let r = rig().await;
    r.client.account().await.unwrap();
    let syncs = r.calls_to("GET", "/api/v3/time");
    // Binance's clock jumps 7 s behind ours: our timestamps are now "ahead of the server".
    r.fake.set_skew_ms(-7_000);
    let placed = r.place(market_buy(1, "0.01")).await.unwrap();
    assert_eq!(placed.status, Some(OrderState::Filled));
    assert_eq!(r.calls_to("GET", "/api/v3/time"), syncs + 1, "one resync");
    assert_eq!(
        r.calls_to("POST", "/api/v3/order"),
        2,
        "refused, then accepted"
    );
    assert_eq!(r.orders_with(&id(1)), 1);
    let offset = r.client.server_clock().offset_ms().unwrap();
    assert!((-7_100..=-6_900).contains(&offset), "{offset}");

    // Refused twice: the second -1021 is the caller's.
    r.fake.fail(
        "POST /api/v3/order",
        [Fault::InvalidTimestamp, Fault::InvalidTimestamp],
    );
    let e = r.place(market_buy(2, "0.01")).await.unwrap_err();
    assert_eq!(e.binance_code(), Some(-1021), "{e}");
    assert_eq!(r.orders_with(&id(2)), 0);
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_everyone_for_retry_after() {
    let r = rig().await;
    r.client.account().await.unwrap();
    r.fake.fail(
        "GET /api/v3/account",
        [Fault::RateLimited {
            retry_after_secs: 7,
        }],
    );
    let e = r.client.account().await.unwrap_err();
    assert_eq!(
        e,
        TradeError::Rest(RestError::RateLimited {
            retry_after: Duration::from_secs(7)
        })
    );
    let t0 = Instant::now();
    r.place(market_buy(1, "0.01")).await.unwrap();
    assert!(t0.elapsed() >= Duration::from_secs(7), "{:?}", t0.elapsed());
    assert_eq!(r.fake.retry_after_violations(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_418_stops_all_sending_until_the_ban_ends() {
    let r = rig().await;
    r.client.account().await.unwrap();
    r.fake.fail(
        "POST /api/v3/order",
        [Fault::Banned {
            retry_after_secs: 120,
        }],
    );
    let e = r.place(market_buy(1, "0.01")).await.unwrap_err();
    assert!(
        matches!(e, TradeError::Rest(RestError::Banned { .. })),
        "{e}"
    );
    assert!(!e.is_outcome_unknown());
    let until = r
        .client
        .banned_until()
        .expect("a critical condition the core can alert on");
    let calls = r.fake.calls().len();
    let e = r.place(market_buy(2, "0.01")).await.unwrap_err();
    assert!(
        matches!(e, TradeError::Rest(RestError::Banned { .. })),
        "{e}"
    );
    assert!(r.client.account().await.is_err());
    assert_eq!(r.fake.calls().len(), calls, "nothing sent while banned");
    assert_eq!(r.fake.requests_while_banned(), 0);
    tokio::time::sleep(Duration::from_millis(
        u64::try_from(until - r.fake.now()).unwrap() + 1,
    ))
    .await;
    assert_eq!(r.client.banned_until(), None);
    r.place(market_buy(3, "0.01")).await.unwrap();
    assert_eq!(
        r.orders_with(&id(1)) + r.orders_with(&id(2)) + r.orders_with(&id(3)),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn rejections_keep_binances_code_and_message() {
    let r = rig().await;
    let e = r
        .place(limit(
            1,
            Side::Sell,
            "64000",
            "5",
            tickdesk::binance::wire::TimeInForce::Gtc,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.binance_code(), Some(-2010), "selling 5 BTC out of 2: {e}");
    assert!(e.to_string().contains("insufficient balance"), "{e}");
    let maker = tickdesk::binance::wire::OrderSpec::LimitMaker {
        price: d("64010"),
        qty: d("0.01"),
    };
    let e = r
        .place(super::order(2, Side::Buy, maker))
        .await
        .unwrap_err();
    assert_eq!(e.binance_code(), Some(-2010));
    assert!(
        e.to_string().contains("would immediately match and take"),
        "{e}"
    );
    r.fake.fail(
        "POST /api/v3/order",
        [Fault::Reject {
            code: -1013,
            msg: "Filter failure: PERCENT_PRICE_BY_SIDE".into(),
        }],
    );
    let e = r.place(market_buy(3, "0.01")).await.unwrap_err();
    assert_eq!(e.binance_code(), Some(-1013));
    assert!(!e.is_transient() && !e.is_outcome_unknown());
    assert_eq!(
        r.submissions_of(&id(3)).len(),
        1,
        "a rejection is final: sent once, not retried"
    );
    assert_eq!(
        r.orders_with(&id(1)) + r.orders_with(&id(2)) + r.orders_with(&id(3)),
        0
    );
}

#[tokio::test(start_paused = true)]
async fn order_count_limits_from_exchange_info_are_respected() {
    let r = rig().await;
    r.fake.order_limits(2, 1000);
    r.client.refresh_exchange_info().await.unwrap();
    let t0 = Instant::now();
    for n in 1..=3 {
        r.place(market_buy(n, "0.001")).await.unwrap();
    }
    assert!(
        t0.elapsed() >= Duration::from_secs(10),
        "the third order waited for the next 10 s window ({:?})",
        t0.elapsed()
    );
    assert!(
        r.fake.calls().iter().all(|c| c.status != 429),
        "no -1015 from the exchange"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancel_whose_answer_was_lost_reports_the_canceled_order() {
    let r = rig().await;
    r.place(limit(
        1,
        Side::Buy,
        "63000",
        "0.01",
        tickdesk::binance::wire::TimeInForce::Gtc,
    ))
    .await
    .unwrap();
    r.fake
        .fail("DELETE /api/v3/order", [Fault::ExecutedThenServerError]);
    let c = r.client.cancel("BTCUSDT", id(1).as_str()).await.unwrap();
    assert_eq!(c.status, Some(OrderState::Canceled));
    assert_eq!(c.order_client_id(), id(1).as_str());
    assert_eq!(
        r.calls_to("DELETE", "/api/v3/order"),
        2,
        "retried once, found it gone"
    );
    assert!(r.fake.open_orders().is_empty());
    // A cancel Binance refuses outright is the caller's to see.
    let e = r
        .client
        .cancel("BTCUSDT", id(1).as_str())
        .await
        .unwrap_err();
    assert_eq!(e.binance_code(), Some(-2011), "{e}");
}
