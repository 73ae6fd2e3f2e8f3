//! Protections: rules that watch results rather than single orders (freqtrade's protections are
//! the reference point). The daily loss limit and the maximum drawdown from the equity peak halt
//! new entries (and sell every position when configured); a cooldown refuses a strategy's new
//! entries for a while after N losing stop-loss exits within a window (per symbol or for all); a
//! symbol is locked for a while after a streak of losing round trips in it. A person's own orders
//! are not held back by cooldowns and locks (halts stop them as they stop everyone's entries).
//!
//! Invariant: deterministic — time comes only from the engine (`View::now`, fill times) and
//! equity only from the `View`, so a backtest and a paper session over the same candles refuse
//! and halt identically; with no loss limit configured `active()` is false and nothing here runs
//! per bar.

mod entries;
mod equity;

pub use entries::{COOLDOWN, Cooldown, LOCKED, Lock};
pub use equity::LossLimit;

use super::{Closed, Ledger, RiskAction, View};
use crate::core::{Fill, OrderRequest, Origin, Reject, Side};
use crate::market::Candle;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a breached loss limit does besides halting new entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnLossLimit {
    /// Halt new entries; positions stay as they are.
    #[default]
    Halt,
    /// Halt new entries and sell every position at market.
    Flatten,
}

/// The protections in force (none by default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProtectionConfig {
    /// Halt when equity falls this many percent below its value at the UTC day's start.
    pub daily_loss_pct: Option<Decimal>,
    /// Halt when equity falls this many percent below its peak.
    pub max_drawdown_pct: Option<Decimal>,
    pub on_loss_limit: OnLossLimit,
    pub cooldown: Option<Cooldown>,
    pub lock: Option<Lock>,
}

/// An amount or a percentage for people: rounded to two decimals, always showing both.
fn two(d: Decimal) -> String {
    format!("{:.2}", d.round_dp(2))
}

#[derive(Debug, Default)]
pub struct Protections {
    config: ProtectionConfig,
    equity: equity::EquityGuard,
    entries: entries::EntryGuard,
}

impl Protections {
    pub fn new(config: ProtectionConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Whether any protection is configured (the engine skips the per-bar hook otherwise).
    pub fn active(&self) -> bool {
        self.config.daily_loss_pct.is_some() || self.config.max_drawdown_pct.is_some()
    }

    /// Refuses a strategy's order that adds exposure while a cooldown or a lock forbids it.
    pub fn check(&self, r: &OrderRequest, view: &View<'_>) -> Result<(), Reject> {
        if r.side == Side::Sell || r.origin == Origin::Manual {
            return Ok(());
        }
        self.entries.check(r.instrument, view.now)
    }

    pub fn on_fill(
        &mut self,
        _fill: &Fill,
        closed: Option<&Closed>,
        _ledger: &Ledger,
        view: &View<'_>,
        _out: &mut Vec<RiskAction>,
    ) {
        if let Some(c) = closed {
            self.entries.on_closed(c, &self.config, view);
        }
    }

    pub fn on_bar(
        &mut self,
        _instrument: usize,
        _candle: &Candle,
        view: &View<'_>,
        out: &mut Vec<RiskAction>,
    ) {
        if self.active() {
            self.equity.on_bar(&self.config, view, out);
        }
    }

    /// A person released the halt: loss limits measure afresh from the next candle's equity.
    pub fn on_release(&mut self) {
        self.equity.release();
    }
}

#[cfg(test)]
mod tests;
