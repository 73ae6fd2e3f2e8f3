//! The WebSocket API requests the user-data session sends (spec §9–10): `time`, `session.logon`
//! (Ed25519 keys only), `userDataStream.subscribe` (after logon) and
//! `userDataStream.subscribe.signature` (any key). Signed params are `apiKey`, `timestamp`,
//! `recvWindow` and `signature`, the signature covering the others sorted by name with raw values
//! (`Signer::sign_ws`). Invariant: request ids are unique and increasing per session task, so a
//! response is matched to exactly one request.

use crate::binance::{RecvWindow, Signer};
use serde_json::{Map, Value, json};

/// One request ready to send.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: u64,
    pub method: &'static str,
    /// Its request weight (spec §9: 2 for the session and subscription methods).
    pub weight: u32,
    pub text: String,
}

/// Numbers requests.
#[derive(Debug, Default)]
pub struct Requests {
    next_id: u64,
}

impl Requests {
    fn build(
        &mut self,
        method: &'static str,
        weight: u32,
        params: Option<Map<String, Value>>,
    ) -> Request {
        self.next_id += 1;
        let id = self.next_id;
        let mut body = json!({"id": id, "method": method});
        if let Some(params) = params {
            body["params"] = Value::Object(params);
        }
        Request {
            id,
            method,
            weight,
            text: body.to_string(),
        }
    }

    pub fn time(&mut self) -> Request {
        self.build("time", 1, None)
    }

    pub fn logon(&mut self, signer: &Signer, timestamp: i64, recv: RecvWindow) -> Request {
        self.build("session.logon", 2, Some(signed(signer, timestamp, recv)))
    }

    pub fn subscribe(&mut self) -> Request {
        self.build("userDataStream.subscribe", 2, None)
    }

    pub fn subscribe_signature(
        &mut self,
        signer: &Signer,
        timestamp: i64,
        recv: RecvWindow,
    ) -> Request {
        let params = signed(signer, timestamp, recv);
        self.build("userDataStream.subscribe.signature", 2, Some(params))
    }
}

/// `{apiKey, recvWindow, timestamp, signature}`.
fn signed(signer: &Signer, timestamp: i64, recv: RecvWindow) -> Map<String, Value> {
    let (ts, window) = (timestamp.to_string(), recv.ms().to_string());
    let signature = signer.sign_ws(&[("recvWindow", &window), ("timestamp", &ts)]);
    let mut params = Map::new();
    params.insert("apiKey".into(), json!(signer.api_key().expose()));
    params.insert("recvWindow".into(), json!(recv.ms()));
    params.insert("timestamp".into(), json!(timestamp));
    params.insert("signature".into(), json!(signature.as_str()));
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::ws_payload;
    use crate::secrets::Secret;

    const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    fn hmac() -> Signer {
        Signer::hmac(Secret::new(KEY.into()), &Secret::new(SECRET.into())).unwrap()
    }

    #[test]
    fn subscribe_signature_signs_the_sorted_params_with_the_api_key() {
        let signer = hmac();
        let mut reqs = Requests::default();
        let recv = RecvWindow::new(5000).unwrap();
        let r = reqs.subscribe_signature(&signer, 1_645_423_376_532, recv);
        let v: Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(v["method"], "userDataStream.subscribe.signature");
        assert_eq!((r.id, v["id"].as_u64()), (1, Some(1)));
        let p = &v["params"];
        assert_eq!(p["apiKey"], KEY);
        assert_eq!(p["timestamp"], 1_645_423_376_532_i64);
        assert_eq!(p["recvWindow"], 5000);
        // The payload Binance rebuilds: every param but the signature, sorted by name.
        let payload = ws_payload(
            KEY,
            &[("timestamp", "1645423376532"), ("recvWindow", "5000")],
        );
        assert_eq!(
            payload,
            format!("apiKey={KEY}&recvWindow=5000&timestamp=1645423376532")
        );
        let expected = signer.sign(payload.as_bytes());
        assert_eq!(p["signature"], expected.as_str());
        assert_eq!(p["signature"].as_str().unwrap().len(), 64, "HMAC hex");
    }

    #[test]
    fn ids_increase_and_unsigned_requests_carry_no_params() {
        let mut reqs = Requests::default();
        let t = reqs.time();
        let s = reqs.subscribe();
        assert_eq!((t.id, s.id), (1, 2));
        assert_eq!((t.weight, s.weight), (1, 2));
        let v: Value = serde_json::from_str(&s.text).unwrap();
        assert_eq!(v, json!({"id": 2, "method": "userDataStream.subscribe"}));
    }
}
