use super::*;
use crate::core::{Liquidity, Origin};
use crate::exchange::{rules_for, unrestricted};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn cfg(fill: FillPolicy) -> SimConfig {
    SimConfig {
        fill,
        slippage_bps: Decimal::ZERO,
        maker_fee: d("0.0005"),
        taker_fee: d("0.001"),
    }
}

fn sim(fill: FillPolicy, filters: bool) -> SimExchange {
    let rules = if filters {
        rules_for("BTCUSDT")
    } else {
        unrestricted("BTCUSDT")
    };
    SimExchange::new(cfg(fill), vec![rules], &[("USDT", d("10000"))])
}

fn bar(t: i64, o: f64, h: f64, l: f64, c: f64) -> Candle {
    Candle {
        open_time: t,
        open: o,
        high: h,
        low: l,
        close: c,
        volume: 1.0,
    }
}

/// The exchange on its own, without the risk layer in front of it.
trait Raw {
    fn submit_raw(
        &mut self,
        id: u64,
        r: OrderRequest,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject>;
}

impl Raw for SimExchange {
    fn submit_raw(
        &mut self,
        id: u64,
        r: OrderRequest,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject> {
        self.submit(id, crate::risk::Approved::unchecked(r), now, out)
    }
}

fn order(side: Side, kind: OrderKind, qty: Qty) -> OrderRequest {
    OrderRequest {
        instrument: 0,
        side,
        kind,
        qty,
        oco: None,
        origin: Origin::Manual,
    }
}

fn fills(out: &[ExecEvent]) -> Vec<(Decimal, Decimal, Liquidity)> {
    out.iter()
        .filter_map(|e| {
            if let ExecEvent::Fill(f) = e {
                Some((f.qty, f.price, f.liquidity))
            } else {
                None
            }
        })
        .collect()
}

fn holdings(s: &SimExchange) -> (Decimal, Decimal) {
    let a = s.account();
    (
        a.total(a.find("USDT").unwrap()),
        a.total(a.find("BTC").unwrap()),
    )
}

#[test]
fn an_all_in_market_buy_fills_at_the_next_open_and_spends_exactly_the_cash() {
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.5), &[], &mut out);
    s.submit_raw(
        1,
        order(Side::Buy, OrderKind::Market, Qty::Quote(d("10000"))),
        0,
        &mut out,
    )
    .unwrap();
    assert!(out.is_empty(), "nothing fills on the decision bar");
    s.on_bar(0, &bar(1, 4086.09, 4100.0, 4000.0, 4050.0), &[], &mut out);
    let f = fills(&out);
    // Quantities computed from a quote amount are cut to 18 decimals, toward zero.
    let qty = (d("10000") / d("1.001") / d("4086.09"))
        .round_dp_with_strategy(18, rust_decimal::RoundingStrategy::ToZero);
    assert_eq!(f, vec![(qty, d("4086.09"), Liquidity::Taker)]);
    let (usdt, btc) = holdings(&s);
    assert!(
        usdt.abs() < d("0.000000000001"),
        "cash is spent to the dust: {usdt}"
    );
    assert_eq!(btc, qty);
}

#[test]
fn this_close_policy_and_slippage() {
    let mut s = SimExchange::new(
        SimConfig {
            slippage_bps: d("10"),
            ..cfg(FillPolicy::ThisClose)
        },
        vec![unrestricted("BTCUSDT")],
        &[("USDT", d("10000"))],
    );
    let mut out = Vec::new();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    s.submit_raw(
        1,
        order(Side::Buy, OrderKind::Market, Qty::Base(d("10"))),
        0,
        &mut out,
    )
    .unwrap();
    assert_eq!(
        fills(&out),
        vec![(d("10"), d("100.1"), Liquidity::Taker)],
        "10 bps worse than the close"
    );
}

