//! What happens to the account's orders when the market moves or the account cancels: a scripted
//! public trade fills the resting orders it crosses (best price first, then oldest, up to the
//! trade's quantity, so fills may be partial) and triggers stop orders at their stop price; OCO
//! lists (spec: `POST /api/v3/orderList/oco`) place two legs that share one lock, and the first
//! leg to fill or trigger expires the other; cancels end one order, a whole list, or every open
//! order of a symbol. Invariant: an OCO never has two legs working at once after either acted,
//! and its lock is held exactly once.

use super::checks::NewOrder;
use super::exchange::{Event, Exchange, OrderList};
use super::info::SymbolSpec;
use super::order::{Kind, Side, Status};
use super::render;
use super::wire::ApiError;
use rust_decimal::Decimal;

/// One leg of a new OCO, as `above*`/`below*` parameters describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    pub kind: Kind,
    pub price: Option<Decimal>,
    pub stop: Option<Decimal>,
    pub tif: Option<super::order::Tif>,
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOco {
    pub symbol: String,
    pub side: Side,
    pub qty: Decimal,
    pub list_client_id: Option<String>,
    pub above: Leg,
    pub below: Leg,
}

impl NewOco {
    fn leg(&self, leg: &Leg) -> NewOrder {
        NewOrder {
            symbol: self.symbol.clone(),
            side: self.side,
            kind: leg.kind,
            tif: leg.tif,
            qty: Some(self.qty),
            quote_qty: None,
            price: leg.price,
            stop: leg.stop,
            client_id: leg.client_id.clone(),
        }
    }

    /// Spec: SELL = LIMIT_MAKER/TAKE_PROFIT* above, STOP_LOSS* below; BUY the other way round.
    fn check_types(&self) -> Result<(), ApiError> {
        let profit = |k: Kind| {
            matches!(
                k,
                Kind::LimitMaker | Kind::TakeProfit | Kind::TakeProfitLimit
            )
        };
        let loss = |k: Kind| matches!(k, Kind::StopLoss | Kind::StopLossLimit);
        let ok = match self.side {
            Side::Sell => profit(self.above.kind) && loss(self.below.kind),
            Side::Buy => loss(self.above.kind) && profit(self.below.kind),
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::new(
                400,
                -1158,
                "Order type not supported in OCO.",
            ))
        }
    }
}

fn trigger_level(leg: &Leg) -> Decimal {
    leg.stop.or(leg.price).unwrap_or_default()
}

impl Exchange {
    /// A public trade of `qty` at `price` by other participants.
    pub fn external_trade(&mut self, symbol: &str, price: Decimal, qty: Decimal) {
        self.last_price.insert(symbol.to_string(), price);
        let buyer_maker = self.books[symbol]
            .best(Side::Buy)
            .is_some_and(|(b, _)| price <= b);
        self.public_trade(symbol, price, qty, buyer_maker);
        self.fill_resting(symbol, price, qty);
        let stops: Vec<u64> = self
            .orders
            .values()
            .filter(|o| o.symbol == symbol && o.status.is_open() && !o.working)
            .filter(|o| o.triggered_by(price))
            .map(|o| o.id)
            .collect();
        for id in stops {
            if self.orders[&id].status.is_open() {
                self.expire_siblings(id);
                self.activate(id);
            }
        }
        self.flush();
    }

    /// The trade's quantity fills the resting orders it crosses, best price first, then oldest,
    /// each at its own limit price (the account is the maker).
    fn fill_resting(&mut self, symbol: &str, price: Decimal, qty: Decimal) {
        let priority = |side: Side, p: Decimal| if side == Side::Buy { -p } else { p };
        let mut resting: Vec<(Decimal, u64)> = self
            .orders
            .values()
            .filter(|o| o.symbol == symbol && o.resting && o.crosses(price))
            .map(|o| (priority(o.side, o.price), o.id))
            .collect();
        resting.sort();
        let mut left = qty;
        for (_, id) in resting {
            if left <= Decimal::ZERO {
                break;
            }
            let q = left.min(self.orders[&id].remaining());
            self.expire_siblings(id);
            let p = self.orders[&id].price;
            self.fill(id, p, q, true);
            left -= q;
        }
    }

