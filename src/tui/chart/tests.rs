#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use super::*;
use crate::market::time::{DAY_MS, HOUR_MS, MINUTE_MS, days_from_civil};
use ratatui::style::{Color, Modifier};

fn t0() -> i64 {
    days_from_civil(2024, 3, 1) * DAY_MS + 13 * HOUR_MS
}

fn candle(i: usize, open: f64, close: f64, wick: (f64, f64), volume: f64) -> Candle {
    Candle {
        open_time: t0() + i as i64 * MINUTE_MS,
        open,
        high: open.max(close) + wick.0,
        low: open.min(close) - wick.1,
        close,
        volume,
    }
}

/// 40 one-minute candles: a climb from 100 with a few red candles and a doji (20), no volume at
/// 15, then a drop from 128; the last one is forming.
fn series() -> Vec<Candle> {
    let mut out: Vec<Candle> = (0..28)
        .map(|i| {
            let open = 100.0 + i as f64;
            let close = match i {
                20 => open,
                _ if i % 7 == 3 => open - 0.6,
                _ => open + 0.8,
            };
            let volume = if i == 15 {
                0.0
            } else {
                10.0 + (i % 5) as f64 * 3.0
            };
            candle(i, open, close, (0.5, 0.4), volume)
        })
        .collect();
    out.extend((28..40).map(|i| {
        let open = 128.0 - (i - 28) as f64 * 1.5;
        candle(i, open, open - 1.2, (0.3, 0.5), 25.0 + (i % 3) as f64 * 8.0)
    }));
    out
}

fn sma(candles: &[Candle], n: usize) -> Vec<Option<f64>> {
    (0..candles.len())
        .map(|i| {
            (i + 1 >= n)
                .then(|| candles[i + 1 - n..=i].iter().map(|c| c.close).sum::<f64>() / n as f64)
        })
        .collect()
}

fn style() -> ChartStyle {
    let fg = |c| Style::default().fg(c);
    ChartStyle {
        up: fg(Color::Green),
        down: fg(Color::Red),
        volume: Style::default(),
        axis: fg(Color::Gray),
        grid: fg(Color::DarkGray),
        buy: fg(Color::Cyan),
        sell: fg(Color::Magenta),
        order: fg(Color::Yellow),
        overlays: [
            fg(Color::Blue),
            fg(Color::LightBlue),
            fg(Color::LightGreen),
            fg(Color::LightRed),
        ],
        text: Style::default(),
    }
}

struct Scene {
    candles: Vec<Candle>,
    sma: Vec<Option<f64>>,
    markers: Vec<Marker>,
    levels: Vec<Level>,
}

fn scene() -> Scene {
    let candles = series();
    let sma = sma(&candles, 5);
    let markers = vec![
        Marker {
            time: candles[8].open_time + 30_000,
            price: candles[8].low + 0.1,
            side: Side::Buy,
        },
        Marker {
            time: candles[27].open_time,
            price: candles[27].high,
            side: Side::Sell,
        },
    ];
    let levels = vec![Level {
        price: 104.0,
        side: Side::Buy,
        label: "B 0.50".into(),
    }];
    Scene {
        candles,
        sma,
        markers,
        levels,
    }
}

fn draw(input: &ChartInput<'_>, width: u16, height: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    render(input, &style(), buf.area, &mut buf);
    buf
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            let row: String = (area.left()..area.right())
                .map(|x| buf[(x, y)].symbol())
                .collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render_scene(scene: &Scene, zoom: u16, width: u16, height: u16) -> Buffer {
    let overlays = [Overlay {
        label: "SMA5",
        values: &scene.sma,
        slot: 0,
    }];
    let input = ChartInput {
        candles: &scene.candles,
        forming: true,
        overlays: &overlays,
        markers: &scene.markers,
        levels: &scene.levels,
        offset: 0,
        columns_per_candle: zoom,
        volume: true,
        decimals: 2,
    };
    draw(&input, width, height)
}

fn plain(candles: &[Candle], zoom: u16, offset: usize) -> ChartInput<'_> {
    ChartInput {
        candles,
        forming: false,
        overlays: &[],
        markers: &[],
        levels: &[],
        offset,
        columns_per_candle: zoom,
        volume: false,
        decimals: 2,
    }
}

