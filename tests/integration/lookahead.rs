//! The look-ahead canary. Every built-in strategy (whatever `strategy::builtins()` lists) runs on
//! a few thousand real BTCUSDT hours with parameters that make it trade often, under both fill
//! policies; every decision it makes (each order submitted or cancelled, each signal, stamped
//! with the bar close it was decided at) is recorded. For several cut points t, the run on the
//! candles truncated after t and runs on series whose candles after t were replaced (scaled, or
//! time-reversed) must decide exactly the same things up to and including bar t. A test strategy
//! that peeks at the next candle through a side channel shows the canary can fail.

use crate::common::shipped_1h;
use rust_decimal::Decimal;
use std::{cell::Cell, rc::Rc};
use tickdesk::backtest::Feed;
use tickdesk::core::{Account, Ctx, Engine, EngineObserver, Instrument, Order, OrderId};
use tickdesk::core::{OrderRequest, Reject, SeriesId};
use tickdesk::exchange::rules_for;
use tickdesk::exchange::{Exchange, ExecEvent, FillPolicy, SimConfig, SimExchange, SymbolRules};
use tickdesk::market::{Candle, Interval, time::HOUR_MS};
use tickdesk::strategy::{self, Setup, Strategy, StrategyError};

/// A decision: when (the close of the bar it was made on) and what.
type Decision = (i64, String);

/// The simulated exchange, recording every order and cancel the engine sends it.
struct Spy {
    inner: SimExchange,
    /// The close of the bar being processed, shared with `Said`.
    now: Rc<Cell<i64>>,
    seen: Vec<Decision>,
}

