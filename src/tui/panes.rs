//! The panes: one drawing function each, all pure. `draw` picks the pane's function and frames
//! it in a titled block, highlighted when focused.

mod account;
mod backtests;
mod log;
mod market;

use super::layout::Pane;
use super::state::Ui;
use super::view::Look;
use crate::replica::Replica;
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn title(p: Pane) -> &'static str {
    match p {
        Pane::Chart => "Chart",
        Pane::Book => "Order book",
        Pane::Positions => "Positions",
        Pane::Orders => "Open orders",
        Pane::Fills => "Fills",
        Pane::Strategies => "Strategies",
        Pane::Backtests => "Backtests",
        Pane::Log => "Log & alerts",
    }
}

pub fn draw(
    f: &mut Frame<'_>,
    pane: Pane,
    r: &Replica,
    ui: &Ui,
    look: &Look<'_>,
    area: Rect,
    focused: bool,
) {
    match pane {
        Pane::Chart => market::chart(f, r, ui, look.theme, area, focused),
        Pane::Book => market::book(f, r, ui, look.theme, area, focused),
        Pane::Positions => account::positions(f, r, ui, look.theme, area, focused),
        Pane::Orders => account::orders(f, r, ui, look.theme, area, focused),
        Pane::Fills => account::fills(f, r, ui, look.theme, area, focused),
        Pane::Strategies => account::strategies(f, r, ui, look.theme, area, focused),
        Pane::Backtests => backtests::draw(f, ui, look.theme, area, focused),
        Pane::Log => log::draw(f, r, ui, look, area, focused),
    }
}

#[cfg(test)]
mod tests;
