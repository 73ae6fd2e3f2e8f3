//! The journal: an embedded SQLite database (`journal.sqlite3`, WAL) in the data dir. Today it keeps
//! backtest runs (what was run, the metrics, the trades, the equity curve) so the UI and the CLI can
//! list and compare them; paper (and later live) sessions add their orders, order events and fills
//! (schema v4), written before the UI hears of them. The schema is versioned
//! (`PRAGMA user_version`) and migrated forward on open.

use crate::backtest::{Metrics, Outcome, Trade};
use crate::market::time::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod fills;
mod live;
mod orders;
mod overrides;
mod positions;
mod refusals;
mod state;

pub use fills::{Entry, FillRow};
pub use orders::{OrderEvent, OrderRow, status_name};
pub use overrides::Override;
pub use positions::{Position, rebuild as positions_of};
pub use refusals::Refusal;

pub const FILE: &str = "journal.sqlite3";
const SCHEMA_VERSION: i64 = 6;
/// Equity curves longer than this are stored decimated (each bucket's low and last point).
const MAX_EQUITY_POINTS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "journal {path}: a stored run is unreadable ({detail}); it was written by another version of tickdesk"
    )]
    Decode { path: PathBuf, detail: String },
    #[error(
        "journal {path} has schema version {found}, newer than this tickdesk ({SCHEMA_VERSION}); upgrade tickdesk"
    )]
    TooNew { path: PathBuf, found: i64 },
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

/// One line of `runs list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub created_ms: i64,
    pub strategy: String,
    pub symbols: String,
    pub interval: String,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub total_return_pct: f64,
    pub max_drawdown_pct: f64,
    pub sharpe: Option<f64>,
    pub trades: usize,
}

/// A stored run, whole.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRun {
    pub summary: RunSummary,
    pub spec: serde_json::Value,
    pub params: BTreeMap<String, f64>,
    pub metrics: Metrics,
    pub refused: BTreeMap<String, usize>,
    pub trades: Vec<Trade>,
    pub open_times: Vec<i64>,
    pub equity: Vec<f64>,
}

