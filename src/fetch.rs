//! `data fetch`: download the klines the store lacks.
//!
//! For each series, the wanted window (closed candles only: the bar still forming is never stored)
//! minus the store's coverage gives the missing ranges; a probe finds where the listing begins so
//! years before it cost one request, not thousands. Missing ranges are cut into 1000-bar pages,
//! fetched `concurrency` at a time in a pipeline that hands results back in order, validated, and
//! committed in batches, so an interrupt or a failure keeps everything before it and the next run
//! resumes where this one stopped. Every series of one run shares the weight limiter and the
//! request slots. Exchange gaps (outages) become coverage without candles and are not re-fetched
//! unless asked.

mod plan;
mod report;

pub use crate::cancel::Cancel;
pub use report::{JobReport, Outcome};

use crate::binance::{Backoff, KLINES_PER_REQUEST, MarketClient, RestError, RetryPolicy};
use crate::clock::Clock;
use crate::market::{Candle, SeriesKey, time::Utc};
use crate::progress::Progress;
use crate::store::{GapKind, Range, SeriesWriter, Store, StoreError};
use plan::Page;
use std::{collections::VecDeque, sync::Arc};
use tokio::{sync::Semaphore, task::JoinHandle};

/// One series to bring up to date: bars opening in `[from, to)` (`to` defaults to now).
#[derive(Debug, Clone)]
pub struct FetchRequest {
    pub key: SeriesKey,
    pub from: i64,
    pub to: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub concurrency: usize,
    pub commit_every: usize,
    pub retry: RetryPolicy,
    /// Ask again for bars the exchange had none of last time.
    pub refetch_gaps: bool,
}

/// Commit at least this often (ms), so an interrupt loses little even on slow links.
const COMMIT_INTERVAL_MS: i64 = 2_000;
/// Consecutive 429 answers tolerated for one request before giving up.
const MAX_RATE_LIMITED: u32 = 20;

#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error(transparent)]
    Rest(#[from] RestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct Fetcher {
    client: Arc<MarketClient>,
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    progress: Arc<dyn Progress>,
    opts: FetchOptions,
    cancel: Cancel,
    slots: Arc<Semaphore>,
}

impl Fetcher {
    pub fn new(
        client: Arc<MarketClient>,
        store: Arc<Store>,
        clock: Arc<dyn Clock>,
        progress: Arc<dyn Progress>,
        opts: FetchOptions,
        cancel: Cancel,
    ) -> Self {
        let slots = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        Self {
            client,
            store,
            clock,
            progress,
            opts,
            cancel,
            slots,
        }
    }

    /// Runs every request concurrently and reports on each, in the order given.
    pub async fn run(&self, requests: Vec<FetchRequest>) -> Vec<JobReport> {
        let handles: Vec<_> = requests
            .into_iter()
            .map(|r| {
                let me = self.clone();
                let key = r.key.clone();
                (key, tokio::spawn(async move { me.job(r).await }))
            })
            .collect();
        let mut reports = Vec::new();
        for (key, handle) in handles {
            reports.push(handle.await.unwrap_or_else(|e| JobReport {
                outcome: Outcome::Failed(format!("internal error: {e}")),
                ..JobReport::empty(key)
            }));
        }
        reports
    }

