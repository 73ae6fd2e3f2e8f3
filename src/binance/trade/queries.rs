//! The trading client's requests that are safe to repeat: order query, open orders, account,
//! account trades, and cancels (a repeated cancel finds the order already canceled).
//!
//! Invariant: each retries only transient failures; a rejection comes back with Binance's code.

use super::http::Call;
use super::{TradeClient, TradeError};
use crate::binance::RestError;
use crate::binance::error::codes;
use crate::binance::wire::{self, Account, Canceled, MyTrade, OrderReport};
use reqwest::Method;

/// Which of the account's trades `my_trades` returns (Binance's defaults when `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TradeQuery {
    pub order_id: Option<u64>,
    /// Trades with an id at or after this one, oldest first.
    pub from_id: Option<u64>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    /// At most 1000 (Binance's default 500).
    pub limit: Option<u32>,
}

fn symbol_param(symbol: &str) -> Vec<(&'static str, String)> {
    vec![("symbol", symbol.to_string())]
}

impl TradeClient {
    /// `GET /api/v3/order` by the id tickdesk gave the order; `None` when Binance has no such
    /// order (`-2013`).
    pub async fn query(
        &self,
        symbol: &str,
        client_id: &str,
    ) -> Result<Option<OrderReport>, TradeError> {
        self.find(symbol, client_id).await.map_err(TradeError::Rest)
    }

    pub(super) async fn find(
        &self,
        symbol: &str,
        client_id: &str,
    ) -> Result<Option<OrderReport>, RestError> {
        let mut params = symbol_param(symbol);
        params.push(("origClientOrderId", client_id.to_string()));
        let call = Call::signed(Method::GET, "/api/v3/order", params, 4);
        match self.idempotent(&call).await {
            Ok(body) => Ok(Some(wire::from_slice(&body).map_err(malformed)?)),
            Err(e) if e.code() == Some(codes::NO_SUCH_ORDER) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /api/v3/openOrders`, for one symbol (weight 6) or all (weight 80).
    pub async fn open_orders(&self, symbol: Option<&str>) -> Result<Vec<OrderReport>, TradeError> {
        let (params, weight) = match symbol {
            Some(s) => (symbol_param(s), 6),
            None => (Vec::new(), 80),
        };
        let call = Call::signed(Method::GET, "/api/v3/openOrders", params, weight);
        Ok(wire::from_slice(&self.idempotent(&call).await?)?)
    }

    /// `GET /api/v3/account`: balances and whether the account can trade.
    pub async fn account(&self) -> Result<Account, TradeError> {
        let call = Call::signed(Method::GET, "/api/v3/account", Vec::new(), 20);
        Ok(wire::from_slice(&self.idempotent(&call).await?)?)
    }

    /// `GET /api/v3/myTrades` for one symbol.
    pub async fn my_trades(&self, symbol: &str, q: TradeQuery) -> Result<Vec<MyTrade>, TradeError> {
        let mut params = symbol_param(symbol);
        let optional = [
            ("orderId", q.order_id.map(|v| v.to_string())),
            ("startTime", q.start_time.map(|v| v.to_string())),
            ("endTime", q.end_time.map(|v| v.to_string())),
            ("fromId", q.from_id.map(|v| v.to_string())),
            ("limit", q.limit.map(|v| v.min(1000).to_string())),
        ];
        params.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        let weight = if q.order_id.is_some() { 5 } else { 20 };
        let call = Call::signed(Method::GET, "/api/v3/myTrades", params, weight);
        Ok(wire::from_slice(&self.idempotent(&call).await?)?)
    }

    /// `DELETE /api/v3/order` by the id tickdesk gave the order. When a retried cancel finds the
    /// order unknown (`-2011`), the first attempt got through: the order's final state is
    /// returned from a query.
    pub async fn cancel(&self, symbol: &str, client_id: &str) -> Result<OrderReport, TradeError> {
        let mut params = symbol_param(symbol);
        params.push(("origClientOrderId", client_id.to_string()));
        let call = Call::signed(Method::DELETE, "/api/v3/order", params, 1);
        let first = self.send(&call).await;
        let retried = match first {
            Ok(body) => return Ok(wire::from_slice(&body)?),
            Err(f) if f.error.is_transient() => self.idempotent(&call).await,
            Err(f) => return Err(TradeError::Rest(f.error)),
        };
        match retried {
            Ok(body) => Ok(wire::from_slice(&body)?),
            Err(e) if e.code() == Some(codes::CANCEL_REJECTED) => {
                match self.find(symbol, client_id).await? {
                    Some(report)
                        if !report
                            .status
                            .and_then(|s| s.to_core())
                            .is_some_and(|s| s.is_open()) =>
                    {
                        Ok(report)
                    }
                    _ => Err(TradeError::Rest(e)),
                }
            }
            Err(e) => Err(TradeError::Rest(e)),
        }
    }

    /// `DELETE /api/v3/openOrders`: every open order on `symbol`, order lists included. Nothing
    /// open is an empty list, not an error (Binance answers `-2011` then).
    pub async fn cancel_all(&self, symbol: &str) -> Result<Vec<Canceled>, TradeError> {
        let call = Call::signed(
            Method::DELETE,
            "/api/v3/openOrders",
            symbol_param(symbol),
            1,
        );
        match self.idempotent(&call).await {
            Ok(body) => Ok(wire::from_slice(&body)?),
            Err(e) if e.code() == Some(codes::CANCEL_REJECTED) => Ok(Vec::new()),
            Err(e) => Err(TradeError::Rest(e)),
        }
    }
}

fn malformed(e: wire::WireError) -> RestError {
    RestError::Malformed(e.to_string())
}
