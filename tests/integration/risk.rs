//! The risk layer end to end. Each limit and protection is tripped by a backtest scenario on
//! hand-made hourly candles whose numbers make every decision obvious, and the same scenario is
//! stepped through the paper engine (`Paper`, the workstation's session) to the same decisions:
//! the same refusals (codes, reasons, order), the same halts at the same bar, the same equity.
//! Circuit breakers are checked at the engine and in a paper session; property tests check that no
//! approved order breaks a limit or the free balance, and that rounding never adds exposure.

mod breakers;
mod limits;
mod properties;
mod protections;

use rust_decimal::Decimal;
use std::str::FromStr;
use tickdesk::backtest::{self, Feed, Outcome, Spec};
use tickdesk::core::{Ctx, OrderKind, Qty, Side};
use tickdesk::exchange::{FillPolicy, SimConfig};
use tickdesk::journal::Journal;
use tickdesk::market::time::HOUR_MS;
use tickdesk::market::{Candle, Interval};
use tickdesk::paper::{Outbox, Paper, PaperSetup};
use tickdesk::replica::{Speed, Update};
use tickdesk::risk::RiskSettings;
use tickdesk::strategy::{Params, Setup, Strategy, StrategyError};

/// 2024-01-01 00:00 UTC, a Monday.
const T0: i64 = 1_704_067_200_000;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The hourly candle `i` hours after `T0`.
fn bar(i: i64, [open, high, low, close]: [f64; 4]) -> Candle {
    let (open_time, volume) = (T0 + i * HOUR_MS, 1.0);
    Candle {
        open_time,
        open,
        high,
        low,
        close,
        volume,
    }
}

/// Hourly candles opening at the previous close and closing at each of `closes`.
fn path(first_open: f64, closes: &[f64]) -> Vec<Candle> {
    let mut open = first_open;
    (0..)
        .zip(closes)
        .map(|(i, &close)| {
            let c = bar(i, [open, open.max(close), open.min(close), close]);
            open = close;
            c
        })
        .collect()
}

/// One order the plan places when its n-th candle (of instrument 0) closes.
#[derive(Clone)]
struct Step {
    bar: usize,
    instrument: usize,
    side: Side,
    kind: OrderKind,
    qty: Qty,
}

/// A strategy that places planned orders at planned bars, nothing else.
#[derive(Clone, Default)]
struct Plan {
    steps: Vec<Step>,
    bar: usize,
}

impl Plan {
    fn at(mut self, bar: usize, instrument: usize, side: Side, kind: OrderKind, qty: &str) -> Self {
        let qty = Qty::Base(d(qty));
        self.steps.push(Step {
            bar,
            instrument,
            side,
            kind,
            qty,
        });
        self
    }
    fn buy(self, bar: usize, qty: &str) -> Self {
        self.at(bar, 0, Side::Buy, OrderKind::Market, qty)
    }
    fn sell(self, bar: usize, qty: &str) -> Self {
        self.at(bar, 0, Side::Sell, OrderKind::Market, qty)
    }
    fn stop(self, bar: usize, qty: &str, stop: &str) -> Self {
        let kind = OrderKind::StopLoss { stop: d(stop) };
        self.at(bar, 0, Side::Sell, kind, qty)
    }
}

impl Strategy for Plan {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let base = setup.base_interval();
        setup.series(0, base)?;
        Ok(())
    }
    fn on_candle(&mut self, ctx: &mut Ctx<'_>, _series: usize, _candle: &Candle) {
        for s in self.steps.iter().filter(|s| s.bar == self.bar) {
            ctx.place(s.instrument, s.side, s.kind, s.qty, None);
        }
        self.bar += 1;
    }
}

/// Candles per symbol, a plan and the `[risk]` section it runs under (1 000 USDT, 0.1 % fees,
/// next-open fills, no exchange filters).
struct Scenario {
    symbols: &'static [&'static str],
    candles: Vec<Vec<Candle>>,
    plan: Plan,
    risk: &'static str,
}

impl Scenario {
    fn new(candles: Vec<Candle>, plan: Plan, risk: &'static str) -> Self {
        let (symbols, candles) = (&["BTCUSDT"][..], vec![candles]);
        Self {
            symbols,
            candles,
            plan,
            risk,
        }
    }

