//! Risk: the layer between every order intent (a strategy's or a person's) and the exchange
//! adapter, inside the deterministic core, so a backtest, paper trading and live trading obey the
//! same rules. `Risk::approve` is the pipeline (halts, filters, limits) and the only maker of an
//! `Approved` order, the one type an adapter's `submit` takes. Every refusal is a `Reject` whose
//! code names the rule (`RISK_…`, a filter name, `HALTED`), counted per code. See docs/risk.md.
//!
//! Invariant: no order reaches an exchange adapter without passing `approve`; while trading is
//! halted only orders that reduce exposure pass (only a person's sells, under the kill switch).

mod approved;
pub mod breakers;
mod config;
mod exits;
mod ledger;
pub mod limits;
pub mod portfolio;
pub mod protections;
pub mod settings;
mod sizing;

pub use approved::Approved;
pub use config::{Distance, KELLY_MIN_TRADES, Limits, RiskConfig, Sizing, StrategyRisk};
pub use ledger::{Closed, Ledger, Record};
pub use protections::{LossLimit, OnLossLimit, ProtectionConfig};
pub use settings::RiskSettings;

use crate::core::{
    Asset, Fill, OrderId, OrderKind, OrderRequest, Origin, Qty, Reject, Side, to_decimal,
};
use crate::exchange::{Exchange, SymbolRules};
use crate::market::Candle;
use exits::Exits;
use protections::Protections;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What the risk layer sees of the account and the market when it decides.
pub struct View<'a> {
    pub now: i64,
    pub exchange: &'a dyn Exchange,
    /// (base, quote) asset of each instrument.
    pub assets: &'a [(Asset, Asset)],
    /// Distinct base assets with the instrument that prices them.
    pub marks: &'a [(Asset, usize)],
    /// Last close per instrument (NaN before the first).
    pub prices: &'a [f64],
    /// The account currency.
    pub quote: Asset,
}

impl View<'_> {
    pub fn price(&self, instrument: usize) -> Decimal {
        let p = self.prices.get(instrument).copied().unwrap_or(f64::NAN);
        if p.is_finite() {
            to_decimal(p)
        } else {
            Decimal::ZERO
        }
    }

    /// Value of the base asset held (free and locked) in an instrument, in its quote asset.
    pub fn holding_value(&self, instrument: usize) -> Decimal {
        let base = self.assets[instrument].0;
        self.exchange.account().total(base) * self.price(instrument)
    }

    /// Value of every non-quote holding.
    pub fn exposure(&self) -> Decimal {
        self.marks
            .iter()
            .map(|&(asset, i)| self.exchange.account().total(asset) * self.price(i))
            .sum()
    }

    pub fn equity(&self) -> Decimal {
        self.exchange.account().total(self.quote) + self.exposure()
    }

    pub fn free_quote(&self, instrument: usize) -> Decimal {
        self.exchange.account().free(self.assets[instrument].1)
    }
}

/// Why trading is halted. Each says why; only `Command::Release` lifts it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Halt {
    /// A person pulled the kill switch: only their own sells pass.
    KillSwitch,
    /// A circuit breaker tripped (from the live edges): new entries stop.
    Breaker(Breaker),
    /// Equity fell the daily loss limit below its value at the UTC day's start.
    DailyLoss(LossLimit),
    /// Equity fell the maximum drawdown below its peak.
    Drawdown(LossLimit),
}

/// Conditions the live edges report that make trading unsafe.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Breaker {
    /// Share of failed exchange requests over the recent window, in percent.
    ApiErrors { pct: u32 },
    /// Exchange round trips slower than the configured bound.
    Latency { ms: u64 },
    /// No market data for this long.
    StaleData { secs: u64 },
    /// The exchange and the journal disagree.
    Reconciliation(String),
    /// Binance banned the IP (HTTP 418) until this time (ms).
    Banned { until: i64 },
}

pub const HALTED: &str = "HALTED";

impl Halt {
    /// A few words for a status bar.
    pub fn label(&self) -> String {
        match self {
            Self::KillSwitch => "KILL SWITCH ON".into(),
            Self::Breaker(b) => format!("HALTED: {}", b.label()),
            Self::DailyLoss(_) => "HALTED: daily loss limit".into(),
            Self::Drawdown(_) => "HALTED: max drawdown".into(),
        }
    }

    pub fn reason(&self) -> String {
        match self {
            Self::KillSwitch => "the kill switch is engaged; release it to trade again".into(),
            Self::Breaker(b) => format!(
                "circuit breaker: {}; release it to trade again",
                b.describe()
            ),
            Self::DailyLoss(l) => format!("{}; release it to trade again", l.daily()),
            Self::Drawdown(l) => format!("{}; release it to trade again", l.drawdown()),
        }
    }