    async fn job(&self, req: FetchRequest) -> JobReport {
        let mut report = JobReport::empty(req.key.clone());
        report.outcome = match self.job_inner(&req, &mut report).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(e.to_string()),
        };
        let summary = report.summary();
        tracing::info!(series = %req.key, added = report.added, "fetch: {summary}");
        self.progress.end(&req.key, &summary);
        report
    }

    async fn job_inner(
        &self,
        req: &FetchRequest,
        report: &mut JobReport,
    ) -> Result<Outcome, JobError> {
        let interval = req.key.interval;
        let window = plan::window(interval, req.from, req.to, self.clock.now_ms());
        report.window = window;
        let mut writer = self.store.writer(&req.key)?;
        let refetch = if self.opts.refetch_gaps {
            Some(self.exchange_gaps(&req.key)?)
        } else {
            None
        };
        let mut missing = plan::missing(writer.coverage(), window, refetch.as_deref());
        let Some(&earliest) = missing.first() else {
            return Ok(Outcome::UpToDate);
        };
        if writer.first().is_none_or(|first| earliest.start < first) {
            match self.first_open(&req.key, earliest.start).await? {
                Some(listed) if listed > earliest.start => {
                    writer.mark_covered(Range::new(earliest.start, listed.min(earliest.end)))?;
                }
                None => writer.mark_covered(Range::new(earliest.start, window.end))?,
                Some(_) => {}
            }
            missing = plan::missing(writer.coverage(), window, refetch.as_deref());
        }
        let pages = plan::pages(&missing, interval, KLINES_PER_REQUEST);
        report.requested_bars = missing
            .iter()
            .map(|r| interval.count_opens(r.start, r.end))
            .sum();
        if pages.is_empty() {
            return Ok(Outcome::UpToDate);
        }
        self.progress
            .begin(&req.key, u64::try_from(report.requested_bars).unwrap_or(0));
        self.pipeline(req, pages, &mut writer, report).await
    }

    /// The open time of the first bar at or after `start`, if the exchange has any: one request
    /// tells where a listing begins (or that nothing exists), instead of paging through years.
    async fn first_open(&self, key: &SeriesKey, start: i64) -> Result<Option<i64>, RestError> {
        let first = self
            .with_retries(key, || {
                self.client
                    .klines(&key.symbol, key.interval, start, None, 1)
            })
            .await?;
        Ok(first.first().map(|k| k.candle.open_time))
    }

    /// Fetches pages `concurrency` at a time, consuming results in page order.
    async fn pipeline(
        &self,
        req: &FetchRequest,
        pages: Vec<Page>,
        writer: &mut SeriesWriter,
        report: &mut JobReport,
    ) -> Result<Outcome, JobError> {
        let mut pending = pages.into_iter();
        let mut inflight: VecDeque<(Page, PageTask)> = VecDeque::new();
        let mut batch = Batch::default();
        let mut last_commit = self.clock.now_ms();
        let outcome = loop {
            while inflight.len() < self.opts.concurrency && !self.cancel.is_cancelled() {
                let Some(page) = pending.next() else { break };
                inflight.push_back((page, self.spawn_page(req.key.clone(), page)));
            }
            let Some((page, mut handle)) = inflight.pop_front() else {
                break Ok(if self.cancel.is_cancelled() {
                    Outcome::Interrupted
                } else {
                    Outcome::Complete
                });
            };
            let result = tokio::select! {
                r = &mut handle => r,
                () = self.cancel.cancelled() => {
                    handle.abort();
                    break Ok(Outcome::Interrupted);
                }
            };
            let candles = match result {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => break Err(JobError::from(e)),
                Err(e) => {
                    break Err(JobError::Rest(RestError::Connection(format!(
                        "download task failed: {e}"
                    ))));
                }
            };
            if batch.run != Some(page.run) {
                self.commit(writer, &mut batch, report)?;
            }
            let bars = req.key.interval.count_opens(page.start, page.end);
            report.exchange_gap_bars += bars - candles.len() as i64;
            batch.add(page, candles);
            self.progress
                .advance(&req.key, u64::try_from(bars).unwrap_or(0));
            let now = self.clock.now_ms();
            if batch.candles.len() >= self.opts.commit_every
                || now - last_commit >= COMMIT_INTERVAL_MS
            {
                self.commit(writer, &mut batch, report)?;
                last_commit = now;
            }
        };
        for (_, handle) in inflight {
            handle.abort();
        }
        self.commit(writer, &mut batch, report)?;
        outcome
    }

    fn commit(
        &self,
        writer: &mut SeriesWriter,
        batch: &mut Batch,
        report: &mut JobReport,
    ) -> Result<(), StoreError> {
        let Some(covered) = batch.covered else {
            return Ok(());
        };
        let r = writer.insert(&batch.candles, covered)?;
        report.added += r.added;
        report.changed += r.changed;
        if let (Some(first), Some(last)) = (batch.candles.first(), batch.candles.last()) {
            report.first_new = Some(
                report
                    .first_new
                    .map_or(first.open_time, |t| t.min(first.open_time)),
            );
            report.last_new = Some(
                report
                    .last_new
                    .map_or(last.open_time, |t| t.max(last.open_time)),
            );
        }
        *batch = Batch::default();
        Ok(())
    }

    fn spawn_page(&self, key: SeriesKey, page: Page) -> PageTask {
        let me = self.clone();
        tokio::spawn(async move {
            let _slot = me.slots.clone().acquire_owned().await;
            let klines = me
                .with_retries(&key, || async {
                    let ks = me
                        .client
                        .klines(
                            &key.symbol,
                            key.interval,
                            page.start,
                            Some(page.end - 1),
                            KLINES_PER_REQUEST,
                        )
                        .await?;
                    validate(ks, &key, page)
                })
                .await?;
            Ok(klines)
        })
    }

    /// Runs `call` until it succeeds, a permanent error occurs, or retries run out.
    async fn with_retries<T, F, Fut>(&self, key: &SeriesKey, mut call: F) -> Result<T, RestError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, RestError>>,
    {
        let seed = self.clock.now_ms().unsigned_abs() ^ (key.symbol.as_str().len() as u64) << 40;
        let mut backoff = Backoff::new(self.opts.retry, seed);
        let (mut attempt, mut limited) = (0, 0);
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(RestError::RateLimited { retry_after }) if limited < MAX_RATE_LIMITED => {
                    limited += 1;
                    let msg = format!(
                        "rate limited by Binance (HTTP 429): pausing {}s",
                        retry_after.as_secs()
                    );
                    tracing::info!(series = %key, "{msg}");
                    self.progress.note(key, &msg);
                }
                Err(e) if e.is_transient() && attempt < self.opts.retry.max_retries => {
                    let wait = backoff.delay(attempt);
                    attempt += 1;
                    let msg = format!(
                        "{e}; retry {attempt}/{} in {:.1}s",
                        self.opts.retry.max_retries,
                        wait.as_secs_f64()
                    );
                    tracing::info!(series = %key, "{msg}");

                    self.progress.note(key, &msg);
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn exchange_gaps(&self, key: &SeriesKey) -> Result<Vec<Range>, StoreError> {
        let s = self.store.summary(key)?;
        Ok(s.gaps
            .iter()
            .filter(|g| g.kind == GapKind::Exchange)
            .map(|g| Range::new(g.start, g.end))
            .collect())
    }
}

/// A page being downloaded: its validated candles, or why it could not be had.
type PageTask = JoinHandle<Result<Vec<Candle>, RestError>>;

/// Pages received but not yet committed; always from one missing range, so a commit never
/// straddles stored candles.
#[derive(Default)]
struct Batch {
    run: Option<usize>,
    covered: Option<Range>,
    candles: Vec<Candle>,
}

impl Batch {
    fn add(&mut self, page: Page, candles: Vec<Candle>) {
        self.run = Some(page.run);
        self.covered = Some(self.covered.map_or(Range::new(page.start, page.end), |c| {
            Range::new(c.start, page.end)
        }));
        self.candles.extend(candles);
    }
}

/// Checks an answer against the page asked for; anything off is a malformed answer (retried).
fn validate(
    klines: Vec<crate::binance::Kline>,
    key: &SeriesKey,
    page: Page,
) -> Result<Vec<Candle>, RestError> {
    let interval = key.interval;
    let mut out = Vec::with_capacity(klines.len());
    for k in klines {
        let t = k.candle.open_time;
        let bad = |why: String| {
            Err(RestError::Malformed(format!(
                "{key} kline at {}: {why}",
                Utc(t)
            )))
        };
        if !(page.start..page.end).contains(&t) {
            return bad(format!(
                "outside the requested {} → {}",
                Utc(page.start),
                Utc(page.end)
            ));
        }
        if !interval.is_aligned(t) || k.close_time != interval.next(t) - 1 {
            return bad(format!(
                "not a {interval} bar (close time {})",
                k.close_time
            ));
        }
        if out.last().is_some_and(|p: &Candle| p.open_time >= t) {
            return bad("out of order or repeated".into());
        }
        if let Err(fault) = k.candle.check() {
            return bad(fault.to_string());
        }
        out.push(k.candle);
    }
    Ok(out)
}
