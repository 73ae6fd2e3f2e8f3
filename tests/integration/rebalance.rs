//! The `rebalance` strategy in a multi-symbol backtest over the shipped BTCUSDT and ETHUSDT hours
//! (Aug 2017 to Oct 2022, where both exist; real candles with their outages), through the engine,
//! the risk layer and the simulated exchange with Binance's filters and a 0.1 % fee: after every
//! rebalance the weights are back within the band, no order breaks a filter or is refused, every
//! fill pays its fee, and two runs decide exactly the same.

use crate::common::shipped_1h;
use rust_decimal::Decimal;
use std::str::FromStr;
use tickdesk::backtest::{self, Feed, Spec};
use tickdesk::core::{Engine, EngineObserver, Fill, Instrument, OrderId, OrderRequest};
use tickdesk::core::{OrderStatus, Reject};
use tickdesk::exchange::{Exchange, FillPolicy, SimConfig, SimExchange, rules_for};
use tickdesk::market::{Candle, Interval};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const SYMBOLS: [&str; 2] = ["BTCUSDT", "ETHUSDT"];

#[derive(Default, PartialEq, Debug)]
struct Log {
    fills: Vec<Fill>,
    signals: Vec<(i64, String)>,
    /// Orders refused before the exchange, or closed without a fill, with why.
    trouble: Vec<String>,
}

impl EngineObserver for Log {
    fn on_fill(&mut self, fill: &Fill) {
        self.fills.push(fill.clone());
    }
    fn on_closed(&mut self, order: OrderId, status: OrderStatus, reason: Option<&Reject>) {
        self.trouble
            .push(format!("order {order} {status:?} {reason:?}"));
    }
    fn on_rejected(&mut self, order: OrderId, _: &OrderRequest, reject: &Reject) {
        self.trouble
            .push(format!("order {order} refused: {reject}"));
    }
    fn on_signal(&mut self, _: usize, at: i64, text: &str) {
        self.signals.push((at, text.to_string()));
    }
}

/// What a run left: its log, the largest drift (pp) measured when each rebalance had settled, and
/// how many rebalances settled.
struct Run {
    log: Log,
    settled_drift: Vec<f64>,
    balances: Vec<Decimal>,
}

/// Both series where both exist, stepped together like the backtest feed does.
fn series() -> [Vec<Candle>; 2] {
    let eth = shipped_1h("ETHUSDT").to_vec();
    let end = eth.last().unwrap().open_time;
    let btc = shipped_1h("BTCUSDT")
        .iter()
        .take_while(|c| c.open_time <= end)
        .copied()
        .collect();
    [btc, eth]
}

fn weights(e: &Engine<SimExchange, Log>) -> [f64; 2] {
    let a = e.exchange().account();
    let total = |name: &str| a.find(name).map_or(0.0, |x| a.total_f64(x));
    let values = [
        total("BTC") * e.last_close(0),
        total("ETH") * e.last_close(1),
    ];
    let equity = total("USDT") + values[0] + values[1];
    values.map(|v| v / equity * 100.0)
}

fn run(settings: &[(&str, &str)], targets: [f64; 2]) -> Run {
    let cfg = SimConfig {
        fill: FillPolicy::NextOpen,
        slippage_bps: Decimal::ZERO,
        maker_fee: d("0.001"),
        taker_fee: d("0.001"),
    };
    let names: Vec<String> = SYMBOLS.iter().map(|s| s.to_string()).collect();
    let exchange = SimExchange::for_symbols(cfg, &names, true, d("10000"));
    let instruments = names.iter().map(|s| Instrument { symbol: s.clone() });
    let mut e = Engine::new(
        exchange,
        Log::default(),
        instruments.collect(),
        Interval::H1,
    );
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    e.add_strategy(tickdesk::strategy::build("rebalance", &settings).unwrap().0)
        .unwrap();
    e.start();
    let series = series();
    let mut at = [0usize; 2];
    let mut settled_drift = Vec::new();
    while let Some(t) = (0..2)
        .filter_map(|i| series[i].get(at[i]))
        .map(|c| c.open_time)
        .min()
    {
        let fills = e.observer().fills.len();
        let mut step: Vec<(usize, &Candle, &[Candle])> = Vec::with_capacity(2);
        for (i, candles) in series.iter().enumerate() {
            if let Some(c) = candles.get(at[i]).filter(|c| c.open_time == t) {
                step.push((i, c, &[]));
                at[i] += 1;
            }
        }
        e.on_step(&step);
        // A rebalance settled: something filled in this step and nothing is left open.
        if e.observer().fills.len() > fills && e.exchange().open_orders().is_empty() {
            let w = weights(&e);
            settled_drift.push((w[0] - targets[0]).abs().max((w[1] - targets[1]).abs()));
        }
    }
    let a = e.exchange().account();
    let balances = ["BTC", "ETH", "USDT"].map(|n| a.find(n).map_or(Decimal::ZERO, |x| a.total(x)));
    let (_, log) = e.into_parts();
    Run {
        log,
        settled_drift,
        balances: balances.to_vec(),
    }
}

