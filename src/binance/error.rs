//! REST errors, split into transient (worth retrying) and permanent, cloneable so they can travel
//! inside events and reports; a permanent rejection keeps Binance's code and message.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RestError {
    #[error("Binance rate limit hit (HTTP 429); it asked for a {}s pause", .retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    #[error(
        "Binance has banned this IP (HTTP 418) for {}s; tickdesk stopped sending. Wait for the ban to end, \
         then run again with a lower fetch.max_weight_per_minute",
        .retry_after.as_secs()
    )]
    Banned { retry_after: Duration },
    #[error("Binance server error (HTTP {status}); the outcome of the request is unknown")]
    Server { status: u16 },
    #[error("no answer within {}s", .0.as_secs())]
    Timeout(Duration),
    #[error("connection failed: {0}")]
    Connection(String),
    #[error("malformed answer from Binance: {0}")]
    Malformed(String),
    #[error("Binance refused the request (HTTP {status}, code {code}): {msg}")]
    Rejected { status: u16, code: i64, msg: String },
}

impl RestError {
    /// Worth another attempt after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Server { .. } | Self::Timeout(_) | Self::Connection(_) | Self::Malformed(_)
        )
    }

    /// Binance's error code, when it sent one (`-1021`, `-2010`, …).
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Rejected { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Binance's codes tickdesk acts on (errors.md).
pub mod codes {
    /// "An unexpected response was received from the message bus. Execution status unknown."
    pub const UNKNOWN_STATUS: i64 = -1006;
    /// Backend timeout; execution status unknown.
    pub const TIMEOUT: i64 = -1007;
    /// Order-rate limit exceeded.
    pub const TOO_MANY_ORDERS: i64 = -1015;
    /// Timestamp outside the recvWindow, or ahead of the server.
    pub const INVALID_TIMESTAMP: i64 = -1021;
    /// Cancel rejected, e.g. "Unknown order sent."
    pub const CANCEL_REJECTED: i64 = -2011;
    /// "Order does not exist."
    pub const NO_SUCH_ORDER: i64 = -2013;
}
