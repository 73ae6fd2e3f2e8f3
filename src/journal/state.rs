//! A session's standing state (schema v6): what a person or the risk layer set that must outlive
//! a restart, as keyed values: `halt` (why trading is halted, JSON; absent when it is not) and
//! `paused` (the names of the paused strategies, JSON). Written in the transaction of the step
//! that changed it, so a crash cannot forget a kill switch.

use super::{Journal, JournalError};
use rusqlite::{Transaction, params};

pub(super) const SCHEMA_V6: &str = "
CREATE TABLE session_state (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (session, key)
);
";

/// Sets `key` to `value`, or removes it.
pub(super) fn put(
    tx: &Transaction<'_>,
    session: i64,
    key: &str,
    value: Option<&str>,
) -> rusqlite::Result<()> {
    match value {
        Some(v) => tx
            .prepare_cached(
                "INSERT OR REPLACE INTO session_state (session, key, value) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![session, key, v])?,
        None => tx
            .prepare_cached("DELETE FROM session_state WHERE session = ?1 AND key = ?2")?
            .execute(params![session, key])?,
    };
    Ok(())
}

impl Journal {
    /// A session's standing state value of `key`, if set.
    pub fn state(&self, session: i64, key: &str) -> Result<Option<String>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT value FROM session_state WHERE session = ?1 AND key = ?2")
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt
            .query_map(params![session, key], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        rows.next().transpose().map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Entry;
    use super::*;

    #[test]
    fn a_value_is_set_replaced_and_removed_with_the_step_that_changed_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path()).unwrap();
        let s = j.begin_session("LIVE").unwrap();
        let set = |v: Option<&str>| Entry::State {
            key: "halt".into(),
            value: v.map(String::from),
        };
        j.write(s, &[set(Some("\"KillSwitch\""))]).unwrap();
        assert_eq!(
            j.state(s, "halt").unwrap().as_deref(),
            Some("\"KillSwitch\"")
        );
        j.write(s, &[set(Some("x")), set(Some("y"))]).unwrap();
        assert_eq!(j.state(s, "halt").unwrap().as_deref(), Some("y"));
        j.write(s, &[set(None)]).unwrap();
        assert_eq!(j.state(s, "halt").unwrap(), None);
        let other = j.begin_session("LIVE").unwrap();
        j.write(other, &[set(Some("z"))]).unwrap();
        assert_eq!(j.state(s, "halt").unwrap(), None, "per session");
        drop(j);
        let j = Journal::open(dir.path()).unwrap();
        assert_eq!(j.state(other, "halt").unwrap().as_deref(), Some("z"));
    }
}
