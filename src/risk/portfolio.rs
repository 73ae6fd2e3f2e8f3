//! Portfolio balancing: the trades that bring holdings back to their target weights. Pure and
//! deterministic (decimal arithmetic, no clock, no IO), so a backtest, paper and live trading
//! rebalance identically from the same holdings and prices.
//!
//! A weight is a holding's value (base held × price) in percent of equity (the quote asset held
//! plus every holding's value); what the targets leave stays in the quote asset. A rebalance is
//! due when some weight is more than the band (percentage points) from its target, or when the
//! caller's schedule says so. The plan sells first (sells fund the buys), then buys; its targets
//! are taken of the equity left after the plan's own fees, so the weights land on target.
//!
//! Invariants of every plan: quantities are rounded down to the step size; no sell exceeds what
//! is held; every trade passes the symbol's filters (one that would not is skipped, with the
//! filter's reason); the buys' cost, fees included, never exceeds the free quote plus the sells'
//! proceeds after fees (the free quote alone under `Scope::BuysOnly`).

mod trades;

#[cfg(test)]
mod tests;

use crate::core::{Reject, Side};
use crate::exchange::SymbolRules;
use rust_decimal::Decimal;

/// One instrument of the portfolio.
#[derive(Debug, Clone, Copy)]
pub struct Leg<'a> {
    pub rules: &'a SymbolRules,
    /// The price the plan values and sizes at (quote per base), e.g. the last close.
    pub price: Decimal,
    /// Base held, free and locked.
    pub held: Decimal,
    /// Target weight, percent of equity.
    pub target_pct: Decimal,
}

impl Leg<'_> {
    pub fn value(&self) -> Decimal {
        self.held * self.price
    }
}

/// What is held: the instruments, all in one quote asset, and that quote asset.
#[derive(Debug, Clone, Copy)]
pub struct Portfolio<'a> {
    pub legs: &'a [Leg<'a>],
    /// The quote asset held, free and locked.
    pub cash: Decimal,
    /// The quote asset free to spend now.
    pub free_quote: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Taker fee as a fraction of a trade's value (0.001 = 0.1 %), charged in the quote asset.
    pub taker_fee: Decimal,
    /// Percentage points of equity a weight may drift from its target before a rebalance.
    pub band_pp: Decimal,
}

/// Which trades a plan may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Sells and buys, the buys funded by the free quote and the sells' proceeds.
    All,
    /// Buys only, funded by the free quote (the second step after sells settled).
    BuysOnly,
}

/// Why a plan trades.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// The leg furthest from its target (first of equals) is more than the band away.
    Drift { leg: usize, drift_pp: Decimal },
    /// The schedule says so (no weight is past the band).
    Schedule,
}

/// A leg's weight before the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Weight {
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub target_pct: Decimal,
    /// `weight_pct - target_pct`: positive when overweight.
    pub drift_pp: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    pub leg: usize,
    pub side: Side,
    /// Base quantity, rounded down to the step size.
    pub qty: Decimal,
    /// The price it was sized at.
    pub price: Decimal,
    /// A buy's cost, fee included (what a quote-amount market order spends); a sell's proceeds
    /// after the fee.
    pub quote: Decimal,
}

/// A trade the plan wanted but left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub leg: usize,
    pub side: Side,
    /// The quantity wanted, before rounding to the step size.
    pub qty: Decimal,
    pub reason: Reject,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub equity: Decimal,
    pub weights: Vec<Weight>,
    /// None: no rebalance is due, and the plan has no trades.
    pub trigger: Option<Trigger>,
    /// Sells first, then buys, each group in leg order.
    pub trades: Vec<Trade>,
    pub skipped: Vec<Skipped>,
}

impl Plan {
    /// The largest distance of a weight from its target, in percentage points.
    pub fn max_drift_pp(&self) -> Decimal {
        self.weights
            .iter()
            .map(|w| w.drift_pp.abs())
            .max()
            .unwrap_or_default()
    }

    pub fn sells(&self) -> impl Iterator<Item = &Trade> {
        self.trades.iter().filter(|t| t.side == Side::Sell)
    }

