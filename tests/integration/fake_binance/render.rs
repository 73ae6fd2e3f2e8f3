//! The JSON shapes the fake sends about orders and the account, field for field as spec §5 and
//! §10 list them: order answers (ACK, RESULT, FULL), query and cancel objects, order lists,
//! `executionReport`, `listStatus`, `outboundAccountPosition`, `balanceUpdate`, account and trade
//! objects. Invariant: prices and quantities go through `Fmt` (strings or numbers as switched),
//! ids and times are JSON numbers.

use super::account::{Account, Balance, TradeRecord};
use super::exchange::OrderList;
use super::order::{Fill, Order};
use super::wire::Fmt;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn extend(mut base: Value, more: Value) -> Value {
    if let (Some(b), Value::Object(m)) = (base.as_object_mut(), more) {
        b.extend(m);
    }
    base
}

pub fn ack(o: &Order) -> Value {
    json!({"symbol": o.symbol, "orderId": o.id, "orderListId": o.list_id,
        "clientOrderId": o.client_id, "transactTime": o.time})
}

fn terms(fmt: Fmt, o: &Order) -> Value {
    let mut v = json!({"price": fmt.dec(o.price), "origQty": fmt.dec(o.qty),
        "executedQty": fmt.dec(o.executed), "origQuoteOrderQty": fmt.dec(o.quote_qty),
        "cummulativeQuoteQty": fmt.dec(o.cum_quote), "status": o.status.as_str(),
        "timeInForce": o.tif.as_str(), "type": o.kind.as_str(), "side": o.side.as_str(),
        "selfTradePreventionMode": "EXPIRE_MAKER"});
    if let Some(stop) = o.stop {
        v["stopPrice"] = fmt.dec(stop);
    }
    v
}

pub fn result(fmt: Fmt, o: &Order) -> Value {
    let mut v = extend(ack(o), terms(fmt, o));
    v["workingTime"] = json!(o.working_time);
    v
}

pub fn full(fmt: Fmt, o: &Order) -> Value {
    let fills: Vec<Value> = o
        .fills
        .iter()
        .map(|f| {
            json!({"price": fmt.dec(f.price), "qty": fmt.dec(f.qty),
                "commission": fmt.dec(f.commission), "commissionAsset": f.commission_asset,
                "tradeId": f.trade_id})
        })
        .collect();
    extend(result(fmt, o), json!({"fills": fills}))
}

/// `GET /api/v3/order` and `openOrders` objects.
pub fn query(fmt: Fmt, o: &Order) -> Value {
    let mut v = json!({"symbol": o.symbol, "orderId": o.id, "orderListId": o.list_id,
        "clientOrderId": o.client_id, "stopPrice": fmt.dec(o.stop.unwrap_or_default()),
        "icebergQty": fmt.dec(Decimal::ZERO), "time": o.time, "updateTime": o.update_time,
        "isWorking": o.working, "workingTime": o.working_time});
    v = extend(v, terms(fmt, o));
    v["stopPrice"] = fmt.dec(o.stop.unwrap_or_default());
    v
}

/// A cancel answer for one order.
pub fn canceled(fmt: Fmt, o: &Order, cancel_id: &str, now: i64) -> Value {
    let v = json!({"symbol": o.symbol, "origClientOrderId": o.client_id, "orderId": o.id,
        "orderListId": o.list_id, "clientOrderId": cancel_id, "transactTime": now});
    extend(v, terms(fmt, o))
}

/// An order list with its legs, and their reports when `reports` gives them.
pub fn list(l: &OrderList, orders: &BTreeMap<u64, Order>, now: i64, reports: Vec<Value>) -> Value {
    let legs: Vec<Value> = l
        .legs
        .iter()
        .map(|id| json!({"symbol": l.symbol, "orderId": id, "clientOrderId": orders[id].client_id}))
        .collect();
    let (status, order_status) = if l.done {
        ("ALL_DONE", "ALL_DONE")
    } else {
        ("EXEC_STARTED", "EXECUTING")
    };
    json!({"orderListId": l.id, "contingencyType": "OCO", "listStatusType": status,
        "listOrderStatus": order_status, "listClientOrderId": l.client_id,
        "transactionTime": now, "symbol": l.symbol, "orders": legs, "orderReports": reports})
}

pub fn list_status(l: &OrderList, orders: &BTreeMap<u64, Order>, now: i64) -> Value {
    let legs: Vec<Value> = l
        .legs
        .iter()
        .map(|id| json!({"s": l.symbol, "i": id, "c": orders[id].client_id}))
        .collect();
    let (status, order_status) = if l.done {
        ("ALL_DONE", "ALL_DONE")
    } else {
        ("EXEC_STARTED", "EXECUTING")
    };
    json!({"e": "listStatus", "E": now, "s": l.symbol, "g": l.id, "c": "OCO", "l": status,
        "L": order_status, "r": "NONE", "C": l.client_id, "T": now, "O": legs})
}

