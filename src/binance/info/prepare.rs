//! Getting an order ready for Binance: every price and quantity rounded onto the symbol's grids
//! in `Decimal`, and an order that cannot pass the filters refused here, with the filter's name,
//! instead of by the exchange.
//!
//! Rounding never makes an order bigger or more aggressive than asked: quantities round down (and
//! never beyond the free balance, when given); buy prices round down and sell prices up; stop
//! prices round away from the market (up for a stop that fires above it: STOP_LOSS buys and
//! TAKE_PROFIT sells; down for one that fires below it), so rounding never triggers a stop sooner.
//!
//! Invariant: only this module makes a `Prepared` order, and only from one that passed.

use super::{SymbolInfo, SymbolStatus};
use crate::binance::wire::{NewOrder, OrderType};
use crate::core::{Qty, Reject};
use rust_decimal::Decimal;

mod checks;
mod oco;

/// What the check may know besides the order itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OrderContext {
    /// Free balance of the asset the order spends: the quote asset for a buy, the base asset for
    /// a sell. Quantities are cut to fit it.
    pub free: Option<Decimal>,
    /// The current average (or last) price: values market orders for the notional filters and
    /// bounds limit prices for PERCENT_PRICE(_BY_SIDE).
    pub reference_price: Option<Decimal>,
}

/// An order that passed the symbol's filters, rounded; the trading client sends only these.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared<T>(T);

impl<T> Prepared<T> {
    pub fn get(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

fn shown(d: Decimal) -> Decimal {
    d.normalize()
}

impl SymbolInfo {
    /// Rounds `order` to the filters and checks it, or says which filter refuses it.
    pub fn prepare(
        &self,
        order: NewOrder,
        ctx: &OrderContext,
    ) -> Result<Prepared<NewOrder>, Reject> {
        let (spec, side) = (order.spec, order.side);
        let kind = spec.order_type();
        self.check_tradable(kind)?;
        let stop = spec
            .stop()
            .map(|s| self.stop_price(s, spec.fires_above(side)));
        let stop = stop.transpose()?;
        let price = spec.price().map(|p| self.limit_price(p, side, ctx));
        let price = price.transpose()?;
        let qty = match spec.qty() {
            Qty::Quote(amount) => Qty::Quote(self.quote_amount(amount, side, ctx)?),
            Qty::Base(q) => {
                // What the quantity is valued at: its limit, else its stop, else the market.
                let at = price.or(stop).or(ctx.reference_price);
                Qty::Base(self.fit_qty(q, side, at, kind == OrderType::Market, ctx)?)
            }
        };
        let spec = spec.with_terms(stop, price, qty);
        self.check_value(&spec, ctx)?;
        Ok(Prepared(NewOrder { spec, ..order }))
    }

    /// The symbol trades and takes this order type.
    fn check_tradable(&self, kind: OrderType) -> Result<(), Reject> {
        if self.status != SymbolStatus::Trading {
            let why = format!(
                "{} is not trading now (status {:?})",
                self.symbol, self.status
            );
            return Err(Reject::new("HALTED", why));
        }
        if !self.order_types.contains(&kind) {
            let why = format!("{} does not take {} orders", self.symbol, kind.as_str());
            return Err(Reject::new("INVALID", why));
        }
        Ok(())
    }
}