    fn lets_through(&self, r: &OrderRequest) -> bool {
        match self {
            Self::KillSwitch => r.origin == Origin::Manual && r.side == Side::Sell,
            Self::Breaker(_) | Self::DailyLoss(_) | Self::Drawdown(_) => r.side == Side::Sell,
        }
    }
}

impl Breaker {
    pub fn label(&self) -> &'static str {
        match self {
            Self::ApiErrors { .. } => "exchange errors",
            Self::Latency { .. } => "exchange latency",
            Self::StaleData { .. } => "stale market data",
            Self::Reconciliation(_) => "reconciliation mismatch",
            Self::Banned { .. } => "IP banned",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::ApiErrors { pct } => format!("{pct} % of exchange requests failed"),
            Self::Latency { ms } => format!("exchange answers took {ms} ms"),
            Self::StaleData { secs } => format!("no market data for {secs} s"),
            Self::Reconciliation(what) => {
                format!("the exchange disagrees with the journal: {what}")
            }
            Self::Banned { until } => format!(
                "Binance banned this IP until {} UTC",
                crate::market::time::Utc(*until)
            ),
        }
    }
}

/// What the risk layer asks the engine to do on its own initiative.
#[derive(Debug, Clone, PartialEq)]
pub enum RiskAction {
    /// Place an order (a protective exit, a moved trailing stop); it passes `approve` like any.
    Place(OrderRequest),
    Cancel(OrderId),
    /// Sell an instrument's whole position at market (a loss limit set to flatten).
    Flatten(usize),
    /// Stop new entries, saying why.
    Halt(Halt),
}

#[derive(Debug, Default)]
pub struct Risk {
    config: RiskConfig,
    halt: Option<Halt>,
    refusals: BTreeMap<&'static str, usize>,
    ledger: Ledger,
    /// Whether anything reads the ledger (cooldowns, locks, Kelly sizing); fills are booked only
    /// then, since every fill of every backtest passes here.
    keeps_ledger: bool,
    /// Open stop-loss sells, so a fill can say whether a stop closed the position.
    stops: Vec<OrderId>,
    protections: Protections,
    exits: Exits,
}

impl Risk {
    pub fn new(config: RiskConfig) -> Self {
        let kelly = config
            .strategies
            .iter()
            .any(|s| matches!(s.sizing, Some(Sizing::Kelly { .. })));
        let p = &config.protections;
        Self {
            keeps_ledger: kelly || p.cooldown.is_some() || p.lock.is_some(),
            protections: Protections::new(config.protections.clone()),
            exits: Exits::new(&config),
            config,
            ..Self::default()
        }
    }

    pub fn config(&self) -> &RiskConfig {
        &self.config
    }

    /// The pipeline for order `id`: halts, sizing, the symbol's filters, limits, protections.
    pub fn approve(
        &mut self,
        id: OrderId,
        request: OrderRequest,
        view: &View<'_>,
    ) -> Result<Approved, Reject> {
        let result = self.decide(request, view);
        if let Ok(a) = &result {
            self.exits.on_approved(id, a.request());
        }
        match &result {
            // Stop-losses only: a take-profit that fills is not a stop-out (cooldowns count those).
            Ok(a)
                if a.request().side == Side::Sell
                    && matches!(
                        a.request().kind,
                        OrderKind::StopLoss { .. } | OrderKind::StopLossLimit { .. }
                    ) =>
            {
                self.stops.push(id)
            }
            Ok(_) => {}
            Err(r) => *self.refusals.entry(r.code).or_default() += 1,
        }
        result
    }

    fn decide(&self, request: OrderRequest, view: &View<'_>) -> Result<Approved, Reject> {
        if let Some(h) = self.halt.as_ref().filter(|h| !h.lets_through(&request)) {
            return Err(Reject::new(HALTED, h.reason()));
        }
        let request = sizing::size(&self.config, &self.ledger, self.exits.atr(), request, view)?;
        let rules = view.exchange.rules(request.instrument);
        let request = prepare(request, rules)?;
        limits::check(&self.config.limits, &request, view, self.config.taker_fee)?;
        if request.side == Side::Buy {
            self.protections.check(&request, view)?;
        }
        Ok(Approved::new(request))
    }

    /// Orders to cancel before `request` is placed (exits holding the position's base asset).
    pub fn before_place(&mut self, request: &OrderRequest) -> Vec<OrderId> {
        self.exits.before_place(request)
    }

    /// Whether the per-bar hook has anything to do (protections or exits are configured).
    #[inline]
    pub fn watches_bars(&self) -> bool {
        self.protections.active() || self.exits.active()
    }

