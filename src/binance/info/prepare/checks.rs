//! The individual checks behind `prepare`: each rounds one value onto its grid (in the
//! direction the module note of `prepare` gives) and checks it against one filter, refusing with
//! that filter's name.
//!
//! Invariant: a check never rounds a value up past what was asked, except a sell price or a stop
//! that fires above the market, where up is the passive direction.

use super::{OrderContext, shown};
use crate::binance::info::{LotSize, SymbolInfo, to_grid, to_grid_from};
use crate::binance::wire::{OrderSpec, OrderType};
use crate::core::{Qty, Reject, Side};
use rust_decimal::{Decimal, RoundingStrategy};

impl SymbolInfo {
    fn tick(&self) -> Decimal {
        self.price_filter().map(|p| p.tick_size).unwrap_or_default()
    }

    /// A limit price: onto the tick grid toward the passive side, then PRICE_FILTER and
    /// PERCENT_PRICE(_BY_SIDE).
    pub(super) fn limit_price(
        &self,
        price: Decimal,
        side: Side,
        ctx: &OrderContext,
    ) -> Result<Decimal, Reject> {
        let p = to_grid(price, self.tick(), side == Side::Sell);
        self.check_price(p, "price")?;
        self.check_percent(p, side, ctx)?;
        Ok(p)
    }

    /// A stop price, rounded up when it fires above the market (`up`), down otherwise.
    pub(super) fn stop_price(&self, stop: Decimal, up: bool) -> Result<Decimal, Reject> {
        let p = to_grid(stop, self.tick(), up);
        self.check_price(p, "stop price")?;
        Ok(p)
    }

    fn check_price(&self, p: Decimal, what: &str) -> Result<(), Reject> {
        if p <= Decimal::ZERO {
            let why = format!(
                "{what} {} is not positive after rounding to the tick",
                shown(p)
            );
            return Err(Reject::new("PRICE_FILTER", why));
        }
        let Some(f) = self.price_filter() else {
            return Ok(());
        };
        if !f.min_price.is_zero() && p < f.min_price {
            let why = format!(
                "{what} {} is below the minimum {}",
                shown(p),
                shown(f.min_price)
            );
            return Err(Reject::new("PRICE_FILTER", why));
        }
        if !f.max_price.is_zero() && p > f.max_price {
            let why = format!(
                "{what} {} is above the maximum {}",
                shown(p),
                shown(f.max_price)
            );
            return Err(Reject::new("PRICE_FILTER", why));
        }
        Ok(())
    }

    fn check_percent(&self, p: Decimal, side: Side, ctx: &OrderContext) -> Result<(), Reject> {
        let Some(avg) = ctx.reference_price else {
            return Ok(());
        };
        let (code, up, down) = if let Some(f) = self.percent_price_by_side() {
            match side {
                Side::Buy => (
                    "PERCENT_PRICE_BY_SIDE",
                    f.bid_multiplier_up,
                    f.bid_multiplier_down,
                ),
                Side::Sell => (
                    "PERCENT_PRICE_BY_SIDE",
                    f.ask_multiplier_up,
                    f.ask_multiplier_down,
                ),
            }
        } else if let Some(f) = self.percent_price() {
            ("PERCENT_PRICE", f.multiplier_up, f.multiplier_down)
        } else {
            return Ok(());
        };
        let (lo, hi) = (avg * down, avg * up);
        if p < lo || p > hi {
            let why = format!(
                "price {} is outside {}..{} (the allowed band around the average price {})",
                shown(p),
                shown(lo),
                shown(hi),
                shown(avg)
            );
            return Err(Reject::new(code, why));
        }
        Ok(())
    }

    /// A market order by quote amount: to the quote asset's precision, down, within the balance.
    pub(super) fn quote_amount(
        &self,
        amount: Decimal,
        side: Side,
        ctx: &OrderContext,
    ) -> Result<Decimal, Reject> {
        if !self.quote_order_qty_market_allowed {
            let why = format!(
                "{} does not take market orders by quote amount",
                self.symbol
            );
            return Err(Reject::new("INVALID", why));
        }
        let cap = match (side, ctx.free, ctx.reference_price) {
            (Side::Buy, Some(free), _) => Some(free),
            (Side::Sell, Some(free), Some(p)) => Some(free * p),
            _ => None,
        };
        let a = cap.map_or(amount, |c| amount.min(c));
        let a = a
            .round_dp_with_strategy(self.quote_asset_precision, RoundingStrategy::ToZero)
            .normalize();
        if a <= Decimal::ZERO {
            let code = if cap.is_some_and(|c| c < amount) {
                "INSUFFICIENT_BALANCE"
            } else {
                "INVALID"
            };
            let why = format!(
                "quote amount {} {} is not positive",
                shown(a),
                self.quote_asset
            );
            return Err(Reject::new(code, why));
        }
        Ok(a)
    }

