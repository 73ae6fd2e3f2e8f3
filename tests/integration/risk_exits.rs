//! Sizing and exits end to end, on hand-made hourly candles whose numbers make every fill obvious.
//! Each scenario runs as a backtest (`backtest::run_strategy` under the run's `[risk]` section)
//! and is stepped through a paper session (`Paper`, the workstation's engine) to the same fills
//! and the same refusals: a stop-loss triggering inside a bar, a take-profit, the OCO partner
//! cancelled, a trailing stop following the price up then triggering, a strategy's own sell
//! taking the exits off first (and the rest protected again), and each sizing policy visible in
//! the entry's quantity.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use tickdesk::backtest::{self, Feed, Outcome, Spec};
use tickdesk::core::{Ctx, Fill, OrderId, OrderKind, OrderStatus, Qty, Reject, Side};
use tickdesk::exchange::{FillPolicy, SimConfig};
use tickdesk::market::time::HOUR_MS;
use tickdesk::market::{Candle, Interval};
use tickdesk::paper::{Outbox, Paper, PaperSetup};
use tickdesk::replica::Speed;
use tickdesk::risk::RiskSettings;
use tickdesk::strategy::{Params, Setup, Strategy, StrategyError};

/// The name the script trades under (see `Scenario::risk`).
const NAME: &str = "sma_cross";

/// 2024-01-01 00:00 UTC.
const T0: i64 = 1_704_067_200_000;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The hourly candle `i` hours after `T0`.
fn bar(i: i64, open: f64, high: f64, low: f64, close: f64) -> Candle {
    Candle {
        open_time: T0 + i * HOUR_MS,
        open,
        high,
        low,
        close,
        volume: 1.0,
    }
}

fn flat(i: i64, p: f64) -> Candle {
    bar(i, p, p, p, p)
}

/// What the strategy was told: fills as `BUY 1@100 Taker +1h`, closed orders as `Canceled`.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Places planned market orders when its n-th candle closes (buys of 1 BTC, which sizing may
/// replace; sells of the given quantity, 0 meaning all it holds); logs what it hears.
#[derive(Clone, Default)]
struct Script {
    plan: Vec<(usize, Side, Qty)>,
    bar: usize,
    /// Base bought less sold, by its fills.
    held: Decimal,
    log: Log,
}

impl Script {
    fn buy(mut self, bar: usize) -> Self {
        self.plan.push((bar, Side::Buy, Qty::Base(Decimal::ONE)));
        self
    }
    fn sell(mut self, bar: usize, qty: &str) -> Self {
        self.plan.push((bar, Side::Sell, Qty::Base(d(qty))));
        self
    }
    /// The same plan with a log of its own.
    fn fresh(&self) -> Self {
        Self {
            plan: self.plan.clone(),
            ..Self::default()
        }
    }
}

impl Strategy for Script {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let base = setup.base_interval();
        setup.series(0, base)?;
        Ok(())
    }
    fn on_candle(&mut self, ctx: &mut Ctx<'_>, _: usize, _: &Candle) {
        for &(_, side, qty) in self.plan.iter().filter(|p| p.0 == self.bar) {
            let qty = match qty {
                Qty::Base(q) if q.is_zero() && self.held.is_zero() => continue,
                Qty::Base(q) if q.is_zero() => Qty::Base(self.held),
                q => q,
            };
            ctx.place(0, side, OrderKind::Market, qty, None);
        }
        self.bar += 1;
    }
    fn on_fill(&mut self, _: &mut Ctx<'_>, f: &Fill) {
        match f.side {
            Side::Buy => self.held += f.qty,
            Side::Sell => self.held -= f.qty,
        }
        let (q, p, hours) = (
            f.qty.normalize(),
            f.price.normalize(),
            (f.time - T0) / HOUR_MS,
        );
        let line = format!("{} {q}@{p} {:?} +{hours}h", f.side.as_str(), f.liquidity);
        self.log.push(line);
    }
    fn on_order_closed(
        &mut self,
        _: &mut Ctx<'_>,
        _: OrderId,
        st: OrderStatus,
        r: Option<&Reject>,
    ) {
        let why = r.map_or(String::new(), |r| format!(" {}", r.code));
        self.log.push(format!("{st:?}{why}"));
    }
}

