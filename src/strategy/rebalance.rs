//! `rebalance`: holds target weights across the run's symbols, the rest of equity in the quote
//! asset. A rebalance is due on a schedule (every `every_hours`, at multiples of that many hours
//! since the Unix epoch, so 24 means each UTC midnight) or when a weight is more than `band`
//! percentage points off its target. The math is `risk::portfolio`; the orders are market orders
//! placed through `Ctx`, so the risk layer and the filters judge each like any other.
//!
//! Invariants: it decides only at a step where every symbol's candle closed at the same time (no
//! weight is taken from a stale price); a rebalance sells first and places its buys only once the
//! sells have settled (their proceeds are then free), sized again at that step's prices as
//! quote-amount orders, so a buy never asks for more than the free quote; while any of its orders
//! is open it places no other. After a round with an order the exchange or the risk layer refused,
//! or a drift-triggered round with nothing tradable, drift waits `RETRY_MS` before it triggers
//! again (the schedule does not wait).

mod text;

#[cfg(test)]
mod tests;

use super::{ParamSpec, Params, Setup, Strategy, StrategyError, StrategyInfo};
use crate::core::{Ctx, Fill, OrderId, OrderStatus, Reject, SeriesId, Side, to_decimal};
use crate::market::{Candle, time::HOUR_MS};
use crate::risk::portfolio::{Leg, Plan, Policy, Portfolio, Scope, Trigger};
use rust_decimal::Decimal;

/// Weight parameters, by instrument index.
const WEIGHTS: [&str; 8] = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"];

/// How long drift is ignored after a round that could not trade.
const RETRY_MS: i64 = 24 * HOUR_MS;

const fn weight(name: &'static str, about: &'static str) -> ParamSpec {
    ParamSpec::real(name, about, 0.0, 0.0, 100.0, 5.0)
}

pub static INFO: StrategyInfo = StrategyInfo {
    name: "rebalance",
    about: "hold target weights across the run's symbols: rebalance on a schedule or when a weight drifts past a band",
    params: &[
        ParamSpec::int(
            "every_hours",
            "rebalance every this many hours, at UTC multiples (0: only on drift)",
            168.0,
            0.0,
            8760.0,
            24.0,
        ),
        ParamSpec::real(
            "band",
            "rebalance when a weight is more than this many percentage points off its target",
            5.0,
            0.1,
            50.0,
            0.5,
        ),
        ParamSpec::real(
            "fee_pct",
            "taker fee assumed when sizing, % of each trade",
            0.1,
            0.0,
            1.0,
            0.025,
        ),
        weight(
            "w0",
            "target weight of the 1st symbol, % of equity (all 0: 50 % shared evenly)",
        ),
        weight("w1", "target weight of the 2nd symbol, % of equity"),
        weight("w2", "target weight of the 3rd symbol, % of equity"),
        weight("w3", "target weight of the 4th symbol, % of equity"),
        weight("w4", "target weight of the 5th symbol, % of equity"),
        weight("w5", "target weight of the 6th symbol, % of equity"),
        weight("w6", "target weight of the 7th symbol, % of equity"),
        weight("w7", "target weight of the 8th symbol, % of equity"),
    ],
    build: |p| Box::new(Rebalance::new(p)),
};

pub struct Rebalance {
    weights: [f64; 8],
    every_ms: Option<i64>,
    policy: Policy,
    /// Target weight (%) per instrument, set in `setup`.
    targets: Vec<Decimal>,
    /// The instrument each series id feeds, if any.
    leg_of: Vec<Option<usize>>,
    /// Each instrument's last close: when, and the price.
    closes: Vec<Option<(i64, Decimal)>>,
    /// The next scheduled rebalance (`i64::MIN`: the first complete step).
    next_due: i64,
    /// No drift-triggered rebalance before this time.
    quiet_until: i64,
    /// This strategy's orders not yet settled.
    pending: Vec<OrderId>,
    /// Sells of a rebalance are out; its buys follow once they settle.
    buys_next: bool,
    /// An order of the current round was refused or expired.
    refused: bool,
    /// Why it stopped for good (symbols in different quote assets), said once.
    off: bool,
}

impl Rebalance {
    fn new(p: &Params) -> Self {
        let every = p.usize("every_hours") as i64;
        Self {
            weights: WEIGHTS.map(|w| p.get(w)),
            every_ms: (every > 0).then_some(every * HOUR_MS),
            policy: Policy {
                taker_fee: to_decimal(p.get("fee_pct")) / Decimal::ONE_HUNDRED,
                band_pp: to_decimal(p.get("band")),
            },
            targets: Vec::new(),
            leg_of: Vec::new(),
            closes: Vec::new(),
            next_due: i64::MIN,
            quiet_until: i64::MIN,
            pending: Vec::new(),
            buys_next: false,
            refused: false,
            off: false,
        }
    }

    /// Target weights for `n` instruments: the parameters, or 50 % shared evenly when none is set.
    fn targets(&self, n: usize) -> Result<Vec<Decimal>, StrategyError> {
        if self.weights.iter().all(|w| *w == 0.0) {
            let share = Decimal::from(50) / Decimal::from(n.max(1));
            return Ok(vec![share; n]);
        }
        if let Some(k) = (n..WEIGHTS.len()).find(|&k| self.weights[k] != 0.0) {
            return Err(StrategyError::Param(format!(
                "rebalance.{} is set but the run has {n} symbol(s) (w0 is the first)",
                WEIGHTS[k]
            )));
        }
        if n > WEIGHTS.len() {
            return Err(StrategyError::Param(format!(
                "rebalance sets weights for at most {} symbols; the run has {n}",
                WEIGHTS.len()
            )));
        }
        let sum: f64 = self.weights.iter().sum();
        if sum > 100.0 + 1e-9 {
            return Err(StrategyError::Param(format!(
                "rebalance weights w0..w7 add up to {sum} %, more than 100 %"
            )));
        }
        Ok(self.weights[..n].iter().map(|w| to_decimal(*w)).collect())
    }

