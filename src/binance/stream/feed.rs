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
