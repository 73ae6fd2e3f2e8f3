//! The engine: processes one event at a time, in order, and nothing else touches the state.
//!
//! For a closed base candle it (1) fires timers due before the candle's close, (2) lets the
//! exchange adapter match resting orders along the candle and hands the fills to strategies,
//! (3) updates the series' indicators and history, (4) calls `on_candle` of each subscribed
//! strategy, executing its intents right after, and (5) feeds coarser series, whose candles are
//! delivered the same way when they close. Every order, from a strategy or a person, is rounded to
//! the symbol's filters and submitted through the same path; the kill switch refuses new orders
//! (except a person's sells, which only reduce exposure) until released.

use super::context::Intent;
use super::{
    Asset, Command, Ctx, Event, Fill, Order, OrderId, OrderKind, OrderRequest, OrderStatus, Origin,
    Qty, Reject, SeriesId, Side,
};
use crate::exchange::{Exchange, ExecEvent};
use crate::indicators::Indicator;
use crate::market::{Candle, Interval, Resampler};
use crate::risk::{Halt, Risk};
use crate::strategy::{Setup, Strategy, StrategyError};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

mod inspect;
mod risk_hooks;
mod setup_host;

use risk_hooks::view;

use setup_host::Host;

/// A strategy's last signal: when, and what it said.
pub type Signal = (i64, std::sync::Arc<str>);

/// A tradable symbol of the run (its rules live with the exchange adapter).
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    pub symbol: String,
}

/// Sees what the engine does: for journals, reports and the UI. Called synchronously.
pub trait EngineObserver {
    /// The exchange accepted an order, as risk approved it (rounded, maybe resized).
    fn on_accepted(&mut self, _order: &Order) {}
    fn on_fill(&mut self, _fill: &Fill) {}
    fn on_closed(&mut self, _order: OrderId, _status: OrderStatus, _reason: Option<&Reject>) {}
    fn on_rejected(&mut self, _order: OrderId, _request: &OrderRequest, _reject: &Reject) {}
    fn on_signal(&mut self, _strategy: usize, _at: i64, _text: &str) {}
    fn on_command(&mut self, _at: i64, _command: &Command) {}
    /// The risk layer halted trading on its own (a breaker or a loss limit), saying why.
    fn on_halted(&mut self, _at: i64, _halt: &Halt) {}
}

pub struct NoObserver;

impl EngineObserver for NoObserver {}

struct Series {
    instrument: usize,
    interval: Interval,
    /// The interval's fixed length (None for months), so bars need no calendar arithmetic.
    length: Option<i64>,
    keep: usize,
    resampler: Option<Resampler>,
    subscribers: Vec<usize>,
    indicators: Vec<usize>,
}

struct Slot {
    strategy: Box<dyn Strategy>,
    running: bool,
    signal: Option<Signal>,
    /// How many signals the strategy has given (to notice a new one cheaply).
    signals: u64,
}

/// Candles kept per series unless a strategy asks for more with `Setup::keep` (keeping none costs
/// nothing per bar).
const DEFAULT_KEEP: usize = 0;
/// Rounds of intent → execution → callback → intent allowed per event (guards feedback loops).
const MAX_ROUNDS: usize = 64;

pub struct Engine<X: Exchange, O: EngineObserver> {
    exchange: X,
    observer: O,
    instruments: Vec<Instrument>,
    assets: Vec<(Asset, Asset)>,
    /// Distinct base assets with the instrument that prices them, and the account currency.
    marks: Vec<(Asset, usize)>,
    quote: Asset,
    base_interval: Interval,
    series: Vec<Series>,
    histories: Vec<VecDeque<Candle>>,
    /// Coarser series fed by each base series.
    derived: Vec<Vec<SeriesId>>,
    indicators: Vec<Box<dyn Indicator>>,
    indicator_values: Vec<Option<f64>>,
    strategies: Vec<Slot>,
    intents: Vec<Intent>,
    execs: Vec<ExecEvent>,
    /// Emptied buffers kept for the next round (no allocation per event).
    spare_intents: Vec<Intent>,
    spare_execs: Vec<ExecEvent>,
    /// Who placed each open order (few at a time: a vector beats hashing).
    owners: Vec<(OrderId, Origin)>,
    timers: BinaryHeap<Reverse<(i64, usize, u64)>>,
    last_close: Vec<f64>,
    bars: Vec<crate::market::Bar>,
    next_id: OrderId,
    now: i64,
    risk: Risk,
}

