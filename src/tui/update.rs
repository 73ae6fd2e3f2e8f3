//! `update`: an action (or a typed character) changes the view's state and may produce requests
//! for the trading core or the backtest worker. Overrides that trade or halt go through a
//! confirmation first; everything reaches the core as a `core::Command`, through its checks.

use super::forms::{BacktestForm, CommandLine, Ticket};
use super::keymap::Action;
use super::layout::Pane;
use super::state::{Dialog, Request, TIMEFRAMES, Ui, step_row};
use crate::backtest::Spec;
use crate::core::{Command, Side};
use crate::paper::Control;
use crate::replica::{AlertLevel, Replica, Speed};

/// Rows a page key moves.
const PAGE: usize = 10;

fn control(c: Command) -> Request {
    Request::Control(Control::Command(c))
}

/// Applies an action; returns what the rest of the process must do.
pub fn update(ui: &mut Ui, r: &Replica, base: &Spec, action: Action) -> Vec<Request> {
    if ui.dialog.is_some() {
        return dialog(ui, r, base, action);
    }
    match action {
        Action::Quit => ui.ask("Quit tickdesk? Paper trading stops.", Request::Quit),
        Action::Help => ui.dialog = Some(Dialog::Help(Default::default())),
        Action::CommandLine => ui.dialog = Some(Dialog::CommandLine(CommandLine::default())),
        Action::NextPane | Action::NextTab => ui.focus = (ui.focus + 1) % ui.panes.len().max(1),
        Action::PrevPane | Action::PrevTab => {
            ui.focus = (ui.focus + ui.panes.len().max(1) - 1) % ui.panes.len().max(1)
        }
        Action::ZoomPane => ui.zoomed = !ui.zoomed,
        Action::Pause => return vec![Request::Control(Control::TogglePause)],
        Action::SpeedUp => return vec![Request::Control(Control::Speed(r.status.speed.faster()))],
        Action::SlowDown => return vec![Request::Control(Control::Speed(r.status.speed.slower()))],
        Action::SpeedMax => return vec![Request::Control(Control::Speed(Speed::Max))],
        Action::Buy | Action::Sell => {
            let side = if action == Action::Buy {
                Side::Buy
            } else {
                Side::Sell
            };
            ui.dialog = Some(Dialog::Ticket(Ticket::new(
                side,
                &ui.symbols,
                ui.chart.market,
            )));
        }
        Action::Flatten => ask_flatten(ui, ui.chart.market),
        Action::KillSwitch => ui.ask(
            "KILL SWITCH: halt all trading and cancel every open order?",
            control(Command::KillSwitch),
        ),
        Action::Release => ui.ask(
            "Release the kill switch and allow trading again?",
            control(Command::Release),
        ),
        Action::CancelAll => ui.ask(
            format!("Cancel all {} open orders?", r.orders.len()),
            control(Command::CancelAll),
        ),
        Action::CancelOrder => {
            let row = ui.row(Pane::Orders);
            match r.orders.get(row) {
                Some(o) => return vec![control(Command::Cancel(o.id))],
                None => ui.note(
                    AlertLevel::Warn,
                    "no open order selected (focus the orders pane and pick one)",
                ),
            }
        }
        Action::PauseStrategy => {
            let i = ui.row(Pane::Strategies);
            match r.strategies.get(i) {
                Some(s) if s.state == crate::replica::StrategyState::Paused => {
                    return vec![control(Command::Resume(i))];
                }
                Some(_) => return vec![control(Command::Pause(i))],
                None => ui.note(AlertLevel::Warn, "no strategy is running"),
            }
        }
        Action::NewBacktest => {
            ui.dialog = Some(Dialog::Backtest(BacktestForm::new(
                &ui.strategies,
                &ui.symbols,
                base.interval,
            )))
        }
        Action::CancelBacktest => return vec![Request::CancelBacktest],
        _ => return pane(ui, r, action),
    }
    Vec::new()
}

