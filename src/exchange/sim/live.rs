//! Paper trading on live data: orders meet the live feed instead of bars.
//!
//! Takers (market orders, triggered stop-markets, the marketable part of a limit) walk the latest
//! book best level first and settle once, at the volume-weighted price of what they took; what
//! they took is removed from the stored book, so a second order before the next update does not
//! take the same liquidity again. A market order's rest expires when the known levels run out
//! (Binance expires it too); a limit's rest rests. Resting limits fill at their price as maker
//! only on a trade strictly through them: a trade at the limit may be the queue ahead of us.
//! Stops trigger on trades. Every fill settles through `settle`, like the bar fills, so locks and
//! balances follow the same rules.

use super::settle::{QTY_DECIMALS, Trade, quote_amount};
use super::{SimExchange, matching};
use crate::core::{Liquidity, Order, OrderId, OrderKind, OrderStatus, Qty, Reject, Side, money};
use crate::exchange::{Depth, ExecEvent, Levels};
use rust_decimal::Decimal;

/// What an order asks of the book: a base quantity, or a quote amount to trade (fees excluded).
#[derive(Debug, Clone, Copy)]
enum Want {
    Base(Decimal),
    Notional(Decimal),
}

/// What walking one side of the book gave an order.
#[derive(Debug, Default, PartialEq)]
struct Take {
    qty: Decimal,
    notional: Decimal,
    /// The order got all it wanted; otherwise the levels (or those within its limit) ran out.
    complete: bool,
}

/// What becomes of a taker's unfilled rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rest {
    /// Closed as expired: market orders never rest.
    Expire,
    /// Left resting as a limit.
    Rest,
}

/// True when a level at `price` is within the order's limit (every level, without one).
fn within(side: Side, price: Decimal, cap: Option<Decimal>) -> bool {
    match (cap, side) {
        (None, _) => true,
        (Some(limit), Side::Buy) => price <= limit,
        (Some(limit), Side::Sell) => price >= limit,
    }
}

/// Takes from `levels` (best first) what `want` asks, at prices within `cap`. A quote amount's
/// last, partial level is bought in whole lot steps (`round`), so it never overspends.
fn take(
    levels: &[(Decimal, Decimal)],
    side: Side,
    want: Want,
    cap: Option<Decimal>,
    round: impl Fn(Decimal) -> Decimal,
) -> Take {
    let mut t = Take::default();
    for &(price, size) in levels {
        if !within(side, price, cap) {
            break;
        }
        match want {
            Want::Base(q) => {
                let part = size.min(q - t.qty);
                t.qty += part;
                t.notional += quote_amount(part, price);
                if t.qty >= q {
                    t.complete = true;
                    break;
                }
            }
            Want::Notional(budget) => {
                let left = budget - t.notional;
                let cost = quote_amount(size, price);
                if cost < left {
                    t.qty += size;
                    t.notional += cost;
                    continue;
                }
                let part = money::div_trunc(left, price, QTY_DECIMALS).unwrap_or_default();
                let part = round(part).min(size);
                t.qty += part;
                t.notional += quote_amount(part, price);
                t.complete = true;
                break;
            }
        }
    }
    t
}

/// Removes `qty` from the front of `levels`: what an order just took is no longer offered.
fn deplete(levels: &mut Levels, mut qty: Decimal) {
    while qty > Decimal::ZERO {
        let Some(level) = levels.first_mut() else {
            return;
        };
        let part = level.1.min(qty);
        level.1 -= part;
        qty -= part;
        if level.1 <= Decimal::ZERO {
            levels.remove(0);
        }
    }
}

fn ran_out(took: Decimal) -> Reject {
    let why = format!(
        "the book's known levels ran out after {} filled; the rest of the market order expired",
        took.normalize()
    );
    Reject::new("BOOK_DEPTH", why)
}

