//! What a live session adds to the journal (schema v5): Binance's trade id of every fill it
//! journaled (per symbol, so a restart resumes the account's trades after the last one and never
//! takes one twice), and the balances the session started from (what the exchange should hold is
//! those plus the session's fills; a restart compares). A trade id is written in the same
//! transaction as its fill.

use super::fills::FillRow;
use super::orders::OrderRow;
use super::{Journal, JournalError};
use crate::core::{Fill, Order, OrderKind, OrderRequest, Origin, Qty};
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;

pub(super) const SCHEMA_V5: &str = "
CREATE TABLE live_trades (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    symbol TEXT NOT NULL,
    trade_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    PRIMARY KEY (session, symbol, trade_id)
);
CREATE TABLE live_baseline (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    asset TEXT NOT NULL,
    total TEXT NOT NULL,
    PRIMARY KEY (session, asset)
);
";

pub(super) fn insert_trade(
    tx: &Transaction<'_>,
    session: i64,
    symbol: &str,
    trade_id: u64,
    order: u64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO live_trades (session, symbol, trade_id, order_id) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![session, symbol, trade_id as i64, order as i64])?;
    Ok(())
}

impl Journal {
    /// The latest session of `mode` (its label), if any.
    pub fn last_session_of(&self, mode: &str) -> Result<Option<i64>, JournalError> {
        self.conn
            .query_row(
                "SELECT MAX(id) FROM sessions WHERE mode = ?1",
                [mode],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// Per symbol, the highest Binance trade id the session journaled.
    pub fn trade_cursors(&self, session: i64) -> Result<Vec<(String, u64)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT symbol, MAX(trade_id) FROM live_trades WHERE session = ?1 GROUP BY symbol",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([session], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Whether the session journaled Binance's trade `trade_id` of `symbol`.
    pub fn has_trade(
        &self,
        session: i64,
        symbol: &str,
        trade_id: u64,
    ) -> Result<bool, JournalError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM live_trades WHERE session = ?1 AND symbol = ?2 AND trade_id = ?3",
                params![session, symbol, trade_id as i64],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.sql(e))
    }

    /// Records the balances a live session starts from (once; later calls keep the first).
    pub fn set_baseline(
        &mut self,
        session: i64,
        totals: &[(String, Decimal)],
    ) -> Result<(), JournalError> {
        let path = self.path.clone();
        let sql = |source| JournalError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        for (asset, total) in totals {
            tx.execute(
                "INSERT OR IGNORE INTO live_baseline (session, asset, total) VALUES (?1, ?2, ?3)",
                params![session, asset, total.to_string()],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// Moves an asset's baseline by `delta` (a person adopted the exchange's amount).
    pub fn adjust_baseline(
        &mut self,
        session: i64,
        asset: &str,
        delta: Decimal,
    ) -> Result<(), JournalError> {
        let now = self
            .baseline(session)?
            .into_iter()
            .find(|b| b.0 == asset)
            .map_or(Decimal::ZERO, |b| b.1);
        self.conn
            .execute(
                "INSERT OR REPLACE INTO live_baseline (session, asset, total) VALUES (?1, ?2, ?3)",
                params![session, asset, (now + delta).to_string()],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// When the session began (wall clock, ms).
    pub fn session_started(&self, session: i64) -> Result<Option<i64>, JournalError> {
        self.conn
            .query_row(
                "SELECT wall_ms FROM sessions WHERE id = ?1",
                [session],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| self.sql(e))
    }

    pub fn baseline(&self, session: i64) -> Result<Vec<(String, Decimal)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT asset, total FROM live_baseline WHERE session = ?1 ORDER BY asset")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([session], |r| {
                Ok((r.get::<_, String>(0)?, super::decimal(r, 1)?))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

/// The origin a journal row names: a strategy of the session by name, else a person.
fn origin_of(name: &str, strategies: &[String]) -> Origin {
    match strategies.iter().position(|s| s == name) {
        Some(i) => Origin::Strategy(i),
        None => Origin::Manual,
    }
}

impl FillRow {
    /// The fill as the core saw it, for a restarted session (`None` for a symbol this session
    /// does not trade).
    pub fn to_fill(&self, symbols: &[String], strategies: &[String]) -> Option<Fill> {
        Some(Fill {
            order: self.order,
            instrument: symbols.iter().position(|s| *s == self.symbol)?,
            side: self.side,
            qty: self.qty,
            price: self.price,
            quote: self.quote,
            fee: self.fee,
            liquidity: self.liquidity,
            time: self.market_ms,
            origin: origin_of(&self.origin, strategies),
        })
    }
}

impl OrderRow {
    /// The order as the core held it, for a restarted session (`None` for a kind or symbol
    /// this session does not know). `symbols` and `strategies` give instrument and origin.
    pub fn to_order(&self, symbols: &[String], strategies: &[String]) -> Option<Order> {
        let instrument = symbols.iter().position(|s| *s == self.symbol)?;
        let origin = origin_of(&self.origin, strategies);
        let (p, s) = (self.price, self.stop);
        let kind = match self.kind.as_str() {
            "MARKET" => OrderKind::Market,
            "LIMIT" => OrderKind::Limit { price: p? },
            "STOP_LOSS" => OrderKind::StopLoss { stop: s? },
            "STOP_LOSS_LIMIT" => OrderKind::StopLossLimit {
                stop: s?,
                price: p?,
            },
            "TAKE_PROFIT" => OrderKind::TakeProfit { stop: s? },
            "TAKE_PROFIT_LIMIT" => OrderKind::TakeProfitLimit {
                stop: s?,
                price: p?,
            },
            _ => return None,
        };
        Some(Order {
            id: self.id,
            request: OrderRequest {
                instrument,
                side: self.side,
                kind,
                qty: if self.qty_in_quote {
                    Qty::Quote(self.qty)
                } else {
                    Qty::Base(self.qty)
                },
                oco: self.oco,
                origin,
            },
            status: self.status,
            placed_at: self.placed_ms,
            filled: self.filled,
            triggered: false,
        })
    }
}
