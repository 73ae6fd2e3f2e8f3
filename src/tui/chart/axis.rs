//! The axes: price labels on the right (ticks `┤`, the newest shown close as a reversed tag, the
//! volume strip's maximum), grid dots along the labelled rows, and UTC time labels on the bottom
//! row at round times (`HH:MM`, or `MM-DD` when the shown span exceeds a day).

use super::candles::{candle_style, max_volume};
use super::canvas::{Canvas, Ink};
use super::scale::{compact, price_label};
use super::{Chart, put_str};
use crate::market::time::{DAY_MS, HOUR_MS, MINUTE_MS, civil_from_days};
use ratatui::{buffer::Buffer, style::Modifier};

/// Round label steps, in minutes; longer steps are whole days.
const STEPS: [i64; 16] = [
    1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10_080, 20_160,
];
/// "HH:MM" or "MM-DD".
const TIME_WIDTH: u16 = 5;
/// Columns between two time labels.
const TIME_GAP: u16 = 2;

/// Grid dots on the labelled rows, at every other candle (by index, so they scroll with it).
pub(super) fn grid(chart: &Chart<'_>, canvas: &mut Canvas, buf: &mut Buffer) {
    let window = &chart.window;
    for (y, _) in chart.scale.labels(chart.input.decimals) {
        for j in (0..window.shown.len()).filter(|j| (window.first + j).is_multiple_of(2)) {
            let x = window.body(j).start;
            canvas.put(buf, (x, y), "·", chart.style.grid, Ink::Grid);
        }
    }
}

pub(super) fn price_axis(chart: &Chart<'_>, buf: &mut Buffer) {
    let (frame, style) = (&chart.frame, chart.style);
    let axis = style.text.patch(style.axis);
    let label_width = usize::from(frame.axis_width.saturating_sub(1));
    let end = frame.volume.map_or(frame.plot.bottom(), |v| v.bottom());
    for y in frame.plot.top()..end {
        put_str(buf, (frame.axis_x, y), "│", 1, axis);
    }
    for (y, price) in chart.scale.labels(chart.input.decimals) {
        let label = price_label(price, chart.input.decimals);
        put_str(
            buf,
            (frame.axis_x, y),
            &format!("┤{label}"),
            label_width + 1,
            axis,
        );
    }
    if let Some(volume) = frame.volume {
        let max = compact(max_volume(chart.window.shown));
        let volume_style = axis.patch(style.volume);
        put_str(
            buf,
            (frame.axis_x, volume.y),
            &format!("┤{max}"),
            label_width + 1,
            volume_style,
        );
    }
    last_close(chart, buf, label_width);
}

/// The newest shown candle's close: a reversed tag in its candle's colour.
fn last_close(chart: &Chart<'_>, buf: &mut Buffer, label_width: usize) {
    let Some(c) = chart.window.shown.last() else {
        return;
    };
    if !c.close.is_finite() {
        return;
    }
    let style = chart.style.text.patch(candle_style(chart.style, c, false));
    let y = chart.scale.row(c.close);
    let label = price_label(c.close, chart.input.decimals);
    put_str(buf, (chart.frame.axis_x, y), "┤", 1, style);
    let tag = format!("{label:<label_width$}");
    let at = (chart.frame.axis_x + 1, y);
    put_str(
        buf,
        at,
        &tag,
        label_width,
        style.add_modifier(Modifier::REVERSED),
    );
}

/// Labels at candles opening on a round step, never closer than `TIME_GAP`; when no shown
/// candle opens on one (odd intervals, gaps), at every step-th candle instead.
pub(super) fn time_labels(chart: &Chart<'_>, buf: &mut Buffer) {
    let window = &chart.window;
    let (Some(first), Some(last)) = (window.shown.first(), window.shown.last()) else {
        return;
    };
    let daily = last.open_time - first.open_time > DAY_MS;
    let per = usize::from((TIME_WIDTH + TIME_GAP).div_ceil(window.zoom));
    let step = round_step(window.interval().saturating_mul(per as i64), daily);
    let placed = place_times(chart, buf, daily, |j| {
        window.shown[j].open_time.rem_euclid(step) == 0
    });
    if placed == 0 {
        place_times(chart, buf, daily, |j| {
            (window.first + j).is_multiple_of(per)
        });
    }
}

fn place_times(
    chart: &Chart<'_>,
    buf: &mut Buffer,
    daily: bool,
    wanted: impl Fn(usize) -> bool,
) -> usize {
    let (window, plot) = (&chart.window, chart.frame.plot);
    let style = chart.style.text.patch(chart.style.axis);
    let mut free = plot.left();
    let mut placed = 0;
    for j in (0..window.shown.len()).filter(|&j| wanted(j)) {
        let x = window.body(j).start;
        if x < free || x + TIME_WIDTH > plot.right() {
            continue;
        }
        let text = time_label(window.shown[j].open_time, daily);
        put_str(
            buf,
            (x, chart.frame.time_y),
            &text,
            usize::from(TIME_WIDTH),
            style,
        );
        free = x + TIME_WIDTH + TIME_GAP;
        placed += 1;
    }
    placed
}

/// The smallest round step of at least `want` ms (at least a day when labels are dates).
fn round_step(want: i64, daily: bool) -> i64 {
    let want = if daily { want.max(DAY_MS) } else { want };
    STEPS
        .iter()
        .map(|m| m * MINUTE_MS)
        .find(|&step| step >= want)
        .unwrap_or_else(|| (want / DAY_MS).saturating_add(1).saturating_mul(DAY_MS))
}

fn time_label(ms: i64, daily: bool) -> String {
    if daily {
        let (_, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
        format!("{month:02}-{day:02}")
    } else {
        let rem = ms.rem_euclid(DAY_MS);
        format!("{:02}:{:02}", rem / HOUR_MS, rem % HOUR_MS / MINUTE_MS)
    }
}
