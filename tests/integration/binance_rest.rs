//! The signed REST trading client against the fake Binance, on tokio's paused clock: signatures
//! the fake verifies (HMAC and Ed25519), rounding and local refusal before anything is sent, every
//! order type and OCO, queries and cancels. Fault scenarios (lost answers, `-1021`, 429, 418,
//! rejections) are in `faults`.

mod faults;

use crate::fake_binance::{DOC_API_KEY, DOC_SECRET, FakeBinance, Side as FakeSide};
use data_encoding::BASE64;
use ring::signature::Ed25519KeyPair;
use rust_decimal::Decimal;
use std::{collections::BTreeMap, str::FromStr, sync::Arc};
use tickdesk::binance::info::OrderContext;
use tickdesk::binance::wire::{
    Canceled, ClientOrderId, NewOco, NewOrder, OcoLeg, OrderReport, OrderSpec, OrderState,
    RespType, SessionTag, TimeInForce,
};
use tickdesk::binance::{Signer, TradeClient, TradeConfig, TradeError, TradeQuery, WeightLimiter};
use tickdesk::clock::TokioClock;
use tickdesk::core::{Qty, Side};
use tickdesk::secrets::Secret;

/// 2026-01-01 00:00 UTC.
const T0: i64 = 1_767_225_600_000;

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) struct Rig {
    pub fake: FakeBinance,
    pub client: TradeClient,
    pub clock: TokioClock,
}

pub(crate) fn hmac_signer() -> Signer {
    Signer::hmac(
        Secret::new(DOC_API_KEY.into()),
        &Secret::new(DOC_SECRET.into()),
    )
    .unwrap()
}

pub(crate) fn client_for(fake: &FakeBinance, signer: Signer, clock: TokioClock) -> TradeClient {
    client_with(TradeConfig::new(&fake.url()), signer, clock)
}

pub(crate) fn client_with(cfg: TradeConfig, signer: Signer, clock: TokioClock) -> TradeClient {
    let clock = Arc::new(clock);
    let limiter = Arc::new(WeightLimiter::new(6000, clock.clone()));
    TradeClient::new(cfg, signer, limiter, clock).unwrap()
}

/// A fake with 100 000 USDT and 2 BTC, and a BTCUSDT book of 5 BTC a level around 64 005.
pub(crate) async fn rig() -> Rig {
    let clock = TokioClock::starting_at(T0);
    let fake = FakeBinance::start(clock).await;
    fake.set_balance("USDT", "100000");
    fake.set_balance("BTC", "2");
    fake.set_book(
        "BTCUSDT",
        &[("64000", "5"), ("63990", "5")],
        &[("64010", "5"), ("64020", "5")],
    );
    let client = client_for(&fake, hmac_signer(), clock);
    Rig {
        fake,
        client,
        clock,
    }
}

pub(crate) fn id(n: u64) -> ClientOrderId {
    ClientOrderId::for_order(&SessionTag::new("it").unwrap(), n)
}

pub(crate) fn order(n: u64, side: Side, spec: OrderSpec) -> NewOrder {
    NewOrder {
        symbol: "BTCUSDT".into(),
        side,
        spec,
        client_id: id(n),
        response: RespType::Full,
    }
}

pub(crate) fn market_buy(n: u64, qty: &str) -> NewOrder {
    order(
        n,
        Side::Buy,
        OrderSpec::Market {
            qty: Qty::Base(d(qty)),
        },
    )
}

pub(crate) fn limit(n: u64, side: Side, price: &str, qty: &str, tif: TimeInForce) -> NewOrder {
    let spec = OrderSpec::Limit {
        price: d(price),
        qty: d(qty),
        tif,
    };
    order(n, side, spec)
}

/// A SELL OCO protecting 0.5 BTC: target LIMIT_MAKER at 70 000, stop-limit 60 000 / 59 900.
pub(crate) fn exit_oco(list: u64, above: u64, below: u64) -> NewOco {
    NewOco {
        symbol: "BTCUSDT".into(),
        side: Side::Sell,
        qty: d("0.5"),
        above: OcoLeg::LimitMaker { price: d("70000") },
        below: OcoLeg::StopLossLimit {
            stop: d("60000"),
            price: d("59900"),
            tif: TimeInForce::Gtc,
        },
        list_client_id: ClientOrderId::for_list(&SessionTag::new("it").unwrap(), list),
        above_client_id: id(above),
        below_client_id: id(below),
        response: RespType::Full,
    }
}

impl Rig {
    pub async fn place(&self, order: NewOrder) -> Result<OrderReport, TradeError> {
        self.place_with(order, OrderContext::default()).await
    }

    pub async fn place_with(
        &self,
        order: NewOrder,
        ctx: OrderContext,
    ) -> Result<OrderReport, TradeError> {
        let prepared = self.client.prepare(order, &ctx).await?;
        self.client.place(&prepared).await
    }

