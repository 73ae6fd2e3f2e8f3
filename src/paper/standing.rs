//! What a session must keep across a restart besides its orders and fills: a halt (the kill
//! switch, a breaker, a loss limit) and which strategies a person paused. Each change is journaled
//! in the transaction of the step that made it (`Entry::State`); a carried-on live session starts
//! halted and paused as it stopped, so a crash never lifts a kill switch.

use super::{Entry, Paper};
use crate::risk::Halt;

/// The halt and whether each strategy runs, as last journaled.
pub type Standing = (Option<Halt>, Vec<bool>);

impl Paper {
    /// The session's standing state as it is now.
    pub(super) fn standing_now(&self) -> Standing {
        let halt = self.engine.risk().halted().cloned();
        (halt, self.engine.running().collect())
    }

    /// A carried-on session halts and pauses as it did when it stopped (a kill switch stays on
    /// across a crash).
    pub(super) fn restore_standing(&mut self) {
        let Some((journal, session)) = self.journal() else {
            return;
        };
        let read = |key| journal.state(session, key).ok().flatten();
        let halt = read("halt").and_then(|h| serde_json::from_str::<Halt>(&h).ok());
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

    /// Entries for what changed in the standing state since it was last journaled. Called after
    /// every step, so the comparison allocates nothing; only a change is serialized.
    pub(super) fn standing_entries(&mut self) -> Vec<Entry> {
        let halt = self.engine.risk().halted();
        let halt_changed = halt != self.standing.0.as_ref();
        let running_changed = !self.engine.running().eq(self.standing.1.iter().copied());
        if !halt_changed && !running_changed {
            return Vec::new();
        }
        let mut out = Vec::new();
        if halt_changed {
            out.push(Entry::State {
                key: "halt".into(),
                value: halt.and_then(|h| serde_json::to_string(h).ok()),
            });
        }
        if running_changed {
            let names = &self.engine.observer().strategy_names;
            let paused: Vec<&String> = self
                .engine
                .running()
                .zip(names)
                .filter_map(|(running, name)| (!running).then_some(name))
                .collect();
            out.push(Entry::State {
                key: "paused".into(),
                value: serde_json::to_string(&paused).ok(),
            });
        }
        self.standing = self.standing_now();
        out
    }
}
