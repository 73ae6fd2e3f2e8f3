//! The trading core and the simulated exchange end to end, on hand-made candles whose numbers make
//! every fill obvious: fill policies and slippage; limit, stop, take-profit and stop-limit matching
//! along whole bars or `detail` candles (also loaded from a store); OCO groups; filters, refusals
//! and fees; one cash pool across symbols; higher timeframes; a person's commands, the kill switch
//! and timers; and the metrics of a hand-computed equity path.

use crate::common::shipped_1h;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use tickdesk::backtest::{self, Feed, OpenTrade, Outcome, Recorder, Spec};
use tickdesk::core::{Command, Ctx, Engine, EngineObserver, Event, Fill, Instrument, NoObserver};
use tickdesk::core::{OrderId, OrderKind, OrderStatus, Qty, Reject, Side};
use tickdesk::exchange::{Exchange, FillPolicy, SimConfig, SimExchange, unrestricted};
use tickdesk::market::time::{HOUR_MS, MINUTE_MS};
use tickdesk::market::{Candle, Interval, SeriesKey, resample};
use tickdesk::store::{Range, Store};
use tickdesk::strategy::{self, Params, Setup, Strategy, StrategyError};
use {FillPolicy::*, Side::*};

mod commands;
mod orders;
mod portfolio;

/// 2024-01-01 00:00 UTC, a Monday: aligned to every interval used here.
const T0: i64 = 1_704_067_200_000;
/// Actions at this bar number run in `on_start`.
const START: usize = usize::MAX;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn candle(open_time: i64, [open, high, low, close]: [f64; 4]) -> Candle {
    let volume = 1.0;
    Candle {
        open_time,
        open,
        high,
        low,
        close,
        volume,
    }
}

/// Bar `i` hours after `T0`.
fn bar(i: i64, o: f64, h: f64, l: f64, c: f64) -> Candle {
    candle(T0 + i * HOUR_MS, [o, h, l, c])
}

fn flat(i: i64, p: f64) -> Candle {
    bar(i, p, p, p, p)
}

fn mins(t: i64) -> i64 {
    (t - T0) / MINUTE_MS
}

fn cfg(fill: FillPolicy, bps: &str, maker: &str, taker: &str) -> SimConfig {
    let (slippage_bps, maker_fee, taker_fee) = (d(bps), d(maker), d(taker));
    SimConfig {
        fill,
        slippage_bps,
        maker_fee,
        taker_fee,
    }
}

fn no_fees() -> SimConfig {
    cfg(NextOpen, "0", "0", "0")
}

/// What a test strategy was told, in order.
#[derive(Debug, Clone, Default)]
struct Seen {
    events: Vec<String>,
    candles: Vec<(Interval, Candle)>,
    fills: Vec<Fill>,
    closed: Vec<String>,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Seen>>);

impl Log {
    fn get(&self) -> Seen {
        self.0.lock().unwrap().clone()
    }
    fn push(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.0.lock().unwrap());
    }
    /// Each fill as `BUY 1@95 Maker fee 0.095 +60` (minutes after `T0`).
    fn fills(&self) -> Vec<String> {
        let show = |f: &Fill| {
            let (q, p, fee) = (f.qty.normalize(), f.price.normalize(), f.fee.normalize());
            let (side, liq, at) = (f.side.as_str(), f.liquidity, mins(f.time));
            format!("{side} {q}@{p} {liq:?} fee {fee} +{at}")
        };
        self.get().fills.iter().map(show).collect()
    }
}

