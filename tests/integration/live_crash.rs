//! Crash recovery of a live engine, with the real binary against the fake Binance: the engine is
//! killed at scripted points (`TICKDESK_FAILPOINT` aborts the process as `kill -9` would: no
//! unwinding, no flush; or a real SIGKILL while the exchange holds an order request), then
//! started again. Each time: no fill is lost, no order reaches the exchange twice, and the
//! journal's position equals what the exchange holds.

use crate::common::Sandbox;
use crate::fake_binance::{DOC_API_KEY, DOC_SECRET, FakeBinance, Fault};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tickdesk::journal::Journal;
use tickdesk::replica::Mode;

const DEADLINE: Duration = Duration::from_secs(60);

fn config(fake: &FakeBinance) -> String {
    format!(
        r#"
[binance]
rest_url = "{rest}"
trade_url = "{rest}"
ws_url = "{ws}"
ws_api_url = "{ws}/ws-api/v3"
[paper]
symbols = ["BTCUSDT"]
interval = "1m"
strategies = []
warmup_bars = 0
[trading]
mode = "live"
on_mismatch = "halt"
"#,
        rest = fake.url(),
        ws = fake.ws_url(),
    )
}

pub struct Rig {
    /// Runs the fake exchange's tasks while the test drives the engine from this thread.
    _rt: tokio::runtime::Runtime,
    pub fake: FakeBinance,
    pub sb: Sandbox,
    pub config: std::path::PathBuf,
}

pub fn rig() -> Rig {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fake = rt.block_on(FakeBinance::start_with(Arc::new(
        tickdesk::clock::SystemClock,
    )));
    crate::live::stock(&fake, &[("64010", "5"), ("64020", "5")]);
    let sb = Sandbox::new();
    let config = sb.path().join("live.toml");
    std::fs::write(&config, config_text(&fake)).unwrap();
    Rig {
        _rt: rt,
        fake,
        sb,
        config,
    }
}

fn config_text(fake: &FakeBinance) -> String {
    config(fake)
}

