//! The matching engine through REST: market orders walking the book, fills, balances and
//! commissions, Binance's refusals, resting orders filled partially by trades, time in force.

use super::super::{Balance, FakeBinance, SymbolSpec};
use super::support::Rest;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;
use tickdesk::clock::TokioClock;

pub fn d(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("a decimal string: {v}")),
    )
    .unwrap()
}

pub fn n(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub const USDT: &str = "60000";

/// BTCUSDT asks 50000×0.5, 50010×1 and bids 49990×1; 60 000 USDT and 1 BTC to trade.
pub async fn rig() -> (FakeBinance, Rest) {
    let fake = FakeBinance::start(TokioClock::starting_at(1_700_000_000_000)).await;
    fake.set_balance("USDT", USDT);
    fake.set_balance("BTC", "1");
    fake.set_book(
        "BTCUSDT",
        &[("49990", "1")],
        &[("50000", "0.5"), ("50010", "1")],
    );
    let rest = Rest::new(&fake);
    (fake, rest)
}

pub async fn order(fake: &FakeBinance, rest: &Rest, params: &str) -> Value {
    let r = rest
        .signed(
            fake,
            "POST",
            "/api/v3/order",
            &format!("symbol=BTCUSDT&{params}"),
        )
        .await;
    r.body
}

#[tokio::test(start_paused = true)]
async fn a_market_buy_walks_the_book_and_pays_commission_in_base() {
    let (fake, rest) = rig().await;
    let r = order(&fake, &rest, "side=BUY&type=MARKET&quantity=0.8").await;
    assert_eq!(r["status"], "FILLED", "{r}");
    let fills = r["fills"].as_array().unwrap();
    let got: Vec<(Decimal, Decimal)> = fills
        .iter()
        .map(|f| (d(&f["price"]), d(&f["qty"])))
        .collect();
    assert_eq!(got, [(n("50000"), n("0.5")), (n("50010"), n("0.3"))]);
    let cost = n("50000") * n("0.5") + n("50010") * n("0.3");
    assert_eq!(d(&r["cummulativeQuoteQty"]), cost);
    let commission: Decimal = fills.iter().map(|f| d(&f["commission"])).sum();
    assert_eq!(commission, n("0.8") * n("0.001"));
    assert!(fills.iter().all(|f| f["commissionAsset"] == "BTC"));
    assert_eq!(fake.balance("USDT").free, n(USDT) - cost);
    assert_eq!(fake.balance("BTC").free, n("1") + n("0.8") - commission);
    let book = fake.book("BTCUSDT");
    assert_eq!(
        book.asks,
        [(n("50010"), n("0.7"))],
        "the first level is gone, the second shrank"
    );
    let trades = rest
        .signed(&fake, "GET", "/api/v3/myTrades", "symbol=BTCUSDT")
        .await
        .body;
    assert_eq!(trades.as_array().unwrap().len(), 2);
    assert_eq!(trades[0]["isBuyer"], true);
    assert_eq!(trades[0]["isMaker"], false);
}

#[tokio::test(start_paused = true)]
async fn a_market_sell_by_quote_amount_stops_at_the_amount() {
    let (fake, rest) = rig().await;
    fake.set_book("BTCUSDT", &[("50000", "0.1"), ("49000", "1")], &[]);
    let r = order(&fake, &rest, "side=SELL&type=MARKET&quoteOrderQty=6000").await;
    assert_eq!(r["status"], "FILLED", "{r}");
    let qty: Vec<Decimal> = r["fills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| d(&f["qty"]))
        .collect();
    let second = ((n("6000") - n("5000")) / n("49000") / n("0.00001")).floor() * n("0.00001");
    assert_eq!(qty, [n("0.1"), second]);
    assert_eq!(d(&r["executedQty"]), n("0.1") + second);
    assert!(d(&r["cummulativeQuoteQty"]) <= n("6000"));
    assert_eq!(fake.balance("BTC").free, n("1") - n("0.1") - second);
}

#[tokio::test(start_paused = true)]
async fn refusals_change_nothing() {
    let (fake, rest) = rig().await;
    let cases = [
        (
            "side=BUY&type=MARKET&quantity=1.5",
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        (
            "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000.000000001",
            -1111,
            "Precision is over the maximum defined for this asset.",
        ),
        (
            "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=49000.005",
            -1013,
            "Filter failure: PRICE_FILTER",
        ),
        (
            "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.000015&price=49000",
            -1013,
            "Filter failure: LOT_SIZE",
        ),
        (
            "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00001&price=49000",
            -1013,
            "Filter failure: NOTIONAL",
        ),
        (
            "side=SELL&type=MARKET&quantity=101",
            -1013,
            "Filter failure: MARKET_LOT_SIZE",
        ),
        (
            "side=BUY&type=LIMIT_MAKER&quantity=0.001&price=50000",
            -2010,
            "Order would immediately match and take.",
        ),
        (
            "side=BUY&type=LIMIT&timeInForce=GTC&quantity=2&price=49000",
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        (
            "side=BUY&type=MARKET&quantity=0.1&price=50000",
            -1106,
            "Parameter 'price' sent when not required.",
        ),
    ];
    for (params, code, msg) in cases {
        let r = order(&fake, &rest, params).await;
        assert_eq!(
            (r["code"].as_i64(), r["msg"].as_str()),
            (Some(code), Some(msg)),
            "{params}"
        );
    }
    fake.add_symbol(SymbolSpec {
        status: "HALT".into(),
        ..SymbolSpec::new("SOLUSDT", "SOL", "USDT", "0.01", "0.001", "5")
    });
    let halted = rest
        .signed(
            &fake,
            "POST",
            "/api/v3/order",
            "symbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100",
        )
        .await;
    assert_eq!(halted.body["msg"], "Market is closed.");
    assert!(fake.orders().is_empty());
    assert_eq!(fake.balance("USDT").free, n(USDT));
    assert_eq!(fake.book("BTCUSDT").asks.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_resting_limit_fills_partially_on_trades_and_releases_its_lock() {
    let (fake, rest) = rig().await;
    let r = order(
        &fake,
        &rest,
        "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.2&price=49980&newClientOrderId=bid1",
    )
    .await;
    assert_eq!(
        (r["status"].as_str(), r["fills"].as_array().map(Vec::len)),
        (Some("NEW"), Some(0))
    );
    assert_eq!(
        fake.book("BTCUSDT").bids[1],
        (n("49980"), n("0.2")),
        "the order shows in the book"
    );
    assert_eq!(fake.balance("USDT").locked, n("49980") * n("0.2"));
    fake.trade("BTCUSDT", "49980", "0.05");
    let q = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=bid1",
        )
        .await
        .body;
    assert_eq!(
        (q["status"].as_str(), d(&q["executedQty"])),
        (Some("PARTIALLY_FILLED"), n("0.05"))
    );
    assert_eq!(q["isWorking"], true);
    assert_eq!(fake.balance("USDT").locked, n("49980") * n("0.15"));
    assert_eq!(fake.book("BTCUSDT").bids[1], (n("49980"), n("0.15")));
    fake.trade("BTCUSDT", "49970", "1");
    let q = rest
        .signed(
            &fake,
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=bid1",
        )
        .await
        .body;
    assert_eq!(q["status"], "FILLED");
    assert_eq!(
        d(&q["cummulativeQuoteQty"]),
        n("49980") * n("0.2"),
        "maker fills at its own price"
    );
    assert_eq!(
        fake.balance("USDT"),
        Balance {
            free: n(USDT) - n("49980") * n("0.2"),
            locked: n("0")
        }
    );
    let maker_fee = fake.trades().iter().map(|t| t.commission).sum::<Decimal>();
    assert_eq!(fake.balance("BTC").free, n("1.2") - maker_fee);
    assert_eq!(fake.book("BTCUSDT").bids.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn ioc_keeps_what_it_can_fok_all_or_nothing() {
    let (fake, rest) = rig().await;
    let fok = order(
        &fake,
        &rest,
        "side=BUY&type=LIMIT&timeInForce=FOK&quantity=1&price=50000",
    )
    .await;
    assert_eq!(
        (fok["status"].as_str(), d(&fok["executedQty"])),
        (Some("EXPIRED"), n("0"))
    );
    let ioc = order(
        &fake,
        &rest,
        "side=BUY&type=LIMIT&timeInForce=IOC&quantity=1&price=50000",
    )
    .await;
    assert_eq!(
        (ioc["status"].as_str(), d(&ioc["executedQty"])),
        (Some("EXPIRED"), n("0.5"))
    );
    assert_eq!(fake.balance("USDT").locked, n("0"), "nothing stays locked");
    assert_eq!(fake.book("BTCUSDT").asks, [(n("50010"), n("1"))]);
    let gtc = order(
        &fake,
        &rest,
        "side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.1&price=50020",
    )
    .await;
    assert_eq!(gtc["status"], "FILLED");
    assert_eq!(
        d(&gtc["fills"][0]["price"]),
        n("50010"),
        "a taker gets the book's price"
    );
    assert_eq!(fake.balance("USDT").locked, n("0"));
}
