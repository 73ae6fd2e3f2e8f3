//! The SIGNED REST endpoints, after authentication: parameters parsed and checked as Binance does
//! (`-1102` missing, `-1106` not required, `-1111` too precise, `-1015` too many orders), then
//! handed to the matching engine, and answered in spec §5's shapes (`newOrderRespType` defaults:
//! FULL for MARKET and LIMIT, ACK for the rest). Invariant: a refused request changes nothing.

use super::FakeBinance;
use super::checks::NewOrder;
use super::order::{Kind, Side, Tif};
use super::render;
use super::rest::Answer;
use super::triggers::{Leg, NewOco};
use super::wire::{ApiError, Params};
use rust_decimal::Decimal;
use serde_json::{Value, json};

pub fn handle(fake: &FakeBinance, route: &str, params: &Params) -> Result<Answer, ApiError> {
    match route {
        "POST /api/v3/order" => new_order(fake, params, false),
        "POST /api/v3/order/test" => new_order(fake, params, true),
        "GET /api/v3/order" => query_order(fake, params),
        "DELETE /api/v3/order" => cancel_order(fake, params),
        "GET /api/v3/openOrders" => open_orders(fake, params),
        "DELETE /api/v3/openOrders" => cancel_all(fake, params),
        "GET /api/v3/account" => {
            let omit = params.get("omitZeroBalances") == Some("true");
            let s = fake.state();
            Ok(Answer::json(render::account(s.ex.fmt, &s.ex.account, omit)))
        }
        "GET /api/v3/myTrades" => my_trades(fake, params),
        "POST /api/v3/orderList/oco" => new_oco(fake, params),
        "GET /api/v3/orderList" => order_list(fake, params, false),
        "DELETE /api/v3/orderList" => order_list(fake, params, true),
        _ => Err(ApiError::new(404, -1, "not found")),
    }
}

fn dec(params: &Params, name: &str) -> Result<Option<Decimal>, ApiError> {
    let v = params.dec(name)?;
    if v.is_some_and(|d| d.scale() > 8) {
        return Err(ApiError::new(
            400,
            -1111,
            "Precision is over the maximum defined for this asset.",
        ));
    }
    Ok(v)
}

fn not_required(name: &str) -> ApiError {
    ApiError::new(
        400,
        -1106,
        format!("Parameter '{name}' sent when not required."),
    )
}

/// An optional decimal parameter that `needed` makes mandatory and its absence forbids.
fn wanted(params: &Params, name: &str, needed: bool) -> Result<Option<Decimal>, ApiError> {
    match (dec(params, name)?, needed) {
        (None, true) => Err(ApiError::missing(name)),
        (Some(_), false) => Err(not_required(name)),
        (v, _) => Ok(v),
    }
}

/// `quantity` or (MARKET only) `quoteOrderQty`, exactly one of them.
fn amounts(params: &Params, kind: Kind) -> Result<(Option<Decimal>, Option<Decimal>), ApiError> {
    let (qty, quote_qty) = (dec(params, "quantity")?, dec(params, "quoteOrderQty")?);
    match (kind, qty, quote_qty) {
        (Kind::Market, None, None) => Err(ApiError::new(
            400,
            -1102,
            "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
        )),
        (Kind::Market, Some(_), Some(_)) | (_, Some(_), Some(_)) => {
            Err(not_required("quoteOrderQty"))
        }
        (Kind::Market, _, _) => Ok((qty, quote_qty)),
        (_, None, _) => Err(ApiError::missing("quantity")),
        _ => Ok((qty, None)),
    }
}

