//! The chart pane (candles resampled to the chosen timeframe, overlays, own fills and open orders)
//! and the order-book pane (a ladder with depth bars, spread and last trade).

use crate::indicators::Overlay;
use crate::market::{Candle, Interval, resample};
use crate::replica::{Market, Replica};
use crate::tui::chart::{self, ChartInput, ChartStyle, Level, Marker};
use crate::tui::state::Ui;
use crate::tui::theme::Theme;
use crate::tui::view::block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rust_decimal::prelude::ToPrimitive;

fn style(theme: &Theme) -> ChartStyle {
    ChartStyle {
        up: theme.gain,
        down: theme.loss,
        volume: theme.volume,
        axis: theme.muted,
        grid: theme.grid,
        buy: theme.buy_marker,
        sell: theme.sell_marker,
        order: theme.order_line,
        overlays: theme.overlays,
        text: theme.text,
    }
}

/// The market's candles (closed, then the forming one) at `tf`, the last `want` of them; and
/// whether the last is still forming.
pub fn candles_at(m: &Market, base: Interval, tf: Interval, want: usize) -> (Vec<Candle>, bool) {
    let ratio = usize::try_from((tf.approx_ms() / base.approx_ms()).max(1)).unwrap_or(1);
    let need = (want + 1).saturating_mul(ratio);
    let mut src: Vec<Candle> = m.candles.iter().rev().take(need).rev().copied().collect();
    src.extend(m.forming);
    if tf == base || !base.divides(tf) {
        let n = src.len().saturating_sub(want);
        return (src[n..].to_vec(), m.forming.is_some());
    }
    let Ok(bars) = resample(&src, base, tf) else {
        return (src, m.forming.is_some());
    };
    let partial = bars.last().is_some_and(|b| {
        b.candle.open_time + tf.approx_ms()
            > src.last().map_or(0, |c| c.open_time + base.approx_ms())
    });
    let out: Vec<Candle> = bars.iter().map(|b| b.candle).collect();
    let n = out.len().saturating_sub(want);
    (out[n..].to_vec(), partial || m.forming.is_some())
}

pub fn chart(f: &mut Frame<'_>, r: &Replica, ui: &Ui, theme: &Theme, area: Rect, focused: bool) {
    let c = &ui.chart;
    let Some(m) = r.markets.get(c.market) else {
        f.render_widget(block("Chart".into(), focused, theme), area);
        return;
    };
    let base = r.interval.unwrap_or(Interval::M1);
    let set: &[Overlay] = if c.show_overlays { &c.overlays } else { &[] };
    let warm = set.iter().map(Overlay::lookback).max().unwrap_or(0);
    let inner_w = area.width.saturating_sub(2);
    let fits = chart::visible_candles(inner_w, c.zoom, m.price_decimals, m.last.max(1.0) * 10.0);
    let (candles, forming) = candles_at(m, base, c.timeframe, fits + c.offset + warm);
    // One colour per overlay; a multi-line one (bands) is labelled once.
    let lines: Vec<(usize, bool, Vec<Option<f64>>)> = set
        .iter()
        .enumerate()
        .flat_map(|(slot, o)| {
            o.lines(&candles)
                .into_iter()
                .enumerate()
                .map(move |(i, l)| (slot, i == 0, l))
        })
        .collect();
    let overlays: Vec<chart::Overlay<'_>> = lines
        .iter()
        .map(|(slot, first, values)| chart::Overlay {
            label: if *first { set[*slot].as_str() } else { "" },
            values,
            slot: *slot,
        })
        .collect();
    let markers: Vec<Marker> = r
        .fills
        .iter()
        .filter(|x| x.market == c.market)
        .map(|x| Marker {
            time: x.time,
            price: x.price.to_f64().unwrap_or(0.0),
            side: x.side,
        })
        .collect();
    let levels: Vec<Level> = r
        .orders
        .iter()
        .filter(|o| o.market == c.market)
        .filter_map(|o| {
            let p = o.price.or(o.stop)?.to_f64()?;
            Some(Level {
                price: p,
                side: o.side,
                label: format!("#{} {}", o.id, o.kind.to_lowercase()),
            })
        })
        .collect();
    let scrolled = if c.offset > 0 {
        format!(" · ◀ {}", c.offset)
    } else {
        String::new()
    };
    let title = format!("{} {}{scrolled}", m.symbol, c.timeframe);
    let b = block(title, focused, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let input = ChartInput {
        candles: &candles,
        forming,
        overlays: &overlays,
        markers: &markers,
        levels: &levels,
        offset: c.offset,
        columns_per_candle: c.zoom,
        volume: c.volume,
        decimals: m.price_decimals,
    };
    chart::render(&input, &style(theme), inner, f.buffer_mut());
}

fn qty(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.4}")
    }
}

pub fn book(f: &mut Frame<'_>, r: &Replica, ui: &Ui, theme: &Theme, area: Rect, focused: bool) {
    let Some(m) = r.markets.get(ui.chart.market) else {
        f.render_widget(block("Order book".into(), focused, theme), area);
        return;
    };
    let b = &m.book;
    let note = if b.simulated { " · simulated" } else { "" };
    let outer = block(format!("Book {}{note}", m.symbol), focused, theme);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let rows = usize::from(inner.height.saturating_sub(2)) / 2;
    let width = usize::from(inner.width);
    let d = m.price_decimals;
    let max = b
        .bids
        .iter()
        .chain(&b.asks)
        .take(usize::MAX)
        .map(|l| l.1)
        .fold(0.0, f64::max);
    let bar = |size: f64| {
        let room = width.saturating_sub(d + 20);
        "█".repeat(((size / max.max(1e-12)) * room as f64).round() as usize)
    };
    let mut lines: Vec<Line<'_>> = Vec::new();
    let asks: Vec<_> = b.asks.iter().take(rows).collect();
    for (p, s) in asks.iter().rev() {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>w$.d$} ", p, w = d + 8), theme.ask),
            Span::styled(format!("{:>10} ", qty(*s)), theme.text),
            Span::styled(bar(*s), theme.ask),
        ]));
    }
    let spread = b.spread().map_or("—".into(), |s| format!("{s:.d$}"));
    let last = b.last_trade.map_or(String::new(), |(p, q, side)| {
        format!(
            " · last {p:.d$} × {} {}",
            qty(q),
            side.as_str().to_lowercase()
        )
    });
    lines.push(Line::from(Span::styled(
        format!("spread {spread}{last}"),
        theme.muted,
    )));
    for (p, s) in b.bids.iter().take(rows) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>w$.d$} ", p, w = d + 8), theme.bid),
            Span::styled(format!("{:>10} ", qty(*s)), theme.text),
            Span::styled(bar(*s), theme.bid),
        ]));
    }
    if b.simulated {
        lines.push(Line::from(Span::styled(
            "replay: book synthesised around the last price",
            theme.muted,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
