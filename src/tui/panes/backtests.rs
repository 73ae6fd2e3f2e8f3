//! The backtests pane: runs from the journal (launched here or from the CLI) on the left; the
//! selected run's metrics, equity curve and drawdown on the right, beside the pinned run when one
//! is pinned for comparison.

use crate::journal::StoredRun;
use crate::tui::layout::Pane;
use crate::tui::state::Ui;
use crate::tui::theme::Theme;
use crate::tui::view::{block, money};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Sparkline, Table, TableState};

pub fn draw(f: &mut Frame<'_>, ui: &Ui, theme: &Theme, area: Rect, focused: bool) {
    let b = &ui.backtests;
    let job = b.job.as_ref().map_or(String::new(), |j| {
        format!(
            " · running {} {:.0}% (ctrl-x cancels)",
            j.label,
            j.progress * 100.0
        )
    });
    let outer = block(format!("Backtests ({}){job}", b.runs.len()), focused, theme);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    if b.runs.is_empty() {
        let text = "No runs yet. Press a to launch a backtest here, or run `tickdesk backtest …`.";
        f.render_widget(Paragraph::new(text).style(theme.muted), inner);
        return;
    }
    let wide = inner.width >= 90;
    let [list, detail] = if wide {
        Layout::horizontal([Constraint::Length(46), Constraint::Min(20)]).areas(inner)
    } else {
        Layout::vertical([Constraint::Percentage(45), Constraint::Min(3)]).areas(inner)
    };
    let rows = b.runs.iter().map(|s| {
        let ret = if s.total_return_pct >= 0.0 {
            theme.gain
        } else {
            theme.loss
        };
        Row::new(vec![
            Cell::from(s.id.to_string()),
            Cell::from(format!("{} {} {}", s.strategy, s.symbols, s.interval)),
            Cell::from(Span::styled(format!("{:+.1}%", s.total_return_pct), ret)),
            Cell::from(s.trades.to_string()),
        ])
    });
    let t = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Min(16),
            Constraint::Length(8),
            Constraint::Length(5),
        ],
    )
    .header(Row::new(["id", "run", "return", "trades"]).style(theme.header))
    .row_highlight_style(if focused { theme.selected } else { theme.text });
    let mut state = TableState::default().with_selected(Some(ui.row(Pane::Backtests)));
    f.render_stateful_widget(t, list, &mut state);
    match (&b.shown, &b.pinned) {
        (Some(a), Some(p)) if p.summary.id != a.summary.id => {
            let [left, right] =
                Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)])
                    .areas(detail);
            run(f, p, "pinned", theme, left);
            run(f, a, "selected", theme, right);
        }
        (Some(a), _) => run(f, a, "selected", theme, detail),
        _ => f.render_widget(Paragraph::new("loading…").style(theme.muted), detail),
    }
}

/// `values` reduced to `width` points (the last of each bucket), scaled to 0–100.
fn curve(values: &[f64], width: usize) -> Vec<u64> {
    if values.is_empty() || width == 0 {
        return Vec::new();
    }
    let pts = crate::report::downsample(values, width);
    let (lo, hi) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let span = (hi - lo).max(1e-12);
    pts.iter()
        .map(|x| ((x - lo) / span * 100.0).round() as u64 + 1)
        .collect()
}

fn drawdown(equity: &[f64]) -> Vec<f64> {
    let mut peak = f64::MIN;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            if peak > 0.0 {
                (peak - e) / peak * 100.0
            } else {
                0.0
            }
        })
        .collect()
}

fn run(f: &mut Frame<'_>, s: &StoredRun, label: &str, theme: &Theme, area: Rect) {
    let m = &s.metrics;
    let opt = |x: Option<f64>| x.map_or("—".into(), |v| format!("{v:.2}"));
    let ret = if m.total_return_pct >= 0.0 {
        theme.gain
    } else {
        theme.loss
    };
    let lines = vec![
        Line::from(Span::styled(
            format!(
                "#{} {label}: {} {} {} {}",
                s.summary.id,
                s.summary.strategy,
                s.summary.symbols,
                s.summary.interval,
                s.summary.span()
            ),
            theme.title,
        )),
        Line::from(vec![
            Span::raw("return "),
            Span::styled(format!("{:+.2}%", m.total_return_pct), ret),
            Span::raw(format!(
                "  final {}  b&h {:+.1}%",
                money(m.final_equity),
                m.buy_and_hold_return_pct
            )),
        ]),
        Line::from(format!(
            "max dd {:.2}%  sharpe {}  sortino {}",
            m.max_drawdown_pct,
            opt(m.sharpe.daily_annualized),
            opt(m.sortino)
        )),
        Line::from(format!(
            "trades {}  win {}%  pf {}  fees {}",
            m.trades,
            opt(m.win_rate_pct),
            opt(m.profit_factor),
            money(m.fees_paid)
        )),
    ];
    let h = area.height;
    let [text, eq, dd] = Layout::vertical([
        Constraint::Length(4.min(h)),
        Constraint::Min(1),
        Constraint::Length(if h > 8 { 3 } else { 0 }),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(lines), text);
    let w = usize::from(eq.width);
    f.render_widget(
        Sparkline::default().data(curve(&s.equity, w)).style(ret),
        eq,
    );
    let dd_curve: Vec<u64> = curve(&drawdown(&s.equity), w);
    f.render_widget(Sparkline::default().data(&dd_curve).style(theme.loss), dd);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_keep_shape_and_width() {
        let c = curve(&[1.0, 2.0, 3.0, 4.0], 2);
        assert_eq!(c, vec![1, 101], "the last of each bucket, lowest at 1");
        assert!(curve(&[], 5).is_empty());
        assert_eq!(drawdown(&[10.0, 5.0, 10.0]), vec![0.0, 50.0, 0.0]);
    }
}
