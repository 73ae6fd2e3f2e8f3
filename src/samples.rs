//! The real Binance candles shipped in `data/`, built into the binary so tickdesk works offline on
//! a fresh machine: the workstation copies them into an empty store on first start.

use crate::import::{FileReport, ImportError, ImportOptions, import_bytes};
use crate::store::Store;
use std::path::Path;

pub struct Sample {
    pub file: &'static str,
    pub bytes: &'static [u8],
}

pub const SAMPLES: [Sample; 4] = [
    Sample {
        file: "BTCUSDT-1h.csv.gz",
        bytes: include_bytes!("../data/BTCUSDT-1h.csv.gz"),
    },
    Sample {
        file: "ETHUSDT-1h.csv.gz",
        bytes: include_bytes!("../data/ETHUSDT-1h.csv.gz"),
    },
    Sample {
        file: "BTCUSDT-1m.csv.gz",
        bytes: include_bytes!("../data/BTCUSDT-1m.csv.gz"),
    },
    Sample {
        file: "ETHUSDT-1m.csv.gz",
        bytes: include_bytes!("../data/ETHUSDT-1m.csv.gz"),
    },
];

/// Imports every sample into the store.
pub fn seed(store: &Store) -> Result<Vec<FileReport>, ImportError> {
    SAMPLES
        .iter()
        .map(|s| import_bytes(store, Path::new(s.file), s.bytes, &ImportOptions::default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Interval, SeriesKey};
    use crate::store::GapKind;

    #[test]
    fn samples_seed_the_documented_series() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let reports = seed(&store).unwrap();
        let rows: Vec<usize> = reports.iter().map(|r| r.rows).collect();
        assert_eq!(rows, [58_419, 45_024, 17_280, 17_280]);
        let btc = store
            .summary(&SeriesKey::binance(
                "BTCUSDT".parse().unwrap(),
                Interval::H1,
            ))
            .unwrap();
        // The shared data's README: 128 missing bars in 28 gaps, all real exchange outages.
        assert_eq!(
            (btc.missing_of(GapKind::Exchange), btc.gaps.len()),
            (128, 28)
        );
        assert_eq!(btc.first, Some(1_502_942_400_000));
        assert_eq!(btc.last, Some(1_713_708_000_000));
        for key in store.series().unwrap() {
            assert!(store.verify(&key).unwrap().is_empty(), "{key}");
        }
    }
}
