//! The REST kline array: 12 elements, times as JSON numbers, prices and volumes as JSON strings
//! (numbers are accepted too). Only the first seven are read.

use crate::market::Candle;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kline {
    pub candle: Candle,
    pub close_time: i64,
}

impl<'de> serde::Deserialize<'de> for Kline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(KlineVisitor)
    }
}

struct KlineVisitor;

impl<'de> Visitor<'de> for KlineVisitor {
    type Value = Kline;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a kline array [open_time, open, high, low, close, volume, close_time, …]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kline, A::Error> {
        let mut next_num = |i: usize| -> Result<Num, A::Error> {
            seq.next_element::<Num>()?
                .ok_or_else(|| de::Error::invalid_length(i, &"12 elements"))
        };
        let open_time = next_num(0)?.int()?;
        let [open, high, low, close, volume] =
            [1, 2, 3, 4, 5].map(|i| next_num(i).and_then(|n| n.float()));
        let close_time = next_num(6)?.int()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        let candle = Candle {
            open_time,
            open: open?,
            high: high?,
            low: low?,
            close: close?,
            volume: volume?,
        };
        Ok(Kline { candle, close_time })
    }
}

/// A JSON number or a string holding one.
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Num {
    fn float<E: de::Error>(self) -> Result<f64, E> {
        let v = match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
            Self::Text(s) => s
                .parse()
                .map_err(|_| E::custom(format!("`{s}` is not a number")))?,
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(E::custom("a price or volume is not finite"))
        }
    }

    fn int<E: de::Error>(self) -> Result<i64, E> {
        match self {
            Self::Int(i) => Ok(i),
            Self::Text(s) => s
                .parse()
                .map_err(|_| E::custom(format!("`{s}` is not a whole number"))),
            Self::Float(f) => Err(E::custom(format!("{f} is not a whole number"))),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a numeric string")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                i64::try_from(v)
                    .map(Num::Int)
                    .map_err(|_| E::custom("number too large"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(Num::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Num, E> {
                Ok(Num::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_array_with_strings_or_numbers() {
        let wire = r#"[[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"],
                      [1499644800000,0.0157,0.0158,0.0156,0.0157,10,1500249599999,"1",2,"1","1","0"]]"#;
        let ks: Vec<Kline> = serde_json::from_str(wire).unwrap();
        assert_eq!(ks[0].candle.open_time, 1_499_040_000_000);
        assert_eq!(ks[0].candle.high, 0.8);
        assert_eq!(ks[0].close_time, 1_499_644_799_999);
        assert_eq!(ks[1].candle.volume, 10.0);
    }

    #[test]
    fn malformed_arrays_say_what_is_wrong() {
        let short =
            serde_json::from_str::<Vec<Kline>>(r#"[[1499040000000,"1","1","1"]]"#).unwrap_err();
        assert!(short.to_string().contains("12 elements"), "{short}");
        let text = serde_json::from_str::<Vec<Kline>>(
            r#"[[1499040000000,"x","1","1","1","1",1,"0",1,"0","0","0"]]"#,
        );
        assert!(
            text.unwrap_err()
                .to_string()
                .contains("`x` is not a number")
        );
    }
}
