//! Benchmarks of the market-data layer (`cargo bench --bench market_data`). Targets from the
//! foundation issue: loading 1.5 million candles ≤ 50 ms; importing a million rows ≤ 1 s.
//! Inputs are built from the shipped BTCUSDT 1m sample, tiled forward in time.
#![allow(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort loudly"
)]

use std::{path::PathBuf, sync::OnceLock};
use tickdesk::export::write_csv;
use tickdesk::import::{ImportOptions, import_bytes, import_file};
use tickdesk::market::{Candle, Interval, SeriesKey, resample, time::MINUTE_MS};
use tickdesk::store::{Range, Store};

fn main() {
    divan::main();
}

/// The shipped 1m sample tiled to `n` consecutive minutes.
fn tiled(n: usize) -> Vec<Candle> {
    static SAMPLE: OnceLock<Vec<Candle>> = OnceLock::new();
    let sample = SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let s = &tickdesk::samples::SAMPLES[2];
        let r = import_bytes(&store, s.file.as_ref(), s.bytes, &ImportOptions::default()).unwrap();
        store.load(&r.key).unwrap()
    });
    let t0 = sample[0].open_time;
    (0..n)
        .map(|i| Candle {
            open_time: t0 + i as i64 * MINUTE_MS,
            ..sample[i % sample.len()]
        })
        .collect()
}

fn key() -> SeriesKey {
    SeriesKey::binance("BTCUSDT".parse().unwrap(), Interval::M1)
}

/// A store holding 1.5 million 1m candles, written once in 100k-candle commits (as a fetch would).
fn big_store() -> &'static (tempfile::TempDir, Store) {
    static STORE: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let candles = tiled(1_500_000);
        let mut w = store.writer(&key()).unwrap();
        for chunk in candles.chunks(100_000) {
            let span = Range::new(
                chunk[0].open_time,
                chunk[chunk.len() - 1].open_time + MINUTE_MS,
            );
            w.insert(chunk, span).unwrap();
        }
        (dir, store)
    })
}

#[divan::bench(sample_count = 30)]
fn store_load_1_5m_candles(bencher: divan::Bencher) {
    let (_, store) = big_store();
    bencher.bench(|| {
        let candles = store.load(&key()).unwrap();
        assert_eq!(candles.len(), 1_500_000);
        candles
    });
}

/// CSV files of a million rows: our header format, and Binance's 12-column dump.
fn csv_file(binance: bool) -> PathBuf {
    static FILES: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    let (_, plain, dump) = FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let candles = tiled(1_000_000);
        let plain = dir.path().join("BTCUSDT-1m.csv");
        write_csv(&candles, std::fs::File::create(&plain).unwrap()).unwrap();
        let dump = dir.path().join("BTCUSDT-1m-2025-05.csv");
        let rows: Vec<String> = candles
            .iter()
            .map(|c| {
                let close = c.open_time + MINUTE_MS - 1;
                format!(
                    "{}000,{:.8},{:.8},{:.8},{:.8},{:.8},{close}999,0,1,0,0,0",
                    c.open_time, c.open, c.high, c.low, c.close, c.volume
                )
            })
            .collect();
        std::fs::write(&dump, rows.join("\n")).unwrap();
        (dir, plain, dump)
    });
    if binance { dump.clone() } else { plain.clone() }
}

#[divan::bench(args = [false, true], sample_count = 10)]
fn import_1m_rows(bencher: divan::Bencher, binance_dump: bool) {
    let file = csv_file(binance_dump);
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path()).unwrap();
            (dir, store)
        })
        .bench_local_values(|(dir, store)| {
            let r = import_file(&store, &file, &ImportOptions::default()).unwrap();
            assert_eq!(r.rows, 1_000_000);
            (dir, store)
        });
}

#[divan::bench(sample_count = 20)]
fn resample_1_5m_minutes_to_hours(bencher: divan::Bencher) {
    let candles = tiled(1_500_000);
    bencher.bench(|| {
        resample(&candles, Interval::M1, Interval::H1)
            .unwrap()
            .len()
    });
}
