//! The feed connection's health as the core, the UI and metrics see it: a state (connecting, live,
//! stale, reconnecting with its attempt count, lagged, stopped), the latency of the last event
//! (feed clock − Binance's `E`), when the last data frame came, and running counters. Invariant:
//! counters only grow, and a status is plain data (a snapshot never borrows the feed).

use crate::replica::FeedHealth;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FeedState {
    /// The first connection is being opened.
    #[default]
    Connecting,
    /// Data frames are arriving.
    Live,
    /// No data frame for `silent_ms`: the connection is dropped and replaced.
    Stale { silent_ms: u64 },
    /// Waiting for or opening connection number `attempt` after a loss.
    Reconnecting { attempt: u32, reason: String },
    /// The consumer left the ordered queue full longer than the configured wait: the socket was
    /// closed (events Binance sends meanwhile are missed), the queue drains, then the feed
    /// reconnects and resyncs every book.
    Lagged,
    /// The feed task ended (its consumer is gone).
    Stopped,
}

/// Running totals since the feed started; they only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCounters {
    /// Text or binary frames read.
    pub frames: u64,
    /// Frames for a stream or event type the feed does not handle.
    pub unknown_frames: u64,
    /// Frames that did not parse (logged, the connection is kept).
    pub malformed_frames: u64,
    /// Events dropped because an equal or newer one was already delivered (after a switch).
    pub duplicates: u64,
    /// Server pings answered.
    pub pings: u64,
    /// Connections opened, planned switches included.
    pub connections: u64,
    /// Reconnects after a lost, stale or lagged connection.
    pub reconnects: u64,
    pub stale: u64,
    /// Planned make-before-break switches (the 24-hour cut, `serverShutdown`).
    pub switches: u64,
    pub server_shutdowns: u64,
    pub lagged: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedStatus {
    pub state: FeedState,
    /// Feed clock minus `E` of the last event that carried one, ms (includes clock skew).
    pub latency_ms: Option<i64>,
    /// Feed clock when the last data frame arrived, ms.
    pub last_message_ms: Option<i64>,
    pub counters: StreamCounters,
}

impl FeedStatus {
    pub fn is_live(&self) -> bool {
        self.state == FeedState::Live
    }

    /// How long ago the last data frame came, at `now_ms` on the feed's clock.
    pub fn message_age_ms(&self, now_ms: i64) -> Option<i64> {
        self.last_message_ms.map(|t| (now_ms - t).max(0))
    }

    /// The replica's coarser view, for the status bar.
    pub fn to_replica(&self) -> FeedHealth {
        match &self.state {
            FeedState::Connecting => FeedHealth::Starting,
            FeedState::Live => FeedHealth::Running,
            FeedState::Stale { silent_ms } => FeedHealth::Stale(silent_ms / 1000),
            FeedState::Reconnecting { attempt, reason } => {
                FeedHealth::Down(format!("reconnecting (attempt {attempt}): {reason}"))
            }
            FeedState::Lagged => FeedHealth::Down("consumer too slow; resyncing".into()),
            FeedState::Stopped => FeedHealth::Down("feed stopped".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_onto_the_replica_health() {
        let status = |state| FeedStatus {
            state,
            ..FeedStatus::default()
        };
        assert_eq!(
            status(FeedState::Connecting).to_replica(),
            FeedHealth::Starting
        );
        assert_eq!(status(FeedState::Live).to_replica(), FeedHealth::Running);
        assert_eq!(
            status(FeedState::Stale { silent_ms: 31_500 }).to_replica(),
            FeedHealth::Stale(31)
        );
        let down = status(FeedState::Reconnecting {
            attempt: 3,
            reason: "reset".into(),
        })
        .to_replica();
        assert_eq!(
            down,
            FeedHealth::Down("reconnecting (attempt 3): reset".into())
        );
        assert!(!down.is_healthy());
        assert!(!status(FeedState::Lagged).to_replica().is_healthy());
    }

    #[test]
    fn message_age_counts_from_the_last_frame() {
        let s = FeedStatus {
            last_message_ms: Some(1_000),
            ..FeedStatus::default()
        };
        assert_eq!(s.message_age_ms(4_500), Some(3_500));
        assert_eq!(s.message_age_ms(900), Some(0), "never negative");
        assert_eq!(FeedStatus::default().message_age_ms(10), None);
    }
}
