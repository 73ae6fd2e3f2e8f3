//! One WebSocket API connection (`/ws-api/v3`, spec §9–10): JSON requests `{id, method, params}`
//! answered `{id, status, result | error, rateLimits}`; `ping`, `time`, `session.logon` (Ed25519
//! keys only), `session.status`, `session.logout`, `userDataStream.subscribe` (after logon),
//! `userDataStream.subscribe.signature` (any key; payload = params sorted by name) and
//! `userDataStream.unsubscribe`; user events forwarded as `{"subscriptionId": N, "event": {…}}`.
//! Rate limits share the REST weight budget; 429/418 carry `retryAfter` in epoch ms. Scripted
//! faults use routes `"WS <method>"`. Invariant: user events reach this connection only while it
//! holds a subscription, and `eventStreamTerminated` is the last event of every subscription.
//! Where the spec names no error code (logon with a non-Ed25519 key, subscribe before logon, a
//! second subscription, unknown methods) the fake answers `-1002` or `-1020`.

use super::FakeBinance;
use super::exchange::Event;
use super::faults::Fault;
use super::limits::Refusal;
use super::signing::{KeyKind, check_time, raw_value, verifies, ws_payload};
use super::wire::{ApiError, Params};
use serde_json::{Map, Value, json};

/// The spec gives no code for these refusals; the fake uses Binance's generic ones.
fn unauthorized() -> ApiError {
    ApiError::new(
        401,
        -1002,
        "You are not authorized to execute this request.",
    )
}

fn unsupported() -> ApiError {
    ApiError::new(400, -1020, "This operation is not supported.")
}

pub struct ApiSession {
    fake: FakeBinance,
    logged_in: Option<String>,
    subscription: Option<u64>,
    next_sub: u64,
    connected_at: i64,
}

/// Frames to send back, and whether to drop the connection afterwards.
pub type Reply = (Vec<String>, bool);

fn weight(method: &str) -> u32 {
    match method {
        "ping" | "time" => 1,
        _ => 2,
    }
}

impl ApiSession {
    pub fn new(fake: FakeBinance) -> Self {
        let connected_at = fake.now();
        Self {
            fake,
            logged_in: None,
            subscription: None,
            next_sub: 0,
            connected_at,
        }
    }

    pub fn on_event(&self, event: &Event) -> Vec<String> {
        match (event, self.subscription) {
            (Event::User(v), Some(id)) => {
                vec![json!({"subscriptionId": id, "event": v}).to_string()]
            }
            (Event::Shutdown(v), _) => vec![v.to_string()],
            _ => Vec::new(),
        }
    }

    pub fn on_text(&mut self, text: &str) -> Reply {
        let Ok(req) = serde_json::from_str::<Value>(text) else {
            let e = ApiError::new(400, -1135, "Invalid JSON Request");
            return (vec![self.error(&Value::Null, &e, None)], false);
        };
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let method = req.get("method").and_then(Value::as_str).unwrap_or("");
        let params = req.get("params").and_then(Value::as_object).cloned();
        if let Some(refused) = self.gate(&id, method) {
            return refused;
        }
        let mut frames = Vec::new();
        match self.call(method, &params.unwrap_or_default(), &mut frames) {
            Ok(result) => frames.insert(0, self.ok(&id, result)),
            Err(e) => frames.insert(0, self.error(&id, &e, None)),
        }
        (frames, false)
    }

    /// Charges the request's weight and applies its scripted fault: `Some` answers instead.
    fn gate(&self, id: &Value, method: &str) -> Option<Reply> {
        let now = self.fake.now();
        let (charged, fault) = {
            let mut s = self.fake.state();
            let charged = s.limits.charge(now, weight(method));
            let fault = charged
                .as_ref()
                .ok()
                .and_then(|_| s.faults.pop(&format!("WS {method}")));
            (charged, fault)
        };
        let refusal = match (charged, fault) {
            (Err(refusal), _) => refusal,
            (Ok(_), Some(Fault::Drop)) => return Some((Vec::new(), true)),
            (Ok(_), Some(Fault::RateLimited { retry_after_secs })) => {
                self.fake.state().limits.told_to_wait(now, retry_after_secs);
                Refusal::OverWeight { retry_after_secs }
            }
            (Ok(_), Some(Fault::Banned { retry_after_secs })) => {
                self.fake.state().limits.ban(now, retry_after_secs);
                Refusal::Banned { retry_after_secs }
            }
            (Ok(_), Some(Fault::Reject { code, msg })) => {
                return Some((
                    vec![self.error(id, &ApiError::new(400, code, msg), None)],
                    false,
                ));
            }
            (Ok(_), _) => return None,
        };
        Some((vec![self.refused(id, refusal)], false))
    }

