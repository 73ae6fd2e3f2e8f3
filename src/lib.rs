//! tickdesk: a crypto trading workstation for the terminal. The binary in `main.rs` is a thin shell
//! over this library; see docs/ARCHITECTURE.md for the parts and how data flows between them.

pub mod config;
pub mod logging;
pub mod market;
pub mod secrets;
pub mod store;