struct Scenario {
    candles: Vec<Candle>,
    script: Script,
    /// The `[risk]` section, as in config.toml. Its tables name built-in strategies only, so the
    /// script runs under the name `sma_cross` (the name only labels it).
    risk: &'static str,
    fee: &'static str,
    filters: bool,
}

fn scenario(candles: Vec<Candle>, script: Script, risk: &'static str) -> Scenario {
    Scenario {
        candles,
        script,
        risk,
        fee: "0",
        filters: false,
    }
}

impl Scenario {
    fn settings(&self) -> RiskSettings {
        toml::from_str(self.risk).unwrap()
    }

    fn sim(&self) -> SimConfig {
        SimConfig {
            fill: FillPolicy::NextOpen,
            slippage_bps: Decimal::ZERO,
            maker_fee: d(self.fee),
            taker_fee: d(self.fee),
        }
    }
}

/// What a run did: the strategy's log, and its refused orders per code.
#[derive(Debug, PartialEq)]
struct Run {
    log: Vec<String>,
    refused: BTreeMap<String, usize>,
}

impl From<&Log> for Run {
    fn from(log: &Log) -> Self {
        let log = log.lines();
        let mut refused = BTreeMap::new();
        for code in log.iter().filter_map(|l| l.strip_prefix("Rejected ")) {
            *refused.entry(code.to_string()).or_default() += 1;
        }
        Self { log, refused }
    }
}

fn backtest(s: &Scenario) -> (Run, Outcome) {
    let mut spec = Spec::new(NAME, vec!["BTCUSDT".parse().unwrap()], Interval::H1);
    let sim = s.sim();
    (spec.cash, spec.filters, spec.risk) = (d("1000"), s.filters, s.settings());
    (spec.maker_fee, spec.taker_fee) = (sim.maker_fee, sim.taker_fee);
    let feed = Feed::new(Interval::H1, vec![s.candles.clone()]);
    let script = s.script.fresh();
    let log = script.log.clone();
    let out = backtest::run_strategy(&spec, Box::new(script), Params::default(), &feed, None);
    let out = out.unwrap();
    (Run::from(&log), out)
}

fn paper(s: &Scenario) -> Run {
    let setup = PaperSetup {
        symbols: vec!["BTCUSDT".parse().unwrap()],
        interval: Interval::H1,
        candles: vec![s.candles.clone()],
        warmup: 0,
        strategies: Vec::new(),
        cash: d("1000"),
        sim: s.sim(),
        filters: s.filters,
        speed: Speed::Max,
        book_levels: 5,
        journal: None,
        risk: s.settings(),
        trading: Default::default(),
    };
    let script = s.script.fresh();
    let log = script.log.clone();
    let strategies: Vec<tickdesk::paper::Named> = vec![(NAME.into(), Box::new(script))];
    let mut session = Paper::with_strategies(setup, strategies).unwrap();
    while session.step(&mut Outbox::default()) {}
    Run::from(&log)
}

/// Runs the scenario as a backtest and as a paper session; both must do the same, and the
/// backtest's report must count each refusal the strategy heard of.
fn parity(s: &Scenario) -> (Run, Outcome) {
    let (run, outcome) = backtest(s);
    assert_eq!(paper(s), run, "paper and backtest differ");
    assert_eq!(outcome.refused, run.refused, "the report's refusal counts");
    (run, outcome)
}

const STOP_AND_TARGET: &str = "[strategies.sma_cross]\nstop = \"2%\"\ntake_profit = \"5%\"\n";

