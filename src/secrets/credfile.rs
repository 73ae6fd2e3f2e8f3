//! Files holding key material: the credentials file (`$CREDENTIALS_DIRECTORY/tickdesk` from
//! systemd's `LoadCredential=`, or `<config dir>/credentials.toml`, in `format`'s TOML form), the
//! Ed25519 PEM files they name, and the encrypted key file's bytes.
//!
//! Invariant: key material is read only from a regular file nobody but its owner can read or write
//! (mode 0600 or stricter; on unix), and written through a new file that has mode 0600 from its
//! first byte, renamed into place, so no reader ever sees a half-written or world-readable file.

use super::format::{self, ApiKeys, FormatError, Parsed, PrivateKey};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The credential name tickdesk reads in systemd's `$CREDENTIALS_DIRECTORY`.
pub const SYSTEMD_CREDENTIAL: &str = "tickdesk";
pub const CREDENTIALS_FILE: &str = "credentials.toml";

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(
        "{} can be read or written by group or others (mode {mode:04o}); a file holding API keys must be private to its owner. Fix it with `chmod 600 {}`",
        path.display(), path.display()
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error("{} is not a regular file", path.display())]
    NotFile { path: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not UTF-8 text", path.display())]
    NotText { path: PathBuf },
    #[error("{}: {error}", path.display())]
    Format { path: PathBuf, error: FormatError },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove {}: {source}", path.display())]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The bytes of a private file (see the invariant), wiped when dropped.
pub fn read_private(path: &Path) -> Result<Zeroizing<Vec<u8>>, FileError> {
    let read = |source| FileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read)?;
    let meta = file.metadata().map_err(read)?;
    if !meta.is_file() {
        return Err(FileError::NotFile {
            path: path.to_path_buf(),
        });
    }
    check_private(path, &meta)?;
    let len = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Zeroizing::new(Vec::with_capacity(len + 1));
    file.read_to_end(&mut bytes).map_err(read)?;
    Ok(bytes)
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), FileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(FileError::Permissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), FileError> {
    Ok(())
}

/// A private file as text.
pub fn read_private_text(path: &Path) -> Result<Zeroizing<String>, FileError> {
    let mut bytes = read_private(path)?;
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(FileError::NotText {
                path: path.to_path_buf(),
            })
        }
    }
}

/// The keys in a credentials file; an `ed25519_key_file` is read relative to the file's folder.
pub fn load(path: &Path) -> Result<ApiKeys, FileError> {
    let text = read_private_text(path)?;
    let format_error = |error| FileError::Format {
        path: path.to_path_buf(),
        error,
    };
    match format::parse(&text, true).map_err(format_error)? {
        Parsed::Keys(keys) => Ok(keys),
        Parsed::KeyFile(api_key, pem_path) => {
            let pem_path = match path.parent() {
                Some(dir) if pem_path.is_relative() => dir.join(pem_path),
                _ => pem_path,
            };
            let pem = read_private_text(&pem_path)?;
            let private = PrivateKey::Ed25519Pem(format::pem_secret(&pem));
            ApiKeys::new(api_key, private).map_err(format_error)
        }
    }
}

/// Writes `bytes` as a private file at `path`, replacing what was there; creates the folder
/// (mode 0700) when missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let write = |source| FileError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(write)?;
    }
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(write(e)),
        _ => {}
    }
    let result = (|| {
        let mut file = private_options().open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(write)
}

#[cfg(unix)]
fn private_options() -> std::fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true).mode(0o600);
    o
}

#[cfg(not(unix))]
fn private_options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    o
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Removes a key file; `false` when there was none.
pub fn remove(path: &Path) -> Result<bool, FileError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(FileError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests;
