//! OCO lists through the same filters: each leg's prices rounded and checked like a single
//! order's (the above leg's stop rounds up, the below leg's down: away from the market), the legs
//! in the shape Binance requires, one quantity that fits both legs.
//!
//! Invariant: a prepared list's above leg acts strictly above its below leg (and around the
//! reference price, when one is given).

use super::{OrderContext, Prepared, shown};
use crate::binance::info::SymbolInfo;
use crate::binance::wire::{NewOco, OcoLeg};
use crate::core::{Reject, Side};
use rust_decimal::Decimal;

impl SymbolInfo {
    /// Rounds `oco` to the filters and checks it, or says which rule refuses it.
    pub fn prepare_oco(&self, oco: NewOco, ctx: &OrderContext) -> Result<Prepared<NewOco>, Reject> {
        if !self.oco_allowed {
            let why = format!("{} does not take OCO order lists", self.symbol);
            return Err(Reject::new("INVALID", why));
        }
        self.check_tradable(oco.above.order_type())?;
        self.check_tradable(oco.below.order_type())?;
        check_shape(oco.side, &oco.above, &oco.below)?;
        let above = self.leg(oco.above, oco.side, true, ctx)?;
        let below = self.leg(oco.below, oco.side, false, ctx)?;
        check_order(above.trigger(), below.trigger(), ctx.reference_price)?;
        // A buy list pays at most its dearest leg; that bounds what the balance covers.
        let dearest = [above, below]
            .iter()
            .map(|l| l.price().unwrap_or_default().max(l.trigger()))
            .max()
            .unwrap_or_default();
        let qty = self.fit_qty(oco.qty, oco.side, Some(dearest), false, ctx)?;
        for leg in [above, below] {
            self.check_notional(qty * leg.price().unwrap_or(leg.trigger()), false)?;
        }
        Ok(Prepared(NewOco {
            qty,
            above,
            below,
            ..oco
        }))
    }

    fn leg(
        &self,
        leg: OcoLeg,
        side: Side,
        above: bool,
        ctx: &OrderContext,
    ) -> Result<OcoLeg, Reject> {
        Ok(match leg {
            OcoLeg::LimitMaker { price } => OcoLeg::LimitMaker {
                price: self.limit_price(price, side, ctx)?,
            },
            OcoLeg::StopLoss { stop } => OcoLeg::StopLoss {
                stop: self.stop_price(stop, above)?,
            },
            OcoLeg::TakeProfit { stop } => OcoLeg::TakeProfit {
                stop: self.stop_price(stop, above)?,
            },
            OcoLeg::StopLossLimit { stop, price, tif } => OcoLeg::StopLossLimit {
                stop: self.stop_price(stop, above)?,
                price: self.limit_price(price, side, ctx)?,
                tif,
            },
            OcoLeg::TakeProfitLimit { stop, price, tif } => OcoLeg::TakeProfitLimit {
                stop: self.stop_price(stop, above)?,
                price: self.limit_price(price, side, ctx)?,
                tif,
            },
        })
    }
}

/// The above leg acts above the below leg, and the market (when known) lies between them.
fn check_order(hi: Decimal, lo: Decimal, market: Option<Decimal>) -> Result<(), Reject> {
    if hi <= lo {
        let why = format!(
            "the above leg acts at {}, not above the below leg at {}",
            shown(hi),
            shown(lo)
        );
        return Err(Reject::new("INVALID", why));
    }
    if let Some(p) = market.filter(|p| *p >= hi || *p <= lo) {
        let why = format!(
            "the legs at {} and {} must sit either side of the price {}",
            shown(hi),
            shown(lo),
            shown(p)
        );
        return Err(Reject::new("INVALID", why));
    }
    Ok(())
}

/// A SELL list: LIMIT_MAKER or TAKE_PROFIT(_LIMIT) above, STOP_LOSS(_LIMIT) below; a BUY list the
/// reverse.
fn check_shape(side: Side, above: &OcoLeg, below: &OcoLeg) -> Result<(), Reject> {
    let ok = match side {
        Side::Sell => !above.is_stop_loss() && below.is_stop_loss(),
        Side::Buy => above.is_stop_loss() && !below.is_stop_loss(),
    };
    if ok {
        return Ok(());
    }
    let why = match side {
        Side::Sell => {
            "a SELL OCO takes its LIMIT_MAKER or TAKE_PROFIT leg above and its STOP_LOSS leg below"
        }
        Side::Buy => {
            "a BUY OCO takes its STOP_LOSS leg above and its LIMIT_MAKER or TAKE_PROFIT leg below"
        }
    };
    Err(Reject::new("INVALID", why))
}