impl SimExchange {
    /// A new live book: it replaces the last one, and market orders waiting for one take it.
    pub(super) fn live_book(
        &mut self,
        instrument: usize,
        book: &Depth,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        let f = &mut self.feeds[instrument];
        match &mut f.book {
            Some(b) => b.clone_from(book),
            None => f.book = Some(book.clone()),
        }
        if let Some(&(ask, _)) = book.asks.first() {
            f.mark = Some(ask);
        }
        for id in self.ids(instrument) {
            let Some(order) = self.open(id) else { continue };
            if order.request.kind == OrderKind::Market {
                self.take_book(&order, None, Rest::Expire, now, out);
            }
        }
    }

    /// A trade on the market: limits it went through fill, stops it reached trigger. Each order
    /// open before the trade meets it once.
    pub(super) fn live_trade(
        &mut self,
        instrument: usize,
        price: Decimal,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        self.feeds[instrument].mark = Some(price);
        for id in self.ids(instrument) {
            let Some(order) = self.open(id) else { continue };
            self.offer_trade(order, price, now, out);
        }
    }

    /// A just-accepted order meets the book: a market order takes it (or waits for the first
    /// book), a marketable limit takes what is within its limit.
    pub(super) fn arrive(&mut self, order: &Order, now: i64, out: &mut Vec<ExecEvent>) {
        match order.request.kind {
            OrderKind::Market => self.take_book(order, None, Rest::Expire, now, out),
            OrderKind::Limit { price } => self.cross(order, price, now, out),
            _ => {}
        }
    }

    fn offer_trade(
        &mut self,
        mut order: Order,
        price: Decimal,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        let (kind, side) = (order.request.kind, order.request.side);
        match kind {
            OrderKind::Market => {}
            OrderKind::Limit { price: limit } => self.trade_through(&order, price, limit, now, out),
            OrderKind::StopLossLimit { price: limit, .. }
            | OrderKind::TakeProfitLimit { price: limit, .. }
                if order.triggered =>
            {
                self.trade_through(&order, price, limit, now, out);
            }
            OrderKind::StopLoss { .. } | OrderKind::TakeProfit { .. } => {
                if !matching::stop_reached(&kind, side, price) {
                    return;
                }
                if self.feeds[order.request.instrument].book.is_some() {
                    self.take_book(&order, None, Rest::Expire, now, out);
                } else {
                    self.execute(&order, price, Liquidity::Taker, now, out);
                }
            }
            OrderKind::StopLossLimit { price: limit, .. }
            | OrderKind::TakeProfitLimit { price: limit, .. } => {
                if !matching::stop_reached(&kind, side, price) {
                    return;
                }
                order.triggered = true;
                if let Some(o) = self.orders.iter_mut().find(|o| o.id == order.id) {
                    o.triggered = true;
                }
                self.cross(&order, limit, now, out);
            }
        }
    }

    /// A resting limit fills at its price, as maker, when a trade prints strictly through it.
    fn trade_through(
        &mut self,
        order: &Order,
        price: Decimal,
        limit: Decimal,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        let through = match order.request.side {
            Side::Buy => price < limit,
            Side::Sell => price > limit,
        };
        if through {
            self.execute(order, limit, Liquidity::Maker, now, out);
        }
    }

    /// A limit marketable against the known book takes it as taker up to its limit price.
    fn cross(&mut self, order: &Order, limit: Decimal, now: i64, out: &mut Vec<ExecEvent>) {
        let Some(book) = &self.feeds[order.request.instrument].book else {
            return;
        };
        let marketable = match order.request.side {
            Side::Buy => book.asks.first().is_some_and(|&(ask, _)| limit >= ask),
            Side::Sell => book.bids.first().is_some_and(|&(bid, _)| limit <= bid),
        };
        if marketable {
            self.take_book(order, Some(limit), Rest::Rest, now, out);
        }
    }

