//! Reconciliation against an in-memory account (open orders, orders, trades, every call logged):
//! missed fills in trade-id order with client ids, closed orders queried, pages followed.

use super::*;
use crate::binance::user::events::Source;
use crate::binance::wire::{self, Account, OrderState};
use std::sync::Mutex;

fn sym(s: &str) -> Symbol {
    s.parse().unwrap()
}

fn trade(id: u64, order_id: u64, time: i64) -> MyTrade {
    let json = format!(
        r#"{{"symbol":"BTCUSDT","id":{id},"orderId":{order_id},"orderListId":-1,"price":"40000.00",
        "qty":"0.010","quoteQty":"400.00","commission":"0.4","commissionAsset":"USDT",
        "time":{time},"isBuyer":true,"isMaker":false,"isBestMatch":true}}"#
    );
    wire::from_slice(json.as_bytes()).unwrap()
}

fn order(order_id: u64, client: &str, status: &str) -> OrderReport {
    let json = format!(
        r#"{{"symbol":"BTCUSDT","orderId":{order_id},"orderListId":-1,"clientOrderId":"{client}",
        "price":"39000.00","origQty":"0.02","executedQty":"0.01","cummulativeQuoteQty":"390",
        "status":"{status}","timeInForce":"GTC","type":"LIMIT","side":"BUY","stopPrice":"0",
        "time":1000,"updateTime":2000,"isWorking":true}}"#
    );
    wire::from_slice(json.as_bytes()).unwrap()
}

/// An account over REST: its open orders, every order, its trades; it logs each call.
#[derive(Default)]
struct Mock {
    open: Vec<OrderReport>,
    orders: Vec<OrderReport>,
    trades: Vec<MyTrade>,
    calls: Mutex<Vec<String>>,
}

impl Mock {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl AccountRest for Mock {
    async fn open_orders(&self, symbol: &Symbol) -> Result<Vec<OrderReport>, UserError> {
        self.calls.lock().unwrap().push(format!("open {symbol}"));
        Ok(self.open.clone())
    }

    async fn my_trades(
        &self,
        symbol: &Symbol,
        from: TradeCursor,
        limit: u32,
    ) -> Result<Vec<MyTrade>, UserError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("trades {symbol} {from:?}"));
        let limit = limit as usize;
        let mut picked: Vec<MyTrade> = self
            .trades
            .iter()
            .filter(|t| match from {
                TradeCursor::FromId(id) => t.id >= id,
                TradeCursor::Since(ms) => t.time >= ms,
            })
            .cloned()
            .collect();
        picked.sort_by_key(|t| t.id);
        picked.truncate(limit);
        Ok(picked)
    }

    async fn account(&self) -> Result<Account, UserError> {
        self.calls.lock().unwrap().push("account".into());
        let json = br#"{"canTrade":true,"updateTime":1500,"balances":[
            {"asset":"BTC","free":"0.04","locked":"0"},{"asset":"USDT","free":98400.5,"locked":0}]}"#;
        Ok(wire::from_slice(json).unwrap())
    }

    async fn query_order(
        &self,
        _: &Symbol,
        client_id: &str,
    ) -> Result<Option<OrderReport>, UserError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("query {client_id}"));
        Ok(self
            .orders
            .iter()
            .find(|o| o.client_order_id == client_id)
            .cloned())
    }
}

fn fills(r: &Reconciled) -> Vec<(u64, Option<String>)> {
    r.events
        .iter()
        .filter_map(|e| match e {
            UserEvent::Fill(f) => Some((f.trade_id, f.client_order_id.clone())),
            _ => None,
        })
        .collect()
}

fn seen_open(order_id: u64, client: &str) -> OrderUpdate {
    let mut u = OrderUpdate::from_rest(&order(order_id, client, "NEW"), &sym("BTCUSDT")).unwrap();
    u.source = Source::Stream;
    u
}

