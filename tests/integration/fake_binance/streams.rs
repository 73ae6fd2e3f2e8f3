//! One market-stream connection's view (spec §8): raw `/ws/<stream>` (payloads as they are) or
//! combined `/stream?streams=a/b/c` (`{"stream","data"}` frames), subscriptions changed by
//! `SUBSCRIBE`/`UNSUBSCRIBE` control messages and listed by `LIST_SUBSCRIPTIONS`, the `combined`
//! property. `<s>@depth`, `<s>@depth@100ms` and `<s>@depth@1000ms` all carry the same diffs (the
//! fake sends each change set at once rather than batching per interval). Invariant: a frame is
//! sent for an event exactly once per subscribed stream name that carries it.

use super::exchange::Event;
use super::http::pairs;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct MarketSession {
    combined: bool,
    subs: Vec<String>,
}

/// The stream that carries a subscribed name's events (`@depth@100ms` → `@depth`).
fn canonical(name: &str) -> &str {
    name.strip_suffix("@100ms")
        .or_else(|| name.strip_suffix("@1000ms"))
        .filter(|n| n.ends_with("@depth"))
        .unwrap_or(name)
}

impl MarketSession {
    /// `None` for a path that is not a market-stream endpoint.
    pub fn from_path(target: &str) -> Option<Self> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path == "/stream" {
            let streams = pairs(query)
                .into_iter()
                .find(|(k, _)| k == "streams")
                .map(|(_, v)| {
                    v.split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            return Some(Self {
                combined: true,
                subs: streams,
            });
        }
        let rest = path.strip_prefix("/ws")?;
        let subs = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        Some(Self {
            combined: false,
            subs,
        })
    }

    pub fn on_event(&self, event: &Event) -> Vec<String> {
        match event {
            Event::Market { topic, data } => self
                .subs
                .iter()
                .filter(|s| canonical(s) == topic)
                .map(|s| {
                    if self.combined {
                        json!({"stream": s, "data": data}).to_string()
                    } else {
                        data.to_string()
                    }
                })
                .collect(),
            Event::Shutdown(data) => vec![data.to_string()],
            Event::User(_) => Vec::new(),
        }
    }

    pub fn on_text(&mut self, text: &str) -> Vec<String> {
        let Ok(req) = serde_json::from_str::<Value>(text) else {
            return vec![invalid(&Value::Null, 3, "Invalid JSON: expected value")];
        };
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let method = req.get("method").and_then(Value::as_str).unwrap_or("");
        let params = req
            .get("params")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let reply = match self.control(method, &params) {
            Ok(result) => json!({"result": result, "id": id}).to_string(),
            Err((code, msg)) => invalid(&id, code, msg),
        };
        vec![reply]
    }

    /// One control message: its result, or Binance's stream error code and message.
    fn control(&mut self, method: &str, params: &[Value]) -> Result<Value, (i64, &'static str)> {
        let names: Vec<String> = params
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let combined = names.first().is_some_and(|n| n == "combined");
        match method {
            "SUBSCRIBE" => {
                for n in names {
                    if !self.subs.contains(&n) {
                        self.subs.push(n);
                    }
                }
                Ok(Value::Null)
            }
            "UNSUBSCRIBE" => {
                self.subs.retain(|s| !names.contains(s));
                Ok(Value::Null)
            }
            "LIST_SUBSCRIPTIONS" => Ok(json!(self.subs)),
            "SET_PROPERTY" => match params.get(1).and_then(Value::as_bool) {
                Some(on) if combined => {
                    self.combined = on;
                    Ok(Value::Null)
                }
                _ => Err((1, "Invalid value type: expected Boolean")),
            },
            "GET_PROPERTY" if combined => Ok(json!(self.combined)),
            "GET_PROPERTY" => Err((0, "Unknown property")),
            _ => Err((2, "Invalid request: unknown variant")),
        }
    }
}

fn invalid(id: &Value, code: i64, msg: &str) -> String {
    json!({"error": {"code": code, "msg": msg}, "id": id}).to_string()
}
