//! The fake's matching engine for the account's orders: a new order that passed `checks` locks
//! its funds, is recorded, then works: MARKET orders walk the other side of the book (by quantity
//! or `quoteOrderQty`), LIMIT orders take what crosses and rest the rest (GTC) or expire it (IOC;
//! FOK fills entirely or not at all), stop orders wait for a trade at their stop price. The
//! account's takers never meet its own resting orders (Binance's default self-trade prevention
//! would expire the maker; the fake leaves it alone). Invariant: the account only ever trades
//! against other participants' liquidity, every fill moves balances by exactly price × qty and
//! the commission, and an order that ends holds no locked funds.

use super::account::TradeRecord;
use super::checks::{NewOrder, probe};
use super::exchange::Exchange;
use super::order::{Fill, Kind, Order, Side, Status, Tif};
use super::wire::ApiError;
use rust_decimal::Decimal;

impl Exchange {
    /// Accepts and works a new order, or refuses it without changing anything.
    pub fn place(&mut self, new: &NewOrder) -> Result<u64, ApiError> {
        let spec = self.spec(&new.symbol)?;
        self.check(&spec, new)?;
        let (asset, amount) = self.lock_need(&spec, new, new.qty.unwrap_or_default());
        if new.kind == Kind::Market {
            self.check_market_funds(&spec, new)?;
        }
        self.account.lock(&asset, amount)?;
        let id = self.insert(new, -1, amount);
        if !new.kind.is_stop() {
            self.activate(id);
        }
        self.flush();
        Ok(id)
    }

    /// Records an accepted order (status NEW, reported) holding `locked`.
    pub fn insert(&mut self, new: &NewOrder, list_id: i64, locked: Decimal) -> u64 {
        let id = self.next_id();
        let client_id = match &new.client_id {
            Some(c) => c.clone(),
            None => self.generated_client_id(),
        };
        let order = Order {
            client_id,
            id,
            list_id,
            time: self.now,
            update_time: self.now,
            locked,
            ..probe(new)
        };
        self.orders.insert(id, order);
        self.report(id, "NEW", None, None);
        id
    }

    /// Starts working an order: take what crosses, then rest, expire or finish.
    pub fn activate(&mut self, id: u64) {
        let o = self.orders.get_mut(&id).unwrap();
        o.working = true;
        o.working_time = self.now;
        let (kind, tif) = (o.kind, o.tif);
        if tif == Tif::Fok
            && kind.has_price()
            && self.crossing_qty(id) < self.orders[&id].remaining()
        {
            self.close(id, Status::Expired, "EXPIRED", None);
            return;
        }
        self.take(id);
        let o = &self.orders[&id];
        if !o.status.is_open() {
            return;
        }
        if kind.is_market_like() {
            if o.qty.is_zero() {
                self.finish_quote_order(id);
            } else {
                self.close(id, Status::Expired, "EXPIRED", None);
            }
        } else if tif == Tif::Gtc || kind == Kind::LimitMaker {
            self.rest(id);
        } else {
            self.close(id, Status::Expired, "EXPIRED", None);
        }
    }

    fn crossing_qty(&self, id: u64) -> Decimal {
        let o = &self.orders[&id];
        self.books[&o.symbol]
            .ext_levels(o.side.opposite())
            .into_iter()
            .take_while(|(p, _)| o.crosses(*p))
            .map(|(_, q)| q)
            .sum()
    }

    /// Walks other participants' liquidity as the taker.
    fn take(&mut self, id: u64) {
        let (symbol, side) = (self.orders[&id].symbol.clone(), self.orders[&id].side);
        let spec = self.symbols[&symbol].clone();
        for (price, avail) in self.books[&symbol].ext_levels(side.opposite()) {
            let o = &self.orders[&id];
            if !o.status.is_open() || !o.crosses(price) {
                break;
            }
            let q = if o.qty.is_zero() {
                spec.floor_qty(avail.min((o.quote_qty - o.cum_quote) / price))
            } else {
                avail.min(o.remaining())
            };
            if q <= Decimal::ZERO {
                break;
            }
            self.book(&symbol).take_ext(side.opposite(), price, q);
            self.fill(id, price, q, false);
            self.public_trade(&symbol, price, q, side == Side::Sell);
        }
    }

    /// A MARKET order by quote amount that ran out of liquidity: what it bought is its quantity.
    fn finish_quote_order(&mut self, id: u64) {
        let o = self.orders.get_mut(&id).unwrap();
        o.qty = o.executed;
        self.close(id, Status::Expired, "EXPIRED", None);
    }

