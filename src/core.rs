//! The trading core: one synchronous, deterministic engine driven by one event enum. Backtests,
//! paper and live trading run the same engine, strategies and checks; they differ only in where
//! events come from (a historical feed or live streams), what time it is (the events' own
//! timestamps, or the wall clock of a live runner) and which exchange adapter executes orders (the
//! simulated exchange, or Binance). Money and quantities are `rust_decimal`; prices seen on candles
//! and everything statistical are `f64`.

mod account;
mod context;
mod engine;
mod event;
pub mod money;
mod order;

pub use account::{Account, Asset, to_decimal, to_f64};
pub use context::{Ctx, SeriesId};
pub use engine::{Engine, EngineObserver, Instrument, NoObserver, Signal};
pub use event::{Command, Event};
pub use order::{
    Fill, Liquidity, Order, OrderId, OrderKind, OrderRequest, OrderStatus, Origin, Qty, Reject,
    Side,
};
