//! Manual overrides in the journal: every command a person gave the trading core (an order from
//! the ticket, a cancel, a flatten, a pause, the kill switch and its release), when, in which
//! mode, and what came of it. Written as the command is handled, so a crash loses none.

use super::{Journal, JournalError};
use rusqlite::params;

pub(super) const SCHEMA_V2: &str = "
CREATE TABLE overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wall_ms INTEGER NOT NULL,
    market_ms INTEGER NOT NULL,
    mode TEXT NOT NULL,
    command TEXT NOT NULL,
    outcome TEXT NOT NULL
);
PRAGMA user_version = 2;
";

/// One manual override.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Override {
    /// When the person acted (wall clock) and the market time it applied at.
    pub wall_ms: i64,
    pub market_ms: i64,
    /// "PAPER · REPLAY", "LIVE", …
    pub mode: String,
    /// What was asked, e.g. "buy 0.01 BTCUSDT market".
    pub command: String,
    /// "accepted", or the refusal with its reason.
    pub outcome: String,
}

impl Journal {
    pub fn record_override(&mut self, o: &Override) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO overrides (wall_ms, market_ms, mode, command, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![o.wall_ms, o.market_ms, o.mode, o.command, o.outcome],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// The latest `limit` overrides, newest first.
    pub fn overrides(&self, limit: usize) -> Result<Vec<Override>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT wall_ms, market_ms, mode, command, outcome FROM overrides ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(Override {
                    wall_ms: r.get(0)?,
                    market_ms: r.get(1)?,
                    mode: r.get(2)?,
                    command: r.get(3)?,
                    outcome: r.get(4)?,
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
    fn overrides_are_kept_newest_first_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path()).unwrap();
        for (i, what) in ["kill switch", "release"].iter().enumerate() {
            j.record_override(&Override {
                wall_ms: i as i64,
                market_ms: 100 + i as i64,
                mode: "PAPER · REPLAY".into(),
                command: what.to_string(),
                outcome: "accepted".into(),
            })
            .unwrap();
        }
        drop(j);
        let j = Journal::open(dir.path()).unwrap();
        let all = j.overrides(10).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].command, "release");
        assert_eq!(all[1].market_ms, 100);
        assert_eq!(j.overrides(1).unwrap().len(), 1);
    }
}
