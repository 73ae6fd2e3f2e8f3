//! What `rebalance` says when a round is due: why (the leg furthest off target, or the schedule),
//! each order placed, whether buys follow the sells, and each trade skipped with its reason. One
//! line, for the status pane and the journal. (`rust_decimal` truncates under `{:.2}`, so figures
//! are rounded before they are formatted.)

use crate::core::{Ctx, Side};
use crate::risk::portfolio::{Plan, Trigger};
use std::fmt::Write as _;

pub fn describe(ctx: &Ctx<'_>, plan: &Plan, second: bool, buys_follow: bool) -> String {
    let base = |leg: usize| ctx.rules(leg).base.as_str();
    let mut s = match plan.trigger {
        _ if second => "rebalance, buys after the sells".to_string(),
        Some(Trigger::Drift { leg, drift_pp }) => {
            let w = &plan.weights[leg];
            format!(
                "rebalance: {} at {:.2} % is {:+.2} pp off its {} % target",
                base(leg),
                w.weight_pct.round_dp(2),
                drift_pp.round_dp(2),
                w.target_pct.normalize()
            )
        }
        Some(Trigger::Schedule) | None => format!(
            "scheduled rebalance (largest drift {:.2} pp)",
            plan.max_drift_pp().round_dp(2)
        ),
    };
    let quote = ctx.rules(0).quote.as_str();
    for t in &plan.trades {
        let _ = match t.side {
            Side::Sell => write!(s, "; sell {} {}", t.qty.normalize(), base(t.leg)),
            Side::Buy if buys_follow => Ok(()),
            Side::Buy => write!(
                s,
                "; buy {} {} for {:.2} {quote}",
                t.qty.normalize(),
                base(t.leg),
                t.quote.round_dp(2)
            ),
        };
    }
    if buys_follow {
        s.push_str("; buys follow once the sells settle");
    }
    if plan.trades.is_empty() && plan.skipped.is_empty() {
        s.push_str(": nothing to trade");
    }
    for k in &plan.skipped {
        let side = if k.side == Side::Buy { "buy" } else { "sell" };
        let _ = write!(s, "; skipped {side} of {}: {}", base(k.leg), k.reason);
    }
    s
}
