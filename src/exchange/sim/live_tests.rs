//! Paper trading on live data: orders filled against a live book and live trades.

use super::*;
use crate::core::{Fill, Liquidity, Origin};
use crate::exchange::{Depth, Levels, unrestricted};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Maker 0.05 %, taker 0.1 %, and a slippage the live book must ignore.
fn live(deposits: &[(&str, Decimal)]) -> SimExchange {
    let cfg = SimConfig {
        fill: FillPolicy::NextOpen,
        slippage_bps: d("50"),
        maker_fee: d("0.0005"),
        taker_fee: d("0.001"),
    };
    let mut s = SimExchange::new(cfg, vec![unrestricted("BTCUSDT")], deposits);
    s.set_live_book(true);
    s
}

fn cash() -> SimExchange {
    live(&[("USDT", d("10000"))])
}

fn levels(l: &[(&str, &str)]) -> Levels {
    l.iter().map(|&(p, q)| (d(p), d(q))).collect()
}

fn book(bids: &[(&str, &str)], asks: &[(&str, &str)]) -> Depth {
    Depth {
        bids: levels(bids),
        asks: levels(asks),
    }
}

fn req(side: Side, kind: OrderKind, qty: Qty, oco: Option<u64>) -> OrderRequest {
    OrderRequest {
        instrument: 0,
        side,
        kind,
        qty,
        oco,
        origin: Origin::Manual,
    }
}

fn submit(s: &mut SimExchange, id: u64, r: OrderRequest, out: &mut Vec<ExecEvent>) {
    s.submit(id, crate::risk::Approved::unchecked(r), 1, out)
        .unwrap();
}

fn fills(out: &[ExecEvent]) -> Vec<Fill> {
    out.iter()
        .filter_map(|e| match e {
            ExecEvent::Fill(f) => Some(f.clone()),
            ExecEvent::Closed { .. } => None,
        })
        .collect()
}

/// (order, qty, price, quote, fee, liquidity) of each fill.
fn summary(out: &[ExecEvent]) -> Vec<(u64, Decimal, Decimal, Decimal, Decimal, Liquidity)> {
    fills(out)
        .into_iter()
        .map(|f| (f.order, f.qty, f.price, f.quote, f.fee, f.liquidity))
        .collect()
}

fn closed(out: &[ExecEvent]) -> Vec<(u64, OrderStatus, Option<&'static str>)> {
    out.iter()
        .filter_map(|e| match e {
            ExecEvent::Closed {
                order,
                status,
                reason,
            } => Some((*order, *status, reason.as_ref().map(|r| r.code))),
            ExecEvent::Fill(_) => None,
        })
        .collect()
}

/// (free, locked) of an asset.
fn balance(s: &SimExchange, asset: &str) -> (Decimal, Decimal) {
    let a = s.account();
    let i = a.find(asset).unwrap();
    (a.free(i), a.locked(i))
}

const ASKS: [(&str, &str); 3] = [("100", "1"), ("101", "2"), ("102", "3")];

