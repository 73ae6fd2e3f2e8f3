//! The OS keyring as a key store (cargo feature `keyring`, off by default): one entry, service
//! `tickdesk`, account `binance`, holding the keys' TOML form (see `format`). On Linux it is the
//! Secret Service over D-Bus (GNOME Keyring, KWallet), in pure Rust (zbus); on macOS the
//! Keychain; on Windows the Credential Manager. Built without the feature, every call says how to
//! get it.
//!
//! Invariant: a keyring error never carries the stored value (the crate's `BadEncoding` holds
//! the bytes: they are wiped, not shown), and the keyring runs on a thread of its own, outside
//! any tokio runtime (its blocking D-Bus client starts a runtime of its own, which tokio forbids
//! inside another).

use super::format::FormatError;

pub const SERVICE: &str = "tickdesk";
pub const ACCOUNT: &str = "binance";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error(
        "this tickdesk was built without the OS keyring; rebuild it with `--features keyring`, or store the keys with `--to encrypted` (a passphrase-protected file) or `--to file`"
    )]
    NotBuilt,
    #[error(
        "the OS keyring is not supported on this platform; use `--to encrypted` or `--to file`"
    )]
    Unsupported,
    #[error(
        "the OS keyring cannot be reached ({0}); on a machine without a desktop session use `--to encrypted` or `--to file`"
    )]
    Unavailable(String),
    #[error("the OS keyring failed: {0}")]
    Failed(String),
    #[error(
        "the keyring entry {SERVICE}/{ACCOUNT} is not UTF-8 text; replace it with `tickdesk keys set --to keyring`"
    )]
    NotText,
    #[error("the keyring entry {SERVICE}/{ACCOUNT}: {0}")]
    Format(FormatError),
}

impl KeyringError {
    /// The keyring is absent or unreachable (lookups go on to the next source), as opposed to a
    /// keyring that answered with something wrong.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::NotBuilt | Self::Unsupported | Self::Unavailable(_) | Self::Failed(_)
        )
    }
}

// The platforms where the keyring crate has a real store (elsewhere it would silently use an
// in-memory mock).
#[cfg_attr(
    all(
        feature = "keyring",
        any(
            target_os = "linux",
            target_os = "freebsd",
            target_os = "openbsd",
            target_os = "macos",
            target_os = "windows"
        )
    ),
    path = "keyring/os.rs"
)]
#[cfg_attr(
    not(all(
        feature = "keyring",
        any(
            target_os = "linux",
            target_os = "freebsd",
            target_os = "openbsd",
            target_os = "macos",
            target_os = "windows"
        )
    )),
    path = "keyring/stub.rs"
)]
mod imp;

pub use imp::{load, remove, store};
