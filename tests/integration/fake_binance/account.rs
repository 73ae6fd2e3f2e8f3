//! The fake's single trading account: balances per asset (free and locked), commission rates and
//! the trade history `myTrades` serves. Invariant: `free` and `locked` never go negative through
//! the engine (a lock or a spend that does not fit is refused before anything changes), and every
//! asset touched since the last `take_dirty` is reported once in the next
//! `outboundAccountPosition`.

use super::wire::ApiError;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Balance {
    pub free: Decimal,
    pub locked: Decimal,
}

/// One of the account's executions, as `myTrades` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRecord {
    pub symbol: String,
    pub id: u64,
    pub order_id: u64,
    pub list_id: i64,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: i64,
    pub is_buyer: bool,
    pub is_maker: bool,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub balances: BTreeMap<String, Balance>,
    pub trades: Vec<TradeRecord>,
    pub maker_rate: Decimal,
    pub taker_rate: Decimal,
    pub update_time: i64,
    dirty: BTreeSet<String>,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            balances: BTreeMap::new(),
            trades: Vec::new(),
            maker_rate: Decimal::new(1, 3),
            taker_rate: Decimal::new(1, 3),
            update_time: 0,
            dirty: BTreeSet::new(),
        }
    }
}

impl Account {
    pub fn balance(&self, asset: &str) -> Balance {
        self.balances.get(asset).copied().unwrap_or_default()
    }

    fn entry(&mut self, asset: &str) -> &mut Balance {
        self.dirty.insert(asset.to_string());
        self.balances.entry(asset.to_string()).or_default()
    }

    pub fn set(&mut self, asset: &str, free: Decimal, locked: Decimal) {
        *self.entry(asset) = Balance { free, locked };
    }

    /// Moves `amount` from free to locked, or refuses with -2010 when free is short.
    pub fn lock(&mut self, asset: &str, amount: Decimal) -> Result<(), ApiError> {
        if self.balance(asset).free < amount {
            return Err(ApiError::insufficient_balance());
        }
        let b = self.entry(asset);
        b.free -= amount;
        b.locked += amount;
        Ok(())
    }

    pub fn unlock(&mut self, asset: &str, amount: Decimal) {
        if amount.is_zero() {
            return;
        }
        let b = self.entry(asset);
        b.locked -= amount;
        b.free += amount;
    }

    /// Spends `amount`: first from `held` (what the order has locked), the rest from free.
    pub fn spend(&mut self, asset: &str, amount: Decimal, held: &mut Decimal) {
        let from_locked = amount.min(*held);
        *held -= from_locked;
        let b = self.entry(asset);
        b.locked -= from_locked;
        b.free -= amount - from_locked;
    }

    pub fn credit(&mut self, asset: &str, amount: Decimal) {
        self.entry(asset).free += amount;
    }

    /// Assets changed since the last call, with their balances now.
    pub fn take_dirty(&mut self) -> Vec<(String, Balance)> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .map(|a| {
                let b = self.balance(&a);
                (a, b)
            })
            .collect()
    }
}