#[test]
fn a_stop_loss_triggers_inside_the_bar_and_cancels_its_target() {
    // Bought at bar 1's open (100): stop 98, target 105. Bar 2 dips to 97 and closes at 97.5.
    let candles = vec![
        flat(0, 100.0),
        bar(1, 100.0, 101.0, 99.0, 100.0),
        bar(2, 100.0, 100.5, 97.0, 97.5),
        flat(3, 97.5),
    ];
    let (run, out) = parity(&scenario(
        candles,
        Script::default().buy(0),
        STOP_AND_TARGET,
    ));
    let want = ["BUY 1@100 Taker +1h", "SELL 1@98 Taker +2h", "Canceled"];
    assert_eq!(run.log, want, "the stop sold at 98, not at the close");
    assert_eq!(out.trades.len(), 1);
    assert!(out.open_trades.is_empty());
    assert!(run.refused.is_empty(), "{:?}", run.refused);
}

#[test]
fn a_take_profit_fills_at_its_price_and_cancels_the_stop() {
    let candles = vec![
        flat(0, 100.0),
        bar(1, 100.0, 101.0, 99.0, 100.0),
        bar(2, 101.0, 106.0, 100.5, 104.0),
        flat(3, 104.0),
    ];
    let (run, _) = parity(&scenario(
        candles,
        Script::default().buy(0),
        STOP_AND_TARGET,
    ));
    assert_eq!(
        run.log,
        ["BUY 1@100 Taker +1h", "SELL 1@105 Maker +2h", "Canceled"]
    );
}

#[test]
fn a_trailing_stop_follows_the_price_up_and_then_triggers() {
    // 5 % trailing: 95 at the entry; highs 102 → 96.9 and 110 → 104.5 (each move replaces the
    // stop: the strategy hears of the cancelled one); a lower high (108) leaves it there; bar 4
    // falls through it.
    let candles = vec![
        flat(0, 100.0),
        bar(1, 100.0, 102.0, 99.5, 101.0),
        bar(2, 101.0, 110.0, 100.5, 109.0),
        bar(3, 109.0, 108.0, 105.0, 106.0),
        bar(4, 106.0, 106.5, 103.0, 103.5),
        flat(5, 103.5),
    ];
    let risk = "[strategies.sma_cross]\ntrailing = \"5%\"\n";
    let (run, out) = parity(&scenario(candles, Script::default().buy(0), risk));
    let want = [
        "BUY 1@100 Taker +1h",
        "Canceled",
        "Canceled",
        "SELL 1@104.5 Taker +4h",
    ];
    assert_eq!(run.log, want);
    assert_eq!(out.trades[0].exit_price, 104.5);
}

#[test]
fn a_strategys_own_sell_takes_the_exits_off_first_and_the_rest_gets_them_back() {
    // Bought 1 at 100; sells 0.4 at bar 2's close (fills at bar 3's open, 101): without the
    // exits cancelled first the exchange would refuse it (the base is locked by them). The
    // remaining 0.6 is protected again at 98 / 105 and bar 4 stops it out.
    let candles = vec![
        flat(0, 100.0),
        flat(1, 100.0),
        flat(2, 101.0),
        bar(3, 101.0, 101.0, 100.0, 100.0),
        bar(4, 100.0, 100.0, 96.0, 96.0),
        flat(5, 96.0),
    ];
    let script = Script::default().buy(0).sell(2, "0.4");
    let (run, _) = parity(&scenario(candles, script, STOP_AND_TARGET));
    let want = [
        "BUY 1@100 Taker +1h",
        "Canceled",
        "Canceled",
        "SELL 0.4@101 Taker +3h",
        "SELL 0.6@98 Taker +4h",
        "Canceled",
    ];
    assert_eq!(run.log, want);
    assert!(run.refused.is_empty(), "{:?}", run.refused);
}

/// Ten flat hours at 100 with a range of 2 (ATR 2 once warm), the strategy buying at `at`.
fn sized(risk: &'static str, at: &[usize]) -> Run {
    let candles = (0..20).map(|i| bar(i, 100.0, 101.0, 99.0, 100.0)).collect();
    let script = at.iter().fold(Script::default(), |s, &b| s.buy(b));
    let s = Scenario {
        candles,
        script,
        risk,
        fee: "0.001",
        filters: true,
    };
    parity(&s).0
}

