//! The fake exchange's whole trading state, synchronous and deterministic: symbols and their
//! books, the account, every order and order list ever accepted, id counters, and the events each
//! operation produces (depth diffs, book tickers, trades for the market streams; execution
//! reports, list and account updates for the user-data stream). Invariant: an operation leaves
//! its events in `out`, in the order Binance would send them, and the books' diffs are committed
//! (`flush`) before the operation returns, so a depth snapshot never runs ahead of the diffs
//! already queued.

use super::account::Account;
use super::book::Book;
use super::info::SymbolSpec;
use super::order::{Fill, Order, Side};
use super::render;
use super::wire::{ApiError, Fmt};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Something to send on the sockets.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A market-stream payload for stream `topic` (canonical name, e.g. `btcusdt@depth`).
    Market { topic: String, data: Value },
    /// A user-data event object (wrapped per subscription by the WebSocket API).
    User(Value),
    /// `{"e":"serverShutdown","E":…}`, to every socket.
    Shutdown(Value),
}

/// An OCO list: its two legs, below first.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderList {
    pub id: u64,
    pub client_id: String,
    pub symbol: String,
    pub legs: Vec<u64>,
    pub done: bool,
    pub time: i64,
}

#[derive(Debug, Clone)]
pub struct Exchange {
    pub symbols: BTreeMap<String, SymbolSpec>,
    pub books: BTreeMap<String, Book>,
    pub orders: BTreeMap<u64, Order>,
    pub lists: BTreeMap<u64, OrderList>,
    pub account: Account,
    pub last_price: BTreeMap<String, Decimal>,
    /// Depth diffs still to be dropped per symbol (a scripted sequence gap).
    pub drop_depth: BTreeMap<String, usize>,
    pub fmt: Fmt,
    /// Server time of the operation in progress.
    pub now: i64,
    pub out: Vec<Event>,
    next: u64,
}

impl Default for Exchange {
    fn default() -> Self {
        let mut ex = Self {
            symbols: BTreeMap::new(),
            books: BTreeMap::new(),
            orders: BTreeMap::new(),
            lists: BTreeMap::new(),
            account: Account::default(),
            last_price: BTreeMap::new(),
            drop_depth: BTreeMap::new(),
            fmt: Fmt::default(),
            now: 0,
            out: Vec::new(),
            next: 0,
        };
        ex.add_symbol(SymbolSpec::btcusdt());
        ex.add_symbol(SymbolSpec::ethusdt());
        ex
    }
}

impl Exchange {
    pub fn add_symbol(&mut self, spec: SymbolSpec) {
        let first_id = 1_000_000 * (self.books.len() as u64 + 1);
        self.books
            .entry(spec.symbol.clone())
            .or_insert_with(|| Book::new(first_id));
        self.symbols.insert(spec.symbol.clone(), spec);
    }

    pub fn spec(&self, symbol: &str) -> Result<SymbolSpec, ApiError> {
        self.symbols
            .get(symbol)
            .cloned()
            .ok_or_else(ApiError::bad_symbol)
    }

    /// A fresh id from the one counter every kind of id shares (unique and increasing).
    pub fn next_id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    pub fn generated_client_id(&mut self) -> String {
        format!("fake{:018}", self.next_id())
    }

    pub fn book(&mut self, symbol: &str) -> &mut Book {
        self.books
            .entry(symbol.to_string())
            .or_insert_with(|| Book::new(1_000_000))
    }

    pub fn order(&self, id: u64) -> &Order {
        &self.orders[&id]
    }

    pub fn open_orders(&self, symbol: Option<&str>) -> Vec<&Order> {
        self.orders
            .values()
            .filter(|o| o.status.is_open() && symbol.is_none_or(|s| o.symbol == s))
            .collect()
    }

    /// Reports an order's state to the user-data stream (`x` = execution type).
    pub fn report(&mut self, id: u64, x: &str, fill: Option<&Fill>, cancel_id: Option<&str>) {
        let exec_id = self.next_id();
        let o = &self.orders[&id];
        let event = render::execution_report(self.fmt, o, (x, exec_id), fill, cancel_id, self.now);
        self.out.push(Event::User(event));
    }

    /// A public trade on `symbol` (aggTrade and trade streams); `buyer_maker` = the seller took.
    pub fn public_trade(&mut self, symbol: &str, price: Decimal, qty: Decimal, buyer_maker: bool) {
        let id = self.next_id();
        let (fmt, now) = (self.fmt, self.now);
        let lower = symbol.to_lowercase();
        let agg = json!({"e": "aggTrade", "E": now, "s": symbol, "a": id, "p": fmt.dec(price),
            "q": fmt.dec(qty), "f": id, "l": id, "T": now, "m": buyer_maker, "M": true});
        let trade = json!({"e": "trade", "E": now, "s": symbol, "t": id, "p": fmt.dec(price),
            "q": fmt.dec(qty), "T": now, "m": buyer_maker, "M": true});
        self.out.push(Event::Market {
            topic: format!("{lower}@aggTrade"),
            data: agg,
        });
        self.out.push(Event::Market {
            topic: format!("{lower}@trade"),
            data: trade,
        });
    }

    /// Commits every book's pending changes as depth diffs (unless a gap is scripted) and book
    /// tickers, closes finished order lists, and reports changed balances.
    pub fn flush(&mut self) {
        let symbols: Vec<String> = self.books.keys().cloned().collect();
        for symbol in symbols {
            self.flush_book(&symbol);
        }
        self.finish_lists();
        let changed = self.account.take_dirty();
        if !changed.is_empty() {
            self.account.update_time = self.now;
            let event = render::account_position(self.fmt, &changed, self.now);
            self.out.push(Event::User(event));
        }
    }

    fn flush_book(&mut self, symbol: &str) {
        let (fmt, now) = (self.fmt, self.now);
        let book = self.books.get_mut(symbol).unwrap();
        let Some(diff) = book.commit() else { return };
        let top = book
            .top_changed()
            .then(|| (book.best(Side::Buy), book.best(Side::Sell)));
        let lower = symbol.to_lowercase();
        let dropped = self.drop_depth.get_mut(symbol).filter(|n| **n > 0);
        if let Some(n) = dropped {
            *n -= 1;
        } else {
            let data = json!({"e": "depthUpdate", "E": now, "s": symbol, "U": diff.first,
                "u": diff.last, "b": fmt.levels(&diff.bids), "a": fmt.levels(&diff.asks)});
            self.out.push(Event::Market {
                topic: format!("{lower}@depth"),
                data,
            });
        }
        if let Some((bid, ask)) = top {
            let (b, bq) = bid.unwrap_or_default();
            let (a, aq) = ask.unwrap_or_default();
            let data = json!({"u": diff.last, "s": symbol, "b": fmt.dec(b), "B": fmt.dec(bq),
                "a": fmt.dec(a), "A": fmt.dec(aq)});
            self.out.push(Event::Market {
                topic: format!("{lower}@bookTicker"),
                data,
            });
        }
    }

    fn finish_lists(&mut self) {
        let finished: Vec<u64> = self
            .lists
            .values()
            .filter(|l| !l.done && l.legs.iter().all(|id| !self.orders[id].status.is_open()))
            .map(|l| l.id)
            .collect();
        for id in finished {
            self.lists.get_mut(&id).unwrap().done = true;
            let event = render::list_status(&self.lists[&id], &self.orders, self.now);
            self.out.push(Event::User(event));
        }
    }
}
