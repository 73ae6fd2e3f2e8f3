//! `momentum`: trend following. Buys when the close breaks above the highest high of the previous
//! `breakout` bars; protects the position with a stop-loss resting on the exchange at
//! `atr_mult` × ATR below the close, trailed upward as the price rises (never lowered); sells when
//! the close falls below the lowest low of the previous `exit` bars.

use super::{ParamSpec, Params, Setup, Strategy, StrategyError, StrategyInfo, common};
use crate::core::{Ctx, Fill, OrderId, OrderKind, OrderStatus, Qty, Reject, SeriesId, Side};
use crate::market::Candle;
use rust_decimal::Decimal;

pub static INFO: StrategyInfo = StrategyInfo {
    name: "momentum",
    about: "breakout trend following with an ATR trailing stop resting on the exchange",
    params: &[
        ParamSpec::int(
            "breakout",
            "buy above the highest high of this many bars",
            20.0,
            2.0,
            500.0,
            5.0,
        ),
        ParamSpec::int(
            "exit",
            "sell below the lowest low of this many bars",
            10.0,
            2.0,
            500.0,
            5.0,
        ),
        ParamSpec::int(
            "atr_period",
            "ATR period for the stop distance",
            14.0,
            2.0,
            200.0,
            2.0,
        ),
        ParamSpec::real("atr_mult", "stop distance in ATRs", 2.5, 0.5, 10.0, 0.5),
    ],
    build: |p| Box::new(Momentum::new(p)),
};

#[derive(Default)]
struct Leg {
    series: SeriesId,
    atr: usize,
    stop: Option<(OrderId, Decimal)>,
}

pub struct Momentum {
    breakout: usize,
    exit: usize,
    atr_period: usize,
    atr_mult: f64,
    legs: Vec<Leg>,
}

impl Momentum {
    fn new(p: &Params) -> Self {
        Self {
            breakout: p.usize("breakout"),
            exit: p.usize("exit"),
            atr_period: p.usize("atr_period"),
            atr_mult: p.get("atr_mult"),
            legs: Vec::new(),
        }
    }

    fn leg(&self, series: SeriesId) -> Option<usize> {
        self.legs.iter().position(|l| l.series == series)
    }

    /// Places or raises the trailing stop for the whole position.
    fn trail(&mut self, ctx: &mut Ctx<'_>, i: usize, level: f64) {
        let qty = ctx.rules(i).round_qty(ctx.position(i));
        let price = ctx
            .rules(i)
            .round_price(crate::core::to_decimal(level), Side::Sell);
        if qty.is_zero() || price <= Decimal::ZERO {
            return;
        }
        if let Some((id, current)) = self.legs[i].stop {
            if price <= current {
                return;
            }
            ctx.cancel(id);
        }
        let id = ctx.place(
            i,
            Side::Sell,
            OrderKind::StopLoss { stop: price },
            Qty::Base(qty),
            None,
        );
        self.legs[i].stop = Some((id, price));
    }
}

impl Strategy for Momentum {
    fn setup(&mut self, setup: &mut Setup<'_>) -> Result<(), StrategyError> {
        let base = setup.base_interval();
        for i in 0..setup.instruments().len() {
            let series = setup.series(i, base)?;
            setup.keep(series, self.breakout.max(self.exit) + 1);
            let atr = setup.indicator(series, &format!("atr({})", self.atr_period))?;
            self.legs.push(Leg {
                series,
                atr,
                stop: None,
            });
        }
        Ok(())
    }

    fn on_candle(&mut self, ctx: &mut Ctx<'_>, series: SeriesId, candle: &Candle) {
        let Some(i) = self.leg(series) else { return };
        let history = ctx.candles(series);
        let before = history.len().saturating_sub(1);
        if before < self.breakout.max(self.exit) {
            return;
        }
        let prior = |n: usize| history.range(before - n..before);
        let high = prior(self.breakout)
            .map(|c| c.high)
            .fold(f64::MIN, f64::max);
        let low = prior(self.exit).map(|c| c.low).fold(f64::MAX, f64::min);
        let atr = ctx.indicator(self.legs[i].atr);
        if common::holding(ctx, i) {
            if candle.close < low {
                common::sell_all(ctx, i);
                self.legs[i].stop = None;
                ctx.signal("close below the exit channel: sell");
            } else if let Some(atr) = atr {
                self.trail(ctx, i, candle.close - self.atr_mult * atr);
            }
        } else if candle.close > high && ctx.open_orders(i).next().is_none() {
            let cash = common::cash_share(ctx, i, self.legs.len());
            ctx.market_buy_quote(i, cash);
            ctx.signal("breakout above the channel: buy");
        }
    }

    fn on_fill(&mut self, ctx: &mut Ctx<'_>, fill: &Fill) {
        let i = fill.instrument;
        if fill.side == Side::Buy {
            // The first stop goes in as soon as the position exists.
            let level = ctx
                .indicator(self.legs[i].atr)
                .map(|atr| crate::core::to_f64(fill.price) - self.atr_mult * atr);
            if let Some(level) = level {
                self.trail(ctx, i, level);
            }
        } else if self.legs[i].stop.is_some_and(|(id, _)| id == fill.order) {
            self.legs[i].stop = None;
            ctx.signal("trailing stop hit");
        }
    }

    fn on_order_closed(
        &mut self,
        _ctx: &mut Ctx<'_>,
        order: OrderId,
        _status: OrderStatus,
        _reason: Option<&Reject>,
    ) {
        for leg in &mut self.legs {
            if leg.stop.is_some_and(|(id, _)| id == order) {
                leg.stop = None;
            }
        }
    }
}
