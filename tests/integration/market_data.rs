//! Market data against references: 1h candles resampled from the shipped 1m data equal Binance's own
//! monthly 1h dump bit for bit where they overlap, and the properties resampling and CSV
//! export/import must keep for any input.

use crate::common::repo;
use proptest::prelude::*;
use tickdesk::export::{select, write_csv};
use tickdesk::import::{ImportOptions, import_bytes, import_file};
use tickdesk::market::{
    Bar, Candle, Interval, SeriesKey, resample, resample_bars, time::MINUTE_MS,
};
use tickdesk::store::{Range, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

/// Binance's own 1h candles for 2025-05 (data.binance.vision, µs timestamps).
fn binance_1h(symbol: &str) -> Vec<Candle> {
    let (_d, store) = store();
    let file = repo().join(format!(
        "tests/fixtures/binance-vision/{symbol}-1h-2025-05.csv"
    ));
    let r = import_file(&store, &file, &ImportOptions::default()).unwrap();
    assert_eq!(r.rows, 744);
    store.load(&r.key).unwrap()
}

#[test]
fn one_hour_candles_built_from_1m_equal_binances_own() {
    for (symbol, sample) in [("BTCUSDT", 2), ("ETHUSDT", 3)] {
        let (_d, store) = store();
        let s = &tickdesk::samples::SAMPLES[sample];
        import_bytes(&store, s.file.as_ref(), s.bytes, &ImportOptions::default()).unwrap();
        // 1h is not stored: export resamples it from the 1m series.
        let key = SeriesKey::binance(symbol.parse().unwrap(), Interval::H1);
        let ours = select(&store, &key, Range::new(i64::MIN, i64::MAX)).unwrap();
        assert_eq!(ours.resampled_from, Some(Interval::M1));
        let theirs = binance_1h(symbol);
        let overlap: Vec<(&Bar, &Candle)> = ours
            .bars
            .iter()
            .filter_map(|b| {
                theirs
                    .iter()
                    .find(|c| c.open_time == b.candle.open_time)
                    .map(|c| (b, c))
            })
            .collect();
        assert_eq!(
            overlap.len(),
            288,
            "{symbol}: 2025-05-20 to 2025-05-31, 12 days of hours"
        );
        for (bar, binance) in overlap {
            assert!(bar.complete);
            assert_eq!(
                bar.candle, *binance,
                "{symbol}: every field, volume included, is bit-identical"
            );
        }
    }
}

/// A 1m series over `minutes` with some minutes missing; volumes have up to 8 decimals like Binance's.
fn minutes() -> impl Strategy<Value = Vec<Candle>> {
    let minute = (
        1u32..1_000_000,
        0u32..500,
        0u32..500,
        0u64..10_000_000_000,
        any::<bool>(),
        0u8..20,
    );
    prop::collection::vec(minute, 1..600).prop_map(|rows| {
        let mut out = Vec::new();
        let mut t = 1_747_699_200_000 - 17 * MINUTE_MS; // starts mid-hour
        for (base, up, down, vol, up_close, skip) in rows {
            t += MINUTE_MS * (1 + i64::from(skip == 0));
            let open = f64::from(base) / 100.0;
            let (high, low) = (
                open + f64::from(up) / 100.0,
                (open - f64::from(down) / 100.0).max(0.01),
            );
            let close = if up_close { high } else { low };
            out.push(Candle {
                open_time: t,
                open,
                high,
                low,
                close,
                volume: vol as f64 / 1e8,
            });
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// 1m→5m→1h equals 1m→1h: values bit for bit and completeness flags.
    #[test]
    fn resampling_is_associative(series in minutes()) {
        let direct = resample(&series, Interval::M1, Interval::H1).unwrap();
        let five = resample(&series, Interval::M1, Interval::M5).unwrap();
        let stepped = resample_bars(&five, Interval::M5, Interval::H1).unwrap();
        prop_assert_eq!(direct, stepped);
    }

    /// Export then import gives back the same candles, bit for bit.
    #[test]
    fn export_import_round_trips(series in minutes(), scale in prop::sample::select(vec![1e-6, 1.0, 1e5])) {
        let candles: Vec<Candle> = series.iter().map(|c| Candle {
            open: c.open * scale, high: c.high * scale, low: c.low * scale, close: c.close * scale, ..*c
        }).collect();
        let mut csv = Vec::new();
        write_csv(&candles, &mut csv).unwrap();
        let (_d, store) = store();
        let opts = ImportOptions { symbol: Some("BTCUSDT".parse().unwrap()), interval: Some(Interval::M1), skip_bad: false };
        let r = import_bytes(&store, "export.csv".as_ref(), &csv, &opts).unwrap();
        prop_assert_eq!(store.load(&r.key).unwrap(), candles);
    }
}
