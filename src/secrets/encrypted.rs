//! The encrypted key file (`<data dir>/keys.enc`), for machines without a keyring: the keys'
//! TOML form (see `format`) sealed with a key derived from a passphrase.
//!
//! Layout, version 1 (all of it before the ciphertext is authenticated as associated data, so a
//! changed header fails like a wrong passphrase):
//!
//! | bytes | field |
//! |---|---|
//! | 13 | magic `tickdesk-keys` |
//! | 1 | format version, 1 |
//! | 4 | PBKDF2-HMAC-SHA256 iterations, big-endian, at least 600 000 |
//! | 16 | salt, random per file |
//! | 12 | AES-256-GCM nonce, random per file |
//! | rest | ciphertext and 16-byte tag |
//!
//! Invariant: a wrong passphrase or a damaged file is an error, never keys; the derived key and
//! the plaintext live only in buffers wiped on drop.

use super::credfile::{self, FileError};
use super::format::{self, ApiKeys, FormatError, Parsed};
use crate::secrets::Secret;
use ring::{aead, pbkdf2, rand::SecureRandom};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const FILE_NAME: &str = "keys.enc";
const MAGIC: &[u8; 13] = b"tickdesk-keys";
const VERSION: u8 = 1;
pub const ITERATIONS: u32 = 600_000;
/// Refused above this: a file asking for more would only make opening it hang.
const MAX_ITERATIONS: u32 = 20_000_000;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = aead::NONCE_LEN;
const HEADER_LEN: usize = MAGIC.len() + 1 + 4 + SALT_LEN + NONCE_LEN;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("wrong passphrase, or the file was altered (it does not authenticate)")]
    WrongPassphrase,
    #[error("not a tickdesk encrypted key file")]
    NotKeyFile,
    #[error("the file is truncated")]
    Truncated,
    #[error("written in key-file format v{0}; this tickdesk reads v{VERSION}: upgrade tickdesk")]
    Version(u8),
    #[error("asks for {0} PBKDF2 iterations, outside {ITERATIONS}..={MAX_ITERATIONS}: damaged")]
    Iterations(u32),
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("the system gave no secure random numbers")]
    Random,
    #[error("the cipher could not be set up")]
    Cipher,
    #[error("the decrypted contents are not UTF-8 text: damaged")]
    NotText,
    #[error("the decrypted keys are not valid: {0}")]
    Format(FormatError),
}

#[derive(Debug, thiserror::Error)]
pub enum EncryptedError {
    #[error("encrypted key file {}: {error}", path.display())]
    Crypto { path: PathBuf, error: CryptoError },
    #[error(transparent)]
    File(#[from] FileError),
}

/// Seals `keys` under `passphrase` with a fresh salt and nonce.
pub fn seal(keys: &ApiKeys, passphrase: &Secret) -> Result<Vec<u8>, CryptoError> {
    let rng = ring::rand::SystemRandom::new();
    let iterations = ITERATIONS;
    if passphrase.expose().is_empty() {
        return Err(CryptoError::EmptyPassphrase);
    }
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut salt).map_err(|_| CryptoError::Random)?;
    rng.fill(&mut nonce).map_err(|_| CryptoError::Random)?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.push(VERSION);
    header.extend_from_slice(&iterations.to_be_bytes());
    header.extend_from_slice(&salt);
    header.extend_from_slice(&nonce);
    let key = derive(passphrase, iterations, &salt)?;
    let plain = keys.to_toml();
    let mut buf = Zeroizing::new(Vec::with_capacity(
        plain.len() + aead::AES_256_GCM.tag_len(),
    ));
    buf.extend_from_slice(plain.as_bytes());
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(&header),
        &mut *buf,
    )
    .map_err(|_| CryptoError::Cipher)?;
    let mut out = header;
    out.extend_from_slice(&buf);
    Ok(out)
}

/// The keys in a sealed file's bytes.
pub fn open(bytes: &[u8], passphrase: &Secret) -> Result<ApiKeys, CryptoError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(CryptoError::NotKeyFile);
    }
    let version = *bytes.get(MAGIC.len()).ok_or(CryptoError::Truncated)?;
    if version != VERSION {
        return Err(CryptoError::Version(version));
    }
    if bytes.len() < HEADER_LEN + aead::AES_256_GCM.tag_len() {
        return Err(CryptoError::Truncated);
    }
    let (header, sealed) = bytes.split_at(HEADER_LEN);
    let at = MAGIC.len() + 1;
    let iterations =
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    if !(ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(CryptoError::Iterations(iterations));
    }
    let salt = &header[at + 4..at + 4 + SALT_LEN];
    let nonce = aead::Nonce::try_assume_unique_for_key(&header[at + 4 + SALT_LEN..])
        .map_err(|_| CryptoError::Truncated)?;
    let key = derive(passphrase, iterations, salt)?;
    let mut buf = Zeroizing::new(sealed.to_vec());
    let plain = key
        .open_in_place(nonce, aead::Aad::from(header), &mut buf)
        .map_err(|_| CryptoError::WrongPassphrase)?;
    let text = std::str::from_utf8(plain).map_err(|_| CryptoError::NotText)?;
    match format::parse(text, false).map_err(CryptoError::Format)? {
        Parsed::Keys(keys) => Ok(keys),
        Parsed::KeyFile(..) => Err(CryptoError::Format(FormatError::KeyFileHere)),
    }
}

fn derive(
    passphrase: &Secret,
    iterations: u32,
    salt: &[u8],
) -> Result<aead::LessSafeKey, CryptoError> {
    let iterations = NonZeroU32::new(iterations).ok_or(CryptoError::Iterations(iterations))?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        passphrase.expose().as_bytes(),
        &mut *key,
    );
    let unbound =
        aead::UnboundKey::new(&aead::AES_256_GCM, &*key).map_err(|_| CryptoError::Cipher)?;
    Ok(aead::LessSafeKey::new(unbound))
}

/// Reads and opens the file at `path`.
pub fn load(path: &Path, passphrase: &Secret) -> Result<ApiKeys, EncryptedError> {
    let bytes = credfile::read_private(path)?;
    open(&bytes, passphrase).map_err(|error| EncryptedError::Crypto {
        path: path.to_path_buf(),
        error,
    })
}

/// Seals `keys` into a private file at `path`, replacing it.
pub fn store(path: &Path, keys: &ApiKeys, passphrase: &Secret) -> Result<(), EncryptedError> {
    let bytes = seal(keys, passphrase).map_err(|error| EncryptedError::Crypto {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(credfile::write_private(path, &bytes)?)
}

#[cfg(test)]
mod tests;
