//! Backtests against the reference: `sma_cross` 10/30 on the real BTCUSDT and ETHUSDT 1h series,
//! filters off, must reproduce the exact-arithmetic reference (which backtrader agrees with) trade
//! for trade, with final equity, total return, max drawdown and both Sharpe figures within 1e-9
//! relative.

use crate::common::{repo, shipped_1h};
use rust_decimal::Decimal;
use serde_json::Value;
use tickdesk::backtest::{self, Feed, Spec};
use tickdesk::market::Interval;

fn reference(symbol: &str) -> Value {
    let path = repo().join(format!(
        "tests/fixtures/reference/backtest/sma_cross_10_30-{symbol}-1h.json.gz"
    ));
    serde_json::from_reader(flate2::read::GzDecoder::new(
        std::fs::File::open(path).unwrap(),
    ))
    .unwrap()
}

fn close(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1e-300) || (ours - theirs).abs() < 1e-12
}

#[track_caller]
fn assert_close(what: &str, ours: f64, theirs: &Value) {
    let theirs = theirs.as_f64().unwrap();
    assert!(
        close(ours, theirs),
        "{what}: ours {ours}, reference {theirs}, relative {:e}",
        (ours - theirs).abs() / theirs.abs()
    );
}

fn parity(symbol: &str) {
    let candles = shipped_1h(symbol);
    let mut spec = Spec::new("sma_cross", vec![symbol.parse().unwrap()], Interval::H1);
    spec.filters = false;
    spec.maker_fee = Decimal::new(1, 3);
    spec.taker_fee = Decimal::new(1, 3);
    let out = backtest::run(
        &spec,
        &Feed::new(Interval::H1, vec![candles.to_vec()]),
        None,
    )
    .unwrap();
    let r = reference(symbol);
    let theirs = r["trades"].as_array().unwrap();
    assert_eq!(
        out.trades.len(),
        theirs.len(),
        "{symbol}: number of closed trades"
    );
    for (i, (ours, t)) in out.trades.iter().zip(theirs).enumerate() {
        let at = format!("{symbol} trade {i}");
        assert_eq!(
            ours.entry_time_ms,
            t["entry_time_ms"].as_i64().unwrap(),
            "{at}: entry bar"
        );
        assert_eq!(
            ours.exit_time_ms,
            t["exit_time_ms"].as_i64().unwrap(),
            "{at}: exit bar"
        );
        assert_close(
            &format!("{at} entry price"),
            ours.entry_price,
            &t["entry_price"],
        );
        assert_close(
            &format!("{at} exit price"),
            ours.exit_price,
            &t["exit_price"],
        );
        assert_close(&format!("{at} qty"), ours.qty, &t["qty"]);
        assert_close(&format!("{at} pnl"), ours.pnl, &t["pnl"]);
    }
    match r["open_trade"].as_object() {
        Some(open) => {
            assert_eq!(
                out.open_trades.len(),
                1,
                "{symbol}: the position open at the end"
            );
            assert_eq!(
                out.open_trades[0].entry_time_ms,
                open["entry_time_ms"].as_i64().unwrap()
            );
            assert_close("open trade qty", out.open_trades[0].qty, &open["qty"]);
        }
        None => assert!(out.open_trades.is_empty(), "{symbol}: no open position"),
    }
    let m = &out.metrics;
    assert_close("final equity", m.final_equity, &r["final_equity"]);
    assert_close("total return", m.total_return_pct, &r["total_return_pct"]);
    assert_close("max drawdown", m.max_drawdown_pct, &r["max_drawdown_pct"]);
    assert_close(
        "sharpe per bar",
        m.sharpe.per_bar_annualized.unwrap(),
        &r["sharpe"]["per_bar_annualized"],
    );
    assert_close(
        "sharpe daily",
        m.sharpe.daily_annualized.unwrap(),
        &r["sharpe"]["daily_annualized"],
    );
    assert_eq!(out.equity.len(), r["bars"].as_u64().unwrap() as usize);
}

#[test]
fn sma_cross_matches_the_reference_on_btcusdt() {
    parity("BTCUSDT");
}

#[test]
fn sma_cross_matches_the_reference_on_ethusdt_including_its_exact_tie() {
    parity("ETHUSDT");
}
