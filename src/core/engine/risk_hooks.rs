//! The engine's side of the risk layer: what it tells risk (fills, closed orders, closed bars) and
//! how it carries out what risk asks in return (exits placed, moved or cancelled, a position
//! flattened, a halt). Risk's own orders take the same path as everyone's, through `approve`.

use super::{Engine, EngineObserver, Intent};
use crate::core::{Command, Fill, OrderId};
use crate::exchange::Exchange;
use crate::market::Candle;
use crate::risk::RiskAction;

/// A `View` of the engine's account and market for the risk layer (borrowing fields, so it can be
/// used while `risk` itself is borrowed mutably).
macro_rules! view {
    ($e:expr) => {
        crate::risk::View {
            now: $e.now,
            exchange: &$e.exchange,
            assets: &$e.assets,
            marks: &$e.marks,
            prices: &$e.last_close,
            quote: $e.quote,
        }
    };
}
pub(super) use view;

impl<X: Exchange, O: EngineObserver> Engine<X, O> {
    pub(super) fn risk_fill(&mut self, fill: &Fill) {
        let actions = self.risk.on_fill(fill, &view!(self));
        self.act(actions);
    }

    /// A resumed session (after a restart): the risk layer takes its positions and exits back
    /// from the session's `fills` and the open orders, and what it asks for is carried out.
    /// `history` is the candles seen since, by instrument; `last_group` the highest
    /// one-cancels-other group the session used.
    pub fn resume_risk(&mut self, fills: &[Fill], history: &[Vec<Candle>], last_group: u64) {
        let actions = self.risk.resume(fills, history, last_group, &view!(self));
        self.act(actions);
        self.flush();
    }

    pub(super) fn risk_closed(&mut self, order: OrderId) {
        self.risk.on_closed(order);
    }

    /// Protections and exits see the closed bar (only called when some are configured; out of
    /// line so the per-bar loop stays small).
    #[inline(never)]
    pub(super) fn risk_bar(&mut self, instrument: usize, candle: &Candle) {
        let actions = self.risk.on_bar(instrument, candle, &view!(self));
        self.act(actions);
        self.flush();
    }

    /// Cancels what must go before `request` is placed (exits holding its base asset).
    pub(super) fn risk_clear_way(&mut self, request: &crate::core::OrderRequest) {
        for id in self.risk.before_place(request) {
            let _ = self.exchange.cancel(id, &mut self.execs);
        }
    }

    fn act(&mut self, actions: Vec<RiskAction>) {
        for a in actions {
            match a {
                RiskAction::Place(r) => {
                    let id = self.bump_id();
                    self.intents.push(Intent::Place(id, r));
                }
                RiskAction::Cancel(id) => self.intents.push(Intent::Cancel(id)),
                RiskAction::Flatten(i) => self.command(Command::Flatten(i)),
                RiskAction::Halt(h) => {
                    if self.risk.halted().is_none() {
                        self.observer.on_halted(self.now, &h);
                    }
                    self.risk.halt(h);
                }
            }
        }
    }
}