#[test]
fn no_short_selling_and_no_overdraft() {
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    let e = s
        .submit_raw(
            1,
            order(Side::Sell, OrderKind::Market, Qty::Base(d("1"))),
            0,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(e.code, "NO_SHORT_SELLING");
    assert!(e.reason.contains("only 0 BTC is held"), "{e}");
    let e = s
        .submit_raw(
            2,
            order(
                Side::Buy,
                OrderKind::Limit { price: d("100") },
                Qty::Base(d("200")),
            ),
            0,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(e.code, "INSUFFICIENT_BALANCE");
}

#[test]
fn filters_round_quote_orders_to_the_step_and_refuse_small_ones() {
    let mut s = sim(FillPolicy::NextOpen, true);
    let mut out = Vec::new();
    s.on_bar(
        0,
        &bar(0, 60000.0, 60100.0, 59900.0, 60000.0),
        &[],
        &mut out,
    );
    let e = s
        .submit_raw(
            1,
            order(Side::Buy, OrderKind::Market, Qty::Quote(d("3"))),
            0,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "NOTIONAL: order value 3.00 USDT is below the minimum 5 USDT"
    );
    s.submit_raw(
        2,
        order(Side::Buy, OrderKind::Market, Qty::Quote(d("1000"))),
        0,
        &mut out,
    )
    .unwrap();
    s.on_bar(
        0,
        &bar(1, 60000.0, 60100.0, 59900.0, 60000.0),
        &[],
        &mut out,
    );
    assert_eq!(
        fills(&out)[0].0,
        d("0.01665"),
        "1000 / 1.001 / 60000 = 0.016650…, down to the 0.00001 step"
    );
}

/// 10 bought at 100, then a stop at 95 and a target at 110 in one OCO group (7), events cleared.
fn long_with_bracket() -> (SimExchange, Vec<ExecEvent>) {
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    s.submit_raw(
        1,
        order(Side::Buy, OrderKind::Market, Qty::Base(d("10"))),
        0,
        &mut out,
    )
    .unwrap();
    s.on_bar(0, &bar(1, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    let exit = |kind| OrderRequest {
        oco: Some(7),
        ..order(Side::Sell, kind, Qty::Base(d("10")))
    };
    s.submit_raw(2, exit(OrderKind::StopLoss { stop: d("95") }), 1, &mut out)
        .unwrap();
    s.submit_raw(
        3,
        exit(OrderKind::TakeProfit { stop: d("110") }),
        1,
        &mut out,
    )
    .unwrap();
    out.clear();
    (s, out)
}

#[test]
fn one_bar_touching_stop_and_target_fills_the_stop_and_cancels_the_target() {
    let (mut s, mut out) = long_with_bracket();
    s.on_bar(0, &bar(2, 100.0, 112.0, 94.0, 105.0), &[], &mut out);
    assert_eq!(
        fills(&out),
        vec![(d("10"), d("95"), Liquidity::Taker)],
        "stop first: pessimistic for a long"
    );
    assert!(out.contains(&ExecEvent::Closed {
        order: 3,
        status: OrderStatus::Canceled,
        reason: None
    }));
    assert!(s.open_orders().is_empty());
}

#[test]
fn finer_bars_decide_which_came_first() {
    let (mut s, mut out) = long_with_bracket();
    // The hour went up to 112 in its first minute, then down to 94.
    let minutes = [
        bar(2, 100.0, 112.0, 100.0, 111.0),
        bar(3, 111.0, 111.0, 94.0, 96.0),
    ];
    s.on_bar(0, &bar(2, 100.0, 112.0, 94.0, 96.0), &minutes, &mut out);
    assert_eq!(
        fills(&out),
        vec![(d("10"), d("110"), Liquidity::Taker)],
        "the target came first"
    );
}

#[test]
fn limits_rest_as_maker_and_gaps_fill_at_the_open() {
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    s.submit_raw(
        1,
        order(
            Side::Buy,
            OrderKind::Limit { price: d("98") },
            Qty::Base(d("1")),
        ),
        0,
        &mut out,
    )
    .unwrap();
    s.submit_raw(
        2,
        order(
            Side::Buy,
            OrderKind::Limit { price: d("97") },
            Qty::Base(d("1")),
        ),
        0,
        &mut out,
    )
    .unwrap();
    s.on_bar(0, &bar(1, 99.0, 100.0, 98.5, 99.0), &[], &mut out);
    assert!(fills(&out).is_empty(), "98.5 never reached 98");
    s.on_bar(0, &bar(2, 96.0, 99.0, 95.0, 98.0), &[], &mut out);
    let f = fills(&out);
    assert_eq!(
        f,
        vec![
            (d("1"), d("96"), Liquidity::Taker),
            (d("1"), d("96"), Liquidity::Taker)
        ],
        "both gapped: at the open"
    );
    let (usdt, _) = holdings(&s);
    assert_eq!(
        usdt,
        d("10000") - d("192") * d("1.001"),
        "taker fee on gap fills; locks released"
    );
}

#[test]
fn cancelling_releases_the_lock_and_unknown_orders_are_refused() {
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    s.submit_raw(
        1,
        order(
            Side::Buy,
            OrderKind::Limit { price: d("100") },
            Qty::Base(d("50")),
        ),
        0,
        &mut out,
    )
    .unwrap();
    let usdt = s.account().find("USDT").unwrap();
    assert!(s.account().locked(usdt) > Decimal::ZERO);
    s.cancel(1, &mut out).unwrap();
    assert_eq!(
        (s.account().free(usdt), s.account().locked(usdt)),
        (d("10000"), Decimal::ZERO)
    );
    assert_eq!(s.cancel(1, &mut out).unwrap_err().code, "UNKNOWN_ORDER");
}

#[test]
fn an_order_placed_inside_a_bar_is_not_matched_against_prices_before_it() {
    // A person's order at minute 30 of an hour: the hour's open and low came before it.
    let hour = 3_600_000;
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    let market = order(Side::Buy, OrderKind::Market, Qty::Base(d("1")));
    s.submit_raw(1, market, hour + hour / 2, &mut out).unwrap();
    s.on_bar(0, &bar(hour, 90.0, 101.0, 89.0, 100.0), &[], &mut out);
    assert!(
        fills(&out).is_empty(),
        "not at 90, an open before the order"
    );
    s.on_bar(0, &bar(2 * hour, 102.0, 103.0, 101.0, 102.0), &[], &mut out);
    assert_eq!(fills(&out), vec![(d("1"), d("102"), Liquidity::Taker)]);
}

#[test]
fn a_stop_the_price_jumps_past_executes_at_the_open_even_when_resting() {
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    let buy = order(Side::Buy, OrderKind::Market, Qty::Base(d("1")));
    s.submit_raw(1, buy, 0, &mut out).unwrap();
    s.on_bar(0, &bar(0, 100.0, 101.0, 99.0, 100.0), &[], &mut out);
    let stop = OrderKind::StopLoss { stop: d("95") };
    s.submit_raw(2, order(Side::Sell, stop, Qty::Base(d("1"))), 1, &mut out)
        .unwrap();
    s.on_bar(0, &bar(1, 99.0, 100.0, 96.0, 97.0), &[], &mut out);
    s.on_bar(0, &bar(2, 90.0, 92.0, 89.0, 91.0), &[], &mut out);
    let f = fills(&out);
    assert_eq!(
        f[1..],
        [(d("1"), d("90"), Liquidity::Taker)],
        "not at 95: it was never traded"
    );
}

#[test]
fn inside_a_bar_an_order_arrives_at_the_open_of_its_first_finer_candle() {
    // Minute 10 dips to 90, before the order; it is placed at minute 30, which opens at 95.
    let (hour, minute) = (3_600_000, 60_000);
    let price = |k: i64| match k {
        10 => [100.0, 100.0, 90.0, 100.0],
        30 => [95.0, 96.0, 94.0, 96.0],
        _ => [100.0; 4],
    };
    let minutes: Vec<Candle> = (0..60)
        .map(|k| {
            let [o, h, l, c] = price(k);
            bar(hour + k * minute, o, h, l, c)
        })
        .collect();
    let mut s = sim(FillPolicy::NextOpen, false);
    let mut out = Vec::new();
    let bid = OrderKind::Limit { price: d("97") };
    s.submit_raw(
        1,
        order(Side::Buy, bid, Qty::Base(d("1"))),
        hour + 30 * minute,
        &mut out,
    )
    .unwrap();
    let whole = bar(hour, 100.0, 100.0, 90.0, 100.0);
    s.on_bar(0, &whole, &minutes, &mut out);
    assert_eq!(fills(&out), vec![(d("1"), d("95"), Liquidity::Taker)]);
}