impl<X: Exchange, O: EngineObserver> Engine<X, O> {
    /// An engine over `instruments` (listed by the exchange in the same order) whose candles
    /// arrive at `base_interval`; series `i` is instrument `i` at the base interval.
    pub fn new(
        exchange: X,
        observer: O,
        instruments: Vec<Instrument>,
        base_interval: Interval,
    ) -> Self {
        let account = exchange.account();
        let assets: Vec<(Asset, Asset)> = (0..instruments.len())
            .map(|i| {
                let r = exchange.rules(i);
                (
                    account.find(&r.base).unwrap_or(0),
                    account.find(&r.quote).unwrap_or(0),
                )
            })
            .collect();
        let quote = assets.first().map_or(0, |a| a.1);
        let mut marks: Vec<(Asset, usize)> = Vec::new();
        for (i, &(base, q)) in assets.iter().enumerate() {
            if q == quote && !marks.iter().any(|m| m.0 == base) {
                marks.push((base, i));
            }
        }
        let series = (0..instruments.len())
            .map(|i| Series {
                instrument: i,
                interval: base_interval,
                length: base_interval.fixed_ms(),
                keep: DEFAULT_KEEP,
                resampler: None,
                subscribers: Vec::new(),
                indicators: Vec::new(),
            })
            .collect();
        let n = instruments.len();
        Self {
            exchange,
            observer,
            instruments,
            assets,
            marks,
            quote,
            base_interval,
            series,
            histories: vec![VecDeque::new(); n],
            derived: vec![Vec::new(); n],
            indicators: Vec::new(),
            indicator_values: Vec::new(),
            strategies: Vec::new(),
            intents: Vec::new(),
            execs: Vec::new(),
            spare_intents: Vec::new(),
            spare_execs: Vec::new(),
            owners: Vec::new(),
            timers: BinaryHeap::new(),
            last_close: vec![f64::NAN; n],
            bars: Vec::new(),
            next_id: 0,
            now: i64::MIN,
            risk: Risk::default(),
        }
    }

    /// Adds a strategy: it declares its series and indicators now.
    pub fn add_strategy(
        &mut self,
        mut strategy: Box<dyn Strategy>,
    ) -> Result<usize, StrategyError> {
        let index = self.strategies.len();
        let mut host = Host {
            engine: self,
            declared: Vec::new(),
        };
        strategy.setup(&mut Setup { engine: &mut host })?;
        let declared = host.declared;
        for s in declared {
            self.series[s].subscribers.push(index);
        }
        self.strategies.push(Slot {
            strategy,
            running: true,
            signal: None,
            signals: 0,
        });
        Ok(index)
    }

