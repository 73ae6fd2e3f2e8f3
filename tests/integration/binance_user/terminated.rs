//! `eventStreamTerminated` ends a subscription: the session subscribes again on the same socket,
//! reconciles, and from then on only the new subscription's events count. The fake Binance
//! cannot end a subscription on its own, so the WebSocket API side here is a scripted peer on
//! 127.0.0.1 (answers `time` and `userDataStream.subscribe.signature`, the latter after a stray
//! response with another id, and sends what the test scripts); REST reconciliation still runs
//! against the fake.

use super::{UserRig, config, fake, fills, hmac_signer, is_live, start};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tickdesk::binance::user::{UserEvent, UserState};
use tickdesk::clock::{Clock, TokioClock};
use tokio::net::TcpListener;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_tungstenite::tungstenite::Message;

struct Peer {
    url: String,
    script: UnboundedSender<String>,
    /// Methods received, in order.
    methods: Arc<Mutex<Vec<String>>>,
    connections: Arc<Mutex<usize>>,
}

async fn peer(clock: TokioClock) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws-api/v3", listener.local_addr().unwrap());
    let (script, rx) = unbounded_channel();
    let methods = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let (m, c) = (methods.clone(), connections.clone());
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        tcp.set_nodelay(true).unwrap();
        *c.lock().unwrap() += 1;
        let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        serve(ws, clock, rx, m).await;
    });
    Peer {
        url,
        script,
        methods,
        connections,
    }
}

async fn serve(
    mut ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    clock: TokioClock,
    mut script: UnboundedReceiver<String>,
    methods: Arc<Mutex<Vec<String>>>,
) {
    let mut next_sub = 0;
    loop {
        tokio::select! {
            msg = ws.next() => {
                let Some(Ok(Message::Text(text))) = msg else { return };
                let req: Value = serde_json::from_str(&text).unwrap();
                let method = req["method"].as_str().unwrap().to_string();
                methods.lock().unwrap().push(method.clone());
                let result = match method.as_str() {
                    "time" => json!({"serverTime": clock.now_ms()}),
                    "userDataStream.subscribe.signature" => {
                        next_sub += 1;
                        json!({"subscriptionId": next_sub - 1})
                    }
                    other => panic!("unexpected {other}"),
                };
                if method != "time" {
                    // A response to no request of this session comes first; it must not be
                    // taken for the subscription's answer.
                    let stray = json!({"id": 999, "status": 200, "result": {"subscriptionId": 42}});
                    ws.send(Message::text(stray.to_string())).await.unwrap();
                }
                let reply = json!({"id": req["id"], "status": 200, "result": result});
                ws.send(Message::text(reply.to_string())).await.unwrap();
            }
            Some(frame) = script.recv() => ws.send(Message::text(frame)).await.unwrap(),
        }
    }
}

/// A TRADE execution report on `sub`, filling our order 77 entirely.
fn trade_report(sub: u64, trade_id: u64) -> String {
    json!({"subscriptionId": sub, "event": {"e": "executionReport", "E": 1, "s": "BTCUSDT",
        "c": "td-it-77", "S": "BUY", "o": "MARKET", "f": "GTC", "q": "0.01", "p": "0", "P": "0",
        "F": "0", "g": -1, "C": "", "x": "TRADE", "X": "FILLED", "r": "NONE", "i": 77,
        "l": "0.01", "z": "0.01", "L": "64010", "n": "0.00001", "N": "BTC", "T": 2,
        "t": trade_id, "I": 5, "w": false, "m": false, "M": true, "O": 1, "Z": "640.1",
        "Y": "640.1", "Q": "0"}})
    .to_string()
}

fn subscribed(id: u64) -> impl Fn(&UserEvent) -> bool {
    move |e| matches!(e, UserEvent::Health(s) if s.state == UserState::Subscribed { subscription_id: id })
}

#[tokio::test(start_paused = true)]
async fn a_terminated_subscription_is_renewed_on_the_same_socket() {
    let (fake, clock) = fake().await;
    let p = peer(clock).await;
    let mut cfg = config(&p.url);
    cfg.stale_after = Duration::from_secs(3600);
    let mut r: UserRig = start(fake, clock, hmac_signer(), cfg);
    r.until(subscribed(0)).await;

    let end = json!({"subscriptionId": 0, "event": {"e": "eventStreamTerminated", "E": 3}});
    p.script.send(end.to_string()).unwrap();
    let renewal = r.until(is_live).await;
    assert!(subscribed(1)(renewal.last().unwrap()), "{renewal:#?}");
    assert!(
        renewal
            .iter()
            .any(|e| matches!(e, UserEvent::Health(s) if s.state == UserState::Reconciling)),
        "events may have been missed between the two subscriptions: reconcile"
    );

    p.script.send(trade_report(0, 900)).unwrap();
    p.script.send(trade_report(1, 901)).unwrap();
    let events = r.until(|e| matches!(e, UserEvent::Order(_))).await;
    let later = r.quiet_for(60).await;
    let got: Vec<u64> = fills(&events)
        .iter()
        .chain(fills(&later).iter())
        .map(|f| f.trade_id)
        .collect();
    assert_eq!(got, vec![901], "the ended subscription's event is ignored");

    let methods = p.methods.lock().unwrap().clone();
    let subscribe = "userDataStream.subscribe.signature".to_string();
    assert_eq!(
        methods,
        vec!["time".to_string(), subscribe.clone(), subscribe]
    );
    assert_eq!(*p.connections.lock().unwrap(), 1, "same socket");
    let c = r.stream.status().counters;
    assert_eq!(
        (c.terminated, c.subscriptions, c.reconciliations),
        (1, 2, 2)
    );
}
