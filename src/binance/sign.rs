//! Request signing for Binance's SIGNED endpoints: HMAC-SHA256 (lower-case hex) and Ed25519
//! (base64, key from the PKCS#8 PEM file Binance users generate), with the two payload rules:
//! REST signs the query string plus body exactly as sent (non-ASCII percent-encoded first), the
//! WebSocket API signs its params sorted by name with raw values, `apiKey` included.
//!
//! Invariant: no key, secret or signature is ever formatted. `Signer` and `Signature` print
//! redacted in every `Debug`, and `SignError` never carries key material.

use crate::secrets::Secret;
use data_encoding::{BASE64, HEXLOWER};
use ring::signature::Ed25519KeyPair;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the API key or secret is empty")]
    Empty,
    #[error("the Ed25519 private key is not a PEM block (expected -----BEGIN PRIVATE KEY-----)")]
    NotPem,
    #[error("the Ed25519 private key's PEM body is not valid base64")]
    Base64,
    #[error("the private key is not an Ed25519 PKCS#8 key: {0}")]
    Key(String),
}

/// Which kind of API key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Hmac,
    Ed25519,
}

enum Key {
    Hmac(ring::hmac::Key),
    Ed25519(Ed25519KeyPair),
}

pub struct Signer {
    api_key: Secret,
    key: Key,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("kind", &self.kind())
            .field("api_key", &self.api_key)
            .finish()
    }
}

/// A request signature: lower-case hex (HMAC) or base64 (Ed25519). Never formatted.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature(String);

impl Signature {
    /// The raw signature, as the WebSocket API's `signature` param takes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Percent-encoded for a query string or form body (base64 has `+`, `/`, `=`).
    pub fn for_query(&self) -> String {
        percent_encode(&self.0)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(********)")
    }
}

impl Signer {
    pub fn hmac(api_key: Secret, secret: &Secret) -> Result<Self, SignError> {
        if api_key.expose().is_empty() || secret.expose().is_empty() {
            return Err(SignError::Empty);
        }
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.expose().as_bytes());
        Ok(Self {
            api_key,
            key: Key::Hmac(key),
        })
    }

    /// From an Ed25519 private key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519`, with or
    /// without the embedded public key).
    pub fn ed25519_pem(api_key: Secret, pem: &Secret) -> Result<Self, SignError> {
        if api_key.expose().is_empty() {
            return Err(SignError::Empty);
        }
        let der = zeroize::Zeroizing::new(pem_body(pem.expose())?);
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map_err(|e| SignError::Key(e.to_string()))?;
        Ok(Self {
            api_key,
            key: Key::Ed25519(pair),
        })
    }

    pub fn kind(&self) -> KeyKind {
        match self.key {
            Key::Hmac(_) => KeyKind::Hmac,
            Key::Ed25519(_) => KeyKind::Ed25519,
        }
    }

    /// The API key, for the `X-MBX-APIKEY` header. Never format it.
    pub fn api_key(&self) -> &Secret {
        &self.api_key
    }

    /// The Ed25519 public key (32 bytes), to register with Binance or verify against.
    pub fn ed25519_public_key(&self) -> Option<Vec<u8>> {
        use ring::signature::KeyPair;
        match &self.key {
            Key::Ed25519(pair) => Some(pair.public_key().as_ref().to_vec()),
            Key::Hmac(_) => None,
        }
    }

    pub fn sign(&self, payload: &[u8]) -> Signature {
        Signature(match &self.key {
            Key::Hmac(key) => HEXLOWER.encode(ring::hmac::sign(key, payload).as_ref()),
            Key::Ed25519(pair) => BASE64.encode(pair.sign(payload).as_ref()),
        })
    }

    /// REST: the query string concatenated with the body, no separator, exactly as sent (both
    /// already percent-encoded, see [`percent_encode`]).
    pub fn sign_rest(&self, query: &str, body: &str) -> Signature {
        let mut payload = String::with_capacity(query.len() + body.len());
        payload.push_str(query);
        payload.push_str(body);
        self.sign(payload.as_bytes())
    }

    /// WebSocket API: `params` plus `apiKey`, sorted by name, joined as `k=v&…` with raw values.
    pub fn sign_ws(&self, params: &[(&str, &str)]) -> Signature {
        self.sign(ws_payload(self.api_key.expose(), params).as_bytes())
    }
}

/// The WebSocket API's signature payload (any `signature` param is left out).
pub fn ws_payload(api_key: &str, params: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = params
        .iter()
        .copied()
        .filter(|(k, _)| *k != "signature" && *k != "apiKey")
        .collect();
    all.push(("apiKey", api_key));
    all.sort_by(|a, b| a.0.cmp(b.0));
    let parts: Vec<String> = all.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join("&")
}

/// Percent-encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) as `%XX`,
/// upper-case hex; non-ASCII text is encoded byte by byte from its UTF-8 form.
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// `k=v&k=v` with values percent-encoded, in the given order: the form Binance receives and
/// the REST signature covers.
pub fn query_string<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", k.as_ref(), percent_encode(v.as_ref())))
        .collect();
    parts.join("&")
}

/// The DER bytes inside a `-----BEGIN PRIVATE KEY-----` block.
fn pem_body(pem: &str) -> Result<Vec<u8>, SignError> {
    let begin = pem
        .find("-----BEGIN PRIVATE KEY-----")
        .ok_or(SignError::NotPem)?;
    let rest = &pem[begin + "-----BEGIN PRIVATE KEY-----".len()..];
    let end = rest
        .find("-----END PRIVATE KEY-----")
        .ok_or(SignError::NotPem)?;
    let b64: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
    BASE64.decode(b64.as_bytes()).map_err(|_| SignError::Base64)
}

#[cfg(test)]
mod tests;
