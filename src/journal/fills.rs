//! Fills in the journal: an append-only log per session (never updated, never deleted but with
//! its session), each with its trade sequence, from which positions are rebuilt. `Journal::write`
//! stores one engine step's orders, order events and fills in a single transaction, so a step is
//! either wholly in the journal or not at all.

use super::orders::{self, OrderEvent, OrderRow, side};
use super::{Journal, JournalError, decimal};
use crate::core::{Liquidity, Side};
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;

pub(super) const SCHEMA: &str = "
CREATE TABLE fills (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty TEXT NOT NULL,
    price TEXT NOT NULL,
    quote TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_asset TEXT NOT NULL,
    liquidity TEXT NOT NULL,
    market_ms INTEGER NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (session, seq)
);
";

/// One execution as the journal keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FillRow {
    /// Trade sequence within the session, from 1.
    pub seq: u64,
    pub order: u64,
    pub symbol: String,
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    /// qty × price, fees excluded.
    pub quote: Decimal,
    pub fee: Decimal,
    pub fee_asset: String,
    pub liquidity: Liquidity,
    pub market_ms: i64,
    pub origin: String,
}

/// What one engine step gives the journal, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Accepted(OrderRow),
    Changed(OrderEvent),
    Fill(FillRow),
    /// An order refused by the risk layer or the exchange.
    Refused(super::Refusal),
    /// Binance's trade id of the live fill just before it (a restart resumes after it).
    Trade {
        symbol: String,
        trade_id: u64,
        order: u64,
    },
    /// A standing state value of the session set (or removed, `None`).
    State {
        key: String,
        value: Option<String>,
    },
}

fn liquidity_name(l: Liquidity) -> &'static str {
    match l {
        Liquidity::Maker => "MAKER",
        Liquidity::Taker => "TAKER",
    }
}

fn insert_fill(tx: &Transaction<'_>, session: i64, f: &FillRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO fills (session, seq, order_id, symbol, side, qty, price, quote, fee, fee_asset, liquidity, market_ms, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        session,
        f.seq as i64,
        f.order as i64,
        f.symbol,
        f.side.as_str(),
        f.qty.to_string(),
        f.price.to_string(),
        f.quote.to_string(),
        f.fee.to_string(),
        f.fee_asset,
        liquidity_name(f.liquidity),
        f.market_ms,
        f.origin,
    ])?;
    Ok(())
}

impl Journal {
    /// Stores a step's entries in one transaction (nothing when there are none).
    pub fn write(&mut self, session: i64, entries: &[Entry]) -> Result<(), JournalError> {
        if entries.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let sql = |source| JournalError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        for entry in entries {
            match entry {
                Entry::Accepted(o) => orders::insert_order(&tx, session, o),
                Entry::Changed(e) => orders::update_order(&tx, session, e),
                Entry::Fill(f) => insert_fill(&tx, session, f),
                Entry::Refused(r) => super::refusals::insert_refusal(&tx, r),
                Entry::Trade {
                    symbol,
                    trade_id,
                    order,
                } => super::live::insert_trade(&tx, session, symbol, *trade_id, *order),
                Entry::State { key, value } => {
                    super::state::put(&tx, session, key, value.as_deref())
                }
            }
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// A session's fills, in trade sequence.
    pub fn fills(&self, session: i64) -> Result<Vec<FillRow>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, order_id, symbol, side, qty, price, quote, fee, fee_asset, liquidity, market_ms, origin
                 FROM fills WHERE session = ?1 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([session], |r| {
                Ok(FillRow {
                    seq: r.get::<_, i64>(0)? as u64,
                    order: r.get::<_, i64>(1)? as u64,
                    symbol: r.get(2)?,
                    side: side(r, 3)?,
                    qty: decimal(r, 4)?,
                    price: decimal(r, 5)?,
                    quote: decimal(r, 6)?,
                    fee: decimal(r, 7)?,
                    fee_asset: r.get(8)?,
                    liquidity: if r.get::<_, String>(9)? == "MAKER" {
                        Liquidity::Maker
                    } else {
                        Liquidity::Taker
                    },
                    market_ms: r.get(10)?,
                    origin: r.get(11)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(seq: u64) -> FillRow {
        FillRow {
            seq,
            order: seq / 2,
            symbol: "ETHUSDT".into(),
            side: if seq.is_multiple_of(2) {
                Side::Buy
            } else {
                Side::Sell
            },
            qty: Decimal::new(15, 1),
            price: Decimal::new(250_001, 2),
            quote: Decimal::new(15, 1) * Decimal::new(250_001, 2),
            fee: Decimal::new(375, 5),
            fee_asset: "USDT".into(),
            liquidity: Liquidity::Maker,
            market_ms: seq as i64 * 60_000,
            origin: "sma_cross".into(),
        }
    }

    #[test]
    fn a_version_3_journal_gains_the_order_live_and_state_tables_and_keeps_what_it_had() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = rusqlite::Connection::open(dir.path().join(super::super::FILE)).unwrap();
            let v3 = [
                super::super::SCHEMA_V1,
                super::super::overrides::SCHEMA_V2,
                super::super::refusals::SCHEMA_V3,
            ];
            for schema in v3 {
                conn.execute_batch(schema).unwrap();
            }
            conn.execute(
                "INSERT INTO refusals (market_ms, mode, origin, orders, code, reason) VALUES (1, 'PAPER', 'manual', 'buy', 'HALTED', 'why')",
                [],
            )
            .unwrap();
        }
        let mut j = Journal::open(dir.path()).unwrap();
        let version: i64 = j
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        let mode: String = j
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!((version, mode.as_str()), (6, "wal"));
        assert_eq!(j.refusals(10).unwrap()[0].code, "HALTED");
        let session = j.begin_session("PAPER · REPLAY").unwrap();
        let step: Vec<Entry> = (1..=3).map(|s| Entry::Fill(fill(s))).collect();
        j.write(session, &step).unwrap();
        assert_eq!(
            j.fills(session).unwrap(),
            (1..=3).map(fill).collect::<Vec<_>>()
        );
    }
}
