//! What each plot cell holds, so later layers know what they may cover: level lines take only
//! empty or grid cells, overlays never cover a candle body.

use ratatui::{buffer::Buffer, layout::Rect, style::Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ink {
    Empty,
    Grid,
    Level,
    Wick,
    Body,
    Overlay,
    Marker,
}

pub(super) struct Canvas {
    area: Rect,
    base: Style,
    ink: Vec<Ink>,
}

impl Canvas {
    pub fn new(area: Rect, base: Style) -> Self {
        Self {
            area,
            base,
            ink: vec![Ink::Empty; usize::from(area.width) * usize::from(area.height)],
        }
    }

    fn index(&self, x: u16, y: u16) -> Option<usize> {
        self.area.contains((x, y).into()).then(|| {
            usize::from(y - self.area.y) * usize::from(self.area.width)
                + usize::from(x - self.area.x)
        })
    }

    /// The ink at a cell; outside the plot counts as a body (nothing may draw there).
    pub fn ink(&self, x: u16, y: u16) -> Ink {
        self.index(x, y).map_or(Ink::Body, |i| self.ink[i])
    }

    /// Paints one cell of the plot in `style` over the base style; outside the plot, nothing.
    pub fn put(&mut self, buf: &mut Buffer, at: (u16, u16), symbol: &str, style: Style, ink: Ink) {
        let Some(i) = self.index(at.0, at.1) else {
            return;
        };
        if let Some(cell) = buf.cell_mut(at) {
            cell.reset();
            cell.set_symbol(symbol).set_style(self.base.patch(style));
            self.ink[i] = ink;
        }
    }

    /// Paints the cell only when what it holds passes `may_cover`.
    pub fn put_over(
        &mut self,
        buf: &mut Buffer,
        at: (u16, u16),
        (symbol, style, ink): (&str, Style, Ink),
        may_cover: impl Fn(Ink) -> bool,
    ) {
        if may_cover(self.ink(at.0, at.1)) {
            self.put(buf, at, symbol, style, ink);
        }
    }
}
