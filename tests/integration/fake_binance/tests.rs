//! Tests of the fake itself, with plain reqwest and tokio-tungstenite clients: it must speak the
//! documented wire format before any connector is tested against it.

mod auth;
mod lists;
mod orders;
mod rest;
mod streams;
mod support;
mod wsapi;
