//! The trades of a due rebalance: the value change each leg needs (its target taken of the equity
//! left after the plan's own fees), sells rounded down to the step and checked against the
//! filters, then buys scaled to what the budget pays for and rounded the same way.
//!
//! Invariant: the buys' costs (fee included) add up to at most the budget; `fit` enforces it
//! exactly, whatever decimal rounding did to the scaled sizes.

use super::{HUNDRED, Leg, Plan, Portfolio, Scope, Skipped, Trade};
use crate::core::{Reject, Side};
use rust_decimal::Decimal;

/// Rounds of the fee fixed point (equity after fees depends on the turnover, which depends on
/// it). Each round shrinks the error by the fee rate, so three leave it far below a cent.
const FEE_ROUNDS: usize = 3;

/// Adds the trades of `scope` to a plan that is due.
pub(super) fn fill(p: &Portfolio<'_>, fee: Decimal, scope: Scope, plan: &mut Plan) {
    let deltas = deltas(p, plan.equity, fee, scope);
    let proceeds = match scope {
        Scope::All => sells(p, &deltas, fee, plan),
        Scope::BuysOnly => Decimal::ZERO,
    };
    buys(p, &deltas, fee, p.free_quote + proceeds, plan);
}

/// The value change (quote) each leg needs: negative to sell, zero for sells out of scope.
fn deltas(p: &Portfolio<'_>, equity: Decimal, fee: Decimal, scope: Scope) -> Vec<Decimal> {
    let wanted = |after: Decimal| {
        p.legs.iter().map(move |l| {
            let d = l.target_pct * after / HUNDRED - l.value();
            match scope {
                Scope::All => d,
                Scope::BuysOnly => d.max(Decimal::ZERO),
            }
        })
    };
    let mut after = equity;
    for _ in 0..FEE_ROUNDS {
        let turnover: Decimal = wanted(after).map(|d| d.abs()).sum();
        after = equity - fee * turnover;
    }
    wanted(after).collect()
}

/// The sells, in leg order; returns their proceeds after fees.
fn sells(p: &Portfolio<'_>, deltas: &[Decimal], fee: Decimal, plan: &mut Plan) -> Decimal {
    let mut proceeds = Decimal::ZERO;
    for (i, (leg, &d)) in p.legs.iter().zip(deltas).enumerate() {
        if d >= Decimal::ZERO {
            continue;
        }
        let want = (-d / leg.price).min(leg.held);
        match sized(leg, want) {
            Ok(qty) => {
                let net = qty * leg.price * (Decimal::ONE - fee);
                proceeds += net;
                plan.trades.push(Trade {
                    leg: i,
                    side: Side::Sell,
                    qty,
                    price: leg.price,
                    quote: net,
                });
            }
            Err(reason) => plan.skipped.push(Skipped {
                leg: i,
                side: Side::Sell,
                qty: want,
                reason,
            }),
        }
    }
    proceeds
}

/// The buys, in leg order, all scaled down alike when their cost exceeds `budget`.
fn buys(p: &Portfolio<'_>, deltas: &[Decimal], fee: Decimal, budget: Decimal, plan: &mut Plan) {
    let gross = Decimal::ONE + fee;
    let cost: Decimal = deltas
        .iter()
        .filter(|d| **d > Decimal::ZERO)
        .sum::<Decimal>()
        * gross;
    if cost.is_zero() {
        return;
    }
    let short_of_budget = cost > budget;
    let first = plan.trades.len();
    for (i, (leg, &d)) in p.legs.iter().zip(deltas).enumerate() {
        if d <= Decimal::ZERO {
            continue;
        }
        let scaled = if short_of_budget {
            d * budget / cost
        } else {
            d
        };
        let want = scaled / leg.price;
        match sized(leg, want) {
            Ok(qty) => plan.trades.push(Trade {
                leg: i,
                side: Side::Buy,
                qty,
                price: leg.price,
                quote: qty * leg.price * gross,
            }),
            Err(reason) => {
                // Say what stopped it: the budget, when the full-size buy would have passed.
                let reason = match sized(leg, d / leg.price) {
                    Ok(_) if short_of_budget => short(leg, cost, budget),
                    _ => reason,
                };
                plan.skipped.push(Skipped {
                    leg: i,
                    side: Side::Buy,
                    qty: want,
                    reason,
                });
            }
        }
    }
    fit(p, plan, first, budget, gross);
}

/// Trims the buys (from `first` on) until their cost fits `budget`: the costliest loses a step
/// (or the overshoot, without a step size), or is dropped once it no longer passes the filters.
pub(super) fn fit(
    p: &Portfolio<'_>,
    plan: &mut Plan,
    first: usize,
    budget: Decimal,
    gross: Decimal,
) {
    loop {
        let spent: Decimal = plan.trades[first..].iter().map(|t| t.quote).sum();
        if spent <= budget {
            return;
        }
        let Some(k) = (first..plan.trades.len()).max_by_key(|&k| plan.trades[k].quote) else {
            return;
        };
        let (before, price) = (plan.trades[k].qty, plan.trades[k].price);
        let leg = &p.legs[plan.trades[k].leg];
        let cut = ((spent - budget) / (price * gross))
            .max(leg.rules.step_size)
            .max(Decimal::new(1, 18));
        match sized(leg, before - cut) {
            Ok(qty) if qty < before => {
                let t = &mut plan.trades[k];
                t.qty = qty;
                t.quote = qty * t.price * gross;
            }
            _ => {
                let t = plan.trades.remove(k);
                plan.skipped.push(Skipped {
                    leg: t.leg,
                    side: Side::Buy,
                    qty: t.qty,
                    reason: short(leg, spent, budget),
                });
            }
        }
    }
}

/// `want` rounded down to the step, if that passes the symbol's filters at the leg's price.
fn sized(leg: &Leg<'_>, want: Decimal) -> Result<Decimal, Reject> {
    let r = leg.rules;
    let qty = r.round_qty(want.max(Decimal::ZERO));
    if qty.is_zero() {
        let why = format!(
            "{} {} rounds down to 0 at the step size {}",
            want.round_dp(12).normalize(),
            r.base,
            r.step_size.normalize()
        );
        return Err(Reject::new("LOT_SIZE", why));
    }
    r.check(qty, leg.price).map(|()| qty)
}

fn short(leg: &Leg<'_>, cost: Decimal, budget: Decimal) -> Reject {
    let why = format!(
        "the buys need {} {q} with fees but {} {q} is available",
        cost.round_dp(8).normalize(),
        budget.round_dp(8).normalize(),
        q = leg.rules.quote
    );
    Reject::new("INSUFFICIENT_BALANCE", why)
}
