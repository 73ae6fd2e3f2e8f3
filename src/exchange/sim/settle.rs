//! Settling a fill: the quantity (a quote-amount order's is computed at the fill price and rounded
//! to the step), the balance movements with the fee in the quote asset, and the end of the order
//! and its one-cancels-other group. Along bars orders fill whole (bar volume is not modelled as a
//! limit); on a live book a taker takes only what the known levels hold (see `live`).

use super::SimExchange;
use crate::core::{Fill, Liquidity, Order, OrderId, OrderStatus, Qty, Reject, Side, money};
use crate::exchange::ExecEvent;
use rust_decimal::Decimal;

/// A candle price as a decimal (see `core::to_decimal`).
pub fn decimal(x: f64) -> Decimal {
    crate::core::to_decimal(x)
}

/// A market price worsened by slippage in basis points.
pub fn slip(price: Decimal, side: Side, bps: Decimal) -> Decimal {
    if bps.is_zero() {
        return price;
    }
    let f = bps / Decimal::from(10_000);
    match side {
        Side::Buy => price * (Decimal::ONE + f),
        Side::Sell => price * (Decimal::ONE - f),
    }
}

/// Computed quantities are cut to 18 decimals (toward zero, so never more than was paid for).
/// Binance quantities have at most 8; 28-digit quotients would make every later sum rescale.
pub(super) const QTY_DECIMALS: u32 = 18;

/// Quote amounts (an order's value, a fee) are rounded to 12 decimals: Binance books quote assets
/// to 8, and unbounded products (26 decimals and more) would make every balance update rescale.
const AMOUNT_DECIMALS: u32 = 12;

/// `qty × price` (or `amount × rate`) as a quote amount.
fn amount(a: Decimal, b: Decimal) -> Decimal {
    money::mul_round(a, b, AMOUNT_DECIMALS)
}

/// Rounding dust tolerated when an order spends exactly its locked amount.
fn dust() -> Decimal {
    Decimal::new(1, 12)
}

/// One execution to settle: how much, at what (average) price, for what quote amount.
pub(super) struct Trade {
    pub qty: Decimal,
    pub price: Decimal,
    pub notional: Decimal,
    pub liquidity: Liquidity,
}

/// `qty × price` (or `amount × rate`) as a quote amount, rounded as every settled amount is.
pub(super) fn quote_amount(a: Decimal, b: Decimal) -> Decimal {
    amount(a, b)
}

impl SimExchange {
    /// Fills what is left of `order` at `price`: the whole order, ending it and its group.
    pub(super) fn execute(
        &mut self,
        order: &Order,
        price: Decimal,
        liquidity: Liquidity,
        time: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        let req = &order.request;
        let rules = &self.listings[req.instrument].rules;
        let (rate, gross) = match liquidity {
            Liquidity::Maker => (self.cfg.maker_fee, self.gross.0),
            Liquidity::Taker => (self.cfg.taker_fee, self.gross.1),
        };
        let qty = match (req.qty, req.side) {
            (Qty::Base(q), _) => q - order.filled,
            (Qty::Quote(amount), Side::Buy) => {
                let q = money::div_trunc(amount, gross * price, QTY_DECIMALS);
                rules.round_qty(q.unwrap_or_default())
            }
            (Qty::Quote(amount), Side::Sell) => {
                let q = money::div_trunc(amount, price * (Decimal::ONE - rate), QTY_DECIMALS);
                rules.round_qty(q.unwrap_or_default())
            }
        };
        let notional = amount(qty, price);
        if let Err(why) = rules.check_value(qty, notional) {
            return self.close(order.id, OrderStatus::Expired, Some(why), out);
        }
        let trade = Trade {
            qty,
            price,
            notional,
            liquidity,
        };
        self.settle(order, &trade, time, false, out);
    }

    /// Moves the funds of one execution and reports it; true when it settled. The order ends
    /// unless `rests`, in which case it stays open for its unfilled quantity with that locked
    /// again (a marketable limit whose rest waits in the book). Either way its one-cancels-other
    /// group ends, as on Binance when any leg fills.
    pub(super) fn settle(
        &mut self,
        order: &Order,
        trade: &Trade,
        time: i64,
        rests: bool,
        out: &mut Vec<ExecEvent>,
    ) -> bool {
        let req = &order.request;
        let (base, quote) = (
            self.listings[req.instrument].base,
            self.listings[req.instrument].quote,
        );
        let rate = match trade.liquidity {
            Liquidity::Maker => self.cfg.maker_fee,
            Liquidity::Taker => self.cfg.taker_fee,
        };
        let (qty, notional) = (trade.qty, trade.notional);
        // Free this order's funds and those its group shares, then settle from free balances.
        let group = self.group_members(order);
        self.release(order.id);
        for id in &group {
            self.release(*id);
        }
        let fee = amount(notional, rate);
        let settled = match req.side {
            Side::Buy => self
                .pay(quote, notional + fee)
                .map(|()| self.account.receive(base, qty)),
            Side::Sell => self
                .pay(base, qty)
                .map(|()| self.account.receive(quote, notional - fee)),
        };
        if let Err(why) = settled {
            self.close(order.id, OrderStatus::Expired, Some(why), out);
            return false;
        }
        if !rests {
            self.orders.retain(|o| o.id != order.id);
        }
        out.push(ExecEvent::Fill(Fill {
            order: order.id,
            instrument: req.instrument,
            side: req.side,
            qty,
            price: trade.price,
            quote: notional,
            fee,
            liquidity: trade.liquidity,
            time,
            origin: req.origin,
        }));
        for id in group {
            self.close(id, OrderStatus::Canceled, None, out);
        }
        if rests {
            self.keep_resting(order.id, qty, out);
        }
        true
    }

    /// Books a partial fill on a resting order and locks what its unfilled rest needs.
    fn keep_resting(&mut self, id: OrderId, qty: Decimal, out: &mut Vec<ExecEvent>) {
        let Some(o) = self.orders.iter_mut().find(|o| o.id == id) else {
            return;
        };
        o.filled += qty;
        o.status = OrderStatus::PartiallyFilled;
        let Qty::Base(total) = o.request.qty else {
            return;
        };
        let mut rest = o.request.clone();
        rest.qty = Qty::Base(total - o.filled);
        let (asset, need) = self.requirement(&rest, self.reference(rest.instrument));
        if self.account.lock(asset, need) {
            self.locks.push(id, asset, need);
        } else {
            let why = format!(
                "the unfilled rest needs {} {} but {} is free",
                need.round_dp(8),
                self.account.name(asset),
                self.account.free(asset).round_dp(8)
            );
            let why = Reject::new("INSUFFICIENT_BALANCE", why);
            self.close(id, OrderStatus::Expired, Some(why), out);
        }
    }

    fn group_members(&self, order: &Order) -> Vec<OrderId> {
        let Some(g) = order.request.oco else {
            return Vec::new();
        };
        self.orders
            .iter()
            .filter(|o| o.request.oco == Some(g) && o.id != order.id)
            .map(|o| o.id)
            .collect()
    }

    /// Takes `amount` of `asset` from free funds (dust-level shortfalls are rounding, not debt).
    fn pay(&mut self, asset: usize, amount: Decimal) -> Result<(), Reject> {
        let free = self.account.free(asset);
        if amount > free && amount - free > dust() {
            let why = format!(
                "needs {} {} at execution but {} is free",
                amount.round_dp(8),
                self.account.name(asset),
                free.round_dp(8)
            );
            return Err(Reject::new("INSUFFICIENT_BALANCE", why));
        }
        self.account.spend_free(asset, amount);
        Ok(())
    }
}
