//! The user-data session against the fake Binance's WebSocket API (`/ws-api/v3`) and REST, on
//! tokio's paused clock: subscription with an HMAC key (`subscribe.signature`) and with an Ed25519
//! key (logon), fills exactly once, partial fills, fills missed while the socket was down
//! delivered by the reconciliation, a refused subscription. Connection faults (stalls, the
//! lifetime cut, bans) are in `faults`; `eventStreamTerminated` in `terminated`, against a
//! scripted peer (the fake has no way to end a subscription by itself).

mod faults;
mod fills;
mod terminated;

use crate::fake_binance::FakeBinance;
use data_encoding::BASE64;
use ring::signature::Ed25519KeyPair;
use std::{sync::Arc, time::Duration};
use tickdesk::binance::info::OrderContext;
use tickdesk::binance::user::{
    OrderUpdate, UserConfig, UserDeps, UserError, UserEvent, UserFill, UserState, UserStream,
};
use tickdesk::binance::wire::{NewOrder, OrderSpec, OrderState, TimeInForce};
use tickdesk::binance::{ServerClock, Signer, TradeClient, TradeConfig, WeightLimiter};
use tickdesk::clock::{Clock, TokioClock};
use tickdesk::core::Side;
use tickdesk::market::Symbol;
use tickdesk::secrets::Secret;

/// 2026-01-01 00:00 UTC.
const T0: i64 = 1_767_225_600_000;

// Orders and keys as the trading client's tests build them.
pub(crate) use crate::binance_rest::{d, hmac_signer, id, market_buy};

pub(crate) fn limit_buy(n: u64, price: &str, qty: &str) -> NewOrder {
    let spec = OrderSpec::Limit {
        price: d(price),
        qty: d(qty),
        tif: TimeInForce::Gtc,
    };
    crate::binance_rest::order(n, Side::Buy, spec)
}

pub(crate) struct UserRig {
    pub fake: FakeBinance,
    pub client: Arc<TradeClient>,
    pub clock: TokioClock,
    pub stream: UserStream,
    /// Every event received so far, in order.
    pub seen: Vec<UserEvent>,
}

pub(crate) fn btc() -> Symbol {
    "BTCUSDT".parse().unwrap()
}

/// A fake with 100 000 USDT, 2 BTC and a BTCUSDT book around 64 005.
pub(crate) async fn fake() -> (FakeBinance, TokioClock) {
    let clock = TokioClock::starting_at(T0);
    let fake = FakeBinance::start(clock).await;
    fake.set_balance("USDT", "100000");
    fake.set_balance("BTC", "2");
    fake.set_book(
        "BTCUSDT",
        &[("64000", "5"), ("63990", "5")],
        &[("64010", "5"), ("64020", "5")],
    );
    (fake, clock)
}

pub(crate) fn config(ws_api_url: &str) -> UserConfig {
    UserConfig::new(ws_api_url, vec![btc()], T0)
}

/// Starts a session for `signer` against `fake` (REST reconciliation through a trading client
/// with the documentation's HMAC key).
pub(crate) fn start(
    fake: FakeBinance,
    clock: TokioClock,
    signer: Signer,
    cfg: UserConfig,
) -> UserRig {
    let shared = Arc::new(clock);
    let limiter = Arc::new(WeightLimiter::new(6000, shared.clone()));
    let trade = TradeConfig::new(&fake.url());
    let client = Arc::new(TradeClient::new(trade, hmac_signer(), limiter, shared).unwrap());
    let server = ServerClock::new(Arc::new(clock), Duration::from_secs(600)).unwrap();
    let deps = UserDeps {
        signer: Arc::new(signer),
        server: Arc::new(server),
        limiter: client.limiter().clone(),
        rest: client.clone(),
    };
    UserRig {
        fake,
        client,
        clock,
        stream: UserStream::spawn(cfg, deps),
        seen: Vec::new(),
    }
}

pub(crate) async fn rig_with(signer: Signer) -> UserRig {
    let (fake, clock) = fake().await;
    let url = format!("{}/ws-api/v3", fake.ws_url());
    let mut r = start(fake, clock, signer, config(&url));
    r.until(is_live).await;
    r
}

pub(crate) fn is_live(e: &UserEvent) -> bool {
    matches!(e, UserEvent::Health(s) if s.state.is_live())
}

pub(crate) fn order_is(status: OrderState) -> impl Fn(&UserEvent) -> bool {
    move |e| matches!(e, UserEvent::Order(u) if u.status == status)
}

pub(crate) fn fills(events: &[UserEvent]) -> Vec<&UserFill> {
    events
        .iter()
        .filter_map(|e| match e {
            UserEvent::Fill(f) => Some(f),
            _ => None,
        })
        .collect()
}

pub(crate) fn orders(events: &[UserEvent]) -> Vec<&OrderUpdate> {
    events
        .iter()
        .filter_map(|e| match e {
            UserEvent::Order(u) => Some(u),
            _ => None,
        })
        .collect()
}

