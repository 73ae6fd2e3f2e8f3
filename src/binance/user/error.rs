//! Errors of the user-data session, split into transient (reconnect after a backoff) and
//! permanent (Binance refused us: the code and message are kept for the user, and the session
//! stops instead of hammering the API). Cloneable, so they travel inside health events. Every
//! `until_ms` is on Binance's clock (its `retryAfter`), not the local one.

use crate::binance::RestError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UserError {
    #[error("Binance refused `{method}` (status {status}, code {code}): {msg}")]
    Rejected {
        method: String,
        status: u16,
        code: i64,
        msg: String,
    },
    #[error("Binance rate limit hit on the WebSocket API (429); paused until {until_ms} ms")]
    RateLimited { until_ms: i64 },
    #[error(
        "Binance has banned this IP (418) until {until_ms} ms; nothing is sent to it until then"
    )]
    Banned { until_ms: i64 },
    #[error("no answer to `{method}` within {secs} s")]
    Timeout { method: String, secs: u64 },
    #[error("WebSocket API connection failed: {0}")]
    Connection(String),
    #[error("the WebSocket API connection ended: {0}")]
    Closed(String),
    #[error("no frame for {0} s, not even a ping: the connection is stale")]
    Stale(u64),
    #[error("unexpected frame from Binance: {0}")]
    Malformed(String),
    #[error("REST reconciliation failed: {0}")]
    Rest(#[from] RestError),
    /// The trading client refused a reconciliation query for a reason of its own (setup, an
    /// unknown symbol).
    #[error("REST reconciliation failed: {0}")]
    Reconcile(String),
}

/// Binance's `-1021`: the request's timestamp was outside `recvWindow`.
pub const INVALID_TIMESTAMP: i64 = -1021;

impl UserError {
    /// Worth reconnecting after a backoff (or, for rate limits and bans, after their end).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Rejected { status, code, .. } => *status >= 500 || *code == INVALID_TIMESTAMP,
            Self::Rest(e) => {
                e.is_transient()
                    || matches!(e, RestError::RateLimited { .. } | RestError::Banned { .. })
                    || matches!(e, RestError::Rejected { code, .. } if *code == INVALID_TIMESTAMP)
            }
            Self::Reconcile(_) => false,
            _ => true,
        }
    }

    /// Binance's code and message, for a refusal.
    pub fn binance_code(&self) -> Option<(i64, &str)> {
        match self {
            Self::Rejected { code, msg, .. } => Some((*code, msg)),
            Self::Rest(RestError::Rejected { code, msg, .. }) => Some((*code, msg)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rejected(status: u16, code: i64) -> UserError {
        UserError::Rejected {
            method: "userDataStream.subscribe.signature".into(),
            status,
            code,
            msg: "Invalid API-key, IP, or permissions for action.".into(),
        }
    }

    #[test]
    fn refusals_are_permanent_except_timestamps_and_server_errors() {
        let bad_key = rejected(401, -2015);
        assert!(!bad_key.is_transient());
        assert_eq!(
            bad_key.binance_code(),
            Some((-2015, "Invalid API-key, IP, or permissions for action."))
        );
        assert!(bad_key.to_string().contains("code -2015"), "{bad_key}");
        assert!(rejected(400, INVALID_TIMESTAMP).is_transient());
        assert!(rejected(503, -1007).is_transient());
        assert!(UserError::Stale(60).is_transient());
        assert!(UserError::Banned { until_ms: 5 }.is_transient());
        let rest_ban = RestError::Banned {
            retry_after: Duration::from_secs(60),
        };
        assert!(UserError::Rest(rest_ban).is_transient());
        let rest_refusal = RestError::Rejected {
            status: 400,
            code: -1121,
            msg: "Invalid symbol.".into(),
        };
        assert!(!UserError::Rest(rest_refusal).is_transient());
    }
}
