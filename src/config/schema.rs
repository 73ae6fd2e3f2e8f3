//! The config sections. Each section exists twice: the full struct the program reads, and a patch
//! (every key optional, unknown keys rejected) that one layer (a file, the environment) deserializes
//! into. The `section!` macro writes both from one field list, so they cannot drift apart. The
//! defaults are not in this file: they come from the embedded `config.toml`.

use super::values::{Bounded, Bps, Cash, FeeRate, HttpUrl, LogFilter, WsUrl};
use crate::exchange::FillPolicy;
use crate::risk::settings::{RiskPatch, RiskSettings};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Records which layer last set each key (`section.key` → layer name).
pub type Origins = std::collections::BTreeMap<String, String>;

macro_rules! section {
    ($(#[$meta:meta])* $name:ident / $patch:ident : $section:literal {
        $($(#[$fmeta:meta])* $field:ident : $ty:ty,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct $name { $($(#[$fmeta])* pub $field: $ty,)* }

        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $patch { $(pub $field: Option<$ty>,)* }

        impl $name {
            pub const SECTION: &'static str = $section;

            fn from_patch(p: $patch) -> Result<Self, String> {
                Ok(Self { $($field: p.$field.ok_or(concat!($section, ".", stringify!($field)))?,)* })
            }

            fn apply(&mut self, p: $patch, layer: &str, origins: &mut Origins) {
                $(if let Some(v) = p.$field {
                    self.$field = v;
                    origins.insert(concat!($section, ".", stringify!($field)).into(), layer.into());
                })*
            }
        }
    };
}

section! {
    /// `[data]`: where tickdesk keeps its data.
    Data / DataPatch : "data" {
        dir: String,
        seed_samples: bool,
    }
}

section! {
    /// `[logging]`: log files.
    Logging / LoggingPatch : "logging" {
        level: LogFilter,
        json: bool,
        max_files: Bounded<1, 3650>,
        trade_log: bool,
    }
}

section! {
    /// `[binance]`: exchange endpoints.
    Binance / BinancePatch : "binance" {
        testnet: bool,
        rest_url: HttpUrl,
        trade_url: HttpUrl,
        ws_url: WsUrl,
        ws_api_url: WsUrl,
        testnet_rest_url: HttpUrl,
        testnet_ws_url: WsUrl,
        testnet_ws_api_url: WsUrl,
        recv_window_ms: Bounded<1, 60_000>,
        order_timeout_secs: Bounded<1, 60>,
        depth_snapshot_levels: Bounded<5, 5000>,
        stale_after_secs: Bounded<5, 3600>,
        reconnect_after_mins: Bounded<10, 1435>,
    }
}

section! {
    /// `[fetch]`: how market data is downloaded.
    Fetch / FetchPatch : "fetch" {
        max_weight_per_minute: Bounded<10, 6000>,
        concurrency: Bounded<1, 32>,
        request_timeout_secs: Bounded<1, 300>,
        max_retries: Bounded<0, 100>,
        backoff_base_ms: Bounded<1, 600_000>,
        backoff_max_ms: Bounded<1, 3_600_000>,
        commit_every: Bounded<1000, 10_000_000>,
    }
}

section! {
    /// `[backtest]`: defaults for backtests (command-line flags override them).
    Backtest / BacktestPatch : "backtest" {
        strategy: String,
        cash: Cash,
        maker_fee: FeeRate,
        taker_fee: FeeRate,
        slippage_bps: Bps,
        fill: FillPolicy,
        filters: bool,
    }
}

section! {
    /// `[paper]`: paper trading on replayed candles (what `tickdesk` opens on).
    Paper / PaperPatch : "paper" {
        symbols: Vec<crate::market::Symbol>,
        interval: crate::market::Interval,
        strategies: Vec<String>,
        speed: Bounded<0, 3600>,
        start: String,
        warmup_bars: Bounded<0, 100_000>,
        cash: Cash,
    }
}

/// What an SSH disconnect (SIGHUP) does to the trading core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hangup {
    /// Shut the core down cleanly (journal flushed, logs closed) and exit.
    Stop,
    /// Keep trading without the view until SIGTERM or SIGINT.
    Headless,
}

section! {
    /// `[ui]`: the workstation.
    Ui / UiPatch : "ui" {
        theme: String,
        max_fps: Bounded<1, 30>,
        book_levels: Bounded<3, 50>,
        on_hangup: Hangup,
        overlays: Vec<crate::indicators::Overlay>,
    }
}

/// What a stopped headless engine does with its open orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnShutdown {
    /// Leave them (on an exchange they stay live, protective stops included).
    Leave,
    /// Cancel them through the engine's command path (journalled) before exiting.
    Cancel,
}

section! {
    /// `[service]`: `tickdesk run --headless`, the engine without a view.
    Service / ServicePatch : "service" {
        on_shutdown: OnShutdown,
    }
}

impl Service {
    /// Whether a stopped engine cancels its open orders.
    pub fn cancels_on_shutdown(&self) -> bool {
        self.on_shutdown == OnShutdown::Cancel
    }
}

/// What the engine trades on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TradeMode {
    /// Paper trading on stored candles, replayed (the default; no network).
    Replay,
    /// Paper trading on Binance's live market data (no keys; nothing is sent).
    Paper,
    /// Real orders on Binance (or its testnet): also needs `--live`.
    Live,
}