/// Asks before flattening `market` (its orders cancelled, the position sold at market).
pub fn ask_flatten(ui: &mut Ui, market: usize) {
    let symbol = ui.symbols.get(market).cloned().unwrap_or_default();
    ui.ask(
        format!("Flatten {symbol}: cancel its orders and sell the whole position at market?"),
        control(Command::Flatten(market)),
    );
}

/// Actions of the focused pane.
fn pane(ui: &mut Ui, r: &Replica, action: Action) -> Vec<Request> {
    let focused = ui.focused();
    if focused == Pane::Chart {
        chart(ui, r, action);
        return Vec::new();
    }
    if focused == Pane::Log && action == Action::Filter {
        ui.dialog = Some(Dialog::Filter {
            previous: ui.log_filter.clone(),
        });
        return Vec::new();
    }
    if focused == Pane::Log && action == Action::CycleLevel {
        ui.log_level = match ui.log_level {
            AlertLevel::Info => AlertLevel::Warn,
            AlertLevel::Warn => AlertLevel::Error,
            AlertLevel::Error => AlertLevel::Info,
        };
        return Vec::new();
    }
    let len = match focused {
        Pane::Positions => r.account.positions.len(),
        Pane::Orders => r.orders.len(),
        Pane::Fills => r.fills.len(),
        Pane::Strategies => r.strategies.len(),
        Pane::Backtests => ui.backtests.runs.len(),
        Pane::Log => r.alerts.len(),
        Pane::Chart | Pane::Book => 0,
    };
    let before = ui.row(focused);
    let row = step_row(before, len, action, PAGE);
    ui.set_row(focused, row);
    if focused != Pane::Backtests {
        return Vec::new();
    }
    let id = ui.backtests.runs.get(row).map(|s| s.id);
    match (action, id) {
        (Action::CompareRun, Some(_)) => {
            ui.backtests.pinned = ui.backtests.shown.clone();
            ui.note(
                AlertLevel::Info,
                "run pinned: select another to compare side by side",
            );
            Vec::new()
        }
        (Action::DeleteRun, Some(id)) => {
            ui.ask(
                format!("Delete backtest run {id} from the journal?"),
                Request::DeleteRun(id),
            );
            Vec::new()
        }
        (_, Some(id))
            if row != before || action == Action::Select || ui.backtests.shown.is_none() =>
        {
            vec![Request::LoadRun(id)]
        }
        _ => Vec::new(),
    }
}

