use super::*;
use crate::market::time::HOUR_MS;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn key() -> SeriesKey {
    SeriesKey::binance("BTCUSDT".parse().unwrap(), Interval::H1)
}

fn candle(hour: i64, price: f64) -> Candle {
    Candle {
        open_time: hour * HOUR_MS,
        open: price,
        high: price + 2.0,
        low: price * 0.5,
        close: price + 1.0,
        volume: hour as f64,
    }
}

fn hours(range: std::ops::Range<i64>, price: f64) -> Vec<Candle> {
    range.map(|h| candle(h, price)).collect()
}

fn span(a: i64, b: i64) -> Range {
    Range::new(a * HOUR_MS, b * HOUR_MS)
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn appends_prepends_and_fills_holes() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(100..200, 10.0), span(100, 200)).unwrap();
    w.insert(&hours(200..250, 10.0), span(200, 250)).unwrap();
    w.insert(&hours(0..50, 10.0), span(0, 50)).unwrap();
    w.insert(&hours(60..100, 10.0), span(50, 100)).unwrap();
    let all = store.load(&key()).unwrap();
    let times: Vec<i64> = all.iter().map(|c| c.open_time / HOUR_MS).collect();
    assert_eq!(times, (0..50).chain(60..250).collect::<Vec<_>>());
    assert_eq!(store.coverage(&key()).unwrap().ranges(), &[span(0, 250)]);
    let s = store.summary(&key()).unwrap();
    assert_eq!((s.count, s.missing_bars()), (240, 10));
    assert_eq!(
        s.gaps,
        vec![Gap {
            start: 50 * HOUR_MS,
            end: 60 * HOUR_MS,
            bars: 10,
            kind: GapKind::Exchange
        }]
    );
    assert!(store.verify(&key()).unwrap().is_empty());
}

#[test]
fn overlapping_batches_replace_and_report_changes() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(0..100, 10.0), span(0, 100)).unwrap();
    let report = w.insert(&hours(90..110, 20.0), span(90, 110)).unwrap();
    assert_eq!(
        report,
        InsertReport {
            added: 10,
            changed: 10
        }
    );
    let same = w.insert(&hours(100..110, 20.0), span(100, 110)).unwrap();
    assert_eq!(
        same,
        InsertReport {
            added: 0,
            changed: 0
        }
    );
    let all = store.load(&key()).unwrap();
    assert_eq!(all.len(), 110);
    assert_eq!(all[89].open, 10.0);
    assert_eq!(all[90].open, 20.0);
}

#[test]
fn unfetched_holes_are_told_apart_from_exchange_gaps() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(0..10, 1.0), span(0, 10)).unwrap();
    w.insert(&hours(20..30, 1.0), span(20, 30)).unwrap();
    let s = store.summary(&key()).unwrap();
    assert_eq!(s.missing_of(GapKind::Unfetched), 10);
    assert_eq!(s.missing_of(GapKind::Exchange), 0);
}

#[test]
fn rejects_bad_batches_without_touching_the_series() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(0..10, 1.0), span(0, 10)).unwrap();
    let mut unsorted = hours(10..20, 1.0);
    unsorted.swap(2, 3);
    let mut misaligned = hours(10..20, 1.0);
    misaligned[4].open_time += 1;
    let mut insane = hours(10..20, 1.0);
    insane[5].low = 1e9;
    for (batch, covered, why) in [
        (unsorted, span(10, 20), "not after"),
        (misaligned, span(10, 20), "not aligned"),
        (insane, span(10, 20), "low is above high"),
        (hours(10..20, 1.0), span(10, 15), "outside the range"),
    ] {
        let err = w.insert(&batch, covered).unwrap_err().to_string();
        assert!(err.contains(why), "{err}");
    }
    assert_eq!(store.load(&key()).unwrap(), hours(0..10, 1.0));
    assert_eq!(store.coverage(&key()).unwrap().ranges(), &[span(0, 10)]);
}

#[test]
fn a_torn_append_is_invisible_and_overwritten() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(0..10, 1.0), span(0, 10)).unwrap();
    // A crash after the records reached the segment but before the manifest swap:
    let dir = store.dir(&key());
    let file = Manifest::read(&dir).unwrap().unwrap().segments[0]
        .file
        .clone();
    segment::append(&dir.join(&file), 10, &hours(10..13, 9.0)).unwrap();
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(dir.join(&file))
        .unwrap();
    std::io::Write::write_all(&mut f, &[0xAB; 17]).unwrap();
    fs::write(dir.join("manifest.json.tmp"), b"{\"format\": 1, \"key\"").unwrap();
    drop(w);
    assert_eq!(store.load(&key()).unwrap(), hours(0..10, 1.0));
    let mut w = store.writer(&key()).unwrap();
    assert!(!dir.join("manifest.json.tmp").exists());
    w.insert(&hours(10..12, 2.0), span(10, 12)).unwrap();
    assert_eq!(
        store.load(&key()).unwrap(),
        [hours(0..10, 1.0), hours(10..12, 2.0)].concat()
    );
    assert!(store.verify(&key()).unwrap().is_empty());
}

