//! Outgoing orders: what `POST /api/v3/order` receives, as the exact form parameters, and the
//! deterministic client order ids that make placement idempotent.
//!
//! Invariant: decimals are written normalised (`0.10000` → `0.1`), never in exponent form.

use super::{OrderType, TimeInForce, WireError};
use crate::core::{OrderId, OrderKind, Qty, Reject, Side};
use rust_decimal::Decimal;
use std::fmt;

/// A client order id Binance accepts: 1–36 of `A-Z a-z 0-9 - _`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    pub const MAX_LEN: usize = 36;

    pub fn new(id: &str) -> Result<Self, WireError> {
        let ok = (1..=Self::MAX_LEN).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(id.to_string()))
        } else {
            Err(WireError::ClientId(id.to_string()))
        }
    }

    /// `td-<session>-<order id>`: the same core order in the same session always gets the same
    /// id, so a resubmission can be recognised (at most 3 + 11 + 1 + 20 = 35 characters).
    pub fn for_order(session: &SessionTag, order: OrderId) -> Self {
        Self(format!("td-{}-{order}", session.0))
    }

    /// `td-<session>-L<group>`: an order list (OCO) by the core's group id.
    pub fn for_list(session: &SessionTag, group: u64) -> Self {
        Self(format!("td-{}-L{group}", session.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names one trading run inside client order ids: 1–11 ASCII letters or digits, unique per run
/// (core order ids restart with each run).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionTag(String);

impl SessionTag {
    pub fn new(tag: &str) -> Result<Self, WireError> {
        if (1..=11).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(tag.to_string()))
        } else {
            Err(WireError::Session(tag.to_string()))
        }
    }
}

/// How much Binance says back (`newOrderRespType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RespType {
    Ack,
    Result,
    #[default]
    Full,
}

impl RespType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ack => "ACK",
            Self::Result => "RESULT",
            Self::Full => "FULL",
        }
    }
}

/// An order's type and terms. `Market` takes a base quantity or a quote amount
/// (`quoteOrderQty`); every other type a base quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OrderSpec {
    Market {
        qty: Qty,
    },
    Limit {
        price: Decimal,
        qty: Decimal,
        tif: TimeInForce,
    },
    LimitMaker {
        price: Decimal,
        qty: Decimal,
    },
    StopLoss {
        stop: Decimal,
        qty: Decimal,
    },
    StopLossLimit {
        stop: Decimal,
        price: Decimal,
        qty: Decimal,
        tif: TimeInForce,
    },
    TakeProfit {
        stop: Decimal,
        qty: Decimal,
    },
    TakeProfitLimit {
        stop: Decimal,
        price: Decimal,
        qty: Decimal,
        tif: TimeInForce,
    },
}

impl OrderSpec {
    /// From the core's order: limit-type orders rest with `tif`; a quote amount is only valid
    /// for market orders.
    pub fn from_core(kind: OrderKind, qty: Qty, tif: TimeInForce) -> Result<Self, Reject> {
        let base = match (kind, qty) {
            (OrderKind::Market, qty) => return Ok(Self::Market { qty }),
            (_, Qty::Base(q)) => q,
            (k, Qty::Quote(_)) => {
                let why = format!(
                    "a {} order takes a base quantity, not a quote amount",
                    k.name()
                );
                return Err(Reject::new("INVALID", why));
            }
        };
        Ok(match kind {
            OrderKind::Market => Self::Market { qty },
            OrderKind::Limit { price } => Self::Limit {
                price,
                qty: base,
                tif,
            },
            OrderKind::StopLoss { stop } => Self::StopLoss { stop, qty: base },
            OrderKind::StopLossLimit { stop, price } => Self::StopLossLimit {
                stop,
                price,
                qty: base,
                tif,
            },
            OrderKind::TakeProfit { stop } => Self::TakeProfit { stop, qty: base },
            OrderKind::TakeProfitLimit { stop, price } => Self::TakeProfitLimit {
                stop,
                price,
                qty: base,
                tif,
            },
        })
    }