#[test]
fn each_sizing_policy_decides_the_entry_quantity() {
    // 1 000 USDT, 0.1 % fee, BTCUSDT's step 0.00001; the strategy asked for 1 BTC each time.
    let quote = sized("[strategies.sma_cross]\nsizing = \"quote:500\"\n", &[0]);
    assert_eq!(
        quote.log,
        ["BUY 4.995@100 Taker +1h"],
        "500 / 100.1 = 4.99500…"
    );
    let equity = sized("[strategies.sma_cross]\nsizing = \"equity:10\"\n", &[0]);
    assert_eq!(
        equity.log,
        ["BUY 0.999@100 Taker +1h"],
        "100 / 100.1 = 0.99900…"
    );
    // 1 % of 1 000 at risk over a 2 % stop (2 USDT): 5 BTC, but 1 000 / 100.1 = 9.99 is free.
    let risk = sized(
        "[strategies.sma_cross]\nsizing = \"risk:1\"\nstop = \"2%\"\n",
        &[0],
    );
    assert_eq!(risk.log[0], "BUY 5@100 Taker +1h");
    let kelly = sized("[strategies.sma_cross]\nsizing = \"kelly:0.5:20\"\n", &[0]);
    assert_eq!(
        kelly.log,
        ["BUY 1.998@100 Taker +1h"],
        "young record: 20 % cap"
    );
    // Everything: 1 000 / 100.1 = 9.99000…
    let all = sized("[strategies.sma_cross]\nsizing = \"equity:100\"\n", &[0]);
    assert_eq!(all.log, ["BUY 9.99@100 Taker +1h"]);
}

#[test]
fn risk_sizing_with_an_atr_stop_waits_for_the_atr() {
    // Bar 3: no ATR yet, refused. Bar 15 (the 16th candle): ATR 2, stop 4 below: 10 / 4 = 2.5.
    let run = sized(
        "[strategies.sma_cross]\nsizing = \"risk:1\"\nstop = \"2atr\"\n",
        &[3, 15],
    );
    assert_eq!(run.log[0], "Rejected RISK_SIZING");
    assert_eq!(run.log[1], "BUY 2.5@100 Taker +16h");
    assert_eq!(run.refused.get("RISK_SIZING"), Some(&1));
}

#[test]
fn kelly_refuses_entries_once_the_record_shows_no_edge() {
    // Twenty round trips, each bought at one open and sold at the next, 1 lower: all losses.
    // Until then Kelly sizes by its 20 % cap; the 21st entry is refused.
    let candles = (0..43).map(|i| flat(i, 200.0 - i as f64)).collect();
    let mut script = Script::default();
    for k in 0..21 {
        script = script.buy(2 * k).sell(2 * k + 1, "0");
    }
    let s = Scenario {
        candles,
        script,
        risk: "[strategies.sma_cross]\nsizing = \"kelly:0.5:20\"\n",
        fee: "0.001",
        filters: true,
    };
    let (run, out) = parity(&s);
    let fills: Vec<&String> = run.log.iter().filter(|l| l.starts_with("BUY")).collect();
    assert_eq!(fills.len(), 20);
    // 20 % of 1 000 at the deciding close, 200 × 1.001: 0.99900… BTC (filled at the next open).
    assert_eq!(fills[0], "BUY 0.999@199 Taker +1h");
    assert_eq!(run.log.last().unwrap(), "Rejected RISK_KELLY");
    assert_eq!(out.refused.get("RISK_KELLY"), Some(&1));
    assert_eq!(out.trades.len(), 20);
}

mod properties {
    //! On random hourly paths through the engine: exits never offer more than the account holds,
    //! stay on the tick grid with the stop below the target, and the stop never moves down
    //! while the position lasts.

    use super::*;
    use proptest::prelude::*;
    use tickdesk::core::{Engine, Instrument, NoObserver};
    use tickdesk::exchange::{Exchange, SimExchange};
    use tickdesk::risk::{RiskConfig, StrategyRisk};