impl Rig {
    /// `run --headless --live`, with `failpoint` armed if given; waits for its socket.
    pub fn start(&self, failpoint: Option<&str>) -> Child {
        let mut c = self.sb.cmd();
        c.arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(self.sb.data_dir())
            .args(["run", "--headless", "--live"])
            .env("TICKDESK_API_KEY", DOC_API_KEY)
            .env("TICKDESK_API_SECRET", DOC_SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.sb.path().join("engine.err")).unwrap());
        if let Some(f) = failpoint {
            c.env("TICKDESK_FAILPOINT", f);
        }
        let mut child = c.spawn().unwrap();
        let socket = self.sb.data_dir().join("tickdesk.sock");
        let deadline = Instant::now() + DEADLINE;
        while UnixStream::connect(&socket).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "the engine exited ({status}) before serving:\n{}",
                    self.err()
                );
            }
            assert!(Instant::now() < deadline, "no socket");
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    }

    /// A tmux session `name` running tickdesk on this rig's config and data dir with `args`, in a
    /// clean environment plus `env` (`KEY=value …`); it prints `EXITED <code>` when it ends.
    pub fn in_terminal(&self, name: &str, env: &str, args: &str) -> crate::workstation::Tmux {
        let script = format!(
            "cd {d} && env -i PATH=/usr/bin:/bin HOME={d} LANG=C.UTF-8 TERM=xterm-256color {env} \
             {bin} --config {c} --data-dir {data} {args}; echo EXITED $?; sleep 60",
            d = self.sb.path().display(),
            bin = env!("CARGO_BIN_EXE_tickdesk"),
            c = self.config.display(),
            data = self.sb.data_dir().display(),
        );
        crate::workstation::in_tmux(&format!("{name}-{}", std::process::id()), &script)
    }

    fn err(&self) -> String {
        std::fs::read_to_string(self.sb.path().join("engine.err")).unwrap_or_default()
    }

    /// A person's market buy, as an attached workstation sends it.
    fn buy(&self, qty: &str) {
        let s = UnixStream::connect(self.sb.data_dir().join("tickdesk.sock")).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut lines = BufReader::new(s.try_clone().unwrap());
        let mut hello = String::new();
        lines.read_line(&mut hello).unwrap();
        let cmd = format!(
            r#"{{"type":"command","command":{{"do":"place","market":0,"side":"BUY","type":"MARKET","qty":{{"base":"{qty}"}}}}}}"#
        );
        (&s).write_all(format!("{cmd}\n").as_bytes()).unwrap();
    }

    fn wait_exit(&self, child: &mut Child) -> std::process::ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running:\n{}", self.err());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&self, mut child: Child) {
        let pid = child.id().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        let status = self.wait_exit(&mut child);
        assert!(status.success(), "{status}:\n{}", self.err());
    }

    /// Polls until `ok` holds (or fails with `what` after the deadline).
    pub fn eventually(&self, what: &str, ok: impl Fn() -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while !ok() {
            assert!(Instant::now() < deadline, "{what}:\n{}", self.err());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn journal(&self) -> (Journal, i64) {
        let j = Journal::open(&self.sb.data_dir()).unwrap();
        let s = j.last_session_of(Mode::Live.label()).unwrap().unwrap();
        (j, s)
    }

    /// The journal's BTC from fills, as the exchange should hold it.
    fn journaled_btc(&self) -> rust_decimal::Decimal {
        let (j, s) = self.journal();
        j.positions_from_fills(s)
            .unwrap()
            .get("BTCUSDT")
            .map(|p| p.qty)
            .unwrap_or_default()
    }

    fn fills(&self) -> usize {
        let (j, s) = self.journal();
        j.fills(s).unwrap().len()
    }

    fn exchange_btc(&self) -> rust_decimal::Decimal {
        let b = self.fake.balance("BTC");
        b.free + b.locked
    }
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

#[test]
fn killed_after_journaling_an_order_before_sending_it_the_order_is_closed_not_sent() {
    let r = rig();
    let mut engine = r.start(Some("before-send"));
    r.buy("0.01");
    let status = r.wait_exit(&mut engine);
    assert!(!status.success(), "the failpoint aborts: {status}");
    assert!(
        r.fake.submissions().is_empty(),
        "nothing reached the exchange"
    );
    let (j, s) = r.journal();
    assert_eq!(
        j.orders(s).unwrap().len(),
        1,
        "the order was journaled first"
    );
    drop(j);

    let engine = r.start(None);
    r.eventually("the unsent order closed on restart", || {
        let (j, s) = r.journal();
        let o = &j.orders(s).unwrap()[0];
        o.status == tickdesk::core::OrderStatus::Rejected
            && o.reason.as_deref().is_some_and(|w| w.contains("NOT_SENT"))
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(r.fake.submissions().is_empty(), "and it was never sent");
    r.stop(engine);
}

#[test]
fn killed_with_a_fill_not_yet_journaled_the_restart_journals_it_once() {
    let r = rig();
    let mut engine = r.start(Some("fill-before-journal"));
    r.buy("0.01");
    let status = r.wait_exit(&mut engine);
    assert!(!status.success(), "the failpoint aborts: {status}");
    assert_eq!(r.fake.submissions().len(), 1);
    assert_eq!(
        r.exchange_btc(),
        dec("0.01") - dec("0.00001"),
        "filled, commission in BTC"
    );
    assert_eq!(r.fills(), 0, "the fill died with the process");

    let engine = r.start(None);
    r.eventually("the missed fill journaled", || r.fills() == 1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(r.fills(), 1, "once");
    assert_eq!(r.journaled_btc(), dec("0.01"));
    assert_eq!(r.fake.submissions().len(), 1, "no order sent twice");
    r.stop(engine);
}

#[test]
fn killed_while_the_exchange_holds_the_order_request_the_restart_finds_the_order() {
    let r = rig();
    r.fake
        .fail("POST /api/v3/order", [Fault::Slow(Duration::from_secs(2))]);
    let mut engine = r.start(None);
    r.buy("0.01");
    // The request is on its way (held by the exchange): kill -9 the engine now.
    r.eventually("the order request reached the exchange", || {
        !r.fake.submissions().is_empty()
    });
    engine.kill().unwrap();
    r.wait_exit(&mut engine);
    // The exchange executes it after all.
    r.eventually("the held order executed", || r.exchange_btc() > dec("0"));

    let engine = r.start(None);
    r.eventually("the order's fill journaled", || r.fills() == 1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(r.fills(), 1);
    assert_eq!(r.journaled_btc(), dec("0.01"));
    assert_eq!(r.fake.submissions().len(), 1, "no order sent twice");
    let (j, s) = r.journal();
    assert_eq!(
        j.orders(s).unwrap()[0].status,
        tickdesk::core::OrderStatus::Filled
    );
    r.stop(engine);
}
