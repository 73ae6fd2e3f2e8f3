//! Protections that refuse a strategy's new entries for a while after bad results: a cooldown
//! after N losing stop-loss exits within a window (in one symbol, or in any), and a symbol lock
//! after a streak of N losing round trips in that symbol. Both are fed by closed round trips
//! (`Closed`, whose `by_stop` says a protective stop ended it) and timed by their fill times.
//!
//! Invariant: a refusal is given only while `now` is before the end the protection announced, and
//! says why with the numbers; a lock resets its streak, so a symbol must lose N more in a row to
//! be locked again.

use super::{ProtectionConfig, two};
use crate::core::Reject;
use crate::market::time::{DAY_MS, HOUR_MS, MINUTE_MS, Utc};
use crate::risk::{Closed, View};
use rust_decimal::Decimal;
use std::collections::VecDeque;

/// Refusal code while a cooldown after stop-losses runs.
pub const COOLDOWN: &str = "RISK_COOLDOWN";
/// Refusal code while a symbol is locked after a loss streak.
pub const LOCKED: &str = "RISK_LOCKED";

/// No new entries for `duration_ms` once `stops` losing stop-loss exits happened within
/// `window_ms` (counted per symbol, or across all symbols).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cooldown {
    pub stops: u32,
    pub window_ms: i64,
    pub duration_ms: i64,
    pub per_symbol: bool,
}

/// A symbol takes no new entries for `duration_ms` after `losses` losing round trips in a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lock {
    pub losses: u32,
    pub duration_ms: i64,
}

/// Entries refused until `until`, because of `why`.
#[derive(Debug, Clone)]
struct Ban {
    until: i64,
    why: String,
}

#[derive(Debug, Default)]
pub(super) struct EntryGuard {
    /// Losing stop-loss exits (time, instrument) within the longest window still relevant.
    stops: VecDeque<(i64, usize)>,
    /// The cooldown across all symbols.
    global: Option<Ban>,
    /// Cooldowns per instrument.
    cooling: Vec<Option<Ban>>,
    /// Losing round trips in a row, per instrument.
    streaks: Vec<u32>,
    locks: Vec<Option<Ban>>,
}

/// A duration for people: `90 min`, `6 h`, `2 d`.
pub(super) fn span(ms: i64) -> String {
    match ms {
        _ if ms % DAY_MS == 0 => format!("{} d", ms / DAY_MS),
        _ if ms % HOUR_MS == 0 => format!("{} h", ms / HOUR_MS),
        _ => format!("{} min", ms / MINUTE_MS),
    }
}

fn symbol(view: &View<'_>, instrument: usize) -> String {
    let r = view.exchange.rules(instrument);
    format!("{}{}", r.base, r.quote)
}

fn slot<T: Default + Clone>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize(i + 1, T::default());
    }
    &mut v[i]
}

fn active(ban: Option<&Ban>, now: i64) -> Option<&Ban> {
    ban.filter(|b| now < b.until)
}

impl EntryGuard {
    pub(super) fn check(&self, instrument: usize, now: i64) -> Result<(), Reject> {
        let per_symbol = self.cooling.get(instrument).and_then(Option::as_ref);
        if let Some(b) = active(self.global.as_ref(), now).or(active(per_symbol, now)) {
            return Err(Reject::new(COOLDOWN, b.why.clone()));
        }
        let lock = self.locks.get(instrument).and_then(Option::as_ref);
        if let Some(b) = active(lock, now) {
            return Err(Reject::new(LOCKED, b.why.clone()));
        }
        Ok(())
    }

    pub(super) fn on_closed(&mut self, c: &Closed, cfg: &ProtectionConfig, view: &View<'_>) {
        if let Some(cooldown) = cfg.cooldown
            && c.by_stop
            && c.pnl < Decimal::ZERO
        {
            self.stopped(c, cooldown, view);
        }
        if let Some(lock) = cfg.lock {
            self.streak(c, lock, view);
        }
    }

    fn stopped(&mut self, c: &Closed, cfg: Cooldown, view: &View<'_>) {
        self.stops.push_back((c.at, c.instrument));
        let since = c.at - cfg.window_ms;
        while self.stops.front().is_some_and(|&(t, _)| t <= since) {
            self.stops.pop_front();
        }
        let counted = self
            .stops
            .iter()
            .filter(|&&(_, i)| !cfg.per_symbol || i == c.instrument)
            .count();
        if counted < usize::try_from(cfg.stops).unwrap_or(usize::MAX) {
            return;
        }
        let until = c.at + cfg.duration_ms;
        let inside = if cfg.per_symbol {
            format!(" in {}", symbol(view, c.instrument))
        } else {
            String::new()
        };
        let why = format!(
            "{counted} losing stop-loss exits{inside} within {} (risk.cooldown_stops is {}): \
             no new entries{inside} until {} UTC",
            span(cfg.window_ms),
            cfg.stops,
            Utc(until)
        );
        let ban = Some(Ban { until, why });
        if cfg.per_symbol {
            *slot(&mut self.cooling, c.instrument) = ban;
        } else {
            self.global = ban;
        }
    }

    fn streak(&mut self, c: &Closed, cfg: Lock, view: &View<'_>) {
        let streak = slot(&mut self.streaks, c.instrument);
        if c.pnl > Decimal::ZERO {
            *streak = 0;
            return;
        }
        *streak += 1;
        if *streak < cfg.losses {
            return;
        }
        *streak = 0;
        let until = c.at + cfg.duration_ms;
        let quote = &view.exchange.rules(c.instrument).quote;
        let why = format!(
            "{} lost {} round trips in a row, the last {} {quote} (risk.lock_after_losses is \
             {}): locked until {} UTC",
            symbol(view, c.instrument),
            cfg.losses,
            two(c.pnl),
            cfg.losses,
            Utc(until)
        );
        *slot(&mut self.locks, c.instrument) = Some(Ban { until, why });
    }
}
