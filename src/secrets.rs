//! Secrets: the exchange API keys, where they come from and how they are kept. A `Secret`
//! prints as `********` in every formatting path and is wiped from memory when dropped, so it
//! cannot leak through logs, `config show`, panics or error messages.
//!
//! Keys (an API key plus an HMAC secret or an Ed25519 PEM) come, first found wins, from the
//! environment, a credentials file, the OS keyring or the encrypted key file (`sources`).
//! Submodules: `format` (the key material and its TOML form), `credfile` (private files),
//! `encrypted` (the passphrase-sealed file), `keyring` (the OS store), `prompt` (typing secrets).
//!
//! Invariant: no error, `Debug` or `Display` of this module holds key material or a passphrase.

mod credfile;
mod encrypted;
mod format;
mod keyring;
mod prompt;
mod sources;
#[cfg(test)]
mod testkit;

pub use credfile::FileError;
pub use encrypted::{CryptoError, EncryptedError};
pub use format::{ApiKeys, FormatError, PrivateKey};
pub use keyring::KeyringError;
pub use prompt::{EnvOrPrompt, Given, PASSPHRASE_VAR, Passphrase, PromptError};
pub use sources::{
    CREDENTIALS_DIRECTORY_VAR, ED25519_KEY_FILE_VAR, ED25519_KEY_VAR, Found, KeyPaths, KeySource,
    Lookup, find, from_env,
};

/// The stores `keys set` and `keys remove` act on, and what `keys test` reads through.
pub mod store {
    pub use super::credfile::{
        load as load_credentials_file, remove as remove_file, write_private,
    };
    pub use super::encrypted::{ITERATIONS, load as load_encrypted, store as store_encrypted};
    pub use super::keyring::{
        ACCOUNT, SERVICE, load as load_keyring, remove as remove_keyring, store as store_keyring,
    };
    pub use super::prompt::{read_hidden, read_stdin, terminal_available};
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("{0}")]
    Env(String),
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Encrypted(#[from] EncryptedError),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error("{what}: {error}")]
    Format { what: String, error: FormatError },
    #[error(transparent)]
    Prompt(#[from] PromptError),
}

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

/// The environment's HMAC credentials, for `config show`'s status lines.
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