    /// Calls every strategy's `on_start`.
    pub fn start(&mut self) {
        for i in 0..self.strategies.len() {
            self.call(i, |s, ctx| s.on_start(ctx));
            self.flush();
        }
    }

    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Bar { series, candle } => self.on_bar(series, &candle, &[]),
            Event::Tick { at } => self.advance(at),
            Event::Command { at, command } => {
                self.advance(at);
                self.observer.on_command(at, &command);
                self.command(command);
                self.flush();
            }
            Event::Breaker { at, breaker } => {
                self.advance(at);
                let halt = Halt::Breaker(breaker);
                if self.risk.halted().is_none() {
                    self.observer.on_halted(at, &halt);
                }
                self.risk.halt(halt);
            }
            Event::Book {
                at,
                instrument,
                depth,
            } => {
                self.advance(at);
                self.exchange
                    .on_book(instrument, &depth, at, &mut self.execs);
                self.flush();
            }
            Event::Trade {
                at,
                instrument,
                price,
            } => {
                self.advance(at);
                self.exchange
                    .on_trade(instrument, price, at, &mut self.execs);
                self.flush();
            }
            Event::Report { at, report } => {
                self.advance(at);
                self.exchange.on_report(report, &mut self.execs);
                self.flush();
            }
        }
    }

    /// A closed candle of a base series, with the finer candles inside it when the simulated
    /// exchange should match orders along those instead (`--detail`).
    #[inline]
    pub fn on_bar(&mut self, series: SeriesId, candle: &Candle, detail: &[Candle]) {
        self.match_bar(series, candle, detail);
        self.deliver_bar(series, candle);
    }

    /// One time step of several instruments, each candle with the finer candles inside it (or
    /// none): every instrument's orders are matched against its candle before any strategy sees a
    /// candle of the step, so a decision at the close knows every fill up to that close.
    pub fn on_step(&mut self, step: &[(SeriesId, &Candle, &[Candle])]) {
        for &(series, candle, detail) in step {
            self.match_bar(series, candle, detail);
        }
        for &(series, candle, _) in step {
            self.deliver_bar(series, candle);
        }
    }

    /// The first half of [`Engine::on_bar`]: the clock moves to the bar's close and the exchange
    /// matches the instrument's orders against the bar; fills reach the strategies, the candle
    /// does not yet. A feed with several instruments at one time step matches every instrument
    /// before delivering any candle, so a decision at a close sees every fill up to that close.
    #[inline]
    pub fn match_bar(&mut self, series: SeriesId, candle: &Candle, detail: &[Candle]) {
        let s = &self.series[series];
        let close = match s.length {
            Some(len) => candle.open_time + len,
            None => s.interval.next(candle.open_time),
        };
        let instrument = s.instrument;
        if self.timers.is_empty() {
            self.now = close;
        } else {
            self.advance(close);
        }
        self.exchange
            .on_bar(instrument, candle, detail, &mut self.execs);
        self.last_close[instrument] = candle.close;
        self.flush();
        if self.risk.watches_bars() {
            self.risk_bar(instrument, candle);
        }
    }

    /// The second half of [`Engine::on_bar`]: the closed candle reaches indicators, history and
    /// strategies, then the series resampled from it.
    #[inline]
    pub fn deliver_bar(&mut self, series: SeriesId, candle: &Candle) {
        self.deliver(series, candle);
        for k in 0..self.derived[series].len() {
            let d = self.derived[series][k];
            let mut bars = std::mem::take(&mut self.bars);
            if let Some(r) = self.series[d].resampler.as_mut() {
                r.push(candle, &mut bars);
            }
            for bar in bars.drain(..) {
                self.deliver(d, &bar.candle);
            }
            self.bars = bars;
        }
    }

    #[inline]
    fn deliver(&mut self, series: SeriesId, candle: &Candle) {
        for k in 0..self.series[series].indicators.len() {
            let i = self.series[series].indicators[k];
            self.indicators[i].update(candle);
            self.indicator_values[i] = self.indicators[i].value();
        }
        let keep = self.series[series].keep;
        if keep > 0 {
            let history = &mut self.histories[series];
            if history.len() >= keep {
                history.pop_front();
            }
            history.push_back(*candle);
        }
        for k in 0..self.series[series].subscribers.len() {
            let i = self.series[series].subscribers[k];
            if self.strategies[i].running {
                self.call(i, |s, ctx| s.on_candle(ctx, series, candle));
                self.flush();
            }
        }
    }

    /// Fires the timers due up to `t`, then sets the time to `t`.
    fn advance(&mut self, t: i64) {
        while let Some(&Reverse((at, strategy, id))) = self.timers.peek() {
            if at > t {
                break;
            }
            self.timers.pop();
            self.now = at;
            self.call(strategy, |s, ctx| s.on_timer(ctx, id));
            self.flush();
        }
        self.now = t;
    }

    fn call(&mut self, i: usize, f: impl FnOnce(&mut dyn Strategy, &mut Ctx<'_>)) {
        let Self {
            exchange,
            strategies,
            assets,
            histories,
            indicator_values,
            intents,
            next_id,
            now,
            ..
        } = self;
        let slot = &mut strategies[i];
        let before = slot.signals;
        let mut ctx = Ctx {
            now: *now,
            strategy: i,
            exchange: &*exchange,
            assets,
            histories,
            indicators: indicator_values,
            intents,
            next_id,
            signal: &mut slot.signal,
            signals: &mut slot.signals,
        };
        f(slot.strategy.as_mut(), &mut ctx);
        if slot.signals != before
            && let Some((at, text)) = slot.signal.as_ref()
        {
            self.observer.on_signal(i, *at, text);
        }
    }

    /// Executes intents and hands their results back until nothing is left to do. Called several
    /// times per bar and almost always with nothing to do: the check stays inline, the work
    /// (orders through risk and the exchange) stays out of line, or the per-bar code bloats.
    #[inline(always)]
    fn flush(&mut self) {
        if !self.intents.is_empty() || !self.execs.is_empty() {
            self.flush_all();
        }
    }

    #[inline(never)]
    fn flush_all(&mut self) {
        for _ in 0..MAX_ROUNDS {
            if self.intents.is_empty() && self.execs.is_empty() {
                return;
            }
            let spare = std::mem::take(&mut self.spare_intents);
            let mut intents = std::mem::replace(&mut self.intents, spare);
            for intent in intents.drain(..) {
                match intent {
                    Intent::Place(id, request) => self.place(id, request),
                    Intent::Cancel(id) => {
                        let _ = self.exchange.cancel(id, &mut self.execs);
                    }
                    Intent::Timer { at, id, strategy } => {
                        self.timers.push(Reverse((at, strategy, id)))
                    }
                }
            }
            self.spare_intents = intents;
            self.dispatch();
        }
        tracing::error!(
            "strategy callbacks kept placing orders for {MAX_ROUNDS} rounds in one event; stopped"
        );
        self.intents.clear();
    }

    fn place(&mut self, id: OrderId, request: OrderRequest) {
        self.risk_clear_way(&request);
        let mut approved = None;
        let result = self
            .risk
            .approve(id, request.clone(), &view!(self))
            .and_then(|a| {
                approved = Some(a.request().clone());
                self.exchange.submit(id, a, self.now, &mut self.execs)
            });
        match result {
            Ok(()) => {
                self.owners.push((id, request.origin));
                if let Some(request) = approved {
                    self.observer.on_accepted(&Order {
                        id,
                        request,
                        status: OrderStatus::New,
                        placed_at: self.now,
                        filled: rust_decimal::Decimal::ZERO,
                        triggered: false,
                    });
                }
            }
            Err(reject) => {
                // Risk may have approved it (the exchange refused): it must forget the id.
                self.risk_closed(id);
                self.observer.on_rejected(id, &request, &reject);
                if let Origin::Strategy(s) = request.origin {
                    self.call(s, |st, ctx| {
                        st.on_order_closed(ctx, id, OrderStatus::Rejected, Some(&reject))
                    });
                }
            }
        }
    }

    fn dispatch(&mut self) {
        let spare = std::mem::take(&mut self.spare_execs);
        let mut execs = std::mem::replace(&mut self.execs, spare);
        for event in execs.drain(..) {
            match event {
                ExecEvent::Fill(fill) => {
                    self.take_owner(fill.order);
                    self.observer.on_fill(&fill);
                    if let Origin::Strategy(s) = fill.origin {
                        self.call(s, |st, ctx| st.on_fill(ctx, &fill));
                    }
                    self.risk_fill(&fill);
                }
                ExecEvent::Closed {
                    order,
                    status,
                    reason,
                } => {
                    self.observer.on_closed(order, status, reason.as_ref());
                    self.risk_closed(order);
                    if let Some(Origin::Strategy(s)) = self.take_owner(order) {
                        self.call(s, |st, ctx| {
                            st.on_order_closed(ctx, order, status, reason.as_ref())
                        });
                    }
                }
            }
        }
        self.spare_execs = execs;
    }

    fn take_owner(&mut self, order: OrderId) -> Option<Origin> {
        let i = self.owners.iter().position(|(id, _)| *id == order)?;
        Some(self.owners.swap_remove(i).1)
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Place(request) => {
                self.next_id += 1;
                self.intents.push(Intent::Place(
                    self.next_id,
                    OrderRequest {
                        origin: Origin::Manual,
                        ..request
                    },
                ));
            }
            Command::Cancel(id) => self.intents.push(Intent::Cancel(id)),
            Command::CancelAll => self.cancel_where(|_| true),
            Command::Flatten(instrument) => {
                self.cancel_where(|o| o.request.instrument == instrument);
                self.flush();
                let held = self.exchange.account().free(self.assets[instrument].0);
                let qty = self.exchange.rules(instrument).round_qty(held);
                if qty > rust_decimal::Decimal::ZERO {
                    let id = self.bump_id();
                    self.intents
                        .push(Intent::Place(id, manual_sell(instrument, qty)));
                }
            }
            Command::Pause(i) | Command::Resume(i) => {
                if let Some(slot) = self.strategies.get_mut(i) {
                    slot.running = matches!(command, Command::Resume(_));
                }
            }
            Command::KillSwitch => {
                self.risk.halt(Halt::KillSwitch);
                self.cancel_where(|_| true);
            }
            Command::Release => self.risk.release(),
        }
    }

    fn bump_id(&mut self) -> OrderId {
        self.next_id += 1;
        self.next_id
    }

    fn cancel_where(&mut self, keep: impl Fn(&super::Order) -> bool) {
        let ids: Vec<OrderId> = self
            .exchange
            .open_orders()
            .iter()
            .filter(|o| keep(o))
            .map(|o| o.id)
            .collect();
        self.intents.extend(ids.into_iter().map(Intent::Cancel));
    }
}

fn manual_sell(instrument: usize, qty: rust_decimal::Decimal) -> OrderRequest {
    OrderRequest {
        instrument,
        side: Side::Sell,
        kind: OrderKind::Market,
        qty: Qty::Base(qty),
        oco: None,
        origin: Origin::Manual,
    }
}
