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
            return vec![
                json!({"error": {"code": 3, "msg": "Invalid JSON: expected value"}, "id": null})
                    .to_string(),
            ];
        };
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let names: Vec<String> = req
            .get("params")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let result = match req.get("method").and_then(Value::as_str) {
            Some("SUBSCRIBE") => {
                for n in names {
                    if !self.subs.contains(&n) {
                        self.subs.push(n);
                    }
                }
                Value::Null
            }
            Some("UNSUBSCRIBE") => {
                self.subs.retain(|s| !names.contains(s));
                Value::Null
            }
            Some("LIST_SUBSCRIPTIONS") => json!(self.subs),
            Some("SET_PROPERTY") => match req["params"].get(1).and_then(Value::as_bool) {
                Some(on) if names.first().is_some_and(|n| n == "combined") => {
                    self.combined = on;
                    Value::Null
                }
                _ => return vec![invalid(&id, 1, "Invalid value type: expected Boolean")],
            },
            Some("GET_PROPERTY") if names.first().is_some_and(|n| n == "combined") => {
                json!(self.combined)
            }
            Some("GET_PROPERTY") => return vec![invalid(&id, 0, "Unknown property")],
            _ => return vec![invalid(&id, 2, "Invalid request: unknown variant")],
        };
        vec![json!({"result": result, "id": id}).to_string()]
    }
}

fn invalid(id: &Value, code: i64, msg: &str) -> String {
    json!({"error": {"code": code, "msg": msg}, "id": id}).to_string()
}
