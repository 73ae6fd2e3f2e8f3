//! Dialogs drawn over the panes: help (every binding of the focused pane and the global ones),
//! the command line, the order ticket, the backtest form and confirmations.

use super::forms::{COMMANDS, Fields};
use super::keymap::Context;
use super::state::{Dialog, Help, Ui};
use super::theme::Theme;
use super::view::{Look, popup};
use crate::replica::Replica;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

fn frame<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" {title} "), theme.accent))
        .style(theme.text)
}

pub fn draw(f: &mut Frame<'_>, d: &Dialog, r: &Replica, ui: &Ui, look: &Look<'_>, area: Rect) {
    let theme = look.theme;
    match d {
        Dialog::Help(h) => help(f, ui, h, look, area),
        Dialog::Confirm(c) => {
            let rect = popup(f, area, 64, 6);
            let text = vec![
                Line::from(Span::styled(c.question.clone(), theme.warning)),
                Line::from(""),
                Line::from(Span::styled("y / enter: yes    n / esc: no", theme.muted)),
            ];
            f.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(frame("Confirm", theme)),
                rect,
            );
        }
        Dialog::CommandLine(line) => {
            let hint = match &line.error {
                Some(e) => Span::styled(e.clone(), theme.error),
                None => Span::styled(line.candidates().join(" · "), theme.muted),
            };
            prompt(f, area, (":", &line.text), hint, theme);
        }
        Dialog::Filter { .. } => {
            let hint = "log lines containing this text · enter keeps it · esc restores the last";
            let hint = Span::styled(hint, theme.muted);
            prompt(f, area, ("/", &ui.log_filter), hint, theme);
        }
        Dialog::Ticket(t) => {
            let m = r.markets.get(ui.chart.market);
            let last = m.map_or(String::new(), |m| {
                format!("last {:.*}", m.price_decimals, m.last)
            });
            let hint = format!(
                "{last} · quantity in base units or % of the balance · ←/→ change a choice · tab next · enter review · esc cancel"
            );
            let rect = popup(f, area, 64, 12);
            let title = match r.mode {
                crate::replica::Mode::Live => "Order ticket · LIVE",
                _ => "Order ticket (paper)",
            };
            fields(f, title, &t.0, &hint, theme, rect);
        }
        Dialog::Backtest(b) => {
            let hint = "←/→ change a choice · dates as 2024-01-31 (empty: all stored data) · parameters as fast=12 slow=40 · enter runs · esc cancels";
            let rect = popup(f, area, 70, 13);
            fields(f, "New backtest", &b.0, hint, theme, rect);
        }
    }
}

/// A one-line prompt at the bottom: the prefix, the text typed, a cursor, and a hint below.
fn prompt(
    f: &mut Frame<'_>,
    area: Rect,
    (prefix, text): (&str, &str),
    hint: Span<'_>,
    theme: &Theme,
) {
    let rect = Rect::new(
        area.x,
        area.bottom().saturating_sub(3),
        area.width,
        3.min(area.height),
    );
    f.render_widget(ratatui::widgets::Clear, rect);
    let lines = vec![
        Line::from(vec![
            Span::styled(prefix.to_string(), theme.accent),
            Span::raw(text.to_string()),
            Span::styled("█", theme.accent),
        ]),
        Line::from(hint),
    ];
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border_focus);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

fn fields(f: &mut Frame<'_>, title: &str, form: &Fields, hint: &str, theme: &Theme, rect: Rect) {
    let mut lines: Vec<Line<'_>> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let focused = i == form.focus;
            let value = if field.choices.is_empty() {
                format!("{}{}", field.value, if focused { "█" } else { "" })
            } else {
                format!("◀ {} ▶", field.value)
            };
            Line::from(vec![
                Span::styled(
                    format!("{:>11}  ", field.label),
                    if focused { theme.accent } else { theme.muted },
                ),
                Span::styled(value, if focused { theme.selected } else { theme.text }),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(e.clone(), theme.error)));
    }
    lines.push(Line::from(Span::styled(hint.to_string(), theme.muted)));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(frame(title, theme)),
        rect,
    );
}

fn help(f: &mut Frame<'_>, ui: &Ui, h: &Help, look: &Look<'_>, area: Rect) {
    let theme = look.theme;
    let context = ui.focused().context();
    let mut lines = vec![Line::from(Span::styled(
        format!("Keys in the {} pane (then global ones):", context.name()),
        theme.title,
    ))];
    for (key, action) in look.keymap.bindings(context) {
        lines.push(Line::from(vec![
            Span::styled(format!("{key:>10}  "), theme.accent),
            Span::raw(action.about()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Command line (:)", theme.title)));
    for (name, about) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("{name:>10}  "), theme.accent),
            Span::raw(*about),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Forms and the ticket",
        theme.title,
    )));
    for (key, action) in look.keymap.bindings(Context::Form) {
        lines.push(Line::from(vec![
            Span::styled(format!("{key:>10}  "), theme.accent),
            Span::raw(action.about()),
        ]));
    }
    let rect = popup(f, area, 90, area.height.saturating_sub(2));
    let rows = rect.height.saturating_sub(2);
    let max = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(rows);
    h.max.set(max);
    let scroll = h.scroll.min(max);
    let title = if max == 0 {
        "Help · esc closes".to_string()
    } else {
        format!("Help · j/k scroll ({}/{}) · esc closes", scroll, max)
    };
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(frame(&title, theme)),
        rect,
    );
}
