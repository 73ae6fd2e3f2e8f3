//! What a session must keep across a restart besides its orders and fills: a halt (the kill
//! switch, a breaker, a loss limit) and which strategies a person paused. Each change is journaled
//! in the transaction of the step that made it (`Entry::State`); a carried-on live session starts
//! halted and paused as it stopped, so a crash never lifts a kill switch.

use super::{Entry, Paper};

/// The halt (as JSON) and the names of the paused strategies.
pub type Standing = (Option<String>, Vec<String>);

impl Paper {
    /// The session's standing state as it is now.
    pub(super) fn standing_now(&self) -> Standing {
        let halt = self
            .engine
            .risk()
            .halted()
            .and_then(|h| serde_json::to_string(h).ok());
        let names = &self.engine.observer().strategy_names;
        let states = self.engine.strategy_states();
        let paused = states
            .iter()
            .zip(names)
            .filter(|((running, _), _)| !running);
        (halt, paused.map(|(_, n)| n.clone()).collect())
    }

    /// A carried-on session halts and pauses as it did when it stopped (a kill switch stays on
    /// across a crash).
    pub(super) fn restore_standing(&mut self) {
        let Some((journal, session)) = self.journal() else {
            return;
        };
        let read = |key| journal.state(session, key).ok().flatten();
        let halt = read("halt").and_then(|h| serde_json::from_str::<crate::risk::Halt>(&h).ok());
        let paused: Vec<String> = read("paused")
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default();
        if let Some(h) = halt {
            tracing::warn!("the session was halted when it stopped: {}", h.reason());
            self.engine.restore_halt(h);
        }
        let names = self.engine.observer().strategy_names.clone();
        for (i, name) in names.iter().enumerate() {
            if paused.contains(name) {
                tracing::info!("strategy {name} was paused when the session stopped: still paused");
                self.engine.restore_running(i, false);
            }
        }
    }

    /// Entries for what changed in the standing state since it was last journaled.
    pub(super) fn standing_entries(&mut self) -> Vec<Entry> {
        let now = self.standing_now();
        if now == self.standing {
            return Vec::new();
        }
        let mut out = Vec::new();
        if now.0 != self.standing.0 {
            out.push(Entry::State {
                key: "halt".into(),
                value: now.0.clone(),
            });
        }
        if now.1 != self.standing.1 {
            out.push(Entry::State {
                key: "paused".into(),
                value: serde_json::to_string(&now.1).ok(),
            });
        }
        self.standing = now;
        out
    }
}