/// `POST /api/v3/order`'s parameters as a typed order.
pub fn parse_order(params: &Params) -> Result<NewOrder, ApiError> {
    let symbol = params.req("symbol")?.to_string();
    let side = Side::parse(params.req("side")?)?;
    let kind = Kind::parse(params.req("type")?)?;
    let tif = params.get("timeInForce").map(Tif::parse).transpose()?;
    let needs_tif = matches!(
        kind,
        Kind::Limit | Kind::StopLossLimit | Kind::TakeProfitLimit
    );
    match (needs_tif, tif) {
        (true, None) => return Err(ApiError::missing("timeInForce")),
        (false, Some(_)) if !kind.has_price() => return Err(not_required("timeInForce")),
        _ => {}
    }
    let (qty, quote_qty) = amounts(params, kind)?;
    Ok(NewOrder {
        symbol,
        side,
        kind,
        tif,
        qty,
        quote_qty,
        price: wanted(params, "price", kind.has_price())?,
        stop: wanted(params, "stopPrice", kind.is_stop())?,
        client_id: params.get("newClientOrderId").map(str::to_string),
    })
}

fn new_order(fake: &FakeBinance, params: &Params, test_only: bool) -> Result<Answer, ApiError> {
    let new = parse_order(params)?;
    let now = fake.now();
    if test_only {
        let s = fake.state();
        s.ex.check(&s.ex.spec(&new.symbol)?, &new)?;
        return Ok(Answer::json(json!({})));
    }
    let mut s = fake.state();
    let spec = s.ex.spec(&new.symbol)?;
    s.ex.check(&spec, &new)?;
    s.limits.count_orders(now, 1)?;
    let headers = s.limits.order_headers();
    drop(s);
    let id = fake.exchange(|ex| ex.place(&new))?;
    let s = fake.state();
    let o = s.ex.order(id);
    let default_full = matches!(new.kind, Kind::Market | Kind::Limit);
    let body = match params.get("newOrderRespType") {
        Some("ACK") => render::ack(o),
        Some("RESULT") => render::result(s.ex.fmt, o),
        Some("FULL") => render::full(s.ex.fmt, o),
        _ if default_full => render::full(s.ex.fmt, o),
        _ => render::ack(o),
    };
    Ok(Answer {
        body: body.to_string(),
        headers,
    })
}

fn order_ref(params: &Params) -> Result<(String, Option<i64>, Option<String>), ApiError> {
    let symbol = params.req("symbol")?.to_string();
    let id = params.int("orderId")?;
    let client = params.get("origClientOrderId").map(str::to_string);
    if id.is_none() && client.is_none() {
        return Err(ApiError::new(
            400,
            -1102,
            "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
        ));
    }
    Ok((symbol, id, client))
}

fn query_order(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let (symbol, id, client) = order_ref(params)?;
    let s = fake.state();
    s.ex.spec(&symbol)?;
    let found =
        s.ex.find(&symbol, id, client.as_deref())
            .ok_or_else(ApiError::no_such_order)?;
    Ok(Answer::json(render::query(s.ex.fmt, s.ex.order(found))))
}

fn cancel_order(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let (symbol, id, client) = order_ref(params)?;
    let mut s = fake.state();
    s.ex.spec(&symbol)?;
    let found =
        s.ex.find(&symbol, id, client.as_deref())
            .filter(|f| s.ex.order(*f).status.is_open());
    let found = found.ok_or_else(ApiError::unknown_order)?;
    let status = s.ex.order(found).status.as_str();
    let restricted = match params.get("cancelRestrictions") {
        Some("ONLY_NEW") => status != "NEW",
        Some("ONLY_PARTIALLY_FILLED") => status != "PARTIALLY_FILLED",
        _ => false,
    };
    if restricted {
        return Err(ApiError::new(
            400,
            -2011,
            "Order was not canceled due to cancel restrictions.",
        ));
    }
    let cancel_id = match params.get("newClientOrderId") {
        Some(c) => c.to_string(),
        None => s.ex.generated_client_id(),
    };
    drop(s);
    fake.exchange(|ex| ex.cancel(found, &cancel_id));
    let s = fake.state();
    Ok(Answer::json(render::canceled(
        s.ex.fmt,
        s.ex.order(found),
        &cancel_id,
        fake.now(),
    )))
}