impl Exchange for Spy {
    fn account(&self) -> &Account {
        self.inner.account()
    }
    fn rules(&self, instrument: usize) -> &SymbolRules {
        self.inner.rules(instrument)
    }
    fn open_orders(&self) -> &[Order] {
        self.inner.open_orders()
    }
    fn submit(
        &mut self,
        id: OrderId,
        r: tickdesk::risk::Approved,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject> {
        let text = format!("order {id} {:?}", r.request());
        let result = self.inner.submit(id, r, now, out);
        self.seen.push((now, format!("{text} → {result:?}")));
        result
    }
    fn cancel(&mut self, id: OrderId, out: &mut Vec<ExecEvent>) -> Result<(), Reject> {
        let result = self.inner.cancel(id, out);
        let at = self.now.get();
        self.seen.push((at, format!("cancel {id} → {result:?}")));
        result
    }
    fn on_bar(&mut self, i: usize, bar: &Candle, detail: &[Candle], out: &mut Vec<ExecEvent>) {
        self.now.set(bar.open_time + HOUR_MS);
        self.inner.on_bar(i, bar, detail, out);
    }
}

/// Signals, and orders the engine itself refused (before the exchange saw them).
struct Said(Vec<Decision>, Rc<Cell<i64>>);

impl EngineObserver for Said {
    fn on_signal(&mut self, _: usize, at: i64, text: &str) {
        self.0.push((at, format!("signal {text}")));
    }
    fn on_rejected(&mut self, id: OrderId, r: &OrderRequest, why: &Reject) {
        self.0
            .push((self.1.get(), format!("refused {id} {r:?} {why}")));
    }
}

/// Builds a strategy for a run over `candles` (a peeking strategy captures them).
type Build<'a> = &'a dyn Fn(&[Candle]) -> Box<dyn Strategy>;

/// Every decision of a run in time order (at one time: the exchange's record, then the engine's).
fn decisions(build: Build<'_>, candles: &[Candle], fill: FillPolicy) -> Vec<Decision> {
    let fee = Decimal::new(1, 3);
    let config = SimConfig {
        fill,
        slippage_bps: Decimal::ZERO,
        maker_fee: fee,
        taker_fee: fee,
    };
    let cash = [("USDT", Decimal::from(10_000))];
    let inner = SimExchange::new(config, vec![rules_for("BTCUSDT")], &cash);
    let now = Rc::new(Cell::new(i64::MIN));
    let spy = Spy {
        inner,
        now: now.clone(),
        seen: Vec::new(),
    };
    let instruments = vec![Instrument {
        symbol: "BTCUSDT".into(),
    }];
    let mut engine = Engine::new(spy, Said(Vec::new(), now), instruments, Interval::H1);
    engine.add_strategy(build(candles)).unwrap();
    engine.start();
    Feed::new(Interval::H1, vec![candles.to_vec()]).replay(&mut engine, None);
    let (spy, said) = engine.into_parts();
    let mut all: Vec<Decision> = spy.seen.into_iter().chain(said.0).collect();
    all.sort_by_key(|d| d.0);
    all
}

/// The candles after bar `t` replaced: prices scaled by 0.6, or the remaining hours' prices in
/// reverse order (each candle's open and close swapped). Both stay valid candles.
fn altered(candles: &[Candle], t: usize) -> [Vec<Candle>; 2] {
    let (kept, rest) = candles.split_at(t + 1);
    let scale = |c: &Candle| Candle {
        open: c.open * 0.6,
        high: c.high * 0.6,
        low: c.low * 0.6,
        close: c.close * 0.6,
        ..*c
    };
    let reversed = rest.iter().zip(rest.iter().rev());
    let reverse = |(c, p): (&Candle, &Candle)| Candle {
        open: p.close,
        close: p.open,
        high: p.high,
        low: p.low,
        ..*c
    };
    let kept = kept.iter().copied();
    let scaled = kept.clone().chain(rest.iter().map(scale)).collect();
    [scaled, kept.chain(reversed.map(reverse)).collect()]
}

/// Bars to cut after: those of the decisions a quarter, half and three quarters of the way through
/// the run, and the bar before each (a strategy acting one bar early differs there).
fn cut_points(full: &[Decision], candles: &[Candle]) -> Vec<usize> {
    let bar_of = |t: i64| candles.partition_point(|c| c.open_time + HOUR_MS < t);
    let mut cuts: Vec<usize> = [1, 2, 3]
        .iter()
        .map(|q| bar_of(full[full.len() * q / 4].0))
        .flat_map(|b| [b.saturating_sub(1), b])
        .filter(|&b| b + 1 < candles.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

fn until(d: &[Decision], end: i64) -> Vec<Decision> {
    d.iter().filter(|x| x.0 <= end).cloned().collect()
}

/// Runs the canary; Ok(how many decisions were compared), or the first one that differed.
fn canary(build: Build<'_>, candles: &[Candle], fill: FillPolicy) -> Result<usize, String> {
    let full = decisions(build, candles, fill);
    if full.len() < 20 {
        return Err(format!("only {} decisions: too few to test", full.len()));
    }
    let mut compared = 0;
    for t in cut_points(&full, candles) {
        let end = candles[t].open_time + HOUR_MS;
        let expected = until(&full, end);
        let [scaled, reversed] = altered(candles, t);
        let runs = [
            ("truncated", &candles[..=t]),
            ("scaled", &scaled),
            ("reversed", &reversed),
        ];
        for (what, series) in runs {
            let got = until(&decisions(build, series, fill), end);
            let n = expected.len().max(got.len());
            if let Some(k) = (0..n).find(|&k| expected.get(k) != got.get(k)) {
                return Err(format!(
                    "cut after bar {t} ({what}), decision {k}:\n  full run: {:?}\n  this run: {:?}",
                    expected.get(k),
                    got.get(k)
                ));
            }
        }
        compared += expected.len();
    }
    Ok(compared)
}

/// Settings that make each built-in trade often on hourly candles; defaults for any other (a new
/// strategy that decides fewer than 20 times on them fails the canary until it gets a line here).
fn busy(name: &str) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = match name {
        "sma_cross" => &[("fast", "5"), ("slow", "20")],
        "momentum" => &[
            ("breakout", "10"),
            ("exit", "5"),
            ("atr_period", "6"),
            ("atr_mult", "1.5"),
        ],
        "mean_reversion" => &[
            ("period", "10"),
            ("width", "1.5"),
            ("rsi_period", "6"),
            ("oversold", "40"),
            ("overbought", "60"),
            ("stop_pct", "1"),
        ],
        "mtf_trend" => &[
            ("trend_hours", "4"),
            ("trend_ema", "10"),
            ("fast_ema", "10"),
            ("atr_period", "6"),
            ("atr_mult", "0.5"),
        ],
        _ => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn slice() -> Vec<Candle> {
    shipped_1h("BTCUSDT")[40_000..43_000].to_vec()
}

fn every_builtin_decides_the_same_without_the_future(fill: FillPolicy) {
    let candles = slice();
    for info in strategy::builtins() {
        let settings = busy(info.name);
        let build = |_: &[Candle]| strategy::build(info.name, &settings).unwrap().0;
        match canary(&build, &candles, fill) {
            Ok(compared) => assert!(
                compared > 10,
                "{} ({fill}): {compared} decisions",
                info.name
            ),
            Err(why) => panic!("{} ({fill}) looks ahead: {why}", info.name),
        }
    }
}

#[test]
fn builtins_do_not_look_ahead_with_next_open_fills() {
    every_builtin_decides_the_same_without_the_future(FillPolicy::NextOpen);
}

#[test]
fn builtins_do_not_look_ahead_with_this_close_fills() {
    every_builtin_decides_the_same_without_the_future(FillPolicy::ThisClose);
}

/// Buys when the next candle will close higher, sells when lower: it reads the run's own candles,
/// captured when it was built, one bar ahead.
struct Peeker {
    candles: Vec<Candle>,
    bar: usize,
}

impl Strategy for Peeker {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        setup.series(0, setup.base_interval()).map(|_| ())
    }
    fn on_candle(&mut self, ctx: &mut Ctx<'_>, _: SeriesId, candle: &Candle) {
        self.bar += 1;
        let Some(next) = self.candles.get(self.bar) else {
            return;
        };
        let held = ctx.rules(0).round_qty(ctx.position(0));
        if next.close > candle.close && held.is_zero() {
            let cash = ctx.free_quote(0);
            ctx.market_buy_quote(0, cash);
        } else if next.close < candle.close && !held.is_zero() {
            ctx.market_sell(0, held);
        }
    }
}

#[test]
fn the_canary_catches_a_strategy_that_peeks_at_the_next_candle() {
    let candles = slice();
    let peek = |c: &[Candle]| -> Box<dyn Strategy> {
        let (candles, bar) = (c.to_vec(), 0);
        Box::new(Peeker { candles, bar })
    };
    for fill in [FillPolicy::NextOpen, FillPolicy::ThisClose] {
        let caught =
            canary(&peek, &candles, fill).expect_err("the peeking strategy went unnoticed");
        assert!(caught.starts_with("cut after bar"), "{caught}");
    }
}
