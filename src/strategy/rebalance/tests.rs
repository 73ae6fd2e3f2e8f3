//! `rebalance` in the engine over hand-made candles of two symbols: the first allocation worked
//! out by hand, sells before buys, the band, the schedule on UTC multiples, waiting for every
//! symbol's price, and parameter errors.

use crate::core::{Engine, EngineObserver, Fill, Instrument, OrderId, OrderRequest, Reject};
use crate::exchange::{Exchange, FillPolicy, SimConfig, SimExchange};
use crate::market::{Candle, Interval, time::DAY_MS, time::HOUR_MS};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[derive(Default)]
struct Seen {
    fills: Vec<Fill>,
    signals: Vec<(i64, String)>,
    refused: Vec<String>,
}

impl EngineObserver for Seen {
    fn on_fill(&mut self, fill: &Fill) {
        self.fills.push(fill.clone());
    }
    fn on_signal(&mut self, _: usize, at: i64, text: &str) {
        self.signals.push((at, text.to_string()));
    }
    fn on_rejected(&mut self, _: OrderId, _: &OrderRequest, reject: &Reject) {
        self.refused.push(reject.to_string());
    }
}

/// A UTC midnight, so daily schedules fall on whole days from here.
const T0: i64 = 19_702 * DAY_MS;

fn config(fill: FillPolicy) -> SimConfig {
    SimConfig {
        fill,
        slippage_bps: Decimal::ZERO,
        maker_fee: d("0.001"),
        taker_fee: d("0.001"),
    }
}

fn engine(settings: &[(&str, &str)], fill: FillPolicy) -> Engine<SimExchange, Seen> {
    let cfg = config(fill);
    let symbols = ["BTCUSDT".to_string(), "ETHUSDT".to_string()];
    let exchange = SimExchange::for_symbols(cfg, &symbols, true, d("10000"));
    let instruments = symbols.iter().map(|s| Instrument { symbol: s.clone() });
    let mut e = Engine::new(
        exchange,
        Seen::default(),
        instruments.collect(),
        Interval::H1,
    );
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (strategy, _) = crate::strategy::build("rebalance", &settings).unwrap();
    e.add_strategy(strategy).unwrap();
    e.start();
    e
}

fn candle(k: i64, open: f64, close: f64) -> Candle {
    Candle {
        open_time: T0 + k * HOUR_MS,
        open,
        high: open.max(close),
        low: open.min(close),
        close,
        volume: 1.0,
    }
}

/// Hour `k`: BTC and ETH candles (open, close), or only BTC's when `eth` is None.
fn step(e: &mut Engine<SimExchange, Seen>, k: i64, btc: (f64, f64), eth: Option<(f64, f64)>) {
    let b = candle(k, btc.0, btc.1);
    let x = eth.map(|(o, c)| candle(k, o, c));
    let mut s: Vec<(usize, &Candle, &[Candle])> = vec![(0, &b, &[])];
    if let Some(x) = x.as_ref() {
        s.push((1, x, &[]));
    }
    e.on_step(&s);
}

fn holdings(e: &Engine<SimExchange, Seen>) -> [Decimal; 3] {
    let a = e.exchange().account();
    let total = |name: &str| a.find(name).map_or(Decimal::ZERO, |x| a.total(x));
    [total("BTC"), total("ETH"), total("USDT")]
}

const FLAT: (f64, f64) = (50_000.0, 50_000.0);
const ETH: Option<(f64, f64)> = Some((1000.0, 1000.0));

#[test]
fn the_first_complete_step_buys_the_targets() {
    let mut e = engine(&[("w0", "30"), ("w1", "30")], FillPolicy::NextOpen);
    step(&mut e, 0, FLAT, ETH);
    assert_eq!(e.exchange().open_orders().len(), 2, "two buys placed");
    step(&mut e, 1, FLAT, ETH);
    // Fees on 60 % of the equity: targets are 30 % of 10,000 / 1.0006 = 2998.2011 each, so
    // 0.05996 BTC (step 0.00001) for 3000.998 and 2.9982 ETH (step 0.0001) for 3001.1982.
    assert_eq!(holdings(&e), [d("0.05996"), d("2.9982"), d("3997.8038")]);
    assert_eq!(e.observer().signals.len(), 1);
    let said = &e.observer().signals[0].1;
    assert!(
        said.starts_with("rebalance: BTC at 0.00 % is -30.00 pp off its 30 % target"),
        "{said}"
    );
    assert!(said.contains("buy 0.05996 BTC for 3001.00 USDT"), "{said}");
}

