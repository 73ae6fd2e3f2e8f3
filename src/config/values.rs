//! Validated config value types. Each checks its value while deserializing, so a bad value is
//! reported by the TOML parser at its exact line and column, with what is allowed.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use std::fmt;

/// An integer that must lie in `LO..=HI`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded<const LO: u64, const HI: u64>(u64);

impl<const LO: u64, const HI: u64> Bounded<LO, HI> {
    pub fn get(self) -> u64 {
        self.0
    }
}

impl<'de, const LO: u64, const HI: u64> Deserialize<'de> for Bounded<LO, HI> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Whole<const LO: u64, const HI: u64>;
        impl<const LO: u64, const HI: u64> serde::de::Visitor<'_> for Whole<LO, HI> {
            type Value = Bounded<LO, HI>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a whole number from {LO} to {HI}")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::custom(format!(
                        "{v} is out of range: use a whole number from {LO} to {HI}"
                    ))),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                if (LO..=HI).contains(&v) {
                    Ok(Bounded(v))
                } else {
                    Err(E::custom(format!(
                        "{v} is out of range: use a whole number from {LO} to {HI}"
                    )))
                }
            }
        }
        d.deserialize_any(Whole::<LO, HI>)
    }
}

impl<const LO: u64, const HI: u64> Serialize for Bounded<LO, HI> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

/// A URL whose scheme must be one of a fixed set (`http`/`https`, or `ws`/`wss`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Url<const WS: bool>(String);

pub type HttpUrl = Url<false>;
pub type WsUrl = Url<true>;

impl<const WS: bool> Url<WS> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn schemes() -> [&'static str; 2] {
        if WS { ["ws", "wss"] } else { ["http", "https"] }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let [plain, tls] = Self::schemes();
        let ok = reqwest::Url::parse(s)
            .ok()
            .is_some_and(|u| (u.scheme() == plain || u.scheme() == tls) && u.host_str().is_some());
        if ok {
            Ok(Self(s.trim_end_matches('/').to_string()))
        } else {
            Err(format!(
                "`{s}` is not a {plain}:// or {tls}:// URL with a host"
            ))
        }
    }
}

impl<const WS: bool> fmt::Display for Url<WS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de, const WS: bool> Deserialize<'de> for Url<WS> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Decimal settings with a range, read from TOML numbers or strings (`0.001`, `"0.001"`).
macro_rules! decimal_setting {
    ($(#[$m:meta])* $name:ident, $lo:literal, $hi:literal, $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub rust_decimal::Decimal);

        /// Written back as a TOML number, as the user wrote it.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use rust_decimal::prelude::ToPrimitive;
                match (self.0.fract().is_zero(), self.0.to_i64(), self.0.to_f64()) {
                    (true, Some(i), _) => s.serialize_i64(i),
                    (_, _, Some(f)) => s.serialize_f64(f),
                    _ => s.serialize_str(&self.0.to_string()),
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = toml::Value::deserialize(d)?;
                let text = match &v {
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    toml::Value::String(s) => s.clone(),
                    other => return Err(D::Error::custom(format!("expected {} (a number), found {}", $what, other.type_str()))),
                };
                let (lo, hi) = (rust_decimal::Decimal::from_str_exact($lo), rust_decimal::Decimal::from_str_exact($hi));
                match (text.trim().parse::<rust_decimal::Decimal>(), lo, hi) {
                    (Ok(x), Ok(lo), Ok(hi)) if x >= lo && x <= hi => Ok(Self(x)),
                    _ => Err(D::Error::custom(format!("`{text}` is not {}: use a number from {} to {}", $what, $lo, $hi))),
                }
            }
        }
    };
}

decimal_setting!(
    /// Starting cash in the quote asset.
    Cash, "0.00000001", "1000000000000", "an amount of cash"
);
decimal_setting!(
    /// A fee as a fraction of the trade value (0.001 = 0.1 %).
    FeeRate, "0", "0.05", "a fee rate"
);
decimal_setting!(
    /// Basis points (1 bp = 0.01 %).
    Bps, "0", "1000", "a number of basis points"
);

/// A tracing filter: a level or directives such as `info,tickdesk::fetch=debug`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct LogFilter(String);

impl LogFilter {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for LogFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let s = raw.split(',').map(str::trim).collect::<Vec<_>>().join(",");
        let level = |l: &str| LEVELS.contains(&l.trim().to_ascii_lowercase().as_str());
        // EnvFilter takes a bare word as a target name; in a config file that is always a typo.
        let directives_ok = !s.trim().is_empty()
            && s.split(',')
                .all(|d| level(d) || d.rsplit_once('=').is_some_and(|(_, l)| level(l)));
        match tracing_subscriber::EnvFilter::builder().parse(&s) {
            Ok(_) if directives_ok => Ok(Self(s)),
            _ => Err(D::Error::custom(format!(
                "`{raw}` is not a log filter: use error, warn, info, debug or trace, \
                 or directives like \"info,tickdesk::fetch=debug\""
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_the_right_scheme_and_a_host() {
        assert_eq!(
            HttpUrl::parse("https://api.binance.com/").unwrap().as_str(),
            "https://api.binance.com"
        );
        assert!(HttpUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(
            HttpUrl::parse("wss://stream.binance.com")
                .unwrap_err()
                .contains("http:// or https://")
        );
        assert!(WsUrl::parse("wss://stream.binance.com:9443/ws").is_ok());
        assert!(WsUrl::parse("stream.binance.com").is_err());
    }

    #[test]
    fn log_filters_are_levels_or_target_directives() {
        let parse = |s: &str| {
            toml::from_str::<std::collections::BTreeMap<String, LogFilter>>(&format!("v = \"{s}\""))
        };
        for ok in [
            "info",
            "DEBUG",
            "warn,tickdesk::fetch=trace",
            "tickdesk=debug, hyper=warn",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in ["loud", "", "info,verbose", "tickdesk=loud"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