    /// Order requests the fake received with this client id.
    pub fn submissions_of(&self, client_id: &ClientOrderId) -> Vec<BTreeMap<String, String>> {
        let id = client_id.as_str();
        self.fake
            .submissions()
            .into_iter()
            .filter(|s| s.get("newClientOrderId").map(String::as_str) == Some(id))
            .collect()
    }

    /// Orders the fake's engine accepted with this client id.
    pub fn orders_with(&self, client_id: &ClientOrderId) -> usize {
        let id = client_id.as_str();
        self.fake
            .orders()
            .iter()
            .filter(|o| o.client_id == id)
            .count()
    }

    pub fn calls_to(&self, method: &str, path: &str) -> usize {
        self.fake
            .calls()
            .iter()
            .filter(|c| c.method == method && c.path == path)
            .count()
    }
}

fn pem(pkcs8: &[u8]) -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        BASE64.encode(pkcs8)
    )
}

#[tokio::test(start_paused = true)]
async fn hmac_and_ed25519_signatures_are_accepted_and_a_wrong_one_is_not() {
    let r = rig().await;
    let account = r.client.account().await.unwrap();
    assert_eq!(account.free("BTC"), d("2"));

    let doc = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let ed = Signer::ed25519_pem(
        Secret::new("ed-key".into()),
        &Secret::new(pem(doc.as_ref())),
    )
    .unwrap();
    r.fake
        .add_ed25519_key("ed-key", &ed.ed25519_public_key().unwrap());
    let ed_client = client_for(&r.fake, ed, r.clock);
    let prepared = ed_client
        .prepare(
            limit(1, Side::Buy, "60000", "0.01", TimeInForce::Gtc),
            &OrderContext::default(),
        )
        .await
        .unwrap();
    let placed = ed_client.place(&prepared).await.unwrap();
    assert_eq!(placed.status, Some(OrderState::New));
    let last = r.fake.calls().pop().unwrap();
    assert_eq!(
        (last.path.as_str(), last.api_key.as_deref()),
        ("/api/v3/order", Some("ed-key"))
    );

    let wrong = Signer::hmac(
        Secret::new(DOC_API_KEY.into()),
        &Secret::new("not-the-secret".into()),
    )
    .unwrap();
    let e = client_for(&r.fake, wrong, r.clock)
        .account()
        .await
        .unwrap_err();
    assert_eq!(e.binance_code(), Some(-1022), "{e}");
    assert!(!e.is_transient());
}

#[tokio::test(start_paused = true)]
async fn prices_and_quantities_are_rounded_and_impossible_orders_never_leave() {
    let r = rig().await;
    r.place(limit(
        1,
        Side::Buy,
        "63000.129",
        "0.123456789",
        TimeInForce::Gtc,
    ))
    .await
    .unwrap();
    let sent = &r.submissions_of(&id(1))[0];
    assert_eq!(
        (sent["price"].as_str(), sent["quantity"].as_str()),
        ("63000.12", "0.12345")
    );
    r.place(limit(2, Side::Sell, "70000.121", "0.1", TimeInForce::Gtc))
        .await
        .unwrap();
    assert_eq!(r.submissions_of(&id(2))[0]["price"], "70000.13");
    // The free balance caps a buy: 1000 USDT at 64 000 pays for 0.015625, cut to 0.01562.
    let funds = OrderContext {
        free: Some(d("1000")),
        reference_price: None,
    };
    r.place_with(limit(3, Side::Buy, "64000", "1", TimeInForce::Gtc), funds)
        .await
        .unwrap();
    assert_eq!(r.submissions_of(&id(3))[0]["quantity"], "0.01562");

    let before = r.fake.submissions().len();
    for (n, qty, filter) in [(4, "0.000001", "LOT_SIZE"), (5, "0.00005", "NOTIONAL")] {
        let e = r
            .place(limit(n, Side::Buy, "63000", qty, TimeInForce::Gtc))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, TradeError::Refused(r) if r.code == filter),
            "{e}"
        );
    }
    assert_eq!(
        r.fake.submissions().len(),
        before,
        "refused locally, never sent"
    );
}

