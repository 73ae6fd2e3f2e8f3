//! The feed's output side and its overflow policy.
//!
//! - **Ordered queue** (klines, agg trades, health changes): a bounded channel. An event is never
//!   dropped. When the queue is full the reader waits for room at most `lag_wait` (default 5 s,
//!   far inside the 60 s Binance allows for a pong, so pings stay answered); if the consumer
//!   still has not made room, the feed records `Lagged`, closes the socket rather than stall it,
//!   delivers what it holds once there is room, then reconnects and resyncs the books. What
//!   Binance sent while the socket was closed is missed, and the `Lagged` and `Reconnecting`
//!   health events say where, so the core can backfill klines over REST.
//! - **Latest-value slots** (book tops, book tickers): one per symbol, overwritten by each update
//!   and marked dirty until the consumer takes it. Never blocks the reader, holds at most one
//!   value per symbol and kind, and the value read is always the newest.
//!
//! Invariant: the reader task never awaits the consumer longer than `lag_wait` while a socket is
//! open.

use super::events::{BookTicker, BookView, MarketEvent};
use super::health::FeedStatus;
use crate::market::Symbol;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// State shared between the feed task and its consumer.
#[derive(Default)]
pub struct Shared {
    latest: Mutex<Latest>,
    pub(super) notify: Notify,
}

#[derive(Default)]
struct Latest {
    books: BTreeMap<Symbol, (BookView, bool)>,
    tickers: BTreeMap<Symbol, (BookTicker, bool)>,
    /// Slots written since the consumer last took them, oldest first, each once.
    dirty: VecDeque<Slot>,
    status: FeedStatus,
}

#[derive(Debug, Clone)]
enum Slot {
    Book(Symbol),
    Ticker(Symbol),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Latest> {
        self.latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn publish_book(&self, view: BookView) {
        let mut l = self.lock();
        let symbol = view.symbol.clone();
        let was_dirty = l.books.insert(symbol.clone(), (view, true));
        if !was_dirty.is_some_and(|(_, dirty)| dirty) {
            l.dirty.push_back(Slot::Book(symbol));
            drop(l);
            self.notify.notify_one();
        }
    }

    pub fn publish_ticker(&self, ticker: BookTicker) {
        let mut l = self.lock();
        let symbol = ticker.symbol.clone();
        let was_dirty = l.tickers.insert(symbol.clone(), (ticker, true));
        if !was_dirty.is_some_and(|(_, dirty)| dirty) {
            l.dirty.push_back(Slot::Ticker(symbol));
            drop(l);
            self.notify.notify_one();
        }
    }

    /// The oldest slot written since it was last taken, now marked clean.
    pub fn take_dirty(&self) -> Option<MarketEvent> {
        let mut l = self.lock();
        let slot = l.dirty.pop_front()?;
        match slot {
            Slot::Book(s) => l.books.get_mut(&s).map(|(view, dirty)| {
                *dirty = false;
                MarketEvent::Book(view.clone())
            }),
            Slot::Ticker(s) => l.tickers.get_mut(&s).map(|(ticker, dirty)| {
                *dirty = false;
                MarketEvent::Ticker(ticker.clone())
            }),
        }
    }

    pub fn book(&self, symbol: &Symbol) -> Option<BookView> {
        self.lock().books.get(symbol).map(|(v, _)| v.clone())
    }

    pub fn ticker(&self, symbol: &Symbol) -> Option<BookTicker> {
        self.lock().tickers.get(symbol).map(|(t, _)| t.clone())
    }

    pub fn status(&self) -> FeedStatus {
        self.lock().status.clone()
    }

    pub fn update_status<R>(&self, f: impl FnOnce(&mut FeedStatus) -> R) -> R {
        f(&mut self.lock().status)
    }
}

/// Why an ordered event could not be queued.
#[derive(Debug)]
pub enum Blocked {
    /// The queue stayed full for `lag_wait`; the event is handed back, undelivered.
    Lagged(MarketEvent),
    /// The consumer is gone.
    Closed,
}

/// The feed task's end of the queue and the slots.
pub struct Outlet {
    tx: mpsc::Sender<MarketEvent>,
    pub(super) shared: Arc<Shared>,
    lag_wait: Duration,
}

impl Outlet {
    pub fn new(tx: mpsc::Sender<MarketEvent>, shared: Arc<Shared>, lag_wait: Duration) -> Self {
        Self {
            tx,
            shared,
            lag_wait,
        }
    }

