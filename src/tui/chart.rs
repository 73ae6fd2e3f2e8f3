//! The candlestick chart: a pure function from candles, indicator overlays, the user's fills and
//! open orders to the cells of one pane. Same input, same cells: no clock, no IO, and the chart
//! owns its area (every cell is reset to `ChartStyle::text` first).
//!
//! Layout, top to bottom: a legend row (only with overlays and ≥ 6 rows), the price plot, the
//! volume strip (bottom ~20 %, only when asked for and the area has ≥ 12 rows), and one row of
//! UTC time labels. The price axis takes the right-hand columns; candles are right-aligned
//! against it, newest at the right. Prices map linearly onto *half* rows: the visible lowest low
//! is the bottom half of the bottom plot row, the highest high the top half of the top row.
//!
//! Glyphs: up and down candles differ in shape, not only colour, so they read in 16 colours and
//! under `NO_COLOR`:
//!
//! | part                   | up (close > open)  | down (close < open) |
//! |------------------------|--------------------|---------------------|
//! | body, full cell        | `┃` ("hollow")     | `█` (filled)        |
//! | body, top/bottom half  | `╹` / `╻`          | `▀` / `▄`           |
//! | body half + wick half  | `╿` / `╽`          | `▀` / `▄`           |
//! | wick                   | `│`, half: `╵` `╷` | same                |
//! | forming (last, open)   | `┇`, dimmed        | `▒`, dimmed         |
//!
//! A doji (open == close) is a cross in the text style: `┼`, or `┴` / `┬` / `─` when it has no
//! wick below / above / at all. Every candle shows at least one half row of body. At zoom 3 the
//! body is two columns (`┃┃`, `██`, dojis `──`) and wicks are the centred pair `▕▏`.
//! Overlays are `•` in `overlays[slot % 4]` and never cover a body cell. Fills are `▲` (buy, below
//! the low) and `▼` (sell, above the high), on the plot's edge row when the candle touches it
//! (covering the candle's end there). Open orders are `╌` lines through empty cells with
//! their label at the plot's left edge (over the oldest candles), `↑`/`↓` in front when the price is off the plot. The axis
//! marks labelled rows with `┤`, grid dots `·` continue those rows, and the close of the newest
//! visible candle is a reversed tag in its candle's style. Volume bars use `▁▂▃▄▅▆▇█`.

mod axis;
mod candles;
mod canvas;
mod marks;
mod scale;
#[cfg(test)]
mod tests;

use crate::core::Side;
use crate::market::Candle;
use ratatui::{buffer::Buffer, layout::Rect, style::Style, text::Span};

use canvas::Canvas;
use scale::Scale;

/// Styles the chart uses (the caller maps its theme onto these).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartStyle {
    pub up: Style,
    pub down: Style,
    pub volume: Style,
    pub axis: Style,
    pub grid: Style,
    pub buy: Style,
    pub sell: Style,
    pub order: Style,
    pub overlays: [Style; 4],
    pub text: Style,
}

/// An indicator line, one value per candle (None during warm-up), drawn in `overlays[slot % 4]`.
pub struct Overlay<'a> {
    pub label: &'a str,
    pub values: &'a [Option<f64>],
    pub slot: usize,
}

/// One of the user's fills, drawn at its candle (the candle whose span contains `time`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    pub time: i64,
    pub price: f64,
    pub side: Side,
}

/// An open order's price, drawn as a horizontal line across the plot with a short label at the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub price: f64,
    pub side: Side,
    pub label: String,
}

pub struct ChartInput<'a> {
    /// Candles at the displayed timeframe, oldest first; the last one may still be forming.
    pub candles: &'a [Candle],
    pub forming: bool,
    pub overlays: &'a [Overlay<'a>],
    pub markers: &'a [Marker],
    pub levels: &'a [Level],
    /// Candles scrolled back from the newest (0 = the newest candle is at the right edge).
    pub offset: usize,
    /// Zoom: columns per candle, 1 (dense: one column each) to 3 (a body with a gap).
    pub columns_per_candle: u16,
    /// Show the volume strip under the price plot (when the area is tall enough).
    pub volume: bool,
    /// Price decimals to print on the axis.
    pub decimals: usize,
}

const MIN_WIDTH: u16 = 10;
const MIN_HEIGHT: u16 = 4;
const LEGEND_MIN_HEIGHT: u16 = 6;
const VOLUME_MIN_HEIGHT: u16 = 12;

/// Draws the chart into `area` of `buf`. Pure: same input, same cells.
///
/// The axis is as wide as the highest high of *all* `input.candles` needs, so
/// `visible_candles(area.width, zoom, decimals, that high)` is the number of candles drawn
/// (when there are that many).
pub fn render(input: &ChartInput<'_>, style: &ChartStyle, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    for (x, y) in area.positions().map(|p| (p.x, p.y)) {
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.reset();
            cell.set_style(style.text);
        }
    }
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return;
    }
    match Chart::new(input, style, area) {
        Some(chart) => chart.draw(buf),
        None => {
            let note = "no candles yet";
            let width = Span::raw(note).width().min(usize::from(area.width));
            let x = area.x + (area.width - width as u16) / 2;
            put_str(buf, (x, area.y + area.height / 2), note, width, style.text);
        }
    }
}

/// How many candles fit in `width` columns at this zoom (after the axis), so the caller knows how
/// many to resample and can clamp scrolling. `max_price` is the highest high of the candles
/// `render` will get: the axis is sized for it.
pub fn visible_candles(
    width: u16,
    columns_per_candle: u16,
    decimals: usize,
    max_price: f64,
) -> usize {
    if width < MIN_WIDTH {
        return 0;
    }
    let plot = width - scale::axis_width(width, decimals, max_price);
    usize::from(plot / zoom(columns_per_candle))
}

