//! The consumer's handle on a running market feed: the ordered queue, the latest-value slots, and
//! health. Invariant: `recv` alternates between the two sources when both have something, so a
//! flood of one kind never starves the other; dropping the handle stops the feed task.

use super::events::{BookTicker, BookView, MarketEvent};
use super::health::FeedStatus;
use super::outlet::Shared;
use crate::market::Symbol;
use std::sync::Arc;
use tokio::sync::mpsc::{self, error::TryRecvError};
use tokio::task::JoinHandle;

pub struct MarketFeed {
    rx: mpsc::Receiver<MarketEvent>,
    shared: Arc<Shared>,
    /// Which source `recv` tries first next time.
    latest_first: bool,
    task: JoinHandle<()>,
}

impl MarketFeed {
    pub(super) fn new(
        rx: mpsc::Receiver<MarketEvent>,
        shared: Arc<Shared>,
        task: JoinHandle<()>,
    ) -> Self {
        Self {
            rx,
            shared,
            latest_first: false,
            task,
        }
    }

    /// The next event of any kind: ordered events in order, coalesced ones as their latest
    /// value. `None` once the feed has stopped and everything was taken.
    pub async fn recv(&mut self) -> Option<MarketEvent> {
        loop {
            match self.try_recv() {
                Ok(event) => return Some(event),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            tokio::select! {
                event = self.rx.recv() => {
                    if event.is_some() {
                        self.latest_first = true;
                        return event;
                    }
                    return self.take_latest();
                }
                () = self.shared.notify.notified() => {}
            }
        }
    }

    /// An event if one is ready.
    pub fn try_recv(&mut self) -> Result<MarketEvent, TryRecvError> {
        if self.latest_first
            && let Some(event) = self.take_latest()
        {
            self.latest_first = false;
            return Ok(event);
        }
        match self.rx.try_recv() {
            Ok(event) => {
                self.latest_first = true;
                Ok(event)
            }
            Err(e) => self.take_latest().ok_or(e),
        }
    }

    /// Only the ordered queue (klines, trades, health), leaving book tops and tickers to
    /// coalesce in their slots.
    pub async fn recv_ordered(&mut self) -> Option<MarketEvent> {
        self.rx.recv().await
    }

    /// A book top or ticker written since it was last taken, oldest slot first.
    pub fn take_latest(&self) -> Option<MarketEvent> {
        self.shared.take_dirty()
    }

    /// The latest view of a symbol's local book.
    pub fn book(&self, symbol: &Symbol) -> Option<BookView> {
        self.shared.book(symbol)
    }

    pub fn ticker(&self, symbol: &Symbol) -> Option<BookTicker> {
        self.shared.ticker(symbol)
    }

    /// Connection health, latency and counters now.
    pub fn status(&self) -> FeedStatus {
        self.shared.status()
    }

    /// Whether the feed task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for MarketFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::book::BookTop;

    fn book(symbol: &str, seq: u64) -> MarketEvent {
        MarketEvent::Book(BookView {
            symbol: symbol.parse().unwrap(),
            top: Some(BookTop {
                seq,
                ..BookTop::default()
            }),
            health: None,
            counters: Default::default(),
            snapshot_failures: 0,
        })
    }

    fn health(latency: i64) -> MarketEvent {
        MarketEvent::Health(FeedStatus {
            latency_ms: Some(latency),
            ..FeedStatus::default()
        })
    }

    #[tokio::test]
    async fn recv_alternates_between_queue_and_slots_and_ends_when_both_are_empty() {
        let (tx, rx) = mpsc::channel(8);
        let shared = Arc::new(Shared::default());
        let mut feed = MarketFeed::new(rx, shared.clone(), tokio::spawn(async {}));
        for seq in 1..=3 {
            let MarketEvent::Book(view) = book("BTCUSDT", seq) else {
                unreachable!()
            };
            shared.publish_book(view);
        }
        let MarketEvent::Book(eth) = book("ETHUSDT", 7) else {
            unreachable!()
        };
        shared.publish_book(eth);
        for n in 0..3 {
            tx.send(health(n)).await.unwrap();
        }
        drop(tx);
        let mut got = Vec::new();
        while let Some(event) = feed.recv().await {
            got.push(event);
        }
        let want = [
            health(0),
            book("BTCUSDT", 3),
            health(1),
            book("ETHUSDT", 7),
            health(2),
        ];
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn recv_wakes_for_a_slot_written_while_it_waits() {
        let (_tx, rx) = mpsc::channel::<MarketEvent>(8);
        let shared = Arc::new(Shared::default());
        let mut feed = MarketFeed::new(rx, shared.clone(), tokio::spawn(async {}));
        let writer = tokio::spawn(async move {
            tokio::task::yield_now().await;
            let MarketEvent::Book(view) = book("BTCUSDT", 9) else {
                unreachable!()
            };
            shared.publish_book(view);
        });
        assert_eq!(feed.recv().await, Some(book("BTCUSDT", 9)));
        writer.await.unwrap();
    }
}
