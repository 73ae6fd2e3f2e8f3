use super::*;
use crate::binance::query_string;
use crate::core::{OrderKind, OrderStatus, Qty};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The documented FULL answer to a MARKET order (rest-api, "New order").
const FULL: &str = r#"{
  "symbol": "BTCUSDT", "orderId": 28, "orderListId": -1,
  "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP", "transactTime": 1507725176595,
  "price": "0.00000000", "origQty": "10.00000000", "executedQty": "10.00000000",
  "origQuoteOrderQty": "0.000000", "cummulativeQuoteQty": "10.00000000",
  "status": "FILLED", "timeInForce": "GTC", "type": "MARKET", "side": "SELL",
  "workingTime": 1507725176595, "selfTradePreventionMode": "NONE",
  "fills": [
    {"price": "4000.00000000", "qty": "1.00000000", "commission": "4.00000000",
     "commissionAsset": "USDT", "tradeId": 56},
    {"price": "3999.00000000", "qty": "5.00000000", "commission": "19.99500000",
     "commissionAsset": "USDT", "tradeId": 57}
  ]
}"#;

#[test]
fn order_answers_ack_result_full() {
    let ack: OrderReport = from_slice(
        br#"{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"6gCrw2kRUAF9CvJDGP16IP","transactTime":1507725176595}"#,
    )
    .unwrap();
    assert_eq!(ack.order_id, 28);
    assert_eq!((ack.status, ack.executed_qty, ack.side), (None, None, None));
    assert!(ack.fills.is_empty());

    let full: OrderReport = from_slice(FULL.as_bytes()).unwrap();
    assert_eq!(full.status, Some(OrderState::Filled));
    assert_eq!(
        full.status.and_then(OrderState::to_core),
        Some(OrderStatus::Filled)
    );
    assert_eq!(full.side, Some(Side::Sell));
    assert_eq!(full.order_type, Some(OrderType::Market));
    assert_eq!(full.executed_qty, Some(d("10")));
    assert_eq!(full.fills.len(), 2);
    assert_eq!(full.fills[1].commission, d("19.995"));
    assert_eq!(full.fills[1].trade_id, Some(57));
    let filled: Decimal = full.fills.iter().map(|f| f.qty).sum();
    assert_eq!(filled, d("6"));
}

#[test]
fn queries_open_orders_and_cancels() {
    let query = r#"[{"symbol":"LTCBTC","orderId":1,"orderListId":-1,"clientOrderId":"myOrder1",
        "price":"0.1","origQty":"1.0","executedQty":"0.0","cummulativeQuoteQty":"0.0",
        "status":"NEW","timeInForce":"GTC","type":"STOP_LOSS_LIMIT","side":"BUY","stopPrice":"0.2",
        "icebergQty":"0.0","time":1499827319559,"updateTime":1499827319559,"isWorking":true,
        "workingTime":1499827319559,"origQuoteOrderQty":"0.000000","selfTradePreventionMode":"NONE"}]"#;
    let open: Vec<OrderReport> = from_slice(query.as_bytes()).unwrap();
    assert_eq!(open[0].stop_price, Some(d("0.2")));
    assert_eq!(open[0].time_in_force, Some(TimeInForce::Gtc));
    assert_eq!(open[0].is_working, Some(true));
    assert_eq!(open[0].order_client_id(), "myOrder1");

    let cancel: OrderReport = from_slice(
        br#"{"symbol":"LTCBTC","origClientOrderId":"myOrder1","orderId":4,"orderListId":-1,
            "clientOrderId":"cancelMyOrder1","transactTime":1684804350068,"price":"2.00000000",
            "origQty":"1.00000000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000",
            "status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY"}"#,
    )
    .unwrap();
    assert_eq!(cancel.order_client_id(), "myOrder1");
    assert_eq!(cancel.status, Some(OrderState::Canceled));
}

