//! Paper trading on replayed candles: the backtester's engine, strategies and simulated exchange,
//! driven continuously instead of as fast as possible. `Paper` owns the engine and steps it one
//! time step (every market's candle at one open time) at a time; `drive` paces those steps by the
//! wall clock at the chosen speed, builds the forming candle along each candle's path, applies the
//! person's commands between steps, and sends `Update`s to whoever keeps a replica (the UI).
//! With a journal, each step's accepted orders, order state changes and fills are written to it
//! (one transaction, under this session's id) before the step's updates leave.

mod book;
mod desk;
mod drive;
mod setup;
mod standing;
mod views;

pub use book::simulate as simulated_book;
pub use desk::{Desk, Lot};
pub use drive::{Control, drive, send as send_to};
pub use setup::{PaperError, PaperSetup, Trading};
pub use views::describe as describe_command;

use crate::core::{Command, Engine, Event, Instrument};
use crate::exchange::{Exchange, Outgoing, SimExchange, Venue};
use crate::journal::{Entry, Journal, Override};
use crate::market::Candle;
use crate::replica::{AlertLevel, Mode, Speed, Update};
use crate::risk::Breaker;
use crate::strategy::Strategy;
use rust_decimal::prelude::ToPrimitive;
use standing::Standing;

/// What a step or a command hands the replica before the caller sends it.
#[derive(Debug, Default)]
pub struct Outbox {
    pub updates: Vec<Update>,
    /// The account, orders, strategies or status may have moved: snapshots are due.
    pub changed: bool,
}

pub struct Paper {
    engine: Engine<Venue, Desk>,
    mode: Mode,
    /// A live feed's health, as its edge reports it (a replay's comes from its cursor).
    feed: Option<crate::replica::FeedHealth>,
    candles: Vec<Vec<Candle>>,
    cursor: Vec<usize>,
    interval: crate::market::Interval,
    interval_ms: i64,
    book_levels: usize,
    quote: String,
    params: Vec<Vec<(String, String)>>,
    speed: Speed,
    paused: bool,
    initial: f64,
    day: i64,
    day_open: f64,
    journal: Option<Journal>,
    /// The journal's session of this paper run (its orders and fills), when journaling.
    session: Option<i64>,
    /// The standing state last journaled (`standing`).
    standing: Standing,
    /// What a carried-on session's risk layer resumes from, until `rearm` takes it.
    carried: Carried,
}

/// A carried-on session's fills as the core saw them (`None` when not carried on; why not, when
/// the journal could not be read), and the highest one-cancels-other group it used.
#[derive(Debug, Default)]
struct Carried {
    fills: Option<Result<Vec<crate::core::Fill>, String>>,
    last_group: u64,
}

/// A strategy with the name the desk, the journal and `[risk.strategies.NAME]` know it by.
pub type Named = (String, Box<dyn Strategy>);

