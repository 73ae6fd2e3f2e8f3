//! The log and alerts pane: alerts from the trading core (refusals, overrides, the kill switch)
//! and the latest log lines, newest first, filtered by level and by text (`/`).

use crate::replica::{AlertLevel, Replica};
use crate::tui::state::Ui;
use crate::tui::view::{Look, block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame<'_>, r: &Replica, ui: &Ui, look: &Look<'_>, area: Rect, focused: bool) {
    let theme = look.theme;
    let filter = ui.log_filter.to_lowercase();
    let style = |l: AlertLevel| match l {
        AlertLevel::Info => theme.info,
        AlertLevel::Warn => theme.warning,
        AlertLevel::Error => theme.error,
    };
    let mut items: Vec<(i64, bool, AlertLevel, &str)> = r
        .alerts
        .iter()
        .map(|a| (a.at, true, a.level, a.text.as_str()))
        .chain(
            look.logs
                .iter()
                .map(|l| (l.seq, false, l.level, l.text.as_str())),
        )
        .filter(|(_, _, level, text)| {
            *level >= ui.log_level && (filter.is_empty() || text.to_lowercase().contains(&filter))
        })
        .collect();
    // Alerts (market time) first, newest first; then log lines, newest first.
    items.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let rows = usize::from(area.height.saturating_sub(2));
    let skip = ui
        .row(crate::tui::layout::Pane::Log)
        .min(items.len().saturating_sub(1));
    let lines: Vec<Line<'_>> = items
        .iter()
        .skip(skip)
        .take(rows)
        .map(|(_, alert, level, text)| {
            Line::from(vec![
                Span::styled(format!("{:<5} ", level.label()), style(*level)),
                Span::styled(if *alert { "alert " } else { "log   " }, theme.muted),
                Span::styled(text.to_string(), theme.text),
            ])
        })
        .collect();
    let filt = if ui.log_filter.is_empty() {
        String::new()
    } else {
        format!(" · /{}", ui.log_filter)
    };
    let title = format!(
        "Log & alerts · ≥{}{filt}",
        ui.log_level.label().to_lowercase()
    );
    f.render_widget(
        Paragraph::new(lines).block(block(title, focused, theme)),
        area,
    );
}
