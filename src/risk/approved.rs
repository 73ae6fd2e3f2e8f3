//! The only door to an exchange adapter: an order that passed the risk layer. `Approved` has no
//! public constructor; `Risk::approve` (after halts, sizing, filters and limits) is the one place
//! that builds it, so an adapter's `submit` cannot be handed an order risk has not seen.

use crate::core::OrderRequest;

#[derive(Debug, Clone, PartialEq)]
pub struct Approved(OrderRequest);

impl Approved {
    pub(super) fn new(request: OrderRequest) -> Self {
        Self(request)
    }

    /// For an exchange adapter's own unit tests, which exercise it without the risk layer.
    #[cfg(test)]
    pub(crate) fn unchecked(request: OrderRequest) -> Self {
        Self(request)
    }

    pub fn request(&self) -> &OrderRequest {
        &self.0
    }

    pub fn into_request(self) -> OrderRequest {
        self.0
    }
}