    fn settings(&self) -> RiskSettings {
        toml::from_str(self.risk).unwrap()
    }
}

fn sim() -> SimConfig {
    SimConfig {
        fill: FillPolicy::NextOpen,
        slippage_bps: Decimal::ZERO,
        maker_fee: d("0.001"),
        taker_fee: d("0.001"),
    }
}

/// What the risk layer decided during a run, in order.
#[derive(Debug, PartialEq)]
struct Decisions {
    /// `CODE: reason` of each refused order.
    refusals: Vec<String>,
    /// Each halt: the market time it began and why.
    halts: Vec<(i64, String)>,
    final_equity: f64,
}

impl Decisions {
    fn codes(&self) -> Vec<&str> {
        fn code(r: &str) -> &str {
            r.split_once(": ").map_or("", |(c, _)| c)
        }
        self.refusals.iter().map(|r| code(r)).collect()
    }
}

fn backtest(s: &Scenario) -> (Decisions, Outcome) {
    let symbols = s.symbols.iter().map(|x| x.parse().unwrap()).collect();
    let mut spec = Spec::new("plan", symbols, Interval::H1);
    let sim = sim();
    (spec.cash, spec.filters, spec.risk) = (d("1000"), false, s.settings());
    (spec.maker_fee, spec.taker_fee) = (sim.maker_fee, sim.taker_fee);
    let feed = Feed::new(Interval::H1, s.candles.clone());
    let plan = Box::new(s.plan.clone());
    let out = backtest::run_strategy(&spec, plan, Params::default(), &feed, None).unwrap();
    assert!(out.refusal_samples.len() < 20, "samples are capped at 20");
    // A sample reads `order 3 (BUY MARKET): CODE: reason`.
    let refusals = out
        .refusal_samples
        .iter()
        .map(|r| r.split_once("): ").unwrap().1.to_string())
        .collect();
    let halts = out.halts.iter().map(|h| (h.at, h.reason.clone())).collect();
    let final_equity = *out.equity.last().unwrap();
    let decisions = Decisions {
        refusals,
        halts,
        final_equity,
    };
    (decisions, out)
}

/// The scenario as a paper session after `warmup` unpaced steps, recording refusals in `journal`.
fn session(s: &Scenario, journal: Option<Journal>, warmup: usize) -> Paper {
    let setup = PaperSetup {
        symbols: s.symbols.iter().map(|x| x.parse().unwrap()).collect(),
        interval: Interval::H1,
        candles: s.candles.clone(),
        warmup,
        strategies: Vec::new(),
        cash: d("1000"),
        sim: sim(),
        filters: false,
        speed: Speed::Max,
        book_levels: 5,
        journal,
        risk: s.settings(),
        trading: Default::default(),
    };
    let strategies: Vec<tickdesk::paper::Named> = vec![("plan".into(), Box::new(s.plan.clone()))];
    Paper::with_strategies(setup, strategies).unwrap()
}

fn paper(s: &Scenario) -> Decisions {
    let dir = tempfile::tempdir().unwrap();
    let mut session = session(s, Some(Journal::open(dir.path()).unwrap()), 0);
    let mut halts = Vec::new();
    loop {
        let mut out = Outbox::default();
        let more = session.step(&mut out);
        for u in out.updates {
            if let Update::Alert(a) = u
                && let Some(why) = a.text.strip_prefix("HALTED: ")
            {
                halts.push((a.at, why.to_string()));
            }
        }
        if !more {
            break;
        }
    }
    let mut journalled = Journal::open(dir.path()).unwrap().refusals(1000).unwrap();
    journalled.reverse();
    let refusals = journalled
        .iter()
        .map(|r| format!("{}: {}", r.code, r.reason))
        .collect();
    let final_equity = session.engine().mark();
    Decisions {
        refusals,
        halts,
        final_equity,
    }
}

/// Runs the scenario as a backtest and as a paper session and asserts both decided alike.
fn parity(s: &Scenario) -> (Decisions, Outcome) {
    let (ours, outcome) = backtest(s);
    assert_eq!(paper(s), ours, "paper and backtest decided differently");
    let mut counted = std::collections::BTreeMap::new();
    for code in ours.codes() {
        *counted.entry(code.to_string()).or_insert(0) += 1;
    }
    assert_eq!(outcome.refused, counted, "the report counts each refusal");
    (ours, outcome)
}
