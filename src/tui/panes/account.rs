//! The account panes: positions with unrealised PnL and the balances under them, open orders,
//! recent fills and the strategies' status. Tables keep the selected row visible.

use crate::market::time::Utc;
use crate::replica::{Replica, StrategyState};
use crate::tui::layout::Pane;
use crate::tui::state::Ui;
use crate::tui::theme::Theme;
use crate::tui::view::{block, money};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

fn signed(x: f64, theme: &Theme) -> Span<'static> {
    let style = if x >= 0.0 { theme.gain } else { theme.loss };
    Span::styled(
        format!("{}{}", if x >= 0.0 { "+" } else { "" }, money(x)),
        style,
    )
}

/// A table's columns, title and selected row.
struct Columns<'a> {
    header: &'a [&'a str],
    widths: &'a [Constraint],
    title: String,
    selected: usize,
}

fn table(
    f: &mut Frame<'_>,
    rows: Vec<Row<'_>>,
    c: Columns<'_>,
    theme: &Theme,
    area: Rect,
    focused: bool,
) {
    let empty = rows.is_empty();
    let header = Row::new(c.header.iter().map(|h| Cell::from(*h))).style(theme.header);
    let t = Table::new(rows, c.widths.to_vec())
        .header(header)
        .block(block(c.title, focused, theme))
        .row_highlight_style(if focused {
            theme.selected
        } else {
            Style::default()
        });
    let mut state =
        TableState::default().with_selected(if empty { None } else { Some(c.selected) });
    f.render_stateful_widget(t, area, &mut state);
}

fn time(ms: i64) -> String {
    let s = Utc(ms).to_string();
    s.get(5..16).unwrap_or(&s).to_string()
}

pub fn positions(
    f: &mut Frame<'_>,
    r: &Replica,
    ui: &Ui,
    theme: &Theme,
    area: Rect,
    focused: bool,
) {
    let mut rows: Vec<Row<'_>> = r
        .account
        .positions
        .iter()
        .map(|p| {
            Row::new(vec![
                Cell::from(p.symbol.clone()),
                Cell::from(p.qty.normalize().to_string()),
                Cell::from(p.entry.map_or("—".into(), |e| format!("{e:.2}"))),
                Cell::from(format!("{:.2}", p.last)),
                Cell::from(money(p.value)),
                Cell::from(Line::from(vec![
                    signed(p.unrealized, theme),
                    Span::styled(
                        format!(" {:+.2}%", p.unrealized_pct),
                        if p.unrealized >= 0.0 {
                            theme.gain
                        } else {
                            theme.loss
                        },
                    ),
                ])),
            ])
        })
        .collect();
    for b in &r.account.balances {
        rows.push(Row::new(vec![
            Cell::from(Span::styled(b.asset.clone(), theme.muted)),
            Cell::from(Span::styled(
                format!("{} free", b.free.round_dp(8).normalize()),
                theme.muted,
            )),
            Cell::from(Span::styled(
                if b.locked.is_zero() {
                    String::new()
                } else {
                    format!("{} locked", b.locked.round_dp(8).normalize())
                },
                theme.muted,
            )),
            Cell::from(""),
            Cell::from(Span::styled(money(b.value), theme.muted)),
            Cell::from(""),
        ]));
    }
    let widths = [
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Fill(4),
    ];
    let title = format!("Positions · equity {} {}", money(r.account.equity), r.quote);
    table(
        f,
        rows,
        Columns {
            header: &["symbol", "qty", "entry", "last", "value", "unrealised"],
            widths: &widths,
            title,
            selected: ui.row(Pane::Positions),
        },
        theme,
        area,
        focused,
    );
}

pub fn orders(f: &mut Frame<'_>, r: &Replica, ui: &Ui, theme: &Theme, area: Rect, focused: bool) {
    let rows = r
        .orders
        .iter()
        .map(|o| {
            let side = if o.side == crate::core::Side::Buy {
                theme.bid
            } else {
                theme.ask
            };
            let price = [
                o.stop.map(|s| format!("stop {}", s.normalize())),
                o.price.map(|p| p.normalize().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            Row::new(vec![
                Cell::from(o.id.to_string()),
                Cell::from(o.symbol.clone()),
                Cell::from(Span::styled(o.side.as_str(), side)),
                Cell::from(o.kind.to_lowercase()),
                Cell::from(o.qty.clone()),
                Cell::from(if price.is_empty() {
                    "market".into()
                } else {
                    price
                }),
                Cell::from(o.origin.clone()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(4),
        Constraint::Fill(3),
        Constraint::Length(4),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Fill(2),
    ];
    let title = format!("Open orders ({})", r.orders.len());
    table(
        f,
        rows,
        Columns {
            header: &["id", "symbol", "side", "type", "qty", "price", "by"],
            widths: &widths,
            title,
            selected: ui.row(Pane::Orders),
        },
        theme,
        area,
        focused,
    );
}

pub fn fills(f: &mut Frame<'_>, r: &Replica, ui: &Ui, theme: &Theme, area: Rect, focused: bool) {
    let rows = r
        .fills
        .iter()
        .rev()
        .map(|x| {
            let side = if x.side == crate::core::Side::Buy {
                theme.bid
            } else {
                theme.ask
            };
            Row::new(vec![
                Cell::from(time(x.time)),
                Cell::from(x.symbol.clone()),
                Cell::from(Span::styled(x.side.as_str(), side)),
                Cell::from(x.qty.round_dp(6).normalize().to_string()),
                Cell::from(x.price.normalize().to_string()),
                Cell::from(x.fee.round_dp(4).normalize().to_string()),
                Cell::from(x.origin.clone()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(11),
        Constraint::Fill(3),
        Constraint::Length(4),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(2),
    ];
    table(
        f,
        rows,
        Columns {
            header: &["time", "symbol", "side", "qty", "price", "fee", "by"],
            widths: &widths,
            title: format!("Fills ({})", r.fills.len()),
            selected: ui.row(Pane::Fills),
        },
        theme,
        area,
        focused,
    );
}

pub fn strategies(
    f: &mut Frame<'_>,
    r: &Replica,
    ui: &Ui,
    theme: &Theme,
    area: Rect,
    focused: bool,
) {
    if r.strategies.is_empty() {
        let p = Paragraph::new(
            "No strategies: trading by hand only ([paper] strategies in the config).",
        )
        .style(theme.muted)
        .block(block("Strategies".into(), focused, theme));
        f.render_widget(p, area);
        return;
    }
    let rows = r
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let state = match s.state {
                StrategyState::Running => theme.gain,
                StrategyState::Paused => theme.warning,
                StrategyState::Halted => theme.error,
            };
            let params = s
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            let signal = s
                .last_signal
                .as_ref()
                .map_or("—".into(), |(t, text)| format!("{} {text}", time(*t)));
            Row::new(vec![
                Cell::from(format!("{i} {}", s.name)),
                Cell::from(Span::styled(s.state.label(), state)),
                Cell::from(Line::from(signed(s.pnl, theme))),
                Cell::from(s.fills.to_string()),
                Cell::from(params),
                Cell::from(signal),
            ])
        })
        .collect();
    let widths = [
        Constraint::Fill(3),
        Constraint::Length(8),
        Constraint::Fill(2),
        Constraint::Length(5),
        Constraint::Fill(3),
        Constraint::Fill(5),
    ];
    table(
        f,
        rows,
        Columns {
            header: &["strategy", "state", "pnl", "fills", "params", "last signal"],
            widths: &widths,
            title: "Strategies".into(),
            selected: ui.row(Pane::Strategies),
        },
        theme,
        area,
        focused,
    );
}
