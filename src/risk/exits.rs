//! Exits (to be filled in): per-position stop-loss, take-profit and trailing stop (percent or
//! ATR) placed as exchange orders after an entry fill (an OCO pair of stop and target), moved by
//! tickdesk when trailing, and cancelled before the position is sold another way.

use super::{Closed, RiskAction, RiskConfig, View};
use crate::core::{Fill, OrderId, OrderRequest};
use crate::market::Candle;

#[derive(Debug, Default)]
pub struct Exits {}

impl Exits {
    /// Whether any exit is configured (the engine skips the per-bar hook otherwise).
    pub fn active(&self) -> bool {
        false
    }

    /// Orders to cancel before `r` is placed (a position's exits hold its base asset locked).
    pub fn before_place(&mut self, _r: &OrderRequest) -> Vec<OrderId> {
        Vec::new()
    }

    pub fn on_fill(
        &mut self,
        _fill: &Fill,
        _closed: Option<&Closed>,
        _config: &RiskConfig,
        _view: &View<'_>,
        _out: &mut Vec<RiskAction>,
    ) {
    }

    pub fn on_closed(&mut self, _order: OrderId) {}

    pub fn on_bar(
        &mut self,
        _instrument: usize,
        _candle: &Candle,
        _config: &RiskConfig,
        _view: &View<'_>,
        _out: &mut Vec<RiskAction>,
    ) {
    }
}
