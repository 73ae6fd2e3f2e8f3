//! Orders and fills of a paper session in the journal: the same fills the UI was sent, every
//! accepted order with its final state, positions rebuilt from the fill log equal to what the
//! simulated exchange holds, and all of it unchanged after the journal is reopened.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use tickdesk::core::{Command, OrderKind, OrderRequest, OrderStatus, Origin, Qty, Side};
use tickdesk::exchange::{Exchange, FillPolicy, SimConfig};
use tickdesk::journal::{Journal, OrderRow, Position};
use tickdesk::market::time::MINUTE_MS;
use tickdesk::market::{Candle, Interval};
use tickdesk::paper::{Outbox, Paper, PaperSetup};
use tickdesk::replica::{FillRow, Speed, Update};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Falling for 30 minutes, rising for 50, then falling: sma_cross buys and sells.
fn minutes(n: usize, scale: f64) -> Vec<Candle> {
    (0..n)
        .map(|i| {
            let x = scale
                * match i {
                    0..30 => 130.0 - i as f64,
                    30..80 => 100.0 + (i - 30) as f64,
                    _ => 150.0 - (i - 80) as f64,
                };
            Candle {
                open_time: i as i64 * MINUTE_MS,
                open: x,
                high: x + 0.5,
                low: x - 0.5,
                close: x + 0.25,
                volume: 10.0,
            }
        })
        .collect()
}

fn session(journal: Journal) -> Paper {
    let settings = vec![("fast".into(), "3".into()), ("slow".into(), "8".into())];
    Paper::new(PaperSetup {
        symbols: vec!["BTCUSDT".parse().unwrap(), "ETHUSDT".parse().unwrap()],
        interval: Interval::M1,
        candles: vec![minutes(120, 1.0), minutes(120, 0.5)],
        warmup: 0,
        strategies: vec![("sma_cross".into(), settings)],
        cash: Decimal::from(10_000),
        sim: SimConfig {
            fill: FillPolicy::NextOpen,
            slippage_bps: Decimal::ZERO,
            maker_fee: d("0.001"),
            taker_fee: d("0.001"),
        },
        filters: true,
        speed: Speed::Max,
        book_levels: 5,
        journal: Some(journal),
        risk: Default::default(),
        trading: Default::default(),
    })
    .unwrap()
}

fn place(market: usize, side: Side, kind: OrderKind, qty: &str) -> Command {
    Command::Place(OrderRequest {
        instrument: market,
        side,
        kind,
        qty: Qty::Base(d(qty)),
        oco: None,
        origin: Origin::Manual,
    })
}

/// Runs the session with a person's market buys (the first one sma_cross sells later, the last
/// one is held at the end), and a limit buy they cancel; returns the fills the UI was sent.
fn run(paper: &mut Paper) -> Vec<FillRow> {
    let mut sent = Vec::new();
    let mut keep = |out: Outbox| {
        sent.extend(out.updates.into_iter().filter_map(|u| match u {
            Update::Fill(f) => Some(f),
            _ => None,
        }))
    };
    for step in 0.. {
        let mut out = Outbox::default();
        let more = paper.step(&mut out);
        match step {
            5 => paper.command(place(0, Side::Buy, OrderKind::Market, "1"), &mut out),
            10 => {
                let kind = OrderKind::Limit { price: d("45") };
                paper.command(place(1, Side::Buy, kind, "2"), &mut out);
            }
            110 => paper.command(place(1, Side::Buy, OrderKind::Market, "3"), &mut out),
            12 => {
                let id = limit_order(paper).id;
                paper.command(Command::Cancel(id), &mut out);
            }
            _ => {}
        }
        keep(out);
        if !more {
            break;
        }
    }
    sent
}

fn limit_order(paper: &Paper) -> OrderRow {
    let (journal, session) = paper.journal().unwrap();
    let orders = journal.orders(session).unwrap();
    orders.into_iter().find(|o| o.kind == "LIMIT").unwrap()
}

fn held(paper: &Paper) -> BTreeMap<String, Decimal> {
    let exchange = paper.engine().exchange();
    let account = exchange.account();
    (0..2)
        .map(|i| {
            let rules = exchange.rules(i);
            let base = account.find(&rules.base).unwrap();
            (
                format!("{}{}", rules.base, rules.quote),
                account.total(base),
            )
        })
        .collect()
}

