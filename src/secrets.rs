//! Secrets: API keys read from the environment (or `.env`), never from config files. A `Secret`
//! prints as `********` in every formatting path and is wiped from memory when dropped, so it
//! cannot leak through logs, `config show`, panics or error messages.

use crate::config::Env;
use std::fmt;
use zeroize::Zeroizing;

pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself, for signing. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(********)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

pub const API_KEY_VAR: &str = "TICKDESK_API_KEY";
pub const API_SECRET_VAR: &str = "TICKDESK_API_SECRET";

/// Exchange credentials, if the environment provides them.
#[derive(Debug, Default)]
pub struct Credentials {
    pub api_key: Option<Secret>,
    pub api_secret: Option<Secret>,
}

impl Credentials {
    pub fn from_env(env: &Env) -> Self {
        let get = |name| {
            env.get(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| Secret::new(v.trim().to_string()))
        };
        Self {
            api_key: get(API_KEY_VAR),
            api_secret: get(API_SECRET_VAR),
        }
    }

    /// One line per credential saying whether it is set, never what it is.
    pub fn status_lines(&self) -> [String; 2] {
        let state = |s: &Option<Secret>| {
            if s.is_some() {
                "set (value hidden)"
            } else {
                "not set"
            }
        };
        [
            format!("{API_KEY_VAR}: {}", state(&self.api_key)),
            format!("{API_SECRET_VAR}: {}", state(&self.api_secret)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format() {
        let env = Env::from_pairs([(
            API_KEY_VAR.to_string(),
            "vmPUZE6mv9SD5VNHk4HlWFsOr6a".to_string(),
        )]);
        let creds = Credentials::from_env(&env);
        let shown = format!(
            "{creds:?} {} {:?}",
            creds.api_key.as_ref().unwrap(),
            creds.status_lines()
        );
        assert!(!shown.contains("vmPUZE6"), "{shown}");
        assert!(
            shown.contains("TICKDESK_API_KEY: set (value hidden)")
                && shown.contains("TICKDESK_API_SECRET: not set")
        );
        assert_eq!(
            creds.api_key.unwrap().expose(),
            "vmPUZE6mv9SD5VNHk4HlWFsOr6a"
        );
    }
}
