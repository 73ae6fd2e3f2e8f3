//! Fills through the user-data session: a market order's fill exactly once, a resting order's
//! partial fill then fill (numbers as JSON numbers), and fills missed while the socket was down
//! delivered once, in trade-id order, by the reconciliation after the reconnect.

use super::{
    d, fills, hmac_signer, id, is_live, limit_buy, market_buy, order_is, orders, rig_with,
};
use crate::fake_binance::Closed;
use std::collections::BTreeSet;
use std::time::Duration;
use tickdesk::binance::user::{Source, UserEvent, UserState};
use tickdesk::binance::wire::OrderState;
use tickdesk::core::Side;

#[tokio::test(start_paused = true)]
async fn hmac_subscribes_by_signature_and_a_market_fill_arrives_exactly_once() {
    let mut r = rig_with(hmac_signer()).await;
    let methods = r.methods_sent();
    assert!(
        methods.contains(&"userDataStream.subscribe.signature".to_string()),
        "{methods:?}"
    );
    assert!(
        !methods.iter().any(|m| m == "session.logon"),
        "HMAC keys cannot log on"
    );

    r.place(market_buy(1, "0.01")).await;
    let mut events = r.until(order_is(OrderState::Filled)).await;
    events.extend(r.quiet_for(120).await);
    let f = fills(&events);
    assert_eq!(f.len(), 1, "{events:#?}");
    let trade = &r.fake.trades()[0];
    assert_eq!((f[0].trade_id, f[0].order_id), (trade.id, trade.order_id));
    assert_eq!(f[0].client_order_id.as_deref(), Some(id(1).as_str()));
    assert_eq!((f[0].qty, f[0].price), (d("0.01"), d("64010")));
    assert_eq!(
        (f[0].side, f[0].maker, f[0].source),
        (Side::Buy, false, Source::Stream)
    );
    assert_eq!(f[0].commission, trade.commission);
    assert!(
        events.iter().any(
            |e| matches!(e, UserEvent::Balances(p) if p.balances.iter().any(|b| b.asset == "BTC"))
        ),
        "outboundAccountPosition after the fill"
    );
    assert_eq!(r.stream.status().counters.fills, 1);
}

#[tokio::test(start_paused = true)]
async fn a_resting_order_fills_partially_then_fully_with_numbers_as_json() {
    let mut r = rig_with(hmac_signer()).await;
    r.fake.numbers_as_json(true);
    r.place(limit_buy(1, "63995", "0.03")).await;
    r.until(order_is(OrderState::New)).await;
    r.fake.trade("BTCUSDT", "63995", "0.01");
    let partial = r.until(order_is(OrderState::PartiallyFilled)).await;
    r.fake.trade("BTCUSDT", "63995", "0.025");
    let rest = r.until(order_is(OrderState::Filled)).await;

    let (p, f) = (fills(&partial), fills(&rest));
    assert_eq!((p.len(), f.len()), (1, 1));
    assert_eq!((p[0].qty, f[0].qty), (d("0.01"), d("0.02")));
    assert!(p[0].trade_id < f[0].trade_id);
    assert!(
        p[0].maker && f[0].maker,
        "a resting order provides liquidity"
    );
    assert_eq!(p[0].price, d("63995"));
    let last = orders(&rest).pop().unwrap().clone();
    assert_eq!(
        (last.filled_qty, last.execution.is_some()),
        (d("0.03"), true)
    );
    let ids: Vec<u64> = r.fake.trades().iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![p[0].trade_id, f[0].trade_id]);
}

