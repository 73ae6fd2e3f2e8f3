//! Orders against bars: market fills and slippage, limits, stop-limits, brackets with and
//! without detail candles, filters and refusals, quote-amount buys.

use super::*;

#[test]
fn market_orders_fill_at_the_next_open_or_this_close_worsened_by_slippage() {
    #[rustfmt::skip]
    let cases = [
        (NextOpen, "0", ["BUY 1@110 Taker fee 0 +60", "SELL 1@120 Taker fee 0 +120"]),
        (NextOpen, "50", ["BUY 1@110.55 Taker fee 0 +60", "SELL 1@119.4 Taker fee 0 +120"]),
        (ThisClose, "0", ["BUY 1@100 Taker fee 0 +60", "SELL 1@110 Taker fee 0 +120"]),
        (ThisClose, "50", ["BUY 1@100.5 Taker fee 0 +60", "SELL 1@109.45 Taker fee 0 +120"]),
    ];
    for (fill, bps, expected) in cases {
        let log = Log::default();
        let s = Script::new(&log).place(0, Buy, OrderKind::Market, "1", None);
        let s = s.place(1, Sell, OrderKind::Market, "1", None);
        let mut e = rig(cfg(fill, bps, "0", "0"), "1000", "0", s);
        feed(&mut e, &[flat(0, 100.0), flat(1, 110.0), flat(2, 120.0)]);
        assert_eq!(log.fills(), expected, "{fill}, {bps} bps");
    }
}

/// One order of 1 placed on the close of a flat bar at 100, then `next`; maker 0.1 %, taker 0.2 %.
fn resting(side: Side, kind: OrderKind, next: Candle) -> (Log, Rig) {
    let log = Log::default();
    let s = Script::new(&log).place(0, side, kind, "1", None);
    let mut e = rig(cfg(NextOpen, "0", "0.001", "0.002"), "1000", "1", s);
    feed(&mut e, &[flat(0, 100.0), next]);
    (log, e)
}

#[test]
fn limit_orders_fill_at_the_limit_as_maker_at_a_gap_as_taker_or_not_at_all() {
    let (bid, ask) = (limit("95"), limit("105"));
    #[rustfmt::skip]
    let cases = [
        (Buy, bid, [100.0, 101.0, 94.0, 98.0], "BUY 1@95 Maker fee 0.095", "BTC 2/0 USDT 904.905/0"),
        (Buy, bid, [93.0, 96.0, 92.0, 95.0], "BUY 1@93 Taker fee 0.186", "BTC 2/0 USDT 906.814/0"),
        (Buy, bid, [100.0, 101.0, 96.0, 98.0], "", "BTC 1/0 USDT 904.81/95.19"),
        (Sell, ask, [100.0, 106.0, 99.0, 101.0], "SELL 1@105 Maker fee 0.105", "BTC 0/0 USDT 1104.895/0"),
        (Sell, ask, [107.0, 108.0, 106.0, 107.0], "SELL 1@107 Taker fee 0.214", "BTC 0/0 USDT 1106.786/0"),
        (Sell, ask, [100.0, 104.0, 99.0, 101.0], "", "BTC 0/1 USDT 1000/0"),
    ];
    for (side, kind, [o, h, l, c], fill, balances) in cases {
        let (log, e) = resting(side, kind, bar(1, o, h, l, c));
        let fills: Vec<_> = [fill].into_iter().filter(|f| !f.is_empty()).collect();
        let fills: Vec<_> = fills.iter().map(|f| format!("{f} +60")).collect();
        assert_eq!(log.fills(), fills, "{side:?} {kind:?} on {o} {h} {l} {c}");
        assert_eq!(wallet(&e), balances, "fees in USDT, locks");
    }
}

#[test]
fn a_stop_limit_triggers_at_its_stop_and_fills_at_its_limit_or_rests_below_it() {
    let (stop, price) = (d("95"), d("94"));
    let kind = OrderKind::StopLossLimit { stop, price };
    let (log, _) = resting(Sell, kind, bar(1, 100.0, 101.0, 93.0, 96.0));
    assert_eq!(log.fills(), ["SELL 1@94 Maker fee 0.094 +60"]);
    let (log, mut e) = resting(Sell, kind, bar(1, 90.0, 92.0, 89.0, 91.0));
    assert!(log.fills().is_empty(), "gapped below the limit");
    let open = e.exchange().open_orders();
    assert!(open.len() == 1 && open[0].triggered, "{open:?}");
    e.on_bar(0, &bar(2, 93.0, 95.0, 92.0, 94.0), &[]);
    assert_eq!(log.fills(), ["SELL 1@94 Maker fee 0.094 +120"]);
}

/// Hours 0 and 2 flat at 100; hour 1 first spikes to 112 (minute 75), then falls to 94 (minute
/// 90) and closes at 100: as a whole bar, O100 H112 L94 C100.
fn minutes() -> Vec<Candle> {
    let price = |k| match k {
        75 => [100.0, 112.0, 100.0, 111.0],
        76..=89 => [111.0; 4],
        90 => [111.0, 111.0, 94.0, 100.0],
        _ => [100.0; 4],
    };
    let minute = |k| candle(T0 + k * MINUTE_MS, price(k));
    (0..180).map(minute).collect()
}

fn hours() -> Vec<Candle> {
    let bars = resample(&minutes(), Interval::M1, Interval::H1).unwrap();
    bars.iter().map(|b| b.candle).collect()
}