#[test]
fn a_drift_past_the_band_sells_first_and_buys_once_the_sells_settled() {
    let mut e = engine(
        &[("w0", "30"), ("w1", "30"), ("every_hours", "0")],
        FillPolicy::NextOpen,
    );
    step(&mut e, 0, FLAT, ETH);
    step(&mut e, 1, FLAT, ETH);
    // BTC doubles: 0.05996 BTC is 5996 of 12,992, 46 %.
    step(&mut e, 2, (50_000.0, 100_000.0), ETH);
    let open = e.exchange().open_orders();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        (open[0].request.instrument, open[0].request.side),
        (0, crate::core::Side::Sell)
    );
    step(&mut e, 3, (100_000.0, 100_000.0), ETH);
    assert_eq!(e.observer().fills.len(), 3, "the sell filled at the open");
    let buys = e.exchange().open_orders();
    assert_eq!(buys.len(), 1, "the buy placed at that close: {buys:?}");
    assert_eq!(buys[0].request.instrument, 1);
    step(&mut e, 4, (100_000.0, 100_000.0), ETH);
    let [btc, eth, usdt] = holdings(&e);
    let equity = btc * d("100000") + eth * d("1000") + usdt;
    for w in [btc * d("100000"), eth * d("1000")] {
        let pct = w * Decimal::ONE_HUNDRED / equity;
        assert!((pct - d("30")).abs() < d("0.1"), "{pct} % of {equity}");
    }
    let said: Vec<&str> = e.observer().signals.iter().map(|s| s.1.as_str()).collect();
    assert!(
        said[1].contains("BTC at 46.1") && said[1].ends_with("buys follow once the sells settle"),
        "{said:?}"
    );
    assert!(
        said[2].starts_with("rebalance, buys after the sells; buy"),
        "{said:?}"
    );
}

#[test]
fn within_the_band_nothing_trades() {
    let mut e = engine(
        &[("w0", "30"), ("w1", "30"), ("every_hours", "0")],
        FillPolicy::NextOpen,
    );
    for k in 0..48 {
        // BTC drifts up 10 %: its weight moves about 1.7 pp, inside the 5 pp band.
        let p = 50_000.0 * (1.0 + 0.1 * k as f64 / 47.0);
        step(&mut e, k, (p, p), ETH);
    }
    assert_eq!(e.observer().fills.len(), 2, "only the first allocation");
    assert_eq!(e.observer().signals.len(), 1);
}

#[test]
fn the_schedule_rebalances_at_utc_multiples_only() {
    let mut e = engine(
        &[
            ("w0", "30"),
            ("w1", "30"),
            ("every_hours", "24"),
            ("band", "50"),
        ],
        FillPolicy::NextOpen,
    );
    for k in 0..30 {
        let p = if k < 5 { 50_000.0 } else { 55_000.0 };
        step(&mut e, k, (p, p), ETH);
    }
    let fills = &e.observer().fills;
    assert_eq!(fills.len(), 4, "{fills:?}");
    // Decided at the close of hour 23 (midnight), filled at the open of hour 24: BTC sold
    // first, ETH bought at the next step.
    assert_eq!(
        (fills[2].time, fills[2].side),
        (T0 + DAY_MS, crate::core::Side::Sell)
    );
    assert_eq!(
        (fills[3].time, fills[3].instrument),
        (T0 + DAY_MS + HOUR_MS, 1)
    );
    assert!(
        e.observer().signals[1].1.starts_with("scheduled rebalance"),
        "{:?}",
        e.observer().signals
    );
}

#[test]
fn it_waits_until_every_symbol_has_a_price_at_the_same_close() {
    let mut e = engine(&[], FillPolicy::NextOpen);
    for k in 0..3 {
        step(&mut e, k, FLAT, None);
    }
    assert!(e.exchange().open_orders().is_empty());
    assert!(e.observer().signals.is_empty());
    step(&mut e, 3, FLAT, ETH);
    // No weight set: 50 % of equity shared evenly.
    step(&mut e, 4, FLAT, ETH);
    let [btc, eth, _] = holdings(&e);
    assert_eq!((btc, eth), (d("0.04997"), d("2.4987")));
}

#[test]
fn with_this_close_fills_the_buys_follow_in_the_same_step() {
    let mut e = engine(
        &[("w0", "30"), ("w1", "30"), ("every_hours", "0")],
        FillPolicy::ThisClose,
    );
    step(&mut e, 0, FLAT, ETH);
    step(&mut e, 1, (50_000.0, 100_000.0), ETH);
    let fills = &e.observer().fills;
    assert_eq!(fills.len(), 4, "{fills:?}");
    assert_eq!(
        (fills[2].side, fills[3].side),
        (crate::core::Side::Sell, crate::core::Side::Buy)
    );
    assert!(e.exchange().open_orders().is_empty());
}

#[test]
fn weights_that_do_not_fit_the_run_are_errors() {
    let setup = |settings: &[(&str, &str)], symbols: &[&str]| {
        let settings: Vec<(String, String)> = settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (strategy, _) = crate::strategy::build("rebalance", &settings).unwrap();
        let symbols: Vec<String> = symbols.iter().map(|s| s.to_string()).collect();
        let x = SimExchange::for_symbols(config(FillPolicy::NextOpen), &symbols, true, d("1"));
        let instruments = symbols.iter().map(|s| Instrument { symbol: s.clone() });
        let mut e = Engine::new(x, Seen::default(), instruments.collect(), Interval::H1);
        e.add_strategy(strategy).err().map(|e| e.to_string())
    };
    assert_eq!(setup(&[("w0", "60")], &["BTCUSDT"]), None);
    let beyond = setup(&[("w0", "60"), ("w1", "10")], &["BTCUSDT"]).unwrap();
    assert!(
        beyond.contains("rebalance.w1 is set but the run has 1 symbol"),
        "{beyond}"
    );
    let over = setup(&[("w0", "60"), ("w1", "45")], &["BTCUSDT", "ETHUSDT"]).unwrap();
    assert!(over.contains("add up to 105 %, more than 100 %"), "{over}");
    let param = crate::strategy::build("rebalance", &[("w0".into(), "101".into())]);
    assert!(param.is_err(), "a weight is at most 100");
}