#[test]
fn a_segment_written_but_never_committed_is_removed() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(100..110, 1.0), span(100, 110)).unwrap();
    let dir = store.dir(&key());
    segment::create(&dir.join("seg-000099.bin"), &hours(0..5, 1.0)).unwrap();
    drop(w);
    assert_eq!(store.load(&key()).unwrap().len(), 10);
    let _w = store.writer(&key()).unwrap();
    assert!(!dir.join("seg-000099.bin").exists());
}

#[test]
fn one_writer_at_a_time() {
    let (_d, store) = store();
    let _w = store.writer(&key()).unwrap();
    let err = store.writer(&key()).err().unwrap().to_string();
    assert!(err.contains("another tickdesk process"), "{err}");
}

#[test]
fn many_scattered_batches_compact() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    for i in (0..40).rev() {
        w.insert(&hours(i * 10..i * 10 + 5, 1.0), span(i * 10, i * 10 + 5))
            .unwrap();
    }
    let m = Manifest::read(&store.dir(&key())).unwrap().unwrap();
    assert!(
        m.segments.len() <= writer::MAX_SEGMENTS,
        "{} segments",
        m.segments.len()
    );
    assert_eq!(store.load(&key()).unwrap().len(), 200);
    let segs = fs::read_dir(store.dir(&key())).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("seg-")
    });
    assert_eq!(
        segs.count(),
        m.segments.len(),
        "replaced segments are deleted"
    );
}

#[test]
fn verify_reports_damage() {
    let (_d, store) = store();
    let mut w = store.writer(&key()).unwrap();
    w.insert(&hours(0..10, 1.0), span(0, 10)).unwrap();
    drop(w);
    let dir = store.dir(&key());
    let file = dir.join(&Manifest::read(&dir).unwrap().unwrap().segments[0].file);
    let mut bytes = fs::read(&file).unwrap();
    // Candle 3's open time becomes candle 2's (a duplicate); candle 5's low goes above its high.
    let rec = |i: usize| segment::HEADER_LEN + i * segment::RECORD_LEN;
    let t2 = bytes[rec(2)..rec(2) + 8].to_vec();
    bytes[rec(3)..rec(3) + 8].copy_from_slice(&t2);
    bytes[rec(5) + 24..rec(5) + 32].copy_from_slice(&1e9f64.to_le_bytes());
    fs::write(&file, &bytes).unwrap();
    let problems = store.verify(&key()).unwrap();
    assert!(
        problems.contains(&Problem::Duplicate {
            open_time: 2 * HOUR_MS
        }),
        "{problems:?}"
    );
    assert!(problems.contains(&Problem::Impossible {
        open_time: 5 * HOUR_MS,
        fault: crate::market::CandleFault::LowAboveHigh
    }));
    fs::write(&file, &bytes[..rec(4)]).unwrap();
    let err = store.load(&key()).unwrap_err().to_string();
    assert!(
        err.contains("shorter than the 10 candles") && err.contains("data verify"),
        "{err}"
    );
    assert!(matches!(
        store.verify(&key()).unwrap()[0],
        Problem::BadSegment { .. }
    ));
}

#[test]
fn lists_series_and_reads_ranges() {
    let (_d, store) = store();
    let eth = SeriesKey::binance("ETHUSDT".parse().unwrap(), Interval::Mo1);
    store
        .writer(&key())
        .unwrap()
        .insert(&hours(0..48, 1.0), span(0, 48))
        .unwrap();
    store
        .writer(&eth)
        .unwrap()
        .mark_covered(span(0, 1))
        .unwrap();
    assert_eq!(store.series().unwrap(), vec![key(), eth]);
    let mid = store.load_range(&key(), span(10, 20)).unwrap();
    assert_eq!(mid, hours(10..20, 1.0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any sequence of committed batches reads back as the model: a map where later batches win.
    #[test]
    fn store_round_trips_against_a_model(batches in prop::collection::vec((0i64..400, 1i64..60, 1u8..50), 1..25)) {
        let (_d, store) = store();
        let mut w = store.writer(&key()).unwrap();
        let mut model = BTreeMap::new();
        for (start, len, price) in batches {
            let batch = hours(start..start + len, f64::from(price));
            w.insert(&batch, span(start, start + len)).unwrap();
            model.extend(batch.into_iter().map(|c| (c.open_time, c)));
        }
        drop(w);
        let loaded = store.load(&key()).unwrap();
        prop_assert_eq!(loaded, model.into_values().collect::<Vec<_>>());
        prop_assert!(store.verify(&key()).unwrap().is_empty());
    }
}
