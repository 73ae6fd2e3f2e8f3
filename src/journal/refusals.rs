//! Refused orders in the journal: every order the risk layer or the exchange refused during a
//! paper or live session (a strategy's or a person's), with the rule's code and its reason, so a
//! trader can see afterwards what was stopped and why. Backtests keep theirs as counts per code
//! in the run's row.

use super::{Journal, JournalError};
use rusqlite::params;

pub(super) const SCHEMA_V3: &str = "
CREATE TABLE refusals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    market_ms INTEGER NOT NULL,
    mode TEXT NOT NULL,
    origin TEXT NOT NULL,
    orders TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL
);
PRAGMA user_version = 3;
";

/// One refused order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Refusal {
    pub market_ms: i64,
    /// "PAPER · REPLAY", "LIVE", …
    pub mode: String,
    /// The strategy's name, or "manual".
    pub origin: String,
    /// What was asked, e.g. "buy MARKET BTCUSDT".
    pub order: String,
    /// The rule: `RISK_MAX_POSITION`, `HALTED`, `NOTIONAL`, …
    pub code: String,
    pub reason: String,
}

/// Inserts one refusal (alone, or inside a step's transaction).
pub(super) fn insert_refusal(conn: &rusqlite::Connection, r: &Refusal) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO refusals (market_ms, mode, origin, orders, code, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![r.market_ms, r.mode, r.origin, r.order, r.code, r.reason],
    )?;
    Ok(())
}

impl Journal {
    pub fn record_refusal(&mut self, r: &Refusal) -> Result<(), JournalError> {
        insert_refusal(&self.conn, r).map_err(|e| self.sql(e))
    }

    /// The latest `limit` refusals, newest first.
    pub fn refusals(&self, limit: usize) -> Result<Vec<Refusal>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT market_ms, mode, origin, orders, code, reason FROM refusals ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(Refusal {
                    market_ms: r.get(0)?,
                    mode: r.get(1)?,
                    origin: r.get(2)?,
                    order: r.get(3)?,
                    code: r.get(4)?,
                    reason: r.get(5)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_kept_newest_first_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path()).unwrap();
        for (i, code) in ["RISK_MAX_POSITION", "HALTED"].iter().enumerate() {
            j.record_refusal(&Refusal {
                market_ms: i as i64,
                mode: "PAPER · REPLAY".into(),
                origin: "sma_cross".into(),
                order: "buy MARKET BTCUSDT".into(),
                code: code.to_string(),
                reason: format!("reason {i}"),
            })
            .unwrap();
        }
        drop(j);
        let j = Journal::open(dir.path()).unwrap();
        let got = j.refusals(10).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].code.as_str(), got[0].market_ms), ("HALTED", 1));
        assert_eq!(got[1].reason, "reason 0");
    }
}