    /// One execution of order `id`: balances, commission, history, report.
    pub fn fill(&mut self, id: u64, price: Decimal, qty: Decimal, maker: bool) {
        let trade_id = self.next_id();
        let (commission, commission_asset) = self.pay(id, price, qty, maker);
        let fill = Fill {
            price,
            qty,
            commission,
            commission_asset,
            trade_id,
            maker,
        };
        let step = self.symbols[&self.orders[&id].symbol].step_size;
        let o = self.orders.get_mut(&id).unwrap();
        o.executed += qty;
        o.cum_quote += price * qty;
        o.update_time = self.now;
        let done = if o.qty.is_zero() {
            o.quote_qty - o.cum_quote < price * step
        } else {
            o.executed >= o.qty
        };
        if done && o.qty.is_zero() {
            o.qty = o.executed;
        }
        o.status = if done {
            Status::Filled
        } else {
            Status::PartiallyFilled
        };
        o.fills.push(fill.clone());
        if o.resting {
            let (symbol, side, p) = (o.symbol.clone(), o.side, o.price);
            self.book(&symbol).add_own(side, p, -qty);
        }
        self.record_trade(id, &fill);
        self.report(id, "TRADE", Some(&fill), None);
        self.settle_lock(id);
    }

    /// Moves the balances for one execution; the commission is taken from what is received.
    fn pay(&mut self, id: u64, price: Decimal, qty: Decimal, maker: bool) -> (Decimal, String) {
        let spec = self.symbols[&self.orders[&id].symbol].clone();
        let rate = if maker {
            self.account.maker_rate
        } else {
            self.account.taker_rate
        };
        let o = self.orders.get_mut(&id).unwrap();
        let quote = price * qty;
        match o.side {
            Side::Buy => {
                let c = (qty * rate).round_dp(8);
                self.account.spend(&spec.quote, quote, &mut o.locked);
                self.account.credit(&spec.base, qty - c);
                (c, spec.base)
            }
            Side::Sell => {
                let c = (quote * rate).round_dp(8);
                self.account.spend(&spec.base, qty, &mut o.locked);
                self.account.credit(&spec.quote, quote - c);
                (c, spec.quote)
            }
        }
    }

    fn record_trade(&mut self, id: u64, f: &Fill) {
        let o = &self.orders[&id];
        let record = TradeRecord {
            symbol: o.symbol.clone(),
            id: f.trade_id,
            order_id: id,
            list_id: o.list_id,
            price: f.price,
            qty: f.qty,
            quote_qty: f.price * f.qty,
            commission: f.commission,
            commission_asset: f.commission_asset.clone(),
            time: self.now,
            is_buyer: o.side == Side::Buy,
            is_maker: f.maker,
        };
        self.account.trades.push(record);
    }

    /// Releases what an order no longer needs locked (all of it once it is done).
    fn settle_lock(&mut self, id: u64) {
        let spec = self.symbols[&self.orders[&id].symbol].clone();
        let o = self.orders.get_mut(&id).unwrap();
        let need = if !o.status.is_open() {
            Decimal::ZERO
        } else {
            match o.side {
                Side::Buy if o.kind.has_price() => o.price * o.remaining(),
                Side::Buy => o.locked,
                Side::Sell => o.remaining(),
            }
        };
        let excess = (o.locked - need).max(Decimal::ZERO);
        o.locked -= excess;
        if o.status == Status::Filled {
            o.resting = false;
        }
        let asset = if o.side == Side::Buy {
            spec.quote
        } else {
            spec.base
        };
        self.account.unlock(&asset, excess);
    }

    fn rest(&mut self, id: u64) {
        let o = self.orders.get_mut(&id).unwrap();
        o.resting = true;
        let (symbol, side, price, qty) = (o.symbol.clone(), o.side, o.price, o.remaining());
        self.book(&symbol).add_own(side, price, qty);
    }

    /// Ends an open order (CANCELED or EXPIRED): off the book, funds unlocked, reported.
    pub fn close(&mut self, id: u64, status: Status, x: &str, cancel_id: Option<&str>) {
        let spec = self.symbols[&self.orders[&id].symbol].clone();
        let o = self.orders.get_mut(&id).unwrap();
        if o.resting {
            o.resting = false;
            let (side, price, qty) = (o.side, o.price, o.remaining());
            self.book(&spec.symbol).add_own(side, price, -qty);
        }
        let o = self.orders.get_mut(&id).unwrap();
        let asset = if o.side == Side::Buy {
            &spec.quote
        } else {
            &spec.base
        };
        self.account.unlock(asset, o.locked);
        o.locked = Decimal::ZERO;
        o.status = status;
        o.update_time = self.now;
        self.report(id, x, None, cancel_id);
    }
}
