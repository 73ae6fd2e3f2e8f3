//! End to end: the real binary as a headless engine (`run --headless`, replay at 600×) in a
//! private HOME and data dir. Its control socket is spoken to as a script would (raw JSON lines),
//! `status` summarises it, a second engine is refused, SIGTERM stops it cleanly; `attach` in tmux
//! shows the workstation on it, steers it, detaches, and the engine runs on.
//!
//! Waits are for readiness, each with a deadline. The tmux test needs tmux: without it the test
//! says so and passes, unless TICKDESK_REQUIRE_TMUX=1 (as in `.ci/run`).

use crate::common::{Run, Sandbox};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const READY: Duration = Duration::from_secs(60);

struct Engine {
    child: Child,
    socket: PathBuf,
    stdout: PathBuf,
}

impl Engine {
    /// Starts `run --headless` on the sandbox's data dir and waits until its socket answers.
    fn start(sb: &Sandbox, env: &[(&str, &str)]) -> Self {
        let stdout = sb.path().join("engine.out");
        let mut c = sb.cmd();
        c.arg("--data-dir")
            .arg(sb.data_dir())
            .args(["run", "--headless"])
            .env("TICKDESK_PAPER__SPEED", "600")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(sb.path().join("engine.err")).unwrap());
        let mut engine = Self {
            child: c.spawn().unwrap(),
            socket: sb.data_dir().join("tickdesk.sock"),
            stdout,
        };
        let deadline = Instant::now() + READY;
        while UnixStream::connect(&engine.socket).is_err() {
            if let Some(status) = engine.child.try_wait().unwrap() {
                panic!(
                    "the engine exited ({status}) before serving:\n{}",
                    engine.err(sb)
                );
            }
            assert!(Instant::now() < deadline, "no socket after {READY:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        engine
    }

    fn err(&self, sb: &Sandbox) -> String {
        std::fs::read_to_string(sb.path().join("engine.err")).unwrap_or_default()
    }

    fn terminate(&mut self) -> i32 {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + READY;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A script's view of the socket: JSON lines both ways.
struct Client {
    lines: BufReader<UnixStream>,
    out: UnixStream,
}

impl Client {
    fn connect(path: &Path) -> Self {
        let s = UnixStream::connect(path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        Self {
            out: s.try_clone().unwrap(),
            lines: BufReader::new(s),
        }
    }

    fn next(&mut self) -> Value {
        let mut line = String::new();
        let n = self.lines.read_line(&mut line).unwrap();
        assert!(n > 0, "the engine closed the connection");
        assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
        serde_json::from_str(&line).unwrap()
    }

    fn send(&mut self, json: &str) {
        self.out.write_all(format!("{json}\n").as_bytes()).unwrap();
    }

    /// Reads until an update satisfies `want` (returns it), failing after the deadline.
    fn until(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + READY;
        loop {
            let msg = self.next();
            if msg["type"] == "updates" {
                for u in msg["updates"].as_array().unwrap() {
                    if want(u) {
                        return u.clone();
                    }
                }
            }
            assert!(Instant::now() < deadline, "no update with {what}");
        }
    }
}

fn overrides(data: &Path) -> Vec<String> {
    let journal = tickdesk::journal::Journal::open(data).unwrap();
    let mut said: Vec<String> = journal
        .overrides(20)
        .unwrap()
        .into_iter()
        .map(|o| format!("{}: {}", o.command, o.outcome))
        .collect();
    said.reverse();
    said
}

#[test]
fn a_headless_engine_serves_its_socket_and_stops_on_sigterm() {
    let sb = Sandbox::new();
    let env = [
        ("TICKDESK_PAPER__STRATEGIES", "[]"),
        ("TICKDESK_SERVICE__ON_SHUTDOWN", "cancel"),
    ];
    let mut engine = Engine::start(&sb, &env);
    let meta = std::fs::symlink_metadata(&engine.socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    let status = sb.run(&["status"]);
    let text = status.ok();
    for want in [
        "PAPER · REPLAY",
        "feed         ok · 600×",
        "halted       no",
        "BTCUSDT",
    ] {
        assert!(text.contains(want), "`{want}` missing:\n{text}");
    }
    let json: Value = serde_json::from_str(sb.run(&["status", "--json"]).ok()).unwrap();
    assert_eq!(json["running"], true);
    assert_eq!(json["pid"], engine.child.id());
    assert_eq!(json["open_orders"].as_array().unwrap().len(), 0);

    let second = sb.run(&["run", "--headless"]);
    let err = second.fails_with(3);
    assert!(err.contains("another tickdesk engine"), "{err}");
    assert!(engine.running());

    let mut c = Client::connect(&engine.socket);
    let hello = c.next();
    assert_eq!(
        (hello["type"].as_str(), hello["protocol"].as_u64()),
        (Some("hello"), Some(1))
    );
    let snapshot = c.next();
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["replica"]["markets"][0]["symbol"], "BTCUSDT");
    c.until("a closed candle", |u| u.get("Candle").is_some());

    let halted =
        |want: Value| move |u: &Value| u.get("Status").is_some_and(|s| s["halted"] == want);
    c.send(r#"{"type":"command","command":{"do":"kill_switch"}}"#);
    c.until("the kill switch on", halted("KILL SWITCH ON".into()));
    c.send(r#"{"type":"command","command":{"do":"release"}}"#);
    c.until("the kill switch off", halted(Value::Null));
    c.send(r#"{"type":"command","command":{"do":"place","market":0,"side":"BUY","type":"LIMIT","price":"1000","qty":{"base":"0.01"}}}"#);
    c.until("the order open", |u| {
        u.get("Orders").is_some_and(|o| o[0]["price"] == "1000")
    });
    c.send(r#"{"type":"command","command":{"do":"place","market":0,"side":"BUY","type":"LIMIT","qty":{"base":"0.01"}}}"#);
    let refused = loop {
        let msg = c.next();
        if msg["type"] == "error" {
            break msg;
        }
    };
    assert_eq!(refused["message"], "a LIMIT order needs a `price`");

    assert_eq!(engine.terminate(), 0, "{}", engine.err(&sb));
    assert!(!engine.socket.exists(), "the socket file was left behind");
    let bye = loop {
        let msg = c.next();
        if msg["type"] != "updates" {
            break msg;
        }
    };
    assert_eq!(bye["type"], "bye");
    assert_eq!(
        overrides(&sb.data_dir()),
        [
            "kill switch: halt trading, cancel all orders: accepted",
            "release the kill switch: accepted",
            "buy 0.01 BTCUSDT limit at 1000: accepted",
            "cancel all orders: accepted",
        ]
    );
    let log = std::fs::read_to_string(&engine.stdout).unwrap();
    assert!(log.contains("INFO engine running (pid"), "{log}");
    assert!(
        log.contains("SIGTERM: stopping; cancelling open orders first"),
        "{log}"
    );
    assert!(log.contains("engine stopped (SIGTERM)"), "{log}");
    assert!(!log.contains('\x1b'), "colour on a file:\n{log}");
    let after = sb.run(&["status"]);
    assert!(
        after
            .fails_with(3)
            .contains("no tickdesk engine is running")
    );
}

struct Tmux(String);

impl Tmux {
    fn start(script: &str) -> Self {
        let name = format!("tickdesk-attach-{}", std::process::id());
        let args = [
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "120",
            "-y",
            "40",
            script,
        ];
        assert!(Command::new("tmux").args(args).status().unwrap().success());
        Self(name)
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["send-keys", "-t", &self.0, k])
                .status();
            assert!(ok.unwrap().success(), "tmux send-keys {k}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = Command::new("tmux")
                .args(["capture-pane", "-p", "-t", &self.0])
                .output()
                .unwrap();
            let screen = String::from_utf8_lossy(&out.stdout).into_owned();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no `{what}` on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

fn status_json(sb: &Sandbox) -> Value {
    let r: Run = sb.run(&["status", "--json"]);
    serde_json::from_str(r.ok()).unwrap()
}

#[test]
fn attach_shows_the_engine_steers_it_and_detaches_leaving_it_running() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("TICKDESK_REQUIRE_TMUX").is_none(),
            "tmux is required here (TICKDESK_REQUIRE_TMUX is set) but not installed"
        );
        eprintln!("skipped: tmux is not installed (apt install tmux)");
        return;
    }
    let sb = Sandbox::new();
    let mut engine = Engine::start(&sb, &[]);
    let before = status_json(&sb);
    assert_eq!(before["strategies"][0]["name"], "sma_cross");
    assert_eq!(before["strategies"][0]["state"], "running");
    let script = format!(
        "cd {w} && env -i PATH=/usr/bin:/bin HOME={h} LANG=C.UTF-8 TERM=xterm-256color {bin} --data-dir {d} attach; echo EXITED $?; sleep 60",
        w = sb.work().display(),
        h = sb.path().join("home").display(),
        bin = env!("CARGO_BIN_EXE_tickdesk"),
        d = sb.data_dir().display(),
    );
    let t = Tmux::start(&script);
    let first = t.wait_for("PAPER · REPLAY");
    assert!(first.contains("Book BTCUSDT · simulated"), "{first}");
    t.wait_for("attached to pid");

    // An override from the attached view reaches the engine through the socket.
    t.keys(&["K"]);
    t.wait_for("KILL SWITCH: halt all trading");
    t.keys(&["y"]);
    t.wait_for("KILL SWITCH ON");
    assert_eq!(status_json(&sb)["halted"], "KILL SWITCH ON");
    t.keys(&[":"]);
    Command::new("tmux")
        .args(["send-keys", "-t", &t.0, "-l", "release"])
        .status()
        .unwrap();
    t.keys(&["Enter"]);
    t.wait_for("release the kill switch: accepted");

    t.keys(&["q"]);
    t.wait_for("Detach? The engine keeps running.");
    t.keys(&["y"]);
    t.wait_for("EXITED 0");
    assert!(engine.running(), "detaching stopped the engine");
    let after = status_json(&sb);
    assert_eq!(after["halted"], Value::Null);
    assert!(after["market_time_ms"].as_i64() >= before["market_time_ms"].as_i64());
    assert_eq!(
        overrides(&sb.data_dir()),
        [
            "kill switch: halt trading, cancel all orders: accepted",
            "release the kill switch: accepted",
        ]
    );
    assert_eq!(engine.terminate(), 0);
}