type Action = Box<dyn FnMut(&mut Ctx<'_>) + Send>;

/// Runs scripted actions when its n-th base candle closes and logs every callback.
struct Script {
    actions: Vec<(usize, Action)>,
    extra: Vec<Interval>,
    series: Vec<(usize, Interval)>,
    bars: usize,
    log: Log,
}

impl Script {
    fn new(log: &Log) -> Self {
        let (actions, extra, series, bars, log) = (vec![], vec![], vec![], 0, log.clone());
        Self {
            actions,
            extra,
            series,
            bars,
            log,
        }
    }
    fn on(mut self, bar: usize, action: impl FnMut(&mut Ctx<'_>) + Send + 'static) -> Self {
        self.actions.push((bar, Box::new(action)));
        self
    }
    fn place(self, bar: usize, side: Side, kind: OrderKind, qty: &str, oco: Option<u64>) -> Self {
        let qty = Qty::Base(d(qty));
        self.on(bar, move |ctx| _ = ctx.place(0, side, kind, qty, oco))
    }
    fn run(&mut self, bar: usize, ctx: &mut Ctx<'_>) {
        let due = self.actions.iter_mut().filter(|(at, _)| *at == bar);
        due.for_each(|(_, action)| action(ctx));
    }
}

impl Strategy for Script {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let base = setup.base_interval();
        for iv in std::iter::once(base).chain(self.extra.clone()) {
            self.series.push((setup.series(0, iv)?, iv));
        }
        Ok(())
    }
    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.run(START, ctx);
    }
    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: usize, candle: &Candle) {
        let iv = self.series.iter().find(|s| s.0 == series).unwrap().1;
        let text = format!("{iv} {}", mins(candle.open_time));
        self.log.push(|s| s.events.push(text));
        self.log.push(|s| s.candles.push((iv, *candle)));
        if series == self.series[0].0 {
            self.run(self.bars, ctx);
            self.bars += 1;
        }
    }
    fn on_fill(&mut self, _: &mut Ctx<'_>, fill: &Fill) {
        self.log.push(|s| s.fills.push(fill.clone()));
    }
    fn on_order_closed(&mut self, _: &mut Ctx, id: OrderId, st: OrderStatus, r: Option<&Reject>) {
        let why = r.map_or(String::new(), |r| format!(" {r}"));
        let text = format!("{id} {st:?}{why}");
        self.log.push(|s| s.closed.push(text));
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let text = format!("timer {id} at {}", mins(ctx.now()));
        self.log.push(|s| s.events.push(text));
    }
}

/// An engine over `symbols` (unrestricted filters) on 1h bars, holding `cash` USDT.
fn engine<O: EngineObserver>(
    symbols: &[&str],
    o: O,
    c: SimConfig,
    cash: &str,
) -> Engine<SimExchange, O> {
    let rules = symbols.iter().map(|s| unrestricted(s)).collect();
    let x = SimExchange::new(c, rules, &[("USDT", d(cash))]);
    let instrument = |s: &&str| Instrument {
        symbol: s.to_string(),
    };
    Engine::new(x, o, symbols.iter().map(instrument).collect(), Interval::H1)
}

type Rig = Engine<SimExchange, Recorder>;

/// BTCUSDT with the script as strategy 0, started, holding `cash` USDT and `btc` BTC.
fn rig(c: SimConfig, cash: &str, btc: &str, script: Script) -> Rig {
    let deposits = [("USDT", d(cash)), ("BTC", d(btc))];
    let x = SimExchange::new(c, vec![unrestricted("BTCUSDT")], &deposits);
    let symbol = "BTCUSDT".to_string();
    let observer = Recorder::new(vec![symbol.clone()]);
    let mut e = Engine::new(x, observer, vec![Instrument { symbol }], Interval::H1);
    e.add_strategy(Box::new(script)).unwrap();
    e.start();
    e
}

fn feed(e: &mut Rig, bars: &[Candle]) {
    bars.iter().for_each(|b| e.on_bar(0, b, &[]));
}

/// Balances as `BTC 0/0 USDT 690/310` (free/locked).
fn wallet<O: EngineObserver>(e: &Engine<SimExchange, O>) -> String {
    let a = e.exchange().account();
    let (free, locked) = (|i| a.free(i).normalize(), |i| a.locked(i).normalize());
    let show = |(i, name)| format!("{name} {}/{}", free(i), locked(i));
    a.assets().map(show).collect::<Vec<_>>().join(" ")
}

fn command<O: EngineObserver>(e: &mut Engine<SimExchange, O>, hours: i64, command: Command) {
    let at = T0 + hours * HOUR_MS;
    e.handle(Event::Command { at, command });
}

fn spec(fill: FillPolicy, fee: &str, filters: bool) -> Spec {
    let mut s = Spec::new("script", vec!["BTCUSDT".parse().unwrap()], Interval::H1);
    (s.fill, s.filters, s.cash) = (fill, filters, d("1000"));
    (s.maker_fee, s.taker_fee) = (d(fee), d(fee));
    s
}

fn backtest_script(spec: &Spec, script: Script, feed: &Feed) -> Outcome {
    backtest::run_strategy(spec, Box::new(script), Params::default(), feed, None).unwrap()
}

fn limit(price: &str) -> OrderKind {
    OrderKind::Limit { price: d(price) }
}
