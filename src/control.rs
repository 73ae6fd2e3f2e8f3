//! The local control socket: how a running engine is watched and steered from another process
//! (`tickdesk attach`, `tickdesk status`, scripts). Newline-delimited JSON over a Unix domain
//! socket at `<data dir>/tickdesk.sock`, mode 0600, open only to the user who runs the engine.
//!
//! - `wire`: the messages; `frame`: one message per line, bounded.
//! - `link`: `Link`, the handle on a core (local task or remote engine) that views and the
//!   server hold: controls in, update batches out.
//! - `server`: claims the data dir, binds the socket, greets clients with a snapshot and fans
//!   update batches out (slow clients get a fresh snapshot instead of a backlog).
//! - `client`: connects, reads the greeting, and turns the connection into a `Link`.
//!
//! Invariant: whoever holds a link, local or remote, sees the same replica, and sends the same
//! controls through the engine's one command path.

pub mod client;
pub mod frame;
pub mod link;
pub mod server;
pub mod wire;

pub use client::{ClientError, Remote, connect};
pub use link::{Incoming, Link};
pub use server::{EngineLock, ServeError, Served, Server};

use std::path::{Path, PathBuf};

/// The socket's file name in the data dir.
pub const SOCKET_NAME: &str = "tickdesk.sock";

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}
