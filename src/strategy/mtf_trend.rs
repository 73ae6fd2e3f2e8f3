//! `mtf_trend`: trades the run's interval in the direction of a higher timeframe. The trend is up
//! while the higher timeframe's close is above its EMA (its candles arrive only once closed). In
//! an uptrend it buys when the close crosses above the fast EMA; it sells when the close falls
//! more than `atr_mult` ATRs below the fast EMA, or when the higher timeframe turns down.

use super::{ParamSpec, Params, Setup, Strategy, StrategyError, StrategyInfo, common};
use crate::core::{Ctx, SeriesId};
use crate::market::{Candle, Interval};

pub static INFO: StrategyInfo = StrategyInfo {
    name: "mtf_trend",
    about: "higher-timeframe EMA trend filter with entries on the run's interval",
    params: &[
        ParamSpec::one_of(
            "trend_hours",
            "higher timeframe in hours",
            4.0,
            &[1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 24.0],
        ),
        ParamSpec::int(
            "trend_ema",
            "EMA period on the higher timeframe",
            50.0,
            2.0,
            500.0,
            5.0,
        ),
        ParamSpec::int(
            "fast_ema",
            "EMA period on the run's interval",
            20.0,
            2.0,
            500.0,
            5.0,
        ),
        ParamSpec::int(
            "atr_period",
            "ATR period on the run's interval",
            14.0,
            2.0,
            200.0,
            2.0,
        ),
        ParamSpec::real(
            "atr_mult",
            "exit this many ATRs below the fast EMA",
            1.5,
            0.1,
            10.0,
            0.5,
        ),
    ],
    build: |p| Box::new(MtfTrend::new(p)),
};

struct Leg {
    base: SeriesId,
    higher: SeriesId,
    trend_ema: usize,
    fast_ema: usize,
    atr: usize,
    trend_up: bool,
    above_fast: Option<bool>,
}

pub struct MtfTrend {
    trend_hours: usize,
    trend_ema: usize,
    fast_ema: usize,
    atr_period: usize,
    atr_mult: f64,
    legs: Vec<Leg>,
}

impl MtfTrend {
    fn new(p: &Params) -> Self {
        Self {
            trend_hours: p.usize("trend_hours"),
            trend_ema: p.usize("trend_ema"),
            fast_ema: p.usize("fast_ema"),
            atr_period: p.usize("atr_period"),
            atr_mult: p.get("atr_mult"),
            legs: Vec::new(),
        }
    }
}

fn higher_interval(hours: usize) -> Option<Interval> {
    Some(match hours {
        1 => Interval::H1,
        2 => Interval::H2,
        4 => Interval::H4,
        6 => Interval::H6,
        8 => Interval::H8,
        12 => Interval::H12,
        24 => Interval::D1,
        _ => return None,
    })
}

impl Strategy for MtfTrend {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let base = setup.base_interval();
        let higher = higher_interval(self.trend_hours).ok_or_else(|| {
            StrategyError::Param(format!(
                "mtf_trend.trend_hours must be 1, 2, 4, 6, 8, 12 or 24, got {}",
                self.trend_hours
            ))
        })?;
        if !base.divides(higher) {
            return Err(StrategyError::Setup(format!(
                "mtf_trend needs a higher timeframe than the run's {base}: {higher} does not nest over it; \
                 run on a finer interval or set a larger trend_hours"
            )));
        }
        for i in 0..setup.instruments().len() {
            let base_series = setup.series(i, base)?;
            let higher_series = setup.series(i, higher)?;
            self.legs.push(Leg {
                base: base_series,
                higher: higher_series,
                trend_ema: setup.indicator(higher_series, &format!("ema({})", self.trend_ema))?,
                fast_ema: setup.indicator(base_series, &format!("ema({})", self.fast_ema))?,
                atr: setup.indicator(base_series, &format!("atr({})", self.atr_period))?,
                trend_up: false,
                above_fast: None,
            });
        }
        Ok(())
    }

    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: SeriesId, candle: &Candle) {
        if let Some(i) = self.legs.iter().position(|l| l.higher == series) {
            let was_up = self.legs[i].trend_up;
            let up = ctx
                .indicator(self.legs[i].trend_ema)
                .is_some_and(|ema| candle.close > ema);
            self.legs[i].trend_up = up;
            if was_up && !up && common::holding(ctx, i) {
                common::sell_all(ctx, i);
                ctx.signal("higher timeframe turned down: sell");
            }
            return;
        }
        let Some(i) = self.legs.iter().position(|l| l.base == series) else {
            return;
        };
        let (Some(fast), Some(atr)) = (
            ctx.indicator(self.legs[i].fast_ema),
            ctx.indicator(self.legs[i].atr),
        ) else {
            return;
        };
        let above = candle.close > fast;
        let crossed_up = above && self.legs[i].above_fast == Some(false);
        self.legs[i].above_fast = Some(above);
        if common::holding(ctx, i) {
            if candle.close < fast - self.atr_mult * atr {
                common::sell_all(ctx, i);
                ctx.signal("fell below the fast EMA by more than the ATR band: sell");
            }
        } else if self.legs[i].trend_up && crossed_up && ctx.open_orders(i).next().is_none() {
            let cash = common::cash_share(ctx, i, self.legs.len());
            ctx.market_buy_quote(i, cash);
            ctx.signal("uptrend on the higher timeframe, crossed above the fast EMA: buy");
        }
    }
}
