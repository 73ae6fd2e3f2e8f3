//! The control protocol's messages. One JSON object per line, tagged by `"type"`.
//!
//! Server → client: `hello` first (protocol version, tickdesk version, the engine's pid and
//! start time), then a `snapshot` (the whole replica), then `updates` batches as they happen; a
//! `snapshot` again whenever the client fell behind (its queue filled), replacing its replica;
//! `error` when a client's message could not be used; `bye` when the engine stops.
//!
//! Client → server: `command` (a person's override, through the engine's checks), `speed`,
//! `pause`, `toggle_pause`, and `detach` (the engine keeps running). A client cannot stop the
//! engine: that is a signal to the engine's process (SIGTERM), owned by whoever started it.
//!
//! Invariant: a client reading `snapshot` then every later `updates` in order holds the replica
//! the engine's own view would hold.

mod command;
pub mod fields;

pub use command::{WireCommand, WireKind, WireOrder, WireQty};

use crate::paper::Control;
use crate::replica::{Replica, Speed, Update};
use serde::{Deserialize, Serialize};

/// Bumped whenever a message changes shape; a client refuses a server speaking another.
pub const PROTOCOL: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// The engine's tickdesk version.
    pub version: String,
    pub pid: u32,
    /// Wall-clock start of the engine (ms since the epoch).
    pub started_ms: i64,
}

impl Hello {
    pub fn now(started_ms: i64) -> Self {
        Self {
            protocol: PROTOCOL,
            version: env!("CARGO_PKG_VERSION").into(),
            pid: std::process::id(),
            started_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Hello(Hello),
    Snapshot { replica: Box<Replica> },
    Updates { updates: Vec<Update> },
    Error { message: String },
    Bye { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Command { command: WireCommand },
    Speed { speed: Speed },
    Pause { paused: bool },
    TogglePause,
    Detach,
}

impl ClientMsg {
    /// What the engine's runner is asked to do (`None` for a detach); an order that does not
    /// make sense (a limit without a price) is an error saying why.
    pub fn into_control(self) -> Result<Option<Control>, String> {
        Ok(Some(match self {
            Self::Command { command } => Control::Command(command.try_into()?),
            Self::Speed { speed } => Control::Speed(speed),
            Self::Pause { paused } => Control::Pause(paused),
            Self::TogglePause => Control::TogglePause,
            Self::Detach => return Ok(None),
        }))
    }
}

impl From<&Control> for ClientMsg {
    /// A remote view's `Shutdown` detaches: only the engine's owner stops the engine.
    fn from(c: &Control) -> Self {
        match c {
            Control::Command(c) => Self::Command { command: c.into() },
            Control::Speed(s) => Self::Speed { speed: *s },
            Control::Pause(p) => Self::Pause { paused: *p },
            Control::TogglePause => Self::TogglePause,
            Control::Shutdown => Self::Detach,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Command;

    #[test]
    fn controls_cross_and_shutdown_becomes_a_detach() {
        for c in [
            Control::Command(Command::KillSwitch),
            Control::Speed(Speed::X600),
            Control::Pause(true),
            Control::TogglePause,
        ] {
            let text = serde_json::to_string(&ClientMsg::from(&c)).unwrap();
            let back: ClientMsg = serde_json::from_str(&text).unwrap();
            assert_eq!(back.into_control(), Ok(Some(c)), "{text}");
        }
        assert_eq!(ClientMsg::from(&Control::Shutdown), ClientMsg::Detach);
        assert_eq!(ClientMsg::Detach.into_control(), Ok(None));
        let text = r#"{"type":"command","command":{"do":"release"}}"#;
        let msg: ClientMsg = serde_json::from_str(text).unwrap();
        assert_eq!(
            msg.into_control(),
            Ok(Some(Control::Command(Command::Release)))
        );
    }
}