#[test]
fn snapshot_80x20_zoom_2() {
    insta::assert_snapshot!(
        "chart_80x20_zoom2",
        text(&render_scene(&scene(), 2, 80, 20))
    );
}

#[test]
fn snapshot_40x12_dense() {
    insta::assert_snapshot!(
        "chart_40x12_zoom1",
        text(&render_scene(&scene(), 1, 40, 12))
    );
}

#[test]
fn snapshot_80x20_zoom_3() {
    insta::assert_snapshot!(
        "chart_80x20_zoom3",
        text(&render_scene(&scene(), 3, 80, 20))
    );
}

/// Cells whose symbol is `symbol`, with their foreground, in rows `rows`.
fn cells(buf: &Buffer, symbol: &str, rows: std::ops::Range<u16>) -> Vec<(u16, u16, Color)> {
    rows.flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].symbol() == symbol)
        .map(|(x, y)| (x, y, buf[(x, y)].fg))
        .collect()
}

#[test]
fn colours_follow_direction_and_side() {
    let buf = render_scene(&scene(), 2, 80, 20);
    // Rows 1..15 are the price plot (legend above, volume and times below).
    let up = cells(&buf, "┃", 1..15);
    let down = cells(&buf, "█", 1..15);
    assert!(!up.is_empty() && !down.is_empty());
    assert!(up.iter().all(|c| c.2 == Color::Green), "{up:?}");
    assert!(down.iter().all(|c| c.2 == Color::Red), "{down:?}");
    let buys = cells(&buf, "▲", 1..15);
    let sells = cells(&buf, "▼", 1..15);
    assert_eq!(buys.len(), 1);
    assert_eq!(sells.len(), 1);
    assert_eq!(buys[0].2, Color::Cyan);
    assert_eq!(sells[0].2, Color::Magenta);
    assert!(cells(&buf, "╌", 1..15).iter().all(|c| c.2 == Color::Yellow));
    assert!(cells(&buf, "•", 1..15).iter().all(|c| c.2 == Color::Blue));
}

#[test]
fn forming_candle_is_dim_and_dashed() {
    let mut candles = series();
    let last = candles.len() - 1;
    candles[last] = candle(last, 110.0, 125.0, (0.5, 0.5), 30.0);
    let mut input = plain(&candles, 1, 0);
    input.forming = true;
    let buf = draw(&input, 40, 12);
    let column = cells(&buf, "┇", 0..11);
    assert!(!column.is_empty());
    let (x, y, _) = column[0];
    assert!(buf[(x, y)].modifier.contains(Modifier::DIM));
    assert!(cells(&buf, "┃", 0..11).iter().all(|c| c.0 != x));
}

#[test]
fn level_off_the_plot_is_clamped_with_an_arrow() {
    let candles = series();
    let levels = [
        Level {
            price: 500.0,
            side: Side::Sell,
            label: "S 1".into(),
        },
        Level {
            price: 5.0,
            side: Side::Buy,
            label: "B 2".into(),
        },
    ];
    let mut input = plain(&candles, 1, 0);
    input.levels = &levels;
    let rows: Vec<String> = text(&draw(&input, 40, 12))
        .lines()
        .map(str::to_string)
        .collect();
    assert!(rows[0].contains("↑S 1"), "{rows:?}");
    assert!(rows[10].contains("↓B 2"), "{rows:?}");
}

/// A deterministic wobbly series around 100 (a small LCG, no dependencies).
fn wobbly(n: usize) -> Vec<Candle> {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as f64 / f64::from(1u32 << 31)
    };
    (0..n)
        .map(|i| {
            let open = 100.0 + next() * 10.0;
            let close = 100.0 + next() * 10.0;
            candle(i, open, close, (next(), next()), 1.0 + next() * 50.0)
        })
        .collect()
}

