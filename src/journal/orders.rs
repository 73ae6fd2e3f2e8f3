//! Orders in the journal, per session: one row per order the exchange accepted, updated in place
//! as it moves (new → partially filled → filled / canceled / expired / rejected), plus the
//! append-only `order_events` log of every state change, from which a row's history can be
//! replayed. A row and its event are written in the same transaction, so the row always equals
//! the last event of its order. Prices and quantities are kept as decimal text, exactly.

use super::{Journal, JournalError, decimal, opt_decimal};
use crate::core::{OrderStatus, Side};
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;

pub(super) const SCHEMA: &str = "
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wall_ms INTEGER NOT NULL,
    mode TEXT NOT NULL
);
CREATE TABLE orders (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    origin TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    kind TEXT NOT NULL,
    price TEXT,
    stop TEXT,
    qty TEXT NOT NULL,
    qty_in TEXT NOT NULL,
    oco INTEGER,
    status TEXT NOT NULL,
    filled TEXT NOT NULL,
    placed_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    reason TEXT,
    PRIMARY KEY (session, id)
);
CREATE TABLE order_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    order_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    filled TEXT NOT NULL,
    market_ms INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX order_events_by_order ON order_events (session, order_id, seq);
";

/// An order as the journal keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderRow {
    pub id: u64,
    /// The strategy's name, or "manual".
    pub origin: String,
    pub symbol: String,
    pub side: Side,
    /// `MARKET`, `LIMIT`, `STOP_LOSS_LIMIT`, …
    pub kind: String,
    pub price: Option<Decimal>,
    pub stop: Option<Decimal>,
    pub qty: Decimal,
    /// True when `qty` is a quote amount to spend or receive (a market order's `quoteOrderQty`).
    pub qty_in_quote: bool,
    pub oco: Option<u64>,
    pub status: OrderStatus,
    /// Base quantity filled so far.
    pub filled: Decimal,
    pub placed_ms: i64,
    pub updated_ms: i64,
    /// Why it expired or was rejected, when the exchange said.
    pub reason: Option<String>,
}

/// One state change of an order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderEvent {
    pub order: u64,
    pub status: OrderStatus,
    pub filled: Decimal,
    pub market_ms: i64,
    pub reason: Option<String>,
}

/// Binance's name of a status (`PARTIALLY_FILLED`, …), as the journal stores it.
pub fn status_name(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::New => "NEW",
        OrderStatus::PartiallyFilled => "PARTIALLY_FILLED",
        OrderStatus::Filled => "FILLED",
        OrderStatus::Canceled => "CANCELED",
        OrderStatus::Rejected => "REJECTED",
        OrderStatus::Expired => "EXPIRED",
    }
}

fn parse_status(s: &str) -> Option<OrderStatus> {
    [
        OrderStatus::New,
        OrderStatus::PartiallyFilled,
        OrderStatus::Filled,
        OrderStatus::Canceled,
        OrderStatus::Rejected,
        OrderStatus::Expired,
    ]
    .into_iter()
    .find(|st| status_name(*st) == s)
}

pub(super) fn insert_order(
    tx: &Transaction<'_>,
    session: i64,
    o: &OrderRow,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO orders (session, id, origin, symbol, side, kind, price, stop, qty, qty_in, oco, status, filled, placed_ms, updated_ms, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        session,
        o.id as i64,
        o.origin,
        o.symbol,
        o.side.as_str(),
        o.kind,
        o.price.map(|p| p.to_string()),
        o.stop.map(|p| p.to_string()),
        o.qty.to_string(),
        if o.qty_in_quote { "QUOTE" } else { "BASE" },
        o.oco.map(|g| g as i64),
        status_name(o.status),
        o.filled.to_string(),
        o.placed_ms,
        o.updated_ms,
        o.reason,
    ])?;
    insert_event(
        tx,
        session,
        &OrderEvent {
            order: o.id,
            status: o.status,
            filled: o.filled,
            market_ms: o.placed_ms,
            reason: o.reason.clone(),
        },
    )
}

/// Appends the event and brings the order's row up to it.
pub(super) fn update_order(
    tx: &Transaction<'_>,
    session: i64,
    e: &OrderEvent,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE orders SET status = ?3, filled = ?4, updated_ms = ?5, reason = ?6 WHERE session = ?1 AND id = ?2",
    )?
    .execute(params![
        session,
        e.order as i64,
        status_name(e.status),
        e.filled.to_string(),
        e.market_ms,
        e.reason,
    ])?;
    insert_event(tx, session, e)
}

fn insert_event(tx: &Transaction<'_>, session: i64, e: &OrderEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_events (session, order_id, status, filled, market_ms, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        session,
        e.order as i64,
        status_name(e.status),
        e.filled.to_string(),
        e.market_ms,
        e.reason,
    ])?;
    Ok(())
}

