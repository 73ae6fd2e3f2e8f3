use super::*;
use crate::core::{OrderKind, OrderRequest, Origin};
use crate::exchange::Exchange;
use crate::risk::Approved;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn exchange() -> LiveExchange {
    let rules = vec![crate::exchange::rules_for("BTCUSDT")];
    let balances = [
        ("USDT".to_string(), d("1000"), d("0")),
        ("BTC".to_string(), d("0.5"), d("0")),
    ];
    LiveExchange::new(rules, &balances, d("0.001"))
}

fn order(side: Side, kind: OrderKind, qty: &str) -> Approved {
    Approved::unchecked(OrderRequest {
        instrument: 0,
        side,
        kind,
        qty: Qty::Base(d(qty)),
        oco: None,
        origin: Origin::Strategy(0),
    })
}

fn usdt(x: &LiveExchange) -> (Decimal, Decimal) {
    let a = x.account().find("USDT").unwrap();
    (x.account().free(a), x.account().locked(a))
}

fn btc(x: &LiveExchange) -> (Decimal, Decimal) {
    let a = x.account().find("BTC").unwrap();
    (x.account().free(a), x.account().locked(a))
}

#[test]
fn a_submitted_order_is_queued_for_the_exchange_and_locks_its_funds_meanwhile() {
    let mut x = exchange();
    let mut out = Vec::new();
    let limit = OrderKind::Limit { price: d("20000") };
    x.submit(1, order(Side::Buy, limit, "0.01"), 5, &mut out)
        .unwrap();
    assert!(
        out.is_empty(),
        "nothing happens before the exchange answers"
    );
    assert_eq!(x.open_orders().len(), 1);
    // 0.01 × 20000 × (1 + 0.001) = 200.2
    assert_eq!(usdt(&x), (d("799.8"), d("200.2")));
    let sent = x.take_outgoing();
    assert!(matches!(&sent[..], [Outgoing::Place(o)] if o.id == 1 && o.placed_at == 5));
    assert!(
        x.take_outgoing().is_empty(),
        "each request is handed over once"
    );
}

#[test]
fn an_order_the_free_balance_cannot_pay_is_refused_without_a_request() {
    let mut x = exchange();
    let limit = OrderKind::Limit { price: d("20000") };
    let err = x
        .submit(1, order(Side::Buy, limit, "1"), 0, &mut Vec::new())
        .unwrap_err();
    assert_eq!(err.code, "INSUFFICIENT_BALANCE");
    assert!(err.reason.contains("1000"), "{err}");
    assert!(x.take_outgoing().is_empty());
    assert!(x.open_orders().is_empty());
}

#[test]
fn fills_move_the_mirror_and_reach_the_core_then_the_exchange_balances_replace_it() {
    let mut x = exchange();
    let mut out = Vec::new();
    x.submit(7, order(Side::Buy, OrderKind::Market, "0.01"), 0, &mut out)
        .unwrap();
    x.on_bar(0, &candle(20_000.0), &[], &mut out);
    let fill = |qty: &str, price: &str, quote: &str| Report::Fill {
        order: 7,
        qty: d(qty),
        price: d(price),
        quote: d(quote),
        fee: d("0.1"),
        maker: false,
        time: 9,
    };
    x.on_report(fill("0.004", "25000", "100"), &mut out);
    x.on_report(fill("0.006", "25000", "150"), &mut out);
    assert_eq!(out.len(), 2);
    let ExecEvent::Fill(f) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(
        (f.order, f.qty, f.fee, f.time),
        (7, d("0.004"), d("0.1"), 9)
    );
    assert_eq!(f.origin, Origin::Strategy(0));
    assert_eq!(btc(&x), (d("0.51"), d("0")));
    // Locked by estimate at the last close (0.01 × 20000 × 1.001 = 200.2); spent 250.2.
    assert_eq!(usdt(&x).0 + usdt(&x).1, d("749.8"));
    x.on_report(
        Report::Order {
            order: 7,
            status: OrderStatus::Filled,
            filled: d("0.01"),
            reason: None,
        },
        &mut out,
    );
    assert_eq!(out.len(), 2, "a filled order closes without another event");
    assert!(x.open_orders().is_empty());
    x.on_report(
        Report::Balances(vec![("USDT".into(), d("749.75"), d("0"))]),
        &mut out,
    );
    assert_eq!(usdt(&x), (d("749.75"), d("0")), "the exchange's word wins");
}