/// Every field spec §10 lists for `executionReport`.
/// `exec_id` is the report's execution id (`I`).
pub fn execution_report(
    fmt: Fmt,
    o: &Order,
    (x, exec_id): (&str, u64),
    fill: Option<&Fill>,
    cancel_id: Option<&str>,
    now: i64,
) -> Value {
    let zero = Decimal::ZERO;
    let (c, orig) = match cancel_id {
        Some(cid) => (cid.to_string(), o.client_id.clone()),
        None => (o.client_id.clone(), String::new()),
    };
    let mut v = json!({"e": "executionReport", "E": now, "s": o.symbol, "c": c,
        "S": o.side.as_str(), "o": o.kind.as_str(), "f": o.tif.as_str(), "q": fmt.dec(o.qty),
        "p": fmt.dec(o.price), "P": fmt.dec(o.stop.unwrap_or_default()), "F": fmt.dec(zero),
        "g": o.list_id, "C": orig, "x": x, "X": o.status.as_str(), "r": "NONE", "i": o.id,
        "l": fmt.dec(fill.map_or(zero, |f| f.qty)), "z": fmt.dec(o.executed),
        "L": fmt.dec(fill.map_or(zero, |f| f.price)),
        "n": fmt.dec(fill.map_or(zero, |f| f.commission)),
        "N": fill.map(|f| f.commission_asset.clone()), "T": now,
        "t": fill.map_or(-1, |f| i64::try_from(f.trade_id).unwrap()),
        "I": exec_id,
        "w": o.resting || (o.working && o.status.is_open() && !o.kind.is_market_like()),
        "m": fill.is_some_and(|f| f.maker), "M": false, "O": o.time,
        "Z": fmt.dec(o.cum_quote), "Y": fmt.dec(fill.map_or(zero, |f| f.price * f.qty)),
        "Q": fmt.dec(o.quote_qty), "V": "EXPIRE_MAKER"});
    if o.working {
        v["W"] = json!(o.working_time);
    }
    v
}

pub fn account_position(fmt: Fmt, changed: &[(String, Balance)], now: i64) -> Value {
    let balances: Vec<Value> = changed
        .iter()
        .map(|(a, b)| json!({"a": a, "f": fmt.dec(b.free), "l": fmt.dec(b.locked)}))
        .collect();
    json!({"e": "outboundAccountPosition", "E": now, "u": now, "B": balances})
}

pub fn balance_update(fmt: Fmt, asset: &str, delta: Decimal, now: i64) -> Value {
    json!({"e": "balanceUpdate", "E": now, "a": asset, "d": fmt.dec(delta), "T": now})
}

pub fn account(fmt: Fmt, a: &Account, omit_zero: bool) -> Value {
    let balances: Vec<Value> = a
        .balances
        .iter()
        .filter(|(_, b)| !(omit_zero && b.free.is_zero() && b.locked.is_zero()))
        .map(|(asset, b)| json!({"asset": asset, "free": fmt.dec(b.free), "locked": fmt.dec(b.locked)}))
        .collect();
    let rates = json!({"maker": fmt.dec(a.maker_rate), "taker": fmt.dec(a.taker_rate),
        "buyer": fmt.dec(Decimal::ZERO), "seller": fmt.dec(Decimal::ZERO)});
    let bps = |r: Decimal| {
        (r * Decimal::from(10_000))
            .trunc()
            .to_string()
            .parse::<i64>()
            .unwrap()
    };
    json!({"makerCommission": bps(a.maker_rate), "takerCommission": bps(a.taker_rate),
        "buyerCommission": 0, "sellerCommission": 0, "commissionRates": rates,
        "canTrade": true, "canWithdraw": true, "canDeposit": true, "brokered": false,
        "requireSelfTradePrevention": false, "preventSor": false,
        "updateTime": a.update_time, "accountType": "SPOT", "balances": balances,
        "permissions": ["SPOT"], "uid": 354_937_868})
}

pub fn trade(fmt: Fmt, t: &TradeRecord) -> Value {
    json!({"symbol": t.symbol, "id": t.id, "orderId": t.order_id, "orderListId": t.list_id,
        "price": fmt.dec(t.price), "qty": fmt.dec(t.qty), "quoteQty": fmt.dec(t.quote_qty),
        "commission": fmt.dec(t.commission), "commissionAsset": t.commission_asset,
        "time": t.time, "isBuyer": t.is_buyer, "isMaker": t.is_maker, "isBestMatch": true})
}
