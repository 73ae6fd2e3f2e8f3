use super::*;
use crate::binance::wire::{
    ClientOrderId, NewOco, NewOrder, OcoLeg, OrderSpec, RespType, TimeInForce,
};
use crate::clock::TokioClock;
use crate::core::{Qty, Reject, Side};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The shape of a live `exchangeInfo` answer (values as Binance lists BTCUSDT), trimmed.
pub(crate) const INFO: &str = r#"{
  "timezone": "UTC", "serverTime": 1565246363776,
  "rateLimits": [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000}
  ],
  "exchangeFilters": [],
  "symbols": [
    {"symbol": "BTCUSDT", "status": "TRADING", "baseAsset": "BTC", "baseAssetPrecision": 8,
     "quoteAsset": "USDT", "quotePrecision": 8, "quoteAssetPrecision": 8,
     "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
     "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
     "icebergAllowed": true, "ocoAllowed": true, "otoAllowed": true,
     "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": true, "cancelReplaceAllowed": true,
     "isSpotTradingAllowed": true, "isMarginTradingAllowed": true,
     "filters": [
       {"filterType": "PRICE_FILTER", "minPrice": "0.01000000", "maxPrice": "1000000.00000000", "tickSize": "0.01000000"},
       {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
       {"filterType": "ICEBERG_PARTS", "limit": 10},
       {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "83.51000000", "stepSize": "0.00000000"},
       {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000, "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
       {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2", "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
       {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": true, "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5},
       {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
       {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5}
     ],
     "permissions": [], "permissionSets": [["SPOT", "MARGIN"]],
     "defaultSelfTradePreventionMode": "EXPIRE_MAKER", "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]},
    {"symbol": "ETHBTC", "status": "HALT", "baseAsset": "ETH", "quoteAsset": "BTC",
     "orderTypes": ["LIMIT", "MARKET"], "ocoAllowed": false, "quoteOrderQtyMarketAllowed": false,
     "filters": [
       {"filterType": "PRICE_FILTER", "minPrice": "0.00001000", "maxPrice": "922327.00000000", "tickSize": "0.00001000"},
       {"filterType": "LOT_SIZE", "minQty": "0.00010000", "maxQty": "100000.00000000", "stepSize": "0.00010000"},
       {"filterType": "MIN_NOTIONAL", "minNotional": "0.00010000", "applyToMarket": true, "avgPriceMins": 5},
       {"filterType": "PERCENT_PRICE", "multiplierUp": "5", "multiplierDown": "0.2", "avgPriceMins": 5}
     ]}
  ]
}"#;

fn info() -> ExchangeInfo {
    ExchangeInfo::parse(INFO.as_bytes()).unwrap()
}

fn btc() -> SymbolInfo {
    info().symbol("BTCUSDT").unwrap().clone()
}

#[test]
fn parses_symbols_filters_and_rate_limits() {
    let info = info();
    assert_eq!(info.symbols().count(), 2);
    let btc = info.symbol("BTCUSDT").unwrap();
    assert_eq!(btc.status, SymbolStatus::Trading);
    assert!(btc.oco_allowed && btc.quote_order_qty_market_allowed);
    assert!(btc.order_types.contains(&OrderType::TakeProfitLimit));
    assert_eq!(btc.price_filter().unwrap().tick_size, d("0.01"));
    assert_eq!(btc.market_lot_size().unwrap().max_qty, d("83.51"));
    let n = btc.notional().unwrap();
    assert!(n.apply_min_to_market && !n.apply_max_to_market);
    assert_eq!(
        btc.percent_price_by_side().unwrap().ask_multiplier_down,
        d("0.2")
    );
    assert_eq!(
        btc.filters.iter().filter(|f| **f == Filter::Other).count(),
        4
    );
    let eth = info.symbol("ETHBTC").unwrap();
    assert_eq!(eth.status, SymbolStatus::Halt);
    assert_eq!(eth.min_notional().unwrap().min_notional, d("0.0001"));
    assert_eq!(eth.percent_price().unwrap().multiplier_up, d("5"));
    assert_eq!(info.weight_per_minute(), Some(6000));
    assert_eq!(
        info.order_windows(),
        vec![
            OrderWindow::new(10_000, 100),
            OrderWindow::new(86_400_000, 200_000)
        ]
    );
}

#[test]
fn numbers_sent_as_json_numbers_read_the_same() {
    let as_numbers = INFO
        .replace(r#""0.01000000""#, "0.01000000")
        .replace(r#""0.00001000""#, "0.00001000")
        .replace(r#""5.00000000""#, "5.00000000")
        .replace(r#""0.2""#, "0.2");
    assert_ne!(as_numbers, INFO);
    assert_eq!(ExchangeInfo::parse(as_numbers.as_bytes()).unwrap(), info());
}

#[test]
fn converts_to_the_cores_rules() {
    let live = info().rules_for("BTCUSDT").unwrap();
    let shipped = crate::exchange::rules_for("BTCUSDT");
    assert_eq!(
        live, shipped,
        "the live filters match the shipped ones for BTCUSDT"
    );
    let eth = info().rules_for("ETHBTC").unwrap();
    assert_eq!(
        (eth.min_notional, eth.step_size),
        (d("0.0001"), d("0.0001"))
    );
    assert_eq!(info().rules_for("NOPE"), None);
}

#[tokio::test(start_paused = true)]
async fn the_cache_ages() {
    let cache = InfoCache::new(
        Arc::new(TokioClock::starting_at(0)),
        Duration::from_secs(3600),
    );
    assert!(cache.fresh().is_none());
    cache.store(info());
    tokio::time::advance(Duration::from_secs(3599)).await;
    assert!(cache.fresh().is_some());
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(cache.fresh().is_none());
    assert!(cache.any().is_some(), "the stale copy stays available");
}

fn order(side: Side, spec: OrderSpec) -> NewOrder {
    NewOrder {
        symbol: "BTCUSDT".into(),
        side,
        spec,
        client_id: ClientOrderId::new("t-1").unwrap(),
        response: RespType::Full,
    }
}

fn prep(side: Side, spec: OrderSpec, ctx: OrderContext) -> Result<OrderSpec, Reject> {
    btc()
        .prepare(order(side, spec), &ctx)
        .map(|p| p.into_inner().spec)
}

fn no_ctx() -> OrderContext {
    OrderContext::default()
}

const GTC: TimeInForce = TimeInForce::Gtc;

#[test]
fn limit_prices_round_to_the_passive_side_and_quantities_down() {
    let spec = |price| OrderSpec::Limit {
        price: d(price),
        qty: d("0.123456789"),
        tif: GTC,
    };
    assert_eq!(
        prep(Side::Buy, spec("64964.129"), no_ctx()).unwrap(),
        OrderSpec::Limit {
            price: d("64964.12"),
            qty: d("0.12345"),
            tif: GTC
        }
    );
    assert_eq!(
        prep(Side::Sell, spec("64964.121"), no_ctx()).unwrap(),
        OrderSpec::Limit {
            price: d("64964.13"),
            qty: d("0.12345"),
            tif: GTC
        }
    );
}

#[test]
fn lot_sizes_step_from_their_minimum() {
    let mut btc = btc();
    for f in &mut btc.filters {
        if let Filter::LotSize(l) = f {
            (l.min_qty, l.step_size) = (d("0.00015"), d("0.0001"));
        }
    }
    let o = order(
        Side::Buy,
        OrderSpec::Limit {
            price: d("60000"),
            qty: d("0.00037"),
            tif: GTC,
        },
    );
    let got = btc.prepare(o, &no_ctx()).unwrap().into_inner().spec;
    assert_eq!(
        got.qty(),
        Qty::Base(d("0.00035")),
        "(qty - minQty) % step == 0"
    );
    let o = order(
        Side::Buy,
        OrderSpec::Limit {
            price: d("60000"),
            qty: d("0.00012"),
            tif: GTC,
        },
    );
    let e = btc.prepare(o, &no_ctx()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "LOT_SIZE: quantity 0.0001 BTC is below the minimum 0.00015"
    );
}

#[test]
fn stop_prices_round_away_from_the_market() {
    let qty = d("0.01");
    let sl = |stop| OrderSpec::StopLoss { stop: d(stop), qty };
    let tp = |stop| OrderSpec::TakeProfit { stop: d(stop), qty };
    let stop = |r: Result<OrderSpec, Reject>| r.unwrap().stop().unwrap();
    assert_eq!(
        stop(prep(Side::Sell, sl("60000.005"), no_ctx())),
        d("60000"),
        "fires below: down"
    );
    assert_eq!(
        stop(prep(Side::Buy, sl("60000.005"), no_ctx())),
        d("60000.01"),
        "fires above: up"
    );
    assert_eq!(
        stop(prep(Side::Sell, tp("70000.001"), no_ctx())),
        d("70000.01"),
        "fires above: up"
    );
    assert_eq!(
        stop(prep(Side::Buy, tp("70000.009"), no_ctx())),
        d("70000"),
        "fires below: down"
    );
    let spec = OrderSpec::StopLossLimit {
        stop: d("60000.009"),
        price: d("59900.001"),
        qty,
        tif: GTC,
    };
    let got = prep(Side::Sell, spec, no_ctx()).unwrap();
    assert_eq!(
        (got.stop(), got.price()),
        (Some(d("60000")), Some(d("59900.01")))
    );
}

#[test]
fn quantities_never_exceed_the_free_balance() {
    let ctx = |free| OrderContext {
        free: Some(d(free)),
        reference_price: None,
    };
    let buy = OrderSpec::Limit {
        price: d("60000"),
        qty: d("1"),
        tif: GTC,
    };
    // 1000 USDT at 60000 buys 0.016666…, cut to the step.
    let got = prep(Side::Buy, buy, ctx("1000")).unwrap();
    assert_eq!(got.qty(), Qty::Base(d("0.01666")));
    let sell = OrderSpec::Limit {
        price: d("60000"),
        qty: d("1"),
        tif: GTC,
    };
    assert_eq!(
        prep(Side::Sell, sell, ctx("0.2000099")).unwrap().qty(),
        Qty::Base(d("0.2"))
    );
    let e = prep(Side::Sell, sell, ctx("0.000001")).unwrap_err();
    assert_eq!(e.code, "INSUFFICIENT_BALANCE");
    assert!(e.reason.contains("of the 1 BTC asked"), "{e}");
    // A smaller order than the balance is left alone.
    let small = OrderSpec::Limit {
        price: d("60000"),
        qty: d("0.001"),
        tif: GTC,
    };
    assert_eq!(
        prep(Side::Buy, small, ctx("1000")).unwrap().qty(),
        Qty::Base(d("0.001"))
    );
}

#[test]
fn market_orders_by_quantity_or_quote_amount() {
    let ctx = OrderContext {
        free: Some(d("100.123456789")),
        reference_price: Some(d("60000")),
    };
    let quote = OrderSpec::Market {
        qty: Qty::Quote(d("250")),
    };
    assert_eq!(
        prep(Side::Buy, quote, ctx).unwrap().qty(),
        Qty::Quote(d("100.12345678"))
    );
    let base = OrderSpec::Market {
        qty: Qty::Base(d("0.0012345")),
    };
    assert_eq!(
        prep(Side::Buy, base, ctx).unwrap().qty(),
        Qty::Base(d("0.00123"))
    );
    // NOTIONAL applies to market orders (applyMinToMarket), valued at the reference price.
    let tiny = OrderSpec::Market {
        qty: Qty::Base(d("0.00005")),
    };
    assert_eq!(prep(Side::Buy, tiny, ctx).unwrap_err().code, "NOTIONAL");
    assert!(
        prep(Side::Buy, tiny, no_ctx()).is_ok(),
        "no price known: left to Binance"
    );
    let e = prep(
        Side::Sell,
        OrderSpec::Market {
            qty: Qty::Base(d("84")),
        },
        no_ctx(),
    )
    .unwrap_err();
    assert_eq!(e.code, "MARKET_LOT_SIZE");
}

#[test]
fn refusals_name_the_filter() {
    let limit = |price: &str, qty: &str| OrderSpec::Limit {
        price: d(price),
        qty: d(qty),
        tif: GTC,
    };
    let code = |spec, ctx| prep(Side::Buy, spec, ctx).unwrap_err().code;
    assert_eq!(code(limit("60000", "0.000001"), no_ctx()), "LOT_SIZE");
    assert_eq!(code(limit("60000", "9001"), no_ctx()), "LOT_SIZE");
    assert_eq!(code(limit("0.001", "1"), no_ctx()), "PRICE_FILTER");
    assert_eq!(code(limit("2000000", "1"), no_ctx()), "PRICE_FILTER");
    let e = prep(Side::Buy, limit("60000", "0.00005"), no_ctx()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "NOTIONAL: order value 3 USDT is below the minimum 5 USDT"
    );
    let far = OrderContext {
        free: None,
        reference_price: Some(d("10000")),
    };
    let e = prep(Side::Buy, limit("60000", "1"), far).unwrap_err();
    assert_eq!(e.code, "PERCENT_PRICE_BY_SIDE");
    assert!(e.reason.contains("2000..50000"), "{e}");
}

#[test]
fn halted_symbols_and_missing_features_are_refused() {
    let eth = info().symbol("ETHBTC").unwrap().clone();
    let o = NewOrder {
        symbol: "ETHBTC".into(),
        ..order(
            Side::Buy,
            OrderSpec::Market {
                qty: Qty::Base(d("1")),
            },
        )
    };
    assert_eq!(eth.prepare(o, &no_ctx()).unwrap_err().code, "HALTED");
    let mut btc = btc();
    btc.order_types.retain(|t| *t != OrderType::LimitMaker);
    let maker = order(
        Side::Buy,
        OrderSpec::LimitMaker {
            price: d("60000"),
            qty: d("1"),
        },
    );
    let e = btc.prepare(maker, &no_ctx()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "INVALID: BTCUSDT does not take LIMIT_MAKER orders"
    );
    btc.quote_order_qty_market_allowed = false;
    let quote = order(
        Side::Buy,
        OrderSpec::Market {
            qty: Qty::Quote(d("10")),
        },
    );
    assert_eq!(btc.prepare(quote, &no_ctx()).unwrap_err().code, "INVALID");
}

fn oco(side: Side, above: OcoLeg, below: OcoLeg, qty: &str) -> NewOco {
    NewOco {
        symbol: "BTCUSDT".into(),
        side,
        qty: d(qty),
        above,
        below,
        list_client_id: ClientOrderId::new("l-1").unwrap(),
        above_client_id: ClientOrderId::new("a-1").unwrap(),
        below_client_id: ClientOrderId::new("b-1").unwrap(),
        response: RespType::Full,
    }
}

#[test]
fn oco_legs_round_away_from_the_market_and_keep_their_shape() {
    let exit = oco(
        Side::Sell,
        OcoLeg::TakeProfitLimit {
            stop: d("70000.001"),
            price: d("69999.999"),
            tif: GTC,
        },
        OcoLeg::StopLossLimit {
            stop: d("60000.009"),
            price: d("59900.001"),
            tif: GTC,
        },
        "0.5000009",
    );
    let ctx = OrderContext {
        free: Some(d("0.3")),
        reference_price: Some(d("65000")),
    };
    let p = btc().prepare_oco(exit, &ctx).unwrap().into_inner();
    assert_eq!(p.qty, d("0.3"), "cut to the free BTC");
    assert_eq!(
        (p.above.stop(), p.above.price()),
        (Some(d("70000.01")), Some(d("70000")))
    );
    assert_eq!(
        (p.below.stop(), p.below.price()),
        (Some(d("60000")), Some(d("59900.01")))
    );

    let backwards = oco(
        Side::Sell,
        OcoLeg::StopLoss { stop: d("60000") },
        OcoLeg::LimitMaker { price: d("70000") },
        "0.1",
    );
    assert_eq!(
        btc().prepare_oco(backwards, &no_ctx()).unwrap_err().code,
        "INVALID"
    );
    let crossed = oco(
        Side::Buy,
        OcoLeg::StopLoss { stop: d("60000") },
        OcoLeg::LimitMaker { price: d("61000") },
        "0.1",
    );
    let e = btc().prepare_oco(crossed, &no_ctx()).unwrap_err();
    assert!(e.reason.contains("not above the below leg"), "{e}");
    let entry = oco(
        Side::Buy,
        OcoLeg::StopLoss { stop: d("70000") },
        OcoLeg::LimitMaker { price: d("60000") },
        "1",
    );
    let outside = OrderContext {
        free: None,
        reference_price: Some(d("71000")),
    };
    assert!(
        btc()
            .prepare_oco(entry.clone(), &outside)
            .unwrap_err()
            .reason
            .contains("either side")
    );
    // A buy list's quantity fits the balance at its dearest leg.
    let funds = OrderContext {
        free: Some(d("7000")),
        reference_price: Some(d("65000")),
    };
    assert_eq!(
        btc().prepare_oco(entry, &funds).unwrap().get().qty,
        d("0.1")
    );
}

#[test]
fn oco_needs_the_symbols_permission() {
    let mut btc = btc();
    btc.oco_allowed = false;
    let list = oco(
        Side::Sell,
        OcoLeg::LimitMaker { price: d("70000") },
        OcoLeg::StopLoss { stop: d("60000") },
        "0.1",
    );
    let e = btc.prepare_oco(list, &no_ctx()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "INVALID: BTCUSDT does not take OCO order lists"
    );
}
