//! How a backtest is shown: a text report for the terminal, the machine-readable JSON of `--json`,
//! and a self-contained HTML page (`--report`) with the equity curve, drawdown and trades drawn on
//! the price chart as inline SVG (no scripts, no network).

mod html;
mod text;

pub use html::html;
pub use text::{downsample, settings_line, sparkline, text, thousands};

use crate::backtest::Outcome;
use serde_json::{Value, json};

/// The `--json` document: the run, its metrics, every trade, the position left open, and timing.
pub fn json(o: &Outcome) -> Value {
    let m = &o.metrics;
    json!({
        "strategy": o.spec.strategy,
        "params": o.params,
        "symbols": o.spec.symbols,
        "interval": o.spec.interval,
        "settings": {
            "cash": o.spec.cash,
            "maker_fee": o.spec.maker_fee,
            "taker_fee": o.spec.taker_fee,
            "slippage_bps": o.spec.slippage_bps,
            "fill": o.spec.fill,
            "filters": o.spec.filters,
            "detail": o.spec.detail,
        },
        "bars": o.open_times.len(),
        "first_open_time_ms": o.open_times.first(),
        "last_open_time_ms": o.open_times.last(),
        "trades": o.trades,
        "open_trade": o.open_trades.first(),
        "open_trades": o.open_trades,
        "final_equity": m.final_equity,
        "total_return_pct": m.total_return_pct,
        "max_drawdown_pct": m.max_drawdown_pct,
        "sharpe": m.sharpe,
        "metrics": m,
        "refused": o.refused,
        "halts": o.halts,
        "risk": o.spec.risk,
        "timing": o.timing,
        "interrupted": o.interrupted,
    })
}
