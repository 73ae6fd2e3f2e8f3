//! The local books of every depth-subscribed symbol: one `BookSync` each, driven by the stream's
//! diffs, with `/api/v3/depth` snapshots fetched on their own tasks (diffs keep buffering
//! meanwhile) and handed back through a channel. Invariant: at most one snapshot request per
//! symbol is in flight; a failed one is retried with jittered backoff when the next diff asks; and
//! every change to a book's state yields the [`BookView`] to publish.

use super::events::BookView;
use crate::binance::book::{BookSync, DepthDiff, DepthSnapshot, SyncAction, SyncConfig};
use crate::binance::{Backoff, MarketClient, RestError, RetryPolicy};
use crate::market::Symbol;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A snapshot request's outcome, back from its task.
pub type SnapshotResult = (Symbol, Result<DepthSnapshot, RestError>);

struct SymbolBook {
    sync: BookSync,
    in_flight: bool,
    /// Consecutive failed requests.
    failures: u32,
    snapshot_failures: u64,
}

pub struct Books {
    books: BTreeMap<Symbol, SymbolBook>,
    rest: Arc<MarketClient>,
    limit: u32,
    top_levels: usize,
    backoff: Backoff,
    results: mpsc::Sender<SnapshotResult>,
}

impl Books {
    pub fn new(
        symbols: &[Symbol],
        sync: SyncConfig,
        rest: Arc<MarketClient>,
        (limit, top_levels): (u32, usize),
        (policy, seed): (RetryPolicy, u64),
        results: mpsc::Sender<SnapshotResult>,
    ) -> Self {
        let books = symbols
            .iter()
            .map(|s| {
                let book = SymbolBook {
                    sync: BookSync::new(sync),
                    in_flight: false,
                    failures: 0,
                    snapshot_failures: 0,
                };
                (s.clone(), book)
            })
            .collect();
        Self {
            books,
            rest,
            limit,
            top_levels,
            backoff: Backoff::new(policy, seed),
            results,
        }
    }

    /// A diff from the stream. `None`: nothing to publish (unknown symbol, still buffering, or a
    /// diff the book already held).
    pub fn on_diff(&mut self, symbol: &Symbol, diff: DepthDiff) -> Option<BookView> {
        let book = self.books.get_mut(symbol)?;
        let action = book.sync.on_diff(diff);
        self.act(symbol, action)
    }

    /// A snapshot request's outcome.
    pub fn on_snapshot(&mut self, (symbol, result): SnapshotResult) -> Option<BookView> {
        let book = self.books.get_mut(&symbol)?;
        book.in_flight = false;
        match result {
            Ok(snapshot) => {
                book.failures = 0;
                let action = book.sync.on_snapshot(snapshot);
                self.act(&symbol, action)
            }
            Err(e) => {
                tracing::warn!(%symbol, error = %e, "order book snapshot failed; retrying");
                book.failures = book.failures.saturating_add(1);
                book.snapshot_failures += 1;
                book.sync.snapshot_failed();
                self.view(&symbol)
            }
        }
    }

    /// After a reconnect: every book is withdrawn and rebuilt from a new snapshot.
    pub fn reset_all(&mut self) -> Vec<BookView> {
        let symbols: Vec<Symbol> = self.books.keys().cloned().collect();
        symbols
            .into_iter()
            .filter_map(|s| {
                let book = self.books.get_mut(&s)?;
                book.sync.reset();
                self.view(&s)
            })
            .collect()
    }

    pub fn view(&self, symbol: &Symbol) -> Option<BookView> {
        let book = self.books.get(symbol)?;
        let top = book.sync.top(self.top_levels);
        Some(BookView {
            symbol: symbol.clone(),
            top,
            health: book.sync.book().map(|b| b.health()),
            counters: *book.sync.counters(),
            snapshot_failures: book.snapshot_failures,
        })
    }

    fn act(&mut self, symbol: &Symbol, action: SyncAction) -> Option<BookView> {
        match action {
            SyncAction::Waiting | SyncAction::Unchanged => None,
            SyncAction::Updated { .. } => self.view(symbol),
            SyncAction::FetchSnapshot(reason) => {
                tracing::debug!(%symbol, %reason, "order book needs a snapshot");
                self.request(symbol);
                self.view(symbol)
            }
        }
    }

    /// Spawns the snapshot request unless one is already under way.
    fn request(&mut self, symbol: &Symbol) {
        let Some(book) = self.books.get_mut(symbol) else {
            return;
        };
        if book.in_flight {
            return;
        }
        book.in_flight = true;
        let delay = match book.failures {
            0 => std::time::Duration::ZERO,
            n => self.backoff.delay(n - 1),
        };
        let (rest, results, limit) = (self.rest.clone(), self.results.clone(), self.limit);
        let symbol = symbol.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let result = rest.depth(&symbol, limit).await;
            let _ = results.send((symbol, result)).await;
        });
    }
}
