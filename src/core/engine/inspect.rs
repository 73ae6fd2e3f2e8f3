//! What the engine shows of itself: marked equity, the parts it was built from, the state a view
//! or a report reads.

use super::{Engine, EngineObserver, Instrument, Signal};
use crate::core::OrderId;
use crate::exchange::Exchange;

impl<X: Exchange, O: EngineObserver> Engine<X, O> {
    /// Account value in the quote currency, every base asset marked at its last close.
    pub fn mark(&self) -> f64 {
        let account = self.exchange.account();
        let mut equity = account.total_f64(self.quote);
        for &(base, instrument) in &self.marks {
            let held = account.total_f64(base);
            if held != 0.0 {
                equity += held * self.last_close[instrument];
            }
        }
        equity
    }

    /// `mark()` and whether any base asset is held, in one pass (for per-bar bookkeeping).
    pub fn mark_and_holding(&self) -> (f64, bool) {
        let account = self.exchange.account();
        let (mut equity, mut holding) = (account.total_f64(self.quote), false);
        for &(base, instrument) in &self.marks {
            let held = account.total_f64(base);
            if held != 0.0 {
                equity += held * self.last_close[instrument];
                holding = true;
            }
        }
        (equity, holding)
    }

    /// Whether any base asset is held.
    pub fn holding(&self) -> bool {
        let account = self.exchange.account();
        self.marks
            .iter()
            .any(|&(base, _)| account.total_f64(base) != 0.0)
    }

    /// The last close seen of an instrument (NaN before its first candle).
    pub fn last_close(&self, instrument: usize) -> f64 {
        self.last_close.get(instrument).copied().unwrap_or(f64::NAN)
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn exchange(&self) -> &X {
        &self.exchange
    }

    /// The adapter, for what the live edge hands it outside events (its queued requests, a
    /// warm-up switch). Orders still go through `handle`.
    pub fn exchange_mut(&mut self) -> &mut X {
        &mut self.exchange
    }

    /// Order ids up to `last` are taken (a resumed session's journal holds them): the next
    /// order gets a higher one.
    pub fn skip_ids(&mut self, last: OrderId) {
        self.next_id = self.next_id.max(last);
    }

    pub fn observer(&self) -> &O {
        &self.observer
    }

    pub fn observer_mut(&mut self) -> &mut O {
        &mut self.observer
    }

    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    /// Halts trading as a restarted session was (the journal's standing state).
    pub fn restore_halt(&mut self, halt: crate::risk::Halt) {
        self.risk.halt(halt);
    }

    /// Pauses or resumes strategy `i` as a restarted session had it.
    pub fn restore_running(&mut self, i: usize, running: bool) {
        if let Some(s) = self.strategies.get_mut(i) {
            s.running = running;
        }
    }

    pub fn is_halted(&self) -> bool {
        self.risk.halted().is_some()
    }

    /// The risk layer: its halt, refusal counts and configuration.
    pub fn risk(&self) -> &crate::risk::Risk {
        &self.risk
    }

    /// Replaces the risk layer's configuration (before the run starts).
    pub fn set_risk(&mut self, config: crate::risk::RiskConfig) {
        self.risk = crate::risk::Risk::new(config);
    }

    /// Whether each strategy runs (not paused), in order.
    pub fn running(&self) -> impl Iterator<Item = bool> + '_ {
        self.strategies.iter().map(|s| s.running)
    }

    /// Each strategy: running or paused, and its last signal.
    pub fn strategy_states(&self) -> Vec<(bool, Option<&Signal>)> {
        self.strategies
            .iter()
            .map(|s| (s.running, s.signal.as_ref()))
            .collect()
    }

    pub fn into_parts(self) -> (X, O) {
        (self.exchange, self.observer)
    }
}