    /// The same order type with new terms: `stop` and `price` where the type has them (`None`
    /// keeps the old value), a base quantity (or, for MARKET, either kind).
    pub fn with_terms(mut self, stop: Option<Decimal>, price: Option<Decimal>, qty: Qty) -> Self {
        let set = |slot: &mut Decimal, new: Option<Decimal>| *slot = new.unwrap_or(*slot);
        let base = match qty {
            Qty::Base(q) => Some(q),
            Qty::Quote(_) => None,
        };
        match &mut self {
            Self::Market { qty: q } => *q = qty,
            Self::Limit {
                price: p, qty: q, ..
            }
            | Self::LimitMaker { price: p, qty: q } => {
                set(p, price);
                set(q, base);
            }
            Self::StopLoss { stop: s, qty: q } | Self::TakeProfit { stop: s, qty: q } => {
                set(s, stop);
                set(q, base);
            }
            Self::StopLossLimit {
                stop: s,
                price: p,
                qty: q,
                ..
            }
            | Self::TakeProfitLimit {
                stop: s,
                price: p,
                qty: q,
                ..
            } => {
                set(s, stop);
                set(p, price);
                set(q, base);
            }
        }
        self
    }

    /// Whether a stop order fires on a rise (STOP_LOSS buys, TAKE_PROFIT sells) rather than a
    /// fall (spec §5's trigger directions).
    pub fn fires_above(&self, side: Side) -> bool {
        matches!(
            (self.order_type(), side),
            (OrderType::StopLoss | OrderType::StopLossLimit, Side::Buy)
                | (
                    OrderType::TakeProfit | OrderType::TakeProfitLimit,
                    Side::Sell
                )
        )
    }

    pub fn order_type(&self) -> OrderType {
        match self {
            Self::Market { .. } => OrderType::Market,
            Self::Limit { .. } => OrderType::Limit,
            Self::LimitMaker { .. } => OrderType::LimitMaker,
            Self::StopLoss { .. } => OrderType::StopLoss,
            Self::StopLossLimit { .. } => OrderType::StopLossLimit,
            Self::TakeProfit { .. } => OrderType::TakeProfit,
            Self::TakeProfitLimit { .. } => OrderType::TakeProfitLimit,
        }
    }

    pub fn qty(&self) -> Qty {
        match *self {
            Self::Market { qty } => qty,
            Self::Limit { qty, .. }
            | Self::LimitMaker { qty, .. }
            | Self::StopLoss { qty, .. }
            | Self::StopLossLimit { qty, .. }
            | Self::TakeProfit { qty, .. }
            | Self::TakeProfitLimit { qty, .. } => Qty::Base(qty),
        }
    }

    pub fn price(&self) -> Option<Decimal> {
        match *self {
            Self::Limit { price, .. }
            | Self::LimitMaker { price, .. }
            | Self::StopLossLimit { price, .. }
            | Self::TakeProfitLimit { price, .. } => Some(price),
            _ => None,
        }
    }

    pub fn stop(&self) -> Option<Decimal> {
        match *self {
            Self::StopLoss { stop, .. }
            | Self::StopLossLimit { stop, .. }
            | Self::TakeProfit { stop, .. }
            | Self::TakeProfitLimit { stop, .. } => Some(stop),
            _ => None,
        }
    }

    pub fn tif(&self) -> Option<TimeInForce> {
        match *self {
            Self::Limit { tif, .. }
            | Self::StopLossLimit { tif, .. }
            | Self::TakeProfitLimit { tif, .. } => Some(tif),
            _ => None,
        }
    }
}

/// One order for `POST /api/v3/order`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub symbol: String,
    pub side: Side,
    pub spec: OrderSpec,
    pub client_id: ClientOrderId,
    pub response: RespType,
}

pub(super) fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

impl NewOrder {
    /// The form parameters, in a fixed order (without `recvWindow`, `timestamp`, `signature`).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let s = &self.spec;
        let mut p = vec![
            ("symbol", self.symbol.clone()),
            ("side", self.side.as_str().to_string()),
            ("type", s.order_type().as_str().to_string()),
        ];
        if let Some(tif) = s.tif() {
            p.push(("timeInForce", tif.as_str().to_string()));
        }
        match s.qty() {
            Qty::Base(q) => p.push(("quantity", num(q))),
            Qty::Quote(q) => p.push(("quoteOrderQty", num(q))),
        }
        if let Some(price) = s.price() {
            p.push(("price", num(price)));
        }
        if let Some(stop) = s.stop() {
            p.push(("stopPrice", num(stop)));
        }
        p.push(("newClientOrderId", self.client_id.0.clone()));
        p.push(("newOrderRespType", self.response.as_str().to_string()));
        p
    }
}
