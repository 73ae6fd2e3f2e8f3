use super::*;
use crate::replica::{Balance, Market};

fn replica() -> Replica {
    let mut r = Replica::default();
    r.markets.push(Market {
        symbol: "BTCUSDT".into(),
        base: "BTC".into(),
        quote: "USDT".into(),
        last: 50_000.0,
        ..Market::default()
    });
    r.account.balances.push(Balance {
        asset: "USDT".into(),
        free: Decimal::from(10_000),
        locked: Decimal::ZERO,
        value: 10_000.0,
    });
    r.account.balances.push(Balance {
        asset: "BTC".into(),
        free: Decimal::new(2, 1),
        locked: Decimal::ZERO,
        value: 10_000.0,
    });
    r
}

fn ticket(side: Side, kind: &str, qty: &str, price: &str) -> Ticket {
    let mut t = Ticket::new(side, &["BTCUSDT".into()], 0);
    t.0.fields[1].value = kind.into();
    t.0.fields[3].value = qty.into();
    t.0.fields[4].value = price.into();
    t
}

fn placed(c: Command) -> OrderRequest {
    match c {
        Command::Place(r) => r,
        other => panic!("not an order: {other:?}"),
    }
}

#[test]
fn tickets_become_orders_sized_by_amount_or_share() {
    let r = replica();
    let o = placed(ticket(Side::Buy, "market", "0.01", "").order(&r).unwrap());
    assert_eq!(
        (o.side, o.kind, o.qty, o.origin),
        (
            Side::Buy,
            OrderKind::Market,
            Qty::Base(Decimal::new(1, 2)),
            Origin::Manual
        )
    );
    // 25 % of 10,000 USDT at 50,000 = 0.05 BTC.
    let o = placed(
        ticket(Side::Buy, "limit", "25%", "49000")
            .order(&r)
            .unwrap(),
    );
    assert_eq!(o.qty, Qty::Base(Decimal::new(5, 2)));
    assert_eq!(
        o.kind,
        OrderKind::Limit {
            price: Decimal::from(49_000)
        }
    );
    // 50 % of the 0.2 BTC held.
    let o = placed(
        ticket(Side::Sell, "stop", "50%", "45000")
            .order(&r)
            .unwrap(),
    );
    assert_eq!(o.qty, Qty::Base(Decimal::new(1, 1)));
    assert_eq!(
        o.kind,
        OrderKind::StopLoss {
            stop: Decimal::from(45_000)
        }
    );
}

#[test]
fn bad_tickets_say_which_field_is_wrong() {
    let r = replica();
    let err = |t: Ticket| t.order(&r).unwrap_err();
    assert!(err(ticket(Side::Buy, "market", "", "")).contains("quantity"));
    assert!(err(ticket(Side::Buy, "market", "abc", "")).contains("such as 0.01"));
    assert!(err(ticket(Side::Buy, "market", "150%", "")).contains("between 0 and 100"));
    assert!(err(ticket(Side::Buy, "limit", "0.1", "")).contains("needs a price"));
    assert!(err(ticket(Side::Buy, "market", "-1", "")).contains("above 0"));
}

#[test]
fn the_backtest_form_checks_strategy_parameters_and_dates() {
    let base = Spec::new("sma_cross", vec![], Interval::H1);
    let mut f = BacktestForm::new(&["sma_cross".into()], &["BTCUSDT".into()], Interval::M1);
    f.0.fields[5].value = "fast=12 slow=40".into();
    f.0.fields[3].value = "2024-01-01".into();
    let spec = f.spec(&base).unwrap();
    assert_eq!(
        spec.interval,
        Interval::H1,
        "minutes replay, hours backtest by default"
    );
    assert_eq!(spec.settings.len(), 2);
    assert!(spec.from.is_some());
    f.0.fields[5].value = "fast=50 slow=10".into();
    assert!(f.spec(&base).unwrap_err().contains("shorter"));
    f.0.fields[5].value = String::new();
    f.0.fields[4].value = "someday".into();
    assert!(f.spec(&base).unwrap_err().starts_with("to:"));
}

#[test]
fn the_command_line_completes_unique_prefixes() {
    let mut line = CommandLine {
        text: "fla".into(),
        ..Default::default()
    };
    line.complete();
    assert_eq!(line.text, "flatten ");
    let mut line = CommandLine {
        text: "s".into(),
        ..Default::default()
    };
    line.complete();
    assert_eq!(line.text, "s", "sell, speed and symbol all start with s");
    assert_eq!(line.candidates(), vec!["sell", "speed", "symbol"]);
}

#[test]
fn choice_fields_cycle_and_ignore_typing() {
    let mut t = Ticket::new(Side::Buy, &["BTCUSDT".into(), "ETHUSDT".into()], 1);
    assert_eq!(t.0.fields[2].value, "ETHUSDT");
    t.0.focus = 2;
    t.0.cycle(true);
    assert_eq!(t.0.fields[2].value, "BTCUSDT");
    t.0.type_char('x');
    assert_eq!(t.0.fields[2].value, "BTCUSDT");
    t.0.next(true);
    t.0.type_char('1');
    t.0.backspace();
    t.0.type_char('2');
    assert_eq!(t.0.fields[3].value, "2");
}