#[tokio::test(start_paused = true)]
async fn every_order_type_reaches_the_exchange_as_meant() {
    let r = rig().await;
    let m = r.place(market_buy(1, "0.01")).await.unwrap();
    assert_eq!(
        (m.status, m.executed_qty),
        (Some(OrderState::Filled), Some(d("0.01")))
    );
    assert_eq!(m.fills.iter().map(|f| f.qty).sum::<Decimal>(), d("0.01"));
    let quote = order(
        2,
        Side::Buy,
        OrderSpec::Market {
            qty: Qty::Quote(d("100")),
        },
    );
    let q = r.place(quote).await.unwrap();
    assert_eq!(q.status, Some(OrderState::Filled));
    assert!(q.cummulative_quote_qty.unwrap() <= d("100"));
    let gtc = r
        .place(limit(3, Side::Buy, "63000", "0.01", TimeInForce::Gtc))
        .await
        .unwrap();
    assert_eq!(gtc.status, Some(OrderState::New));
    let ioc = r
        .place(limit(4, Side::Buy, "63000", "0.01", TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(
        ioc.status,
        Some(OrderState::Expired),
        "nothing to take at 63 000"
    );
    r.fake.set_level("BTCUSDT", FakeSide::Sell, "64010", "0.5");
    let fok = r
        .place(limit(5, Side::Buy, "64010", "1", TimeInForce::Fok))
        .await
        .unwrap();
    assert_eq!(
        fok.status,
        Some(OrderState::Expired),
        "0.5 BTC at 64 010 cannot fill 1"
    );
    let maker = OrderSpec::LimitMaker {
        price: d("63500"),
        qty: d("0.01"),
    };
    assert_eq!(
        r.place(order(6, Side::Buy, maker)).await.unwrap().status,
        Some(OrderState::New)
    );
    let sl = OrderSpec::StopLossLimit {
        stop: d("60000"),
        price: d("59900"),
        qty: d("0.1"),
        tif: TimeInForce::Gtc,
    };
    let tp = OrderSpec::TakeProfitLimit {
        stop: d("70000"),
        price: d("70000"),
        qty: d("0.1"),
        tif: TimeInForce::Gtc,
    };
    for (n, spec, kind) in [(7, sl, "STOP_LOSS_LIMIT"), (8, tp, "TAKE_PROFIT_LIMIT")] {
        let placed = r.place(order(n, Side::Sell, spec)).await.unwrap();
        assert_eq!(placed.order_client_id(), id(n).as_str());
        assert_eq!(r.submissions_of(&id(n))[0]["type"], kind);
    }
    let open = r.client.open_orders(Some("BTCUSDT")).await.unwrap();
    let mut open_ids: Vec<&str> = open.iter().map(|o| o.order_client_id()).collect();
    open_ids.sort_unstable();
    assert_eq!(
        open_ids,
        [
            id(3).as_str(),
            id(6).as_str(),
            id(7).as_str(),
            id(8).as_str()
        ]
    );
    let trades = r
        .client
        .my_trades("BTCUSDT", TradeQuery::default())
        .await
        .unwrap();
    assert!(trades.len() >= 2 && trades.iter().all(|t| t.side() == Side::Buy));
}

#[tokio::test(start_paused = true)]
async fn oco_query_cancel_one_and_cancel_all() {
    let r = rig().await;
    let oco = exit_oco(1, 10, 11);
    let prepared = r
        .client
        .prepare_oco(oco, &OrderContext::default())
        .await
        .unwrap();
    let list = r.client.place_oco(&prepared).await.unwrap();
    assert_eq!(list.contingency_type, "OCO");
    assert_eq!(list.orders.len(), 2);
    assert!(
        list.order_reports
            .iter()
            .all(|o| o.order_list_id == list.order_list_id)
    );
    assert_eq!(
        r.fake.open_orders().len(),
        2,
        "stop and target both live on the exchange"
    );

    r.place(limit(1, Side::Buy, "63000", "0.01", TimeInForce::Gtc))
        .await
        .unwrap();
    r.place(limit(2, Side::Buy, "62000", "0.01", TimeInForce::Gtc))
        .await
        .unwrap();
    let q = r
        .client
        .query("BTCUSDT", id(1).as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (q.status, q.price),
        (Some(OrderState::New), Some(d("63000")))
    );
    assert_eq!(r.client.query("BTCUSDT", "td-it-999").await.unwrap(), None);
    let c = r.client.cancel("BTCUSDT", id(1).as_str()).await.unwrap();
    assert_eq!(
        (c.status, c.order_client_id()),
        (Some(OrderState::Canceled), id(1).as_str())
    );

    let all = r.client.cancel_all("BTCUSDT").await.unwrap();
    assert_eq!(all.len(), 2, "order 2 and the OCO list");
    assert!(
        all.iter()
            .any(|c| matches!(c, Canceled::List(l) if l.orders.len() == 2))
    );
    assert!(r.client.open_orders(None).await.unwrap().is_empty());
    assert!(
        r.client.cancel_all("BTCUSDT").await.unwrap().is_empty(),
        "nothing left: no error"
    );
}

#[tokio::test(start_paused = true)]
async fn numbers_sent_as_json_numbers_are_read_exactly() {
    let r = rig().await;
    r.fake.numbers_as_json(true);
    r.fake.set_balance("USDT", "12345.67891234");
    let account = r.client.account().await.unwrap();
    assert_eq!(account.free("USDT"), d("12345.67891234"));
    let m = r.place(market_buy(1, "0.0123")).await.unwrap();
    assert_eq!(m.executed_qty, Some(d("0.0123")));
    assert_eq!(m.cummulative_quote_qty, Some(d("0.0123") * d("64010")));
}