/// What a restarted live engine does when the exchange holds other amounts than the journal
/// says it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnMismatch {
    /// Halt new entries until a person looks and releases (`:release`).
    Halt,
    /// Take the exchange's amounts as the truth and carry on (reported).
    Adopt,
    /// Sell the instrument's whole holding at market, then carry on.
    Flatten,
}

section! {
    /// `[trading]`: replay, paper on live data, or live.
    Trading / TradingPatch : "trading" {
        mode: TradeMode,
        on_mismatch: OnMismatch,
    }
}

/// `[strategies.NAME]`: parameter overrides per strategy (`fast = 12`).
pub type StrategySettings = BTreeMap<String, BTreeMap<String, ParamValue>>;

/// A strategy parameter as written: a TOML integer or float, written back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
}

impl ParamValue {
    pub fn get(self) -> f64 {
        match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
        }
    }
}

impl Serialize for ParamValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Int(i) => s.serialize_i64(i),
            Self::Float(f) => s.serialize_f64(f),
        }
    }
}

/// The whole configuration, after every layer has been applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub data: Data,
    pub logging: Logging,
    pub binance: Binance,
    pub fetch: Fetch,
    pub backtest: Backtest,
    pub paper: Paper,
    pub ui: Ui,
    pub service: Service,
    pub trading: Trading,
    pub risk: RiskSettings,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub strategies: StrategySettings,
}

/// One layer's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    data: Option<DataPatch>,
    logging: Option<LoggingPatch>,
    binance: Option<BinancePatch>,
    fetch: Option<FetchPatch>,
    backtest: Option<BacktestPatch>,
    paper: Option<PaperPatch>,
    ui: Option<UiPatch>,
    service: Option<ServicePatch>,
    trading: Option<TradingPatch>,
    risk: Option<RiskPatch>,
    strategies: Option<StrategySettings>,
}

pub const SECTIONS: [&str; 11] = [
    Data::SECTION,
    Logging::SECTION,
    Binance::SECTION,
    Fetch::SECTION,
    Backtest::SECTION,
    Paper::SECTION,
    Ui::SECTION,
    Service::SECTION,
    Trading::SECTION,
    RiskSettings::SECTION,
    "strategies",
];

impl Config {
    /// `[strategies.NAME]` as `key=value` settings (what `--set` takes), in key order.
    pub fn strategy_settings(&self, name: &str) -> Vec<(String, String)> {
        self.strategies
            .get(name)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
            .unwrap_or_default()
    }

    /// Builds the config from the embedded defaults, which must set every key.
    pub(super) fn from_defaults(p: ConfigPatch) -> Result<Self, String> {
        Ok(Self {
            data: Data::from_patch(p.data.unwrap_or_default())?,
            logging: Logging::from_patch(p.logging.unwrap_or_default())?,
            binance: Binance::from_patch(p.binance.unwrap_or_default())?,
            fetch: Fetch::from_patch(p.fetch.unwrap_or_default())?,
            backtest: Backtest::from_patch(p.backtest.unwrap_or_default())?,
            paper: Paper::from_patch(p.paper.unwrap_or_default())?,
            ui: Ui::from_patch(p.ui.unwrap_or_default())?,
            service: Service::from_patch(p.service.unwrap_or_default())?,
            trading: Trading::from_patch(p.trading.unwrap_or_default())?,
            risk: RiskSettings::from_patch(p.risk.unwrap_or_default())?,
            strategies: p.strategies.unwrap_or_default(),
        })
    }

    pub(super) fn apply(&mut self, p: ConfigPatch, layer: &str, origins: &mut Origins) {
        if let Some(s) = p.data {
            self.data.apply(s, layer, origins);
        }
        if let Some(s) = p.logging {
            self.logging.apply(s, layer, origins);
        }
        if let Some(s) = p.binance {
            self.binance.apply(s, layer, origins);
        }
        if let Some(s) = p.fetch {
            self.fetch.apply(s, layer, origins);
        }
        if let Some(s) = p.backtest {
            self.backtest.apply(s, layer, origins);
        }
        if let Some(s) = p.paper {
            self.paper.apply(s, layer, origins);
        }
        if let Some(s) = p.ui {
            self.ui.apply(s, layer, origins);
        }
        if let Some(s) = p.service {
            self.service.apply(s, layer, origins);
        }
        if let Some(s) = p.trading {
            self.trading.apply(s, layer, origins);
        }
        if let Some(s) = p.risk {
            self.risk.apply(s, layer, origins);
        }
        for (strategy, values) in p.strategies.unwrap_or_default() {
            for (key, value) in values {
                origins.insert(format!("strategies.{strategy}.{key}"), layer.into());
                self.strategies
                    .entry(strategy.clone())
                    .or_default()
                    .insert(key, value);
            }
        }
    }
}

/// The three endpoints in use, production or testnet.
#[derive(Debug, Clone, Copy)]
pub struct Endpoints<'a> {
    pub rest: &'a HttpUrl,
    /// Signed REST: orders and the account (the testnet serves both on one host).
    pub trade: &'a HttpUrl,
    pub ws: &'a WsUrl,
    pub ws_api: &'a WsUrl,
}

impl Binance {
    pub fn endpoints(&self) -> Endpoints<'_> {
        if self.testnet {
            Endpoints {
                rest: &self.testnet_rest_url,
                trade: &self.testnet_rest_url,
                ws: &self.testnet_ws_url,
                ws_api: &self.testnet_ws_api_url,
            }
        } else {
            Endpoints {
                rest: &self.rest_url,
                trade: &self.trade_url,
                ws: &self.ws_url,
                ws_api: &self.ws_api_url,
            }
        }
    }
}
