//! The trading client as the reconciliation's REST source: open orders, account trades, order
//! queries and balances go through `TradeClient` (its limiter, signing, clock and retries), so there is one
//! signed REST client in the process. Invariant: a `TradeError` keeps its REST error (Binance's
//! code and message) when it has one.

use super::error::UserError;
use super::ledger::TradeCursor;
use super::reconcile::AccountRest;
use crate::binance::wire::{Account, MyTrade, OrderReport};
use crate::binance::{TradeClient, TradeError, TradeQuery};
use crate::market::Symbol;

fn from_trade(e: TradeError) -> UserError {
    match e {
        TradeError::Rest(e) => UserError::Rest(e),
        other => UserError::Reconcile(other.to_string()),
    }
}

impl AccountRest for TradeClient {
    async fn open_orders(&self, symbol: &Symbol) -> Result<Vec<OrderReport>, UserError> {
        TradeClient::open_orders(self, Some(symbol.as_str()))
            .await
            .map_err(from_trade)
    }

    async fn my_trades(
        &self,
        symbol: &Symbol,
        from: TradeCursor,
        limit: u32,
    ) -> Result<Vec<MyTrade>, UserError> {
        let mut q = TradeQuery {
            limit: Some(limit),
            ..TradeQuery::default()
        };
        match from {
            TradeCursor::FromId(id) => q.from_id = Some(id),
            TradeCursor::Since(ms) => q.start_time = Some(ms),
        }
        TradeClient::my_trades(self, symbol.as_str(), q)
            .await
            .map_err(from_trade)
    }

    async fn account(&self) -> Result<Account, UserError> {
        TradeClient::account(self).await.map_err(from_trade)
    }

    async fn query_order(
        &self,
        symbol: &Symbol,
        client_order_id: &str,
    ) -> Result<Option<OrderReport>, UserError> {
        TradeClient::query(self, symbol.as_str(), client_order_id)
            .await
            .map_err(from_trade)
    }
}
