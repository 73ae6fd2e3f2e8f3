//! The keyring crate's platform store behind `secrets::keyring`'s three calls, each run on a
//! plain thread (see the parent's invariant).

use super::{ACCOUNT, KeyringError, SERVICE};
use crate::secrets::format::{self, ApiKeys, FormatError, Parsed};
use zeroize::Zeroizing;

/// Runs `f` on a thread outside any async runtime and waits for it.
fn on_own_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ::keyring::Error> + Send + 'static,
) -> Result<T, KeyringError> {
    std::thread::spawn(f)
        .join()
        .map_err(|_| KeyringError::Failed("the keyring call panicked".into()))?
        .map_err(map_error)
}

fn entry() -> Result<::keyring::Entry, ::keyring::Error> {
    ::keyring::Entry::new(SERVICE, ACCOUNT)
}

fn map_error(e: ::keyring::Error) -> KeyringError {
    use ::keyring::Error as E;
    match e {
        // No D-Bus session or Secret Service, a locked or refused store: all say "not here".
        E::NoStorageAccess(inner) | E::PlatformFailure(inner) => {
            KeyringError::Unavailable(inner.to_string())
        }
        E::BadEncoding(bytes) => {
            drop(Zeroizing::new(bytes));
            KeyringError::NotText
        }
        E::Ambiguous(items) => KeyringError::Failed(format!(
            "{} entries match {SERVICE}/{ACCOUNT}; remove the extra ones with the desktop's keyring manager",
            items.len()
        )),
        other => KeyringError::Failed(other.to_string()),
    }
}

pub fn load() -> Result<Option<ApiKeys>, KeyringError> {
    let text = on_own_thread(|| match entry()?.get_password() {
        Ok(text) => Ok(Some(Zeroizing::new(text))),
        Err(::keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e),
    })?;
    let Some(text) = text else {
        return Ok(None);
    };
    match format::parse(&text, false).map_err(KeyringError::Format)? {
        Parsed::Keys(keys) => Ok(Some(keys)),
        Parsed::KeyFile(..) => Err(KeyringError::Format(FormatError::KeyFileHere)),
    }
}

pub fn store(keys: &ApiKeys) -> Result<(), KeyringError> {
    let text = keys.to_toml();
    on_own_thread(move || entry()?.set_password(&text))
}

pub fn remove() -> Result<bool, KeyringError> {
    on_own_thread(|| match entry()?.delete_credential() {
        Ok(()) => Ok(true),
        Err(::keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e),
    })
}
