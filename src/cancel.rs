//! Cooperative cancellation across tasks: Ctrl-C stopping a download today, a cancelled backtest
//! from the UI later. Work checks `is_cancelled` between steps or awaits `cancelled`; nothing is
//! aborted mid-commit, so what was done before the request is kept. Long work also reports how
//! far it got (`report`), so whoever may cancel it can show a progress bar.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU64, Ordering},
};
use tokio::sync::Notify;

/// A shared "please stop" flag that can also be awaited.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    notify: Arc<Notify>,
    /// Work done so far, in parts per million of the whole.
    progress: Arc<AtomicU64>,
}

impl Cancel {
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Records that `done` of `total` steps are done.
    pub fn report(&self, done: usize, total: usize) {
        let ppm = (done as u128 * 1_000_000 / total.max(1) as u128).min(1_000_000);
        self.progress.store(ppm as u64, Ordering::Relaxed);
    }

    /// The fraction done so far (0 to 1), as last reported.
    pub fn progress(&self) -> f64 {
        self.progress.load(Ordering::Relaxed) as f64 / 1e6
    }

    pub async fn cancelled(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
