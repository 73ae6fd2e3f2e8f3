//! `tickdesk data fetch` as a user runs it: the real binary against the fake Binance over loopback,
//! with the endpoint overridden by environment variable. Covers the output, the exit codes, and
//! Ctrl-C (SIGINT) keeping what was fetched. Time here is real: the fake's faults are short.

use crate::common::Sandbox;
use crate::fake_binance::{FakeBinance, Fault};
use std::{process::Stdio, time::Duration};
use tickdesk::clock::TokioClock;
use tickdesk::import::{ImportOptions, import_bytes};
use tickdesk::market::{Candle, Interval, SeriesKey};
use tickdesk::store::Store;

fn btc_1h_tail(n: usize) -> Vec<Candle> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let s = &tickdesk::samples::SAMPLES[0];
    let r = import_bytes(&store, s.file.as_ref(), s.bytes, &ImportOptions::default()).unwrap();
    let all = store.load(&r.key).unwrap();
    all[all.len() - n..].to_vec()
}

fn stored(sandbox: &Sandbox) -> Vec<Candle> {
    let store = Store::open(&sandbox.data_dir()).unwrap();
    store
        .load(&SeriesKey::binance(
            "BTCUSDT".parse().unwrap(),
            Interval::H1,
        ))
        .unwrap()
}

async fn fake_with(candles: &[Candle]) -> FakeBinance {
    let fake = FakeBinance::start(TokioClock::system()).await;
    fake.hold("BTCUSDT", Interval::H1, candles.to_vec());
    fake
}

fn fetch_cmd(sandbox: &Sandbox, fake: &FakeBinance) -> tokio::process::Command {
    let mut c: tokio::process::Command = sandbox.cmd().into();
    c.env("TICKDESK_BINANCE__REST_URL", fake.url())
        .env("TICKDESK_FETCH__BACKOFF_BASE_MS", "20")
        .env("TICKDESK_FETCH__CONCURRENCY", "1")
        .arg("--data-dir")
        .arg(sandbox.data_dir())
        .args([
            "data",
            "fetch",
            "BTCUSDT",
            "1h",
            "--from",
            "2024-01-01",
            "--to",
            "2024-05-01",
        ]);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_stores_exactly_what_the_fake_holds_and_says_so() {
    let candles = btc_1h_tail(2_500);
    let fake = fake_with(&candles).await;
    fake.script([Fault::ServerError]);
    let sandbox = Sandbox::new();
    let out = fetch_cmd(&sandbox, &fake).output().await.unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let in_window: Vec<Candle> = candles
        .into_iter()
        .filter(|c| c.open_time >= 1_704_067_200_000 && c.open_time < 1_714_521_600_000)
        .collect();
    assert_eq!(stored(&sandbox), in_window);
    assert!(
        stdout.contains(&format!("+{} candles", in_window.len())),
        "{stdout}"
    );
    assert!(
        stderr.contains("fetching up to") && stderr.contains("HTTP 502"),
        "plain progress and the retry: {stderr}"
    );

    let again = fetch_cmd(&sandbox, &fake).output().await.unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("already up to date"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_keeps_what_was_fetched_and_exits_130() {
    let candles = btc_1h_tail(2_900);
    let fake = fake_with(&candles).await;
    fake.script(std::iter::repeat_n(
        Fault::Slow(Duration::from_millis(150)),
        100,
    ));
    let sandbox = Sandbox::new();
    let child = fetch_cmd(&sandbox, &fake)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while fake.requests().len() < 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("interrupted; kept +") && stdout.contains("run the same command to resume"),
        "{stdout}"
    );
    let kept = stored(&sandbox);
    assert!(!kept.is_empty(), "pages finished before Ctrl-C are kept");
    let first = candles
        .iter()
        .position(|c| c.open_time == kept[0].open_time)
        .unwrap();
    assert_eq!(kept, candles[first..first + kept.len()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_stops_with_a_clear_message_and_exit_1() {
    let fake = fake_with(&btc_1h_tail(2_500)).await;
    fake.after(
        1,
        Fault::Banned {
            retry_after_secs: 600,
        },
    );
    let sandbox = Sandbox::new();
    let out = fetch_cmd(&sandbox, &fake).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("banned this IP (HTTP 418) for 600s")
            && stdout.contains("max_weight_per_minute"),
        "{stdout}"
    );
}
