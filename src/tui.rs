//! The workstation: a full-screen terminal UI over a replica of the trading core's state. Views
//! are pure functions of (replica, UI state, theme); input becomes an `Action` through the keymap;
//! the screen is redrawn only when something changed.

pub mod chart;
mod commands;
pub mod confirm;
mod dialogs;
pub mod forms;
pub mod keymap;
pub mod layout;
pub mod logbuf;
mod panes;
mod run;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

pub use run::{Options, Screen, Session, run, run_live};
