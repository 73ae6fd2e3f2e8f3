//! The ledger's rules: one delivery per (symbol, trade id), a floor that only rises, cursors that
//! never go back, orders tracked open until they end.

use super::*;
use crate::binance::user::events::Source;
use crate::binance::wire::{OrderState, OrderType};
use crate::core::Side;
use rust_decimal::Decimal;

fn sym(s: &str) -> Symbol {
    s.parse().unwrap()
}

fn fill(symbol: &str, trade_id: u64) -> UserFill {
    UserFill {
        symbol: sym(symbol),
        trade_id,
        order_id: 7,
        client_order_id: None,
        side: Side::Buy,
        qty: Decimal::ONE,
        price: Decimal::TEN,
        quote_qty: Decimal::TEN,
        commission: Decimal::ZERO,
        commission_asset: None,
        maker: false,
        time: 0,
        source: Source::Stream,
    }
}

fn order(order_id: u64, client: &str, status: OrderState) -> OrderUpdate {
    OrderUpdate {
        symbol: sym("BTCUSDT"),
        order_id,
        client_order_id: client.into(),
        order_list_id: None,
        side: Side::Sell,
        order_type: OrderType::Limit,
        time_in_force: None,
        status,
        execution: None,
        reject_reason: None,
        qty: Decimal::ONE,
        price: Decimal::TEN,
        stop_price: None,
        filled_qty: Decimal::ZERO,
        filled_quote: None,
        time: 0,
        source: Source::Stream,
    }
}

#[test]
fn a_fill_is_admitted_once_per_symbol_and_trade_id() {
    let mut l = Ledger::new(&[sym("BTCUSDT")], 0);
    assert!(l.admit(&fill("BTCUSDT", 5)));
    assert!(!l.admit(&fill("BTCUSDT", 5)), "same key twice");
    assert!(l.admit(&fill("ETHUSDT", 5)), "same id, other symbol");
    assert!(l.admit(&fill("BTCUSDT", 4)), "an older id not yet seen");
    assert_eq!(l.symbols(), vec![sym("BTCUSDT"), sym("ETHUSDT")]);
}

#[test]
fn overflow_raises_the_floor_and_never_readmits() {
    let mut l = Ledger::new(&[], 0);
    let n = u64::try_from(DELIVERED_CAP).unwrap() + 10;
    for id in (0..n).map(|i| 100 + 2 * i) {
        assert!(l.admit(&fill("BTCUSDT", id)));
    }
    assert_eq!(l.delivered[&sym("BTCUSDT")].ids.len(), DELIVERED_CAP);
    for id in [100, 102, 118, 101] {
        assert!(
            !l.admit(&fill("BTCUSDT", id)),
            "{id} is at or below the floor"
        );
    }
    assert!(!l.admit(&fill("BTCUSDT", 100 + 2 * (n - 1))));
    assert!(l.admit(&fill("BTCUSDT", 100 + 2 * n)));
}

#[test]
fn resuming_after_a_trade_id_sets_floor_and_cursor() {
    let mut l = Ledger::new(&[], 1_000);
    let btc = sym("BTCUSDT");
    assert_eq!(l.cursor(&btc), TradeCursor::Since(1_000));
    l.resume_after(&btc, 41);
    assert_eq!(l.cursor(&btc), TradeCursor::FromId(42));
    assert!(!l.admit(&fill("BTCUSDT", 41)));
    assert!(!l.admit(&fill("BTCUSDT", 3)));
    assert!(l.admit(&fill("BTCUSDT", 42)));
}

#[test]
fn cursors_advance_past_what_rest_saw_and_never_go_back() {
    let mut l = Ledger::new(&[], 1_000);
    let btc = sym("BTCUSDT");
    l.advance_cursor(&btc, None, 500_000);
    assert_eq!(
        l.cursor(&btc),
        TradeCursor::Since(440_000),
        "a minute's margin"
    );
    l.advance_cursor(&btc, None, 10_000);
    assert_eq!(l.cursor(&btc), TradeCursor::Since(440_000));
    l.advance_cursor(&btc, Some(17), 600_000);
    assert_eq!(l.cursor(&btc), TradeCursor::FromId(18));
    l.advance_cursor(&btc, Some(9), 700_000);
    assert_eq!(l.cursor(&btc), TradeCursor::FromId(18));
    l.advance_cursor(&btc, None, 800_000);
    assert_eq!(l.cursor(&btc), TradeCursor::FromId(18));
}

#[test]
fn orders_are_tracked_open_until_they_end() {
    let mut l = Ledger::new(&[], 0);
    let btc = sym("BTCUSDT");
    l.note_order(&order(1, "td-a-1", OrderState::New));
    l.note_order(&order(2, "td-a-2", OrderState::PartiallyFilled));
    assert_eq!(
        l.open_orders(&btc),
        vec![(1, "td-a-1".to_string()), (2, "td-a-2".to_string())]
    );
    l.note_order(&order(1, "td-a-1", OrderState::Filled));
    assert_eq!(l.open_orders(&btc), vec![(2, "td-a-2".to_string())]);
    l.forget_order(&btc, 2);
    assert!(l.open_orders(&btc).is_empty());
    assert_eq!(l.client_id(&btc, 1), Some("td-a-1"));
    assert_eq!(l.client_id(&btc, 3), None);
    assert!(l.open_orders(&sym("ETHUSDT")).is_empty());
}
