//! The process environment as tickdesk sees it: real variables plus a `.env` file in the working
//! directory (real variables win), and the `TICKDESK_SECTION__KEY` overrides found in it.

use super::{ConfigError, schema::ConfigPatch, schema::SECTIONS};
use std::{collections::BTreeMap, path::Path};

/// Environment variables, injected rather than read from the process so tests stay hermetic.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    pub dotenv_loaded: Option<std::path::PathBuf>,
    /// The variables whose value came from `.env`.
    from_dotenv: std::collections::BTreeSet<String>,
}

/// Variables that belong to tickdesk but are not config overrides.
pub const SETTINGS: [&str; 5] = [
    "TICKDESK_API_KEY",
    "TICKDESK_API_SECRET",
    "TICKDESK_API_ED25519_KEY",
    "TICKDESK_API_ED25519_KEY_FILE",
    "TICKDESK_KEY_PASSPHRASE",
];
const PREFIX: &str = "TICKDESK_";

impl Env {
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        Self {
            vars: pairs.into_iter().collect(),
            dotenv_loaded: None,
            from_dotenv: Default::default(),
        }
    }

    /// The process environment plus `dir/.env`, if present.
    pub fn capture(dir: &Path) -> Result<Self, ConfigError> {
        let mut env = Self::from_pairs(std::env::vars());
        let path = dir.join(".env");
        if !path.exists() {
            return Ok(env);
        }
        let iter = dotenvy::from_path_iter(&path).map_err(|e| dotenv_error(&path, &e))?;
        for item in iter {
            let (k, v) = item.map_err(|e| dotenv_error(&path, &e))?;
            if !env.vars.contains_key(&k) {
                env.from_dotenv.insert(k.clone());
                env.vars.insert(k, v);
            }
        }
        env.dotenv_loaded = Some(path);
        Ok(env)
    }

    /// Where a variable's value came from, for people: the environment or the `.env` file.
    pub fn describe(&self, name: &str) -> String {
        match &self.dotenv_loaded {
            Some(path) if self.from_dotenv.contains(name) => {
                format!("{name} in {}", path.display())
            }
            _ => format!("environment variable {name}"),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn dotenv_error(path: &Path, e: &dotenvy::Error) -> ConfigError {
    // dotenvy's parse errors quote the offending line, which may hold a secret: report its number only.
    let detail = match e {
        dotenvy::Error::LineParse(_, index) => {
            format!("cannot parse the line at character {index}")
        }
        other => other.to_string(),
    };
    ConfigError::Invalid(format!(
        "{}: {detail}; lines must look like NAME=value",
        path.display()
    ))
}

pub struct Overrides {
    pub patches: Vec<(String, ConfigPatch)>,
    pub ignored: Vec<String>,
}

/// Every `TICKDESK_SECTION__KEY` variable as a one-key patch, in name order.
pub fn overrides(env: &Env) -> Result<Overrides, ConfigError> {
    let mut out = Overrides {
        patches: Vec::new(),
        ignored: Vec::new(),
    };
    for (var, raw) in env.iter() {
        let Some(rest) = var.strip_prefix(PREFIX) else {
            continue;
        };
        let Some((section, key)) = rest.split_once("__") else {
            if !SETTINGS.contains(&var) {
                out.ignored.push(var.to_string());
            }
            continue;
        };
        let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
        if !SECTIONS.contains(&section.as_str()) {
            return Err(ConfigError::Invalid(format!(
                "environment variable {var}: there is no config section `{section}`; sections are {}",
                SECTIONS.join(", ")
            )));
        }
        out.patches
            .push((var.to_string(), patch(var, &section, &key, raw)?));
    }
    Ok(out)
}

/// Reads the value as TOML (`2`, `true`, `"text"`), falling back to a plain string.
fn patch(var: &str, section: &str, key: &str, raw: &str) -> Result<ConfigPatch, ConfigError> {
    let typed = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"));
    let attempt = |value: toml::Value| {
        let mut inner = toml::Table::new();
        inner.insert(key.to_string(), value);
        let mut outer = toml::Table::new();
        outer.insert(section.to_string(), toml::Value::Table(inner));
        toml::Value::Table(outer).try_into::<ConfigPatch>()
    };
    let as_string = attempt(toml::Value::String(raw.to_string()));
    match typed.map(attempt) {
        Some(Ok(p)) => Ok(p),
        Some(Err(e)) => as_string.map_err(|_| invalid(var, section, key, &e)),
        None => as_string.map_err(|e| invalid(var, section, key, &e)),
    }
}

fn invalid(var: &str, section: &str, key: &str, e: &toml::de::Error) -> ConfigError {
    ConfigError::Invalid(format!(
        "environment variable {var} (key `{section}.{key}`): {}",
        e.message().trim_end()
    ))
}
