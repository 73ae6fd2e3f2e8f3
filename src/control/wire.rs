//! The control protocol's messages. One JSON object per line, tagged by `"type"`.
//!
//! Server → client: `hello` first (protocol version, tickdesk version, the engine's pid and
//! start time), then a `snapshot` (the whole replica), then `updates` batches as they happen; a
//! `snapshot` again whenever the client fell behind (its queue filled), replacing its replica;
//! `error` when a client's message could not be used; `bye` when the engine stops.
//!
//! Client → server: `command` (a person's override, through the engine's checks), `speed`,
//! `pause`, `toggle_pause`, and `detach` (the engine keeps running). A client cannot stop the
//! engine: that is a signal to the engine's process (SIGTERM), owned by whoever started it.
//!
//! Invariant: a client reading `snapshot` then every later `updates` in order holds the replica
//! the engine's own view would hold.

mod command;
pub mod fields;

pub use command::{WireCommand, WireKind, WireOrder, WireQty};

use crate::paper::Control;
use crate::replica::{Replica, Speed, Update};
use serde::{Deserialize, Serialize};

/// Bumped whenever a message changes shape; a client refuses a server speaking another.
pub const PROTOCOL: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// The engine's tickdesk version.
    pub version: String,
    pub pid: u32,
    /// Wall-clock start of the engine (ms since the epoch).
    pub started_ms: i64,
}

