//! Where a paper or live session's orders go: the simulated exchange (paper, on replayed or live
//! data) or the mirror of a real account (live). One type, so the session, its desk, its journal
//! and every view are the same code whichever executes.
//!
//! While a live-data session warms up on history, `warming` refuses every order: a decision taken
//! on a candle of the past is neither sent nor simulated now.

use super::live::{LiveExchange, Outgoing};
use super::{Depth, Exchange, ExecEvent, Report, SimExchange, SymbolRules};
use crate::core::{Account, Order, OrderId, Reject};
use crate::market::Candle;
use rust_decimal::Decimal;

pub struct Venue {
    inner: Inner,
    warming: bool,
}

enum Inner {
    Sim(SimExchange),
    Live(LiveExchange),
}

/// The refusal of an order decided during a live-data session's warm-up on history.
fn warming_up() -> Reject {
    Reject::new(
        "WARMUP",
        "decided on a historical candle while the session warmed up; not sent",
    )
}

impl Venue {
    pub fn sim(x: SimExchange) -> Self {
        Self {
            inner: Inner::Sim(x),
            warming: false,
        }
    }

    pub fn live(x: LiveExchange) -> Self {
        Self {
            inner: Inner::Live(x),
            warming: false,
        }
    }

    /// While on, every order is refused (`WARMUP`): the session is replaying history.
    pub fn set_warming(&mut self, on: bool) {
        self.warming = on;
    }

    /// Requests for the real exchange queued since the last call (none for the simulated one).
    pub fn take_outgoing(&mut self) -> Vec<Outgoing> {
        match &mut self.inner {
            Inner::Sim(_) => Vec::new(),
            Inner::Live(x) => x.take_outgoing(),
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self.inner, Inner::Live(_))
    }

    /// Whether cancels sent to the real exchange await its confirmation.
    pub fn cancels_pending(&self) -> bool {
        match &self.inner {
            Inner::Sim(_) => false,
            Inner::Live(x) => x.cancels_pending(),
        }
    }

    pub fn live_mut(&mut self) -> Option<&mut LiveExchange> {
        match &mut self.inner {
            Inner::Sim(_) => None,
            Inner::Live(x) => Some(x),
        }
    }

    pub fn sim_mut(&mut self) -> Option<&mut SimExchange> {
        match &mut self.inner {
            Inner::Sim(x) => Some(x),
            Inner::Live(_) => None,
        }
    }
}

macro_rules! each {
    ($self:ident, $x:ident => $e:expr) => {
        match &mut $self.inner {
            Inner::Sim($x) => $e,
            Inner::Live($x) => $e,
        }
    };
    (ref $self:ident, $x:ident => $e:expr) => {
        match &$self.inner {
            Inner::Sim($x) => $e,
            Inner::Live($x) => $e,
        }
    };
}

impl Exchange for Venue {
    fn account(&self) -> &Account {
        each!(ref self, x => x.account())
    }

    fn rules(&self, instrument: usize) -> &SymbolRules {
        each!(ref self, x => x.rules(instrument))
    }

    fn open_orders(&self) -> &[Order] {
        each!(ref self, x => x.open_orders())
    }

    fn submit(
        &mut self,
        id: OrderId,
        order: crate::risk::Approved,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject> {
        if self.warming {
            return Err(warming_up());
        }
        each!(self, x => x.submit(id, order, now, out))
    }

    fn cancel(&mut self, id: OrderId, out: &mut Vec<ExecEvent>) -> Result<(), Reject> {
        each!(self, x => x.cancel(id, out))
    }

    fn on_bar(&mut self, i: usize, bar: &Candle, detail: &[Candle], out: &mut Vec<ExecEvent>) {
        each!(self, x => x.on_bar(i, bar, detail, out))
    }

    fn on_book(&mut self, i: usize, book: &Depth, now: i64, out: &mut Vec<ExecEvent>) {
        each!(self, x => x.on_book(i, book, now, out))
    }

    fn on_trade(&mut self, i: usize, price: Decimal, now: i64, out: &mut Vec<ExecEvent>) {
        each!(self, x => x.on_trade(i, price, now, out))
    }

    fn on_report(&mut self, report: Report, out: &mut Vec<ExecEvent>) {
        each!(self, x => x.on_report(report, out))
    }
}
