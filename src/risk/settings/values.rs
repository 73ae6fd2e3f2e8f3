//! Validated values of the `[risk]` section. Each checks itself while deserializing, so a bad
//! value is reported by the TOML parser at its file, line, column and key, with what is allowed;
//! each is written back (`config show`, the journal) the way it was written.

use crate::config::Bounded;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use std::fmt;
use std::str::FromStr;

/// A whole number in `LO..=HI` (0 turns a rule off where the key says so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole<const LO: u64, const HI: u64>(pub u64);

impl<'de, const LO: u64, const HI: u64> Deserialize<'de> for Whole<LO, HI> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Bounded::<LO, HI>::deserialize(d).map(|b| Self(b.get()))
    }
}

impl<const LO: u64, const HI: u64> Serialize for Whole<LO, HI> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

/// Reads a TOML (or JSON) number or a numeric string as an exact decimal.
struct DecimalText;

impl serde::de::Visitor<'_> for DecimalText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// Written back as a TOML number: an integer when whole, as people write them.
fn serialize_decimal<S: Serializer>(d: Decimal, s: S) -> Result<S::Ok, S::Error> {
    use rust_decimal::prelude::ToPrimitive;
    match (d.fract().is_zero(), d.to_i64(), d.to_f64()) {
        (true, Some(i), _) => s.serialize_i64(i),
        (_, _, Some(f)) => s.serialize_f64(f),
        _ => s.serialize_str(&d.to_string()),
    }
}

macro_rules! decimal_value {
    ($(#[$m:meta])* $name:ident, $hi:literal, $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name(pub Decimal);

        impl $name {
            /// The value, or `None` for 0 (the rule is off).
            pub fn on(self) -> Option<Decimal> {
                (!self.0.is_zero()).then_some(self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize_decimal(self.0, s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = d.deserialize_any(DecimalText)?;
                match (Decimal::from_str(text.trim()), Decimal::from_str($hi)) {
                    (Ok(x), Ok(hi)) if x >= Decimal::ZERO && x <= hi => Ok(Self(x)),
                    _ => Err(D::Error::custom(format!(
                        "`{text}` is not {}: use a number from 0 (off) to {}",
                        $what, $hi
                    ))),
                }
            }
        }
    };
}

decimal_value!(
    /// An amount of the quote asset; 0 turns the rule off.
    Amount, "1000000000000", "an amount"
);
decimal_value!(
    /// A percentage; 0 turns the rule off.
    Percent, "100", "a percentage"
);

/// A rule written as a short text (`equity:10`, `2.5atr`), kept as written beside its meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule<T> {
    pub text: String,
    pub value: T,
}

impl<T: FromStr<Err = String>> FromStr for Rule<T> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(Self {
            text: s.to_string(),
            value: s.parse()?,
        })
    }
}

impl<T> Serialize for Rule<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de, T: FromStr<Err = String>> Deserialize<'de> for Rule<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

/// The name of a built-in strategy (a `[risk.strategies.NAME]` table).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct StrategyName(String);

impl StrategyName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for StrategyName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        crate::strategy::find(s)
            .map(|_| Self(s.to_string()))
            .map_err(|e| e.to_string())
    }
}

impl<'de> Deserialize<'de> for StrategyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}