#[tokio::test]
async fn missed_fills_come_once_in_trade_id_order_with_their_client_ids() {
    let mut ledger = Ledger::new(&[sym("BTCUSDT")], 500);
    ledger.note_order(&seen_open(2, "td-a-2"));
    let mock = Mock {
        open: vec![order(1, "td-a-1", "PARTIALLY_FILLED")],
        orders: vec![order(2, "td-a-2", "FILLED")],
        trades: vec![
            trade(12, 2, 900),
            trade(10, 1, 800),
            trade(13, 77, 950),
            trade(11, 2, 850),
            trade(3, 1, 100),
        ],
        ..Mock::default()
    };
    let first = reconcile(&mock, &mut ledger, 1_000).await.unwrap();
    assert_eq!(
        fills(&first),
        vec![
            (10, Some("td-a-1".into())),
            (11, Some("td-a-2".into())),
            (12, Some("td-a-2".into())),
            (13, None),
        ],
        "trade 3 is older than `since`; order 77 was never seen, so only its order id is known"
    );
    assert_eq!((first.fills, first.orders, first.duplicates), (4, 2, 0));
    let orders: Vec<(u64, OrderState)> = first.events[4..6]
        .iter()
        .map(|e| match e {
            UserEvent::Order(u) => (u.order_id, u.status),
            other => panic!("fills come first: {other:?}"),
        })
        .collect();
    assert_eq!(
        orders,
        vec![(1, OrderState::PartiallyFilled), (2, OrderState::Filled)]
    );
    let Some(UserEvent::Balances(account)) = first.events.last() else {
        panic!("the balances come last: {:?}", first.events.last());
    };
    assert_eq!(
        (account.update_time, account.source),
        (1500, Source::Reconciled)
    );
    assert_eq!(account.balances[1].free.to_string(), "98400.5");
    assert!(first.events.iter().all(|e| match e {
        UserEvent::Fill(f) => f.source == Source::Reconciled,
        UserEvent::Order(u) => u.source == Source::Reconciled,
        UserEvent::Balances(b) => b.source == Source::Reconciled,
        _ => false,
    }));
    assert_eq!(ledger.cursor(&sym("BTCUSDT")), TradeCursor::FromId(14));
    assert_eq!(
        ledger.open_orders(&sym("BTCUSDT")),
        vec![(1, "td-a-1".to_string())]
    );

    let again = reconcile(&mock, &mut ledger, 2_000).await.unwrap();
    assert!(fills(&again).is_empty(), "nothing is delivered twice");
    assert!(
        mock.calls()
            .contains(&"trades BTCUSDT FromId(14)".to_string()),
        "{:?}",
        mock.calls()
    );
}

#[tokio::test]
async fn orders_that_closed_while_away_are_queried_and_fills_seen_on_the_socket_skipped() {
    let mut ledger = Ledger::new(&[sym("BTCUSDT")], 0);
    ledger.note_order(&seen_open(5, "td-a-5"));
    ledger.note_order(&seen_open(6, "td-a-6"));
    let seen = UserFill::from_rest(&trade(20, 5, 10), &sym("BTCUSDT"), None);
    assert!(
        ledger.admit(&seen),
        "delivered on the socket before the drop"
    );
    let mock = Mock {
        orders: vec![order(5, "td-a-5", "FILLED")],
        trades: vec![trade(20, 5, 10), trade(21, 5, 11)],
        ..Mock::default()
    };
    let r = reconcile(&mock, &mut ledger, 100).await.unwrap();
    assert_eq!(fills(&r), vec![(21, Some("td-a-5".into()))]);
    assert_eq!(r.duplicates, 1);
    assert_eq!(r.orders, 1, "order 6 is unknown to Binance: no update");
    let calls = mock.calls();
    assert!(calls.contains(&"query td-a-5".to_string()), "{calls:?}");
    assert!(calls.contains(&"query td-a-6".to_string()), "{calls:?}");
    assert!(
        ledger.open_orders(&sym("BTCUSDT")).is_empty(),
        "5 is filled, 6 forgotten"
    );
}

#[tokio::test]
async fn every_page_is_read() {
    let mock = Mock {
        trades: (1..=2500).map(|id| trade(id, 99, 10)).collect(),
        ..Mock::default()
    };
    let mut ledger = Ledger::new(&[sym("BTCUSDT")], 0);
    let r = reconcile(&mock, &mut ledger, 100).await.unwrap();
    let ids: Vec<u64> = fills(&r).into_iter().map(|f| f.0).collect();
    assert_eq!(ids, (1..=2500).collect::<Vec<_>>());
    let pages: Vec<String> = mock
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("trades"))
        .collect();
    assert_eq!(
        pages,
        vec![
            "trades BTCUSDT Since(0)",
            "trades BTCUSDT FromId(1001)",
            "trades BTCUSDT FromId(2001)"
        ]
    );
}
