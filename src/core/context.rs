//! What a strategy sees and may do during a callback: the time, closed candles and indicator
//! values of the series it declared, its balances and open orders, and an outbox of intents (place,
//! cancel, timers) that the engine executes after the callback returns. Candles reach a strategy
//! only once closed, so it cannot look ahead.

use super::{Account, Order, OrderId, OrderKind, OrderRequest, Origin, Qty, Side};
use crate::exchange::{Exchange, SymbolRules};
use crate::market::Candle;
use rust_decimal::Decimal;
use std::collections::VecDeque;
use std::sync::Arc;

/// Index of a series (an instrument at an interval) in the engine.
pub type SeriesId = usize;

/// What a callback asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Intent {
    Place(OrderId, OrderRequest),
    Cancel(OrderId),
    Timer { at: i64, id: u64, strategy: usize },
}

pub struct Ctx<'a> {
    pub(crate) now: i64,
    pub(crate) strategy: usize,
    pub(crate) exchange: &'a dyn Exchange,
    /// (base, quote) asset of each instrument in the account.
    pub(crate) assets: &'a [(usize, usize)],
    pub(crate) histories: &'a [VecDeque<Candle>],
    pub(crate) indicators: &'a [Option<f64>],
    pub(crate) intents: &'a mut Vec<Intent>,
    pub(crate) next_id: &'a mut OrderId,
    pub(crate) signal: &'a mut Option<(i64, Arc<str>)>,
    pub(crate) signals: &'a mut u64,
}

impl Ctx<'_> {
    /// The close time of the bar being processed (or the event's time).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Closed candles of a declared series, oldest first: as many as the strategy asked to keep
    /// with `Setup::keep` (none otherwise).
    pub fn candles(&self, series: SeriesId) -> &VecDeque<Candle> {
        &self.histories[series]
    }

    /// The value of an indicator declared in `setup`, if warmed up.
    pub fn indicator(&self, id: usize) -> Option<f64> {
        self.indicators.get(id).copied().flatten()
    }

    /// Base asset held (free and locked) in an instrument.
    pub fn position(&self, instrument: usize) -> Decimal {
        self.exchange.account().total(self.assets[instrument].0)
    }

    /// Quote asset free to spend for an instrument.
    pub fn free_quote(&self, instrument: usize) -> Decimal {
        self.exchange.account().free(self.assets[instrument].1)
    }

    pub fn account(&self) -> &Account {
        self.exchange.account()
    }

    pub fn rules(&self, instrument: usize) -> &SymbolRules {
        self.exchange.rules(instrument)
    }

    pub fn open_orders(&self, instrument: usize) -> impl Iterator<Item = &Order> {
        self.exchange
            .open_orders()
            .iter()
            .filter(move |o| o.request.instrument == instrument)
    }

    /// Places an order; its fate arrives later as a fill or an order-closed callback.
    pub fn place(
        &mut self,
        instrument: usize,
        side: Side,
        kind: OrderKind,
        qty: Qty,
        oco: Option<u64>,
    ) -> OrderId {
        *self.next_id += 1;
        let id = *self.next_id;
        let request = OrderRequest {
            instrument,
            side,
            kind,
            qty,
            oco,
            origin: Origin::Strategy(self.strategy),
        };
        self.intents.push(Intent::Place(id, request));
        id
    }

    pub fn market_buy_quote(&mut self, instrument: usize, quote: Decimal) -> OrderId {
        self.place(
            instrument,
            Side::Buy,
            OrderKind::Market,
            Qty::Quote(quote),
            None,
        )
    }

    pub fn market_sell(&mut self, instrument: usize, qty: Decimal) -> OrderId {
        self.place(
            instrument,
            Side::Sell,
            OrderKind::Market,
            Qty::Base(qty),
            None,
        )
    }

    pub fn cancel(&mut self, order: OrderId) {
        self.intents.push(Intent::Cancel(order));
    }

    /// Calls `on_timer(id)` once time reaches `at`.
    pub fn set_timer(&mut self, at: i64, id: u64) {
        self.intents.push(Intent::Timer {
            at,
            id,
            strategy: self.strategy,
        });
    }

    /// Records what the strategy just decided, for the status pane and the journal. Strategies
    /// keep their few texts as `Arc<str>` so signalling costs no allocation.
    pub fn signal(&mut self, text: impl Into<Arc<str>>) {
        *self.signal = Some((self.now, text.into()));
        *self.signals += 1;
    }
}