fn open_orders(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let s = fake.state();
    let symbol = params.get("symbol");
    if let Some(sym) = symbol {
        s.ex.spec(sym)?;
    }
    let list: Vec<Value> =
        s.ex.open_orders(symbol)
            .into_iter()
            .map(|o| render::query(s.ex.fmt, o))
            .collect();
    Ok(Answer::json(Value::Array(list)))
}

fn cancel_all(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let symbol = params.req("symbol")?.to_string();
    let mut s = fake.state();
    s.ex.spec(&symbol)?;
    let open: Vec<(u64, i64)> =
        s.ex.open_orders(Some(&symbol))
            .iter()
            .map(|o| (o.id, o.list_id))
            .collect();
    if open.is_empty() {
        return Err(ApiError::unknown_order());
    }
    let cancel_id = s.ex.generated_client_id();
    drop(s);
    let mut seen_lists = Vec::new();
    let mut answers = Vec::new();
    for (id, list_id) in open {
        if list_id >= 0 && seen_lists.contains(&list_id) {
            continue;
        }
        seen_lists.push(list_id);
        fake.exchange(|ex| ex.cancel(id, &cancel_id));
        let s = fake.state();
        let (fmt, now) = (s.ex.fmt, fake.now());
        answers.push(match u64::try_from(list_id) {
            Ok(l) => list_with_reports(&s.ex, l, &cancel_id, now),
            Err(_) => render::canceled(fmt, s.ex.order(id), &cancel_id, now),
        });
    }
    Ok(Answer::json(Value::Array(answers)))
}

fn list_with_reports(
    ex: &super::exchange::Exchange,
    list_id: u64,
    cancel_id: &str,
    now: i64,
) -> Value {
    let l = &ex.lists[&list_id];
    let reports = l
        .legs
        .iter()
        .map(|id| render::canceled(ex.fmt, ex.order(*id), cancel_id, now))
        .collect();
    render::list(l, &ex.orders, now, reports)
}

fn my_trades(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let symbol = params.req("symbol")?;
    let (order_id, from_id) = (params.int("orderId")?, params.int("fromId")?);
    let (start, end) = (params.int("startTime")?, params.int("endTime")?);
    let limit = usize::try_from(params.int("limit")?.unwrap_or(500).clamp(1, 1000)).unwrap();
    let s = fake.state();
    s.ex.spec(symbol)?;
    let as_i64 = |x: u64| i64::try_from(x).unwrap();
    let trades: Vec<Value> =
        s.ex.account
            .trades
            .iter()
            .filter(|t| t.symbol == symbol)
            .filter(|t| order_id.is_none_or(|o| as_i64(t.order_id) == o))
            .filter(|t| from_id.is_none_or(|f| as_i64(t.id) >= f))
            .filter(|t| start.is_none_or(|st| t.time >= st) && end.is_none_or(|e| t.time <= e))
            .take(limit)
            .map(|t| render::trade(s.ex.fmt, t))
            .collect();
    Ok(Answer::json(Value::Array(trades)))
}

fn leg(params: &Params, prefix: &str) -> Result<Leg, ApiError> {
    let name = |k: &str| format!("{prefix}{k}");
    let kind = Kind::parse(params.req(&name("Type"))?)?;
    let tif = params
        .get(&name("TimeInForce"))
        .map(Tif::parse)
        .transpose()?;
    if matches!(kind, Kind::StopLossLimit | Kind::TakeProfitLimit) && tif.is_none() {
        return Err(ApiError::missing(&name("TimeInForce")));
    }
    let price = dec(params, &name("Price"))?;
    if kind.has_price() && price.is_none() {
        return Err(ApiError::missing(&name("Price")));
    }
    let stop = dec(params, &name("StopPrice"))?;
    if kind.is_stop() && stop.is_none() {
        return Err(ApiError::missing(&name("StopPrice")));
    }
    let client_id = params.get(&name("ClientOrderId")).map(str::to_string);
    Ok(Leg {
        kind,
        price,
        stop,
        tif,
        client_id,
    })
}

