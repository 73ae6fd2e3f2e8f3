//! The user-data session's health as the core, the UI and metrics see it: a state (connecting,
//! authenticating, reconciling, subscribed, reconnecting with its reason, banned, failed,
//! stopped), when the last frame and the last user event arrived, and running counters.
//! Invariant: counters only grow, and a status is plain data (a snapshot never borrows the task).

use super::error::UserError;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum UserState {
    /// Opening connection number `connections + 1`.
    #[default]
    Connecting,
    /// The socket is open; logging on and subscribing.
    Authenticating,
    /// Subscribed; the REST reconciliation is running (socket events wait behind it).
    Reconciling,
    /// Subscribed and reconciled: user events flow live.
    Subscribed { subscription_id: u64 },
    /// Waiting before connection attempt `attempt` (1-based) after `reason`.
    Reconnecting { attempt: u32, reason: UserError },
    /// Binance banned the IP (418): nothing is sent until `until_ms` (Binance's clock).
    Banned { until_ms: i64 },
    /// Binance refused us for good (bad key, permissions): the session ended.
    Failed(UserError),
    /// The consumer went away; the session ended.
    Stopped,
}

impl UserState {
    pub fn label(&self) -> String {
        match self {
            Self::Connecting => "connecting".into(),
            Self::Authenticating => "authenticating".into(),
            Self::Reconciling => "reconciling".into(),
            Self::Subscribed { .. } => "live".into(),
            Self::Reconnecting { attempt, reason } => format!("reconnecting #{attempt}: {reason}"),
            Self::Banned { until_ms } => format!("banned until {until_ms}"),
            Self::Failed(e) => format!("failed: {e}"),
            Self::Stopped => "stopped".into(),
        }
    }

    /// Fills are flowing in real time.
    pub fn is_live(&self) -> bool {
        matches!(self, Self::Subscribed { .. })
    }
}

/// Running totals since the session started; they only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserCounters {
    /// Connections opened (the first included).
    pub connections: u64,
    /// New connections after a loss, a stale feed, a refusal worth retrying or a planned
    /// renewal (a terminated subscription is renewed on the same socket and not counted).
    pub reconnects: u64,
    /// Subscriptions granted (resubscriptions after `eventStreamTerminated` included).
    pub subscriptions: u64,
    pub terminated: u64,
    pub pings: u64,
    pub stale: u64,
    /// Planned reconnects before the 24-hour cut or after `serverShutdown`.
    pub lifetime_cuts: u64,
    /// User events received on the socket.
    pub events: u64,
    /// Frames that did not parse (logged; the connection is kept).
    pub malformed: u64,
    /// Fills delivered, from the socket and from reconciliation.
    pub fills: u64,
    pub reconciled_fills: u64,
    pub reconciled_orders: u64,
    /// Fills dropped because their (symbol, trade id) was already delivered.
    pub duplicate_fills: u64,
    pub reconciliations: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserStatus {
    pub state: UserState,
    /// Local clock when the last frame (pings included) arrived, ms.
    pub last_frame_ms: Option<i64>,
    /// Local clock when the last user event arrived, ms.
    pub last_event_ms: Option<i64>,
    /// The last error that cost a connection.
    pub last_error: Option<UserError>,
    pub counters: UserCounters,
}

impl UserStatus {
    /// How long ago (ms) the last user event came, on the local clock `now_ms`.
    pub fn event_age_ms(&self, now_ms: i64) -> Option<i64> {
        self.last_event_ms.map(|t| (now_ms - t).max(0))
    }

    /// The core's feed-health summary for the status bar.
    pub fn feed_health(&self, now_ms: i64) -> crate::replica::FeedHealth {
        use crate::replica::FeedHealth;
        match &self.state {
            UserState::Subscribed { .. } => FeedHealth::Running,
            UserState::Connecting | UserState::Authenticating | UserState::Reconciling => {
                FeedHealth::Starting
            }
            UserState::Reconnecting { reason, .. } => match reason {
                UserError::Stale(_) => {
                    let age = self.last_frame_ms.map_or(0, |t| (now_ms - t).max(0));
                    FeedHealth::Stale(u64::try_from(age / 1000).unwrap_or(0))
                }
                other => FeedHealth::Down(other.to_string()),
            },
            other => FeedHealth::Down(other.label()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replica::FeedHealth;

    #[test]
    fn status_summarises_for_the_core() {
        let mut s = UserStatus {
            last_event_ms: Some(1_000),
            last_frame_ms: Some(2_000),
            ..UserStatus::default()
        };
        assert_eq!(s.event_age_ms(4_500), Some(3_500));
        assert_eq!(s.feed_health(4_500), FeedHealth::Starting);
        s.state = UserState::Subscribed { subscription_id: 3 };
        assert!(s.state.is_live());
        assert_eq!(s.feed_health(4_500), FeedHealth::Running);
        s.state = UserState::Reconnecting {
            attempt: 2,
            reason: UserError::Stale(60),
        };
        assert_eq!(s.feed_health(62_000), FeedHealth::Stale(60));
        assert!(
            s.state
                .label()
                .starts_with("reconnecting #2: no frame for 60 s")
        );
        s.state = UserState::Banned { until_ms: 9 };
        assert_eq!(
            s.feed_health(0),
            FeedHealth::Down("banned until 9".to_string())
        );
    }
}
