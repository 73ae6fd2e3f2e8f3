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
        }
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
            if !(spec.min..=spec.max).contains(&v) || (spec.integer && v.fract() != 0.0) {
                let kind = if spec.integer {
                    "a whole number"
                } else {
                    "a number"
                };
                return Err(StrategyError::Param(format!(
                    "{}.{key} must be {kind} from {} to {}, got {raw}",
                    info.name, spec.min, spec.max
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