    /// The other open legs of `id`'s list expire; their lock passes to `id`.
    fn expire_siblings(&mut self, id: u64) {
        let list_id = self.orders[&id].list_id;
        let Ok(list_id) = u64::try_from(list_id) else {
            return;
        };
        let legs = self.lists[&list_id].legs.clone();
        for sib in legs.into_iter().filter(|s| *s != id) {
            if self.orders[&sib].status.is_open() {
                let held = std::mem::take(&mut self.orders.get_mut(&sib).unwrap().locked);
                self.orders.get_mut(&id).unwrap().locked += held;
                self.close(sib, Status::Expired, "EXPIRED", None);
            }
        }
    }

    /// Places an OCO list; returns its id.
    pub fn place_oco(&mut self, oco: &NewOco) -> Result<u64, ApiError> {
        let (spec, below, above) = self.check_oco(oco)?;
        let need_below = self.lock_need(&spec, &below, oco.qty);
        let need_above = self.lock_need(&spec, &above, oco.qty);
        let amount = need_below.1.max(need_above.1);
        self.account.lock(&need_below.0, amount)?;
        let list_id = self.next_id();
        let client_id = match &oco.list_client_id {
            Some(c) => c.clone(),
            None => self.generated_client_id(),
        };
        let list_i64 = i64::try_from(list_id).unwrap();
        let below_id = self.insert(&below, list_i64, amount);
        let legs = vec![below_id, self.insert(&above, list_i64, Decimal::ZERO)];
        let list = OrderList {
            id: list_id,
            client_id,
            symbol: oco.symbol.clone(),
            legs: legs.clone(),
            done: false,
            time: self.now,
        };
        let event = render::list_status(&list, &self.orders, self.now);
        self.out.push(Event::User(event));
        self.lists.insert(list_id, list);
        for id in legs {
            if !self.orders[&id].kind.is_stop() {
                self.activate(id);
            }
        }
        self.flush();
        Ok(list_id)
    }

    /// Each leg passes the single-order checks; the legs' types and prices fit an OCO.
    fn check_oco(&self, oco: &NewOco) -> Result<(SymbolSpec, NewOrder, NewOrder), ApiError> {
        let spec = self.spec(&oco.symbol)?;
        oco.check_types()?;
        let (below, above) = (oco.leg(&oco.below), oco.leg(&oco.above));
        self.check(&spec, &below)?;
        self.check(&spec, &above)?;
        if below.client_id.is_some() && below.client_id == above.client_id {
            return Err(ApiError::rejected("Duplicate order sent."));
        }
        if let Some(last) = self.last_price.get(&oco.symbol)
            && !(trigger_level(&oco.below) < *last && *last < trigger_level(&oco.above))
        {
            return Err(ApiError::rejected(
                "The relationship of the prices for the orders is not correct.",
            ));
        }
        Ok((spec, below, above))
    }

    /// Finds an order by `orderId` or client id on `symbol`.
    pub fn find(&self, symbol: &str, id: Option<i64>, client_id: Option<&str>) -> Option<u64> {
        self.orders
            .values()
            .filter(|o| o.symbol == symbol)
            .filter(|o| id.is_none_or(|i| i64::try_from(o.id).is_ok_and(|oid| oid == i)))
            .filter(|o| client_id.is_none_or(|c| o.client_id == c))
            .max_by_key(|o| o.id)
            .map(|o| o.id)
    }

    /// Cancels an open order (and the rest of its list); the cancel gets client id `cancel_id`.
    pub fn cancel(&mut self, id: u64, cancel_id: &str) {
        let list = u64::try_from(self.orders[&id].list_id).ok();
        let legs = list.map_or_else(|| vec![id], |l| self.lists[&l].legs.clone());
        for leg in legs {
            if self.orders[&leg].status.is_open() {
                self.close(leg, Status::Canceled, "CANCELED", Some(cancel_id));
            }
        }
        self.flush();
    }

    pub fn cancel_list(&mut self, list_id: u64, cancel_id: &str) {
        let legs = self.lists[&list_id].legs.clone();
        self.cancel(legs[0], cancel_id);
    }
}
