//! The `[risk]` config section as written, and what it becomes: the `RiskConfig` the engine
//! enforces (limits, protections, each strategy's sizing and exits, the fee "after fees" means)
//! and the breaker thresholds the live edges watch. The section exists twice, like every config
//! section: `RiskSettings` (every key) and `RiskPatch` (what one layer sets, unknown keys refused);
//! one field list writes both. Values check themselves while parsing (`values`), so errors name
//! the file, line, column and key, and say what is allowed.
//!
//! Invariant: 0 turns a limit, a protection or a breaker off, and `RiskSettings::default()` (all
//! off) is what the built-in `config.toml` says, so a run without a `[risk]` section trades exactly
//! as before the risk layer existed.

mod values;

pub use values::{Amount, Percent, Rule, StrategyName, Whole};

use super::breakers::BreakerConfig;
use super::protections::{Cooldown, Lock, OnLossLimit, ProtectionConfig};
use super::{Distance, Limits, RiskConfig, Sizing, StrategyRisk};
use crate::config::Origins;
use crate::market::time::MINUTE_MS;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[risk.strategies.NAME]`: a strategy's own sizing and exits (each unset: none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizing: Option<Rule<Sizing>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Rule<Distance>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_profit: Option<Rule<Distance>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailing: Option<Rule<Distance>>,
}

pub type StrategyTables = BTreeMap<StrategyName, StrategyRules>;

macro_rules! risk_section {
    ($($(#[$m:meta])* $field:ident : $ty:ty = $off:expr,)*) => {
        /// `[risk]`: limits, protections and breakers (0 = off), and per-strategy rules.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct RiskSettings {
            $($(#[$m])* pub $field: $ty,)*
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            pub strategies: StrategyTables,
        }

        /// What one config layer sets of `[risk]`.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RiskPatch {
            $($field: Option<$ty>,)*
            strategies: Option<StrategyTables>,
        }

        impl Default for RiskSettings {
            fn default() -> Self {
                Self { $($field: $off,)* strategies: BTreeMap::new() }
            }
        }

        impl RiskSettings {
            pub const SECTION: &'static str = "risk";

            /// The section from the built-in defaults, which must set every key.
            pub fn from_patch(p: RiskPatch) -> Result<Self, String> {
                Ok(Self {
                    $($field: p.$field.ok_or(concat!("risk.", stringify!($field)))?,)*
                    strategies: p.strategies.unwrap_or_default(),
                })
            }

            /// Overlays one layer, recording which keys it set.
            pub fn apply(&mut self, p: RiskPatch, layer: &str, origins: &mut Origins) {
                $(if let Some(v) = p.$field {
                    self.$field = v;
                    origins.insert(concat!("risk.", stringify!($field)).into(), layer.into());
                })*
                self.apply_strategies(p.strategies.unwrap_or_default(), layer, origins);
            }
        }
    };
}

risk_section! {
    max_position_quote: Amount = Amount::default(),
    max_exposure_pct: Percent = Percent::default(),
    max_open_orders: Whole<0, 10_000> = Whole(0),
    max_order_quote: Amount = Amount::default(),
    min_order_quote: Amount = Amount::default(),
    daily_loss_pct: Percent = Percent::default(),
    max_drawdown_pct: Percent = Percent::default(),
    on_loss_limit: OnLossLimit = OnLossLimit::Halt,
    cooldown_stops: Whole<0, 1000> = Whole(0),
    cooldown_window_mins: Whole<1, 525_600> = Whole(60),
    cooldown_mins: Whole<1, 525_600> = Whole(60),
    cooldown_per_symbol: bool = true,
    lock_after_losses: Whole<0, 1000> = Whole(0),
    lock_mins: Whole<1, 525_600> = Whole(1440),
    api_error_rate_pct: Whole<0, 100> = Whole(0),
    max_latency_ms: Whole<0, 600_000> = Whole(0),
    stale_data_secs: Whole<0, 86_400> = Whole(0),
}

fn minutes(w: u64) -> i64 {
    i64::try_from(w).unwrap_or(i64::MAX / MINUTE_MS) * MINUTE_MS
}

fn some<T>(value: u64, f: impl FnOnce(u64) -> T) -> Option<T> {
    (value != 0).then(|| f(value))
}

impl RiskSettings {
    fn apply_strategies(&mut self, tables: StrategyTables, layer: &str, origins: &mut Origins) {
        for (name, rules) in tables {
            let mut set = |key: &str| {
                origins.insert(
                    format!("risk.strategies.{}.{key}", name.as_str()),
                    layer.into(),
                );
            };
            let into = self.strategies.entry(name.clone()).or_default();
            if let Some(r) = rules.sizing {
                into.sizing = Some(r);
                set("sizing");
            }
            if let Some(r) = rules.stop {
                into.stop = Some(r);
                set("stop");
            }
            if let Some(r) = rules.take_profit {
                into.take_profit = Some(r);
                set("take_profit");
            }
            if let Some(r) = rules.trailing {
                into.trailing = Some(r);
                set("trailing");
            }
        }
    }

    /// What the engine enforces in a run whose strategy `i` is named `strategies[i]`, trading at
    /// `taker_fee` (what "the free balance after fees" is measured with).
    pub fn to_config(&self, strategies: &[&str], taker_fee: Decimal) -> RiskConfig {
        let rules = |name: &str| {
            let r = self.strategies.iter().find(|(n, _)| n.as_str() == name)?.1;
            Some(StrategyRisk {
                sizing: r.sizing.as_ref().map(|s| s.value),
                stop: r.stop.as_ref().map(|s| s.value),
                take_profit: r.take_profit.as_ref().map(|s| s.value),
                trailing: r.trailing.as_ref().map(|s| s.value),
            })
        };
        RiskConfig {
            limits: self.limits(),
            taker_fee,
            strategies: strategies
                .iter()
                .map(|n| rules(n).unwrap_or_default())
                .collect(),
            protections: self.protections(),
        }
    }

    pub fn limits(&self) -> Limits {
        let open = self.max_open_orders.0;
        Limits {
            max_position_quote: self.max_position_quote.on(),
            max_exposure_pct: self.max_exposure_pct.on(),
            max_open_orders: some(open, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            max_order_quote: self.max_order_quote.on(),
            min_order_quote: self.min_order_quote.on(),
        }
    }

    pub fn protections(&self) -> ProtectionConfig {
        ProtectionConfig {
            daily_loss_pct: self.daily_loss_pct.on(),
            max_drawdown_pct: self.max_drawdown_pct.on(),
            on_loss_limit: self.on_loss_limit,
            cooldown: some(self.cooldown_stops.0, |n| Cooldown {
                stops: u32::try_from(n).unwrap_or(u32::MAX),
                window_ms: minutes(self.cooldown_window_mins.0),
                duration_ms: minutes(self.cooldown_mins.0),
                per_symbol: self.cooldown_per_symbol,
            }),
            lock: some(self.lock_after_losses.0, |n| Lock {
                losses: u32::try_from(n).unwrap_or(u32::MAX),
                duration_ms: minutes(self.lock_mins.0),
            }),
        }
    }

    /// The thresholds the live edges trip circuit breakers at (0 = never).
    pub fn breakers(&self) -> BreakerConfig {
        BreakerConfig {
            error_rate_pct: some(self.api_error_rate_pct.0, |p| {
                u32::try_from(p).unwrap_or(u32::MAX)
            }),
            max_latency_ms: some(self.max_latency_ms.0, |ms| ms),
            stale_data_secs: some(self.stale_data_secs.0, |s| s),
            ..BreakerConfig::default()
        }
    }

    /// The rules in force as `key = value` settings, for a report (`None` when all are off).
    pub fn summary(&self) -> Option<String> {
        // Both serialize their keys in field order, the strategy tables last.
        let (ours, off) = (toml::to_string(self), toml::to_string(&Self::default()));
        let (ours, off) = (ours.unwrap_or_default(), off.unwrap_or_default());
        let mut set: Vec<String> = ours
            .lines()
            .zip(off.lines())
            .take_while(|(line, _)| !line.starts_with('['))
            .filter(|(line, default)| line != default)
            .map(|(line, _)| line.to_string())
            .collect();
        for (name, r) in &self.strategies {
            let rules = [
                ("sizing", r.sizing.as_ref().map(|x| &x.text)),
                ("stop", r.stop.as_ref().map(|x| &x.text)),
                ("take_profit", r.take_profit.as_ref().map(|x| &x.text)),
                ("trailing", r.trailing.as_ref().map(|x| &x.text)),
            ];
            let rules: Vec<String> = rules
                .iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
                .collect();
            set.push(format!("{}: {}", name.as_str(), rules.join(", ")));
        }
        (!set.is_empty()).then(|| set.join(" · "))
    }
}

#[cfg(test)]
mod tests;
