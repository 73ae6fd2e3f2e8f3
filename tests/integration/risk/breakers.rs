//! Circuit breakers: an `Event::Breaker` halts new entries (a strategy's and a person's buys) but
//! not sells, the observer hears of it once however many breakers follow, and `Command::Release`
//! resumes; a paper session shows the halt as an alert and in its status until released.

use super::*;
use tickdesk::core::{Command, Engine, EngineObserver, Event, Fill, Instrument, OrderId};
use tickdesk::core::{OrderRequest, Reject};
use tickdesk::exchange::{Exchange, SimExchange, unrestricted};
use tickdesk::risk::{Breaker, Halt};

#[derive(Default)]
struct Seen {
    halts: Vec<(i64, String)>,
    refused: Vec<String>,
    fills: Vec<(Side, Decimal)>,
}

impl EngineObserver for Seen {
    fn on_halted(&mut self, at: i64, halt: &Halt) {
        self.halts.push((at, halt.reason()));
    }
    fn on_rejected(&mut self, _: OrderId, r: &OrderRequest, reject: &Reject) {
        self.refused.push(format!(
            "{} {:?}: {}",
            r.side.as_str(),
            r.origin,
            reject.code
        ));
    }
    fn on_fill(&mut self, fill: &Fill) {
        self.fills.push((fill.side, fill.qty));
    }
}

fn person(side: Side) -> Event {
    let command = Command::market(0, side, Qty::Base(d("0.5")));
    Event::Command {
        at: T0 + HOUR_MS + 1,
        command,
    }
}

#[test]
fn a_breaker_halts_entries_not_sells_is_heard_once_and_release_resumes() {
    let deposits = [("USDT", d("1000")), ("BTC", d("2"))];
    let x = SimExchange::new(sim(), vec![unrestricted("BTCUSDT")], &deposits);
    let symbol = "BTCUSDT".to_string();
    let mut e = Engine::new(
        x,
        Seen::default(),
        vec![Instrument { symbol }],
        Interval::H1,
    );
    let plan = Plan::default().buy(1, "1").sell(1, "1").buy(3, "1");
    e.add_strategy(Box::new(plan)).unwrap();
    e.start();
    let candles = path(100.0, &[100.0; 5]);
    e.on_bar(0, &candles[0], &[]);
    let stale = Breaker::StaleData { secs: 90 };
    e.handle(Event::Breaker {
        at: T0 + HOUR_MS,
        breaker: stale,
    });
    let slow = Breaker::Latency { ms: 3000 };
    e.handle(Event::Breaker {
        at: T0 + HOUR_MS,
        breaker: slow,
    });
    let why = "circuit breaker: no market data for 90 s; release it to trade again";
    assert_eq!(
        e.observer().halts,
        [(T0 + HOUR_MS, why.to_string())],
        "heard once"
    );
    e.handle(person(Side::Buy));
    e.handle(person(Side::Sell));
    e.on_bar(0, &candles[1], &[]);
    e.on_bar(0, &candles[2], &[]);
    let refused = ["BUY Manual: HALTED", "BUY Strategy(0): HALTED"];
    assert_eq!(e.observer().refused, refused);
    assert!(e.is_halted());
    e.handle(Event::Command {
        at: T0 + 3 * HOUR_MS,
        command: Command::Release,
    });
    assert!(!e.is_halted());
    e.on_bar(0, &candles[3], &[]);
    e.on_bar(0, &candles[4], &[]);
    let fills = [
        (Side::Sell, d("0.5")),
        (Side::Sell, d("1")),
        (Side::Buy, d("1")),
    ];
    assert_eq!(
        e.observer().fills,
        fills,
        "sells while halted, the buy after release"
    );
    assert_eq!(e.observer().refused.len(), 2);
    let btc = e.exchange().account().find("BTC").unwrap();
    assert_eq!(e.exchange().account().total(btc), d("1.5"));
}

#[test]
fn a_paper_session_alerts_the_breaker_and_shows_it_until_released() {
    let plan = Plan::default().buy(2, "1").buy(4, "1");
    let s = Scenario::new(path(100.0, &[100.0; 6]), plan, "");
    let mut paper = session(&s, None, 0);
    let mut out = Outbox::default();
    paper.step(&mut out);
    paper.step(&mut out);
    let mut out = Outbox::default();
    let ban = Breaker::Banned {
        until: T0 + 3 * HOUR_MS,
    };
    paper.breaker(ban.clone(), &mut out);
    paper.breaker(ban, &mut out);
    let alerts = |out: &Outbox| -> Vec<String> {
        let text = |u: &Update| match u {
            Update::Alert(a) => Some(a.text.clone()),
            _ => None,
        };
        out.updates.iter().filter_map(text).collect()
    };
    let why = "circuit breaker: Binance banned this IP until 2024-01-01 03:00 UTC; release it to \
               trade again";
    assert_eq!(alerts(&out), [format!("HALTED: {why}")], "once");
    assert!(out.changed);
    assert_eq!(paper.status().halted.as_deref(), Some("HALTED: IP banned"));
    let mut out = Outbox::default();
    paper.step(&mut out);
    let refused = format!("refused buy MARKET BTCUSDT (plan): HALTED: {why}");
    assert_eq!(alerts(&out), [refused]);
    paper.command(Command::Release, &mut Outbox::default());
    assert_eq!(paper.status().halted, None);
    // Bars 3, 4 (the plan buys) and 5 (its fill).
    let mut out = Outbox::default();
    for _ in 0..3 {
        paper.step(&mut out);
    }
    assert!(alerts(&out).is_empty(), "{:?}", alerts(&out));
    assert_eq!(paper.engine().exchange().open_orders().len(), 0);
    let btc = paper.engine().exchange().account().find("BTC").unwrap();
    assert_eq!(paper.engine().exchange().account().total(btc), d("1"));
}
