//! End to end: the real binary in a real terminal (tmux, 120×40), driven by keys as a person
//! would: open help, launch a backtest from the form and wait for its result, place a paper
//! market order, flatten it, trigger and release the kill switch, quit. Assertions read the
//! screen (`capture-pane`) and, at the end, the journal the session wrote.
//!
//! Needs tmux. Without it the test says so and passes, unless TICKDESK_REQUIRE_TMUX=1 (as in
//! `.ci/run`), where a missing tmux fails it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    session: String,
}

impl Tmux {
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            assert!(ok.success(), "tmux send-keys {k}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn text(&self, literal: &str) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", literal])
            .status()
            .unwrap();
        assert!(ok.success());
        std::thread::sleep(Duration::from_millis(150));
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `what` (the UI answers within a frame or two; a backtest
    /// within seconds), failing with the screen as it was.
    pub fn wait_for(&self, what: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited {secs} s for `{what}`; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_gone(&self, what: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.screen().contains(what) {
            assert!(
                Instant::now() < deadline,
                "`{what}` still on screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn tmux_present() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn start(dir: &Path) -> Tmux {
    let session = format!("tickdesk-e2e-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_tickdesk");
    let data = dir.join("data");
    // No strategy, so the paper account keeps its cash for the person's orders; 600× so the
    // order fills at the next minute's open within a fraction of a second.
    let script = format!(
        "cd {d} && env -i PATH=/usr/bin:/bin HOME={d} LANG=C.UTF-8 TERM=xterm-256color TICKDESK_PAPER__STRATEGIES='[]' TICKDESK_PAPER__SPEED=600 {bin} --data-dir {data}; echo EXITED $?; sleep 60",
        d = dir.display(),
        data = data.display()
    );
    in_tmux(&session, &script)
}

/// A 120×40 tmux session `name` running `script`.
pub fn in_tmux(name: &str, script: &str) -> Tmux {
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            script,
        ])
        .status()
        .unwrap();
    assert!(ok.success(), "tmux new-session");
    Tmux {
        session: name.to_string(),
    }
}

/// Whether tmux is here; without it a test is skipped (saying so), unless
/// `TICKDESK_REQUIRE_TMUX` is set, where it fails.
pub fn have_tmux() -> bool {
    if tmux_present() {
        return true;
    }
    assert!(
        std::env::var_os("TICKDESK_REQUIRE_TMUX").is_none(),
        "tmux is required here (TICKDESK_REQUIRE_TMUX is set) but not installed"
    );
    eprintln!("skipped: tmux is not installed (apt install tmux)");
    false
}

#[test]
fn a_session_driven_from_the_keyboard() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = start(dir.path());
    let first = t.wait_for("PAPER · REPLAY", 30);
    assert!(first.contains("Book BTCUSDT · simulated"), "{first}");
    assert!(first.contains("Positions"));

    // The workstation is the data dir's engine: a headless one is refused beside it.
    let second = Command::new(env!("CARGO_BIN_EXE_tickdesk"))
        .args(["--data-dir"])
        .arg(dir.path().join("data"))
        .args(["run", "--headless"])
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(3));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another tickdesk engine"), "{err}");

    // Help lists the bindings of the focused pane.
    t.keys(&["?"]);
    let help = t.wait_for("Keys in the chart pane", 5);
    assert!(
        help.contains("switch to the next longer timeframe"),
        "{help}"
    );
    t.keys(&["G"]);
    t.wait_for("Forms and the ticket", 5);
    t.keys(&["Escape"]);
    t.wait_gone("Keys in the chart pane", 5);

    // The user picks the chart's overlays; the legend names them.
    t.wait_for("sma(20) sma(50)", 5);
    t.keys(&[":"]);
    t.text("overlay bbands(20, 2)");
    t.keys(&["Enter"]);
    t.wait_for("sma(20) sma(50) bbands(20,2)", 5);

    // A backtest from the form: defaults are sma_cross on BTCUSDT 1h over all stored data.
    t.keys(&[":"]);
    t.text("backtest");
    t.keys(&["Enter"]);
    t.wait_for("New backtest", 5);
    t.keys(&["Enter"]);
    let done = t.wait_for("backtest run 1 finished", 120);
    assert!(done.contains("#1 selected: sma_cross BTCUSDT 1h"), "{done}");

    // A paper market order through the ticket, confirmed; it fills at the next open.
    t.keys(&["b"]);
    t.wait_for("Order ticket (paper)", 5);
    t.text("0.01");
    t.keys(&["Enter"]);
    t.wait_for("Place: buy 0.01 BTCUSDT market?", 5);
    t.keys(&["y"]);
    t.wait_for("filled: buy 0.01 BTCUSDT", 20);

    // Flatten sells it back.
    t.keys(&["F"]);
    t.wait_for("Flatten BTCUSDT", 5);
    t.keys(&["y"]);
    t.wait_for("filled: sell 0.01 BTCUSDT", 20);

    // The kill switch halts trading until released.
    t.keys(&["K"]);
    t.wait_for("KILL SWITCH: halt all trading", 5);
    t.keys(&["y"]);
    t.wait_for("KILL SWITCH ON", 5);
    t.keys(&[":"]);
    t.text("release");
    t.keys(&["Enter"]);
    t.wait_gone("KILL SWITCH ON", 5);

    t.keys(&["q"]);
    t.wait_for("Quit tickdesk?", 5);
    t.keys(&["y"]);
    t.wait_for("EXITED 0", 15);

    let journal = tickdesk::journal::Journal::open(&dir.path().join("data")).unwrap();
    let said: Vec<String> = journal
        .overrides(10)
        .unwrap()
        .into_iter()
        .rev()
        .map(|o| format!("{}: {}", o.command, o.outcome))
        .collect();
    assert_eq!(
        said,
        vec![
            "buy 0.01 BTCUSDT market: accepted",
            "flatten BTCUSDT: accepted",
            "kill switch: halt trading, cancel all orders: accepted",
            "release the kill switch: accepted",
        ]
    );
    assert_eq!(journal.runs().unwrap().len(), 1);
}
