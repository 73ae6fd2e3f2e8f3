//! Position sizing (to be filled in): a strategy's entry quantity from its configured policy —
//! a fixed quote amount, a percentage of equity, risk-based (a percentage of equity at risk
//! between entry and stop), or capped fractional Kelly from its own round trips — rounded to the
//! step and never above the free balance after fees.

use super::{Ledger, RiskConfig, View};
use crate::core::{OrderRequest, Reject};

/// The request with its quantity replaced by the strategy's policy, when it has one and the order
/// is an entry; otherwise unchanged.
pub fn size(
    _config: &RiskConfig,
    _ledger: &Ledger,
    request: OrderRequest,
    _view: &View<'_>,
) -> Result<OrderRequest, Reject> {
    Ok(request)
}
