//! Frames in the shapes the WebSocket API documents (spec §9–10), prices as strings and as JSON
//! numbers.

use super::*;
use crate::binance::user::events::{ExecType, Source};
use crate::binance::wire::{OrderState, OrderType, TimeInForce};
use crate::core::Side;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A NEW report for a LIMIT buy, as user-data-stream.md lays it out (strings, `N` null).
const NEW_REPORT: &str = r#"{"subscriptionId":0,"event":{
 "e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"td-run1-7","S":"BUY","o":"LIMIT",
 "f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"",
 "x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000",
 "L":"0.00000000","n":"0","N":null,"T":1499405658657,"t":-1,"v":3,"I":8641984,"w":true,
 "m":false,"M":false,"O":1499405658657,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000",
 "W":1499405658657,"V":"NONE"}}"#;

/// A partial fill with every amount a bare JSON number.
const TRADE_REPORT_NUMBERS: &str = r#"{"subscriptionId":3,"event":{
 "e":"executionReport","E":1700000000123,"s":"BTCUSDT","c":"td-run1-8","S":"SELL",
 "o":"LIMIT","f":"GTC","q":0.5,"p":43000.1,"P":0,"F":0,"g":-1,"C":"","x":"TRADE",
 "X":"PARTIALLY_FILLED","r":"NONE","i":99,"l":0.2,"z":0.2,"L":43000.1,"n":0.00860002,
 "N":"USDT","T":1700000000120,"t":5501,"I":12,"w":false,"m":true,"M":true,
 "O":1699999990000,"Z":8600.02,"Y":8600.02,"Q":0}}"#;

fn execution(frame: &str) -> (OrderUpdate, Option<UserFill>, u64) {
    match parse(frame.as_bytes()).unwrap() {
        Frame::Event {
            subscription_id,
            event: Payload::Execution(u, f),
        } => (*u, f.map(|f| *f), subscription_id),
        other => panic!("not an execution report: {other:?}"),
    }
}

#[test]
fn a_new_order_report_is_an_update_without_a_fill() {
    let (u, fill, sub) = execution(NEW_REPORT);
    assert_eq!(sub, 0);
    assert!(fill.is_none(), "t = -1 and x = NEW: no fill");
    assert_eq!(u.symbol.as_str(), "ETHBTC");
    assert_eq!(
        (u.order_id, u.client_order_id.as_str()),
        (4_293_153, "td-run1-7")
    );
    assert_eq!((u.side, u.order_type), (Side::Buy, OrderType::Limit));
    assert_eq!(
        (u.status, u.execution),
        (OrderState::New, Some(ExecType::New))
    );
    assert_eq!((u.qty, u.price), (d("1"), d("0.10264410")));
    assert_eq!(u.price.to_string(), "0.10264410", "scale kept exactly");
    assert_eq!(
        (u.stop_price, u.reject_reason.as_deref(), u.order_list_id),
        (None, None, None)
    );
    assert_eq!((u.time, u.source), (1_499_405_658_657, Source::Stream));
    assert_eq!(u.time_in_force, Some(TimeInForce::Gtc));
}

#[test]
fn a_trade_report_with_json_numbers_yields_an_exact_fill() {
    let (u, fill, sub) = execution(TRADE_REPORT_NUMBERS);
    assert_eq!(sub, 3);
    assert_eq!(u.status, OrderState::PartiallyFilled);
    assert_eq!(
        (u.filled_qty, u.filled_quote),
        (d("0.2"), Some(d("8600.02")))
    );
    let f = fill.expect("x = TRADE carries a fill");
    assert_eq!((f.trade_id, f.order_id), (5501, 99));
    assert_eq!(f.client_order_id.as_deref(), Some("td-run1-8"));
    assert_eq!(
        (f.qty, f.price, f.quote_qty),
        (d("0.2"), d("43000.1"), d("8600.02"))
    );
    assert_eq!(f.commission, d("0.00860002"), "no f64 rounding");
    assert_eq!(f.commission_asset.as_deref(), Some("USDT"));
    assert!(f.maker);
    assert_eq!((f.side, f.time), (Side::Sell, 1_700_000_000_120));
}