impl Journal {
    /// Starts a trading session (`mode` as the UI names it); its orders and fills are kept under
    /// the returned id.
    pub fn begin_session(&mut self, mode: &str) -> Result<i64, JournalError> {
        self.conn
            .execute(
                "INSERT INTO sessions (wall_ms, mode) VALUES (?1, ?2)",
                params![crate::clock::system_now_ms(), mode],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The latest session's id, if any.
    pub fn last_session(&self) -> Result<Option<i64>, JournalError> {
        self.conn
            .query_row("SELECT MAX(id) FROM sessions", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// A session's orders, by id.
    pub fn orders(&self, session: i64) -> Result<Vec<OrderRow>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, origin, symbol, side, kind, price, stop, qty, qty_in, oco, status, filled, placed_ms, updated_ms, reason
                 FROM orders WHERE session = ?1 ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([session], |r| {
                Ok(OrderRow {
                    id: r.get::<_, i64>(0)? as u64,
                    origin: r.get(1)?,
                    symbol: r.get(2)?,
                    side: side(r, 3)?,
                    kind: r.get(4)?,
                    price: opt_decimal(r, 5)?,
                    stop: opt_decimal(r, 6)?,
                    qty: decimal(r, 7)?,
                    qty_in_quote: r.get::<_, String>(8)? == "QUOTE",
                    oco: r.get::<_, Option<i64>>(9)?.map(|g| g as u64),
                    status: status(r, 10)?,
                    filled: decimal(r, 11)?,
                    placed_ms: r.get(12)?,
                    updated_ms: r.get(13)?,
                    reason: r.get(14)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// An order's state changes, oldest first.
    pub fn order_history(&self, session: i64, order: u64) -> Result<Vec<OrderEvent>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT order_id, status, filled, market_ms, reason FROM order_events
                 WHERE session = ?1 AND order_id = ?2 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![session, order as i64], |r| {
                Ok(OrderEvent {
                    order: r.get::<_, i64>(0)? as u64,
                    status: status(r, 1)?,
                    filled: decimal(r, 2)?,
                    market_ms: r.get(3)?,
                    reason: r.get(4)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

fn status(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<OrderStatus> {
    let text: String = r.get(i)?;
    parse_status(&text).ok_or_else(|| unreadable(i, format!("unknown order status {text}")))
}

pub(super) fn side(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Side> {
    let text: String = r.get(i)?;
    [Side::Buy, Side::Sell]
        .into_iter()
        .find(|x| x.as_str() == text)
        .ok_or_else(|| unreadable(i, format!("unknown side {text}")))
}

pub(super) fn unreadable(i: usize, detail: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, detail.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Entry;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn limit_buy(id: u64, at: i64) -> OrderRow {
        OrderRow {
            id,
            origin: "manual".into(),
            symbol: "BTCUSDT".into(),
            side: Side::Buy,
            kind: "LIMIT".into(),
            price: Some(d("100.10")),
            stop: None,
            qty: d("2.000"),
            qty_in_quote: false,
            oco: None,
            status: OrderStatus::New,
            filled: Decimal::ZERO,
            placed_ms: at,
            updated_ms: at,
            reason: None,
        }
    }

    fn event(order: u64, status: OrderStatus, filled: &str, at: i64) -> Entry {
        Entry::Changed(OrderEvent {
            order,
            status,
            filled: d(filled),
            market_ms: at,
            reason: None,
        })
    }

    #[test]
    fn a_partly_filled_then_canceled_order_keeps_its_history_and_its_row_follows() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path()).unwrap();
        let s = j.begin_session("PAPER · REPLAY").unwrap();
        j.write(
            s,
            &[
                Entry::Accepted(limit_buy(7, 10)),
                Entry::Accepted(limit_buy(8, 10)),
            ],
        )
        .unwrap();
        j.write(s, &[event(7, OrderStatus::PartiallyFilled, "0.5", 20)])
            .unwrap();
        j.write(s, &[event(7, OrderStatus::Canceled, "0.5", 30)])
            .unwrap();
        drop(j);
        let j = Journal::open(dir.path()).unwrap();
        let history: Vec<(OrderStatus, Decimal, i64)> = j
            .order_history(s, 7)
            .unwrap()
            .into_iter()
            .map(|e| (e.status, e.filled, e.market_ms))
            .collect();
        assert_eq!(
            history,
            [
                (OrderStatus::New, Decimal::ZERO, 10),
                (OrderStatus::PartiallyFilled, d("0.5"), 20),
                (OrderStatus::Canceled, d("0.5"), 30),
            ]
        );
        let rows = j.orders(s).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].status, rows[0].filled, rows[0].updated_ms),
            (OrderStatus::Canceled, d("0.5"), 30)
        );
        assert_eq!(rows[0].price, Some(d("100.10")), "prices come back exactly");
        assert_eq!(rows[1], limit_buy(8, 10), "the other order is untouched");
        assert_eq!(j.order_history(s, 8).unwrap().len(), 1);
    }

    #[test]
    fn sessions_keep_their_orders_apart_and_a_failed_step_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path()).unwrap();
        let a = j.begin_session("PAPER · REPLAY").unwrap();
        let b = j.begin_session("PAPER · REPLAY").unwrap();
        j.write(a, &[Entry::Accepted(limit_buy(1, 1))]).unwrap();
        j.write(b, &[Entry::Accepted(limit_buy(1, 2))]).unwrap();
        assert_eq!(j.orders(a).unwrap()[0].placed_ms, 1);
        assert_eq!(j.orders(b).unwrap()[0].placed_ms, 2);
        // The same order twice breaks the primary key: the step's first entry is rolled back too.
        let step = [
            Entry::Accepted(limit_buy(2, 3)),
            Entry::Accepted(limit_buy(1, 3)),
        ];
        assert!(j.write(a, &step).is_err());
        assert_eq!(j.orders(a).unwrap().len(), 1);
        assert_eq!(j.last_session().unwrap(), Some(b));
    }
}
