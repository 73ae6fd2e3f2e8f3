//! The REST reconciliation run after every (re)connect and subscription, so no fill is missed
//! while the socket was down: per symbol of interest, the open orders (their current state
//! becomes order updates), the final state of orders we believed open that no longer are, and
//! `myTrades` from the symbol's cursor (all pages); then the account's balances. A missed fill
//! names its order's client id when the order was seen before (on the socket or in open orders);
//! one placed and filled entirely while the socket was down has only Binance's order id.
//! Per symbol, missed fills come first in trade-id order, then the order states; the balances
//! come last (balance events missed during the gap are not replayed: the snapshot replaces
//! them). Fills are deduplicated by (symbol, trade id) through the [`Ledger`], the same one the
//! socket's fills pass, so nothing is delivered twice.
//!
//! Invariant: reconciliation only reads. It produces the events and updates the ledger; the
//! session decides when they go out (before any socket event that arrived meanwhile).

use super::error::UserError;
use super::events::{AccountPosition, OrderUpdate, UserEvent, UserFill};
use super::ledger::{Ledger, TradeCursor};
use crate::binance::wire::{Account, MyTrade, OrderReport};
use crate::market::Symbol;
use std::collections::BTreeMap;
use std::future::Future;

/// `myTrades` page size (Binance's maximum).
pub const TRADES_PAGE: u32 = 1000;
/// Pages read per symbol and reconciliation; the cursor keeps the rest for the next one.
const MAX_PAGES: usize = 100;

/// The signed REST queries reconciliation needs (the trading client implements them).
pub trait AccountRest: Send + Sync + 'static {
    /// `GET /api/v3/openOrders?symbol=`.
    fn open_orders(
        &self,
        symbol: &Symbol,
    ) -> impl Future<Output = Result<Vec<OrderReport>, UserError>> + Send;

    /// `GET /api/v3/myTrades?symbol=` from `fromId` or `startTime`, oldest first, at most
    /// `limit`.
    fn my_trades(
        &self,
        symbol: &Symbol,
        from: TradeCursor,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<MyTrade>, UserError>> + Send;

    /// `GET /api/v3/account`.
    fn account(&self) -> impl Future<Output = Result<Account, UserError>> + Send;

    /// `GET /api/v3/order?symbol=&origClientOrderId=`; `None` when Binance has no such order.
    fn query_order(
        &self,
        symbol: &Symbol,
        client_order_id: &str,
    ) -> impl Future<Output = Result<Option<OrderReport>, UserError>> + Send;
}

/// What one reconciliation found.
#[derive(Debug, Default)]
pub struct Reconciled {
    pub events: Vec<UserEvent>,
    pub fills: u64,
    pub orders: u64,
    /// Fills REST returned that had already been delivered.
    pub duplicates: u64,
}

/// Reconciles every symbol the ledger watches; `started_ms` is the local clock at the start.
pub async fn reconcile<R: AccountRest>(
    rest: &R,
    ledger: &mut Ledger,
    started_ms: i64,
) -> Result<Reconciled, UserError> {
    let mut out = Reconciled::default();
    for symbol in ledger.symbols() {
        reconcile_symbol(rest, ledger, &symbol, started_ms, &mut out).await?;
    }
    let account = AccountPosition::from_rest(rest.account().await?);
    out.events.push(UserEvent::Balances(account));
    Ok(out)
}

async fn reconcile_symbol<R: AccountRest>(
    rest: &R,
    ledger: &mut Ledger,
    symbol: &Symbol,
    started_ms: i64,
    out: &mut Reconciled,
) -> Result<(), UserError> {
    let orders = order_states(rest, ledger, symbol).await?;
    orders.values().for_each(|u| ledger.note_order(u));
    missed_fills(rest, ledger, symbol, started_ms, out).await?;
    out.orders += u64::try_from(orders.len()).unwrap_or(u64::MAX);
    out.events
        .extend(orders.into_values().map(UserEvent::Order));
    Ok(())
}

/// The open orders, and the current state of those we believed open that no longer are.
async fn order_states<R: AccountRest>(
    rest: &R,
    ledger: &mut Ledger,
    symbol: &Symbol,
) -> Result<BTreeMap<u64, OrderUpdate>, UserError> {
    let mut orders: BTreeMap<u64, OrderUpdate> = BTreeMap::new();
    for r in rest.open_orders(symbol).await? {
        if let Some(u) = OrderUpdate::from_rest(&r, symbol) {
            orders.insert(u.order_id, u);
        }
    }
    let gone: Vec<(u64, String)> = ledger
        .open_orders(symbol)
        .into_iter()
        .filter(|(id, _)| !orders.contains_key(id))
        .collect();
    for (id, client_id) in gone {
        match rest.query_order(symbol, &client_id).await? {
            Some(r) => {
                if let Some(u) = OrderUpdate::from_rest(&r, symbol) {
                    orders.insert(id, u);
                }
            }
            None => ledger.forget_order(symbol, id),
        }
    }
    Ok(orders)
}

/// Trades from the symbol's cursor that were not delivered yet, in trade-id order.
async fn missed_fills<R: AccountRest>(
    rest: &R,
    ledger: &mut Ledger,
    symbol: &Symbol,
    started_ms: i64,
    out: &mut Reconciled,
) -> Result<(), UserError> {
    let cursor = ledger.cursor(symbol);
    let since = match cursor {
        TradeCursor::Since(t) => Some(t),
        TradeCursor::FromId(_) => None,
    };
    let trades = all_trades(rest, symbol, cursor).await?;
    ledger.advance_cursor(symbol, trades.last().map(|t| t.id), started_ms);
    for t in trades.iter().filter(|t| since.is_none_or(|s| t.time >= s)) {
        let client_id = ledger.client_id(symbol, t.order_id).map(str::to_string);
        let fill = UserFill::from_rest(t, symbol, client_id);
        if ledger.admit(&fill) {
            out.fills += 1;
            out.events.push(UserEvent::Fill(fill));
        } else {
            out.duplicates += 1;
        }
    }
    Ok(())
}

/// Every trade from `from` on, oldest first, without repeats.
async fn all_trades<R: AccountRest>(
    rest: &R,
    symbol: &Symbol,
    mut from: TradeCursor,
) -> Result<Vec<MyTrade>, UserError> {
    let mut all: Vec<MyTrade> = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = rest.my_trades(symbol, from, TRADES_PAGE).await?;
        let full = page.len() >= usize::try_from(TRADES_PAGE).unwrap_or(usize::MAX);
        let last = page.iter().map(|t| t.id).max();
        all.extend(page);
        match last {
            Some(id) if full => from = TradeCursor::FromId(id + 1),
            _ => break,
        }
    }
    all.sort_by_key(|t| t.id);
    all.dedup_by_key(|t| t.id);
    Ok(all)
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
