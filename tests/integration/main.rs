//! The integration suite: one test binary (builds once), offline. Exchange tests talk to the fake
//! Binance in `fake_binance.rs` over loopback; CLI tests run the real binary with a private HOME.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod backtest;
mod binance_rest;
mod binance_stream;
mod binance_user;
mod cli_backtest;
mod cli_config;
mod cli_data;
mod cli_keys;
mod common;
mod engine_behaviour;
mod fake_binance;
mod fetch;
mod fetch_cli;
mod headless;
mod indicators;
mod journal_paper;
mod live;
mod live_attach;
mod live_confirm;
mod live_crash;
mod live_strategy;
mod lookahead;
mod market_data;
mod rebalance;
mod risk;
mod risk_exits;
mod workstation;