impl UserRig {
    /// Receives events until one matches `done` (included); returns them. Fails after ten
    /// minutes of (virtual) silence or if the session ends. Waits in one-second slices: the
    /// paused clock jumps to the next timer whenever every task is idle, and a single long
    /// timeout could be that timer while a frame is still on its way over loopback.
    pub async fn until(&mut self, done: impl Fn(&UserEvent) -> bool) -> Vec<UserEvent> {
        let mut got = Vec::new();
        let mut idle = 0;
        loop {
            let Ok(next) = tokio::time::timeout(Duration::from_secs(1), self.stream.recv()).await
            else {
                idle += 1;
                assert!(
                    idle < 600,
                    "no event within ten minutes; seen {:#?}",
                    self.seen
                );
                continue;
            };
            idle = 0;
            let event = next.unwrap_or_else(|| panic!("the session ended; after {got:#?}"));
            self.seen.push(event.clone());
            let stop = done(&event);
            got.push(event);
            if stop {
                return got;
            }
        }
    }

    /// Everything that arrives within `secs` of virtual time (in one-second slices, see
    /// `until`).
    pub async fn quiet_for(&mut self, secs: u64) -> Vec<UserEvent> {
        let mut got = Vec::new();
        for _ in 0..secs {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
            while let Ok(Some(e)) = tokio::time::timeout_at(deadline, self.stream.recv()).await {
                self.seen.push(e.clone());
                got.push(e);
            }
        }
        got
    }

    pub async fn place(&self, order: NewOrder) {
        let prepared = self
            .client
            .prepare(order, &OrderContext::default())
            .await
            .unwrap();
        self.client.place(&prepared).await.unwrap();
    }

    /// Text frames the fake received on WebSocket API connections, as method names.
    pub fn methods_sent(&self) -> Vec<String> {
        self.fake
            .ws_stats()
            .received
            .iter()
            .map(|(_, text)| {
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                v["method"].as_str().unwrap_or("").to_string()
            })
            .collect()
    }
}

fn ed25519_signer(fake: &FakeBinance) -> Signer {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        BASE64.encode(pkcs8.as_ref())
    );
    let signer = Signer::ed25519_pem(Secret::new("ed-user".into()), &Secret::new(pem)).unwrap();
    fake.add_ed25519_key("ed-user", &signer.ed25519_public_key().unwrap());
    signer
}

#[tokio::test(start_paused = true)]
async fn ed25519_logs_on_then_subscribes_and_balance_changes_arrive() {
    let (fake, clock) = fake().await;
    let signer = ed25519_signer(&fake);
    let url = format!("{}/ws-api/v3", fake.ws_url());
    let mut r = start(fake, clock, signer, config(&url));
    r.until(is_live).await;
    let methods: Vec<String> = r
        .methods_sent()
        .into_iter()
        .filter(|m| m != "time")
        .collect();
    assert_eq!(methods, ["session.logon", "userDataStream.subscribe"]);

    r.fake.deposit("USDT", "250.5");
    let events = r.until(|e| matches!(e, UserEvent::Balances(_))).await;
    let delta = events.iter().find_map(|e| match e {
        UserEvent::BalanceDelta(b) => Some(b),
        _ => None,
    });
    let delta = delta.expect("balanceUpdate before outboundAccountPosition");
    assert_eq!((delta.asset.as_str(), delta.delta), ("USDT", d("250.5")));
    let UserEvent::Balances(p) = events.last().unwrap() else {
        unreachable!()
    };
    let usdt = p.balances.iter().find(|b| b.asset == "USDT").unwrap();
    assert_eq!(usdt.free, d("100250.5"));
    let status = r.stream.status();
    assert_eq!(
        status.event_age_ms(r.clock.now_ms()),
        Some(0),
        "the snapshot saw it"
    );
    assert_eq!(status.counters.events, 2);
}

#[tokio::test(start_paused = true)]
async fn a_refused_subscription_shows_binances_code_and_message_and_stops() {
    let (fake, clock) = fake().await;
    let unknown = Signer::hmac(Secret::new("nobody".into()), &Secret::new("s".into())).unwrap();
    let url = format!("{}/ws-api/v3", fake.ws_url());
    let mut r = start(fake, clock, unknown, config(&url));
    let events = r
        .until(|e| matches!(e, UserEvent::Health(s) if matches!(s.state, UserState::Failed(_))))
        .await;
    let UserEvent::Health(status) = events.last().unwrap() else {
        unreachable!()
    };
    let UserState::Failed(e) = &status.state else {
        unreachable!()
    };
    assert!(
        matches!(e, UserError::Rejected { method, code: -2015, .. } if method == "userDataStream.subscribe.signature"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("Invalid API-key, IP, or permissions for action."),
        "{e}"
    );
    assert!(r.stream.recv().await.is_none(), "the session ended");
    let subscribes = r
        .methods_sent()
        .iter()
        .filter(|m| m.starts_with("userData"))
        .count();
    assert_eq!(subscribes, 1, "a permanent refusal is not retried");
}
