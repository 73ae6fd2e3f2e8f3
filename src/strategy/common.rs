//! Small decisions every built-in strategy makes the same way.

use crate::core::{Ctx, Side};
use rust_decimal::Decimal;

/// Whether the strategy holds a sellable position in `instrument` (dust below the step size does
/// not count: it could never be sold).
pub fn holding(ctx: &Ctx<'_>, instrument: usize) -> bool {
    ctx.rules(instrument).round_qty(ctx.position(instrument)) > Decimal::ZERO
}

/// The free quote cash this instrument may spend: all of it divided evenly among the run's
/// instruments that are neither held nor being bought (an open buy order has already locked its
/// share, so it does not count again).
pub fn cash_share(ctx: &Ctx<'_>, instrument: usize, instruments: usize) -> Decimal {
    let free = ctx.free_quote(instrument);
    if instruments == 1 {
        return free;
    }
    let flat = (0..instruments)
        .filter(|&i| !holding(ctx, i) && !ctx.open_orders(i).any(|o| o.request.side == Side::Buy))
        .count()
        .max(1);
    free / Decimal::from(flat)
}

/// Sells the whole position at market (cancelling its resting orders first).
pub fn sell_all(ctx: &mut Ctx<'_>, instrument: usize) {
    if ctx.open_orders(instrument).next().is_some() {
        let resting: Vec<u64> = ctx.open_orders(instrument).map(|o| o.id).collect();
        for id in resting {
            ctx.cancel(id);
        }
    }
    let qty = ctx.rules(instrument).round_qty(ctx.position(instrument));
    if qty > Decimal::ZERO {
        ctx.market_sell(instrument, qty);
    }
}
