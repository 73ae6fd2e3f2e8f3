//! `data import`: kline files into the store, one file per atomic commit. A file with malformed
//! rows is refused whole (every bad row reported with its line and reason) unless `skip_bad` is
//! set, in which case the good rows are stored and each skipped row is reported.

mod name;
mod parse;
mod source;

pub use parse::{BadRow, HEADER, Layout};

use crate::market::{Candle, Interval, SeriesKey, Symbol};
use crate::store::{InsertReport, Range, Store, StoreError};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub symbol: Option<Symbol>,
    pub interval: Option<Interval>,
    pub skip_bad: bool,
}

#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub key: SeriesKey,
    pub layout: Layout,
    pub rows: usize,
    pub first: i64,
    pub last: i64,
    pub stored: InsertReport,
    pub skipped: Vec<BadRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("{path}: cannot tell the {what} from the file name; pass --{what}")]
    Unnamed { path: PathBuf, what: &'static str },
    #[error(
        "{path}: {count} malformed row(s), nothing stored (fix them, or pass --skip-bad to store the rest):\n{shown}"
    )]
    BadRows {
        path: PathBuf,
        count: usize,
        shown: String,
        rows: Vec<BadRow>,
    },
    #[error("{path}: no rows to import")]
    Empty { path: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
}

const SHOWN_BAD_ROWS: usize = 20;

/// Imports one file.
pub fn import_file(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> Result<FileReport, ImportError> {
    let text = source::read(path).map_err(|detail| ImportError::Unreadable {
        path: path.to_path_buf(),
        detail,
    })?;
    import_text(store, path, &text, opts)
}

/// Imports a file already in memory (e.g. built into the binary); `path` names it (its file name
/// says the series and packaging).
pub fn import_bytes(
    store: &Store,
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<FileReport, ImportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = source::unpack(&name, bytes.to_vec()).map_err(|detail| ImportError::Unreadable {
        path: path.to_path_buf(),
        detail,
    })?;
    import_text(store, path, &text, opts)
}

fn import_text(
    store: &Store,
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<FileReport, ImportError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let named = name::parse(&file_name);
    let unnamed = |what| ImportError::Unnamed {
        path: path.to_path_buf(),
        what,
    };
    let symbol = opts
        .symbol
        .clone()
        .or(named.symbol)
        .ok_or_else(|| unnamed("symbol"))?;
    let interval = opts
        .interval
        .or(named.interval)
        .ok_or_else(|| unnamed("interval"))?;
    let unreadable = |detail: String| ImportError::Unreadable {
        path: path.to_path_buf(),
        detail,
    };
    let parsed = parse::parse(bytes, interval).map_err(unreadable)?;
    if !parsed.bad.is_empty() && !opts.skip_bad {
        return Err(bad_rows(path, parsed.bad));
    }
    let (Some(first), Some(last)) = (parsed.candles.first(), parsed.candles.last()) else {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    };
    let (first, last) = (first.open_time, last.open_time);
    let key = SeriesKey::binance(symbol, interval);
    let mut writer = store.writer(&key)?;
    let stored = if parsed.bad.is_empty() {
        let span = Range::new(first, interval.next(last));
        let covered = named.period.map_or(span, |p| {
            Range::new(p.start.min(span.start), p.end.max(span.end))
        });
        writer.insert(&parsed.candles, covered)?
    } else {
        insert_vouching_only_for_rows(&mut writer, &parsed.candles, interval)?
    };
    tracing::info!(file = %path.display(), series = %key, rows = parsed.candles.len(), added = stored.added, "imported");
    Ok(FileReport {
        path: path.to_path_buf(),
        key,
        layout: parsed.layout,
        rows: parsed.candles.len(),
        first,
        last,
        stored,
        skipped: parsed.bad,
    })
}

/// With rows skipped, the file no longer vouches for its whole span: a skipped row must read as a
/// hole to fetch, not as an exchange gap. Each contiguous run of rows is committed as its own span.
fn insert_vouching_only_for_rows(
    writer: &mut crate::store::SeriesWriter,
    candles: &[Candle],
    interval: Interval,
) -> Result<InsertReport, ImportError> {
    let mut total = InsertReport::default();
    let mut start = 0;
    for i in 1..=candles.len() {
        if i == candles.len() || candles[i].open_time != interval.next(candles[i - 1].open_time) {
            let run = &candles[start..i];
            let span = Range::new(
                run[0].open_time,
                interval.next(run[run.len() - 1].open_time),
            );
            let r = writer.insert(run, span)?;
            total.added += r.added;
            total.changed += r.changed;
            start = i;
        }
    }
    Ok(total)
}

fn bad_rows(path: &Path, rows: Vec<BadRow>) -> ImportError {
    let mut shown: Vec<String> = rows
        .iter()
        .take(SHOWN_BAD_ROWS)
        .map(|r| format!("  {r}"))
        .collect();
    if rows.len() > SHOWN_BAD_ROWS {
        shown.push(format!("  … and {} more", rows.len() - SHOWN_BAD_ROWS));
    }
    ImportError::BadRows {
        path: path.to_path_buf(),
        count: rows.len(),
        shown: shown.join("\n"),
        rows,
    }
}

/// Expands directories into the kline files they hold (sorted), leaving files as given.
pub fn expand(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let n = f.to_string_lossy().to_ascii_lowercase();
                    f.is_file()
                        && [".zip", ".csv", ".csv.gz"]
                            .iter()
                            .any(|ext| n.ends_with(ext))
                })
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}