fn quantities(positions: &BTreeMap<String, Position>) -> BTreeMap<String, Decimal> {
    positions.iter().map(|(s, p)| (s.clone(), p.qty)).collect()
}

#[test]
fn a_paper_sessions_orders_and_fills_are_journaled_as_they_happened() {
    let dir = tempfile::tempdir().unwrap();
    let mut paper = session(Journal::open(dir.path()).unwrap());
    let sent = run(&mut paper);
    let (journal, session) = paper.journal().unwrap();
    let fills = journal.fills(session).unwrap();
    assert!(
        fills.len() >= 4,
        "sma_cross and the person traded: {fills:?}"
    );
    let as_sent: Vec<FillRow> = fills
        .iter()
        .map(|f| FillRow {
            time: f.market_ms,
            order: f.order,
            market: usize::from(f.symbol == "ETHUSDT"),
            symbol: f.symbol.clone(),
            side: f.side,
            qty: f.qty,
            price: f.price,
            fee: f.fee,
            origin: f.origin.clone(),
        })
        .collect();
    assert_eq!(
        as_sent, sent,
        "the journal holds exactly the fills the UI was sent"
    );
    assert!(
        fills
            .iter()
            .all(|f| f.fee_asset == "USDT" && f.quote == f.qty * f.price)
    );
    assert_eq!(
        fills.iter().map(|f| f.seq).collect::<Vec<_>>(),
        (1..=fills.len() as u64).collect::<Vec<_>>()
    );

    let orders = journal.orders(session).unwrap();
    for f in &fills {
        let o = orders.iter().find(|o| o.id == f.order).unwrap();
        assert_eq!(
            (o.status, o.filled, o.side),
            (OrderStatus::Filled, f.qty, f.side)
        );
        assert_eq!(
            (o.symbol.as_str(), o.origin.as_str()),
            (f.symbol.as_str(), f.origin.as_str())
        );
    }
    let open: Vec<u64> = paper
        .engine()
        .exchange()
        .open_orders()
        .iter()
        .map(|o| o.id)
        .collect();
    let journal_open: Vec<u64> = orders
        .iter()
        .filter(|o| o.status.is_open())
        .map(|o| o.id)
        .collect();
    assert_eq!(
        journal_open, open,
        "orders still open are the exchange's open orders"
    );
    assert!(
        orders.iter().any(|o| o.origin == "sma_cross")
            && orders.iter().any(|o| o.origin == "manual")
    );

    let positions = journal.positions_from_fills(session).unwrap();
    assert_eq!(
        quantities(&positions),
        held(&paper),
        "positions rebuilt from fills"
    );
    let eth = positions["ETHUSDT"];
    let last = fills.last().unwrap();
    assert_eq!(
        (eth.qty, last.order),
        (d("3"), orders.last().unwrap().id),
        "the person's last buy is held"
    );
    assert_eq!(
        eth.cost,
        last.quote + last.fee,
        "at its cost, fees included"
    );

    let reopened = Journal::open(dir.path()).unwrap();
    assert_eq!(reopened.last_session().unwrap(), Some(session));
    assert_eq!(reopened.fills(session).unwrap(), fills);
    assert_eq!(reopened.orders(session).unwrap(), orders);
    assert_eq!(reopened.positions_from_fills(session).unwrap(), positions);
}

#[test]
fn a_canceled_limit_order_has_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut paper = session(Journal::open(dir.path()).unwrap());
    run(&mut paper);
    let order = limit_order(&paper);
    assert_eq!(
        (order.status, order.filled, order.price, order.qty),
        (OrderStatus::Canceled, Decimal::ZERO, Some(d("45")), d("2"))
    );
    let (journal, session) = paper.journal().unwrap();
    let history: Vec<(OrderStatus, i64)> = journal
        .order_history(session, order.id)
        .unwrap()
        .iter()
        .map(|e| (e.status, e.market_ms))
        .collect();
    assert_eq!(
        history,
        [
            (OrderStatus::New, order.placed_ms),
            (OrderStatus::Canceled, order.updated_ms)
        ]
    );
    assert!(
        order.updated_ms > order.placed_ms,
        "canceled two steps after it was placed"
    );
}
