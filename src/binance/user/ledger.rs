//! What the session remembers across connections so that no fill is missed or delivered twice:
//! per symbol the trade ids already delivered (from the socket or REST), where the next `myTrades`
//! query starts, the client id of every order seen, and the orders believed open.
//!
//! Invariant: a (symbol, trade id) passes [`Ledger::admit`] at most once. Ids are kept in a set
//! of bounded size; when it overflows, the smallest ids leave it and the floor rises to them, and
//! an id at or below the floor counts as delivered (trade ids only grow, and the REST cursor never
//! goes back below the floor).

use super::events::{OrderUpdate, UserFill};
use crate::market::Symbol;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Trade ids remembered per symbol before the floor rises.
const DELIVERED_CAP: usize = 4096;
/// Order id → client id entries kept (oldest forgotten first).
const CLIENT_IDS_CAP: usize = 20_000;

/// Where the next `myTrades` query for a symbol starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeCursor {
    /// `fromId`: every trade below it has been seen by REST.
    FromId(u64),
    /// `startTime` (ms): no trade of ours since then has been seen by REST yet.
    Since(i64),
}

#[derive(Debug, Clone, Default)]
struct Delivered {
    ids: BTreeSet<u64>,
    /// Ids at or below it count as delivered.
    floor: Option<u64>,
}

impl Delivered {
    fn contains(&self, id: u64) -> bool {
        self.floor.is_some_and(|f| id <= f) || self.ids.contains(&id)
    }

    fn insert(&mut self, id: u64) {
        self.ids.insert(id);
        while self.ids.len() > DELIVERED_CAP {
            if let Some(lowest) = self.ids.pop_first() {
                self.floor = Some(self.floor.map_or(lowest, |f| f.max(lowest)));
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Ledger {
    since_ms: i64,
    symbols: BTreeSet<Symbol>,
    delivered: HashMap<Symbol, Delivered>,
    cursors: HashMap<Symbol, TradeCursor>,
    client_ids: HashMap<(Symbol, u64), String>,
    client_order: VecDeque<(Symbol, u64)>,
    open: BTreeMap<(Symbol, u64), String>,
}

impl Ledger {
    /// Watches `symbols`; fills before `since_ms` are not reported unless a cursor says otherwise.
    pub fn new(symbols: &[Symbol], since_ms: i64) -> Self {
        Self {
            since_ms,
            symbols: symbols.iter().cloned().collect(),
            delivered: HashMap::new(),
            cursors: HashMap::new(),
            client_ids: HashMap::new(),
            client_order: VecDeque::new(),
            open: BTreeMap::new(),
        }
    }

    /// Resumes after `last_trade_id` (e.g. from the journal): that fill and every earlier one
    /// of `symbol` count as delivered.
    pub fn resume_after(&mut self, symbol: &Symbol, last_trade_id: u64) {
        self.symbols.insert(symbol.clone());
        let d = self.delivered.entry(symbol.clone()).or_default();
        d.floor = Some(d.floor.map_or(last_trade_id, |f| f.max(last_trade_id)));
        self.cursors
            .insert(symbol.clone(), TradeCursor::FromId(last_trade_id + 1));
    }

    /// The symbols reconciliation covers: those configured plus any the socket mentioned.
    pub fn symbols(&self) -> Vec<Symbol> {
        self.symbols.iter().cloned().collect()
    }

    pub fn cursor(&self, symbol: &Symbol) -> TradeCursor {
        self.cursors
            .get(symbol)
            .copied()
            .unwrap_or(TradeCursor::Since(self.since_ms))
    }

    /// After a `myTrades` sweep that started at `started_ms` (local) and saw trade ids up to
    /// `max_id`: the next sweep starts after it, or (nothing seen) a little before `started_ms`.
    pub fn advance_cursor(&mut self, symbol: &Symbol, max_id: Option<u64>, started_ms: i64) {
        const LAG_MARGIN_MS: i64 = 60_000;
        let next = match (max_id, self.cursor(symbol)) {
            (Some(id), TradeCursor::FromId(from)) => TradeCursor::FromId(from.max(id + 1)),
            (Some(id), TradeCursor::Since(_)) => TradeCursor::FromId(id + 1),
            (None, TradeCursor::FromId(from)) => TradeCursor::FromId(from),
            (None, TradeCursor::Since(t)) => TradeCursor::Since(t.max(started_ms - LAG_MARGIN_MS)),
        };
        self.cursors.insert(symbol.clone(), next);
    }

    /// Whether `fill` is new; records it when it is.
    pub fn admit(&mut self, fill: &UserFill) -> bool {
        self.symbols.insert(fill.symbol.clone());
        let d = self.delivered.entry(fill.symbol.clone()).or_default();
        if d.contains(fill.trade_id) {
            return false;
        }
        d.insert(fill.trade_id);
        true
    }

    /// Learns an order's client id and whether it is still open.
    pub fn note_order(&mut self, u: &OrderUpdate) {
        self.symbols.insert(u.symbol.clone());
        let key = (u.symbol.clone(), u.order_id);
        if self
            .client_ids
            .insert(key.clone(), u.client_order_id.clone())
            .is_none()
        {
            self.client_order.push_back(key.clone());
            while self.client_order.len() > CLIENT_IDS_CAP {
                if let Some(old) = self.client_order.pop_front() {
                    self.client_ids.remove(&old);
                }
            }
        }
        if u.is_open() {
            self.open.insert(key, u.client_order_id.clone());
        } else {
            self.open.remove(&key);
        }
    }

    pub fn client_id(&self, symbol: &Symbol, order_id: u64) -> Option<&str> {
        self.client_ids
            .get(&(symbol.clone(), order_id))
            .map(String::as_str)
    }

    /// Orders of `symbol` believed open: order id and client id.
    pub fn open_orders(&self, symbol: &Symbol) -> Vec<(u64, String)> {
        self.open
            .iter()
            .filter(|((s, _), _)| s == symbol)
            .map(|((_, id), client)| (*id, client.clone()))
            .collect()
    }

    /// Binance no longer knows the order: stop treating it as open.
    pub fn forget_order(&mut self, symbol: &Symbol, order_id: u64) {
        self.open.remove(&(symbol.clone(), order_id));
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
