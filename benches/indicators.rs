//! Benchmarks of the indicators (`cargo bench --bench indicators`). Target from the indicators
//! issue: all 36 outputs of TA-Lib's reference file over the shipped BTCUSDT 1h series (58,419
//! bars) in ≤ 40 ms on one core, about what TA-Lib itself takes on the same machine. The time
//! includes writing the 36 columns.
#![allow(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort loudly"
)]

use std::{path::Path, sync::OnceLock};
use tickdesk::import::{ImportOptions, import_bytes};
use tickdesk::indicators::{build, reference_columns, reference_table};
use tickdesk::market::Candle;
use tickdesk::store::Store;

fn main() {
    divan::main();
}

/// The shipped BTCUSDT 1h series.
fn btc() -> &'static [Candle] {
    static SERIES: OnceLock<Vec<Candle>> = OnceLock::new();
    SERIES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let s = &tickdesk::samples::SAMPLES[0];
        let r = import_bytes(
            &store,
            Path::new(s.file),
            s.bytes,
            &ImportOptions::default(),
        )
        .unwrap();
        store.load(&r.key).unwrap()
    })
}

/// Every reference column over the whole series, as `tickdesk indicators` computes them.
#[divan::bench(sample_count = 30)]
fn reference_table_btc_1h(bencher: divan::Bencher) {
    let candles = btc();
    assert_eq!(candles.len(), 58_419);
    bencher.bench(|| reference_table(divan::black_box(candles)).unwrap());
}

/// Each distinct reference expression alone over the whole series (where the time goes).
#[divan::bench(args = distinct_exprs(), sample_count = 20)]
fn one_indicator(bencher: divan::Bencher, expr: &str) {
    let candles = btc();
    bencher.bench(|| {
        let (mut ind, _) = build(expr).unwrap();
        let mut last = None;
        for bar in divan::black_box(candles) {
            ind.update(bar);
            last = ind.output(0);
        }
        last
    });
}

fn distinct_exprs() -> Vec<&'static str> {
    let mut exprs = Vec::new();
    for (_, expr, _) in reference_columns() {
        if !exprs.contains(&expr) {
            exprs.push(expr);
        }
    }
    exprs
}
