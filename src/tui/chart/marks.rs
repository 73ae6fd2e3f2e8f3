//! What the chart draws over the candles: indicator overlays and their legend, the user's fills
//! (`▲` buy under the low, `▼` sell over the high) and open orders (`╌` lines with a label).

use super::canvas::{Canvas, Ink};
use super::{Chart, Level, put_str};
use crate::core::Side;
use ratatui::{buffer::Buffer, style::Style, text::Span};

const OVERLAY: &str = "•";
const LEVEL_LINE: &str = "╌";

fn side_style(chart: &Chart<'_>, side: Side) -> Style {
    match side {
        Side::Buy => chart.style.buy,
        Side::Sell => chart.style.sell,
    }
}

/// A level's row, and the arrow to print when its price is off the plot (clamped to the edge).
fn level_row(chart: &Chart<'_>, level: &Level) -> Option<(u16, &'static str)> {
    let scale = &chart.scale;
    if !level.price.is_finite() {
        None
    } else if level.price > scale.hi {
        Some((scale.top, "↑"))
    } else if level.price < scale.lo {
        Some((scale.bottom(), "↓"))
    } else {
        Some((scale.row(level.price), ""))
    }
}

pub(super) fn level_lines(chart: &Chart<'_>, canvas: &mut Canvas, buf: &mut Buffer) {
    let plot = chart.frame.plot;
    for level in chart.input.levels {
        let Some((y, _)) = level_row(chart, level) else {
            continue;
        };
        for x in plot.left()..plot.right() {
            let paint = (LEVEL_LINE, chart.style.order, Ink::Level);
            canvas.put_over(buf, (x, y), paint, |ink| {
                matches!(ink, Ink::Empty | Ink::Grid)
            });
        }
    }
}

/// Labels start at the plot's left edge (the oldest candles: the newest stay visible), arrow
/// first when the price is off the plot.
pub(super) fn level_labels(chart: &Chart<'_>, buf: &mut Buffer) {
    let plot = chart.frame.plot;
    for level in chart.input.levels {
        let Some((y, arrow)) = level_row(chart, level) else {
            continue;
        };
        let text = format!("{arrow}{}", level.label);
        let width = Span::raw(text.as_str())
            .width()
            .min(usize::from(plot.width));
        let x = plot.left();
        let style = chart.style.text.patch(side_style(chart, level.side));
        put_str(buf, (x, y), &text, width, style);
    }
}

pub(super) fn overlays(chart: &Chart<'_>, canvas: &mut Canvas, buf: &mut Buffer) {
    let window = &chart.window;
    for overlay in chart.input.overlays {
        let style = chart.style.overlays[overlay.slot % 4];
        for j in 0..window.shown.len() {
            let Some(Some(value)) = overlay.values.get(window.first + j).copied() else {
                continue;
            };
            if !value.is_finite() || !chart.scale.contains(value) {
                continue;
            }
            let y = chart.scale.row(value);
            for x in window.body(j) {
                let paint = (OVERLAY, style, Ink::Overlay);
                canvas.put_over(buf, (x, y), paint, |ink| ink != Ink::Body);
            }
        }
    }
}

/// Each fill at its candle, one row past the wick; on the plot's edge row when there is no room.
pub(super) fn markers(chart: &Chart<'_>, canvas: &mut Canvas, buf: &mut Buffer) {
    let scale = &chart.scale;
    for marker in chart.input.markers {
        let Some(j) = chart.window.at_time(marker.time) else {
            continue;
        };
        let c = &chart.window.shown[j];
        let (symbol, y) = match marker.side {
            Side::Buy => ("▲", (scale.row(c.low) + 1).min(scale.bottom())),
            Side::Sell => ("▼", scale.row(c.high).saturating_sub(1).max(scale.top)),
        };
        let style = side_style(chart, marker.side);
        for x in chart.window.body(j) {
            canvas.put(buf, (x, y), symbol, style, Ink::Marker);
        }
    }
}

/// Overlay labels in their styles, left to right on the legend row, as many as fit.
pub(super) fn legend(chart: &Chart<'_>, buf: &mut Buffer) {
    let Some(y) = chart.frame.legend_y else {
        return;
    };
    let plot = chart.frame.plot;
    let mut x = plot.left();
    for overlay in chart.input.overlays.iter().filter(|o| !o.label.is_empty()) {
        let width = Span::raw(overlay.label).width();
        let room = usize::from(plot.right().saturating_sub(x));
        if width > room {
            break;
        }
        let style = chart
            .style
            .text
            .patch(chart.style.overlays[overlay.slot % 4]);
        put_str(buf, (x, y), overlay.label, width, style);
        x = x.saturating_add(width as u16 + 1);
    }
}