impl Journal {
    pub fn open(data_dir: &Path) -> Result<Self, JournalError> {
        let path = data_dir.join(FILE);
        let err = |source| JournalError::Sql {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir)
            .map_err(|e| err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        let conn = Connection::open(&path).map_err(err)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
            .map_err(err)?;
        let journal = Self { conn, path };
        journal.migrate()?;
        Ok(journal)
    }

    fn sql(&self, source: rusqlite::Error) -> JournalError {
        JournalError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&self) -> Result<(), JournalError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if version > SCHEMA_VERSION {
            return Err(JournalError::TooNew {
                path: self.path.clone(),
                found: version,
            });
        }
        if version < 1 {
            self.conn
                .execute_batch(SCHEMA_V1)
                .map_err(|e| self.sql(e))?;
        }
        if version < 2 {
            self.conn
                .execute_batch(overrides::SCHEMA_V2)
                .map_err(|e| self.sql(e))?;
        }
        if version < 3 {
            self.conn
                .execute_batch(refusals::SCHEMA_V3)
                .map_err(|e| self.sql(e))?;
        }
        if version < 4 {
            let v4 = format!(
                "BEGIN; {} {} PRAGMA user_version = 4; COMMIT;",
                orders::SCHEMA,
                fills::SCHEMA
            );
            self.conn.execute_batch(&v4).map_err(|e| self.sql(e))?;
        }
        if version < 5 {
            let v5 = format!(
                "BEGIN; {} PRAGMA user_version = 5; COMMIT;",
                live::SCHEMA_V5
            );
            self.conn.execute_batch(&v5).map_err(|e| self.sql(e))?;
        }
        if version < 6 {
            let v6 = format!(
                "BEGIN; {} PRAGMA user_version = 6; COMMIT;",
                state::SCHEMA_V6
            );
            self.conn.execute_batch(&v6).map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// Saves a finished backtest; returns its run id.
    pub fn save_run(&mut self, o: &Outcome) -> Result<i64, JournalError> {
        let symbols = o
            .spec
            .symbols
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let (times, equity) = decimate(&o.open_times, &o.equity);
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|source| JournalError::Sql {
                path: path.clone(),
                source,
            })?;
        let sql = |source| JournalError::Sql {
            path: path.clone(),
            source,
        };
        tx.execute(
            "INSERT INTO runs (created_ms, strategy, symbols, interval, first_ms, last_ms, spec, params, metrics, refused, timing, interrupted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                crate::clock::system_now_ms(),
                o.spec.strategy,
                symbols,
                o.spec.interval.as_str(),
                o.open_times.first(),
                o.open_times.last(),
                json(&o.spec),
                json(&o.params),
                json(&o.metrics),
                json(&o.refused),
                json(&o.timing),
                o.interrupted,
            ],
        )
        .map_err(sql)?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare("INSERT INTO run_trades (run_id, seq, symbol, entry_time_ms, entry_price, exit_time_ms, exit_price, qty, pnl, fees, return_pct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                .map_err(sql)?;
            for (seq, t) in o.trades.iter().enumerate() {
                insert
                    .execute(params![
                        id,
                        seq as i64,
                        t.symbol,
                        t.entry_time_ms,
                        t.entry_price,
                        t.exit_time_ms,
                        t.exit_price,
                        t.qty,
                        t.pnl,
                        t.fees,
                        t.return_pct
                    ])
                    .map_err(sql)?;
            }
        }
        tx.execute(
            "INSERT INTO run_equity (run_id, points, times, equity) VALUES (?1, ?2, ?3, ?4)",
            params![id, times.len() as i64, blob_i64(&times), blob_f64(&equity)],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// Every stored run, newest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SUMMARY_SELECT} ORDER BY id DESC"))
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], summary_row).map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?
            .into_iter()
            .map(|r| r.decode(&self.path))
            .collect()
    }

    pub fn run(&self, id: i64) -> Result<Option<StoredRun>, JournalError> {
        let row = self
            .conn
            .query_row(
                &format!("{SUMMARY_SELECT} WHERE id = ?1"),
                [id],
                summary_row,
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let Some(row) = row else { return Ok(None) };
        let decode = |detail: serde_json::Error| JournalError::Decode {
            path: self.path.clone(),
            detail: detail.to_string(),
        };
        let spec = serde_json::from_str(&row.spec).map_err(decode)?;
        let params = serde_json::from_str(&row.params).map_err(decode)?;
        let metrics: Metrics = serde_json::from_str(&row.metrics).map_err(decode)?;
        let refused = serde_json::from_str(&row.refused).map_err(decode)?;
        let trades = self.trades(id)?;
        let (times, equity): (Vec<u8>, Vec<u8>) = self
            .conn
            .query_row(
                "SELECT times, equity FROM run_equity WHERE run_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.sql(e))?;
        Ok(Some(StoredRun {
            summary: row.decode(&self.path)?,
            spec,
            params,
            metrics,
            refused,
            trades,
            open_times: times
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
                .collect(),
            equity: equity
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
                .collect(),
        }))
    }

    fn trades(&self, id: i64) -> Result<Vec<Trade>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT symbol, entry_time_ms, entry_price, exit_time_ms, exit_price, qty, pnl, fees, return_pct FROM run_trades WHERE run_id = ?1 ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Trade {
                    symbol: r.get::<_, String>(0)?.into(),
                    entry_time_ms: r.get(1)?,
                    entry_price: r.get(2)?,
                    exit_time_ms: r.get(3)?,
                    exit_price: r.get(4)?,
                    qty: r.get(5)?,
                    pnl: r.get(6)?,
                    fees: r.get(7)?,
                    return_pct: r.get(8)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Deletes a run; false if there was none.
    pub fn delete_run(&mut self, id: i64) -> Result<bool, JournalError> {
        let n = self
            .conn
            .execute("DELETE FROM runs WHERE id = ?1", [id])
            .map_err(|e| self.sql(e))?;
        Ok(n > 0)
    }
}

const SCHEMA_V1: &str = "
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    symbols TEXT NOT NULL,
    interval TEXT NOT NULL,
    first_ms INTEGER,
    last_ms INTEGER,
    spec TEXT NOT NULL,
    params TEXT NOT NULL,
    metrics TEXT NOT NULL,
    refused TEXT NOT NULL,
    timing TEXT NOT NULL,
    interrupted INTEGER NOT NULL
);
CREATE TABLE run_trades (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    entry_time_ms INTEGER NOT NULL,
    entry_price REAL NOT NULL,
    exit_time_ms INTEGER NOT NULL,
    exit_price REAL NOT NULL,
    qty REAL NOT NULL,
    pnl REAL NOT NULL,
    fees REAL NOT NULL,
    return_pct REAL NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE run_equity (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    points INTEGER NOT NULL,
    times BLOB NOT NULL,
    equity BLOB NOT NULL
);
PRAGMA user_version = 1;
";

const SUMMARY_SELECT: &str = "SELECT id, created_ms, strategy, symbols, interval, first_ms, last_ms, spec, params, metrics, refused FROM runs";

struct SummaryRow {
    id: i64,
    created_ms: i64,
    strategy: String,
    symbols: String,
    interval: String,
    first_ms: Option<i64>,
    last_ms: Option<i64>,
    spec: String,
    params: String,
    metrics: String,
    refused: String,
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok(SummaryRow {
        id: r.get(0)?,
        created_ms: r.get(1)?,
        strategy: r.get(2)?,
        symbols: r.get(3)?,
        interval: r.get(4)?,
        first_ms: r.get(5)?,
        last_ms: r.get(6)?,
        spec: r.get(7)?,
        params: r.get(8)?,
        metrics: r.get(9)?,
        refused: r.get(10)?,
    })
}

impl SummaryRow {
    fn decode(&self, path: &Path) -> Result<RunSummary, JournalError> {
        #[derive(Deserialize)]
        struct Headline {
            total_return_pct: f64,
            max_drawdown_pct: f64,
            sharpe: Sharpe,
            trades: usize,
        }
        #[derive(Deserialize)]
        struct Sharpe {
            per_bar_annualized: Option<f64>,
        }
        let m: Headline =
            serde_json::from_str(&self.metrics).map_err(|e| JournalError::Decode {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        Ok(RunSummary {
            id: self.id,
            created_ms: self.created_ms,
            strategy: self.strategy.clone(),
            symbols: self.symbols.clone(),
            interval: self.interval.clone(),
            first_ms: self.first_ms,
            last_ms: self.last_ms,
            total_return_pct: m.total_return_pct,
            max_drawdown_pct: m.max_drawdown_pct,
            sharpe: m.sharpe.per_bar_annualized,
            trades: m.trades,
        })
    }
}

impl RunSummary {
    /// The span of the run for people: `2017-08-17 04:00 → 2024-04-21 14:00`.
    pub fn span(&self) -> String {
        match (self.first_ms, self.last_ms) {
            (Some(a), Some(b)) => format!("{} → {}", Utc(a), Utc(b)),
            _ => "-".into(),
        }
    }
}

/// At most `MAX_EQUITY_POINTS` × 2 points: each bucket's lowest and last point, in time order.
fn decimate(times: &[i64], equity: &[f64]) -> (Vec<i64>, Vec<f64>) {
    if times.len() <= MAX_EQUITY_POINTS {
        return (times.to_vec(), equity.to_vec());
    }
    let bucket = times.len().div_ceil(MAX_EQUITY_POINTS);
    let (mut t, mut e) = (Vec::new(), Vec::new());
    for start in (0..times.len()).step_by(bucket) {
        let end = (start + bucket).min(times.len());
        let low = (start..end)
            .min_by(|&a, &b| equity[a].total_cmp(&equity[b]))
            .unwrap_or(start);
        if low != end - 1 {
            t.push(times[low]);
            e.push(equity[low]);
        }
        t.push(times[end - 1]);
        e.push(equity[end - 1]);
    }
    (t, e)
}

fn blob_i64(xs: &[i64]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn blob_f64(xs: &[f64]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A decimal kept as text (exactly as it was written).
fn decimal(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<rust_decimal::Decimal> {
    let text: String = r.get(i)?;
    text.parse()
        .map_err(|e| orders::unreadable(i, format!("{text} is not a decimal: {e}")))
}

fn opt_decimal(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<rust_decimal::Decimal>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => decimal(r, i).map(Some),
    }
}

/// A value as the JSON text the journal keeps in its TEXT columns.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_lows_and_the_last_point() {
        let n = 100_003;
        let times: Vec<i64> = (0..n as i64).collect();
        let mut equity: Vec<f64> = (0..n).map(|i| i as f64).collect();
        equity[50_001] = -5.0;
        let (t, e) = decimate(&times, &equity);
        assert!(t.len() <= 2 * MAX_EQUITY_POINTS);
        assert!(e.contains(&-5.0), "the deepest point survives");
        assert_eq!(
            (t.last(), e.last()),
            (Some(&(n as i64 - 1)), Some(&((n - 1) as f64)))
        );
        assert!(t.windows(2).all(|w| w[0] < w[1]));
    }
}
