//! What Binance checks before a new order reaches the matching engine, in its order: the symbol
//! is TRADING, filters (PRICE_FILTER on price and stop price, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL
//! at the order's price or the reference price), a client order id already used by an open order,
//! the symbol's open and stop-order limits, a LIMIT_MAKER that would take, a stop that would
//! trigger immediately, and the funds a MARKET order would need; plus what an order locks.
//! Invariant: these checks read the exchange and never change it.

use super::exchange::Exchange;
use super::info::SymbolSpec;
use super::order::{Kind, Order, Side, Status, Tif};
use super::wire::ApiError;
use rust_decimal::Decimal;

/// A new order as parsed from a request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub symbol: String,
    pub side: Side,
    pub kind: Kind,
    pub tif: Option<Tif>,
    pub qty: Option<Decimal>,
    pub quote_qty: Option<Decimal>,
    pub price: Option<Decimal>,
    pub stop: Option<Decimal>,
    pub client_id: Option<String>,
}

impl Exchange {
    /// Everything Binance checks before an order reaches the book.
    pub fn check(&self, spec: &SymbolSpec, new: &NewOrder) -> Result<(), ApiError> {
        if spec.status != "TRADING" {
            return Err(ApiError::rejected("Market is closed."));
        }
        self.check_filters(spec, new)?;
        if let Some(cid) = &new.client_id
            && self.open_orders(None).iter().any(|o| &o.client_id == cid)
        {
            return Err(ApiError::rejected("Duplicate order sent."));
        }
        let open = self.open_orders(Some(&spec.symbol));
        if open.len() >= spec.max_num_orders {
            return Err(ApiError::filter("MAX_NUM_ORDERS"));
        }
        if new.kind.is_stop()
            && open.iter().filter(|o| o.kind.is_stop()).count() >= spec.max_num_algo_orders
        {
            return Err(ApiError::filter("MAX_NUM_ALGO_ORDERS"));
        }
        if new.kind == Kind::LimitMaker
            && self.would_take(&spec.symbol, new.side, new.price.unwrap_or_default())
        {
            return Err(ApiError::rejected(
                "Order would immediately match and take.",
            ));
        }
        let last = self.last_price.get(&spec.symbol).copied();
        if new.kind.is_stop() && last.is_some_and(|p| probe(new).triggered_by(p)) {
            return Err(ApiError::rejected("Order would trigger immediately."));
        }
        Ok(())
    }

    fn check_filters(&self, spec: &SymbolSpec, new: &NewOrder) -> Result<(), ApiError> {
        let market = new.kind.is_market_like();
        for p in new.price.iter().chain(new.stop.iter()) {
            spec.check_price(*p)?;
        }
        if let Some(qty) = new.qty {
            spec.check_qty(qty, market)?;
        }
        let reference = new
            .price
            .or(new.stop)
            .or_else(|| self.reference_price(&spec.symbol));
        let notional = match (new.quote_qty, new.qty, reference) {
            (Some(quote), _, _) => Some(quote),
            (None, Some(qty), Some(p)) => Some(p * qty),
            _ => None,
        };
        if let Some(n) = notional {
            spec.check_notional(n, market)?;
        }
        Ok(())
    }

    /// Last trade price, else the mid of the book.
    pub fn reference_price(&self, symbol: &str) -> Option<Decimal> {
        if let Some(p) = self.last_price.get(symbol) {
            return Some(*p);
        }
        let book = self.books.get(symbol)?;
        match (book.best(Side::Buy), book.best(Side::Sell)) {
            (Some((b, _)), Some((a, _))) => Some((a + b) / Decimal::TWO),
            (b, a) => b.or(a).map(|(p, _)| p),
        }
    }

    pub fn would_take(&self, symbol: &str, side: Side, price: Decimal) -> bool {
        let Some(book) = self.books.get(symbol) else {
            return false;
        };
        match (side, book.best(side.opposite())) {
            (Side::Buy, Some((ask, _))) => price >= ask,
            (Side::Sell, Some((bid, _))) => price <= bid,
            _ => false,
        }
    }

    /// What the order locks: quote for a BUY (limit or stop price × qty), base for a SELL.
    pub fn lock_need(&self, spec: &SymbolSpec, new: &NewOrder, qty: Decimal) -> (String, Decimal) {
        if new.kind == Kind::Market {
            return (spec.quote.clone(), Decimal::ZERO);
        }
        match new.side {
            Side::Buy => {
                let price = new.price.or(new.stop).unwrap_or_default();
                (spec.quote.clone(), price * qty)
            }
            Side::Sell => (spec.base.clone(), qty),
        }
    }

    pub fn check_market_funds(&self, spec: &SymbolSpec, new: &NewOrder) -> Result<(), ApiError> {
        let levels = self.books[&spec.symbol].ext_levels(new.side.opposite());
        let (mut base, mut quote) = (Decimal::ZERO, Decimal::ZERO);
        for (price, avail) in levels {
            let q = match (new.qty, new.quote_qty) {
                (Some(qty), _) => avail.min(qty - base),
                (None, Some(want)) => spec.floor_qty(avail.min((want - quote) / price)),
                _ => Decimal::ZERO,
            };
            if q <= Decimal::ZERO {
                break;
            }
            base += q;
            quote += price * q;
        }
        let (asset, need) = match new.side {
            Side::Buy => (&spec.quote, new.quote_qty.unwrap_or(quote)),
            Side::Sell => (&spec.base, new.qty.unwrap_or(base)),
        };
        if self.account.balance(asset).free < need {
            return Err(ApiError::insufficient_balance());
        }
        Ok(())
    }
}

/// The order a request describes, before the engine gives it an id.
pub fn probe(new: &NewOrder) -> Order {
    Order {
        symbol: new.symbol.clone(),
        id: 0,
        client_id: String::new(),
        list_id: -1,
        side: new.side,
        kind: new.kind,
        tif: new.tif.unwrap_or(Tif::Gtc),
        price: new.price.unwrap_or_default(),
        stop: new.stop,
        qty: new.qty.unwrap_or_default(),
        quote_qty: new.quote_qty.unwrap_or_default(),
        executed: Decimal::ZERO,
        cum_quote: Decimal::ZERO,
        status: Status::New,
        time: 0,
        update_time: 0,
        working: false,
        working_time: -1,
        locked: Decimal::ZERO,
        resting: false,
        fills: Vec::new(),
    }
}