const OCO: &str = r#"{"orderListId":1,"contingencyType":"OCO","listStatusType":"EXEC_STARTED",
  "listOrderStatus":"EXECUTING","listClientOrderId":"lH1YDkuQKWiXVXHPSKYEIp",
  "transactionTime":1710485608839,"symbol":"LTCBTC",
  "orders":[{"symbol":"LTCBTC","orderId":10,"clientOrderId":"44nZvqpemY7sVYgPYbvPih"},
            {"symbol":"LTCBTC","orderId":11,"clientOrderId":"NuMp0nVYnciDiFmVqfpBqK"}],
  "orderReports":[
    {"symbol":"LTCBTC","orderId":10,"orderListId":1,"clientOrderId":"44nZvqpemY7sVYgPYbvPih",
     "transactTime":1710485608839,"price":"1.00000000","origQty":"5.00000000",
     "executedQty":"0.00000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.00000000",
     "status":"NEW","timeInForce":"GTC","type":"STOP_LOSS_LIMIT","side":"SELL",
     "stopPrice":"1.00000000","workingTime":-1,"icebergQty":"1.00000000","selfTradePreventionMode":"NONE"},
    {"symbol":"LTCBTC","orderId":11,"orderListId":1,"clientOrderId":"NuMp0nVYnciDiFmVqfpBqK",
     "transactTime":1710485608839,"price":"3.00000000","origQty":"5.00000000",
     "executedQty":"0.00000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.00000000",
     "status":"NEW","timeInForce":"GTC","type":"LIMIT_MAKER","side":"SELL",
     "workingTime":1710485608839,"selfTradePreventionMode":"NONE"}]}"#;

#[test]
fn oco_answers_and_mixed_cancel_all() {
    let list: OrderListReport = from_slice(OCO.as_bytes()).unwrap();
    assert_eq!(list.contingency_type, "OCO");
    assert_eq!(list.orders.len(), 2);
    assert_eq!(
        list.order_reports[0].order_type,
        Some(OrderType::StopLossLimit)
    );
    assert_eq!(list.order_reports[1].price, Some(d("3")));

    let plain = r#"{"symbol":"LTCBTC","origClientOrderId":"E6APeyTJvkMvLMYMqu1KQ4","orderId":11,
        "orderListId":-1,"clientOrderId":"pXLV6Hz6mprAcVYpVMTGgx","price":"0.089853",
        "origQty":"0.178622","executedQty":"0.000000","cummulativeQuoteQty":"0.000000",
        "status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY"}"#;
    let all: Vec<Canceled> = from_slice(format!("[{plain},{OCO}]").as_bytes()).unwrap();
    assert!(matches!(&all[0], Canceled::Order(o) if o.order_id == 11));
    assert!(matches!(&all[1], Canceled::List(l) if l.order_list_id == 1));
}

#[test]
fn account_and_my_trades() {
    let account: Account = from_slice(
        br#"{"makerCommission":15,"takerCommission":15,"buyerCommission":0,"sellerCommission":0,
        "commissionRates":{"maker":"0.00150000","taker":"0.00150000","buyer":"0.00000000","seller":"0.00000000"},
        "canTrade":true,"canWithdraw":true,"canDeposit":true,"brokered":false,
        "requireSelfTradePrevention":false,"preventSor":false,"updateTime":123456789,
        "accountType":"SPOT","balances":[{"asset":"BTC","free":"4723846.89208129","locked":"0.00000000"},
        {"asset":"LTC","free":"4763368.68006011","locked":"0.00000000"}],"permissions":["SPOT"],"uid":354937868}"#,
    )
    .unwrap();
    assert!(account.can_trade);
    assert_eq!(account.free("BTC"), d("4723846.89208129"));
    assert_eq!(account.free("ETH"), Decimal::ZERO);

    let trades: Vec<MyTrade> = from_slice(
        br#"[{"symbol":"BNBBTC","id":28457,"orderId":100234,"orderListId":-1,"price":"4.00000100",
        "qty":"12.00000000","quoteQty":"48.000012","commission":"10.10000000","commissionAsset":"BNB",
        "time":1499865549590,"isBuyer":true,"isMaker":false,"isBestMatch":true}]"#,
    )
    .unwrap();
    assert_eq!(trades[0].quote_qty, d("48.000012"));
    assert_eq!(trades[0].side(), Side::Buy);
}

#[test]
fn numbers_as_json_numbers_are_exact() {
    // 19 significant digits: an f64 would round this.
    let body = br#"{"symbol":"BTCUSDT","orderId":9007199254740993,"clientOrderId":"a",
        "price":12345678901.12345678,"origQty":0.1,"executedQty":1e-8,"cummulativeQuoteQty":0,
        "stopPrice":"2.5E+2","fills":[{"price":0.3,"qty":2,"commission":0.000001,"commissionAsset":"BNB"}]}"#;
    let r: OrderReport = from_slice(body).unwrap();
    assert_eq!(r.order_id, 9_007_199_254_740_993, "ids stay integers");
    assert_eq!(r.price, Some(d("12345678901.12345678")));
    assert_eq!(r.orig_qty, Some(d("0.1")));
    assert_eq!(r.executed_qty, Some(d("0.00000001")));
    assert_eq!(r.cummulative_quote_qty, Some(Decimal::ZERO));
    assert_eq!(r.stop_price, Some(d("250")));
    assert_eq!(r.fills[0].price + r.fills[0].price, d("0.6"));
    assert_eq!(r.order_list_id, -1);
}