impl Paper {
    pub fn new(setup: PaperSetup) -> Result<Self, PaperError> {
        let mut built = Vec::new();
        let mut params = Vec::new();
        for (name, settings) in &setup.strategies {
            let (strategy, p) = crate::strategy::build(name, settings)?;
            params.push(
                p.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
            built.push((name.clone(), strategy));
        }
        Self::assemble(setup, built, params)
    }

    /// A session trading strategies the caller built (one not registered, or a test's) instead
    /// of `setup.strategies`.
    pub fn with_strategies(setup: PaperSetup, strategies: Vec<Named>) -> Result<Self, PaperError> {
        let params = vec![Vec::new(); strategies.len()];
        Self::assemble(setup, strategies, params)
    }

    fn assemble(
        setup: PaperSetup,
        built: Vec<Named>,
        params: Vec<Vec<(String, String)>>,
    ) -> Result<Self, PaperError> {
        let names: Vec<String> = setup.symbols.iter().map(ToString::to_string).collect();
        let sim = SimExchange::for_symbols(setup.sim.clone(), &names, setup.filters, setup.cash);
        let quote = sim.quote().to_string();
        let mut exchange = match setup.trading.live {
            Some(live) => Venue::live(live),
            None => Venue::sim(sim),
        };
        if setup.trading.mode == Mode::PaperLive
            && let Some(sim) = exchange.sim_mut()
        {
            sim.set_live_book(true);
        }
        let live_data = setup.trading.mode != Mode::PaperReplay;
        exchange.set_warming(live_data);
        let strategy_names: Vec<String> = built.iter().map(|b| b.0.clone()).collect();
        let mut desk = Desk::new(names.clone(), strategy_names.clone());
        desk.fee_asset = quote.clone();
        desk.mode = setup.trading.mode;
        let instruments = names
            .iter()
            .map(|s| Instrument { symbol: s.clone() })
            .collect();
        let mut engine = Engine::new(exchange, desk, instruments, setup.interval);
        // The same rules as a backtest: the [risk] section, at the simulated taker fee.
        let by_index: Vec<&str> = strategy_names.iter().map(String::as_str).collect();
        engine.set_risk(setup.risk.to_config(&by_index, setup.sim.taker_fee));
        for (_, strategy) in built {
            engine.add_strategy(strategy)?;
        }
        engine.start();
        engine.skip_ids(setup.trading.first_id);
        let mut carried = Carried {
            fills: None,
            last_group: setup.trading.last_group,
        };
        if let (Some(session), Some(j)) = (setup.trading.session, setup.journal.as_ref()) {
            match j.fills(session) {
                Ok(rows) => {
                    let open = engine.exchange().open_orders().to_vec();
                    let desk = engine.observer_mut();
                    desk.resume(&rows, &open);
                    carried.fills = Some(Ok(rows
                        .iter()
                        .filter_map(|r| r.to_fill(&desk.symbols, &desk.strategy_names))
                        .collect()));
                }
                Err(e) => {
                    tracing::error!("journal: the session's fills cannot be read: {e}");
                    carried.fills = Some(Err(e.to_string()));
                }
            }
        }
        let initial = match setup.trading.mode {
            Mode::Live => engine.mark(),
            _ => setup.cash.to_f64().unwrap_or(0.0),
        };
        let mut journal = setup.journal;
        let session = match (setup.trading.session, journal.as_mut()) {
            (Some(id), Some(_)) => Some(Ok(id)),
            (_, j) => j.map(|j| j.begin_session(setup.trading.mode.label())),
        };
        let session = match session {
            Some(Ok(id)) => Some(id),
            Some(Err(e)) => {
                tracing::error!("orders and fills will not be journaled: {e}");
                None
            }
            None => None,
        };
        let mut paper = Self {
            engine,
            cursor: vec![0; setup.candles.len()],
            candles: setup.candles,
            interval: setup.interval,
            interval_ms: setup.interval.approx_ms(),
            book_levels: setup.book_levels,
            quote,
            params,
            speed: setup.speed,
            paused: false,
            initial,
            day: i64::MIN,
            day_open: initial,
            journal,
            session,
            mode: setup.trading.mode,
            feed: None,
            standing: Standing::default(),
            carried,
        };
        if setup.trading.session.is_some() {
            paper.restore_standing();
        }
        paper.standing = paper.standing_now();
        paper.warm_up(setup.warmup);
        paper.engine.exchange_mut().set_warming(false);
        if live_data {
            // Orders refused while warming up are not news, and not the journal's business.
            paper.engine.observer_mut().journal.clear();
        }
        if paper.journal.is_some() && paper.session.is_none() {
            let text = "journal: this session's orders and fills are not recorded (see the log)";
            paper.engine.observer_mut().alert(AlertLevel::Error, text);
        }
        Ok(paper)
    }

    /// Replays `steps` unpaced; what they filled and alerted is history, not news, except a halt
    /// still in force: the session opens saying so.
    fn warm_up(&mut self, steps: usize) {
        for _ in 0..steps {
            if !self.advance(&mut Outbox::default()) {
                break;
            }
        }
        self.persist();
        let desk = self.engine.observer_mut();
        desk.fills.clear();
        desk.alerts.clear();
        if let Some(halt) = self.engine.risk().halted() {
            let text = format!("HALTED: {}", halt.reason());
            self.engine.observer_mut().alert(AlertLevel::Error, text);
        }
    }

    /// The open time of the next step, if any candles are left.
    pub fn next_open(&self) -> Option<i64> {
        self.cursor
            .iter()
            .zip(&self.candles)
            .filter_map(|(&i, c)| c.get(i).map(|c| c.open_time))
            .min()
    }

    /// The candles of the next step, by market.
    pub fn upcoming(&self) -> Vec<(usize, Candle)> {
        let Some(t) = self.next_open() else {
            return Vec::new();
        };
        (0..self.candles.len())
            .filter_map(|m| {
                let c = self.candles[m].get(self.cursor[m])?;
                (c.open_time == t).then_some((m, *c))
            })
            .collect()
    }

    /// Processes one time step: matches every market's orders against its candle, then hands
    /// the candles to the strategies (as the backtester's feed does). False at the end of data.
    pub fn step(&mut self, out: &mut Outbox) -> bool {
        if !self.advance(out) {
            return false;
        }
        self.drain(out);
        true
    }

    /// One time step, without journaling or publishing what it did (the warm-up journals its
    /// steps in one transaction).
    fn advance(&mut self, out: &mut Outbox) -> bool {
        let step = self.upcoming();
        if step.is_empty() {
            return false;
        }
        self.engine.observer_mut().now = step[0].1.open_time + self.interval_ms;
        let bars: Vec<(usize, &Candle, &[Candle])> =
            step.iter().map(|(m, c)| (*m, c, &[][..])).collect();
        self.engine.on_step(&bars);
        for (m, c) in &step {
            self.cursor[*m] += 1;
            out.updates.push(Update::Candle {
                market: *m,
                candle: *c,
            });
        }
        self.roll_day();
        out.changed = true;
        true
    }

    fn roll_day(&mut self) {
        let day = self.engine.now().div_euclid(crate::market::time::DAY_MS);
        if day != self.day {
            self.day = day;
            self.day_open = self.engine.mark();
        }
    }

    /// Journals what the desk saw, then moves its news into the outbox: nothing reaches the UI
    /// before it is in the journal.
    fn drain(&mut self, out: &mut Outbox) {
        self.persist();
        self.send_news(out);
    }

    /// Writes the desk's orders, order events, fills and refusals, and any change of the standing
    /// state, to the journal in one transaction.
    fn persist(&mut self) {
        let mut entries = std::mem::take(&mut self.engine.observer_mut().journal);
        if self.session.is_some() {
            entries.extend(self.standing_entries());
        }
        if let (Some(journal), Some(session)) = (self.journal.as_mut(), self.session)
            && let Err(e) = journal.write(session, &entries)
        {
            tracing::error!("could not journal {} orders and fills: {e}", entries.len());
            self.engine
                .observer_mut()
                .alert(AlertLevel::Error, format!("journal: {e}"));
        }
    }

    /// Moves the desk's new fills and alerts into the outbox.
    fn send_news(&mut self, out: &mut Outbox) {
        let desk = self.engine.observer_mut();
        out.updates.extend(desk.fills.drain(..).map(Update::Fill));
        out.updates.extend(desk.alerts.drain(..).map(Update::Alert));
    }

    /// A person's command, through the engine's command path and its checks; recorded in the
    /// journal with its outcome.
    pub fn command(&mut self, command: Command, out: &mut Outbox) {
        let text = views::describe(&command, &self.engine.observer().symbols);
        let now = self.engine.now();
        self.engine.observer_mut().now = now;
        self.engine.observer_mut().refusals.clear();
        self.engine.handle(Event::Command {
            at: now,
            command: command.clone(),
        });
        let refusals = std::mem::take(&mut self.engine.observer_mut().refusals);
        let outcome = if refusals.is_empty() {
            "accepted".to_string()
        } else {
            format!("refused: {}", refusals.join("; "))
        };
        let level = if refusals.is_empty() {
            AlertLevel::Info
        } else {
            AlertLevel::Warn
        };
        self.engine
            .observer_mut()
            .alert(level, format!("{text}: {outcome}"));
        tracing::info!(target: crate::logging::TRADE_TARGET, "override (paper): {text}: {outcome}");
        self.record(&text, &outcome);
        self.drain(out);
        out.changed = true;
    }

    /// A live edge found trading unsafe: the risk layer halts new entries, and the desk alerts
    /// with the breaker's reason, until a person releases it (`Command::Release`).
    pub fn breaker(&mut self, breaker: Breaker, out: &mut Outbox) {
        let at = self.engine.now();
        self.engine.observer_mut().now = at;
        self.engine.handle(Event::Breaker { at, breaker });
        self.drain(out);
        out.changed = true;
    }

    fn record(&mut self, text: &str, outcome: &str) {
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        let entry = Override {
            wall_ms: crate::clock::system_now_ms(),
            market_ms: self.engine.now(),
            mode: self.mode.label().into(),
            command: text.into(),
            outcome: outcome.into(),
        };
        if let Err(e) = journal.record_override(&entry) {
            tracing::error!("could not journal the override `{text}`: {e}");
            self.engine
                .observer_mut()
                .alert(AlertLevel::Error, format!("journal: {e}"));
        }
    }

    pub fn speed(&self) -> Speed {
        self.speed
    }

    pub fn set_speed(&mut self, speed: Speed) {
        self.speed = speed;
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    pub fn engine(&self) -> &Engine<Venue, Desk> {
        &self.engine
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The live feed's health, as its edge saw it.
    pub fn set_feed(&mut self, health: crate::replica::FeedHealth, out: &mut Outbox) {
        if self.feed.as_ref() != Some(&health) {
            self.feed = Some(health);
            out.changed = true;
        }
    }

    /// A closed candle of a live feed, for market `market`: the same step as a replayed one.
    pub fn closed_candle(&mut self, market: usize, candle: Candle, out: &mut Outbox) {
        self.candles[market].push(candle);
        self.engine.observer_mut().now = candle.open_time + self.interval_ms;
        self.engine.on_step(&[(market, &candle, &[][..])]);
        self.cursor[market] = self.candles[market].len();
        self.trim(market);
        out.updates.push(Update::Candle { market, candle });
        self.roll_day();
        self.drain(out);
        out.changed = true;
    }

    /// Keeps a live session's candle memory bounded (the replica keeps as many).
    fn trim(&mut self, market: usize) {
        let keep = crate::replica::MAX_CANDLES;
        let c = &mut self.candles[market];
        if c.len() > keep + keep / 4 {
            let cut = c.len() - keep;
            c.drain(..cut);
            self.cursor[market] = c.len();
        }
    }

    /// Any other event from a live edge (a book, a trade, an exchange's report, a tick),
    /// journaled before its news leaves.
    pub fn live_event(&mut self, event: Event, out: &mut Outbox) {
        self.live_step(event, None, out);
    }

    fn live_step(&mut self, event: Event, note: Option<Entry>, out: &mut Outbox) {
        self.engine.observer_mut().now = match &event {
            Event::Book { at, .. }
            | Event::Trade { at, .. }
            | Event::Report { at, .. }
            | Event::Tick { at } => *at,
            _ => self.engine.now(),
        };
        let changes = !matches!(event, Event::Trade { .. } | Event::Tick { .. })
            || !self.engine.exchange().open_orders().is_empty();
        self.engine.handle(event);
        self.engine.observer_mut().journal.extend(note);
        self.drain(out);
        out.changed |= changes;
    }

    /// As `live_event`, with an entry of the edge's own (a fill's trade id) journaled in the
    /// same transaction as what the event did.
    pub fn live_event_noting(&mut self, event: Event, note: Entry, out: &mut Outbox) {
        self.live_step(event, Some(note), out);
    }

    /// After a restart of a live session (its open orders restored and checked): the risk layer
    /// rebuilds its positions from the journaled fills, takes over the exits still resting on
    /// the exchange and places again those that should rest but do not. Journaled like any step;
    /// the live loop sends what it placed.
    pub fn rearm(&mut self, out: &mut Outbox) {
        let fills = match self.carried.fills.take() {
            None => return,
            Some(Ok(fills)) => fills,
            Some(Err(e)) => {
                let text = format!("exits cannot be re-placed: the journal cannot be read: {e}");
                return self.note(AlertLevel::Error, text, out);
            }
        };
        self.engine.observer_mut().now = self.engine.now();
        let last_group = self.carried.last_group;
        self.engine.resume_risk(&fills, &self.candles, last_group);
        self.drain(out);
        out.changed = true;
    }

    /// Whether the session journaled Binance's trade `trade_id` of `symbol` already.
    pub fn has_trade(&self, symbol: &str, trade_id: u64) -> bool {
        match (&self.journal, self.session) {
            (Some(j), Some(s)) => j.has_trade(s, symbol, trade_id).unwrap_or_else(|e| {
                tracing::error!("journal: {e}");
                false
            }),
            _ => false,
        }
    }

    /// The exchange's holding of `asset` is taken as the truth: the journal's baseline moves by
    /// `delta`, so the next restart expects it.
    pub fn adopt(
        &mut self,
        asset: &str,
        delta: rust_decimal::Decimal,
    ) -> Result<(), crate::journal::JournalError> {
        match (self.journal.as_mut(), self.session) {
            (Some(j), Some(s)) => j.adjust_baseline(s, asset, delta),
            _ => Ok(()),
        }
    }

    /// Tells the person something (the alerts pane and the log).
    pub fn note(&mut self, level: AlertLevel, text: impl Into<String>, out: &mut Outbox) {
        self.engine.observer_mut().alert(level, text);
        self.send_news(out);
    }

    /// Whether cancels sent to the real exchange await its confirmation (a live shutdown waits).
    pub fn cancels_pending(&self) -> bool {
        self.engine.exchange().cancels_pending()
    }

    /// The requests for the real exchange that the last events made; by the time they are
    /// taken, what made them is in the journal.
    pub fn take_outgoing(&mut self) -> Vec<Outgoing> {
        self.engine.exchange_mut().take_outgoing()
    }

    /// The journal entries the desk holds but has not written (a live edge adds its own to the
    /// step's transaction).
    pub fn journal_mut(&mut self) -> Option<(&mut Journal, i64)> {
        Some((self.journal.as_mut()?, self.session?))
    }

    /// The journal and this session's id in it, when the session is journaled.
    pub fn journal(&self) -> Option<(&Journal, i64)> {
        Some((self.journal.as_ref()?, self.session?))
    }
}

#[cfg(test)]
mod tests;
