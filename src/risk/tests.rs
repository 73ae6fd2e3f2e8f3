//! The approve pipeline on its own: each limit refuses with its rule's code and reason, sells are
//! never limited, halts let through only what they should, refusals are counted per code.

use super::*;
use crate::core::{OrderKind, Origin, Qty, Side};
use crate::exchange::{SimConfig, SimExchange};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// 10 000 USDT and 0.1 BTC at 50 000 (equity 15 000).
fn exchange() -> SimExchange {
    let cfg = SimConfig::frictionless();
    let rules = vec![crate::exchange::rules_for("BTCUSDT")];
    SimExchange::new(cfg, rules, &[("USDT", d("10000")), ("BTC", d("0.1"))])
}

fn with_view<T>(x: &SimExchange, f: impl FnOnce(&View<'_>) -> T) -> T {
    let a = x.account();
    let assets = [(a.find("BTC").unwrap(), a.find("USDT").unwrap())];
    let marks = [(assets[0].0, 0)];
    let view = View {
        now: 0,
        exchange: x,
        assets: &assets,
        marks: &marks,
        prices: &[50_000.0],
        quote: assets[0].1,
    };
    f(&view)
}

fn buy(qty: &str) -> OrderRequest {
    OrderRequest {
        instrument: 0,
        side: Side::Buy,
        kind: OrderKind::Market,
        qty: Qty::Base(d(qty)),
        oco: None,
        origin: Origin::Strategy(0),
    }
}

fn refusal(risk: &mut Risk, r: OrderRequest) -> Reject {
    let x = exchange();
    with_view(&x, |v| risk.approve(1, r, v)).unwrap_err()
}

fn approved(risk: &mut Risk, r: OrderRequest) -> Approved {
    let x = exchange();
    with_view(&x, |v| risk.approve(1, r, v)).unwrap()
}

fn limited(limits: Limits) -> Risk {
    Risk::new(RiskConfig {
        limits,
        ..RiskConfig::default()
    })
}

#[test]
fn each_limit_refuses_with_its_code_and_says_why() {
    let mut r = limited(Limits {
        max_order_quote: Some(d("1000")),
        ..Limits::default()
    });
    let e = refusal(&mut r, buy("0.03")); // 1 500 USDT
    assert_eq!(e.code, limits::MAX_ORDER);
    assert!(
        e.reason
            .contains("1500.00 USDT is above risk.max_order_quote 1000"),
        "{e}"
    );
    approved(&mut r, buy("0.02"));

    let mut r = limited(Limits {
        max_position_quote: Some(d("6000")),
        ..Limits::default()
    });
    // 0.1 BTC held (5 000) + 0.03 (1 500) = 6 500.
    assert_eq!(refusal(&mut r, buy("0.03")).code, limits::MAX_POSITION);
    approved(&mut r, buy("0.02"));

    let mut r = limited(Limits {
        max_exposure_pct: Some(d("40")),
        ..Limits::default()
    });
    // Holdings 5 000 + 1 500 = 6 500 > 40 % of 15 000 = 6 000.
    let e = refusal(&mut r, buy("0.03"));
    assert_eq!(e.code, limits::MAX_EXPOSURE);
    assert!(e.reason.contains("40 % of equity 15000.00 USDT"), "{e}");

    let mut r = limited(Limits {
        min_order_quote: Some(d("100")),
        ..Limits::default()
    });
    assert_eq!(refusal(&mut r, buy("0.001")).code, limits::MIN_ORDER);

    let mut r = limited(Limits {
        max_open_orders: Some(0),
        ..Limits::default()
    });
    assert_eq!(refusal(&mut r, buy("0.001")).code, limits::MAX_OPEN_ORDERS);
    assert_eq!(r.refusals().get(limits::MAX_OPEN_ORDERS), Some(&1));
}

#[test]
fn never_more_than_the_free_balance_after_fees() {
    let mut r = Risk::new(RiskConfig {
        taker_fee: d("0.001"),
        ..RiskConfig::default()
    });
    // 0.2 BTC at 50 000 is exactly the 10 000 free; the fee tips it over.
    let e = refusal(&mut r, buy("0.2"));
    assert_eq!(e.code, limits::FREE_BALANCE);
    approved(&mut r, buy("0.1998"));
    // A quote amount includes the fee.
    let mut quote = buy("0");
    quote.qty = Qty::Quote(d("10000"));
    approved(&mut r, quote);
}

#[test]
fn sells_are_never_limited_and_orders_are_rounded_first() {
    let mut r = limited(Limits {
        max_order_quote: Some(d("1")),
        max_open_orders: Some(0),
        ..Limits::default()
    });
    let mut sell = buy("0.123456789");
    sell.side = Side::Sell;
    let a = approved(&mut r, sell);
    assert_eq!(
        a.request().qty,
        Qty::Base(d("0.12345")),
        "rounded to the step"
    );
    assert_eq!(refusal(&mut r, buy("0.000001")).code, "LOT_SIZE");
}

#[test]
fn halts_let_through_only_what_reduces_exposure() {
    let mut r = Risk::default();
    r.halt(Halt::KillSwitch);
    let mut manual_sell = buy("0.01");
    (manual_sell.side, manual_sell.origin) = (Side::Sell, Origin::Manual);
    let mut strategy_sell = manual_sell.clone();
    strategy_sell.origin = Origin::Strategy(0);
    assert_eq!(refusal(&mut r, buy("0.01")).code, HALTED);
    assert_eq!(refusal(&mut r, strategy_sell.clone()).code, HALTED);
    approved(&mut r, manual_sell);
    r.halt(Halt::Breaker(Breaker::StaleData { secs: 90 }));
    assert_eq!(
        r.halted(),
        Some(&Halt::KillSwitch),
        "the first reason stays"
    );
    r.release();
    r.halt(Halt::Breaker(Breaker::StaleData { secs: 90 }));
    let e = refusal(&mut r, buy("0.01"));
    assert!(e.reason.contains("no market data for 90 s"), "{e}");
    approved(&mut r, strategy_sell);
    r.release();
    approved(&mut r, buy("0.01"));
}

#[test]
fn only_stop_losses_count_as_stops() {
    let mut r = Risk::default();
    let x = exchange();
    let sell = |kind| OrderRequest {
        side: Side::Sell,
        kind,
        ..buy("0.01")
    };
    let (stop, target) = (
        sell(OrderKind::StopLoss { stop: d("45000") }),
        sell(OrderKind::TakeProfit { stop: d("55000") }),
    );
    with_view(&x, |v| {
        r.approve(5, target, v).unwrap();
        r.approve(6, stop, v).unwrap();
    });
    assert_eq!(r.stops, vec![6], "a take-profit fill is not a stop-out");
}
