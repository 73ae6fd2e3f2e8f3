//! The terminal report of a backtest.

use crate::backtest::{Outcome, Spec};
use crate::market::time::Utc;
use std::fmt::Write;

const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `values` squeezed into `width` block characters (each the last value of its slice).
/// `values` cut to at most `width` points: the last value of each equal bucket (a curve's shape
/// at a glance, ending on its final value).
pub fn downsample(values: &[f64], width: usize) -> Vec<f64> {
    let step = values.len().div_ceil(width.max(1)).max(1);
    values
        .chunks(step)
        .filter_map(|c| c.last().copied())
        .collect()
}

/// Formats a count with thousands separators: 58419 → 58,419.
pub fn thousands(n: impl Into<i128>) -> String {
    let s = n.into().to_string();
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

pub fn sparkline(values: &[f64], width: usize) -> String {
    if values.is_empty() || width == 0 {
        return String::new();
    }
    let points = downsample(values, width);
    let (lo, hi) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    points
        .iter()
        .map(|&v| {
            let k = if hi > lo {
                ((v - lo) / (hi - lo) * 7.0).round() as usize
            } else {
                3
            };
            BLOCKS[k.min(7)]
        })
        .collect()
}

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.2} %"))
}

fn num(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

/// The metrics as (label, formatted value) rows, shared by the text and HTML reports.
pub fn metric_rows(o: &Outcome) -> Vec<(&'static str, String)> {
    let m = &o.metrics;
    vec![
        ("final equity", format!("{:.2}", m.final_equity)),
        ("total return", pct(Some(m.total_return_pct))),
        ("buy & hold", pct(Some(m.buy_and_hold_return_pct))),
        ("CAGR", pct(m.cagr_pct)),
        ("volatility (ann.)", pct(m.volatility_pct)),
        ("Sharpe (per bar, ann.)", num(m.sharpe.per_bar_annualized)),
        ("Sharpe (daily, ann.)", num(m.sharpe.daily_annualized)),
        ("Sortino", num(m.sortino)),
        ("Calmar", num(m.calmar)),
        ("max drawdown", pct(Some(m.max_drawdown_pct))),
        (
            "longest drawdown",
            format!("{:.1} days", m.max_drawdown_duration_days),
        ),
        ("exposure", pct(Some(m.exposure_pct))),
        ("trades", m.trades.to_string()),
        ("win rate", pct(m.win_rate_pct)),
        ("profit factor", num(m.profit_factor)),
        ("expectancy / trade", num(m.expectancy)),
        (
            "avg win / avg loss",
            format!("{} / {}", num(m.avg_win), num(m.avg_loss)),
        ),
        ("fees paid", format!("{:.2}", m.fees_paid)),
    ]
}

/// The run's money and matching settings on one line.
pub fn settings_line(s: &Spec) -> String {
    format!(
        "cash {} · fees maker {} taker {} · slippage {} bps · fills {} · filters {}{}",
        s.cash,
        s.maker_fee,
        s.taker_fee,
        s.slippage_bps,
        s.fill,
        if s.filters { "on" } else { "off" },
        s.detail
            .map(|d| format!(" · detail {d}"))
            .unwrap_or_default()
    )
}

pub fn text(o: &Outcome) -> String {
    let s = &o.spec;
    let mut out = String::new();
    let symbols: Vec<String> = s.symbols.iter().map(|x| x.to_string()).collect();
    let params: Vec<String> = o.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let span = match (o.open_times.first(), o.open_times.last()) {
        (Some(&a), Some(&b)) => format!("{} → {}", Utc(a), Utc(b)),
        _ => "no bars".into(),
    };
    let _ = writeln!(
        out,
        "{} {} on {} {} · {span} · {} bars",
        s.strategy,
        params.join(" "),
        symbols.join(","),
        s.interval,
        o.open_times.len()
    );
    let _ = writeln!(out, "{}", settings_line(s));
    if let Some(risk) = s.risk.summary() {
        let _ = writeln!(out, "risk: {risk}");
    }
    if o.interrupted {
        let _ = writeln!(
            out,
            "INTERRUPTED: the figures cover the bars replayed before the stop"
        );
    }
    let _ = writeln!(out, "\nequity  {}", sparkline(&o.equity, 60));
    let rows = metric_rows(o);
    for (k, v) in rows {
        let _ = writeln!(out, "  {k:<24}{v:>16}");
    }
    trade_summary(o, &mut out);
    if !o.refused.is_empty() {
        let counts: Vec<String> = o.refused.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
        let _ = writeln!(out, "\norders refused: {}", counts.join(", "));
        for r in o.refusal_samples.iter().take(5) {
            let _ = writeln!(out, "  {r}");
        }
    }
    for h in &o.halts {
        let _ = writeln!(out, "\ntrading halted at {} UTC: {}", Utc(h.at), h.reason);
    }
    if !o.unknown_filters.is_empty() {
        let _ = writeln!(
            out,
            "\nnote: no published filters for {}; permissive rules were used",
            o.unknown_filters.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nengine {:.3} s · {:.0} bars/s",
        o.timing.engine_seconds, o.timing.bars_per_second
    );
    out
}

fn trade_summary(o: &Outcome, out: &mut String) {
    let best = o.trades.iter().max_by(|a, b| a.pnl.total_cmp(&b.pnl));
    let worst = o.trades.iter().min_by(|a, b| a.pnl.total_cmp(&b.pnl));
    if let (Some(b), Some(w)) = (best, worst) {
        let _ = writeln!(
            out,
            "\nbest trade   {:+.2} ({} → {})",
            b.pnl,
            Utc(b.entry_time_ms),
            Utc(b.exit_time_ms)
        );
        let _ = writeln!(
            out,
            "worst trade  {:+.2} ({} → {})",
            w.pnl,
            Utc(w.entry_time_ms),
            Utc(w.exit_time_ms)
        );
    }
    for t in &o.open_trades {
        let _ = writeln!(
            out,
            "open         {} {} since {} at {:.2}",
            t.qty,
            t.symbol,
            Utc(t.entry_time_ms),
            t.entry_price
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_spans_the_range() {
        assert_eq!(
            sparkline(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 8),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&[5.0; 100], 10).chars().count(), 10);
        assert_eq!(sparkline(&[], 10), "");
    }
}