#[tokio::test(start_paused = true)]
async fn fills_missed_while_the_socket_was_down_arrive_once_in_order() {
    let mut r = rig_with(hmac_signer()).await;
    r.place(limit_buy(1, "63995", "0.03")).await;
    r.until(order_is(OrderState::New)).await;
    r.fake.trade("BTCUSDT", "63995", "0.01");
    r.until(order_is(OrderState::PartiallyFilled)).await;

    r.fake.user_data_outage(true);
    r.until(
        |e| matches!(e, UserEvent::Health(s) if matches!(s.state, UserState::Reconnecting { .. })),
    )
    .await;
    r.fake.trade("BTCUSDT", "63995", "0.01");
    r.fake.trade("BTCUSDT", "63995", "0.01");
    r.place(market_buy(2, "0.01")).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    r.fake.user_data_outage(false);
    let after = r.until(is_live).await;
    let later = r.quiet_for(120).await;
    assert!(fills(&later).is_empty(), "{later:#?}");

    let all = fills(&r.seen);
    let want: Vec<u64> = r.fake.trades().iter().map(|t| t.id).collect();
    let got: Vec<u64> = all.iter().map(|f| f.trade_id).collect();
    assert_eq!(got, want, "every fill once, in trade-id order");
    let sources: Vec<Source> = all.iter().map(|f| f.source).collect();
    assert_eq!(
        sources,
        [
            Source::Stream,
            Source::Reconciled,
            Source::Reconciled,
            Source::Reconciled
        ]
    );
    assert_eq!(all[1].client_order_id.as_deref(), Some(id(1).as_str()));
    assert_eq!(
        all[3].client_order_id, None,
        "placed and filled while away: order id only"
    );
    let order1 = orders(&after)
        .into_iter()
        .find(|u| u.client_order_id == id(1).as_str());
    let order1 = order1.expect("the order's state after reconciliation");
    assert_eq!(
        (order1.status, order1.source),
        (OrderState::Filled, Source::Reconciled)
    );
    let account = after.iter().rev().find_map(|e| match e {
        UserEvent::Balances(p) if p.source == Source::Reconciled => Some(p),
        _ => None,
    });
    let btc = account
        .expect("the account after reconciliation")
        .balances
        .iter();
    let btc = btc.clone().find(|b| b.asset == "BTC").unwrap();
    assert_eq!(
        (btc.free, btc.locked),
        (r.fake.balance("BTC").free, d("0")),
        "the balance after the missed fills, not a replay of missed balance events"
    );
    let c = r.stream.status().counters;
    assert_eq!((c.reconciliations, c.reconciled_fills, c.fills), (2, 3, 4));
    assert_eq!(
        c.duplicate_fills, 1,
        "REST returned the socket's fill again; it was dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stalled_consumer_delays_fills_but_never_loses_or_repeats_them() {
    let (fake, clock) = super::fake().await;
    let mut cfg = super::config(&format!("{}/ws-api/v3", fake.ws_url()));
    cfg.queue = 1;
    let mut r = super::start(fake, clock, hmac_signer(), cfg);
    r.until(is_live).await;
    for n in 1..=4 {
        r.place(market_buy(n, "0.01")).await;
    }
    // Nobody reads for two minutes: the session waits on the full queue, stops answering
    // pings, and the server drops it after its one-minute pong deadline.
    tokio::time::sleep(Duration::from_secs(120)).await;
    let closed = r.fake.ws_stats().closed;
    assert!(
        closed.iter().any(|(_, why)| *why == Closed::PongTimeout),
        "{closed:?}"
    );
    // Two more fills while the session has no socket: only REST can tell.
    for n in 5..=6 {
        r.place(market_buy(n, "0.01")).await;
    }
    r.until(is_live).await;
    r.quiet_for(60).await;

    let got: Vec<u64> = fills(&r.seen).iter().map(|f| f.trade_id).collect();
    let want: Vec<u64> = r.fake.trades().iter().map(|t| t.id).collect();
    assert_eq!(want.len(), 6);
    assert_eq!(got, want, "all six, once each, in order");
    // How many of the first four the session had read before the drop depends on socket
    // buffering; the rest come from REST. The last two can only come from REST.
    let sources: Vec<Source> = fills(&r.seen).iter().map(|f| f.source).collect();
    assert_eq!(sources[4..], [Source::Reconciled; 2], "{sources:?}");
    let streamed = sources.iter().filter(|s| **s == Source::Stream).count();
    assert!(streamed >= 1, "{sources:?}");
    let c = r.stream.status().counters;
    assert_eq!(
        c.duplicate_fills,
        u64::try_from(streamed).unwrap(),
        "REST listed the streamed fills again; each was dropped"
    );
    // An order whose reports were read has its final state; one whose every report was lost
    // (the trading client can only query by client id, which the stream never learnt) is
    // known by its fills alone.
    let filled: BTreeSet<String> = orders(&r.seen)
        .iter()
        .filter(|u| u.status == OrderState::Filled)
        .map(|u| u.client_order_id.clone())
        .collect();
    let streamed: BTreeSet<String> = fills(&r.seen)
        .iter()
        .filter(|f| f.source == Source::Stream)
        .filter_map(|f| f.client_order_id.clone())
        .collect();
    assert!(streamed.is_subset(&filled), "{streamed:?} {filled:?}");
}
