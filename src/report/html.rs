//! The `--report` page: one HTML file with everything inline (CSS, SVG charts), readable offline
//! and safe to mail: the run's settings and metrics, the price of the first symbol with every entry
//! (▲) and exit (▼), the equity curve, the drawdown, and the trades.

use super::text::sparkline;
use crate::backtest::Outcome;
use crate::market::{Candle, time::Utc};
use std::fmt::Write;

const W: f64 = 1000.0;
const MAX_POINTS: usize = 1500;
const MAX_TRADE_ROWS: usize = 1000;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Maps times and values onto a `W`×`h` box.
struct Frame {
    t0: f64,
    t1: f64,
    lo: f64,
    hi: f64,
    h: f64,
}

impl Frame {
    fn new(times: &[i64], values: &[f64], h: f64) -> Self {
        let (lo, hi) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::MAX, f64::MIN), |(l, x), &v| (l.min(v), x.max(v)));
        let (t0, t1) = (
            times.first().copied().unwrap_or(0) as f64,
            times.last().copied().unwrap_or(1) as f64,
        );
        Self {
            t0,
            t1: t1.max(t0 + 1.0),
            lo,
            hi: if hi > lo { hi } else { lo + 1.0 },
            h,
        }
    }

    fn x(&self, t: i64) -> f64 {
        (t as f64 - self.t0) / (self.t1 - self.t0) * W
    }

    fn y(&self, v: f64) -> f64 {
        self.h - (v - self.lo) / (self.hi - self.lo) * (self.h - 10.0) - 5.0
    }

    /// A polyline through at most `MAX_POINTS` points (the last value of each slice).
    fn path(&self, times: &[i64], values: &[f64]) -> String {
        let step = times.len().div_ceil(MAX_POINTS).max(1);
        let mut d = String::new();
        for (k, i) in (0..times.len()).step_by(step).enumerate() {
            let j = (i + step - 1).min(times.len() - 1);
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if k == 0 { "M" } else { "L" },
                self.x(times[j]),
                self.y(values[j])
            );
        }
        d
    }
}

fn svg(h: f64, body: &str, label: &str, f: &Frame) -> String {
    format!(
        r##"<svg viewBox="0 0 {W} {h}" role="img" aria-label="{label}"><rect width="{W}" height="{h}" fill="#fbfbfd"/>{body}<text x="4" y="14" class="axis">{hi:.2}</text><text x="4" y="{yb}" class="axis">{lo:.2}</text></svg>"##,
        label = esc(label),
        hi = f.hi,
        lo = f.lo,
        yb = h - 4.0
    )
}

fn price_chart(o: &Outcome, candles: &[Candle]) -> String {
    let times: Vec<i64> = candles.iter().map(|c| c.open_time).collect();
    let closes: Vec<f64> = candles.iter().map(|c| c.close).collect();
    if times.is_empty() {
        return String::new();
    }
    let f = Frame::new(&times, &closes, 320.0);
    let mut body = format!(
        r##"<path d="{}" fill="none" stroke="#555" stroke-width="1"/>"##,
        f.path(&times, &closes)
    );
    let symbol = o
        .spec
        .symbols
        .first()
        .map(|s| s.to_string())
        .unwrap_or_default();
    for t in o.trades.iter().filter(|t| *t.symbol == *symbol) {
        let colour = if t.pnl >= 0.0 { "#1a7f37" } else { "#cf222e" };
        let (x0, y0, x1, y1) = (
            f.x(t.entry_time_ms),
            f.y(t.entry_price),
            f.x(t.exit_time_ms),
            f.y(t.exit_price),
        );
        let _ = write!(
            body,
            r##"<path d="M{x0:.1},{:.1} l-3,6 h6z" fill="#1a7f37"/><path d="M{x1:.1},{:.1} l-3,-6 h6z" fill="#cf222e"/><line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="{colour}" stroke-opacity="0.35"/>"##,
            y0 + 2.0,
            y1 - 2.0
        );
    }
    svg(
        320.0,
        &body,
        &format!("{symbol} close with entries and exits"),
        &f,
    )
}

