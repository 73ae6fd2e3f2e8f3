//! The one event enum the engine processes. Everything that can change the core's state arrives
//! as an `Event`, stamped with its time, so a run is a deterministic function of its events.

use super::{OrderKind, OrderRequest, Qty, Side};
use crate::market::Candle;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A closed candle of a base series (one the feed delivers; coarser series are derived).
    Bar { series: usize, candle: Candle },
    /// Time passes without data (live runners tick, so timers fire on quiet markets).
    Tick { at: i64 },
    /// Something a person asked for, from the keyboard or the control socket.
    Command { at: i64, command: Command },
    /// A live edge found trading unsafe (errors, latency, stale data, a mismatch, a ban): the
    /// risk layer halts new entries until a person releases it.
    Breaker {
        at: i64,
        breaker: crate::risk::Breaker,
    },
    /// The live order book of an instrument moved (paper on live data fills against it).
    Book {
        at: i64,
        instrument: usize,
        depth: crate::exchange::Depth,
    },
    /// A trade printed on an instrument's market.
    Trade {
        at: i64,
        instrument: usize,
        price: rust_decimal::Decimal,
    },
    /// A real exchange reported on the account's orders or balances.
    Report {
        at: i64,
        report: crate::exchange::Report,
    },
}

/// Manual overrides. Each goes through the same checks as a strategy's orders.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Place(OrderRequest),
    Cancel(u64),
    CancelAll,
    /// Sell the whole position in an instrument at market.
    Flatten(usize),
    Pause(usize),
    Resume(usize),
    /// Halt all trading and cancel every open order; only `Release` lifts it.
    KillSwitch,
    Release,
}

impl Command {
    /// A market order for `qty` of an instrument, placed by hand.
    pub fn market(instrument: usize, side: Side, qty: Qty) -> Self {
        Self::Place(OrderRequest {
            instrument,
            side,
            kind: OrderKind::Market,
            qty,
            oco: None,
            origin: super::Origin::Manual,
        })
    }
}
