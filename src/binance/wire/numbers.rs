//! Exact decimals from JSON. Binance sends prices and quantities as strings, but a number may come
//! bare; serde_json would read a bare `0.1` into an `f64` and lose its text. `quote_fractions`
//! rewrites every bare number with a fraction or exponent into a string before parsing, so the
//! `dec` visitor always sees the digits Binance wrote. Integers stay numbers (ids and times read
//! exactly as `i64`/`u64`).

use rust_decimal::Decimal;
use serde::{Deserializer, de};
use std::{borrow::Cow, fmt, str::FromStr};

/// The JSON text with each bare fractional number (`0.1`, `-2.5e-3`) wrapped in quotes; borrowed
/// unchanged when there is none.
pub fn quote_fractions(json: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut copied) = (0, 0);
    while i < json.len() {
        let b = json[i];
        if b == b'"' {
            i = string_end(json, i);
        } else if b == b'-' || b.is_ascii_digit() {
            let end = number_end(json, i);
            let token = &json[i..end];
            if token.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) {
                let buf = out.get_or_insert_with(|| Vec::with_capacity(json.len() + 64));
                buf.extend_from_slice(&json[copied..i]);
                buf.push(b'"');
                buf.extend_from_slice(token);
                buf.push(b'"');
                copied = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    match out {
        None => Cow::Borrowed(json),
        Some(mut buf) => {
            buf.extend_from_slice(&json[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// The index just past the string opening at `start` (escapes skipped).
fn string_end(json: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < json.len() {
        match json[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    json.len()
}

/// The index just past the number starting at `start`.
fn number_end(json: &[u8], start: usize) -> usize {
    start
        + json[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
            .count()
}

struct DecVisitor;

impl de::Visitor<'_> for DecVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number or a string holding one")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        let v = v.trim();
        let parsed = if v.contains(['e', 'E']) {
            Decimal::from_scientific(v)
        } else {
            Decimal::from_str(v)
        };
        parsed.map_err(|_| E::custom(format!("`{v}` is not a decimal number")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    /// Only reached when a caller bypassed `quote_fractions`: Rust prints the shortest text that
    /// reads back as the same `f64`, which is the JSON's own text for up to 15 significant digits.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(E::custom("a decimal number is not finite"));
        }
        self.visit_str(&v.to_string())
    }
}

/// `#[serde(deserialize_with = "dec")]`: a `Decimal` from a string or a number.
pub(crate) fn dec<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecVisitor)
}

/// `#[serde(default, deserialize_with = "opt_dec")]`: as `dec`, for a field that may be absent.
pub(crate) fn opt_dec<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    d.deserialize_any(DecVisitor).map(Some)
}