    pub fn buys(&self) -> impl Iterator<Item = &Trade> {
        self.trades.iter().filter(|t| t.side == Side::Buy)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortfolioError {
    #[error("the target weight of leg {leg} is {pct} %; a weight must be from 0 to 100 %")]
    Target { leg: usize, pct: Decimal },
    #[error("the target weights add up to {0} %, more than 100 %")]
    Overweight(Decimal),
    #[error("leg {leg} has no usable price ({price})")]
    Price { leg: usize, price: Decimal },
    #[error("leg {leg} holds a negative quantity ({held})")]
    Held { leg: usize, held: Decimal },
    #[error("the quote balance is negative (cash {cash}, free {free})")]
    Cash { cash: Decimal, free: Decimal },
    #[error("the portfolio has no equity to balance")]
    NoEquity,
    #[error("the taker fee {0} is not a fraction from 0 to below 0.5")]
    Fee(Decimal),
    #[error("the band {0} is negative")]
    Band(Decimal),
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

impl Portfolio<'_> {
    /// The quote held plus every holding's value.
    pub fn equity(&self) -> Decimal {
        self.cash + self.legs.iter().map(Leg::value).sum::<Decimal>()
    }

    /// Each leg's weight and drift (after checking the inputs).
    pub fn weights(&self) -> Result<Vec<Weight>, PortfolioError> {
        self.validate()?;
        Ok(self.weights_of(self.equity()))
    }

    /// The plan: the weights, whether a rebalance is due (`scheduled`, or a weight past the
    /// band), and if so the trades in `scope`.
    pub fn plan(
        &self,
        policy: &Policy,
        scheduled: bool,
        scope: Scope,
    ) -> Result<Plan, PortfolioError> {
        self.validate()?;
        if !(Decimal::ZERO..Decimal::new(5, 1)).contains(&policy.taker_fee) {
            return Err(PortfolioError::Fee(policy.taker_fee));
        }
        if policy.band_pp.is_sign_negative() && !policy.band_pp.is_zero() {
            return Err(PortfolioError::Band(policy.band_pp));
        }
        let equity = self.equity();
        let weights = self.weights_of(equity);
        let trigger = trigger(&weights, policy.band_pp, scheduled);
        let mut plan = Plan {
            equity,
            weights,
            trigger,
            trades: Vec::new(),
            skipped: Vec::new(),
        };
        if trigger.is_some() {
            trades::fill(self, policy.taker_fee, scope, &mut plan);
        }
        Ok(plan)
    }

    fn validate(&self) -> Result<(), PortfolioError> {
        let mut sum = Decimal::ZERO;
        for (leg, l) in self.legs.iter().enumerate() {
            if l.target_pct < Decimal::ZERO || l.target_pct > HUNDRED {
                return Err(PortfolioError::Target {
                    leg,
                    pct: l.target_pct,
                });
            }
            if l.price <= Decimal::ZERO {
                return Err(PortfolioError::Price {
                    leg,
                    price: l.price,
                });
            }
            if l.held < Decimal::ZERO {
                return Err(PortfolioError::Held { leg, held: l.held });
            }
            sum += l.target_pct;
        }
        if sum > HUNDRED {
            return Err(PortfolioError::Overweight(sum));
        }
        if self.cash < Decimal::ZERO || self.free_quote < Decimal::ZERO {
            return Err(PortfolioError::Cash {
                cash: self.cash,
                free: self.free_quote,
            });
        }
        if self.equity() <= Decimal::ZERO {
            return Err(PortfolioError::NoEquity);
        }
        Ok(())
    }

    fn weights_of(&self, equity: Decimal) -> Vec<Weight> {
        self.legs
            .iter()
            .map(|l| {
                let value = l.value();
                let weight_pct = value * HUNDRED / equity;
                Weight {
                    value,
                    weight_pct,
                    target_pct: l.target_pct,
                    drift_pp: weight_pct - l.target_pct,
                }
            })
            .collect()
    }
}

/// Drift past the band wins over the schedule (it says more about why).
fn trigger(weights: &[Weight], band_pp: Decimal, scheduled: bool) -> Option<Trigger> {
    let furthest = weights
        .iter()
        .enumerate()
        .fold(None::<(usize, Decimal)>, |best, (i, w)| match best {
            Some((_, d)) if d.abs() >= w.drift_pp.abs() => best,
            _ => Some((i, w.drift_pp)),
        });
    match furthest {
        Some((leg, drift_pp)) if drift_pp.abs() > band_pp => Some(Trigger::Drift { leg, drift_pp }),
        _ if scheduled => Some(Trigger::Schedule),
        _ => None,
    }
}
