//! Candles and their volume bars. Each terminal row holds two half rows of price; a candle's
//! half rows are empty, wick or body, and each cell's pair picks the glyph (table in the module
//! doc of `chart`). A body always covers at least one half row.

use super::canvas::{Canvas, Ink};
use super::scale::Scale;
use super::{Chart, ChartStyle};
use crate::market::Candle;
use ratatui::{
    buffer::Buffer,
    style::{Modifier, Style},
};

const EIGHTHS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Empty,
    Wick,
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    /// Close above open: heavy lines.
    Hollow,
    /// Close below open: solid blocks.
    Solid,
    /// Open equals close: a cross, with or without wick above and below.
    Doji { above: bool, below: bool },
}

/// A candle's span in half rows: wick from `wick.0` to `wick.1`, body inside it.
struct Shape {
    wick: (u16, u16),
    body: (u16, u16),
}

impl Shape {
    fn new(scale: &Scale, c: &Candle) -> Self {
        let (open, close) = (scale.half_row(c.open), scale.half_row(c.close));
        let body = (open.min(close), open.max(close));
        let wick = (
            scale.half_row(c.high).min(body.0),
            scale.half_row(c.low).max(body.1),
        );
        Self { wick, body }
    }

    fn part(&self, half: u16) -> Part {
        if (self.body.0..=self.body.1).contains(&half) {
            Part::Body
        } else if (self.wick.0..=self.wick.1).contains(&half) {
            Part::Wick
        } else {
            Part::Empty
        }
    }

    fn look(&self, c: &Candle) -> Look {
        if c.close > c.open {
            Look::Hollow
        } else if c.close < c.open {
            Look::Solid
        } else {
            Look::Doji {
                above: self.wick.0 < self.body.0,
                below: self.wick.1 > self.body.1,
            }
        }
    }
}

/// The candle's colour: up, down, or the text style for a doji; dimmed while forming.
pub(super) fn candle_style(style: &ChartStyle, c: &Candle, forming: bool) -> Style {
    let base = if c.close > c.open {
        style.up
    } else if c.close < c.open {
        style.down
    } else {
        style.text
    };
    if forming {
        base.add_modifier(Modifier::DIM)
    } else {
        base
    }
}

fn glyph(look: Look, forming: bool, top: Part, bottom: Part) -> Option<&'static str> {
    use Part::{Body, Empty, Wick};
    Some(match (look, top, bottom) {
        (_, Empty, Empty) => return None,
        (Look::Doji { above, below }, Body, _) | (Look::Doji { above, below }, _, Body) => {
            ["─", "┬", "┴", "┼"][usize::from(below) + 2 * usize::from(above)]
        }
        (_, Wick, Wick) => "│",
        (_, Wick, Empty) => "╵",
        (_, Empty, Wick) => "╷",
        (Look::Hollow, Body, Body) if forming => "┇",
        (Look::Hollow, Body, Body) => "┃",
        (Look::Hollow, Body, Wick) => "╿",
        (Look::Hollow, Wick, Body) => "╽",
        (Look::Hollow, Body, Empty) => "╹",
        (Look::Hollow, Empty, Body) => "╻",
        (_, Body, Body) if forming => "▒",
        (_, Body, Body) => "█",
        (_, Body, _) => "▀",
        (_, _, Body) => "▄",
    })
}

/// The two cells of a zoom-3 candle for a one-column glyph: wicks become the centred `▕▏`.
fn widen(glyph: &'static str) -> [&'static str; 2] {
    match glyph {
        "│" | "╵" | "╷" => ["▕", "▏"],
        "┼" | "┬" | "┴" | "─" => ["─", "─"],
        other => [other, other],
    }
}

pub(super) fn draw(chart: &Chart<'_>, canvas: &mut Canvas, buf: &mut Buffer) {
    for j in 0..chart.window.shown.len() {
        draw_candle(chart, canvas, buf, j);
    }
}

fn draw_candle(chart: &Chart<'_>, canvas: &mut Canvas, buf: &mut Buffer, j: usize) {
    let c = &chart.window.shown[j];
    let forming = chart.window.is_forming(j, chart.input.forming);
    let style = candle_style(chart.style, c, forming);
    let shape = Shape::new(&chart.scale, c);
    let look = shape.look(c);
    let body = chart.window.body(j);
    for row in shape.wick.0 / 2..=shape.wick.1 / 2 {
        let (top, bottom) = (shape.part(row * 2), shape.part(row * 2 + 1));
        let Some(glyph) = glyph(look, forming, top, bottom) else {
            continue;
        };
        let ink = if top == Part::Body || bottom == Part::Body {
            Ink::Body
        } else {
            Ink::Wick
        };
        let symbols = if body.len() > 1 {
            widen(glyph)
        } else {
            [glyph, glyph]
        };
        let y = chart.scale.top + row;
        for (x, symbol) in body.clone().zip(symbols) {
            canvas.put(buf, (x, y), symbol, style, ink);
        }
    }
}

/// Volume bars in eighths of a row, scaled to the largest shown volume, in the candle's colour
/// over the volume style. A non-zero volume always shows at least `▁`.
pub(super) fn volume(chart: &Chart<'_>, buf: &mut Buffer) {
    let Some(area) = chart.frame.volume else {
        return;
    };
    let max = max_volume(chart.window.shown);
    if max <= 0.0 {
        return;
    }
    let total = u32::from(area.height) * 8;
    for (j, c) in chart.window.shown.iter().enumerate() {
        if !(c.volume.is_finite() && c.volume > 0.0) {
            continue;
        }
        let eighths = ((c.volume / max * f64::from(total)).round() as u32).clamp(1, total);
        let forming = chart.window.is_forming(j, chart.input.forming);
        let style = chart
            .style
            .text
            .patch(chart.style.volume)
            .patch(candle_style(chart.style, c, forming));
        for k in 0..area.height {
            let fill = eighths.saturating_sub(u32::from(k) * 8).min(8) as usize;
            let Some(symbol) = fill.checked_sub(1).map(|i| EIGHTHS[i]) else {
                break;
            };
            for x in chart.window.body(j) {
                super::put_str(buf, (x, area.bottom() - 1 - k), symbol, 1, style);
            }
        }
    }
}

pub(super) fn max_volume(shown: &[Candle]) -> f64 {
    shown
        .iter()
        .map(|c| c.volume)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}
