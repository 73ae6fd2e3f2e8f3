//! Outgoing OCO lists: what `POST /api/v3/orderList/oco` receives, as the exact form parameters.
//!
//! OCO parameters follow Binance's current `orderList/oco` (the old `order/oco` is deprecated), as
//! documented in binance-spot-api-docs (rest-api, "New Order list - OCO"): `symbol`, `side`,
//! `quantity`, `aboveType` / `belowType` (STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT,
//! TAKE_PROFIT_LIMIT, LIMIT_MAKER), per leg `…Price`, `…StopPrice`, `…TimeInForce` (limit legs),
//! `…ClientOrderId`, plus `listClientOrderId` and `newOrderRespType`. A SELL list has its
//! LIMIT_MAKER / TAKE_PROFIT* leg above the market and its STOP_LOSS* leg below; a BUY list the
//! reverse. Both legs count as orders against the unfilled-order limits.
//!
//! Invariant: a leg writes only the parameters its type takes, each under its side's name.

use super::order::num;
use super::{ClientOrderId, OrderType, RespType, TimeInForce};
use crate::core::Side;
use rust_decimal::Decimal;

/// A leg's parameter names: type, price, stop price, time in force, client order id.
type LegNames = [&'static str; 5];
const ABOVE: LegNames = [
    "aboveType",
    "abovePrice",
    "aboveStopPrice",
    "aboveTimeInForce",
    "aboveClientOrderId",
];
const BELOW: LegNames = [
    "belowType",
    "belowPrice",
    "belowStopPrice",
    "belowTimeInForce",
    "belowClientOrderId",
];

/// One leg of an OCO list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OcoLeg {
    LimitMaker {
        price: Decimal,
    },
    StopLoss {
        stop: Decimal,
    },
    StopLossLimit {
        stop: Decimal,
        price: Decimal,
        tif: TimeInForce,
    },
    TakeProfit {
        stop: Decimal,
    },
    TakeProfitLimit {
        stop: Decimal,
        price: Decimal,
        tif: TimeInForce,
    },
}

impl OcoLeg {
    pub fn order_type(&self) -> OrderType {
        match self {
            Self::LimitMaker { .. } => OrderType::LimitMaker,
            Self::StopLoss { .. } => OrderType::StopLoss,
            Self::StopLossLimit { .. } => OrderType::StopLossLimit,
            Self::TakeProfit { .. } => OrderType::TakeProfit,
            Self::TakeProfitLimit { .. } => OrderType::TakeProfitLimit,
        }
    }

    pub fn price(&self) -> Option<Decimal> {
        match *self {
            Self::LimitMaker { price }
            | Self::StopLossLimit { price, .. }
            | Self::TakeProfitLimit { price, .. } => Some(price),
            _ => None,
        }
    }

    pub fn stop(&self) -> Option<Decimal> {
        match *self {
            Self::StopLoss { stop }
            | Self::StopLossLimit { stop, .. }
            | Self::TakeProfit { stop }
            | Self::TakeProfitLimit { stop, .. } => Some(stop),
            Self::LimitMaker { .. } => None,
        }
    }

    pub fn tif(&self) -> Option<TimeInForce> {
        match *self {
            Self::StopLossLimit { tif, .. } | Self::TakeProfitLimit { tif, .. } => Some(tif),
            _ => None,
        }
    }

    /// The price at which the leg acts: its stop, or a LIMIT_MAKER's price.
    pub fn trigger(&self) -> Decimal {
        self.stop().or(self.price()).unwrap_or_default()
    }

    pub fn is_stop_loss(&self) -> bool {
        matches!(self, Self::StopLoss { .. } | Self::StopLossLimit { .. })
    }

    fn params(&self, names: &LegNames, id: &ClientOrderId, p: &mut Vec<(&'static str, String)>) {
        p.push((names[0], self.order_type().as_str().to_string()));
        if let Some(price) = self.price() {
            p.push((names[1], num(price)));
        }
        if let Some(stop) = self.stop() {
            p.push((names[2], num(stop)));
        }
        if let Some(tif) = self.tif() {
            p.push((names[3], tif.as_str().to_string()));
        }
        p.push((names[4], id.as_str().to_string()));
    }
}

/// An OCO list for `POST /api/v3/orderList/oco`: one quantity, two legs, three client ids.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOco {
    pub symbol: String,
    pub side: Side,
    pub qty: Decimal,
    pub above: OcoLeg,
    pub below: OcoLeg,
    pub list_client_id: ClientOrderId,
    pub above_client_id: ClientOrderId,
    pub below_client_id: ClientOrderId,
    pub response: RespType,
}

impl NewOco {
    /// The form parameters, in a fixed order (without `recvWindow`, `timestamp`, `signature`).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("symbol", self.symbol.clone()),
            ("side", self.side.as_str().to_string()),
            ("quantity", num(self.qty)),
        ];
        self.above.params(&ABOVE, &self.above_client_id, &mut p);
        self.below.params(&BELOW, &self.below_client_id, &mut p);
        p.push((
            "listClientOrderId",
            self.list_client_id.as_str().to_string(),
        ));
        p.push(("newOrderRespType", self.response.as_str().to_string()));
        p
    }
}
