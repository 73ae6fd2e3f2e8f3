//! Each sizing policy with hand-worked decimals on BTCUSDT (tick 0.01, step 0.00001) at 50 000 with
//! a 0.1 % taker fee: 10 000 USDT free and 0.1 BTC held (equity 15 000); Kelly's edge cases; the
//! free-balance cap; orders that are not entries pass unchanged; and a property: a sized entry
//! never costs more than the free quote after the fee and sits on the step grid.

use super::*;
use crate::core::{Fill, Liquidity, OrderKind};
use crate::exchange::{Exchange, FillPolicy, SimConfig, SimExchange};
use crate::market::Candle;
use crate::risk::{Distance, Risk};
use proptest::prelude::*;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn exchange(usdt: &str) -> SimExchange {
    let cfg = SimConfig {
        fill: FillPolicy::NextOpen,
        slippage_bps: Decimal::ZERO,
        maker_fee: Decimal::ZERO,
        taker_fee: d("0.001"),
    };
    let rules = vec![crate::exchange::rules_for("BTCUSDT")];
    SimExchange::new(cfg, rules, &[("USDT", d(usdt)), ("BTC", d("0.1"))])
}

fn with_view<T>(x: &SimExchange, price: f64, f: impl FnOnce(&View<'_>) -> T) -> T {
    let a = x.account();
    let assets = [(a.find("BTC").unwrap(), a.find("USDT").unwrap())];
    let marks = [(assets[0].0, 0)];
    let prices = [price];
    let view = View {
        now: 0,
        exchange: x,
        assets: &assets,
        marks: &marks,
        prices: &prices,
        quote: assets[0].1,
    };
    f(&view)
}

fn config(sizing: &str, stop: Option<&str>) -> RiskConfig {
    RiskConfig {
        taker_fee: d("0.001"),
        strategies: vec![StrategyRisk {
            sizing: Some(sizing.parse().unwrap()),
            stop: stop.map(|s| s.parse::<Distance>().unwrap()),
            ..StrategyRisk::default()
        }],
        ..RiskConfig::default()
    }
}

fn buy(kind: OrderKind) -> OrderRequest {
    OrderRequest {
        instrument: 0,
        side: Side::Buy,
        kind,
        qty: Qty::Base(d("1")),
        oco: None,
        origin: Origin::Strategy(0),
    }
}

fn sized_with(c: &RiskConfig, ledger: &Ledger, atr: &Atrs, r: OrderRequest) -> Result<Qty, Reject> {
    let x = exchange("10000");
    with_view(&x, 50_000.0, |v| size(c, ledger, atr, r, v)).map(|r| r.qty)
}

fn sized(sizing: &str, stop: Option<&str>) -> Result<Qty, Reject> {
    let c = config(sizing, stop);
    sized_with(
        &c,
        &Ledger::default(),
        &Atrs::default(),
        buy(OrderKind::Market),
    )
}

fn base(s: &str) -> Result<Qty, Reject> {
    Ok(Qty::Base(d(s)))
}

#[test]
fn fixed_quote_and_equity_spend_their_amount_fee_included() {
    // 500 / (50 000 × 1.001) = 0.0099900…, down to the step.
    assert_eq!(sized("quote:500", None), base("0.00999"));
    // 10 % of 15 000 = 1 500 / 50 050 = 0.0299700…
    assert_eq!(sized("equity:10", None), base("0.02997"));
    // A limit buy is sized at its limit: 500 / 40 040 = 0.0124875…
    let c = config("quote:500", None);
    let limit = buy(OrderKind::Limit { price: d("40000") });
    let q = sized_with(&c, &Ledger::default(), &Atrs::default(), limit);
    assert_eq!(q, base("0.01248"));
}

#[test]
fn the_policy_decides_and_the_free_balance_caps_it() {
    // The strategy asked for 1 BTC; the policy says 0.00999. A quote amount becomes a base one.
    let c = config("quote:500", None);
    let mut r = buy(OrderKind::Market);
    r.qty = Qty::Quote(d("20"));
    assert_eq!(
        sized_with(&c, &Ledger::default(), &Atrs::default(), r),
        base("0.00999")
    );
    // 90 % of equity is 13 500, but 10 000 / 50 050 = 0.1998001… is all the free quote buys.
    assert_eq!(sized("equity:90", None), base("0.1998"));
    assert_eq!(sized("quote:1000000", None), base("0.1998"));
}

#[test]
fn risk_based_sizing_divides_the_risk_by_the_stop_distance() {
    // 1 % of 15 000 = 150 at risk; a 2 % stop is 1 000 below 50 000: 0.15 BTC.
    assert_eq!(sized("risk:1", Some("2%")), base("0.15"));
    // 0.5 % = 75 over 1 000: 0.075.
    assert_eq!(sized("risk:0.5", Some("2%")), base("0.075"));
    // 5 % would be 0.75 BTC (37 537.50 USDT with the fee): capped at the free quote.
    assert_eq!(sized("risk:5", Some("2%")), base("0.1998"));
    let e = sized("risk:1", None).unwrap_err();
    assert_eq!(e.code, SIZING);
    assert!(e.reason.contains("no stop"), "{e}");
}

fn warm_atr(range: f64) -> Atrs {
    let mut a = Atrs::default();
    for i in 0..15 {
        let c = Candle {
            open_time: i,
            open: 50_000.0,
            high: 50_000.0 + range / 2.0,
            low: 50_000.0 - range / 2.0,
            close: 50_000.0,
            volume: 1.0,
        };
        a.update(0, &c);
    }
    a
}

#[test]
fn risk_based_sizing_with_an_atr_stop_waits_for_the_atr() {
    let c = config("risk:1", Some("2atr"));
    let r = || buy(OrderKind::Market);
    let e = sized_with(&c, &Ledger::default(), &Atrs::default(), r()).unwrap_err();
    assert_eq!(e.code, SIZING);
    assert!(
        e.reason.contains("14-bar ATR of BTCUSDT is not warmed up"),
        "{e}"
    );
    // ATR 400: the stop is 800 below; 150 / 800 = 0.1875.
    let q = sized_with(&c, &Ledger::default(), &warm_atr(400.0), r());
    assert_eq!(q, base("0.1875"));
}

/// A ledger whose strategy 0 won `wins` round trips of `win` each and lost `losses` of `loss`.
fn record(wins: u32, win: &str, losses: u32, loss: &str) -> Ledger {
    let mut l = Ledger::default();
    let trip = |l: &mut Ledger, pnl: Decimal| {
        let fill = |side, price: Decimal| Fill {
            order: 1,
            instrument: 0,
            side,
            qty: Decimal::ONE,
            price,
            quote: price,
            fee: Decimal::ZERO,
            liquidity: Liquidity::Taker,
            time: 0,
            origin: Origin::Strategy(0),
        };
        l.on_fill(&fill(Side::Buy, d("100")), false);
        l.on_fill(&fill(Side::Sell, d("100") + pnl), false);
    };
    (0..wins).for_each(|_| trip(&mut l, d(win)));
    (0..losses).for_each(|_| trip(&mut l, -d(loss)));
    l
}

fn kelly(sizing: &str, ledger: &Ledger) -> Result<Qty, Reject> {
    let c = config(sizing, None);
    sized_with(&c, ledger, &Atrs::default(), buy(OrderKind::Market))
}

#[test]
fn kelly_bets_a_capped_fraction_of_the_edge() {
    // Below KELLY_MIN_TRADES round trips: the cap, 25 % of 15 000 = 3 750 / 50 050 = 0.0749250…
    let young = record(KELLY_MIN_TRADES - 1, "20", 0, "0");
    assert_eq!(kelly("kelly:0.5:25", &young), base("0.07492"));
    // p = 0.6, b = 20 / 10 = 2: f = 0.6 − 0.4 / 2 = 0.4; half Kelly = 20 % = 3 000 / 50 050.
    let edge = record(12, "20", 8, "10");
    assert_eq!(kelly("kelly:0.5:25", &edge), base("0.05994"));
    // The same edge capped at 10 %: 1 500 / 50 050.
    assert_eq!(kelly("kelly:0.5:10", &edge), base("0.02997"));
    // Never lost: f = p = 1; 0.3 of it is 30 %, under a 50 % cap: 4 500 / 50 050 = 0.0899100…
    let flawless = record(20, "5", 0, "0");
    assert_eq!(kelly("kelly:0.3:50", &flawless), base("0.08991"));
}

#[test]
fn kelly_refuses_a_record_without_edge() {
    // p = 0.4, b = 1: f = 0.4 − 0.6 = −0.2.
    let e = kelly("kelly:0.5:25", &record(8, "10", 12, "10")).unwrap_err();
    assert_eq!(e.code, KELLY);
    assert!(
        e.reason.contains("8 wins and 12 losses in 20 round trips"),
        "{e}"
    );
    assert!(e.reason.contains("-0.2"), "{e}");
    // p = 0.5, b = 1: f = 0 exactly, still no edge.
    let e = kelly("kelly:1:25", &record(10, "10", 10, "10")).unwrap_err();
    assert_eq!(e.code, KELLY);
    // No win at all.
    let e = kelly("kelly:1:25", &record(0, "0", 20, "3")).unwrap_err();
    assert_eq!(e.code, KELLY);
}

#[test]
fn orders_that_are_not_sized_entries_pass_unchanged() {
    let c = config("quote:500", None);
    let (l, a) = (Ledger::default(), Atrs::default());
    let mut sell = buy(OrderKind::Market);
    sell.side = Side::Sell;
    assert_eq!(sized_with(&c, &l, &a, sell), base("1"));
    let mut manual = buy(OrderKind::Market);
    manual.origin = Origin::Manual;
    assert_eq!(sized_with(&c, &l, &a, manual), base("1"));
    let mut other = buy(OrderKind::Market);
    other.origin = Origin::Strategy(3);
    assert_eq!(sized_with(&c, &l, &a, other), base("1"));
    let none = RiskConfig::default();
    assert_eq!(sized_with(&none, &l, &a, buy(OrderKind::Market)), base("1"));
}

#[test]
fn an_entry_sized_to_nothing_is_refused_and_so_is_one_without_a_price() {
    let e = sized("quote:0.1", None).unwrap_err();
    assert_eq!(e.code, SIZING);
    assert!(e.reason.contains("rounds down to 0"), "{e}");
    let x = exchange("10000");
    let c = config("quote:500", None);
    let (l, a) = (Ledger::default(), Atrs::default());
    let r = with_view(&x, f64::NAN, |v| {
        size(&c, &l, &a, buy(OrderKind::Market), v)
    });
    assert_eq!(r.unwrap_err().code, SIZING);
}

#[test]
fn the_approve_pipeline_sizes_strategy_entries() {
    let mut risk = Risk::new(config("equity:10", None));
    let x = exchange("10000");
    let approved = with_view(&x, 50_000.0, |v| risk.approve(7, buy(OrderKind::Market), v));
    assert_eq!(approved.unwrap().request().qty, Qty::Base(d("0.02997")));
    // Kelly reads the pipeline's own ledger, empty here: the cap applies.
    let mut risk = Risk::new(config("kelly:0.5:25", None));
    let approved = with_view(&x, 50_000.0, |v| risk.approve(8, buy(OrderKind::Market), v));
    assert_eq!(approved.unwrap().request().qty, Qty::Base(d("0.07492")));
}

proptest! {
    #[test]
    fn a_sized_entry_never_costs_more_than_the_free_quote(
        usdt in 0u32..50_000,
        price in 1u32..200_000,
        cents in 0u32..100,
        pct in 1u32..=100,
        policy in 0usize..3,
    ) {
        let x = exchange(&usdt.to_string());
        let p = f64::from(price) + f64::from(cents) / 100.0;
        let sizing = ["quote:", "equity:", "risk:"][policy].to_string() + &pct.to_string();
        let c = config(&sizing, Some("1%"));
        let (l, a) = (Ledger::default(), Atrs::default());
        let got = with_view(&x, p, |v| size(&c, &l, &a, buy(OrderKind::Market), v));
        if let Ok(r) = got {
            let Qty::Base(q) = r.qty else { panic!("a sized entry is in base units") };
            let cost = q * crate::core::to_decimal(p) * d("1.001");
            prop_assert!(cost <= Decimal::from(usdt), "{q} BTC costs {cost}");
            prop_assert!(q > Decimal::ZERO);
            prop_assert_eq!(x.rules(0).round_qty(q), q);
        }
    }
}
