//! `tickdesk` with no subcommand: until the workstation UI lands, an overview of the data present
//! and what to do next. On an empty store it first copies in the bundled sample candles.

use super::{Context, data, thousands};
use crate::config::Loaded;
use crate::samples;
use crate::store::Store;
use std::{path::Path, process::ExitCode};

/// Copies the shipped candles into an empty store (unless `data.seed_samples` is off); the number
/// of candles copied, if it did.
fn seed_if_empty(loaded: &Loaded, store: &Store) -> anyhow::Result<Option<usize>> {
    if !store.series()?.is_empty() || !loaded.config.data.seed_samples {
        return Ok(None);
    }
    let reports = samples::seed(store)?;
    Ok(Some(reports.iter().map(|r| r.rows).sum()))
}

/// The store, seeded like a first `tickdesk` run when it is empty, so that commands reading
/// candles work on a fresh machine (told on stderr; stdout stays the command's output).
pub fn open_seeded(loaded: &Loaded, dir: &Path) -> anyhow::Result<Store> {
    let store = Store::open(dir)?;
    if let Some(rows) = seed_if_empty(loaded, &store)? {
        eprintln!(
            "The store was empty: copied in the {} real Binance candles shipped with tickdesk (see data/README.md).",
            thousands(rows as i64)
        );
    }
    Ok(store)
}

pub fn run(_ctx: &Context, loaded: &Loaded, dir: &Path) -> anyhow::Result<ExitCode> {
    let store = Store::open(dir)?;
    outln!(
        "tickdesk {} · data in {}",
        env!("CARGO_PKG_VERSION"),
        dir.display()
    );
    if let Some(rows) = seed_if_empty(loaded, &store)? {
        outln!(
            "\nThe store was empty: copied in the real Binance candles shipped with tickdesk ({} candles; see data/README.md).",
            thousands(rows as i64)
        );
    }
    let all = data::summaries(&store)?;
    outln!();
    if all.is_empty() {
        outln!("No candles stored yet.");
    } else {
        data::print_table(&all)?;
    }
    outln!(
        "
What next:
  tickdesk data fetch BTCUSDT,ETHUSDT 1h,1d --from 2024-01-01   download candles (public data, no keys)
  tickdesk data import FILES…                                   load data.binance.vision dumps or CSV
  tickdesk data list                                            spans, sizes and gaps of stored series
  tickdesk data export BTCUSDT 4h --out btc-4h.csv              export, resampled from finer data
  tickdesk config show                                          the settings in effect
  tickdesk --help                                               every command

The trading workstation (live charts, paper trading, backtests) opens here in a later release."
    );
    Ok(ExitCode::SUCCESS)
}
