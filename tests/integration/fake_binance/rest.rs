//! The REST front door: every request is charged its documented weight (or refused while banned
//! or over the limit), meets the next scripted fault of its route, is authenticated when the
//! endpoint is SIGNED, runs, and is logged. Public endpoints (`ping`, `time`, `exchangeInfo`,
//! `depth`, `klines`) are answered here; trading ones in `trade_api`. Invariant: every answer
//! carries `X-MBX-USED-WEIGHT-1M`, a fault that does not execute leaves the exchange as it was,
//! and every order request that arrives is recorded (`submissions`), whatever happens to it.

use super::faults::Fault;
use super::http::{HttpRequest, percent_decode, response};
use super::limits::Refusal;
use super::signing::{check_time, rest_payload, verifies};
use super::wire::{ApiError, Params};
use super::{Call, FakeBinance, info, trade_api};
use serde_json::json;

/// A successful answer: body and extra headers.
pub struct Answer {
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn json(v: serde_json::Value) -> Self {
        Self {
            body: v.to_string(),
            headers: Vec::new(),
        }
    }
}

/// Spec §4's weights.
fn weight(method: &str, path: &str, params: &Params) -> u32 {
    let has = |k: &str| params.get(k).is_some();
    match (method, path) {
        ("GET", "/api/v3/exchangeInfo" | "/api/v3/account") => 20,
        ("GET", "/api/v3/depth") => match params.int("limit").ok().flatten().unwrap_or(100) {
            ..=100 => 5,
            101..=500 => 25,
            501..=1000 => 50,
            _ => 250,
        },
        ("GET", "/api/v3/klines") => 2,
        ("GET", "/api/v3/order" | "/api/v3/orderList") => 4,
        ("GET", "/api/v3/openOrders") if has("symbol") => 6,
        ("GET", "/api/v3/openOrders") => 80,
        ("GET", "/api/v3/myTrades") if has("orderId") => 5,
        ("GET", "/api/v3/myTrades") => 20,
        _ => 1,
    }
}

fn is_signed(path: &str) -> bool {
    path.starts_with("/api/v3/order")
        || matches!(
            path,
            "/api/v3/openOrders" | "/api/v3/account" | "/api/v3/myTrades"
        )
}

/// The bytes to send back, or `None` to drop the connection.
pub async fn answer(fake: &FakeBinance, req: HttpRequest) -> Option<Vec<u8>> {
    let route = format!("{} {}", req.method, req.path);
    let params = req.params();
    let now = fake.now();
    let (charged, fault) = {
        let mut s = fake.state();
        let charged = s
            .limits
            .charge(now, weight(&req.method, &req.path, &params));
        let fault = charged.as_ref().ok().and_then(|_| s.faults.pop(&route));
        if route == "GET /api/v3/klines" {
            s.klines.log(&params, fault.clone());
        }
        if matches!(
            route.as_str(),
            "POST /api/v3/order" | "POST /api/v3/order/test" | "POST /api/v3/orderList/oco"
        ) {
            s.submissions.push(params.0.clone());
        }
        (charged, fault)
    };
    let weight_header = fake.state().limits.weight_header();
    let (status, mut headers, body) = match charged {
        Err(refusal) => refused(refusal),
        Ok(_) => match run(fake, &req, &params, &route, fault.clone()).await {
            Outcome::Answer(status, headers, body) => (status, headers, body),
            Outcome::Drop => {
                fake.record(&req, &params, 0, fault);
                return None;
            }
        },
    };
    headers.push(weight_header);
    fake.record(&req, &params, status, fault);
    Some(response(status, &headers, &body))
}

fn refused(refusal: Refusal) -> (u16, Vec<(String, String)>, String) {
    match refusal {
        Refusal::Banned { retry_after_secs } => banned(retry_after_secs),
        Refusal::OverWeight { retry_after_secs } => (
            429,
            vec![("Retry-After".to_string(), retry_after_secs.to_string())],
            ApiError::new(429, -1003, "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.").body(),
        ),
    }
}

fn banned(secs: u64) -> (u16, Vec<(String, String)>, String) {
    (
        418,
        vec![("Retry-After".to_string(), secs.to_string())],
        ApiError::new(418, -1003, "Way too much request weight used; IP banned until later. Please use WebSocket Streams for live updates to avoid bans.").body(),
    )
}

enum Outcome {
    Answer(u16, Vec<(String, String)>, String),
    Drop,
}

async fn run(
    fake: &FakeBinance,
    req: &HttpRequest,
    params: &Params,
    route: &str,
    fault: Option<Fault>,
) -> Outcome {
    if let Some(outcome) = fault.as_ref().and_then(|f| before(fake, f)) {
        return outcome;
    }
    if let Some(Fault::Slow(d)) = fault {
        tokio::time::sleep(d).await;
    }
    let (status, headers, body) = match execute(fake, req, params, route) {
        Ok(a) => (200, a.headers, a.body),
        Err(e) => {
            let retry = e
                .retry_after
                .map(|secs| ("Retry-After".to_string(), secs.to_string()));
            (e.status, retry.into_iter().collect(), e.body())
        }
    };
    let plain = |status: u16, body: String| Outcome::Answer(status, Vec::new(), body);
    match fault {
        Some(Fault::ExecutedThenServerError) => plain(502, BAD_GATEWAY.to_string()),
        Some(Fault::ExecutedThenDrop) => Outcome::Drop,
        Some(Fault::BackendTimeout { executed: true }) => plain(503, timeout_body()),
        Some(Fault::Malformed) => {
            let cut = (0..=body.len() / 2)
                .rev()
                .find(|i| body.is_char_boundary(*i));
            plain(200, body[..cut.unwrap_or(0)].to_string())
        }
        Some(Fault::ExecutedThenSlow(d)) => {
            tokio::time::sleep(d).await;
            Outcome::Answer(status, headers, body)
        }
        _ => Outcome::Answer(status, headers, body),
    }
}