#[test]
fn a_cancel_is_sent_once_and_the_order_closes_when_the_exchange_says_so() {
    let mut x = exchange();
    let mut out = Vec::new();
    let limit = OrderKind::Limit { price: d("30000") };
    x.submit(3, order(Side::Sell, limit, "0.2"), 0, &mut out)
        .unwrap();
    assert_eq!(btc(&x), (d("0.3"), d("0.2")));
    x.take_outgoing();
    x.cancel(3, &mut out).unwrap();
    x.cancel(3, &mut out).unwrap();
    let sent = x.take_outgoing();
    assert!(matches!(&sent[..], [Outgoing::Cancel(o)] if o.id == 3));
    assert_eq!(x.open_orders().len(), 1, "open until the exchange confirms");
    assert_eq!(
        btc(&x),
        (d("0.5"), d("0")),
        "free for what follows the cancel"
    );
    x.on_report(
        Report::Order {
            order: 3,
            status: OrderStatus::Canceled,
            filled: d("0"),
            reason: None,
        },
        &mut out,
    );
    assert!(matches!(
        &out[..],
        [ExecEvent::Closed {
            order: 3,
            status: OrderStatus::Canceled,
            ..
        }]
    ));
    assert_eq!(btc(&x), (d("0.5"), d("0")), "released once");
    assert_eq!(x.cancel(3, &mut out).unwrap_err().code, "UNKNOWN_ORDER");
}

#[test]
fn a_rejection_closes_the_order_with_the_exchanges_reason() {
    let mut x = exchange();
    let mut out = Vec::new();
    x.submit(4, order(Side::Sell, OrderKind::Market, "0.1"), 0, &mut out)
        .unwrap();
    let reason = Reject::new("EXCHANGE", "-2010 Account has insufficient balance");
    x.on_report(
        Report::Order {
            order: 4,
            status: OrderStatus::Rejected,
            filled: d("0"),
            reason: Some(reason.clone()),
        },
        &mut out,
    );
    assert_eq!(
        out,
        vec![ExecEvent::Closed {
            order: 4,
            status: OrderStatus::Rejected,
            reason: Some(reason)
        }]
    );
}

#[test]
fn a_restored_order_is_mirrored_without_being_sent_again() {
    let mut x = exchange();
    let req = order(Side::Sell, OrderKind::Limit { price: d("31000") }, "0.1").into_request();
    let o = Order {
        id: 12,
        request: req,
        status: OrderStatus::New,
        placed_at: 0,
        filled: d("0"),
        triggered: false,
    };
    x.restore(o.clone());
    x.restore(o);
    assert_eq!(x.open_orders().len(), 1);
    assert!(x.take_outgoing().is_empty());
}

fn candle(close: f64) -> Candle {
    Candle {
        open_time: 0,
        open: close,
        high: close,
        low: close,
        close,
        volume: 1.0,
    }
}

#[test]
fn a_fill_reported_after_its_orders_final_state_still_reaches_the_core() {
    // A restart learns an order filled (by query) before the trade history brings its fills.
    let mut x = exchange();
    let mut out = Vec::new();
    x.submit(9, order(Side::Buy, OrderKind::Market, "0.01"), 0, &mut out)
        .unwrap();
    x.on_report(
        Report::Order {
            order: 9,
            status: OrderStatus::Filled,
            filled: d("0.01"),
            reason: None,
        },
        &mut out,
    );
    assert!(out.is_empty() && x.open_orders().is_empty());
    x.on_report(
        Report::Fill {
            order: 9,
            qty: d("0.01"),
            price: d("20000"),
            quote: d("200"),
            fee: d("0"),
            maker: false,
            time: 1,
        },
        &mut out,
    );
    assert!(matches!(&out[..], [ExecEvent::Fill(f)] if f.order == 9 && f.qty == d("0.01")));
    assert_eq!(btc(&x).0, d("0.51"));
}

#[test]
fn cancelling_a_restored_list_frees_what_it_holds_once_so_a_flatten_sells_everything() {
    // After a restart Binance says 0.3 BTC is locked by the exits' OCO list (two legs, one lock).
    let rules = vec![crate::exchange::rules_for("BTCUSDT")];
    let balances = [
        ("USDT".to_string(), d("1000"), d("0")),
        ("BTC".to_string(), d("0"), d("0.3")),
    ];
    let mut x = LiveExchange::new(rules, &balances, d("0.001"));
    let legs = [
        (21, OrderKind::StopLoss { stop: d("29000") }),
        (22, OrderKind::Limit { price: d("33000") }),
    ];
    for (id, kind) in legs {
        let mut request = order(Side::Sell, kind, "0.3").into_request();
        request.oco = Some(7);
        x.restore(Order {
            id,
            request,
            status: OrderStatus::New,
            placed_at: 0,
            filled: d("0"),
            triggered: false,
        });
    }
    let mut out = Vec::new();
    x.cancel(21, &mut out).unwrap();
    x.cancel(22, &mut out).unwrap();
    assert_eq!(btc(&x), (d("0.3"), d("0")), "the list's 0.3, once");
    x.submit(23, order(Side::Sell, OrderKind::Market, "0.3"), 0, &mut out)
        .unwrap();
    let sent = x.take_outgoing();
    assert_eq!(sent.len(), 3, "both cancels, then the sell: {sent:?}");
    assert!(matches!(sent[2], Outgoing::Place(ref o) if o.id == 23));
}
