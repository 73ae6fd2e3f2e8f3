//! Request authentication exactly as spec §3 describes it: the registered API keys (HMAC secrets or
//! Ed25519 public keys), the REST payload (query string then body, as sent, minus the `signature`
//! pair), the WebSocket API payload (params sorted by name, raw values), signature checks with
//! `ring`, and the `timestamp`/`recvWindow` rule against the fake's own clock. Also the client-side
//! helpers tests use to sign what they send. Invariant: no signed request is executed unless its
//! key is registered, its signature verifies and its timestamp is inside the window.

use super::wire::{ApiError, Params};
use data_encoding::{BASE64, HEXLOWER, HEXLOWER_PERMISSIVE};
use ring::{hmac, signature};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The documentation's example HMAC key (spec §3), registered in every fake.
pub const DOC_API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
pub const DOC_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

#[derive(Debug, Clone, PartialEq)]
pub enum KeyKind {
    Hmac { secret: String },
    Ed25519 { public_key: Vec<u8> },
}

#[derive(Debug, Clone, Default)]
pub struct Keys(pub BTreeMap<String, KeyKind>);

impl Keys {
    pub fn get(&self, api_key: Option<&str>) -> Result<&KeyKind, ApiError> {
        let Some(api_key) = api_key.filter(|k| !k.is_empty()) else {
            return Err(ApiError::new(401, -2014, "API-key format invalid."));
        };
        self.0.get(api_key).ok_or_else(|| {
            ApiError::new(
                401,
                -2015,
                "Invalid API-key, IP, or permissions for action.",
            )
        })
    }
}

/// The REST signature payload: query string concatenated with the body, each without its
/// `signature=` pair, and that signature (still percent-encoded as sent).
pub fn rest_payload(query: &str, body: &str) -> (String, Option<String>) {
    let mut signature = None;
    let mut strip = |raw: &str| -> String {
        raw.split('&')
            .filter(|kv| match kv.strip_prefix("signature=") {
                Some(sig) => {
                    signature.get_or_insert_with(|| sig.to_string());
                    false
                }
                None => true,
            })
            .collect::<Vec<_>>()
            .join("&")
    };
    let payload = strip(query) + &strip(body);
    (payload, signature)
}

/// The WebSocket API payload: every param but `signature`, sorted by name, `k=v` with raw values.
pub fn ws_payload(params: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = params.keys().filter(|k| *k != "signature").collect();
    keys.sort();
    keys.iter()
        .map(|k| format!("{k}={}", raw_value(&params[k.as_str()])))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn raw_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `signature` (decoded from the request) signs `payload` with this key.
pub fn verifies(key: &KeyKind, payload: &[u8], signature_text: &str) -> bool {
    match key {
        KeyKind::Hmac { secret } => {
            let Ok(tag) = HEXLOWER_PERMISSIVE.decode(signature_text.as_bytes()) else {
                return false;
            };
            let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
            hmac::verify(&key, payload, &tag).is_ok()
        }
        KeyKind::Ed25519 { public_key } => {
            let Ok(sig) = BASE64.decode(signature_text.as_bytes()) else {
                return false;
            };
            signature::UnparsedPublicKey::new(&signature::ED25519, public_key)
                .verify(payload, &sig)
                .is_ok()
        }
    }
}

/// Binance's timing rule: `timestamp < serverTime + 1000` and `serverTime - timestamp <=
/// recvWindow` (default 5000, at most 60000; microsecond timestamps accepted).
pub fn check_time(params: &Params, server_ms: i64) -> Result<(), ApiError> {
    let ts = params
        .int("timestamp")?
        .ok_or_else(|| ApiError::missing("timestamp"))?;
    let ts = if ts > 100_000_000_000_000 {
        ts / 1000
    } else {
        ts
    };
    let window = params.dec("recvWindow")?.unwrap_or(Decimal::from(5000));
    if window > Decimal::from(60_000) || window <= Decimal::ZERO {
        return Err(ApiError::new(
            400,
            -1131,
            "recvWindow must be less than 60000",
        ));
    }
    if ts >= server_ms + 1000 {
        return Err(ApiError::new(
            400,
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
        ));
    }
    if Decimal::from(server_ms - ts) > window {
        return Err(ApiError::new(
            400,
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        ));
    }
    Ok(())
}

/// Client side, for tests: HMAC-SHA256 of `payload`, lower-case hex.
pub fn hmac_hex(secret: &str, payload: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    HEXLOWER.encode(hmac::sign(&key, payload.as_bytes()).as_ref())
}

/// Client side, for tests: an Ed25519 key pair from a fixed seed.
pub struct TestEd25519(signature::Ed25519KeyPair);

impl TestEd25519 {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(signature::Ed25519KeyPair::from_seed_unchecked(&seed).unwrap())
    }

    pub fn public_key(&self) -> Vec<u8> {
        use signature::KeyPair;
        self.0.public_key().as_ref().to_vec()
    }

    /// Base64 of the signature, not yet percent-encoded.
    pub fn sign_base64(&self, payload: &str) -> String {
        BASE64.encode(self.0.sign(payload.as_bytes()).as_ref())
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
