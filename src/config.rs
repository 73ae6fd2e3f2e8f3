//! Configuration: the embedded `config.toml` defaults, overlaid by the user's file, a `--config`
//! file and `TICKDESK_SECTION__KEY` environment variables, in that order. Every layer is parsed
//! strictly on its own, so an error names the layer, line, column and key, and says what is allowed.

mod env;
mod schema;
mod sources;
mod values;

pub use env::Env;
pub use schema::{
    Backtest, Binance, Config, Data, Endpoints, Fetch, Hangup, Logging, OnMismatch, Origins, Paper,
    ParamValue, TradeMode, Trading, Ui,
};
pub use sources::Sources;
pub use values::{Bounded, HttpUrl, LogFilter, WsUrl};

use schema::ConfigPatch;
use std::path::PathBuf;

/// The documented defaults, built into the binary.
pub const DEFAULT_TOML: &str = include_str!("../config.toml");
const DEFAULT_LAYER: &str = "built-in defaults";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// The merged configuration and what set each key.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub origins: Origins,
    /// `TICKDESK_*` variables that are neither overrides nor known settings (likely typos).
    pub ignored_env: Vec<String>,
}

impl Loaded {
    /// Loads and validates every layer named by `sources`.
    pub fn load(sources: &Sources) -> Result<Self, ConfigError> {
        let defaults = parse_layer(DEFAULT_TOML, DEFAULT_LAYER)?;
        let mut config = Config::from_defaults(defaults).map_err(|key| {
            ConfigError::Invalid(format!(
                "the built-in defaults lack `{key}` (a build defect)"
            ))
        })?;
        let mut origins = Origins::new();
        for path in sources.files() {
            let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::Read {
                path: path.clone(),
                error,
            })?;
            let layer = path.display().to_string();
            config.apply(parse_layer(&text, &layer)?, &layer, &mut origins);
        }
        let overrides = env::overrides(&sources.env)?;
        for (var, patch) in overrides.patches {
            config.apply(patch, &sources.env.describe(&var), &mut origins);
        }
        check_consistency(&config, &origins)?;
        Ok(Self {
            config,
            origins,
            ignored_env: overrides.ignored,
        })
    }

    /// The merged config as TOML, each key set outside the defaults followed by where it came from.
    pub fn to_annotated_toml(&self) -> String {
        let text = toml::to_string(&self.config).unwrap_or_default();
        let mut section = String::new();
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(line);
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_string();
            } else if let Some(origin) = line
                .split_once(" = ")
                .and_then(|(key, _)| self.origins.get(&format!("{section}.{key}")))
            {
                out.push_str(&format!("  # from {origin}"));
            }
            out.push('\n');
        }
        out
    }
}

fn check_consistency(config: &Config, origins: &Origins) -> Result<(), ConfigError> {
    check_strategies(config, origins)?;
    let f = &config.fetch;
    if f.backoff_base_ms.get() > f.backoff_max_ms.get() {
        let from = |k: &str| {
            origins
                .get(k)
                .map_or(DEFAULT_LAYER, String::as_str)
                .to_string()
        };
        return Err(ConfigError::Invalid(format!(
            "fetch.backoff_base_ms ({}, from {}) is larger than fetch.backoff_max_ms ({}, from {}): \
             the base wait must not exceed the longest wait",
            f.backoff_base_ms.get(),
            from("fetch.backoff_base_ms"),
            f.backoff_max_ms.get(),
            from("fetch.backoff_max_ms"),
        )));
    }
    Ok(())
}

