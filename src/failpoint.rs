//! Crash points for recovery tests. With `TICKDESK_FAILPOINT=<name>` in the environment, the
//! process aborts (no unwinding, no destructors, no flush: as `kill -9` would leave it) the first
//! time it reaches the point of that name. Without the variable, a point costs one load of a
//! cached value.

use std::sync::OnceLock;

static ARMED: OnceLock<Option<String>> = OnceLock::new();

/// Aborts the process here if this point is armed.
pub fn hit(name: &str) {
    let armed = ARMED.get_or_init(|| std::env::var("TICKDESK_FAILPOINT").ok());
    if armed.as_deref() == Some(name) {
        eprintln!("tickdesk: failpoint `{name}` reached: aborting");
        std::process::abort();
    }
}
