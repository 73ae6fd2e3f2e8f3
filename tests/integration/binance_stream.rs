//! The market feed (`tickdesk::binance::stream`) against the fake Binance on 127.0.0.1, on tokio's
//! paused clock: several symbols on one connection, local books equal to the fake's after
//! scripted diffs, a gap, a disconnect, the 24-hour cut (planned switch, and the cut arriving
//! first), `serverShutdown` and a silent stall; pings answered; slow and stuck consumers.

mod books;
mod connection;
mod consumers;
mod property;
mod support;
