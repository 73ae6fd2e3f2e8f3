//! Where the API keys come from, in this order, the first that has keys winning:
//!
//! 1. the environment (or `.env`): `TICKDESK_API_KEY` plus `TICKDESK_API_SECRET` (HMAC), or
//!    `TICKDESK_API_ED25519_KEY` (PEM text) or `TICKDESK_API_ED25519_KEY_FILE` (a PEM file);
//! 2. a credentials file: `$CREDENTIALS_DIRECTORY/tickdesk` (systemd `LoadCredential=`), then
//!    `<config dir>/credentials.toml`;
//! 3. the OS keyring (when built with the `keyring` feature and reachable);
//! 4. the encrypted key file: `<data dir>/keys.enc`, then `<config dir>/keys.enc` (its
//!    passphrase is asked for only when it is reached).
//!
//! Invariant: a source that exists but is wrong (half-set variables, a file others can read, a
//! wrong passphrase) is an error naming it, never silently skipped for a later one; only an
//! unreachable keyring is passed over, and the lookup reports that it was.

use super::credfile::{self, CREDENTIALS_FILE, SYSTEMD_CREDENTIAL};
use super::format::{self, ApiKeys, PrivateKey};
use super::keyring::{self, KeyringError};
use super::prompt::Passphrase;
use super::{SecretsError, encrypted};
use crate::config::Env;
use crate::secrets::{API_KEY_VAR, API_SECRET_VAR, Secret};
use std::fmt;
use std::path::{Path, PathBuf};

pub const ED25519_KEY_VAR: &str = "TICKDESK_API_ED25519_KEY";
pub const ED25519_KEY_FILE_VAR: &str = "TICKDESK_API_ED25519_KEY_FILE";
/// Set by systemd for a unit with `LoadCredential=`.
pub const CREDENTIALS_DIRECTORY_VAR: &str = "CREDENTIALS_DIRECTORY";

/// Where each store lives on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPaths {
    pub credentials_dir: Option<PathBuf>,
    pub config_dir: Option<PathBuf>,
    pub data_dir: PathBuf,
}

impl KeyPaths {
    pub fn new(env: &Env, config_dir: Option<PathBuf>, data_dir: PathBuf) -> Self {
        let credentials_dir = env
            .get(CREDENTIALS_DIRECTORY_VAR)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        Self {
            credentials_dir,
            config_dir,
            data_dir,
        }
    }

    /// Credentials files in the order they are read.
    pub fn credentials_files(&self) -> Vec<PathBuf> {
        let systemd = self
            .credentials_dir
            .iter()
            .map(|d| d.join(SYSTEMD_CREDENTIAL));
        systemd.chain(self.credentials_file()).collect()
    }

    /// Where `keys set --to file` writes.
    pub fn credentials_file(&self) -> Option<PathBuf> {
        self.config_dir.as_ref().map(|d| d.join(CREDENTIALS_FILE))
    }

    /// Encrypted files in the order they are read.
    pub fn encrypted_files(&self) -> Vec<PathBuf> {
        let config = self.config_dir.iter().map(|d| d.join(encrypted::FILE_NAME));
        std::iter::once(self.encrypted_file())
            .chain(config)
            .collect()
    }

    /// Where `keys set --to encrypted` writes.
    pub fn encrypted_file(&self) -> PathBuf {
        self.data_dir.join(encrypted::FILE_NAME)
    }
}

/// Where a set of keys came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    CredentialsFile(PathBuf),
    Keyring,
    EncryptedFile(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env => write!(f, "the environment ({API_KEY_VAR} …)"),
            Self::CredentialsFile(p) => write!(f, "the credentials file {}", p.display()),
            Self::Keyring => write!(
                f,
                "the OS keyring ({}/{})",
                keyring::SERVICE,
                keyring::ACCOUNT
            ),
            Self::EncryptedFile(p) => write!(f, "the encrypted key file {}", p.display()),
        }
    }
}

#[derive(Debug)]
pub struct Found {
    pub keys: ApiKeys,
    pub source: KeySource,
}

/// The outcome of a lookup: the keys, if any, and the sources passed over and why.
#[derive(Debug)]
pub struct Lookup {
    pub found: Option<Found>,
    pub passed_over: Vec<String>,
}