    /// Queues an ordered event, waiting at most `lag_wait` for room.
    pub async fn send(&self, event: MarketEvent) -> Result<(), Blocked> {
        let permit = match self.tx.try_reserve() {
            Ok(permit) => permit,
            Err(mpsc::error::TrySendError::Closed(())) => return Err(Blocked::Closed),
            Err(mpsc::error::TrySendError::Full(())) => {
                match tokio::time::timeout(self.lag_wait, self.tx.reserve()).await {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_)) => return Err(Blocked::Closed),
                    Err(_) => return Err(Blocked::Lagged(event)),
                }
            }
        };
        permit.send(event);
        Ok(())
    }

    /// Queues an ordered event however long it takes (only while no socket is open).
    pub async fn send_waiting(&self, event: MarketEvent) -> Result<(), Blocked> {
        self.tx.send(event).await.map_err(|_| Blocked::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::book::BookTop;
    use crate::binance::stream::health::FeedState;

    fn view(symbol: &str, seq: u64) -> BookView {
        BookView {
            symbol: symbol.parse().unwrap(),
            top: Some(BookTop {
                seq,
                ..BookTop::default()
            }),
            health: None,
            counters: Default::default(),
            snapshot_failures: 0,
        }
    }

    #[test]
    fn slots_coalesce_to_the_latest_and_list_each_symbol_once() {
        let shared = Shared::default();
        for seq in 1..=50 {
            shared.publish_book(view("BTCUSDT", seq));
            shared.publish_book(view("ETHUSDT", 1000 + seq));
        }
        let taken: Vec<_> = std::iter::from_fn(|| shared.take_dirty()).collect();
        assert_eq!(
            taken,
            [
                MarketEvent::Book(view("BTCUSDT", 50)),
                MarketEvent::Book(view("ETHUSDT", 1050))
            ]
        );
        shared.publish_book(view("ETHUSDT", 2000));
        assert_eq!(
            shared.take_dirty(),
            Some(MarketEvent::Book(view("ETHUSDT", 2000)))
        );
        assert_eq!(
            shared.book(&"BTCUSDT".parse().unwrap()),
            Some(view("BTCUSDT", 50))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_waits_lag_wait_then_hands_the_event_back() {
        let (tx, mut rx) = mpsc::channel(2);
        let outlet = Outlet::new(tx, Arc::default(), Duration::from_secs(5));
        let health = |n| {
            MarketEvent::Health(FeedStatus {
                latency_ms: Some(n),
                ..FeedStatus::default()
            })
        };
        outlet.send(health(1)).await.unwrap();
        outlet.send(health(2)).await.unwrap();
        let start = tokio::time::Instant::now();
        let Err(Blocked::Lagged(back)) = outlet.send(health(3)).await else {
            panic!("a full queue must report lag");
        };
        assert_eq!(back, health(3), "the event comes back undelivered");
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        assert_eq!(rx.recv().await, Some(health(1)));
        outlet.send(back).await.unwrap();
        assert_eq!(rx.recv().await, Some(health(2)));
        assert_eq!(rx.recv().await, Some(health(3)), "order kept");
        drop(rx);
        assert!(matches!(outlet.send(health(4)).await, Err(Blocked::Closed)));
        outlet.shared.update_status(|s| s.state = FeedState::Lagged);
        assert_eq!(outlet.shared.status().state, FeedState::Lagged);
    }
}
