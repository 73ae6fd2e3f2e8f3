//! `draw`: the whole screen as a pure function of the replica, the view's state and the look
//! (theme, keymap, layouts, log lines). No clock, no IO: the same inputs draw the same cells.

use super::keymap::Keymap;
use super::layout::{Layouts, Pane};
use super::logbuf::LogLine;
use super::panes;
use super::state::Ui;
use super::theme::Theme;
use crate::market::time::Utc;
use crate::replica::{Mode, Replica};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// What the screen looks like, apart from the state it shows.
pub struct Look<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub layouts: &'a Layouts,
    pub logs: &'a [LogLine],
}

pub fn draw(f: &mut Frame<'_>, r: &Replica, ui: &Ui, look: &Look<'_>) {
    let area = f.area();
    let (min_w, min_h) = look.layouts.min_size();
    let Some(layout) = look.layouts.pick(area.width, area.height) else {
        let text = format!(
            "terminal too small: tickdesk needs {min_w}×{min_h}, this one is {}×{}.\nEnlarge the window (or zoom out); q quits.",
            area.width, area.height
        );
        f.render_widget(
            Paragraph::new(text)
                .style(look.theme.warning)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    f.render_widget(Block::default().style(look.theme.text), area);
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    status_bar(f, r, ui, look.theme, status);
    if ui.zoomed {
        panes::draw(f, ui.focused(), r, ui, look, body, true);
    } else {
        let tab = layout.tab_index(ui.focused()).unwrap_or(ui.tab);
        let placement = layout.areas(body, tab);
        if let Some(bar) = placement.tab_bar {
            tab_bar(f, layout.tabs(), tab, look.theme, bar);
        }
        for (pane, rect) in placement.panes {
            panes::draw(f, pane, r, ui, look, rect, pane == ui.focused());
        }
    }
    if let Some(d) = &ui.dialog {
        super::dialogs::draw(f, d, r, ui, look, body);
    }
}

fn tab_bar(f: &mut Frame<'_>, panes: &[Pane], active: usize, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    for (i, p) in panes.iter().enumerate() {
        let style = if i == active {
            theme.selected
        } else {
            theme.muted
        };
        spans.push(Span::styled(format!(" {} ", panes::title(*p)), style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Mode, feed health, market time, speed, equity and day PnL; the last note on the right.
fn status_bar(f: &mut Frame<'_>, r: &Replica, ui: &Ui, theme: &Theme, area: Rect) {
    let mode_style = if r.mode == Mode::Live {
        theme.mode_live
    } else {
        theme.mode_paper
    };
    let s = &r.status;
    let feed_style = if s.feed.is_healthy() {
        theme.status
    } else {
        theme.warning
    };
    let day = r.day_pnl();
    let pnl_style = if day >= 0.0 { theme.gain } else { theme.loss };
    let mut spans = vec![
        Span::styled(format!(" {} ", r.mode.label()), mode_style),
        Span::styled(format!(" feed {} ", s.feed.label()), feed_style),
        Span::styled(format!(" {} ", clock(s.now)), theme.status),
    ];
    if r.mode == Mode::PaperReplay {
        spans.push(Span::styled(format!(" {} ", s.speed.label()), theme.status));
    }
    spans.push(Span::styled(
        format!(" equity {} ", money(r.account.equity)),
        theme.status,
    ));
    spans.push(Span::styled(
        format!(" day {}{} ", if day >= 0.0 { "+" } else { "" }, money(day)),
        pnl_style,
    ));
    if let Some(why) = &s.halted {
        spans.push(Span::styled(format!(" {why} "), theme.error));
    }
    if let Some(job) = &ui.backtests.job {
        spans.push(Span::styled(
            format!(" backtest {:.0}% ", job.progress * 100.0),
            theme.accent,
        ));
    }
    if let Some((level, note)) = &ui.note {
        let style = match level {
            crate::replica::AlertLevel::Info => theme.info,
            crate::replica::AlertLevel::Warn => theme.warning,
            crate::replica::AlertLevel::Error => theme.error,
        };
        spans.push(Span::styled(format!(" {note}"), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(theme.status), area);
}

/// Market time to the minute.
fn clock(now: i64) -> String {
    if now <= 0 {
        return "—".into();
    }
    format!(
        "{} UTC",
        Utc(now - now.rem_euclid(crate::market::time::MINUTE_MS))
    )
}

/// A money amount with thousands separators and two decimals.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let whole = int
        .parse::<i128>()
        .map_or_else(|_| int.to_string(), crate::report::thousands);
    format!("{}{whole}.{frac}", if x < 0.0 { "-" } else { "" })
}

/// A bordered block titled `title`, highlighted when focused.
pub fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.border_focus
    } else {
        theme.border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            format!(" {title} "),
            if focused { theme.accent } else { theme.title },
        ))
}

/// A centred box of `w`×`h` cells within `area`, cleared.
pub fn popup(f: &mut Frame<'_>, area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    rect
}

pub fn styled(text: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(text.into(), style)
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1_234_567.891), "1,234,567.89");
        assert_eq!(money(-12.5), "-12.50");
        assert_eq!(money(999.0), "999.00");
        assert_eq!(money(f64::NAN), "—");
    }
}