/// Looks for keys in the order above.
pub fn find(
    paths: &KeyPaths,
    env: &Env,
    passphrase: &mut dyn Passphrase,
) -> Result<Lookup, SecretsError> {
    let mut passed_over = Vec::new();
    let found = |keys, source| Found { keys, source };
    let done = |found, passed_over| {
        Ok(Lookup {
            found: Some(found),
            passed_over,
        })
    };
    if let Some(keys) = from_env(env)? {
        return done(found(keys, KeySource::Env), passed_over);
    }
    for path in paths.credentials_files() {
        if path.exists() {
            let keys = credfile::load(&path)?;
            return done(found(keys, KeySource::CredentialsFile(path)), passed_over);
        }
    }
    match keyring::load() {
        Ok(Some(keys)) => return done(found(keys, KeySource::Keyring), passed_over),
        Ok(None) => {}
        Err(KeyringError::NotBuilt) => {}
        Err(e) if e.is_unavailable() => {
            tracing::debug!("key lookup passes over the OS keyring: {e}");
            passed_over.push(format!("the OS keyring: {e}"));
        }
        Err(e) => return Err(e.into()),
    }
    for path in paths.encrypted_files() {
        if path.exists() {
            let secret = passphrase.passphrase(&path, false)?;
            let keys = encrypted::load(&path, &secret)?;
            return done(found(keys, KeySource::EncryptedFile(path)), passed_over);
        }
    }
    Ok(Lookup {
        found: None,
        passed_over,
    })
}

/// The keys the environment gives, if it names any; half a set is an error.
pub fn from_env(env: &Env) -> Result<Option<ApiKeys>, SecretsError> {
    let get = |name| env.get(name).map(str::trim).filter(|v| !v.is_empty());
    let Some((api_key, private_var)) = env_pair(env)? else {
        return Ok(None);
    };
    let value = get(private_var).unwrap_or_default();
    let private = match private_var {
        API_SECRET_VAR => PrivateKey::Hmac(Secret::new(value.to_string())),
        ED25519_KEY_VAR => PrivateKey::Ed25519Pem(format::pem_secret(&unescape_newlines(value))),
        _ => PrivateKey::Ed25519Pem(format::pem_secret(&credfile::read_private_text(
            Path::new(value),
        )?)),
    };
    let keys = ApiKeys::new(Secret::new(api_key.to_string()), private).map_err(|error| {
        SecretsError::Format {
            what: "the environment's API keys".into(),
            error,
        }
    })?;
    Ok(Some(keys))
}

/// The API key and the name of the one variable holding the private key, if any are set.
fn env_pair(env: &Env) -> Result<Option<(&str, &'static str)>, SecretsError> {
    let get = |name| env.get(name).map(str::trim).filter(|v| !v.is_empty());
    let privates: Vec<&'static str> = [API_SECRET_VAR, ED25519_KEY_VAR, ED25519_KEY_FILE_VAR]
        .into_iter()
        .filter(|name| get(name).is_some())
        .collect();
    let message = match (get(API_KEY_VAR), privates.as_slice()) {
        (None, []) => return Ok(None),
        (Some(key), [var]) => return Ok(Some((key, *var))),
        (Some(_), []) => format!(
            "{} is set but no private key is: set {API_SECRET_VAR} (HMAC) or {ED25519_KEY_VAR} / {ED25519_KEY_FILE_VAR} (Ed25519)",
            env.describe(API_KEY_VAR)
        ),
        (None, [var, ..]) => format!(
            "{} is set but {API_KEY_VAR} is not: set both",
            env.describe(var)
        ),
        (Some(_), several) => format!(
            "{} are all set: keep one private key",
            several.join(" and ")
        ),
    };
    Err(SecretsError::Env(message))
}

/// A PEM in one environment line may spell its line breaks `\n`.
fn unescape_newlines(value: &str) -> zeroize::Zeroizing<String> {
    let mut out = zeroize::Zeroizing::new(String::with_capacity(value.len()));
    let mut rest = value;
    while let Some(at) = rest.find("\\n") {
        out.push_str(&rest[..at]);
        out.push('\n');
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[cfg(unix)]
mod tests;