const BAD_GATEWAY: &str = "<html>Bad Gateway</html>";

/// The answer of a fault that shows before anything runs; `None` lets the request run.
fn before(fake: &FakeBinance, fault: &Fault) -> Option<Outcome> {
    let now = fake.now();
    let plain = |status: u16, e: ApiError| Some(Outcome::Answer(status, Vec::new(), e.body()));
    match fault {
        Fault::RateLimited { retry_after_secs } => {
            fake.state().limits.told_to_wait(now, *retry_after_secs);
            let h = vec![("Retry-After".to_string(), retry_after_secs.to_string())];
            let msg =
                "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.";
            Some(Outcome::Answer(
                429,
                h,
                ApiError::new(429, -1003, msg).body(),
            ))
        }
        Fault::Banned { retry_after_secs } => {
            fake.state().limits.ban(now, *retry_after_secs);
            let (s, h, b) = banned(*retry_after_secs);
            Some(Outcome::Answer(s, h, b))
        }
        Fault::ServerError => Some(Outcome::Answer(502, Vec::new(), BAD_GATEWAY.to_string())),
        Fault::Drop => Some(Outcome::Drop),
        Fault::InvalidTimestamp => plain(
            400,
            ApiError::new(
                400,
                -1021,
                "Timestamp for this request is outside of the recvWindow.",
            ),
        ),
        Fault::Reject { code, msg } => plain(400, ApiError::new(400, *code, msg.clone())),
        Fault::BackendTimeout { executed: false } => {
            Some(Outcome::Answer(503, Vec::new(), timeout_body()))
        }
        _ => None,
    }
}

fn timeout_body() -> String {
    ApiError::new(503, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.").body()
}

fn execute(
    fake: &FakeBinance,
    req: &HttpRequest,
    params: &Params,
    route: &str,
) -> Result<Answer, ApiError> {
    let now = fake.now();
    match route {
        "GET /api/v3/ping" => Ok(Answer::json(json!({}))),
        "GET /api/v3/time" => Ok(Answer::json(json!({"serverTime": now}))),
        "GET /api/v3/exchangeInfo" => exchange_info(fake, params),
        "GET /api/v3/depth" => depth(fake, params),
        "GET /api/v3/klines" => {
            let s = fake.state();
            s.klines.answer(params, s.ex.fmt)
        }
        _ if is_signed(&req.path) => {
            authenticate(fake, req, params)?;
            trade_api::handle(fake, route, params)
        }
        _ => Err(ApiError::new(404, -1, "not found")),
    }
}

fn authenticate(fake: &FakeBinance, req: &HttpRequest, params: &Params) -> Result<(), ApiError> {
    let s = fake.state();
    let key = s.keys.get(req.header("x-mbx-apikey"))?;
    let (payload, signature) = rest_payload(&req.query, &req.body);
    let signature = signature.ok_or_else(|| ApiError::missing("signature"))?;
    if !verifies(key, payload.as_bytes(), &percent_decode(&signature)) {
        return Err(ApiError::invalid_signature());
    }
    check_time(params, fake.now())
}

fn exchange_info(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let s = fake.state();
    let mut wanted: Option<Vec<String>> = params.get("symbol").map(|x| vec![x.to_string()]);
    if let Some(list) = params.get("symbols") {
        wanted = Some(serde_json::from_str(list).map_err(|_| {
            ApiError::new(
                400,
                -1100,
                "Illegal characters found in parameter 'symbols'.",
            )
        })?);
    }
    let fmt = s.ex.fmt;
    let symbols = match wanted {
        Some(names) => names
            .iter()
            .map(|n| s.ex.spec(n).map(|spec| spec.to_json(fmt)))
            .collect::<Result<Vec<_>, _>>()?,
        None => {
            s.ex.symbols
                .values()
                .map(|spec| spec.to_json(fmt))
                .collect()
        }
    };
    let l = &s.limits;
    Ok(Answer::json(
        json!({"timezone": "UTC", "serverTime": fake.now(),
        "rateLimits": info::rate_limits(l.weight_limit, l.orders_10s_limit, l.orders_1d_limit),
        "exchangeFilters": [], "symbols": symbols}),
    ))
}

fn depth(fake: &FakeBinance, params: &Params) -> Result<Answer, ApiError> {
    let symbol = params.req("symbol")?;
    let limit = params.int("limit")?.unwrap_or(100).clamp(1, 5000);
    let s = fake.state();
    s.ex.spec(symbol)?;
    let book = &s.ex.books[symbol];
    let n = usize::try_from(limit).unwrap();
    let (bids, asks) = (
        book.levels(super::order::Side::Buy, n),
        book.levels(super::order::Side::Sell, n),
    );
    let fmt = s.ex.fmt;
    Ok(Answer::json(
        json!({"lastUpdateId": book.update_id, "bids": fmt.levels(&bids), "asks": fmt.levels(&asks)}),
    ))
}

/// For the call log.
pub fn call(
    req: &HttpRequest,
    params: &Params,
    status: u16,
    fault: Option<Fault>,
    at_ms: i64,
) -> Call {
    Call {
        method: req.method.clone(),
        path: req.path.clone(),
        params: params.0.clone(),
        api_key: req.header("x-mbx-apikey").map(str::to_string),
        status,
        fault,
        at_ms,
    }
}
