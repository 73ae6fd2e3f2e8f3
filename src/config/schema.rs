//! The config sections. Each section exists twice: the full struct the program reads, and a patch
//! (every key optional, unknown keys rejected) that one layer (a file, the environment) deserializes
//! into. The `section!` macro writes both from one field list, so they cannot drift apart. The
//! defaults are not in this file: they come from the embedded `config.toml`.

use super::values::{Bounded, HttpUrl, LogFilter, WsUrl};
use serde::{Deserialize, Serialize};

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
        ws_url: WsUrl,
        ws_api_url: WsUrl,
        testnet_rest_url: HttpUrl,
        testnet_ws_url: WsUrl,
        testnet_ws_api_url: WsUrl,
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

/// The whole configuration, after every layer has been applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub data: Data,
    pub logging: Logging,
    pub binance: Binance,
    pub fetch: Fetch,
}

/// One layer's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    data: Option<DataPatch>,
    logging: Option<LoggingPatch>,
    binance: Option<BinancePatch>,
    fetch: Option<FetchPatch>,
}

pub const SECTIONS: [&str; 4] = [
    Data::SECTION,
    Logging::SECTION,
    Binance::SECTION,
    Fetch::SECTION,
];

impl Config {
    /// Builds the config from the embedded defaults, which must set every key.
    pub(super) fn from_defaults(p: ConfigPatch) -> Result<Self, String> {
        Ok(Self {
            data: Data::from_patch(p.data.unwrap_or_default())?,
            logging: Logging::from_patch(p.logging.unwrap_or_default())?,
            binance: Binance::from_patch(p.binance.unwrap_or_default())?,
            fetch: Fetch::from_patch(p.fetch.unwrap_or_default())?,
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
    }
}

/// The three endpoints in use, production or testnet.
#[derive(Debug, Clone, Copy)]
pub struct Endpoints<'a> {
    pub rest: &'a HttpUrl,
    pub ws: &'a WsUrl,
    pub ws_api: &'a WsUrl,
}

impl Binance {
    pub fn endpoints(&self) -> Endpoints<'_> {
        if self.testnet {
            Endpoints {
                rest: &self.testnet_rest_url,
                ws: &self.testnet_ws_url,
                ws_api: &self.testnet_ws_api_url,
            }
        } else {
            Endpoints {
                rest: &self.rest_url,
                ws: &self.ws_url,
                ws_api: &self.ws_api_url,
            }
        }
    }
}