    /// Fills `order` as taker from the known book (within `cap`), at the average price of the
    /// levels taken; nothing happens without a book. The unfilled rest expires or rests.
    fn take_book(
        &mut self,
        order: &Order,
        cap: Option<Decimal>,
        rest: Rest,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        let (i, side) = (order.request.instrument, order.request.side);
        let want = self.want(order);
        let l = &self.listings[i];
        let Some(book) = &self.feeds[i].book else {
            return;
        };
        let levels = match side {
            Side::Buy => &book.asks,
            Side::Sell => &book.bids,
        };
        let t = take(levels, side, want, cap, |q| l.rules.round_qty(q));
        if t.qty.is_zero() && !t.complete {
            if rest == Rest::Expire {
                self.close(order.id, OrderStatus::Expired, Some(ran_out(t.qty)), out);
            }
            return;
        }
        if let (Qty::Quote(_), Err(why)) =
            (order.request.qty, l.rules.check_value(t.qty, t.notional))
        {
            return self.close(order.id, OrderStatus::Expired, Some(why), out);
        }
        let vwap = t.notional.checked_div(t.qty).unwrap_or_default();
        let price = money::round_dp(vwap, QTY_DECIMALS, false);
        let trade = Trade {
            qty: t.qty,
            price,
            notional: t.notional,
            liquidity: Liquidity::Taker,
        };
        let rests = rest == Rest::Rest && !t.complete;
        if !self.settle(order, &trade, now, rests, out) {
            return;
        }
        if let Some(book) = &mut self.feeds[i].book {
            let levels = match side {
                Side::Buy => &mut book.asks,
                Side::Sell => &mut book.bids,
            };
            deplete(levels, t.qty);
        }
        if !t.complete && rest == Rest::Expire {
            self.close(order.id, OrderStatus::Expired, Some(ran_out(t.qty)), out);
        }
    }

    /// What is left of an order, as the book walk counts it: a quote amount becomes the
    /// notional it buys after the taker fee (or must raise before it, for a sell).
    fn want(&self, order: &Order) -> Want {
        let fee = self.cfg.taker_fee;
        let notional = |amount: Decimal, rate: Decimal| {
            Want::Notional(money::div_trunc(amount, rate, QTY_DECIMALS).unwrap_or_default())
        };
        match (order.request.qty, order.request.side) {
            (Qty::Base(q), _) => Want::Base(q - order.filled),
            (Qty::Quote(amount), Side::Buy) => notional(amount, self.gross.1),
            (Qty::Quote(amount), Side::Sell) => notional(amount, Decimal::ONE - fee),
        }
    }

    /// The ids of an instrument's open orders now: orders placed while they are handled
    /// (none are, today) wait for the next event.
    fn ids(&self, instrument: usize) -> Vec<OrderId> {
        self.orders
            .iter()
            .filter(|o| o.request.instrument == instrument)
            .map(|o| o.id)
            .collect()
    }

    fn open(&self, id: OrderId) -> Option<Order> {
        self.orders.iter().find(|o| o.id == id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_walk_stops_at_the_limit_and_a_quote_amount_buys_whole_steps() {
        let asks = vec![(d("100"), d("1")), (d("101"), d("2")), (d("103"), d("5"))];
        let capped = take(&asks, Side::Buy, Want::Base(d("4")), Some(d("101")), |q| q);
        assert_eq!(
            capped,
            Take {
                qty: d("3"),
                notional: d("302"),
                complete: false
            }
        );
        let step = |q: Decimal| (q * d("100")).floor() / d("100");
        let spent = take(&asks, Side::Buy, Want::Notional(d("150")), None, step);
        assert_eq!(
            spent,
            Take {
                qty: d("1.49"),
                notional: d("149.49"),
                complete: true
            }
        );
    }

    #[test]
    fn depleting_removes_what_was_taken_from_the_front() {
        let mut asks = vec![(d("100"), d("1")), (d("101"), d("2"))];
        deplete(&mut asks, d("1.5"));
        assert_eq!(asks, vec![(d("101"), d("1.5"))]);
    }
}