#[test]
fn a_market_buy_walks_three_levels_at_their_average_price() {
    let mut s = cash();
    let mut out = Vec::new();
    s.on_book(0, &book(&[("99", "5")], &ASKS), 0, &mut out);
    let r = req(Side::Buy, OrderKind::Market, Qty::Base(d("4")), None);
    submit(&mut s, 1, r, &mut out);
    // 1 × 100 + 2 × 101 + 1 × 102 = 404 for 4: 101 each; taker fee 0.1 %, no slippage.
    let want = (1, d("4"), d("101"), d("404"), d("0.404"), Liquidity::Taker);
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(balance(&s, "USDT"), (d("9595.596"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("4"), d("0")));
    assert!(s.open_orders().is_empty());
}

#[test]
fn a_quote_amount_market_buy_spends_exactly_the_amount_with_the_fee() {
    let mut s = cash();
    let mut out = Vec::new();
    s.on_book(0, &book(&[], &ASKS), 0, &mut out);
    // 251.7515 / 1.001 = 251.5 to trade: 100 at the first level, 151.5 = 1.5 × 101 at the second.
    let r = req(
        Side::Buy,
        OrderKind::Market,
        Qty::Quote(d("251.7515")),
        None,
    );
    submit(&mut s, 1, r, &mut out);
    let want = (
        1,
        d("2.5"),
        d("100.6"),
        d("251.5"),
        d("0.2515"),
        Liquidity::Taker,
    );
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(balance(&s, "USDT"), (d("9748.2485"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("2.5"), d("0")));
}

#[test]
fn a_market_sell_walks_the_bids() {
    let mut s = live(&[("USDT", d("10000")), ("BTC", d("5"))]);
    let mut out = Vec::new();
    s.on_book(0, &book(&[("99", "1"), ("98", "2")], &ASKS), 0, &mut out);
    let r = req(Side::Sell, OrderKind::Market, Qty::Base(d("2")), None);
    submit(&mut s, 1, r, &mut out);
    let want = (1, d("2"), d("98.5"), d("197"), d("0.197"), Liquidity::Taker);
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(balance(&s, "USDT"), (d("10196.803"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("3"), d("0")));
}

#[test]
fn when_the_known_levels_run_out_the_rest_of_a_market_order_expires() {
    let mut s = cash();
    let mut out = Vec::new();
    s.on_book(0, &book(&[], &[("100", "1"), ("101", "2")]), 0, &mut out);
    let r = req(Side::Buy, OrderKind::Market, Qty::Base(d("5")), None);
    submit(&mut s, 1, r, &mut out);
    // 302 for 3: 100.666…, rounded to 18 decimals.
    let price = d("100.666666666666666667");
    let want = (1, d("3"), price, d("302"), d("0.302"), Liquidity::Taker);
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(
        closed(&out),
        vec![(1, OrderStatus::Expired, Some("BOOK_DEPTH"))]
    );
    assert_eq!(balance(&s, "USDT"), (d("9697.698"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("3"), d("0")));
    assert!(s.open_orders().is_empty());
}

#[test]
fn a_market_order_before_any_book_waits_for_the_first_one() {
    let mut s = cash();
    let mut out = Vec::new();
    // A trade gives the reference price the order locks at while it waits.
    s.on_trade(0, d("100"), 0, &mut out);
    let r = req(Side::Buy, OrderKind::Market, Qty::Base(d("1")), None);
    submit(&mut s, 1, r, &mut out);
    assert!(out.is_empty());
    assert_eq!(s.open_orders().len(), 1);
    assert_eq!(balance(&s, "USDT"), (d("9899.9"), d("100.1")));
    s.on_trade(0, d("99"), 2, &mut out);
    assert!(out.is_empty(), "a trade does not fill a market order");
    s.on_book(0, &book(&[("100", "1")], &[("100.5", "3")]), 3, &mut out);
    let want = (
        1,
        d("1"),
        d("100.5"),
        d("100.5"),
        d("0.1005"),
        Liquidity::Taker,
    );
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(fills(&out)[0].time, 3);
    assert_eq!(balance(&s, "USDT"), (d("9899.3995"), d("0")));
}

#[test]
fn a_limit_touched_does_not_fill_but_traded_through_fills_at_its_price_as_maker() {
    let mut s = cash();
    let mut out = Vec::new();
    s.on_book(0, &book(&[("98", "1")], &[("100", "1")]), 0, &mut out);
    let r = req(
        Side::Buy,
        OrderKind::Limit { price: d("99") },
        Qty::Base(d("1")),
        None,
    );
    submit(&mut s, 1, r, &mut out);
    s.on_trade(0, d("99"), 2, &mut out);
    assert!(out.is_empty(), "a touch is not a fill");
    s.on_trade(0, d("98.9"), 3, &mut out);
    let want = (1, d("1"), d("99"), d("99"), d("0.0495"), Liquidity::Maker);
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(balance(&s, "USDT"), (d("9900.9505"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("1"), d("0")));
}

#[test]
fn a_marketable_limit_takes_the_book_up_to_its_price_and_rests_the_rest() {
    let mut s = cash();
    let mut out = Vec::new();
    let asks = [("100", "1"), ("101", "1"), ("102", "5")];
    s.on_book(0, &book(&[("99", "1")], &asks), 0, &mut out);
    let r = req(
        Side::Buy,
        OrderKind::Limit { price: d("101") },
        Qty::Base(d("3")),
        None,
    );
    submit(&mut s, 1, r, &mut out);
    let taker = (
        1,
        d("2"),
        d("100.5"),
        d("201"),
        d("0.201"),
        Liquidity::Taker,
    );
    assert_eq!(summary(&out), vec![taker]);
    let open = &s.open_orders()[0];
    assert_eq!(
        (open.filled, open.status),
        (d("2"), OrderStatus::PartiallyFilled)
    );
    // The rest locks 1 × 101 at the worse (taker) fee.
    assert_eq!(balance(&s, "USDT"), (d("9697.698"), d("101.101")));
    // The levels taken are gone: a market buy now pays 102.
    let m = req(Side::Buy, OrderKind::Market, Qty::Base(d("1")), None);
    submit(&mut s, 2, m, &mut out);
    assert_eq!(fills(&out)[1].price, d("102"));
    s.on_trade(0, d("100"), 4, &mut out);
    let maker = (1, d("1"), d("101"), d("101"), d("0.0505"), Liquidity::Maker);
    assert_eq!(summary(&out)[2], maker);
    assert!(s.open_orders().is_empty());
    // 10000 − 201.201 − 102.102 − 101.0505
    assert_eq!(balance(&s, "USDT"), (d("9595.6465"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("4"), d("0")));
}

#[test]
fn a_stop_loss_triggered_by_a_trade_sells_into_the_book() {
    let mut s = live(&[("USDT", d("10000")), ("BTC", d("2"))]);
    let mut out = Vec::new();
    s.on_book(
        0,
        &book(&[("94", "1"), ("93", "3")], &[("96", "1")]),
        0,
        &mut out,
    );
    let r = req(
        Side::Sell,
        OrderKind::StopLoss { stop: d("95") },
        Qty::Base(d("2")),
        None,
    );
    submit(&mut s, 1, r, &mut out);
    s.on_trade(0, d("95.5"), 2, &mut out);
    assert!(out.is_empty());
    s.on_trade(0, d("95"), 3, &mut out);
    let want = (1, d("2"), d("93.5"), d("187"), d("0.187"), Liquidity::Taker);
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(balance(&s, "USDT"), (d("10186.813"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("0"), d("0")));
}

#[test]
fn a_stop_limit_triggered_by_a_trade_takes_the_book_within_its_limit() {
    let mut s = cash();
    let mut out = Vec::new();
    s.on_book(0, &book(&[], &[("105", "1"), ("107", "1")]), 0, &mut out);
    let kind = OrderKind::StopLossLimit {
        stop: d("104"),
        price: d("106"),
    };
    submit(
        &mut s,
        1,
        req(Side::Buy, kind, Qty::Base(d("2")), None),
        &mut out,
    );
    s.on_trade(0, d("104"), 2, &mut out);
    let want = (1, d("1"), d("105"), d("105"), d("0.105"), Liquidity::Taker);
    assert_eq!(summary(&out), vec![want]);
    let open = &s.open_orders()[0];
    assert!(open.triggered);
    assert_eq!(open.filled, d("1"));
}

#[test]
fn when_the_take_profit_of_an_oco_pair_fills_the_stop_is_canceled() {
    let mut s = live(&[("USDT", d("10000")), ("BTC", d("1"))]);
    let mut out = Vec::new();
    s.on_book(0, &book(&[("100", "1")], &[("101", "1")]), 0, &mut out);
    let target = OrderKind::Limit { price: d("110") };
    let stop = OrderKind::StopLoss { stop: d("90") };
    let one = Qty::Base(d("1"));
    submit(&mut s, 1, req(Side::Sell, target, one, Some(7)), &mut out);
    submit(&mut s, 2, req(Side::Sell, stop, one, Some(7)), &mut out);
    assert_eq!(
        balance(&s, "BTC"),
        (d("0"), d("1")),
        "the pair shares one lock"
    );
    s.on_trade(0, d("110"), 2, &mut out);
    assert!(out.is_empty());
    s.on_trade(0, d("110.5"), 3, &mut out);
    let want = (1, d("1"), d("110"), d("110"), d("0.055"), Liquidity::Maker);
    assert_eq!(summary(&out), vec![want]);
    assert_eq!(closed(&out), vec![(2, OrderStatus::Canceled, None)]);
    assert!(s.open_orders().is_empty());
    assert_eq!(balance(&s, "USDT"), (d("10109.945"), d("0")));
    assert_eq!(balance(&s, "BTC"), (d("0"), d("0")));
}

#[test]
fn with_the_live_book_off_books_and_trades_change_nothing() {
    let mut s = cash();
    s.set_live_book(false);
    let mut out = Vec::new();
    let limit = OrderKind::Limit { price: d("99") };
    submit(
        &mut s,
        1,
        req(Side::Buy, limit, Qty::Base(d("1")), None),
        &mut out,
    );
    let market = req(Side::Buy, OrderKind::Market, Qty::Base(d("1")), None);
    submit(&mut s, 2, market, &mut out);
    let before = (balance(&s, "USDT"), s.open_orders().to_vec());
    s.on_book(0, &book(&[("49", "9")], &[("50", "9")]), 2, &mut out);
    s.on_trade(0, d("1"), 3, &mut out);
    assert!(out.is_empty());
    assert_eq!((balance(&s, "USDT"), s.open_orders().to_vec()), before);
    // And the bars still match as before: the market order fills at the next open.
    let bar = Candle {
        open_time: 4,
        open: 100.0,
        high: 100.0,
        low: 100.0,
        close: 100.0,
        volume: 1.0,
    };
    s.on_bar(0, &bar, &[], &mut out);
    assert_eq!(fills(&out).len(), 1);
    assert_eq!(
        fills(&out)[0].price,
        d("100.5"),
        "with slippage, off the book"
    );
}
