//! Engine speed (`cargo bench --bench backtest`): the sma_cross 10/30 backtest, event by event
//! through the trading core and the simulated exchange, including the equity curve, round trips
//! and metrics. Target ≥ 20 million bars/s on the BTCUSDT 1h series (58,419 bars) and on a
//! 1.5-million-bar 1m series: the shared 130,708 BTCUSDT minutes (`../shared/data/csv`) tiled
//! forward in time when present, else the shipped twelve days of minutes.
#![allow(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort loudly"
)]

use rust_decimal::Decimal;
use std::sync::OnceLock;
use tickdesk::backtest::{self, Feed, Spec};
use tickdesk::import::{ImportOptions, import_bytes};
use tickdesk::market::{Candle, Interval, time::MINUTE_MS};
use tickdesk::store::Store;

fn main() {
    divan::main();
}

fn shipped(file: &str) -> Vec<Candle> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let s = tickdesk::samples::SAMPLES
        .iter()
        .find(|s| s.file == file)
        .unwrap();
    let r = import_bytes(&store, s.file.as_ref(), s.bytes, &ImportOptions::default()).unwrap();
    store.load(&r.key).unwrap()
}

fn btc_1h() -> &'static Vec<Candle> {
    static C: OnceLock<Vec<Candle>> = OnceLock::new();
    C.get_or_init(|| shipped("BTCUSDT-1h.csv.gz"))
}

/// The minutes to tile: the shared data set's when it is beside the repository, else the shipped.
fn source_minutes() -> Vec<Candle> {
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/csv/BTCUSDT-1m.csv");
    if shared.exists() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let r = tickdesk::import::import_file(&store, &shared, &ImportOptions::default()).unwrap();
        eprintln!("tiling the shared {} BTCUSDT minutes", r.rows);
        return store.load(&r.key).unwrap();
    }
    eprintln!("../shared not found: tiling the shipped BTCUSDT minutes");
    shipped("BTCUSDT-1m.csv.gz")
}

/// 1.5 million consecutive minutes, the source repeated. Each repeat is scaled so prices stay
/// continuous (no artificial jump where the copies meet).
fn minutes_1_5m() -> &'static Vec<Candle> {
    static C: OnceLock<Vec<Candle>> = OnceLock::new();
    C.get_or_init(|| {
        let sample = source_minutes();
        let t0 = sample[0].open_time;
        let drift = sample[sample.len() - 1].close / sample[0].open;
        (0..1_500_000usize)
            .map(|i| {
                let c = sample[i % sample.len()];
                let k = drift.powi((i / sample.len()) as i32);
                let p = |x: f64| (x * k * 100.0).round() / 100.0;
                Candle {
                    open_time: t0 + i as i64 * MINUTE_MS,
                    open: p(c.open),
                    high: p(c.high),
                    low: p(c.low),
                    close: p(c.close),
                    volume: c.volume,
                }
            })
            .collect()
    })
}

fn spec(interval: Interval) -> Spec {
    let mut s = Spec::new("sma_cross", vec!["BTCUSDT".parse().unwrap()], interval);
    s.filters = false;
    s.maker_fee = Decimal::new(1, 3);
    s.taker_fee = Decimal::new(1, 3);
    s
}

fn run(bencher: divan::Bencher, candles: &'static [Candle], interval: Interval) {
    let feed = Feed::new(interval, vec![candles.to_vec()]);
    let spec = spec(interval);
    bencher
        .counter(divan::counter::ItemsCount::new(candles.len()))
        .bench(|| {
            backtest::run(&spec, &feed, None)
                .unwrap()
                .metrics
                .final_equity
        });
}

#[divan::bench(sample_count = 50)]
fn sma_cross_btcusdt_1h(bencher: divan::Bencher) {
    run(bencher, btc_1h(), Interval::H1);
}

#[divan::bench(sample_count = 10)]
fn sma_cross_1_5m_minutes(bencher: divan::Bencher) {
    run(bencher, minutes_1_5m(), Interval::M1);
}
