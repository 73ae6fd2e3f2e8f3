//! Protections (to be filled in): the daily loss limit and the maximum drawdown from the equity
//! peak (halt new entries, optionally flatten), cooldowns after stop-losses, symbol locks after
//! loss streaks. Fed by the engine through `Risk`; deterministic.

use super::{Closed, Ledger, RiskAction, View};
use crate::core::{Fill, OrderRequest, Reject};
use crate::market::Candle;

#[derive(Debug, Default)]
pub struct Protections {}

impl Protections {
    /// Whether any protection is configured (the engine skips the per-bar hook otherwise).
    pub fn active(&self) -> bool {
        false
    }

    /// Refuses an order that adds exposure while a protection forbids it.
    pub fn check(&self, _r: &OrderRequest, _view: &View<'_>) -> Result<(), Reject> {
        Ok(())
    }

    pub fn on_fill(
        &mut self,
        _fill: &Fill,
        _closed: Option<&Closed>,
        _ledger: &Ledger,
        _view: &View<'_>,
        _out: &mut Vec<RiskAction>,
    ) {
    }

    pub fn on_bar(
        &mut self,
        _instrument: usize,
        _candle: &Candle,
        _view: &View<'_>,
        _out: &mut Vec<RiskAction>,
    ) {
    }
}
