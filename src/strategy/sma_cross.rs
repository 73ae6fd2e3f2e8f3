//! `sma_cross`: the classic moving-average crossover, long only. A golden cross (the fast average
//! closes above the slow one, having been at or below it) buys with the cash available to this
//! instrument; a death cross sells everything. Averages compare exactly (`Sma::compare`): equal
//! averages are not a cross. With several instruments, free cash is split evenly across those not
//! held, so one instrument's signal never spends another's share.

use super::{ParamSpec, Params, Setup, Strategy, StrategyError, StrategyInfo, common};
use crate::core::{Ctx, SeriesId};
use crate::indicators::Sma;
use crate::market::Candle;
use std::cmp::Ordering;
use std::sync::Arc;

pub static INFO: StrategyInfo = StrategyInfo {
    name: "sma_cross",
    about: "moving-average crossover: buy when the fast SMA crosses above the slow, sell on the reverse",
    params: &[
        ParamSpec::int("fast", "fast SMA period (bars)", 10.0, 2.0, 200.0, 1.0),
        ParamSpec::int("slow", "slow SMA period (bars)", 30.0, 3.0, 1000.0, 5.0),
    ],
    build: |p| Box::new(SmaCross::new(p)),
};

/// What the strategy says when it acts (made once, shared by every signal).
struct Texts {
    buy: Arc<str>,
    sell: Arc<str>,
}

struct Leg {
    fast: Sma,
    slow: Sma,
    last: Option<Ordering>,
}

pub struct SmaCross {
    fast: usize,
    slow: usize,
    legs: Vec<Leg>,
    /// The leg (instrument) each series id feeds, if any.
    leg_of: Vec<Option<usize>>,
    texts: Texts,
}

impl SmaCross {
    fn new(p: &Params) -> Self {
        Self {
            fast: p.usize("fast"),
            slow: p.usize("slow"),
            legs: Vec::new(),
            leg_of: Vec::new(),
            texts: Texts {
                buy: format!(
                    "golden cross: SMA{} above SMA{}: buy",
                    p.usize("fast"),
                    p.usize("slow")
                )
                .into(),
                sell: format!(
                    "death cross: SMA{} below SMA{}: sell",
                    p.usize("fast"),
                    p.usize("slow")
                )
                .into(),
            },
        }
    }
}

impl Strategy for SmaCross {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        if self.fast >= self.slow {
            return Err(StrategyError::Param(format!(
                "sma_cross.fast ({}) must be shorter than sma_cross.slow ({})",
                self.fast, self.slow
            )));
        }
        let base = setup.base_interval();
        for i in 0..setup.instruments().len() {
            let series = setup.series(i, base)?;
            if self.leg_of.len() <= series {
                self.leg_of.resize(series + 1, None);
            }
            self.leg_of[series] = Some(i);
            self.legs.push(Leg {
                fast: Sma::new(self.fast),
                slow: Sma::new(self.slow),
                last: None,
            });
        }
        Ok(())
    }

    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: SeriesId, candle: &Candle) {
        let Some(i) = self.leg_of.get(series).copied().flatten() else {
            return;
        };
        let leg = &mut self.legs[i];
        leg.fast.add(candle.close);
        leg.slow.add(candle.close);
        let Some(now) = leg.fast.compare(&leg.slow) else {
            return;
        };
        let before = leg.last.replace(now);
        let Some(before) = before else { return };
        // Only a cross needs the position (decimal arithmetic, so not on every bar).
        let golden = now == Ordering::Greater && before != Ordering::Greater;
        let death = now == Ordering::Less && before != Ordering::Less;
        if !golden && !death {
            return;
        }
        let holding = common::holding(ctx, i);
        if golden && !holding {
            let cash = common::cash_share(ctx, i, self.legs.len());
            ctx.market_buy_quote(i, cash);
            ctx.signal(Arc::clone(&self.texts.buy));
        } else if death && holding {
            common::sell_all(ctx, i);
            ctx.signal(Arc::clone(&self.texts.sell));
        }
    }
}