fn chart(ui: &mut Ui, r: &Replica, action: Action) {
    let c = &mut ui.chart;
    let markets = r.markets.len().max(1);
    match action {
        Action::ScrollLeft | Action::Left => c.offset += 5,
        Action::ScrollRight | Action::Right => c.offset = c.offset.saturating_sub(5),
        Action::Latest | Action::Bottom => c.offset = 0,
        Action::ZoomIn => c.zoom = (c.zoom + 1).min(3),
        Action::ZoomOut => c.zoom = c.zoom.saturating_sub(1).max(1),
        Action::NextTimeframe | Action::PrevTimeframe => {
            let base = r.interval.unwrap_or(crate::market::Interval::M1);
            let offered: Vec<_> = TIMEFRAMES
                .iter()
                .copied()
                .filter(|t| base.divides(*t))
                .collect();
            let i = offered.iter().position(|t| *t == c.timeframe).unwrap_or(0);
            let n = offered.len().max(1);
            let j = if action == Action::NextTimeframe {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            c.timeframe = offered.get(j).copied().unwrap_or(base);
            c.offset = 0;
        }
        Action::NextSymbol => c.market = (c.market + 1) % markets,
        Action::PrevSymbol => c.market = (c.market + markets - 1) % markets,
        Action::ToggleVolume => c.volume = !c.volume,
        Action::ToggleOverlays => c.show_overlays = !c.show_overlays,
        _ => {}
    }
}

fn dialog(ui: &mut Ui, r: &Replica, base: &Spec, action: Action) -> Vec<Request> {
    let Some(d) = ui.dialog.take() else {
        return Vec::new();
    };
    let (keep, requests) = match d {
        Dialog::Help(mut h) => match action {
            Action::Back | Action::Help | Action::Quit => (None, Vec::new()),
            a => {
                let max = h.max.get();
                let page = 10;
                h.scroll = match a {
                    Action::Up => h.scroll.saturating_sub(1),
                    Action::Down => (h.scroll + 1).min(max),
                    Action::PageUp => h.scroll.saturating_sub(page),
                    Action::PageDown => (h.scroll + page).min(max),
                    Action::Top => 0,
                    Action::Bottom => max,
                    _ => h.scroll,
                };
                (Some(Dialog::Help(h)), Vec::new())
            }
        },
        Dialog::Filter { previous } => match action {
            Action::Submit => (None, Vec::new()),
            Action::Back => {
                ui.log_filter = previous;
                (None, Vec::new())
            }
            _ => (Some(Dialog::Filter { previous }), Vec::new()),
        },
        Dialog::Confirm(c) => match action {
            Action::Confirm | Action::Submit => (None, vec![c.on_yes]),
            _ => (None, Vec::new()),
        },
        Dialog::CommandLine(mut line) => match action {
            Action::Submit => {
                ui.history.push(&line.text);
                return super::commands::run(ui, r, base, &line.text);
            }
            Action::Up | Action::Down => {
                line.recall(&ui.history, action == Action::Up);
                (Some(Dialog::CommandLine(line)), Vec::new())
            }
            Action::NextField => {
                line.complete();
                (Some(Dialog::CommandLine(line)), Vec::new())
            }
            Action::Back => (None, Vec::new()),
            _ => (Some(Dialog::CommandLine(line)), Vec::new()),
        },
        Dialog::Ticket(mut t) => match action {
            Action::Back => (None, Vec::new()),
            Action::Submit => match t.order(r) {
                Ok(cmd) => {
                    let what = crate::paper::describe_command(&cmd, &ui.symbols);
                    let question = match r.mode {
                        crate::replica::Mode::Live => format!("LIVE, real money: place {what}?"),
                        _ => format!("Place: {what}?"),
                    };
                    ui.ask(question, control(cmd));
                    return Vec::new();
                }
                Err(e) => {
                    t.0.error = Some(e);
                    (Some(Dialog::Ticket(t)), Vec::new())
                }
            },
            a => {
                form_nav(&mut t.0, a);
                (Some(Dialog::Ticket(t)), Vec::new())
            }
        },
        Dialog::Backtest(mut f) => match action {
            Action::Back => (None, Vec::new()),
            Action::Submit => match f.spec(base) {
                Ok(spec) => (None, vec![Request::StartBacktest(Box::new(spec))]),
                Err(e) => {
                    f.0.error = Some(e);
                    (Some(Dialog::Backtest(f)), Vec::new())
                }
            },
            a => {
                form_nav(&mut f.0, a);
                (Some(Dialog::Backtest(f)), Vec::new())
            }
        },
    };
    if ui.dialog.is_none() {
        ui.dialog = keep;
    }
    requests
}

fn form_nav(f: &mut super::forms::Fields, action: Action) {
    match action {
        Action::NextField | Action::Down => f.next(true),
        Action::PrevField | Action::Up => f.next(false),
        Action::Left => f.cycle(false),
        Action::Right => f.cycle(true),
        _ => {}
    }
}

/// A character typed while a text dialog is open; false if no dialog takes text.
pub fn type_char(ui: &mut Ui, c: Option<char>) -> bool {
    match &mut ui.dialog {
        Some(Dialog::CommandLine(line)) => {
            match c {
                Some(c) => line.text.push(c),
                None => {
                    line.text.pop();
                }
            }
            true
        }
        Some(Dialog::Filter { .. }) => {
            match c {
                Some(c) => ui.log_filter.push(c),
                None => {
                    ui.log_filter.pop();
                }
            }
            ui.set_row(Pane::Log, 0);
            true
        }
        Some(Dialog::Ticket(Ticket(f)) | Dialog::Backtest(BacktestForm(f))) => {
            match c {
                Some(c) => f.type_char(c),
                None => f.backspace(),
            }
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
