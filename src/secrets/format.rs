//! Key material and its one text form. `ApiKeys` is an API key plus either an HMAC secret or an
//! Ed25519 private key (PKCS#8 PEM). Stored, it is a small TOML document, the same in the
//! credentials file, inside the encrypted file and in the keyring entry:
//!
//! ```toml
//! api_key = "…"
//! api_secret = "…"            # HMAC, or instead:
//! ed25519_key = '''-----BEGIN PRIVATE KEY-----…'''
//! ed25519_key_file = "key.pem" # credentials file only: a PEM file beside it (also mode 0600)
//! ```
//!
//! Invariant: no value read here reaches an error message or a `Debug`; errors name keys and
//! line numbers only, and every copy of a value this module makes is zeroized on drop.

use crate::binance::{KeyKind, SignError, Signer};
use crate::secrets::Secret;
use std::path::PathBuf;
use zeroize::Zeroizing;

const API_KEY: &str = "api_key";
const API_SECRET: &str = "api_secret";
const ED25519_KEY: &str = "ed25519_key";
const ED25519_KEY_FILE: &str = "ed25519_key_file";
const KEYS: &str = "api_key, api_secret, ed25519_key, ed25519_key_file";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("line {line} is not valid TOML; lines look like api_key = \"…\" (values quoted)")]
    Syntax { line: usize },
    #[error("`{0}` must be a quoted string")]
    NotString(&'static str),
    #[error("unknown key {0}; the keys are {KEYS}")]
    Unknown(String),
    #[error("api_key is missing")]
    NoApiKey,
    #[error(
        "no private key: give api_secret (an HMAC key) or ed25519_key / ed25519_key_file (an Ed25519 key)"
    )]
    NoPrivate,
    #[error("more than one private key (api_secret, ed25519_key, ed25519_key_file): keep one")]
    Several,
    #[error("ed25519_key_file is only allowed in a credentials file; put the PEM in ed25519_key")]
    KeyFileHere,
    #[error("the API key holds spaces or control characters; it should be one word")]
    BadApiKey,
    #[error("the HMAC secret holds spaces or control characters; it should be one word")]
    BadSecret,
    #[error(
        "expected the API key on the first line, then the HMAC secret on one line or an Ed25519 PEM block"
    )]
    Entered,
    #[error("{0}")]
    Sign(#[from] SignError),
}

#[derive(Debug)]
pub enum PrivateKey {
    Hmac(Secret),
    /// PKCS#8 PEM text, `-----BEGIN PRIVATE KEY-----` block included.
    Ed25519Pem(Secret),
}

/// An API key with the private half that signs for it. Prints redacted.
#[derive(Debug)]
pub struct ApiKeys {
    pub api_key: Secret,
    pub private: PrivateKey,
}

/// What a TOML document says before a key file named in it is read.
#[derive(Debug)]
pub enum Parsed {
    Keys(ApiKeys),
    /// The API key and the path of an Ed25519 PEM file (as written, maybe relative).
    KeyFile(Secret, PathBuf),
}

impl ApiKeys {
    pub fn new(api_key: Secret, private: PrivateKey) -> Result<Self, FormatError> {
        if !one_word(api_key.expose()) {
            return Err(FormatError::BadApiKey);
        }
        if let PrivateKey::Hmac(s) = &private
            && !one_word(s.expose())
        {
            return Err(FormatError::BadSecret);
        }
        Ok(Self { api_key, private })
    }

    pub fn kind(&self) -> KeyKind {
        match self.private {
            PrivateKey::Hmac(_) => KeyKind::Hmac,
            PrivateKey::Ed25519Pem(_) => KeyKind::Ed25519,
        }
    }

    /// A signer over copies of the keys (this value stays usable).
    pub fn signer(&self) -> Result<Signer, SignError> {
        let api_key = Secret::new(self.api_key.expose().to_string());
        match &self.private {
            PrivateKey::Hmac(secret) => Signer::hmac(api_key, secret),
            PrivateKey::Ed25519Pem(pem) => Signer::ed25519_pem(api_key, pem),
        }
    }