    /// Whether every instrument's last close is at `now`.
    fn fresh(&self, now: i64) -> bool {
        self.closes.iter().all(|c| c.is_some_and(|(t, _)| t == now))
    }

    /// Decides, when every price is fresh and nothing of its own is in flight.
    fn act(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        if self.off || self.targets.is_empty() || !self.pending.is_empty() || !self.fresh(now) {
            return;
        }
        let scheduled = self.every_ms.is_some() && now >= self.next_due;
        if let (true, Some(every)) = (scheduled, self.every_ms) {
            self.next_due = (now.div_euclid(every) + 1) * every;
        }
        let second = std::mem::take(&mut self.buys_next);
        if !scheduled && !second && now < self.quiet_until {
            return;
        }
        let scope = if second { Scope::BuysOnly } else { Scope::All };
        let plan = match self.plan(ctx, scheduled || second, scope) {
            Ok(plan) => plan,
            Err(why) => {
                self.off = true;
                ctx.signal(format!("rebalance stopped: {why}"));
                return;
            }
        };
        if plan.trigger.is_some() {
            self.place(ctx, &plan, second);
        }
    }

    fn plan(&self, ctx: &Ctx<'_>, due: bool, scope: Scope) -> Result<Plan, String> {
        let quote = ctx.rules(0).quote.clone();
        if let Some(i) = (0..self.targets.len()).find(|&i| ctx.rules(i).quote != quote) {
            return Err(format!(
                "every symbol must be quoted in {quote}; symbol {} is quoted in {}",
                i + 1,
                ctx.rules(i).quote
            ));
        }
        let legs: Vec<Leg<'_>> = (0..self.targets.len())
            .map(|i| Leg {
                rules: ctx.rules(i),
                price: self.closes[i].map_or(Decimal::ZERO, |c| c.1),
                held: ctx.position(i),
                target_pct: self.targets[i],
            })
            .collect();
        let account = ctx.account();
        let cash = account
            .find(&quote)
            .map_or(Decimal::ZERO, |a| account.total(a));
        let portfolio = Portfolio {
            legs: &legs,
            cash,
            free_quote: ctx.free_quote(0),
        };
        portfolio
            .plan(&self.policy, due, scope)
            .map_err(|e| e.to_string())
    }

    /// Places a due plan's sells (its buys follow once they settle) or, without sells, its buys.
    fn place(&mut self, ctx: &mut Ctx<'_>, plan: &Plan, second: bool) {
        let selling = plan.sells().next().is_some();
        self.refused = false;
        for t in &plan.trades {
            let id = match t.side {
                Side::Sell => ctx.market_sell(t.leg, t.qty),
                Side::Buy if !selling => ctx.market_buy_quote(t.leg, t.quote),
                Side::Buy => continue,
            };
            self.pending.push(id);
        }
        // Buys follow the sells, also those skipped now: the sells' proceeds may fund them.
        let buying =
            plan.buys().next().is_some() || plan.skipped.iter().any(|k| k.side == Side::Buy);
        self.buys_next = selling && buying;
        if self.pending.is_empty() && matches!(plan.trigger, Some(Trigger::Drift { .. })) {
            self.quiet_until = ctx.now() + RETRY_MS;
        }
        let text = text::describe(ctx, plan, second, self.buys_next);
        ctx.signal(text);
    }

    /// An order of its own is done with (filled or closed): once none is left, decide again.
    fn settled(&mut self, ctx: &mut Ctx<'_>, order: OrderId) {
        let before = self.pending.len();
        self.pending.retain(|&id| id != order);
        if before == self.pending.len() || !self.pending.is_empty() {
            return;
        }
        if self.refused {
            self.quiet_until = ctx.now() + RETRY_MS;
        }
        self.act(ctx);
    }
}

impl Strategy for Rebalance {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let n = setup.instruments().len();
        self.targets = self.targets(n)?;
        let base = setup.base_interval();
        for i in 0..n {
            let series = setup.series(i, base)?;
            if self.leg_of.len() <= series {
                self.leg_of.resize(series + 1, None);
            }
            self.leg_of[series] = Some(i);
        }
        self.closes = vec![None; n];
        Ok(())
    }

    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: SeriesId, candle: &Candle) {
        let Some(i) = self.leg_of.get(series).copied().flatten() else {
            return;
        };
        self.closes[i] = Some((ctx.now(), to_decimal(candle.close)));
        self.act(ctx);
    }

    fn on_fill(&mut self, ctx: &mut Ctx<'_>, fill: &Fill) {
        let open = ctx.open_orders(fill.instrument).any(|o| o.id == fill.order);
        if !open {
            self.settled(ctx, fill.order);
        }
    }

    fn on_order_closed(
        &mut self,
        ctx: &mut Ctx<'_>,
        order: OrderId,
        status: OrderStatus,
        _reason: Option<&Reject>,
    ) {
        if matches!(status, OrderStatus::Rejected | OrderStatus::Expired) {
            self.refused = true;
        }
        self.settled(ctx, order);
    }
}
