//! The daily loss limit and the maximum drawdown: equity (every holding marked at its instrument's
//! last close, as `View::equity` does) checked at each closed candle against its value at the UTC
//! day's start and against its peak. A breach halts new entries once, with the numbers, and sells
//! every position when `on_loss_limit = "flatten"`.
//!
//! Invariant: a breach is reported once until a person releases the halt; the release re-bases
//! both references (day start and peak) on the equity of the next candle, so trading resumes from
//! where the account stands instead of halting again at once.

use super::{OnLossLimit, ProtectionConfig, two};
use crate::market::time::DAY_MS;
use crate::risk::{Halt, RiskAction, View};
use rust_decimal::Decimal;

/// A loss limit that was breached, with what it was measured against.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LossLimit {
    /// How far equity fell, in percent of the reference.
    pub lost_pct: Decimal,
    /// The configured limit, in percent.
    pub limit_pct: Decimal,
    /// Equity at the UTC day's start (daily loss) or at its peak (drawdown).
    pub reference: Decimal,
    pub equity: Decimal,
    /// The account currency the amounts are in.
    pub quote: String,
}

impl LossLimit {
    fn money(&self, d: Decimal) -> String {
        format!("{} {}", two(d), self.quote)
    }

    /// Why a daily loss limit halted trading, for a trader.
    pub fn daily(&self) -> String {
        format!(
            "daily loss limit: equity {} is {} % below the {} it had at the UTC day's start \
             (risk.daily_loss_pct is {} %)",
            self.money(self.equity),
            two(self.lost_pct),
            self.money(self.reference),
            self.limit_pct.normalize()
        )
    }

    /// Why the drawdown limit halted trading, for a trader.
    pub fn drawdown(&self) -> String {
        format!(
            "max drawdown: equity {} is {} % below its peak {} (risk.max_drawdown_pct is {} %)",
            self.money(self.equity),
            two(self.lost_pct),
            self.money(self.reference),
            self.limit_pct.normalize()
        )
    }
}

/// The references equity is measured against.
#[derive(Debug)]
pub(super) struct EquityGuard {
    /// The UTC day (days since the epoch) `day_start` belongs to.
    day: i64,
    day_start: Decimal,
    peak: Decimal,
    /// A breach was reported and not yet released.
    tripped: bool,
    /// The next candle sets the references (at the start, and after a release).
    rebase: bool,
}

impl Default for EquityGuard {
    fn default() -> Self {
        Self {
            day: i64::MIN,
            day_start: Decimal::ZERO,
            peak: Decimal::ZERO,
            tripped: false,
            rebase: true,
        }
    }
}

/// How far `equity` is below `reference`, in percent (0 when above, or without a reference).
fn below(reference: Decimal, equity: Decimal) -> Decimal {
    if reference <= Decimal::ZERO || equity >= reference {
        return Decimal::ZERO;
    }
    (reference - equity) / reference * Decimal::ONE_HUNDRED
}

impl EquityGuard {
    pub(super) fn release(&mut self) {
        self.rebase = true;
    }

    pub(super) fn on_bar(
        &mut self,
        cfg: &ProtectionConfig,
        view: &View<'_>,
        out: &mut Vec<RiskAction>,
    ) {
        let (now, equity) = (view.now, view.equity());
        let day = now.div_euclid(DAY_MS);
        if self.rebase {
            (self.peak, self.tripped, self.rebase) = (equity, false, false);
            (self.day, self.day_start) = (day, equity);
        }
        // A candle closing at midnight marks the day's start (the last one of a step wins, with
        // every instrument at its midnight close); otherwise the first candle of the day does.
        if day != self.day || now.rem_euclid(DAY_MS) == 0 {
            (self.day, self.day_start) = (day, equity);
        }
        self.peak = self.peak.max(equity);
        if self.tripped {
            return;
        }
        let Some(halt) = self.breach(cfg, equity, view) else {
            return;
        };
        self.tripped = true;
        out.push(RiskAction::Halt(halt));
        if cfg.on_loss_limit == OnLossLimit::Flatten {
            let account = view.exchange.account();
            out.extend(
                view.marks
                    .iter()
                    .filter(|&&(asset, _)| account.total(asset) > Decimal::ZERO)
                    .map(|&(_, instrument)| RiskAction::Flatten(instrument)),
            );
        }
    }

    fn breach(&self, cfg: &ProtectionConfig, equity: Decimal, view: &View<'_>) -> Option<Halt> {
        let limit = |limit_pct: Decimal, reference: Decimal| {
            let lost_pct = below(reference, equity);
            (lost_pct >= limit_pct && lost_pct > Decimal::ZERO).then(|| LossLimit {
                lost_pct,
                limit_pct,
                reference,
                equity,
                quote: view.exchange.account().name(view.quote).to_string(),
            })
        };
        let daily = cfg
            .daily_loss_pct
            .and_then(|pct| limit(pct, self.day_start))
            .map(Halt::DailyLoss);
        daily.or_else(|| {
            cfg.max_drawdown_pct
                .and_then(|pct| limit(pct, self.peak))
                .map(Halt::Drawdown)
        })
    }
}
