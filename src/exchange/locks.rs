//! What open orders hold locked of an account, as an exchange does it: an accepted order moves
//! the funds it may need from free to locked, a fill spends from them, closing the order releases
//! the rest. Shared by the simulated exchange and the live account mirror (where the amounts are
//! estimates until the exchange's own balances replace them).
//!
//! Invariant: an order has at most one lock, and the locked balance of an asset includes every
//! lock on it.

use crate::core::{Account, Asset, Order, OrderId, OrderRequest, Qty, Reject, Side};
use rust_decimal::Decimal;

/// The funds an order needs locked: the base it sells, or the quote it may spend (a buy by
/// quantity at its limit or stop price, else `reference`, times `gross` = 1 + the fee it may pay).
pub fn requirement(
    req: &OrderRequest,
    (base, quote): (Asset, Asset),
    reference: Decimal,
    gross: Decimal,
) -> (Asset, Decimal) {
    match (req.side, req.qty) {
        (Side::Sell, Qty::Base(q)) => (base, q),
        (Side::Sell, Qty::Quote(_)) => (base, Decimal::ZERO),
        (Side::Buy, Qty::Quote(amount)) => (quote, amount),
        (Side::Buy, Qty::Base(q)) => {
            let price = req.kind.limit().or(req.kind.stop()).unwrap_or(reference);
            (quote, q * price * gross)
        }
    }
}

#[derive(Debug, Default)]
pub struct Locks(Vec<(OrderId, Asset, Decimal)>);

impl Locks {
    /// Locks what order `id` needs of `asset`, less what the open members of its one-cancels-other
    /// group lock already (the legs of a list share their funds); refused when too little is free.
    pub fn lock(
        &mut self,
        account: &mut Account,
        orders: &[Order],
        (id, group): (OrderId, Option<u64>),
        (asset, need): (Asset, Decimal),
    ) -> Result<(), Reject> {
        let need = (need - self.in_group(orders, group, asset)).max(Decimal::ZERO);
        if !account.lock(asset, need) {
            let why = format!(
                "needs {} {} but {} is free",
                need.round_dp(8),
                account.name(asset),
                account.free(asset).round_dp(8)
            );
            return Err(Reject::new("INSUFFICIENT_BALANCE", why));
        }
        self.0.push((id, asset, need));
        Ok(())
    }

    /// Records a lock already taken from the account.
    pub fn push(&mut self, id: OrderId, asset: Asset, amount: Decimal) {
        self.0.push((id, asset, amount));
    }

    /// Locked by open orders of `group` on `asset`.
    fn in_group(&self, orders: &[Order], group: Option<u64>, asset: Asset) -> Decimal {
        let Some(g) = group else { return Decimal::ZERO };
        orders
            .iter()
            .filter(|o| o.request.oco == Some(g))
            .filter_map(|o| self.0.iter().find(|(id, a, _)| *id == o.id && *a == asset))
            .map(|(_, _, amount)| *amount)
            .sum()
    }

    /// Whether order `id` holds a lock here.
    pub fn holds(&self, id: OrderId) -> bool {
        self.0.iter().any(|l| l.0 == id)
    }

    /// Gives back what order `id` still locks.
    pub fn release(&mut self, account: &mut Account, id: OrderId) {
        if let Some(i) = self.0.iter().position(|l| l.0 == id) {
            let (_, asset, amount) = self.0.swap_remove(i);
            account.unlock(asset, amount);
        }
    }

    /// Spends `amount` of `asset` for order `id`: from its lock as far as it goes, then free.
    pub fn spend(&mut self, account: &mut Account, id: OrderId, asset: Asset, amount: Decimal) {
        match self.0.iter_mut().find(|l| l.0 == id && l.1 == asset) {
            Some(lock) => {
                let from_lock = amount.min(lock.2);
                lock.2 -= from_lock;
                account.spend_locked(asset, from_lock);
                account.spend_free(asset, amount - from_lock);
            }
            None => account.spend_free(asset, amount),
        }
    }

    /// Forgets every lock (the account's balances were replaced by the exchange's own).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}