    fn engine(
        stop: u32,
        target: u32,
        trail: u32,
        sell_at: usize,
    ) -> Engine<SimExchange, NoObserver> {
        let sim = SimConfig {
            fill: FillPolicy::NextOpen,
            slippage_bps: Decimal::ZERO,
            maker_fee: d("0.001"),
            taker_fee: d("0.001"),
        };
        let x = SimExchange::for_symbols(sim, &["BTCUSDT".into()], true, d("1000"));
        let instruments = vec![Instrument {
            symbol: "BTCUSDT".into(),
        }];
        let mut e = Engine::new(x, NoObserver, instruments, Interval::H1);
        let pct = |p: u32| (p > 0).then(|| format!("{p}%").parse().unwrap());
        e.set_risk(RiskConfig {
            taker_fee: d("0.001"),
            strategies: vec![StrategyRisk {
                sizing: None,
                stop: pct(stop),
                take_profit: pct(target),
                trailing: pct(trail),
            }],
            ..RiskConfig::default()
        });
        let script = Script::default().buy(0).sell(sell_at, "0.4");
        e.add_strategy(Box::new(script)).unwrap();
        e.start();
        e
    }

    /// Hourly candles from 100 by moves of `m` %, with wicks of `down` and `up` % around the body.
    fn walk(moves: &[(i8, u8, u8)]) -> Vec<Candle> {
        let mut open = 100.0;
        let mut out = Vec::new();
        for (i, &(m, down, up)) in (0..).zip(moves) {
            let close = (open * (1.0 + f64::from(m) / 100.0) * 100.0f64).round() / 100.0;
            let high = open.max(close) * (1.0 + f64::from(up) / 100.0);
            let low = open.min(close) * (1.0 - f64::from(down) / 100.0);
            out.push(bar(i, open, high, low, close));
            open = close;
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn exits_stay_within_the_holding_on_the_grid_and_their_stop_only_rises(
            moves in prop::collection::vec((-4i8..=4, 0u8..4, 0u8..4), 5..40),
            stop in 0u32..6,
            target in 0u32..12,
            trail in 0u32..6,
            sell_at in 1usize..30,
        ) {
            let mut e = engine(stop, target, trail, sell_at);
            let btc = e.exchange().account().find("BTC").unwrap();
            let tick = d("0.01");
            let mut last_stop: Option<Decimal> = None;
            for c in walk(&moves) {
                e.on_bar(0, &c, &[]);
                let held = e.exchange().account().total(btc);
                let exits: Vec<_> = e
                    .exchange()
                    .open_orders()
                    .iter()
                    .filter(|o| o.request.oco.is_some())
                    .collect();
                let mut groups: BTreeMap<u64, Decimal> = BTreeMap::new();
                for o in &exits {
                    let Qty::Base(q) = o.request.qty else { panic!("exits are in base units") };
                    groups.insert(o.request.oco.unwrap(), q);
                    let price = o.request.kind.stop().or(o.request.kind.limit()).unwrap();
                    prop_assert_eq!(price % tick, Decimal::ZERO, "{} off the grid", price);
                }
                prop_assert!(groups.values().sum::<Decimal>() <= held, "exits offer more than held");
                prop_assert!(groups.len() <= 1, "one group per position");
                let stops: Vec<Decimal> = exits
                    .iter()
                    .filter(|o| matches!(o.request.kind, OrderKind::StopLoss { .. }))
                    .filter_map(|o| o.request.kind.stop())
                    .collect();
                let targets: Vec<Decimal> = exits.iter().filter_map(|o| o.request.kind.limit()).collect();
                if let (Some(s), Some(t)) = (stops.first(), targets.first()) {
                    prop_assert!(s < t, "stop {} not below target {}", s, t);
                }
                if held.is_zero() {
                    last_stop = None;
                } else if let Some(&s) = stops.first() {
                    if let Some(before) = last_stop {
                        prop_assert!(s >= before, "the stop moved down from {} to {}", before, s);
                    }
                    last_stop = Some(s);
                }
            }
        }
    }
}