fn equity_chart(o: &Outcome) -> String {
    if o.equity.is_empty() {
        return String::new();
    }
    let f = Frame::new(&o.open_times, &o.equity, 220.0);
    let body = format!(
        r##"<path d="{}" fill="none" stroke="#0969da" stroke-width="1.5"/>"##,
        f.path(&o.open_times, &o.equity)
    );
    svg(220.0, &body, "equity", &f)
}

fn drawdown_chart(o: &Outcome) -> String {
    if o.equity.is_empty() {
        return String::new();
    }
    let mut peak = f64::MIN;
    let dd: Vec<f64> = o
        .equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            -(peak - e) / peak * 100.0
        })
        .collect();
    let mut f = Frame::new(&o.open_times, &dd, 140.0);
    f.hi = 0.0;
    let area = format!(
        "{} L{W},{:.1} L0,{:.1} Z",
        f.path(&o.open_times, &dd),
        f.y(0.0),
        f.y(0.0)
    );
    let body = format!(
        r##"<path d="{area}" fill="#cf222e" fill-opacity="0.25" stroke="#cf222e" stroke-width="1"/>"##
    );
    svg(140.0, &body, "drawdown in percent", &f)
}

fn metrics_table(o: &Outcome) -> String {
    let rows: String = super::text::metric_rows(o)
        .into_iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v)))
        .collect();
    format!("<table class=\"metrics\">{rows}</table>")
}

fn trades_table(o: &Outcome) -> String {
    let mut rows = String::new();
    for (i, t) in o.trades.iter().take(MAX_TRADE_ROWS).enumerate() {
        let class = if t.pnl >= 0.0 { "gain" } else { "loss" };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{:.2}</td><td>{:.6}</td><td class=\"{class}\">{:.2}</td><td class=\"{class}\">{:.2} %</td></tr>",
            i + 1,
            esc(&t.symbol),
            Utc(t.entry_time_ms),
            t.entry_price,
            Utc(t.exit_time_ms),
            t.exit_price,
            t.qty,
            t.pnl,
            t.return_pct
        );
    }
    let more = o.trades.len().saturating_sub(MAX_TRADE_ROWS);
    let note = if more > 0 {
        format!("<p>… and {more} more trades (the full list is in the journal and in --json).</p>")
    } else {
        String::new()
    };
    format!(
        "<table class=\"trades\"><tr><th>#</th><th>symbol</th><th>entry (UTC)</th><th>price</th><th>exit (UTC)</th><th>price</th><th>qty</th><th>pnl</th><th>return</th></tr>{rows}</table>{note}"
    )
}

/// The whole page; `candles` are the first symbol's, for the price chart.
pub fn html(o: &Outcome, candles: &[Candle]) -> String {
    let title = format!(
        "{} on {} {}",
        o.spec.strategy,
        o.spec
            .symbols
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(","),
        o.spec.interval
    );
    let header = super::text(o)
        .lines()
        .take(2)
        .map(esc)
        .collect::<Vec<_>>()
        .join("<br>");
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{t}</title><style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1040px;color:#1f2328}}
svg{{width:100%;height:auto;display:block;margin:0.5em 0 1.5em}} .axis{{font-size:11px;fill:#666}}
table{{border-collapse:collapse}} th,td{{padding:2px 10px;text-align:right}} th{{text-align:left;font-weight:600}}
table.trades tr:nth-child(even){{background:#f6f8fa}} .gain{{color:#1a7f37}} .loss{{color:#cf222e}} code{{font-size:16px}}
</style></head><body><h1>{t}</h1><p>{header}</p><p><code>{spark}</code></p>
<h2>Metrics</h2>{metrics}<h2>Price and trades</h2>{price}<h2>Equity</h2>{equity}<h2>Drawdown</h2>{dd}<h2>Trades</h2>{trades}
<p>Made by tickdesk {v}.</p></body></html>
"#,
        t = esc(&title),
        spark = sparkline(&o.equity, 80),
        metrics = metrics_table(o),
        price = price_chart(o, candles),
        equity = equity_chart(o),
        dd = drawdown_chart(o),
        trades = trades_table(o),
        v = env!("CARGO_PKG_VERSION"),
    )
}
