//! `data fetch` against the fake Binance, in-process on tokio's paused clock: the store ends with
//! exactly the candles the fake holds, and every scripted fault is handled as documented.

use crate::common::shipped_1h;
use crate::fake_binance::{FakeBinance, Fault};
use std::{sync::Arc, time::Duration};
use tickdesk::binance::{MarketClient, RetryPolicy, WeightLimiter};
use tickdesk::clock::TokioClock;
use tickdesk::fetch::{Cancel, FetchOptions, FetchRequest, Fetcher, JobReport, Outcome};
use tickdesk::market::{Candle, Interval, SeriesKey, time::HOUR_MS};
use tickdesk::progress::Silent;
use tickdesk::store::{GapKind, Store};
use tokio::time::Instant;

fn key(symbol: &str) -> SeriesKey {
    SeriesKey::binance(symbol.parse().unwrap(), Interval::H1)
}

struct Rig {
    fake: FakeBinance,
    store: Arc<Store>,
    clock: TokioClock,
    _dir: tempfile::TempDir,
}

/// A fake and an empty store; "now" is 25 minutes into the hour after `last_open`.
async fn rig(last_open: i64) -> Rig {
    let clock = TokioClock::starting_at(last_open + HOUR_MS + 25 * 60_000);
    let fake = FakeBinance::start(clock).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    Rig {
        fake,
        store,
        clock,
        _dir: dir,
    }
}

fn options() -> FetchOptions {
    FetchOptions {
        concurrency: 4,
        commit_every: 50_000,
        retry: RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
        },
        refetch_gaps: false,
    }
}

impl Rig {
    fn fetcher(&self, opts: FetchOptions, weight: u32, cancel: Cancel) -> Fetcher {
        let limiter = Arc::new(WeightLimiter::new(weight, Arc::new(self.clock)));
        let client = MarketClient::new(&self.fake.url(), limiter, Duration::from_secs(10)).unwrap();
        Fetcher::new(
            Arc::new(client),
            self.store.clone(),
            Arc::new(self.clock),
            Arc::new(Silent),
            opts,
            cancel,
        )
    }

    async fn fetch(&self, symbols: &[&str], from: &str) -> Vec<JobReport> {
        self.fetch_with(symbols, from, options(), 3000).await
    }

    async fn fetch_with(
        &self,
        symbols: &[&str],
        from: &str,
        opts: FetchOptions,
        weight: u32,
    ) -> Vec<JobReport> {
        let from = tickdesk::market::time::parse_datetime(from).unwrap();
        let requests = symbols
            .iter()
            .map(|s| FetchRequest {
                key: key(s),
                from,
                to: None,
            })
            .collect();
        self.fetcher(opts, weight, Cancel::default())
            .run(requests)
            .await
    }

    fn stored(&self, symbol: &str) -> Vec<Candle> {
        self.store.load(&key(symbol)).unwrap()
    }
}

fn tail(symbol: &str, n: usize) -> Vec<Candle> {
    let all = shipped_1h(symbol);
    all[all.len() - n..].to_vec()
}

#[tokio::test(start_paused = true)]
async fn ends_with_exactly_the_candles_the_fake_holds() {
    let btc = shipped_1h("BTCUSDT");
    let last = btc.last().unwrap().open_time;
    let rig = rig(last).await;
    rig.fake.hold("BTCUSDT", Interval::H1, btc.to_vec());
    rig.fake.forming(
        "BTCUSDT",
        Interval::H1,
        Candle {
            open_time: last + HOUR_MS,
            ..btc[btc.len() - 1]
        },
    );

    let reports = rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    let r = &reports[0];
    assert_eq!(r.outcome, Outcome::Complete, "{}", r.summary());
    assert_eq!(
        rig.stored("BTCUSDT"),
        btc,
        "the forming candle is not stored, every closed one is"
    );
    assert_eq!((r.added, r.exchange_gap_bars), (btc.len(), 128));

    // One probe finds the listing (no paging through 2017-01..08), then 1000-bar pages.
    let bars = Interval::H1.count_opens(btc[0].open_time, last + HOUR_MS);
    let requests = rig.fake.requests();
    assert_eq!(requests.len() as i64, 1 + (bars + 999) / 1000);
    assert!(
        requests
            .iter()
            .skip(1)
            .all(|q| q.limit == 1000 && q.end.is_some())
    );

    let s = rig.store.summary(&key("BTCUSDT")).unwrap();
    assert_eq!(
        (
            s.missing_of(GapKind::Exchange),
            s.missing_of(GapKind::Unfetched),
            s.gaps.len()
        ),
        (128, 0, 28)
    );

    let again = rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    assert_eq!(again[0].outcome, Outcome::UpToDate);
    assert_eq!(
        rig.fake.requests().len(),
        requests.len(),
        "nothing is asked twice, gaps included"
    );
}