fn zoom(columns_per_candle: u16) -> u16 {
    columns_per_candle.clamp(1, 3)
}

/// Writes `text` (at most `max` columns) at `at` in exactly `style`: the cells it covers lose
/// whatever they had.
fn put_str(buf: &mut Buffer, at: (u16, u16), text: &str, max: usize, style: Style) {
    let (x, y) = at;
    if !buf.area.contains(at.into()) {
        return;
    }
    let width = u16::try_from(Span::raw(text).width().min(max)).unwrap_or(u16::MAX);
    for col in x..x.saturating_add(width).min(buf.area.right()) {
        if let Some(cell) = buf.cell_mut((col, y)) {
            cell.reset();
        }
    }
    buf.set_stringn(x, y, text, max, style);
}

/// Where each part of the pane goes.
struct Frame {
    plot: Rect,
    axis_x: u16,
    axis_width: u16,
    volume: Option<Rect>,
    legend_y: Option<u16>,
    time_y: u16,
}

impl Frame {
    fn new(input: &ChartInput<'_>, area: Rect, axis_width: u16) -> Self {
        let legend = !input.overlays.is_empty() && area.height >= LEGEND_MIN_HEIGHT;
        let top = area.y + u16::from(legend);
        let time_y = area.bottom() - 1;
        let volume_rows = if input.volume && area.height >= VOLUME_MIN_HEIGHT {
            (area.height + 2) / 5
        } else {
            0
        };
        let width = area.width - axis_width;
        let plot = Rect::new(area.x, top, width, time_y - top - volume_rows);
        let volume = Rect::new(area.x, plot.bottom(), width, volume_rows);
        Self {
            plot,
            axis_x: area.x + width,
            axis_width,
            volume: (volume_rows > 0).then_some(volume),
            legend_y: legend.then_some(area.y),
            time_y,
        }
    }
}

/// The candles on screen and where each one's columns are.
struct Window<'a> {
    all: &'a [Candle],
    /// Index in `all` of the first candle shown.
    first: usize,
    shown: &'a [Candle],
    zoom: u16,
    /// One past the plot's last column: the newest shown candle's slot ends here.
    right: u16,
}

impl<'a> Window<'a> {
    fn new(all: &'a [Candle], offset: usize, plot: Rect, zoom: u16) -> Option<Self> {
        let newest = all.len().checked_sub(1)?;
        let end = all.len() - offset.min(newest);
        let first = end.saturating_sub(usize::from(plot.width / zoom));
        Some(Self {
            all,
            first,
            shown: &all[first..end],
            zoom,
            right: plot.right(),
        })
    }

    /// The columns of the shown candle `j`'s body (one, or two at zoom 3).
    fn body(&self, j: usize) -> std::ops::Range<u16> {
        let back = u16::try_from(self.shown.len() - j).unwrap_or(u16::MAX);
        let x = self.right.saturating_sub(back.saturating_mul(self.zoom));
        x..x + if self.zoom >= 3 { 2 } else { 1 }
    }

    fn is_forming(&self, j: usize, forming: bool) -> bool {
        forming && self.first + j + 1 == self.all.len()
    }

    /// The bar length, from the last two candles (a minute when there is only one).
    fn interval(&self) -> i64 {
        match self.all {
            [.., a, b] if b.open_time > a.open_time => b.open_time - a.open_time,
            _ => crate::market::time::MINUTE_MS,
        }
    }

    /// The shown candle whose span `[open_time, next open_time)` contains `time`.
    fn at_time(&self, time: i64) -> Option<usize> {
        let i = self
            .all
            .partition_point(|c| c.open_time <= time)
            .checked_sub(1)?;
        let end = self.all.get(i + 1).map_or_else(
            || self.all[i].open_time.saturating_add(self.interval()),
            |next| next.open_time,
        );
        let shown = self.first..self.first + self.shown.len();
        (time < end && shown.contains(&i)).then(|| i - self.first)
    }
}

/// Everything one draw needs, computed once.
struct Chart<'a> {
    input: &'a ChartInput<'a>,
    style: &'a ChartStyle,
    frame: Frame,
    window: Window<'a>,
    scale: Scale,
}

impl<'a> Chart<'a> {
    fn new(input: &'a ChartInput<'a>, style: &'a ChartStyle, area: Rect) -> Option<Self> {
        let max_high = input
            .candles
            .iter()
            .map(|c| c.high)
            .filter(|h| h.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        let axis_width = scale::axis_width(area.width, input.decimals, max_high);
        let frame = Frame::new(input, area, axis_width);
        let zoom = zoom(input.columns_per_candle);
        let window = Window::new(input.candles, input.offset, frame.plot, zoom)?;
        let scale = Scale::new(window.shown, input.levels, frame.plot)?;
        Some(Self {
            input,
            style,
            frame,
            window,
            scale,
        })
    }

    fn draw(&self, buf: &mut Buffer) {
        let mut canvas = Canvas::new(self.frame.plot, self.style.text);
        axis::grid(self, &mut canvas, buf);
        candles::draw(self, &mut canvas, buf);
        marks::level_lines(self, &mut canvas, buf);
        marks::overlays(self, &mut canvas, buf);
        marks::markers(self, &mut canvas, buf);
        marks::level_labels(self, buf);
        candles::volume(self, buf);
        axis::price_axis(self, buf);
        axis::time_labels(self, buf);
        marks::legend(self, buf);
    }
}