fn max_high(candles: &[Candle]) -> f64 {
    candles
        .iter()
        .map(|c| c.high)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The axis's column: where the top plot row's first tick is.
fn axis_x(buf: &Buffer, y: u16) -> u16 {
    (0..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == "┤")
        .unwrap()
}

fn is_ink(buf: &Buffer, x: u16, y: u16) -> bool {
    !matches!(buf[(x, y)].symbol(), " " | "·")
}

#[test]
fn extreme_candles_touch_the_plot_edges() {
    let candles = wobbly(150);
    for (width, height) in [(80, 20), (40, 12), (30, 8), (10, 4)] {
        for zoom in 1..=3 {
            let buf = draw(&plain(&candles, zoom, 0), width, height);
            let n = visible_candles(width, zoom, 2, max_high(&candles));
            let shown = &candles[candles.len() - n..];
            let right = axis_x(&buf, 0);
            let x_of = |j: usize| right - (n - j) as u16 * zoom;
            let top = (0..n)
                .max_by(|&a, &b| shown[a].high.total_cmp(&shown[b].high))
                .unwrap();
            let bottom = (0..n)
                .min_by(|&a, &b| shown[a].low.total_cmp(&shown[b].low))
                .unwrap();
            assert!(
                is_ink(&buf, x_of(top), 0),
                "{width}x{height} zoom {zoom}\n{}",
                text(&buf)
            );
            assert!(
                is_ink(&buf, x_of(bottom), height - 2),
                "{width}x{height} zoom {zoom}"
            );
            // Nothing of the candles' range lies outside the plot rows.
            assert!(
                (0..right)
                    .all(|x| !is_ink(&buf, x, height - 1)
                        || buf[(x, height - 1)].symbol().is_ascii())
            );
        }
    }
}

#[test]
fn scrolling_shifts_the_same_cells() {
    let mut candles = wobbly(120);
    candles[108].high = 130.0;
    candles[108].volume = 500.0;
    candles[109].low = 80.0;
    let sma = sma(&candles, 7);
    let overlays = [Overlay {
        label: "SMA7",
        values: &sma,
        slot: 1,
    }];
    for zoom in 1..=3 {
        let shift = 5;
        let input = |offset| ChartInput {
            overlays: &overlays,
            volume: true,
            ..plain(&candles, zoom, offset)
        };
        let now = draw(&input(0), 60, 20);
        let back = draw(&input(shift), 60, 20);
        let right = axis_x(&now, 1);
        assert_eq!(right, axis_x(&back, 1));
        let moved = shift as u16 * zoom;
        let left = right % zoom;
        for y in 1..19 {
            for x in left..right - moved {
                assert_eq!(
                    now[(x, y)],
                    back[(x + moved, y)],
                    "zoom {zoom} at ({x}, {y})"
                );
            }
        }
    }
}

#[test]
fn visible_candles_matches_what_is_drawn() {
    for candles in [wobbly(300), wobbly(7)] {
        for width in [10, 17, 40, 80, 133] {
            for zoom in 1..=3 {
                let buf = draw(&plain(&candles, zoom, 0), width, 10);
                let right = axis_x(&buf, 0);
                let columns = (0..right)
                    .filter(|&x| (0..9).any(|y| is_ink(&buf, x, y)))
                    .count();
                let body = if zoom == 3 { 2 } else { 1 };
                let fit = visible_candles(width, zoom, 2, max_high(&candles));
                assert_eq!(
                    columns / body,
                    fit.min(candles.len()),
                    "width {width} zoom {zoom}"
                );
            }
        }
    }
}

#[test]
fn rendering_is_pure() {
    let scene = scene();
    let clean = render_scene(&scene, 2, 80, 20);
    let mut dirty = Buffer::filled(Rect::new(0, 0, 80, 20), ratatui::buffer::Cell::new("x"));
    let overlays = [Overlay {
        label: "SMA5",
        values: &scene.sma,
        slot: 0,
    }];
    let input = ChartInput {
        candles: &scene.candles,
        forming: true,
        overlays: &overlays,
        markers: &scene.markers,
        levels: &scene.levels,
        offset: 0,
        columns_per_candle: 2,
        volume: true,
        decimals: 2,
    };
    render(&input, &style(), dirty.area, &mut dirty);
    assert_eq!(clean, dirty);
}

fn flat(n: usize, price: f64) -> Vec<Candle> {
    (0..n)
        .map(|i| candle(i, price, price, (0.0, 0.0), 1.0))
        .collect()
}

fn scaled(by: f64) -> Vec<Candle> {
    wobbly(60)
        .into_iter()
        .map(|c| Candle {
            open: c.open * by,
            high: c.high * by,
            low: c.low * by,
            close: c.close * by,
            ..c
        })
        .collect()
}

#[test]
fn degenerate_inputs_never_panic() {
    let nan_values = vec![Some(f64::NAN), None, Some(f64::INFINITY), Some(-1e300)];
    let overlays = [Overlay {
        label: "NaN",
        values: &nan_values,
        slot: 7,
    }];
    let markers = [
        Marker {
            time: i64::MIN,
            price: f64::NAN,
            side: Side::Buy,
        },
        Marker {
            time: i64::MAX,
            price: 1.0,
            side: Side::Sell,
        },
    ];
    let levels = [
        Level {
            price: f64::NAN,
            side: Side::Buy,
            label: String::new(),
        },
        Level {
            price: f64::INFINITY,
            side: Side::Sell,
            label: "a very long label indeed".repeat(9),
        },
        Level {
            price: -5.0,
            side: Side::Buy,
            label: "neg".into(),
        },
    ];
    let mut broken = wobbly(5);
    broken[2].high = f64::NAN;
    broken[3].low = f64::NEG_INFINITY;
    broken[4].close = f64::NAN;
    broken[1].volume = f64::NAN;
    let series: Vec<(&str, Vec<Candle>, usize)> = vec![
        ("empty", vec![], 2),
        ("one", wobbly(1), 2),
        ("flat", flat(30, 100.0), 2),
        ("flat zero", flat(3, 0.0), 2),
        ("huge", scaled(1e7), 2),
        ("tiny", scaled(1e-10), 10),
        ("broken", broken, 2),
        ("many decimals", wobbly(30), 400),
    ];
    let sizes = [
        (0, 0),
        (1, 1),
        (9, 3),
        (10, 4),
        (10, 12),
        (12, 5),
        (80, 24),
        (300, 3),
        (3, 300),
    ];
    for (name, candles, decimals) in &series {
        for (width, height) in sizes {
            for (zoom, offset) in [(0, 0), (1, 10_000), (3, usize::MAX), (99, 1)] {
                let input = ChartInput {
                    overlays: &overlays,
                    markers: &markers,
                    levels: &levels,
                    forming: true,
                    volume: true,
                    decimals: *decimals,
                    ..plain(candles, zoom, offset)
                };
                let buf = draw(&input, width, height);
                if candles.is_empty() && width >= 14 && height >= 4 {
                    assert!(text(&buf).contains("no candles yet"), "{name}");
                }
            }
        }
    }
    // An area reaching past the buffer is clipped to it.
    let candles = wobbly(50);
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
    render(
        &plain(&candles, 1, 0),
        &style(),
        Rect::new(60, 20, 40, 10),
        &mut buf,
    );
}

#[test]
fn flat_and_extreme_prices_get_readable_axes() {
    let flat = flat(30, 100.0);
    let lines = text(&draw(&plain(&flat, 1, 0), 40, 10));
    assert!(
        lines.contains("100.50") && lines.contains("99.50"),
        "{lines}"
    );
    let huge = scaled(1e7);
    let lines = text(&draw(&plain(&huge, 1, 0), 40, 10));
    assert!(lines.lines().any(|l| l.contains("┤10")), "{lines}");
    let tiny = scaled(1e-10);
    let input = ChartInput {
        decimals: 10,
        ..plain(&tiny, 1, 0)
    };
    let lines = text(&draw(&input, 40, 10));
    assert!(lines.contains("0.0000000"), "{lines}");
}

#[test]
fn time_labels_are_utc_dates_past_a_day() {
    let hourly: Vec<Candle> = wobbly(80)
        .into_iter()
        .enumerate()
        .map(|(i, c)| Candle {
            open_time: t0() + i as i64 * HOUR_MS,
            ..c
        })
        .collect();
    let lines = text(&draw(&plain(&hourly, 1, 0), 60, 10));
    let times = lines.lines().last().unwrap();
    assert!(
        times.contains("03-03") && times.contains("03-04"),
        "{lines}"
    );
    assert!(!times.contains(':'), "{lines}");
    // Midnight UTC candles carry the labels: 03-03 sits under candle 35 (2024-03-03 00:00).
    let right = axis_x(&draw(&plain(&hourly, 1, 0), 60, 10), 0);
    let n = visible_candles(60, 1, 2, max_high(&hourly));
    let x = right as usize - n + (35 - (hourly.len() - n));
    assert_eq!(
        times.find("03-03").map(|b| times[..b].chars().count()),
        Some(x)
    );
}
