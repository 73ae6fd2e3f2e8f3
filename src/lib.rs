//! tickdesk: a crypto trading workstation for the terminal. The binary in `main.rs` is a thin shell
//! over this library; see docs/ARCHITECTURE.md for the parts and how data flows between them.

pub mod backtest;
pub mod binance;
pub mod cancel;
pub mod cli;
pub mod clock;
pub mod config;
pub mod control;
pub mod core;
pub mod exchange;
pub mod export;
pub mod failpoint;
pub mod fetch;
pub mod headless;
pub mod import;
pub mod indicators;
pub mod journal;
pub mod live;
pub mod logging;
pub mod market;
pub mod paper;
pub mod progress;
pub mod replica;
pub mod report;
pub mod risk;
pub mod samples;
pub mod secrets;
pub mod store;
pub mod strategy;
pub mod tui;
