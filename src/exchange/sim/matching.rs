//! When a resting order executes as the price walks a bar, and at what price.
//!
//! A bar is walked open → low → high → close: for a long position the adverse move comes first, so
//! when one bar touches both a stop and a target the stop wins (pessimistic, documented). At the
//! open (`Point::Open`: a bar's open, or the moment an order arrives), an order the price is
//! already past executes at the open; elsewhere on the walk it executes at its own price
//! (the limit, or the stop for stop-market orders, worsened by slippage). A limit filled at its
//! limit is maker; everything else is taker.

use crate::core::{Liquidity, OrderKind, Side};
use rust_decimal::Decimal;

/// Where on the bar's walk the price is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    Open,
    Low,
    High,
    Close,
}

/// The outcome of offering a price to an order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    Nothing,
    /// A stop-limit's stop triggered; it now rests as a limit.
    Triggered,
    Execute {
        price: Decimal,
        liquidity: Liquidity,
        market: bool,
    },
}

/// True when price `x` reaches a stop for this side and kind.
pub fn stop_reached(kind: &OrderKind, side: Side, x: Decimal) -> bool {
    let Some(stop) = kind.stop() else {
        return false;
    };
    let loss = matches!(
        kind,
        OrderKind::StopLoss { .. } | OrderKind::StopLossLimit { .. }
    );
    // Binance: STOP_LOSS SELL and TAKE_PROFIT BUY trigger falling; the other two rising.
    match (loss, side) {
        (true, Side::Sell) | (false, Side::Buy) => x <= stop,
        (true, Side::Buy) | (false, Side::Sell) => x >= stop,
    }
}

fn limit_reached(side: Side, x: Decimal, limit: Decimal) -> bool {
    match side {
        Side::Buy => x <= limit,
        Side::Sell => x >= limit,
    }
}

/// Offers price `x` at `point` to an order that was resting before this bar.
pub fn step(kind: &OrderKind, side: Side, triggered: bool, x: Decimal, point: Point) -> Step {
    let at_open = point == Point::Open;
    match *kind {
        OrderKind::Market => Step::Execute {
            price: x,
            liquidity: Liquidity::Taker,
            market: true,
        },
        OrderKind::StopLoss { stop } | OrderKind::TakeProfit { stop } => {
            if !stop_reached(kind, side, x) {
                return Step::Nothing;
            }
            Step::Execute {
                price: if at_open { x } else { stop },
                liquidity: Liquidity::Taker,
                market: true,
            }
        }
        OrderKind::Limit { price } => resting_limit(side, x, price, at_open, Liquidity::Maker),
        OrderKind::StopLossLimit { price, .. } | OrderKind::TakeProfitLimit { price, .. } => {
            if triggered {
                return resting_limit(side, x, price, at_open, Liquidity::Maker);
            }
            if !stop_reached(kind, side, x) {
                return Step::Nothing;
            }
            // Just triggered: marketable now only at a gap open; otherwise it rests and can fill
            // at its limit later in the walk (checked at the following points).
            match resting_limit(side, x, price, at_open, Liquidity::Taker) {
                Step::Execute { .. } if at_open => {
                    resting_limit(side, x, price, true, Liquidity::Taker)
                }
                _ => Step::Triggered,
            }
        }
    }
}

fn resting_limit(
    side: Side,
    x: Decimal,
    limit: Decimal,
    at_open: bool,
    liquidity: Liquidity,
) -> Step {
    if !limit_reached(side, x, limit) {
        return Step::Nothing;
    }
    if at_open {
        Step::Execute {
            price: x,
            liquidity: Liquidity::Taker,
            market: false,
        }
    } else {
        Step::Execute {
            price: limit,
            liquidity,
            market: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn exec(s: Step) -> Option<(Decimal, Liquidity)> {
        match s {
            Step::Execute {
                price, liquidity, ..
            } => Some((price, liquidity)),
            _ => None,
        }
    }

    #[test]
    fn stops_fill_at_the_stop_or_at_a_gapped_open() {
        let stop = OrderKind::StopLoss { stop: d("95") };
        assert_eq!(
            step(&stop, Side::Sell, false, d("99"), Point::Open),
            Step::Nothing
        );
        assert_eq!(
            exec(step(&stop, Side::Sell, false, d("90"), Point::Low)),
            Some((d("95"), Liquidity::Taker))
        );
        assert_eq!(
            exec(step(&stop, Side::Sell, false, d("93"), Point::Open)),
            Some((d("93"), Liquidity::Taker))
        );
        let buy_stop = OrderKind::StopLoss { stop: d("105") };
        assert_eq!(
            exec(step(&buy_stop, Side::Buy, false, d("106"), Point::High)),
            Some((d("105"), Liquidity::Taker))
        );
        let target = OrderKind::TakeProfit { stop: d("110") };
        assert_eq!(
            step(&target, Side::Sell, false, d("90"), Point::Low),
            Step::Nothing
        );
        assert_eq!(
            exec(step(&target, Side::Sell, false, d("111"), Point::High)),
            Some((d("110"), Liquidity::Taker))
        );
    }

    #[test]
    fn limits_fill_at_the_limit_as_maker_or_at_a_gap_as_taker() {
        let bid = OrderKind::Limit { price: d("100") };
        assert_eq!(
            step(&bid, Side::Buy, false, d("101"), Point::Low),
            Step::Nothing
        );
        assert_eq!(
            exec(step(&bid, Side::Buy, false, d("99"), Point::Low)),
            Some((d("100"), Liquidity::Maker))
        );
        assert_eq!(
            exec(step(&bid, Side::Buy, false, d("98"), Point::Open)),
            Some((d("98"), Liquidity::Taker))
        );
        let ask = OrderKind::Limit { price: d("100") };
        assert_eq!(
            exec(step(&ask, Side::Sell, false, d("100"), Point::High)),
            Some((d("100"), Liquidity::Maker))
        );
    }

    #[test]
    fn stop_limits_trigger_then_rest_at_their_limit() {
        let sl = OrderKind::StopLossLimit {
            stop: d("95"),
            price: d("94"),
        };
        assert_eq!(
            step(&sl, Side::Sell, false, d("93"), Point::Low),
            Step::Triggered
        );
        assert_eq!(
            exec(step(&sl, Side::Sell, true, d("96"), Point::High)),
            Some((d("94"), Liquidity::Maker))
        );
        // Gapped through both: at the open it sells at the open if that still meets the limit.
        assert_eq!(
            exec(step(&sl, Side::Sell, false, d("94.5"), Point::Open)),
            Some((d("94.5"), Liquidity::Taker))
        );
        assert_eq!(
            step(&sl, Side::Sell, false, d("90"), Point::Open),
            Step::Triggered,
            "below the limit: rests"
        );
    }
}