impl Hello {
    pub fn now(started_ms: i64) -> Self {
        Self {
            protocol: PROTOCOL,
            version: env!("CARGO_PKG_VERSION").into(),
            pid: std::process::id(),
            started_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Hello(Hello),
    Snapshot { replica: Box<Replica> },
    Updates { updates: Vec<Update> },
    Error { message: String },
    Bye { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Command { command: WireCommand },
    Speed { speed: Speed },
    Pause { paused: bool },
    TogglePause,
    Detach,
}

impl ClientMsg {
    /// What the engine's runner is asked to do (`None` for a detach); an order that does not
    /// make sense (a limit without a price) is an error saying why.
    pub fn into_control(self) -> Result<Option<Control>, String> {
        Ok(Some(match self {
            Self::Command { command } => Control::Command(command.try_into()?),
            Self::Speed { speed } => Control::Speed(speed),
            Self::Pause { paused } => Control::Pause(paused),
            Self::TogglePause => Control::TogglePause,
            Self::Detach => return Ok(None),
        }))
    }
}

impl From<&Control> for ClientMsg {
    /// A remote view's `Shutdown` detaches: only the engine's owner stops the engine.
    fn from(c: &Control) -> Self {
        match c {
            Control::Command(c) => Self::Command { command: c.into() },
            Control::Speed(s) => Self::Speed { speed: *s },
            Control::Pause(p) => Self::Pause { paused: *p },
            Control::TogglePause => Self::TogglePause,
            Control::Shutdown => Self::Detach,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Command, Side};
    use crate::market::{Candle, Interval};
    use crate::replica::*;
    use rust_decimal::Decimal;

    fn candle(t: i64) -> Candle {
        Candle {
            open_time: t,
            open: 100.5,
            high: 101.0,
            low: 99.25,
            close: 100.75,
            volume: 12.5,
        }
    }

    /// Every kind of update, each field set to something other than its default.
    fn updates() -> Vec<Update> {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        vec![
            Update::Candle {
                market: 1,
                candle: candle(60_000),
            },
            Update::Forming {
                market: 0,
                candle: candle(120_000),
            },
            Update::Book {
                market: 0,
                book: Book {
                    simulated: true,
                    bids: vec![(100.5, 2.0)],
                    asks: vec![(100.75, 1.5)],
                    last_trade: Some((100.6, 0.25, Side::Sell)),
                },
            },
            Update::Account(AccountView {
                balances: vec![Balance {
                    asset: "USDT".into(),
                    free: d("9000.10"),
                    locked: d("1"),
                    value: 9001.1,
                }],
                positions: vec![Position {
                    market: 0,
                    symbol: "BTCUSDT".into(),
                    qty: d("0.0150"),
                    entry: Some(60000.5),
                    last: 61000.0,
                    value: 915.0,
                    unrealized: 7.5,
                    unrealized_pct: 0.8,
                }],
                equity: 10_000.25,
                day_open_equity: 9_990.0,
            }),
            Update::Orders(vec![OpenOrder {
                id: 7,
                market: 1,
                symbol: "ETHUSDT".into(),
                side: Side::Buy,
                kind: "LIMIT",
                qty: "0.5 ETH".into(),
                price: Some(d("2500.10")),
                stop: None,
                origin: "manual".into(),
            }]),
            Update::Fill(FillRow {
                time: 5,
                order: 7,
                market: 1,
                symbol: "ETHUSDT".into(),
                side: Side::Buy,
                qty: d("0.5"),
                price: d("2500.1"),
                fee: d("0.00125"),
                origin: "sma_cross".into(),
            }),
            Update::Strategies(vec![StrategyRow {
                name: "sma_cross".into(),
                state: StrategyState::Halted,
                params: vec![("fast".into(), "10".into())],
                symbols: "BTCUSDT, ETHUSDT".into(),
                last_signal: Some((4, "buy".into())),
                pnl: -1.5,
                fills: 3,
            }]),
            Update::Status(Status {
                now: 9,
                feed: FeedHealth::Down("socket closed".into()),
                speed: Speed::Max,
                halted: Some("KILL SWITCH ON".into()),
            }),
            Update::Alert(Alert {
                at: 3,
                level: AlertLevel::Warn,
                text: "refused".into(),
            }),
        ]
    }

    #[test]
    fn a_replica_and_every_update_survive_the_wire() {
        let mut replica = Replica {
            mode: Mode::PaperLive,
            source: "replay".into(),
            interval: Some(Interval::M1),
            quote: "USDT".into(),
            initial_equity: 10_000.0,
            markets: vec![Market::default(), Market::default()],
            ..Replica::default()
        };
        let batch = updates();
        let msg = ServerMsg::Updates {
            updates: batch.clone(),
        };
        let text = serde_json::to_string(&msg).unwrap();
        assert_eq!(serde_json::from_str::<ServerMsg>(&text).unwrap(), msg);
        for u in batch {
            replica.apply(u);
        }
        replica.status.feed = FeedHealth::Stale(12);
        let msg = ServerMsg::Snapshot {
            replica: Box::new(replica),
        };
        let text = serde_json::to_string(&msg).unwrap();
        assert_eq!(serde_json::from_str::<ServerMsg>(&text).unwrap(), msg);
        let hello = ServerMsg::Hello(Hello::now(1));
        let text = serde_json::to_string(&hello).unwrap();
        assert!(
            text.starts_with(r#"{"type":"hello","protocol":1,"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ServerMsg>(&text).unwrap(), hello);
    }

    #[test]
    fn controls_cross_and_shutdown_becomes_a_detach() {
        for c in [
            Control::Command(Command::KillSwitch),
            Control::Speed(Speed::X600),
            Control::Pause(true),
            Control::TogglePause,
        ] {
            let text = serde_json::to_string(&ClientMsg::from(&c)).unwrap();
            let back: ClientMsg = serde_json::from_str(&text).unwrap();
            assert_eq!(back.into_control(), Ok(Some(c)), "{text}");
        }
        assert_eq!(ClientMsg::from(&Control::Shutdown), ClientMsg::Detach);
        assert_eq!(ClientMsg::Detach.into_control(), Ok(None));
        let text = r#"{"type":"command","command":{"do":"release"}}"#;
        let msg: ClientMsg = serde_json::from_str(text).unwrap();
        assert_eq!(
            msg.into_control(),
            Ok(Some(Control::Command(Command::Release)))
        );
    }
}