    fn rate_limits(&self) -> Value {
        let s = self.fake.state();
        json!([{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
            "limit": s.limits.weight_limit, "count": s.limits.used}])
    }

    fn ok(&self, id: &Value, result: Value) -> String {
        json!({"id": id, "status": 200, "result": result, "rateLimits": self.rate_limits()})
            .to_string()
    }

    fn error(&self, id: &Value, e: &ApiError, data: Option<Value>) -> String {
        let mut error = json!({"code": e.code, "msg": e.msg});
        if let Some(d) = data {
            error["data"] = d;
        }
        json!({"id": id, "status": e.status, "error": error, "rateLimits": self.rate_limits()})
            .to_string()
    }

    fn refused(&self, id: &Value, refusal: Refusal) -> String {
        let now = self.fake.now();
        let (status, secs, msg) = match refusal {
            Refusal::Banned { retry_after_secs } => (
                418,
                retry_after_secs,
                "Way too much request weight used; IP banned until later.",
            ),
            Refusal::OverWeight { retry_after_secs } => (
                429,
                retry_after_secs,
                "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
            ),
        };
        let retry_after = now + i64::try_from(secs).unwrap() * 1000;
        let data = json!({"serverTime": now, "retryAfter": retry_after});
        self.error(id, &ApiError::new(status, -1003, msg), Some(data))
    }

    fn call(
        &mut self,
        method: &str,
        params: &Map<String, Value>,
        frames: &mut Vec<String>,
    ) -> Result<Value, ApiError> {
        match method {
            "ping" => Ok(json!({})),
            "time" => Ok(json!({"serverTime": self.fake.now()})),
            "session.logon" => {
                let key = self.authenticate(params, true)?;
                self.logged_in = Some(key);
                Ok(self.session_status())
            }
            "session.status" => Ok(self.session_status()),
            "session.logout" => {
                self.logged_in = None;
                frames.extend(self.terminate());
                Ok(self.session_status())
            }
            "userDataStream.subscribe" => {
                if self.logged_in.is_none() {
                    return Err(unauthorized());
                }
                self.subscribe()
            }
            "userDataStream.subscribe.signature" => {
                self.authenticate(params, false)?;
                self.subscribe()
            }
            "userDataStream.unsubscribe" => {
                let wanted = params.get("subscriptionId").and_then(Value::as_u64);
                if wanted.is_some() && wanted != self.subscription {
                    return Err(unsupported());
                }
                frames.extend(self.terminate());
                Ok(json!({}))
            }
            _ => Err(unsupported()),
        }
    }

    fn session_status(&self) -> Value {
        json!({"apiKey": self.logged_in, "authorizedSince": self.logged_in.as_ref().map(|_| self.connected_at),
            "connectedSince": self.connected_at, "returnRateLimits": true,
            "serverTime": self.fake.now(), "userDataStream": self.subscription.is_some()})
    }

    /// Checks `apiKey`, `timestamp`, `recvWindow` and `signature` (over the sorted params).
    fn authenticate(
        &self,
        params: &Map<String, Value>,
        ed25519_only: bool,
    ) -> Result<String, ApiError> {
        let flat = Params(
            params
                .iter()
                .map(|(k, v)| (k.clone(), raw_value(v)))
                .collect(),
        );
        let api_key = flat.req("apiKey")?.to_string();
        let signature = flat.req("signature")?.to_string();
        let s = self.fake.state();
        let key = s.keys.get(Some(&api_key))?;
        if ed25519_only && !matches!(key, KeyKind::Ed25519 { .. }) {
            return Err(unauthorized());
        }
        if !verifies(key, ws_payload(params).as_bytes(), &signature) {
            return Err(ApiError::invalid_signature());
        }
        check_time(&flat, self.fake.now())?;
        Ok(api_key)
    }

    fn subscribe(&mut self) -> Result<Value, ApiError> {
        if self.subscription.is_some() {
            return Err(unsupported());
        }
        let id = self.next_sub;
        self.next_sub += 1;
        self.subscription = Some(id);
        Ok(json!({"subscriptionId": id}))
    }

    /// Ends the subscription, if any, with its `eventStreamTerminated` event.
    pub fn terminate(&mut self) -> Vec<String> {
        let Some(id) = self.subscription.take() else {
            return Vec::new();
        };
        let event = json!({"e": "eventStreamTerminated", "E": self.fake.now()});
        vec![json!({"subscriptionId": id, "event": event}).to_string()]
    }
}
