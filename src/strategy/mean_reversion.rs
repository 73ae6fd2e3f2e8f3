//! `mean_reversion`: buys a stretched dip and sells the return to the mean. Enters when the close
//! is below the lower Bollinger band while the RSI is oversold; exits when the close regains the
//! middle band or the RSI turns overbought. A stop-loss `stop_pct` below the entry rests on the
//! exchange from the moment the position exists.

use super::{ParamSpec, Params, Setup, Strategy, StrategyError, StrategyInfo, common};
use crate::core::{Ctx, Fill, OrderKind, Qty, SeriesId, Side, to_decimal, to_f64};
use crate::market::Candle;
use rust_decimal::Decimal;

pub static INFO: StrategyInfo = StrategyInfo {
    name: "mean_reversion",
    about: "buy below the lower Bollinger band with RSI oversold; sell at the middle band or RSI overbought",
    params: &[
        ParamSpec::int("period", "Bollinger period (bars)", 20.0, 5.0, 500.0, 5.0),
        ParamSpec::real(
            "width",
            "band width in standard deviations",
            2.0,
            0.5,
            5.0,
            0.25,
        ),
        ParamSpec::int("rsi_period", "RSI period (bars)", 14.0, 2.0, 200.0, 2.0),
        ParamSpec::real(
            "oversold",
            "RSI below which a dip may be bought",
            30.0,
            1.0,
            50.0,
            5.0,
        ),
        ParamSpec::real(
            "overbought",
            "RSI above which the position is sold",
            70.0,
            50.0,
            99.0,
            5.0,
        ),
        ParamSpec::real(
            "stop_pct",
            "protective stop below the entry, in percent",
            5.0,
            0.1,
            50.0,
            0.5,
        ),
    ],
    build: |p| Box::new(MeanReversion::new(p)),
};

struct Leg {
    series: SeriesId,
    lower: usize,
    middle: usize,
    rsi: usize,
}

pub struct MeanReversion {
    period: usize,
    width: f64,
    rsi_period: usize,
    oversold: f64,
    overbought: f64,
    stop_pct: f64,
    legs: Vec<Leg>,
}

impl MeanReversion {
    fn new(p: &Params) -> Self {
        Self {
            period: p.usize("period"),
            width: p.get("width"),
            rsi_period: p.usize("rsi_period"),
            oversold: p.get("oversold"),
            overbought: p.get("overbought"),
            stop_pct: p.get("stop_pct"),
            legs: Vec::new(),
        }
    }
}

impl Strategy for MeanReversion {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let base = setup.base_interval();
        let bands = format!("bbands({}, {w}, {w})", self.period, w = self.width);
        for i in 0..setup.instruments().len() {
            let series = setup.series(i, base)?;
            let lower = setup.indicator(series, &format!("{bands}.lower"))?;
            let middle = setup.indicator(series, &format!("{bands}.middle"))?;
            let rsi = setup.indicator(series, &format!("rsi({})", self.rsi_period))?;
            self.legs.push(Leg {
                series,
                lower,
                middle,
                rsi,
            });
        }
        Ok(())
    }

    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: SeriesId, candle: &Candle) {
        let Some(i) = self.legs.iter().position(|l| l.series == series) else {
            return;
        };
        let leg = &self.legs[i];
        let (Some(lower), Some(middle), Some(rsi)) = (
            ctx.indicator(leg.lower),
            ctx.indicator(leg.middle),
            ctx.indicator(leg.rsi),
        ) else {
            return;
        };
        if common::holding(ctx, i) {
            if candle.close > middle || rsi > self.overbought {
                common::sell_all(ctx, i);
                ctx.signal(if rsi > self.overbought {
                    "RSI overbought: sell"
                } else {
                    "back at the middle band: sell"
                });
            }
        } else if candle.close < lower && rsi < self.oversold && ctx.open_orders(i).next().is_none()
        {
            let cash = common::cash_share(ctx, i, self.legs.len());
            ctx.market_buy_quote(i, cash);
            ctx.signal("below the lower band with RSI oversold: buy");
        }
    }

    fn on_fill(&mut self, ctx: &mut Ctx<'_>, fill: &Fill) {
        if fill.side != Side::Buy {
            return;
        }
        let i = fill.instrument;
        let level = to_f64(fill.price) * (1.0 - self.stop_pct / 100.0);
        let stop = ctx.rules(i).round_price(to_decimal(level), Side::Sell);
        let qty = ctx.rules(i).round_qty(ctx.position(i));
        if qty > Decimal::ZERO && stop > Decimal::ZERO {
            ctx.place(
                i,
                Side::Sell,
                OrderKind::StopLoss { stop },
                Qty::Base(qty),
                None,
            );
        }
    }
}
