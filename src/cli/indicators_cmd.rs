//! `tickdesk indicators SYMBOL INTERVAL --out FILE.csv` and `tickdesk indicators --list`.

use super::home;
use crate::export;
use crate::indicators::{self, reference_table, write_table_csv};
use crate::market::{Interval, SeriesKey, Symbol};
use crate::store::Range;
use anyhow::Context as _;
use clap::Args;
use std::{path::Path, path::PathBuf, process::ExitCode};

#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    /// Symbol of a stored series.
    #[arg(required_unless_present = "list")]
    symbol: Option<Symbol>,
    /// Interval (resampled from finer stored candles when not stored itself).
    #[arg(required_unless_present = "list")]
    interval: Option<Interval>,
    /// Output CSV (`-` for stdout): open_time, then every built-in indicator with TA-Lib's
    /// default parameters, one column per output, named as in TA-Lib's reference file.
    #[arg(long, short, required_unless_present = "list")]
    out: Option<PathBuf>,
    /// List the indicators, their parameters and outputs instead.
    #[arg(long)]
    list: bool,
}

pub fn run(
    loaded: &crate::config::Loaded,
    dir: &Path,
    args: IndicatorsArgs,
) -> anyhow::Result<ExitCode> {
    if args.list {
        for s in indicators::specs() {
            let params: Vec<String> = s
                .params
                .iter()
                .map(|p| format!("{}={}", p.name, p.default))
                .collect();
            outln!(
                "{:<10} ({})  → {}   {}",
                s.name,
                params.join(", "),
                s.outputs.join(", "),
                s.about
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(symbol), Some(interval), Some(out)) = (args.symbol, args.interval, args.out) else {
        anyhow::bail!("give SYMBOL INTERVAL --out FILE, or --list");
    };
    let store = home::open_seeded(loaded, dir)?;
    let key = SeriesKey::binance(symbol, interval);
    let candles: Vec<_> = export::select(&store, &key, Range::new(i64::MIN, i64::MAX))?
        .bars
        .into_iter()
        .map(|b| b.candle)
        .collect();
    if candles.is_empty() {
        anyhow::bail!("no {key} candles are stored; `tickdesk data list` shows what is");
    }
    let table = reference_table(&candles)?;
    if out.as_os_str() == "-" {
        write_table_csv(std::io::stdout().lock(), &candles, &table)?;
    } else {
        let file = std::fs::File::create(&out)
            .with_context(|| format!("cannot create {}", out.display()))?;
        write_table_csv(std::io::BufWriter::new(file), &candles, &table)
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!(
            "wrote {} columns over {} {key} candles to {}",
            table.len(),
            candles.len(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
