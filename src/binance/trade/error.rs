//! The trading client's errors: refused here before sending, failed at the REST layer (with
//! Binance's code and message for a rejection), or sent with an outcome nobody could confirm.
//!
//! Invariant: `Unknown` is the only error after which an order may exist on the exchange; every
//! other error means the order was not placed.

use crate::binance::{RestError, SignError, TimeError, wire::WireError};
use crate::core::Reject;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TradeError {
    #[error("refused before sending: {0}")]
    Refused(Reject),
    #[error("{0}")]
    Rest(RestError),
    #[error(
        "order {client_id}: the outcome is unknown ({cause}) and checking it failed ({check}); it \
         was not sent again. Reconcile open orders before trading it again"
    )]
    Unknown {
        client_id: String,
        cause: RestError,
        check: RestError,
    },
    #[error("{0} is not listed in Binance's exchangeInfo")]
    UnknownSymbol(String),
    #[error("trading client setup: {0}")]
    Setup(String),
}

impl TradeError {
    /// Worth retrying as is after a pause (an unknown outcome is not: reconcile first).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Rest(e) if e.is_transient())
    }

    /// The order may exist on the exchange although this call failed.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::Unknown { .. })
    }

    /// Binance's error code, for a rejection.
    pub fn binance_code(&self) -> Option<i64> {
        match self {
            Self::Rest(e) => e.code(),
            _ => None,
        }
    }
}

impl From<RestError> for TradeError {
    fn from(e: RestError) -> Self {
        Self::Rest(e)
    }
}

impl From<WireError> for TradeError {
    fn from(e: WireError) -> Self {
        Self::Rest(RestError::Malformed(e.to_string()))
    }
}

impl From<SignError> for TradeError {
    fn from(e: SignError) -> Self {
        Self::Setup(e.to_string())
    }
}

impl From<TimeError> for TradeError {
    fn from(e: TimeError) -> Self {
        Self::Setup(e.to_string())
    }
}