    /// A fill: booked in the ledger; protections and exits react.
    pub fn on_fill(&mut self, fill: &Fill, view: &View<'_>) -> Vec<RiskAction> {
        if !self.keeps_ledger && self.stops.is_empty() && !self.exits.active() {
            return Vec::new(); // nothing configured reads fills: keep backtests fast
        }
        let by_stop = self.stops.contains(&fill.order);
        let closed = if self.keeps_ledger {
            self.ledger.on_fill(fill, by_stop)
        } else {
            None
        };
        if by_stop
            && !view
                .exchange
                .open_orders()
                .iter()
                .any(|o| o.id == fill.order)
        {
            self.stops.retain(|s| *s != fill.order);
        }
        let mut out = Vec::new();
        let (ledger, config) = (&self.ledger, &self.config);
        self.protections
            .on_fill(fill, closed.as_ref(), ledger, view, &mut out);
        self.exits
            .on_fill(fill, closed.as_ref(), config, view, &mut out);
        out
    }

    /// Carries on a session after a restart: the ledger books its `fills` again, open stop-loss
    /// sells are known as stops, and the exits take their positions back (placing what should
    /// rest but does not). `history` is the candles seen since, by instrument; `last_group` the
    /// highest one-cancels-other group the session used.
    pub fn resume(
        &mut self,
        fills: &[Fill],
        history: &[Vec<Candle>],
        last_group: u64,
        view: &View<'_>,
    ) -> Vec<RiskAction> {
        if self.keeps_ledger {
            for fill in fills {
                self.ledger.on_fill(fill, false);
            }
        }
        for o in view.exchange.open_orders() {
            let stop = matches!(
                o.request.kind,
                OrderKind::StopLoss { .. } | OrderKind::StopLossLimit { .. }
            );
            if stop && o.request.side == Side::Sell && !self.stops.contains(&o.id) {
                self.stops.push(o.id);
            }
        }
        let mut out = Vec::new();
        self.exits
            .resume(fills, history, last_group, &self.config, view, &mut out);
        out
    }

    /// An order left the book without (further) fills.
    pub fn on_closed(&mut self, order: OrderId) {
        self.stops.retain(|s| *s != order);
        self.exits.on_closed(order);
    }

    /// A closed candle of an instrument's base series (after the exchange matched it). Never
    /// inlined: the engine's per-bar loop calls it only when protections or exits are configured,
    /// and inlining it there slowed backtests without any by a few percent (benches/backtest.rs).
    #[inline(never)]
    pub fn on_bar(
        &mut self,
        instrument: usize,
        candle: &Candle,
        view: &View<'_>,
    ) -> Vec<RiskAction> {
        let mut out = Vec::new();
        self.protections.on_bar(instrument, candle, view, &mut out);
        self.exits
            .on_bar(instrument, candle, &self.config, view, &mut out);
        out
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Halts trading (the first reason stays until released).
    pub fn halt(&mut self, why: Halt) {
        if self.halt.is_none() {
            self.halt = Some(why);
        }
    }

    pub fn release(&mut self) {
        self.halt = None;
        self.protections.on_release();
    }

    pub fn halted(&self) -> Option<&Halt> {
        self.halt.as_ref()
    }

    /// Orders refused, per rule code.
    pub fn refusals(&self) -> &BTreeMap<&'static str, usize> {
        &self.refusals
    }
}

/// Rounds an order to the symbol's filters before it leaves: quantities down to the step, prices
/// to the tick on the less aggressive side; refuses what rounds to nothing.
pub fn prepare(mut r: OrderRequest, rules: &SymbolRules) -> Result<OrderRequest, Reject> {
    if let Qty::Base(q) = r.qty {
        let rounded = rules.round_qty(q);
        if rounded.is_zero() {
            let why = format!(
                "quantity {q} {} rounds down to 0 at the step size {}",
                rules.base,
                rules.step_size.normalize()
            );
            return Err(Reject::new("LOT_SIZE", why));
        }
        r.qty = Qty::Base(rounded);
    }
    let side = r.side;
    let round = |p| rules.round_price(p, side);
    r.kind = match r.kind {
        OrderKind::Limit { price } => OrderKind::Limit {
            price: round(price),
        },
        OrderKind::StopLoss { stop } => OrderKind::StopLoss { stop: round(stop) },
        OrderKind::StopLossLimit { stop, price } => OrderKind::StopLossLimit {
            stop: round(stop),
            price: round(price),
        },
        OrderKind::TakeProfit { stop } => OrderKind::TakeProfit { stop: round(stop) },
        OrderKind::TakeProfitLimit { stop, price } => OrderKind::TakeProfitLimit {
            stop: round(stop),
            price: round(price),
        },
        OrderKind::Market => OrderKind::Market,
    };
    Ok(r)
}

#[cfg(test)]
mod tests;
