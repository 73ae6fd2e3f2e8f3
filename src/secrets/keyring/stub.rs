//! The keyring where there is none: built without the `keyring` feature, or on a platform the
//! keyring crate has no store for. Every call fails saying what to do instead.

use super::KeyringError;
use crate::secrets::format::ApiKeys;

fn missing() -> KeyringError {
    if cfg!(feature = "keyring") {
        KeyringError::Unsupported
    } else {
        KeyringError::NotBuilt
    }
}

pub fn load() -> Result<Option<ApiKeys>, KeyringError> {
    Err(missing())
}

pub fn store(_keys: &ApiKeys) -> Result<(), KeyringError> {
    Err(missing())
}

pub fn remove() -> Result<bool, KeyringError> {
    Err(missing())
}