#[tokio::test(start_paused = true)]
async fn the_forming_candle_is_stored_once_it_has_closed() {
    let candles = tail("BTCUSDT", 1500);
    let (closed, forming) = (candles[..1499].to_vec(), candles[1499]);
    let rig = rig(closed.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, closed.clone());
    rig.fake.forming(
        "BTCUSDT",
        Interval::H1,
        Candle {
            close: forming.open,
            ..forming
        },
    );
    rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    assert_eq!(rig.stored("BTCUSDT"), closed);

    tokio::time::advance(Duration::from_secs(3600)).await;
    rig.fake.hold("BTCUSDT", Interval::H1, candles.clone());
    let next = Candle {
        open_time: forming.open_time + HOUR_MS,
        ..forming
    };
    rig.fake.forming("BTCUSDT", Interval::H1, next);
    let r = rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    assert_eq!(r[0].added, 1);
    assert_eq!(
        rig.stored("BTCUSDT"),
        candles,
        "the final values, not the forming ones"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_for_retry_after_and_goes_on() {
    let candles = tail("BTCUSDT", 5000);
    let rig = rig(candles.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, candles.clone());
    rig.fake.script([Fault::RateLimited {
        retry_after_secs: 7,
    }]);
    let t0 = Instant::now();
    let r = rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    assert_eq!(r[0].outcome, Outcome::Complete);
    assert!(
        t0.elapsed() >= Duration::from_secs(7),
        "waited {:?}",
        t0.elapsed()
    );
    assert_eq!(rig.stored("BTCUSDT"), candles);
}

#[tokio::test(start_paused = true)]
async fn a_418_stops_every_download_and_keeps_what_was_fetched() {
    let (btc, eth) = (tail("BTCUSDT", 20_000), shipped_1h("ETHUSDT").to_vec());
    let rig = rig(btc.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, btc.clone());
    rig.fake.hold("ETHUSDT", Interval::H1, eth.clone());
    rig.fake.after(
        5,
        Fault::Banned {
            retry_after_secs: 300,
        },
    );
    let r = rig
        .fetch_with(
            &["BTCUSDT", "ETHUSDT"],
            "2017-01-01",
            FetchOptions {
                concurrency: 1,
                ..options()
            },
            3000,
        )
        .await;
    for job in &r {
        let Outcome::Failed(msg) = &job.outcome else {
            panic!("{}", job.summary())
        };
        assert!(
            msg.contains("banned this IP (HTTP 418)") && msg.contains("300s"),
            "{msg}"
        );
    }
    let log = rig.fake.requests();
    let ban_at = log.iter().position(|q| q.fault.is_some()).unwrap();
    assert_eq!(ban_at + 1, log.len(), "nothing is sent after the ban");
    for (symbol, all) in [("BTCUSDT", &btc), ("ETHUSDT", &eth)] {
        let kept = rig.stored(symbol);
        assert_eq!(kept, all[..kept.len()], "{symbol}: a clean prefix is kept");
        assert!(rig.store.verify(&key(symbol)).unwrap().is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn server_errors_resets_malformed_and_slow_answers_are_retried() {
    let candles = tail("ETHUSDT", 8000);
    let rig = rig(candles.last().unwrap().open_time).await;
    rig.fake.hold("ETHUSDT", Interval::H1, candles.clone());
    let faults = [
        Fault::ServerError,
        Fault::Drop,
        Fault::Malformed,
        Fault::Slow(Duration::from_secs(60)),
    ];
    rig.fake.script(faults.clone());
    let t0 = Instant::now();
    let r = rig
        .fetch_with(
            &["ETHUSDT"],
            "2017-01-01",
            FetchOptions {
                concurrency: 1,
                ..options()
            },
            3000,
        )
        .await;
    assert_eq!(r[0].outcome, Outcome::Complete, "{}", r[0].summary());
    assert_eq!(rig.stored("ETHUSDT"), candles);
    let seen: Vec<Fault> = rig
        .fake
        .requests()
        .into_iter()
        .filter_map(|q| q.fault)
        .collect();
    assert_eq!(seen, faults);
    assert!(
        t0.elapsed() >= Duration::from_secs(10),
        "the slow answer timed out after 10 s: {:?}",
        t0.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_bad_candle_stops_the_download_without_losing_earlier_pages() {
    let mut candles = tail("BTCUSDT", 4000);
    candles[2500].low = candles[2500].high * 2.0;
    let rig = rig(candles.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, candles.clone());
    let opts = FetchOptions {
        concurrency: 1,
        retry: RetryPolicy {
            max_retries: 2,
            ..options().retry
        },
        ..options()
    };
    let r = rig.fetch_with(&["BTCUSDT"], "2017-01-01", opts, 3000).await;
    let Outcome::Failed(msg) = &r[0].outcome else {
        panic!("{}", r[0].summary())
    };
    assert!(
        msg.contains("malformed answer") && msg.contains("low is above high"),
        "{msg}"
    );
    assert_eq!(
        rig.stored("BTCUSDT"),
        candles[..2000],
        "the two good pages before it are kept"
    );
}

#[tokio::test(start_paused = true)]
async fn the_weight_budget_is_never_exceeded() {
    let candles = tail("BTCUSDT", 20_000);
    let rig = rig(candles.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, candles.clone());
    rig.fake.weight_limit(20);
    let t0 = Instant::now();
    let r = rig
        .fetch_with(&["BTCUSDT"], "2017-01-01", options(), 20)
        .await;
    assert_eq!(r[0].outcome, Outcome::Complete);
    assert_eq!(rig.stored("BTCUSDT"), candles);
    assert_eq!(
        rig.fake.over_limit_429s(),
        0,
        "paced itself; never tripped the server's limit"
    );
    assert!(rig.fake.peak_used() <= 20);
    assert!(
        t0.elapsed() >= Duration::from_secs(120),
        "21 requests of weight 2 need three windows"
    );
}

#[tokio::test(start_paused = true)]
async fn several_series_share_one_budget() {
    let (btc, eth) = (tail("BTCUSDT", 12_000), tail("ETHUSDT", 12_000));
    let rig = rig(btc
        .last()
        .unwrap()
        .open_time
        .max(eth.last().unwrap().open_time))
    .await;
    rig.fake.hold("BTCUSDT", Interval::H1, btc.clone());
    rig.fake.hold("ETHUSDT", Interval::H1, eth.clone());
    rig.fake.weight_limit(30);
    let r = rig
        .fetch_with(&["BTCUSDT", "ETHUSDT"], "2017-01-01", options(), 30)
        .await;
    assert!(r.iter().all(|j| j.outcome == Outcome::Complete));
    assert_eq!((rig.stored("BTCUSDT"), rig.stored("ETHUSDT")), (btc, eth));
    assert_eq!(rig.fake.over_limit_429s(), 0);
    assert!(rig.fake.peak_used() <= 30);
    let log = rig.fake.requests();
    let interleaved = log
        .windows(2)
        .filter(|w| w[0].symbol != w[1].symbol)
        .count();
    assert!(
        interleaved > 2,
        "both downloads ran at once, through one budget"
    );
}

#[tokio::test(start_paused = true)]
async fn an_interrupt_keeps_what_was_fetched_and_the_next_run_resumes() {
    let candles = tail("BTCUSDT", 30_000);
    let rig = rig(candles.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, candles.clone());
    rig.fake.script(std::iter::repeat_n(
        Fault::Slow(Duration::from_millis(300)),
        40,
    ));
    let cancel = Cancel::default();
    let (stop, fake) = (cancel.clone(), rig.fake.clone());
    tokio::spawn(async move {
        while fake.requests().len() < 10 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.cancel();
    });
    let from = tickdesk::market::time::parse_datetime("2017-01-01").unwrap();
    let request = FetchRequest {
        key: key("BTCUSDT"),
        from,
        to: None,
    };
    let r = rig
        .fetcher(options(), 3000, cancel)
        .run(vec![request])
        .await;
    assert_eq!(r[0].outcome, Outcome::Interrupted);
    let kept = rig.stored("BTCUSDT");
    assert!(
        !kept.is_empty() && kept.len() < candles.len(),
        "kept {}",
        kept.len()
    );
    assert_eq!(kept, candles[..kept.len()]);

    let before = rig.fake.requests().len();
    let r = rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    assert_eq!(r[0].outcome, Outcome::Complete);
    assert_eq!(rig.stored("BTCUSDT"), candles);
    let resumed_at = rig.fake.requests()[before].start.unwrap();
    assert_eq!(
        resumed_at,
        kept.last().unwrap().open_time + HOUR_MS,
        "resumes after the last kept candle"
    );
}

#[tokio::test(start_paused = true)]
async fn an_unknown_symbol_is_refused_once_with_binances_reason() {
    let rig = rig(1_700_000_000_000).await;
    let r = rig.fetch(&["NOPEUSDT"], "2023-01-01").await;

    let Outcome::Failed(msg) = &r[0].outcome else {
        panic!("{}", r[0].summary())
    };
    assert!(
        msg.contains("code -1121") && msg.contains("Invalid symbol."),
        "{msg}"
    );
    assert_eq!(
        rig.fake.requests().len(),
        1,
        "a permanent error is not retried"
    );
}

#[tokio::test(start_paused = true)]
async fn exchange_gaps_are_refetched_only_when_asked() {
    let btc = shipped_1h("BTCUSDT");
    let rig = rig(btc.last().unwrap().open_time).await;
    rig.fake.hold("BTCUSDT", Interval::H1, btc.to_vec());
    rig.fetch(&["BTCUSDT"], "2017-01-01").await;
    let before = rig.fake.requests().len();
    let opts = FetchOptions {
        refetch_gaps: true,
        ..options()
    };
    let r = rig.fetch_with(&["BTCUSDT"], "2017-01-01", opts, 3000).await;
    assert_eq!(
        (r[0].outcome.clone(), r[0].added, r[0].exchange_gap_bars),
        (Outcome::Complete, 0, 128)
    );
    assert_eq!(
        rig.fake.requests().len() - before,
        28,
        "one request per recorded gap"
    );
}