#[test]
fn a_cancel_names_the_original_client_id_and_a_rejection_its_reason() {
    let cancel = NEW_REPORT
        .replace(r#""c":"td-run1-7""#, r#""c":"cancel-req-1""#)
        .replace(r#""C":"""#, r#""C":"td-run1-7""#)
        .replace(r#""x":"NEW","X":"NEW""#, r#""x":"CANCELED","X":"CANCELED""#);
    let (u, _, _) = execution(&cancel);
    assert_eq!(u.client_order_id, "td-run1-7");
    assert_eq!(u.status, OrderState::Canceled);
    let rejected = NEW_REPORT.replace(
        r#""x":"NEW","X":"NEW","r":"NONE""#,
        r#""x":"REJECTED","X":"REJECTED","r":"INSUFFICIENT_BALANCE""#,
    );
    let (u, fill, _) = execution(&rejected);
    assert_eq!(u.reject_reason.as_deref(), Some("INSUFFICIENT_BALANCE"));
    assert_eq!(u.execution, Some(ExecType::Rejected));
    assert!(fill.is_none());
}

#[test]
fn balances_deltas_and_termination() {
    let pos = r#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1564034571105,
        "u":1564034571073,"B":[{"a":"ETH","f":"10000.000000","l":"0.000000"},
        {"a":"USDT","f":1999.5,"l":0.25}]}}"#;
    let Frame::Event {
        event: Payload::Position(p),
        ..
    } = parse(pos.as_bytes()).unwrap()
    else {
        panic!("not a position");
    };
    assert_eq!(
        (p.event_time, p.update_time),
        (1_564_034_571_105, 1_564_034_571_073)
    );
    assert_eq!(p.balances[0].asset, "ETH");
    assert_eq!(p.balances[0].free.to_string(), "10000.000000");
    assert_eq!(
        (p.balances[1].free, p.balances[1].locked),
        (d("1999.5"), d("0.25"))
    );

    let delta = r#"{"subscriptionId":0,"event":{"e":"balanceUpdate","E":1573200697110,
        "a":"BTC","d":"-100.00000000","T":1573200697068}}"#;
    let Frame::Event {
        event: Payload::Balance(b),
        ..
    } = parse(delta.as_bytes()).unwrap()
    else {
        panic!("not a balance update");
    };
    assert_eq!((b.asset.as_str(), b.delta), ("BTC", d("-100")));
    assert_eq!(b.clear_time, 1_573_200_697_068);

    let end = r#"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#;
    assert_eq!(
        parse(end.as_bytes()).unwrap(),
        Frame::Event {
            subscription_id: 0,
            event: Payload::Terminated
        }
    );
    let other = r#"{"subscriptionId":0,"event":{"e":"externalLockUpdate","E":1,"a":"NEO"}}"#;
    assert!(matches!(
        parse(other.as_bytes()).unwrap(),
        Frame::Event { event: Payload::Other(name), .. } if name == "externalLockUpdate"
    ));
    let bye = r#"{"e":"serverShutdown","E":1727000000000}"#;
    assert_eq!(parse(bye.as_bytes()).unwrap(), Frame::Shutdown);
}

#[test]
fn responses_carry_results_errors_retry_after_and_weight() {
    let ok = r#"{"id":4,"status":200,"result":{"subscriptionId":0},"rateLimits":[
        {"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":12}]}"#;
    let Frame::Response(r) = parse(ok.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!((r.id, r.status, r.used_weight), (Some(4), 200, Some(12)));
    assert_eq!(r.result.unwrap()["subscriptionId"], 0);

    let banned = r#"{"id":5,"status":418,"error":{"code":-1003,"msg":"Way too much request weight used; IP banned until 1659146400000.",
        "data":{"serverTime":1659142907531,"retryAfter":1659146400000}}}"#;
    let Frame::Response(r) = parse(banned.as_bytes()).unwrap() else {
        panic!()
    };
    let e = r.error.unwrap();
    assert_eq!(
        (r.status, e.code, e.retry_after_ms),
        (418, -1003, Some(1_659_146_400_000))
    );

    let refused = r#"{"id":6,"status":401,"error":{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}}"#;
    let Frame::Response(r) = parse(refused.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(r.error.unwrap().retry_after_ms, None);
}

#[test]
fn malformed_frames_say_why() {
    assert!(parse(b"{\"subscriptionId\":0").is_err());
    assert!(parse(br#"{"hello":1}"#).unwrap_err().contains("neither"));
    let bad_price = NEW_REPORT.replace(r#""p":"0.10264410""#, r#""p":"ten""#);
    let why = parse(bad_price.as_bytes()).unwrap_err();
    assert!(why.starts_with("executionReport"), "{why}");
    let bad_side = NEW_REPORT.replace(r#""S":"BUY""#, r#""S":"HOLD""#);
    assert!(parse(bad_side.as_bytes()).unwrap_err().contains("HOLD"));
}
