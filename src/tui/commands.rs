//! The `:` command line: each command becomes the same requests its key would make, so a typed
//! `kill` and the `K` key take one path (and both ask for confirmation before trading stops).

use super::forms::{CommandLine, Ticket};
use super::keymap::Action;
use super::state::{Dialog, Request, Ui};
use super::update::{ask_flatten, update};
use crate::backtest::Spec;
use crate::core::{Command, Side};
use crate::indicators::Overlay;
use crate::paper::Control;
use crate::replica::{AlertLevel, Replica, Speed};

fn control(c: Command) -> Request {
    Request::Control(Control::Command(c))
}

fn market(ui: &Ui, r: &Replica, name: Option<&str>) -> Result<usize, String> {
    match name {
        None => Ok(ui.chart.market),
        Some(s) => r
            .markets
            .iter()
            .position(|m| m.symbol.eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown symbol `{s}`; trading {}", ui.symbols.join(", "))),
    }
}

/// Runs a typed command line. Errors keep the line open with the reason.
pub fn run(ui: &mut Ui, r: &Replica, base: &Spec, text: &str) -> Vec<Request> {
    match parse(ui, r, base, text) {
        Ok(requests) => requests,
        Err(e) => {
            ui.dialog = Some(Dialog::CommandLine(CommandLine {
                text: text.to_string(),
                error: Some(e),
                recall: None,
            }));
            Vec::new()
        }
    }
}

/// `overlay EXPR` adds the overlay, or removes it when shown; `overlay clear` removes them all.
fn overlay(ui: &mut Ui, expr: &str) -> Result<(), String> {
    let c = &mut ui.chart;
    c.show_overlays = true;
    if expr.trim() == "clear" {
        c.overlays.clear();
        return Ok(());
    }
    let o = Overlay::parse(expr)?;
    match c.overlays.iter().position(|x| *x == o) {
        Some(i) => {
            c.overlays.remove(i);
            ui.note(AlertLevel::Info, format!("overlay {o} removed"));
        }
        None => {
            let text = format!("overlay {o} added");
            c.overlays.push(o);
            ui.note(AlertLevel::Info, text);
        }
    }
    Ok(())
}

fn parse(ui: &mut Ui, r: &Replica, base: &Spec, text: &str) -> Result<Vec<Request>, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((&verb, args)) = words.split_first() else {
        return Ok(Vec::new());
    };
    let one = |what: &str| {
        args.first()
            .copied()
            .ok_or_else(|| format!("`{verb}` needs {what}"))
    };
    match verb {
        "buy" | "sell" => {
            let side = if verb == "buy" { Side::Buy } else { Side::Sell };
            let m = market(ui, r, args.get(1).copied().filter(|a| *a != "limit"))?;
            let mut t = Ticket::new(side, &ui.symbols, m);
            t.0.fields[3].value = one("a quantity, e.g. 0.01 or 25%")?.to_string();
            if let Some(i) = args.iter().position(|a| *a == "limit") {
                t.0.fields[1].value = "limit".into();
                t.0.fields[4].value = args.get(i + 1).copied().unwrap_or("").to_string();
            }
            ui.dialog = Some(Dialog::Ticket(t));
            Ok(Vec::new())
        }
        "cancel" => match one("an order id or `all`")? {
            "all" => Ok(update(ui, r, base, Action::CancelAll)),
            id => {
                let id = id
                    .parse()
                    .map_err(|_| format!("`{id}` is not an order id (see the orders pane)"))?;
                Ok(vec![control(Command::Cancel(id))])
            }
        },
        "flatten" => {
            let m = market(ui, r, args.first().copied())?;
            ask_flatten(ui, m);
            Ok(Vec::new())
        }
        "pause" | "resume" => {
            let i: usize = one("a strategy number")?
                .parse()
                .map_err(|_| "strategy numbers start at 0 (see the strategies pane)".to_string())?;
            if i >= r.strategies.len() {
                return Err(format!("there are {} strategies", r.strategies.len()));
            }
            Ok(vec![control(if verb == "pause" {
                Command::Pause(i)
            } else {
                Command::Resume(i)
            })])
        }
        "kill" => Ok(update(ui, r, base, Action::KillSwitch)),
        "release" => Ok(vec![control(Command::Release)]),
        "speed" => {
            let s = match one("1, 10, 60, 600, max or pause")? {
                "pause" => return Ok(vec![Request::Control(Control::Pause(true))]),
                "max" => Speed::Max,
                n => Speed::from_factor(
                    n.trim_end_matches(['x', '×'])
                        .parse()
                        .map_err(|_| format!("speed `{n}`: use 1, 10, 60, 600, max or pause"))?,
                ),
            };
            Ok(vec![
                Request::Control(Control::Speed(s)),
                Request::Control(Control::Pause(false)),
            ])
        }
        "tf" => {
            ui.chart.timeframe = one("an interval such as 15m")?
                .parse()
                .map_err(|e| format!("{e}"))?;
            ui.chart.offset = 0;
            Ok(Vec::new())
        }
        "symbol" => {
            ui.chart.market = market(ui, r, Some(one("a symbol")?))?;
            Ok(Vec::new())
        }
        "overlay" => overlay(ui, &words[1..].join(" ")).map(|()| Vec::new()),
        "filter" => {
            ui.log_filter = words[1..].join(" ");
            ui.focus_pane(super::layout::Pane::Log);
            Ok(Vec::new())
        }
        "backtest" => Ok(update(ui, r, base, Action::NewBacktest)),
        "quit" | "q" => Ok(vec![Request::Quit]),
        other => {
            ui.note(AlertLevel::Warn, format!("unknown command `{other}`"));
            Err(format!(
                "unknown command `{other}`; known: {}",
                super::forms::COMMANDS
                    .iter()
                    .map(|c| c.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }
}