/// Every fill passes the symbol's filters and pays 0.1 % of its value.
fn assert_fills_are_clean(log: &Log) {
    assert!(
        log.trouble.is_empty(),
        "{:?}",
        &log.trouble[..log.trouble.len().min(5)]
    );
    for f in &log.fills {
        let rules = rules_for(SYMBOLS[f.instrument]);
        assert_eq!(rules.round_qty(f.qty), f.qty, "{f:?}");
        assert!(rules.check(f.qty, f.price).is_ok(), "{f:?}");
        assert!(f.fee > Decimal::ZERO, "{f:?}");
        assert_eq!(f.fee, (f.quote * d("0.001")).round_dp(12), "{f:?}");
    }
}

#[test]
fn weekly_rebalances_hold_the_weights_within_the_band() {
    let settings = [
        ("w0", "40"),
        ("w1", "40"),
        ("every_hours", "168"),
        ("band", "5"),
    ];
    let first = run(&settings, [40.0, 40.0]);
    // About five years of weeks, each a rebalance (scheduled, or earlier on drift).
    let rounds = first.settled_drift.len();
    assert!(rounds > 250, "{rounds} rebalances");
    let worst = first.settled_drift.iter().copied().fold(0.0, f64::max);
    assert!(worst < 5.0, "a weight settled {worst} pp off its target");
    let mut sorted = first.settled_drift.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    assert!(median < 0.5, "median drift after a rebalance: {median} pp");
    assert_fills_are_clean(&first.log);
    let fees: Decimal = first.log.fills.iter().map(|f| f.fee).sum();
    assert!(fees > d("10"), "fees paid: {fees}");
    assert!(
        first
            .log
            .signals
            .iter()
            .any(|s| s.1.starts_with("scheduled rebalance"))
    );
    assert!(
        first
            .log
            .signals
            .iter()
            .any(|s| s.1.starts_with("rebalance: "))
    );

    let second = run(&settings, [40.0, 40.0]);
    assert_eq!(second.log, first.log, "two runs decide the same");
    assert_eq!(second.balances, first.balances);
}

#[test]
fn drift_alone_triggers_rebalances_and_each_one_lands_near_target() {
    let settings = [
        ("w0", "60"),
        ("w1", "20"),
        ("every_hours", "0"),
        ("band", "2.5"),
    ];
    let r = run(&settings, [60.0, 20.0]);
    let rounds = r.settled_drift.len();
    assert!(rounds > 20, "{rounds} rebalances");
    // Every signal but the first allocation names a weight past the band.
    for (_, text) in r.log.signals.iter().skip(1) {
        assert!(
            text.starts_with("rebalance: ") || text.starts_with("rebalance, buys after the sells"),
            "{text}"
        );
    }
    let worst = r.settled_drift.iter().copied().fold(0.0, f64::max);
    assert!(worst < 2.5, "a weight settled {worst} pp off its target");
    assert_fills_are_clean(&r.log);
}

#[test]
fn the_backtest_runner_refuses_nothing_and_repeats_itself() {
    let mut spec = Spec::new(
        "rebalance",
        SYMBOLS.map(|s| s.parse().unwrap()).to_vec(),
        Interval::H1,
    );
    spec.settings = vec![("w0".into(), "50".into()), ("w1".into(), "30".into())];
    let [btc, eth] = series();
    let feed = Feed::new(Interval::H1, vec![btc, eth]);
    let first = backtest::run(&spec, &feed, None).unwrap();
    assert!(first.refused.is_empty(), "{:?}", first.refusal_samples);
    assert!(
        first.metrics.fees_paid > 10.0,
        "{}",
        first.metrics.fees_paid
    );
    let second = backtest::run(&spec, &feed, None).unwrap();
    assert_eq!(second.equity, first.equity);
    assert_eq!(second.trades.len(), first.trades.len());
}