/// Strategy names and parameters are checked against what the strategies declare.
fn check_strategies(config: &Config, origins: &Origins) -> Result<(), ConfigError> {
    let from = |k: &str| {
        origins
            .get(k)
            .map_or(DEFAULT_LAYER, String::as_str)
            .to_string()
    };
    if let Err(e) = crate::strategy::find(&config.backtest.strategy) {
        return Err(ConfigError::Invalid(format!(
            "{}, key `backtest.strategy`: {e}",
            from("backtest.strategy")
        )));
    }
    for (name, values) in &config.strategies {
        let key = |k: &str| format!("strategies.{name}.{k}");
        let info = crate::strategy::find(name).map_err(|e| {
            let first = values
                .keys()
                .next()
                .map(|k| key(k))
                .unwrap_or_else(|| format!("strategies.{name}"));
            ConfigError::Invalid(format!(
                "{}, table `[strategies.{name}]`: {e}",
                from(&first)
            ))
        })?;
        for (k, v) in values {
            let setting = [(k.clone(), v.to_string())];
            if let Err(e) = crate::strategy::Params::resolve(info, &setting) {
                return Err(ConfigError::Invalid(format!(
                    "{}, key `{}`: {e}",
                    from(&key(k)),
                    key(k)
                )));
            }
        }
    }
    Ok(())
}

/// Parses one file's text strictly into a patch, with errors that point into the file.
fn parse_layer(text: &str, layer: &str) -> Result<ConfigPatch, ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| located(text, layer, &e))?;
    refuse_secrets(text, layer, &table, "")?;
    toml::from_str(text).map_err(|e| located(text, layer, &e))
}

const SECRET_WORDS: [&str; 4] = ["api_key", "apikey", "secret", "private_key"];

fn refuse_secrets(
    text: &str,
    layer: &str,
    table: &toml::Table,
    prefix: &str,
) -> Result<(), ConfigError> {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        if looks_secret(key) {
            let line = text
                .lines()
                .position(|l| {
                    l.split_once('=')
                        .is_some_and(|(k, _)| k.trim().trim_matches('"').ends_with(key.as_str()))
                })
                .map_or(String::new(), |i| format!(", line {}", i + 1));
            return Err(ConfigError::Invalid(format!(
                "{layer}{line}, key `{path}`: API keys and secrets are never read from config files \
                 (files get copied, backed up and shown); set TICKDESK_API_KEY and TICKDESK_API_SECRET \
                 in the environment or in a .env file instead, and remove this line"
            )));
        }
        if let toml::Value::Table(inner) = value {
            refuse_secrets(text, layer, inner, &format!("{path}."))?;
        }
    }
    Ok(())
}

fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.contains(w))
}

/// Turns a TOML error into "file, line L, column C, key `k`: message" plus the offending line
/// (with the value hidden when the key looks like a secret: a syntax error there must not leak it).
fn located(text: &str, layer: &str, err: &toml::de::Error) -> ConfigError {
    let message = err.message().trim_end();
    let Some(span) = err.span() else {
        return ConfigError::Invalid(format!("{layer}: {message}"));
    };
    let before = &text[..span.start.min(text.len())];
    let line_no = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let raw_line = text[line_start..].lines().next().unwrap_or("");
    let line = match raw_line.split_once('=') {
        Some((k, _)) if looks_secret(k) => format!("{k}= ********"),
        _ => raw_line.to_string(),
    };
    let key = key_at(text, line_start, raw_line)
        .map(|k| format!(", key `{k}`"))
        .unwrap_or_default();
    let width = text[span.start.min(text.len())..span.end.min(text.len())]
        .chars()
        .count()
        .clamp(1, 60);
    ConfigError::Invalid(format!(
        "{layer}, line {line_no}, column {column}{key}: {message}\n  {line_no:>4} | {line}\n       | {pad}{carets}",
        pad = " ".repeat(column - 1),
        carets = "^".repeat(width),
    ))
}

/// The dotted key defined on `line` (section header above it, then the key before `=`).
fn key_at(text: &str, line_start: usize, line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let section = text[..line_start]
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map(|s| format!("{}.", s.trim()));
    Some(format!("{}{key}", section.unwrap_or_default()))
}

#[cfg(test)]
mod tests;