    /// A base quantity onto the step grid(s), down, cut to what the free balance pays for at
    /// `price`, then checked against LOT_SIZE (and MARKET_LOT_SIZE for market orders).
    pub(super) fn fit_qty(
        &self,
        qty: Decimal,
        side: Side,
        price: Option<Decimal>,
        market: bool,
        ctx: &OrderContext,
    ) -> Result<Decimal, Reject> {
        let cap = match (side, ctx.free, price) {
            (Side::Sell, Some(free), _) => Some(free),
            (Side::Buy, Some(free), Some(p)) if p > Decimal::ZERO => Some(free / p),
            _ => None,
        };
        let mut lots = vec![("LOT_SIZE", self.lot_size())];
        if market {
            lots.push(("MARKET_LOT_SIZE", self.market_lot_size()));
        }
        let q = lots
            .iter()
            .fold(cap.map_or(qty, |c| qty.min(c)), |q, (_, lot)| match lot {
                Some(l) if q >= l.min_qty => to_grid_from(q, l.min_qty, l.step_size, false),
                Some(l) => to_grid(q, l.step_size, false),
                None => q,
            });
        if cap.is_some_and(|c| c < qty) {
            let min = lots.iter().filter_map(|(_, l)| l.map(|l| l.min_qty)).max();
            self.check_covered(q, qty, min.unwrap_or_default())?;
        }
        for (code, lot) in lots {
            self.check_lot(q, code, lot)?;
        }
        Ok(q)
    }

    /// A quantity cut to the balance must still be a valid order.
    fn check_covered(&self, q: Decimal, asked: Decimal, min: Decimal) -> Result<(), Reject> {
        if q > Decimal::ZERO && q >= min {
            return Ok(());
        }
        let why = format!(
            "the free balance covers only {} of the {} {} asked, below the minimum {}",
            shown(q),
            shown(asked),
            self.base_asset,
            shown(min)
        );
        Err(Reject::new("INSUFFICIENT_BALANCE", why))
    }

    fn check_lot(
        &self,
        q: Decimal,
        code: &'static str,
        lot: Option<&LotSize>,
    ) -> Result<(), Reject> {
        let base = &self.base_asset;
        if q <= Decimal::ZERO {
            let why = format!(
                "quantity {} {base} is not positive after rounding to the step",
                shown(q)
            );
            return Err(Reject::new(code, why));
        }
        let Some(l) = lot else { return Ok(()) };
        if q < l.min_qty {
            let why = format!(
                "quantity {} {base} is below the minimum {}",
                shown(q),
                shown(l.min_qty)
            );
            return Err(Reject::new(code, why));
        }
        if !l.max_qty.is_zero() && q > l.max_qty {
            let why = format!(
                "quantity {} {base} is above the maximum {}",
                shown(q),
                shown(l.max_qty)
            );
            return Err(Reject::new(code, why));
        }
        Ok(())
    }

    /// MIN_NOTIONAL and NOTIONAL on the order's value: quantity × limit price (or the stop price
    /// for stops that fire a market order, or the reference price for market orders; a market
    /// order with no reference price is left to the exchange). Only MARKET orders count as market
    /// orders for the filters' `apply…ToMarket` flags.
    pub(super) fn check_value(&self, spec: &OrderSpec, ctx: &OrderContext) -> Result<(), Reject> {
        let market = spec.order_type() == OrderType::Market;
        let value = match spec.qty() {
            Qty::Quote(amount) => Some(amount),
            Qty::Base(q) => spec
                .price()
                .or(spec.stop())
                .or(ctx.reference_price)
                .map(|p| q * p),
        };
        match value {
            Some(v) => self.check_notional(v, market),
            None => Ok(()),
        }
    }

    pub(super) fn check_notional(&self, value: Decimal, market: bool) -> Result<(), Reject> {
        let quote = &self.quote_asset;
        let low = |code: &'static str, min: Decimal| {
            let why = format!(
                "order value {} {quote} is below the minimum {} {quote}",
                value.round_dp(8).normalize(),
                shown(min)
            );
            Err(Reject::new(code, why))
        };
        if let Some(f) = self.min_notional()
            && (!market || f.apply_to_market)
            && value < f.min_notional
        {
            return low("MIN_NOTIONAL", f.min_notional);
        }
        if let Some(f) = self.notional() {
            if (!market || f.apply_min_to_market) && value < f.min_notional {
                return low("NOTIONAL", f.min_notional);
            }
            if !f.max_notional.is_zero()
                && (!market || f.apply_max_to_market)
                && value > f.max_notional
            {
                let why = format!(
                    "order value {} {quote} is above the maximum {} {quote}",
                    shown(value),
                    shown(f.max_notional)
                );
                return Err(Reject::new("NOTIONAL", why));
            }
        }
        Ok(())
    }
}