#[test]
fn quoting_leaves_strings_and_integers_alone() {
    let json = br#"{"a":0.1,"b":"0.2","c":-1.5e-3,"d":12,"e":"x\"0.5","f":[1,2.0]}"#;
    assert_eq!(
        std::str::from_utf8(&quote_fractions(json)).unwrap(),
        r#"{"a":"0.1","b":"0.2","c":"-1.5e-3","d":12,"e":"x\"0.5","f":[1,"2.0"]}"#
    );
    let plain = br#"{"code":-1121,"msg":"Invalid symbol 1.5."}"#;
    assert!(matches!(
        quote_fractions(plain),
        std::borrow::Cow::Borrowed(_)
    ));
    let e: ApiError = from_slice(plain).unwrap();
    assert_eq!((e.code, e.msg.as_str()), (-1121, "Invalid symbol 1.5."));
    let bad = from_slice::<OrderReport>(
        br#"{"symbol":"X","orderId":1,"clientOrderId":"a","price":"abc"}"#,
    );
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("`abc` is not a decimal")
    );
}

fn session() -> SessionTag {
    SessionTag::new("run7").unwrap()
}

fn order(side: Side, spec: OrderSpec) -> NewOrder {
    NewOrder {
        symbol: "BTCUSDT".into(),
        side,
        spec,
        client_id: ClientOrderId::for_order(&session(), 42),
        response: RespType::Full,
    }
}

#[test]
fn each_order_type_has_its_exact_form() {
    let tail = "newClientOrderId=td-run7-42&newOrderRespType=FULL";
    let cases = [
        (
            order(
                Side::Buy,
                OrderSpec::Market {
                    qty: Qty::Base(d("0.00100")),
                },
            ),
            "side=BUY&type=MARKET&quantity=0.001",
        ),
        (
            order(
                Side::Buy,
                OrderSpec::Market {
                    qty: Qty::Quote(d("25.50")),
                },
            ),
            "side=BUY&type=MARKET&quoteOrderQty=25.5",
        ),
        (
            order(
                Side::Sell,
                OrderSpec::Limit {
                    price: d("64000.10"),
                    qty: d("0.5"),
                    tif: TimeInForce::Ioc,
                },
            ),
            "side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.5&price=64000.1",
        ),
        (
            order(
                Side::Buy,
                OrderSpec::LimitMaker {
                    price: d("63000"),
                    qty: d("1"),
                },
            ),
            "side=BUY&type=LIMIT_MAKER&quantity=1&price=63000",
        ),
        (
            order(
                Side::Sell,
                OrderSpec::StopLoss {
                    stop: d("60000"),
                    qty: d("0.2"),
                },
            ),
            "side=SELL&type=STOP_LOSS&quantity=0.2&stopPrice=60000",
        ),
        (
            order(
                Side::Sell,
                OrderSpec::StopLossLimit {
                    stop: d("60000"),
                    price: d("59900"),
                    qty: d("0.2"),
                    tif: TimeInForce::Gtc,
                },
            ),
            "side=SELL&type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.2&price=59900&stopPrice=60000",
        ),
        (
            order(
                Side::Sell,
                OrderSpec::TakeProfit {
                    stop: d("70000"),
                    qty: d("0.2"),
                },
            ),
            "side=SELL&type=TAKE_PROFIT&quantity=0.2&stopPrice=70000",
        ),
        (
            order(
                Side::Sell,
                OrderSpec::TakeProfitLimit {
                    stop: d("70000"),
                    price: d("70100"),
                    qty: d("0.2"),
                    tif: TimeInForce::Fok,
                },
            ),
            "side=SELL&type=TAKE_PROFIT_LIMIT&timeInForce=FOK&quantity=0.2&price=70100&stopPrice=70000",
        ),
    ];
    for (o, middle) in cases {
        assert_eq!(
            query_string(&o.params()),
            format!("symbol=BTCUSDT&{middle}&{tail}")
        );
    }
}

