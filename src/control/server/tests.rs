//! The server against a stand-in core (a link whose batches the test sends), over a real socket
//! in a temporary data dir.

use super::*;
use crate::control::{ClientError, Incoming, client::connect, socket_path};
use crate::core::Command;
use crate::market::Candle;
use crate::replica::{Market, Status};
use std::os::unix::fs::PermissionsExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::time::timeout;

const DEADLINE: Duration = Duration::from_secs(10);

struct Core {
    batches: mpsc::Sender<Incoming>,
    controls: mpsc::Receiver<Control>,
}

fn fake_core() -> (Link, Core) {
    let (controls, controls_rx) = mpsc::channel(64);
    let (batches, rx) = mpsc::channel(16);
    let task = tokio::spawn(async { None });
    let core = Core {
        batches,
        controls: controls_rx,
    };
    (Link::remote(controls, rx, task), core)
}

fn replica() -> Replica {
    Replica {
        markets: vec![Market {
            symbol: "BTCUSDT".into(),
            ..Market::default()
        }],
        ..Replica::default()
    }
}

fn candle(t: i64) -> Update {
    Update::Candle {
        market: 0,
        candle: Candle {
            open_time: t,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            volume: 3.0,
        },
    }
}

#[tokio::test]
async fn a_client_gets_the_state_then_the_updates_and_steers_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let server = EngineLock::acquire(dir.path()).unwrap().bind().unwrap();
    let path = server.path().to_path_buf();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(matches!(
        EngineLock::acquire(dir.path()),
        Err(ServeError::Busy { pid: Some(p), .. }) if p == std::process::id().to_string()
    ));
    let (link, mut core) = fake_core();
    core.batches
        .send(Incoming::Updates(vec![candle(0)]))
        .await
        .unwrap();
    let served = tokio::spawn(server.serve(replica(), link));

    let remote = timeout(DEADLINE, connect(dir.path()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(remote.hello.pid, std::process::id());
    let shown = &remote.replica.markets[0];
    assert_eq!(shown.symbol, "BTCUSDT");
    let mut link = remote.into_link();
    core.batches
        .send(Incoming::Updates(vec![candle(60_000)]))
        .await
        .unwrap();
    let got = timeout(DEADLINE, link.recv()).await.unwrap().unwrap();
    assert_eq!(got, Incoming::Updates(vec![candle(60_000)]));

    link.controls
        .send(Control::Command(Command::KillSwitch))
        .await
        .unwrap();
    let c = timeout(DEADLINE, core.controls.recv()).await.unwrap();
    assert_eq!(c, Some(Control::Command(Command::KillSwitch)));

    // The core goes: the client hears why, the socket file goes, the data dir is free again.
    drop(core.batches);
    assert_eq!(link.recv().await, None);
    assert_eq!(link.close().await.as_deref(), Some("the engine stopped"));
    let served = timeout(DEADLINE, served).await.unwrap().unwrap();
    assert_eq!(served.replica.markets[0].candles.len(), 2);
    assert!(!path.exists());
    assert!(EngineLock::acquire(dir.path()).is_ok());
    assert!(matches!(
        connect(dir.path()).await,
        Err(ClientError::NoEngine(_))
    ));
}

#[tokio::test]
async fn a_crashed_engines_socket_is_replaced_and_garbage_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists(), "a socket file nobody listens on");
    assert!(matches!(
        connect(dir.path()).await,
        Err(ClientError::NoEngine(_))
    ));
    let server = EngineLock::acquire(dir.path()).unwrap().bind().unwrap();
    let (link, core) = fake_core();
    let served = tokio::spawn(server.serve(replica(), link));

    let stream = UnixStream::connect(&path).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let first = timeout(DEADLINE, lines.next_line()).await.unwrap().unwrap();
    assert!(
        first
            .unwrap()
            .starts_with(r#"{"type":"hello","protocol":1"#)
    );
    let snap = lines.next_line().await.unwrap().unwrap();
    assert!(snap.starts_with(r#"{"type":"snapshot""#), "{snap}");
    write.write_all(b"{\"type\":\"launch\"}\n").await.unwrap();
    let err = timeout(DEADLINE, lines.next_line()).await.unwrap().unwrap();
    assert!(
        err.unwrap()
            .starts_with(r#"{"type":"error","message":"not understood"#)
    );
    drop(core);
    timeout(DEADLINE, served).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_client_that_stops_reading_never_holds_the_core_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = EngineLock::acquire(dir.path()).unwrap().bind().unwrap();
    let (link, core) = fake_core();
    let served = tokio::spawn(server.serve(replica(), link));
    let stream = UnixStream::connect(socket_path(dir.path())).await.unwrap();
    // Not read until the core is done: ~40 MB of batches against a queue of 32 lines and the
    // kernel's socket buffers.
    let batch: Vec<Update> = (0..4_000).map(candle).collect();
    let sent = timeout(DEADLINE, async {
        for _ in 0..100 {
            core.batches
                .send(Incoming::Updates(batch.clone()))
                .await
                .unwrap();
        }
    })
    .await;
    assert!(sent.is_ok(), "the server stopped draining the core");
    let status = Update::Status(Status {
        now: 42,
        ..Status::default()
    });
    let mut lines = BufReader::new(stream).lines();
    let mut kinds = Vec::new();
    let mut sent_status = false;
    while let Some(l) = timeout(DEADLINE, lines.next_line()).await.unwrap().unwrap() {
        let kind = l[9..l.find(',').unwrap()].trim_matches('"').to_string();
        if kind == "snapshot" && kinds.contains(&"snapshot".to_string()) {
            let candles = l.matches("],[").count() + 1;
            assert_eq!(
                candles,
                crate::replica::MAX_CANDLES,
                "the resync snapshot is current"
            );
            kinds.push(kind);
            core.batches
                .send(Incoming::Updates(vec![status.clone()]))
                .await
                .unwrap();
            sent_status = true;
            continue;
        }
        if sent_status && l.contains(r#""now":42"#) {
            kinds.push("status".into());
            break;
        }
        kinds.push(kind);
    }
    let updates = kinds.iter().filter(|k| *k == "updates").count();
    assert!(updates < 100, "a backlog was kept: {updates} batches");
    assert_eq!(kinds[..2], ["hello", "snapshot"]);
    assert_eq!(
        kinds[kinds.len() - 2..],
        ["snapshot", "status"],
        "{kinds:?}"
    );
    drop(core);
    drop(lines);
    timeout(DEADLINE, served).await.unwrap().unwrap();
}
