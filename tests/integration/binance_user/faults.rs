//! Connection faults of the user-data session: a silent socket (stale → replaced), the planned
//! renewal before the server's lifetime cut, a 418 and a 429 on the subscription (the shared
//! limiter obeys `retryAfter`), and a `-1021` answered by one clock resync.

use super::{config, fake, fills, hmac_signer, is_live, market_buy, rig_with, start};
use crate::fake_binance::{Closed, Fault, WsConfig};
use std::time::Duration;
use tickdesk::binance::user::{UserError, UserEvent, UserState};
use tickdesk::clock::Clock;

const SUBSCRIBE: &str = "WS userDataStream.subscribe.signature";

fn state_is(want: fn(&UserState) -> bool) -> impl Fn(&UserEvent) -> bool {
    move |e| matches!(e, UserEvent::Health(s) if want(&s.state))
}

#[tokio::test(start_paused = true)]
async fn a_silent_socket_is_declared_stale_and_replaced() {
    let mut r = rig_with(hmac_signer()).await;
    let stalled_at = tokio::time::Instant::now();
    r.fake.stall();
    let events = r
        .until(state_is(|s| matches!(s, UserState::Reconnecting { .. })))
        .await;
    let UserEvent::Health(s) = events.last().unwrap() else {
        unreachable!()
    };
    let UserState::Reconnecting { reason, attempt } = &s.state else {
        unreachable!()
    };
    assert_eq!((reason, *attempt), (&UserError::Stale(60), 1));
    let silent = stalled_at.elapsed();
    assert!(
        silent >= Duration::from_secs(60) && silent < Duration::from_secs(61),
        "{silent:?}"
    );
    r.until(is_live).await;
    let c = r.stream.status().counters;
    assert_eq!((c.stale, c.connections, c.reconciliations), (1, 2, 2));

    r.place(market_buy(1, "0.01")).await;
    let events = r.until(|e| matches!(e, UserEvent::Fill(_))).await;
    assert_eq!(
        fills(&events)[0].qty,
        super::d("0.01"),
        "the new socket delivers"
    );
}

#[tokio::test(start_paused = true)]
async fn the_connection_is_renewed_before_the_servers_lifetime_cut() {
    let (fake, clock) = fake().await;
    fake.set_ws_config(WsConfig {
        max_lifetime: Duration::from_secs(2 * 3600),
        ..WsConfig::default()
    });
    let mut cfg = config(&format!("{}/ws-api/v3", fake.ws_url()));
    cfg.max_lifetime = Duration::from_secs(3600 + 50 * 60);
    let mut r = start(fake, clock, hmac_signer(), cfg);
    r.until(is_live).await;
    let events = r.quiet_for(5 * 3600).await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, UserEvent::Health(s) if matches!(s.state, UserState::Reconnecting { .. }))),
        "a planned renewal needs no backoff: {events:#?}"
    );
    let c = r.stream.status().counters;
    assert_eq!((c.lifetime_cuts, c.connections), (2, 3), "at 1:50 and 3:40");
    assert!(
        c.pings >= 5 * 180 - 10,
        "pings answered all along: {}",
        c.pings
    );
    let stats = r.fake.ws_stats();
    assert!(
        stats.closed.iter().all(|(_, why)| *why == Closed::ByClient),
        "{:?}",
        stats.closed
    );
    let unanswered = stats.pings_sent - stats.pongs_received;
    assert!(
        unanswered <= c.lifetime_cuts,
        "only a ping racing a planned close: {unanswered}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_418_bans_every_sender_until_retry_after() {
    let (fake, clock) = fake().await;
    fake.fail(
        SUBSCRIBE,
        [Fault::Banned {
            retry_after_secs: 300,
        }],
    );
    let url = format!("{}/ws-api/v3", fake.ws_url());
    let mut r = start(fake, clock, hmac_signer(), config(&url));
    let events = r
        .until(state_is(|s| matches!(s, UserState::Banned { .. })))
        .await;
    let UserEvent::Health(s) = events.last().unwrap() else {
        unreachable!()
    };
    let UserState::Banned { until_ms } = s.state else {
        unreachable!()
    };
    assert_eq!(
        until_ms,
        super::T0 + 300_000,
        "retryAfter as Binance sent it"
    );
    assert!(
        r.client.banned_until().is_some(),
        "the shared limiter is banned too"
    );

    r.until(is_live).await;
    assert!(r.clock.now_ms() >= until_ms);
    assert_eq!(
        r.fake.requests_while_banned(),
        0,
        "nothing was sent during the ban"
    );
    assert_eq!(r.client.banned_until(), None);
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_for_retry_after_then_subscribes() {
    let (fake, clock) = fake().await;
    fake.fail(
        SUBSCRIBE,
        [Fault::RateLimited {
            retry_after_secs: 30,
        }],
    );
    let url = format!("{}/ws-api/v3", fake.ws_url());
    let mut r = start(fake, clock, hmac_signer(), config(&url));
    let events = r.until(is_live).await;
    let limited = events.iter().any(|e| {
        matches!(e, UserEvent::Health(s) if matches!(&s.state,
            UserState::Reconnecting { reason: UserError::RateLimited { .. }, attempt: 1 }))
    });
    assert!(limited, "{events:#?}");
    assert!(r.clock.now_ms() >= super::T0 + 30_000);
    assert_eq!(r.fake.retry_after_violations(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_timestamp_refusal_resyncs_the_clock_once_on_the_same_socket() {
    let (fake, clock) = fake().await;
    let msg = "Timestamp for this request is outside of the recvWindow.".to_string();
    fake.fail(SUBSCRIBE, [Fault::Reject { code: -1021, msg }]);
    let url = format!("{}/ws-api/v3", fake.ws_url());
    let mut r = start(fake, clock, hmac_signer(), config(&url));
    r.until(is_live).await;
    let methods = r.methods_sent();
    let want = ["time", "userDataStream.subscribe.signature"].repeat(2);
    assert_eq!(methods, want);
    assert_eq!(r.stream.status().counters.connections, 1);
    assert!(r.stream.status().last_error.is_none());
}