#[test]
fn oco_form_names_both_legs() {
    let oco = NewOco {
        symbol: "BTCUSDT".into(),
        side: Side::Sell,
        qty: d("0.01000"),
        above: OcoLeg::LimitMaker { price: d("70000") },
        below: OcoLeg::StopLossLimit {
            stop: d("60000"),
            price: d("59900"),
            tif: TimeInForce::Gtc,
        },
        list_client_id: ClientOrderId::for_list(&session(), 3),
        above_client_id: ClientOrderId::for_order(&session(), 8),
        below_client_id: ClientOrderId::for_order(&session(), 9),
        response: RespType::Result,
    };
    assert_eq!(
        query_string(&oco.params()),
        "symbol=BTCUSDT&side=SELL&quantity=0.01&aboveType=LIMIT_MAKER&abovePrice=70000\
         &aboveClientOrderId=td-run7-8&belowType=STOP_LOSS_LIMIT&belowPrice=59900\
         &belowStopPrice=60000&belowTimeInForce=GTC&belowClientOrderId=td-run7-9\
         &listClientOrderId=td-run7-L3&newOrderRespType=RESULT"
    );
    assert_eq!(oco.above.trigger(), d("70000"));
    assert_eq!(oco.below.trigger(), d("60000"));
}

#[test]
fn client_ids_are_deterministic_and_within_binance_rules() {
    let longest = SessionTag::new("ABCDEFGHIJK").unwrap();
    let id = ClientOrderId::for_list(&longest, u64::MAX);
    assert!(id.as_str().len() <= ClientOrderId::MAX_LEN, "{id}");
    assert!(ClientOrderId::new(id.as_str()).is_ok());
    assert_eq!(
        ClientOrderId::for_order(&session(), 5),
        ClientOrderId::for_order(&session(), 5)
    );
    assert_ne!(
        ClientOrderId::for_order(&session(), 5),
        ClientOrderId::for_order(&session(), 6)
    );
    assert!(ClientOrderId::new("has space").is_err());
    assert!(ClientOrderId::new(&"x".repeat(37)).is_err());
    assert!(ClientOrderId::new("").is_err());
    assert!(SessionTag::new("ABCDEFGHIJKL").is_err(), "12 characters");
    assert!(SessionTag::new("run-1").is_err());
}

#[test]
fn core_orders_map_to_specs() {
    let tif = TimeInForce::Gtc;
    let spec = OrderSpec::from_core(
        OrderKind::StopLossLimit {
            stop: d("10"),
            price: d("9"),
        },
        Qty::Base(d("1")),
        tif,
    );
    assert_eq!(spec.unwrap().order_type(), OrderType::StopLossLimit);
    let quote = OrderSpec::from_core(OrderKind::Market, Qty::Quote(d("50")), tif).unwrap();
    assert_eq!(quote.qty(), Qty::Quote(d("50")));
    let e = OrderSpec::from_core(OrderKind::Limit { price: d("1") }, Qty::Quote(d("50")), tif)
        .unwrap_err();
    assert_eq!(e.code, "INVALID");
}

#[test]
fn new_terms_keep_the_order_type() {
    let tif = TimeInForce::Gtc;
    let tpl = OrderSpec::TakeProfitLimit {
        stop: d("1"),
        price: d("2"),
        qty: d("3"),
        tif,
    };
    assert_eq!(
        tpl.with_terms(Some(d("10")), None, Qty::Base(d("30"))),
        OrderSpec::TakeProfitLimit {
            stop: d("10"),
            price: d("2"),
            qty: d("30"),
            tif
        }
    );
    let maker = OrderSpec::LimitMaker {
        price: d("2"),
        qty: d("3"),
    };
    assert_eq!(
        maker.with_terms(Some(d("9")), Some(d("20")), Qty::Quote(d("5"))),
        OrderSpec::LimitMaker {
            price: d("20"),
            qty: d("3")
        },
        "no stop to set; a quote amount does not replace a base quantity"
    );
    let market = OrderSpec::Market {
        qty: Qty::Base(d("1")),
    };
    assert_eq!(
        market.with_terms(None, None, Qty::Quote(d("5"))).qty(),
        Qty::Quote(d("5"))
    );
    assert!(
        OrderSpec::StopLoss {
            stop: d("1"),
            qty: d("1")
        }
        .fires_above(Side::Buy)
    );
    assert!(!tpl.fires_above(Side::Buy));
    assert!(tpl.fires_above(Side::Sell));
}