/// Buys 1 BTC at the first close, then brackets it: stop at 95 (order 2), target at 110 (order 3).
fn bracketed(log: &Log) -> Script {
    let (stop, target) = (d("95"), d("110"));
    let sl = OrderKind::StopLoss { stop };
    let tp = OrderKind::TakeProfit { stop: target };
    let s = Script::new(log).place(0, Buy, OrderKind::Market, "1", None);
    s.place(0, Sell, sl, "1", Some(7))
        .place(0, Sell, tp, "1", Some(7))
}

#[test]
fn a_bar_touching_stop_and_target_fills_the_stop_unless_detail_shows_the_high_first() {
    let (h, m) = (hours(), minutes());
    for detail in [false, true] {
        let log = Log::default();
        let mut e = rig(cfg(ThisClose, "0", "0", "0"), "1000", "0", bracketed(&log));
        for (k, b) in h.iter().enumerate() {
            e.on_bar(0, b, if detail { &m[k * 60..k * 60 + 60] } else { &[] });
        }
        let (exit, canceled) = match detail {
            false => ("SELL 1@95 Taker fee 0 +60", "3 Canceled"),
            true => ("SELL 1@110 Taker fee 0 +75", "2 Canceled"),
        };
        assert_eq!(log.fills()[1], exit, "detail {detail}");
        assert_eq!(log.get().closed, [canceled], "the other leg of the group");
        assert!(e.exchange().open_orders().is_empty());
    }
}

fn exit_price(spec: &Spec, feed: &Feed) -> f64 {
    let out = backtest_script(spec, bracketed(&Log::default()), feed);
    assert_eq!(out.trades.len(), 1, "{:?}", out.trades);
    out.trades[0].exit_price
}

#[test]
fn detail_gives_the_same_exit_through_a_feed_and_through_a_store() {
    let mut spec = spec(ThisClose, "0", false);
    let whole = Feed::new(Interval::H1, vec![hours()]);
    assert_eq!(exit_price(&spec, &whole), 95.0);
    let fine = Feed::new(Interval::H1, vec![hours()]).with_detail(vec![minutes()]);
    assert_eq!(exit_price(&spec, &fine), 110.0);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (iv, candles) in [(Interval::M1, minutes()), (Interval::H1, hours())] {
        let key = SeriesKey::binance("BTCUSDT".parse().unwrap(), iv);
        let covered = Range::new(T0, T0 + 3 * HOUR_MS);
        store
            .writer(&key)
            .unwrap()
            .insert(&candles, covered)
            .unwrap();
    }
    let loaded = backtest::load(&store, &spec).unwrap();
    assert_eq!(exit_price(&spec, &loaded), 95.0);
    spec.detail = Some(Interval::M1);
    let loaded = backtest::load(&store, &spec).unwrap();
    assert_eq!((loaded.series[0].len(), loaded.detail[0].len()), (3, 180));
    assert_eq!(exit_price(&spec, &loaded), 110.0);
}

#[test]
fn filters_round_refuse_with_codes_and_reasons_and_the_report_counts_refusals() {
    let log = Log::default();
    let s = Script::new(&log).place(0, Buy, OrderKind::Market, "0.123456789", None);
    let s = s.place(0, Buy, OrderKind::Market, "0.01", None);
    let s = s.place(0, Sell, OrderKind::Market, "1", None);
    let feed = Feed::new(Interval::H1, vec![vec![flat(0, 100.0), flat(1, 110.0)]]);
    let out = backtest_script(&spec(NextOpen, "0.001", true), s, &feed);
    let fill = "BUY 0.12345@110 Taker fee 0.0135795 +60";
    assert_eq!(log.fills(), [fill], "rounded down to the step");
    let closed = log.get().closed;
    let notional = "NOTIONAL: order value 1.00 USDT is below the minimum 5 USDT";
    assert_eq!(closed[0], format!("2 Rejected {notional}"));
    let short = "3 Rejected NO_SHORT_SELLING: selling 1 BTC but only 0 BTC is held";
    assert!(closed[1].starts_with(short), "{}", closed[1]);
    let refused: Vec<_> = out.refused.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(refused, [("NOTIONAL", 1), ("NO_SHORT_SELLING", 1)]);
    let text = tickdesk::report::text(&out);
    assert!(text.contains("orders refused: NOTIONAL ×1, NO_SHORT_SELLING ×1"));
    let sample = format!("order 2 (BUY MARKET): {notional}");
    assert!(text.contains(&sample), "{text}");
}

#[test]
fn a_quote_amount_market_buy_spends_exactly_its_amount_fee_included() {
    let log = Log::default();
    let s = Script::new(&log).on(0, |ctx| _ = ctx.market_buy_quote(0, d("1000")));
    let mut e = rig(cfg(NextOpen, "0", "0", "0.001"), "1000", "0", s);
    feed(&mut e, &[flat(0, 100.0), flat(1, 120.0)]);
    let f = &log.get().fills[0];
    let fee = (f.quote * d("0.001")).round_dp(12);
    assert_eq!((f.price, f.fee), (d("120"), fee));
    let spent = f.quote + f.fee;
    assert!((spent - d("1000")).abs() < d("1e-9"), "spent {spent}");
    let qty = d("1000") / d("1.001") / d("120");
    assert!((f.qty - qty).abs() < d("1e-15"), "{} BTC", f.qty);
    let left = (d("1000") - spent).normalize();
    assert_eq!(wallet(&e), format!("BTC {}/0 USDT {left}/0", f.qty));
}
