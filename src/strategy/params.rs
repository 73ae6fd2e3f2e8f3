//! Strategy parameters: declared with a default and a range (the optimizer sweeps the range in
//! steps), set from config or `--set key=value`, checked with messages that say what is allowed.

use super::{StrategyError, StrategyInfo};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub about: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub integer: bool,
    /// When not empty, the only values allowed (ascending; `min`/`max` are its ends).
    pub choices: &'static [f64],
}

impl ParamSpec {
    pub const fn int(
        name: &'static str,
        about: &'static str,
        default: f64,
        min: f64,
        max: f64,
        step: f64,
    ) -> Self {
        Self {
            name,
            about,
            default,
            min,
            max,
            step,
            integer: true,
            choices: &[],
        }
    }

    /// A whole number that must be one of `choices` (ascending).
    pub const fn one_of(
        name: &'static str,
        about: &'static str,
        default: f64,
        choices: &'static [f64],
    ) -> Self {
        Self {
            name,
            about,
            default,
            min: choices[0],
            max: choices[choices.len() - 1],
            step: 0.0,
            integer: true,
            choices,
        }
    }

    /// What values are allowed, in words: "1, 2 or 4", "a whole number from 2 to 200".
    pub fn allowed(&self) -> String {
        if let Some((last, rest)) = self.choices.split_last() {
            let rest: Vec<String> = rest.iter().map(f64::to_string).collect();
            return format!("{} or {last}", rest.join(", "));
        }
        let kind = if self.integer {
            "a whole number"
        } else {
            "a number"
        };
        format!("{kind} from {} to {}", self.min, self.max)
    }

    /// Whether `v` is an allowed value.
    pub fn accepts(&self, v: f64) -> bool {
        if !self.choices.is_empty() {
            return self.choices.contains(&v);
        }
        (self.min..=self.max).contains(&v) && !(self.integer && v.fract() != 0.0)
    }

    pub const fn real(
        name: &'static str,
        about: &'static str,
        default: f64,
        min: f64,
        max: f64,
        step: f64,
    ) -> Self {
        Self {
            name,
            about,
            default,
            min,
            max,
            step,
            integer: false,
            choices: &[],
        }
    }
}

/// Resolved parameter values.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Params(BTreeMap<&'static str, f64>);

impl Params {
    /// The value of a declared parameter (its default if it was never set).
    pub fn get(&self, name: &str) -> f64 {
        self.0.get(name).copied().unwrap_or(f64::NAN)
    }

    pub fn usize(&self, name: &str) -> usize {
        self.get(name).max(0.0) as usize
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }

    /// Defaults overlaid with `settings`; unknown names and bad values are errors.
    pub fn resolve(
        info: &StrategyInfo,
        settings: &[(String, String)],
    ) -> Result<Self, StrategyError> {
        let mut values: BTreeMap<&'static str, f64> =
            info.params.iter().map(|p| (p.name, p.default)).collect();
        for (key, raw) in settings {
            let Some(spec) = info.params.iter().find(|p| p.name == key) else {
                let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
                return Err(StrategyError::Param(format!(
                    "{} has no parameter `{key}`; its parameters are {}",
                    info.name,
                    known.join(", ")
                )));
            };
            let v: f64 = raw.trim().parse().map_err(|_| {
                StrategyError::Param(format!("{}.{key} = `{raw}` is not a number", info.name))
            })?;
            if !spec.accepts(v) {
                return Err(StrategyError::Param(format!(
                    "{}.{key} must be {}, got {raw}",
                    info.name,
                    spec.allowed()
                )));
            }
            values.insert(spec.name, v);
        }
        Ok(Self(values))
    }
}

/// Parses `key=value` as given to `--set`.
pub fn parse_setting(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{s}` is not key=value (e.g. fast=10)"))
}
