//! Limit checks: pure functions of an order (already rounded to the filters) and a `View` of the
//! account and the market. Each refusal names its rule. Orders that only reduce exposure (spot
//! sells: there is no short selling) are never limited, so a limit can never trap a position.

use super::{Limits, View};
use crate::core::{OrderRequest, Qty, Reject, Side};
use rust_decimal::Decimal;

pub const MAX_POSITION: &str = "RISK_MAX_POSITION";
pub const MAX_EXPOSURE: &str = "RISK_MAX_EXPOSURE";
pub const MAX_OPEN_ORDERS: &str = "RISK_MAX_OPEN_ORDERS";
pub const MAX_ORDER: &str = "RISK_MAX_ORDER";
pub const MIN_ORDER: &str = "RISK_MIN_ORDER";
pub const FREE_BALANCE: &str = "RISK_FREE_BALANCE";

/// What an order costs in the quote asset (a buy's fee included), at its limit price or else the
/// last close.
pub fn cost(r: &OrderRequest, view: &View<'_>, fee: Decimal) -> (Decimal, Decimal) {
    match r.qty {
        Qty::Base(q) => {
            let price = r.kind.limit().unwrap_or_else(|| view.price(r.instrument));
            (q * price, q * price * (Decimal::ONE + fee))
        }
        // A quote amount already includes the fee (Binance's `quoteOrderQty`).
        Qty::Quote(a) => (a, a),
    }
}

pub(super) fn check(
    limits: &Limits,
    r: &OrderRequest,
    view: &View<'_>,
    fee: Decimal,
) -> Result<(), Reject> {
    if r.side == Side::Sell {
        return Ok(());
    }
    let (notional, spend) = cost(r, view, fee);
    let quote = &view.exchange.rules(r.instrument).quote;
    let money = |d: Decimal| format!("{} {quote}", d.round_dp(2));
    if let Some(min) = limits.min_order_quote.filter(|m| notional < *m) {
        let why = format!(
            "order value {} is below risk.min_order_quote {}",
            money(notional),
            money(min)
        );
        return Err(Reject::new(MIN_ORDER, why));
    }
    if let Some(max) = limits.max_order_quote.filter(|m| notional > *m) {
        let why = format!(
            "order value {} is above risk.max_order_quote {}",
            money(notional),
            money(max)
        );
        return Err(Reject::new(MAX_ORDER, why));
    }
    let open = view.exchange.open_orders().len();
    if let Some(max) = limits.max_open_orders.filter(|m| open + 1 > *m) {
        let why = format!("{open} orders are open and risk.max_open_orders is {max}");
        return Err(Reject::new(MAX_OPEN_ORDERS, why));
    }
    // Holdings are valued only for the limits that need them: this runs for every order.
    if let Some(max) = limits.max_position_quote {
        let position = view.holding_value(r.instrument) + notional;
        if position > max {
            let why = format!(
                "the position would be worth {}, above risk.max_position_quote {}",
                money(position),
                money(max)
            );
            return Err(Reject::new(MAX_POSITION, why));
        }
    }
    if let Some(pct) = limits.max_exposure_pct {
        let exposure = view.exposure() + notional;
        let equity = view.equity();
        let cap = equity * pct / Decimal::ONE_HUNDRED;
        if exposure > cap {
            let why = format!(
                "holdings would be worth {}, above risk.max_exposure_pct {pct} % of equity {}",
                money(exposure),
                money(equity)
            );
            return Err(Reject::new(MAX_EXPOSURE, why));
        }
    }
    let free = view.free_quote(r.instrument);
    if spend > free {
        let why = format!(
            "needs {} with fees but {} is free",
            money(spend),
            money(free)
        );
        return Err(Reject::new(FREE_BALANCE, why));
    }
    Ok(())
}
