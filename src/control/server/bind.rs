//! Claiming a data dir for one engine and binding its control socket.
//!
//! `tickdesk.lock` in the data dir is locked (flock) for the engine's life: the kernel drops the
//! lock when the process dies, however it dies, so a second engine is refused while the first
//! lives and never after. With the lock held, a socket file left in the data dir is a crashed
//! engine's and is removed. The socket is bound, then made 0600 before anything is accepted.
//!
//! Invariant: while an `EngineLock` exists, no other tickdesk engine serves this data dir.

use super::{Server, SocketFile};
use crate::control::socket_path;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub const LOCK_NAME: &str = "tickdesk.lock";
/// `sun_path` holds 108 bytes, the terminating NUL included.
const SUN_PATH_MAX: usize = 107;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "another tickdesk engine{} is running on {dir}: `tickdesk attach` opens it, `tickdesk status` summarises it",
        pid.as_ref().map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Busy { dir: PathBuf, pid: Option<String> },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is in the way of the control socket and is not a socket: move it away")]
    NotASocket(PathBuf),
    #[error(
        "the control socket's path {0} is longer than a Unix socket allows ({SUN_PATH_MAX} bytes): use a shorter --data-dir"
    )]
    PathTooLong(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ServeError + '_ {
    move |source| ServeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The data dir's engine lock, held until dropped.
#[derive(Debug)]
pub struct EngineLock {
    _file: File,
    dir: PathBuf,
}

impl EngineLock {
    /// Claims `dir` for this process; `Busy` if another engine holds it.
    pub fn acquire(dir: &Path) -> Result<Self, ServeError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(LOCK_NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let pid = std::fs::read_to_string(&path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                return Err(ServeError::Busy {
                    dir: dir.to_path_buf(),
                    pid,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        // For people looking: the pid of the engine that holds the lock.
        file.set_len(0).map_err(io(&path))?;
        writeln!(file, "{}", std::process::id()).map_err(io(&path))?;
        Ok(Self {
            _file: file,
            dir: dir.to_path_buf(),
        })
    }

    /// Binds the data dir's control socket (must run inside a tokio runtime).
    pub fn bind(self) -> Result<Server, ServeError> {
        let path = socket_path(&self.dir);
        if path.as_os_str().len() > SUN_PATH_MAX {
            return Err(ServeError::PathTooLong(path));
        }
        remove_stale(&self.dir, &path)?;
        let listener = std::os::unix::net::UnixListener::bind(&path).map_err(io(&path))?;
        let socket = SocketFile(path.clone());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(io(&path))?;
        // The file is ours, so its owner is the uid this process runs as.
        let uid = std::fs::metadata(&path).map_err(io(&path))?.uid();
        listener.set_nonblocking(true).map_err(io(&path))?;
        let listener = tokio::net::UnixListener::from_std(listener).map_err(io(&path))?;
        Ok(Server {
            listener,
            socket,
            uid,
            _lock: self,
        })
    }
}

/// Removes a socket file no engine answers on (we hold the lock, so its engine is gone).
fn remove_stale(dir: &Path, path: &Path) -> Result<(), ServeError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(path)(e)),
    };
    if !meta.file_type().is_socket() {
        return Err(ServeError::NotASocket(path.to_path_buf()));
    }
    if std::os::unix::net::UnixStream::connect(path).is_ok() {
        // Something answers although the lock was free: not ours to remove.
        return Err(ServeError::Busy {
            dir: dir.to_path_buf(),
            pid: None,
        });
    }
    tracing::warn!(
        "removed the control socket {} left by an engine that did not stop cleanly",
        path.display()
    );
    std::fs::remove_file(path).map_err(io(path))
}