/// `POST /api/v3/orderList/oco`, the endpoint that replaced `POST /api/v3/order/oco`. What the
/// fake relies on (the shared spec does not cover OCO; from Binance's published docs as third-party
/// SDKs mirror them): parameters `symbol, side, quantity, listClientOrderId, newOrderRespType` and
/// per leg `aboveType/belowType, abovePrice/belowPrice, aboveStopPrice/belowStopPrice,
/// aboveTimeInForce/belowTimeInForce, aboveClientOrderId/belowClientOrderId`; SELL lists put
/// LIMIT_MAKER or TAKE_PROFIT(_LIMIT) above and STOP_LOSS(_LIMIT) below, BUY lists the reverse
/// (`-1158` otherwise); the prices must straddle the last trade (`-2010 "The relationship of the
/// prices for the orders is not correct."`); weight 1, two orders counted; the answer is the list
/// (`orderListId, contingencyType "OCO", listStatusType, listOrderStatus, listClientOrderId,
/// transactionTime, symbol, orders[{symbol,orderId,clientOrderId}], orderReports[…]`). The fake's
/// own choices: legs in `orders` below first (lower order id); a leg's first fill or trigger
/// expires the other leg.
fn new_oco(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let oco = NewOco {
        symbol: params.req("symbol")?.to_string(),
        side: Side::parse(params.req("side")?)?,
        qty: dec(params, "quantity")?.ok_or_else(|| ApiError::missing("quantity"))?,
        list_client_id: params.get("listClientOrderId").map(str::to_string),
        above: leg(params, "above")?,
        below: leg(params, "below")?,
    };
    let now = fake.now();
    let mut s = fake.state();
    s.ex.spec(&oco.symbol)?;
    s.limits.count_orders(now, 2)?;
    let headers = s.limits.order_headers();
    drop(s);
    let list_id = fake.exchange(|ex| ex.place_oco(&oco))?;
    let s = fake.state();
    let l = &s.ex.lists[&list_id];
    let reports = l
        .legs
        .iter()
        .map(|id| render::result(s.ex.fmt, s.ex.order(*id)))
        .collect();
    let mut body = render::list(l, &s.ex.orders, now, reports);
    body["transactionTime"] = json!(l.time);
    Ok(Answer {
        body: body.to_string(),
        headers,
    })
}

/// `GET` or `DELETE /api/v3/orderList` by `orderListId` or `listClientOrderId`.
fn order_list(fake: &FakeBinance, params: &Params, cancel: bool) -> Result<Answer, ApiError> {
    let id = params.int("orderListId")?;
    let client = params.get("listClientOrderId");
    let mut s = fake.state();
    let found = s.ex.lists.values().filter(|l| {
        id.is_none_or(|i| i64::try_from(l.id).is_ok_and(|lid| lid == i))
            && client.is_none_or(|c| l.client_id == c)
    });
    let found = found.max_by_key(|l| l.id).map(|l| (l.id, l.done));
    let Some((list_id, done)) = found.filter(|_| id.is_some() || client.is_some()) else {
        return Err(if cancel {
            ApiError::unknown_order()
        } else {
            ApiError::no_such_order()
        });
    };
    if !cancel {
        let mut v = render::list(&s.ex.lists[&list_id], &s.ex.orders, fake.now(), Vec::new());
        v.as_object_mut().unwrap().remove("orderReports");
        return Ok(Answer::json(v));
    }
    if done {
        return Err(ApiError::unknown_order());
    }
    let cancel_id = s.ex.generated_client_id();
    drop(s);
    fake.exchange(|ex| ex.cancel_list(list_id, &cancel_id));
    let s = fake.state();
    Ok(Answer::json(list_with_reports(
        &s.ex,
        list_id,
        &cancel_id,
        fake.now(),
    )))
}