    /// The TOML form; the PEM as a multi-line literal string, so a person can read the file.
    pub fn to_toml(&self) -> Zeroizing<String> {
        let (name, value) = match &self.private {
            PrivateKey::Hmac(s) => (API_SECRET, s.expose()),
            PrivateKey::Ed25519Pem(p) => (ED25519_KEY, p.expose()),
        };
        let api_key = self.api_key.expose();
        let mut out = Zeroizing::new(String::with_capacity(
            2 * (api_key.len() + value.len()) + 64,
        ));
        out.push_str(API_KEY);
        out.push_str(" = ");
        push_toml_string(&mut out, api_key);
        out.push('\n');
        out.push_str(name);
        out.push_str(" = ");
        push_toml_string(&mut out, value);
        out.push('\n');
        out
    }

    /// Keys typed or piped in: the API key on the first non-empty line, then either the HMAC
    /// secret on one line or an Ed25519 PEM block.
    pub fn from_entered(text: &str) -> Result<Self, FormatError> {
        let text = text.trim();
        let (first, rest) = text.split_once('\n').ok_or(FormatError::Entered)?;
        let (api_key, rest) = (first.trim(), rest.trim());
        if api_key.is_empty() || rest.is_empty() {
            return Err(FormatError::Entered);
        }
        let private = if rest.starts_with("-----BEGIN") {
            PrivateKey::Ed25519Pem(pem_secret(rest))
        } else if rest.lines().count() == 1 {
            PrivateKey::Hmac(Secret::new(rest.to_string()))
        } else {
            return Err(FormatError::Entered);
        };
        let keys = Self::new(Secret::new(api_key.to_string()), private)?;
        keys.signer()?;
        Ok(keys)
    }
}

/// A PEM block as a secret, with `\r` gone and one final newline.
pub fn pem_secret(pem: &str) -> Secret {
    let mut out = Zeroizing::new(String::with_capacity(pem.len() + 1));
    out.extend(pem.trim().chars().filter(|&c| c != '\r'));
    out.push('\n');
    Secret::new(std::mem::take(&mut *out))
}

fn one_word(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Parses the TOML form. `key_file_allowed`: whether `ed25519_key_file` may appear.
pub fn parse(text: &str, key_file_allowed: bool) -> Result<Parsed, FormatError> {
    let mut table = toml::from_str::<toml::Table>(text).map_err(|e| FormatError::Syntax {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
    })?;
    if let Some(unknown) = table
        .keys()
        .find(|k| ![API_KEY, API_SECRET, ED25519_KEY, ED25519_KEY_FILE].contains(&k.as_str()))
    {
        // A long "key" may be a value pasted in the wrong place: never show it.
        let shown = if unknown.len() <= 24 {
            format!("`{unknown}`")
        } else {
            "(a long name, not shown)".to_string()
        };
        return Err(FormatError::Unknown(shown));
    }
    let api_key = take(&mut table, API_KEY)?.ok_or(FormatError::NoApiKey)?;
    let secret = take(&mut table, API_SECRET)?;
    let pem = take(&mut table, ED25519_KEY)?;
    let file = take(&mut table, ED25519_KEY_FILE)?;
    let private = match (secret, pem, file) {
        (Some(s), None, None) => PrivateKey::Hmac(s),
        (None, Some(p), None) => PrivateKey::Ed25519Pem(pem_secret(p.expose())),
        (None, None, Some(f)) if key_file_allowed => {
            if !one_word(api_key.expose()) {
                return Err(FormatError::BadApiKey);
            }
            return Ok(Parsed::KeyFile(api_key, PathBuf::from(f.expose())));
        }
        (None, None, Some(_)) => return Err(FormatError::KeyFileHere),
        (None, None, None) => return Err(FormatError::NoPrivate),
        _ => return Err(FormatError::Several),
    };
    Ok(Parsed::Keys(ApiKeys::new(api_key, private)?))
}

/// Moves a string value out of the table (no copy), trimmed.
fn take(table: &mut toml::Table, key: &'static str) -> Result<Option<Secret>, FormatError> {
    match table.remove(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => {
            let s = Zeroizing::new(s);
            Ok(Some(Secret::new(s.trim().to_string())).filter(|s| !s.expose().is_empty()))
        }
        Some(_) => Err(FormatError::NotString(key)),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// A TOML string: a multi-line literal when the value is plain lines, else a basic string with
/// escapes.
fn push_toml_string(out: &mut String, value: &str) {
    let plain_lines = value.contains('\n')
        && !value.contains("'''")
        && !value.chars().any(|c| c.is_control() && c != '\n');
    if plain_lines {
        out.push_str("'''\n");
        out.push_str(value);
        out.push_str("'''");
        return;
    }
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
