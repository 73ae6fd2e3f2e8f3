//! A person's command as it travels over the control socket: a mirror of `core::Command` with a
//! stable JSON shape of its own, so the core's types can change without changing the protocol.
//!
//! Invariant: an order that arrives over the socket is always a person's (`Origin::Manual`):
//! a client cannot place orders in a strategy's name.

use super::fields;
use crate::core::{Command, OrderKind, OrderRequest, Origin, Qty, Side};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `{"do": "kill_switch"}`, `{"do": "place", "market": 0, "side": "BUY", …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum WireCommand {
    Place(WireOrder),
    Cancel { order: u64 },
    CancelAll,
    Flatten { market: usize },
    Pause { strategy: usize },
    Resume { strategy: usize },
    KillSwitch,
    Release,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireOrder {
    /// The market's index in the replica's `markets`.
    pub market: usize,
    #[serde(with = "fields::side")]
    pub side: Side,
    #[serde(rename = "type")]
    pub kind: WireKind,
    /// The limit price (the `…_LIMIT` types and `LIMIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Decimal>,
    /// The trigger price (the stop-loss and take-profit types).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Decimal>,
    pub qty: WireQty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oco: Option<u64>,
}

/// Binance's order types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WireKind {
    Market,
    Limit,
    StopLoss,
    StopLossLimit,
    TakeProfit,
    TakeProfitLimit,
}

/// `{"base": "0.01"}` or `{"quote": "250"}` (market orders: the quote amount to spend).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireQty {
    Base(Decimal),
    Quote(Decimal),
}

impl From<&Command> for WireCommand {
    fn from(c: &Command) -> Self {
        match c {
            Command::Place(r) => Self::Place(WireOrder {
                market: r.instrument,
                side: r.side,
                kind: kind_of(&r.kind),
                price: r.kind.limit(),
                stop: r.kind.stop(),
                qty: match r.qty {
                    Qty::Base(q) => WireQty::Base(q),
                    Qty::Quote(q) => WireQty::Quote(q),
                },
                oco: r.oco,
            }),
            Command::Cancel(id) => Self::Cancel { order: *id },
            Command::CancelAll => Self::CancelAll,
            Command::Flatten(m) => Self::Flatten { market: *m },
            Command::Pause(s) => Self::Pause { strategy: *s },
            Command::Resume(s) => Self::Resume { strategy: *s },
            Command::KillSwitch => Self::KillSwitch,
            Command::Release => Self::Release,
        }
    }
}

impl TryFrom<WireCommand> for Command {
    type Error = String;

    fn try_from(c: WireCommand) -> Result<Self, String> {
        Ok(match c {
            WireCommand::Place(o) => Command::Place(OrderRequest {
                instrument: o.market,
                side: o.side,
                kind: order_kind(o.kind, o.price, o.stop)?,
                qty: match o.qty {
                    WireQty::Base(q) => Qty::Base(q),
                    WireQty::Quote(q) => Qty::Quote(q),
                },
                oco: o.oco,
                origin: Origin::Manual,
            }),
            WireCommand::Cancel { order } => Command::Cancel(order),
            WireCommand::CancelAll => Command::CancelAll,
            WireCommand::Flatten { market } => Command::Flatten(market),
            WireCommand::Pause { strategy } => Command::Pause(strategy),
            WireCommand::Resume { strategy } => Command::Resume(strategy),
            WireCommand::KillSwitch => Command::KillSwitch,
            WireCommand::Release => Command::Release,
        })
    }
}

fn kind_of(k: &OrderKind) -> WireKind {
    match k {
        OrderKind::Market => WireKind::Market,
        OrderKind::Limit { .. } => WireKind::Limit,
        OrderKind::StopLoss { .. } => WireKind::StopLoss,
        OrderKind::StopLossLimit { .. } => WireKind::StopLossLimit,
        OrderKind::TakeProfit { .. } => WireKind::TakeProfit,
        OrderKind::TakeProfitLimit { .. } => WireKind::TakeProfitLimit,
    }
}

/// The order kind a type and its prices make; a missing or stray price is an error.
fn order_kind(
    kind: WireKind,
    price: Option<Decimal>,
    stop: Option<Decimal>,
) -> Result<OrderKind, String> {
    let (wants_price, wants_stop) = match kind {
        WireKind::Market => (false, false),
        WireKind::Limit => (true, false),
        WireKind::StopLoss | WireKind::TakeProfit => (false, true),
        WireKind::StopLossLimit | WireKind::TakeProfitLimit => (true, true),
    };
    let name = match kind {
        WireKind::Market => "MARKET",
        WireKind::Limit => "LIMIT",
        WireKind::StopLoss => "STOP_LOSS",
        WireKind::StopLossLimit => "STOP_LOSS_LIMIT",
        WireKind::TakeProfit => "TAKE_PROFIT",
        WireKind::TakeProfitLimit => "TAKE_PROFIT_LIMIT",
    };
    let field = |wanted: bool, value: Option<Decimal>, what: &str| match (wanted, value) {
        (true, Some(v)) => Ok(v),
        (true, None) => Err(format!("a {name} order needs a `{what}`")),
        (false, Some(_)) => Err(format!("a {name} order takes no `{what}`")),
        (false, None) => Ok(Decimal::ZERO),
    };
    let (price, stop) = (
        field(wants_price, price, "price")?,
        field(wants_stop, stop, "stop")?,
    );
    Ok(match kind {
        WireKind::Market => OrderKind::Market,
        WireKind::Limit => OrderKind::Limit { price },
        WireKind::StopLoss => OrderKind::StopLoss { stop },
        WireKind::StopLossLimit => OrderKind::StopLossLimit { stop, price },
        WireKind::TakeProfit => OrderKind::TakeProfit { stop },
        WireKind::TakeProfitLimit => OrderKind::TakeProfitLimit { stop, price },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(kind: OrderKind, qty: Qty, origin: Origin) -> Command {
        Command::Place(OrderRequest {
            instrument: 1,
            side: Side::Sell,
            kind,
            qty,
            oco: Some(7),
            origin,
        })
    }

    #[test]
    fn every_command_survives_the_wire() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let all = [
            order(
                OrderKind::StopLossLimit {
                    stop: d("59000"),
                    price: d("58990.5"),
                },
                Qty::Base(d("0.015")),
                Origin::Manual,
            ),
            order(OrderKind::Market, Qty::Quote(d("250")), Origin::Manual),
            Command::Cancel(42),
            Command::CancelAll,
            Command::Flatten(1),
            Command::Pause(0),
            Command::Resume(0),
            Command::KillSwitch,
            Command::Release,
        ];
        for c in all {
            let text = serde_json::to_string(&WireCommand::from(&c)).unwrap();
            let back: WireCommand = serde_json::from_str(&text).unwrap();
            assert_eq!(Command::try_from(back).unwrap(), c, "{text}");
        }
    }

    #[test]
    fn the_documented_shapes_parse_and_prices_stay_exact() {
        let text = r#"{"do":"place","market":0,"side":"BUY","type":"LIMIT","price":"60000.10","qty":{"base":"0.0100"}}"#;
        let wire = serde_json::from_str::<WireCommand>(text).unwrap();
        let Ok(Command::Place(r)) = Command::try_from(wire) else {
            panic!("not a placement")
        };
        assert_eq!(r.kind.limit().unwrap().to_string(), "60000.10");
        assert_eq!(r.qty, Qty::Base("0.0100".parse().unwrap()));
        let kill: WireCommand = serde_json::from_str(r#"{"do":"kill_switch"}"#).unwrap();
        assert_eq!(Command::try_from(kill), Ok(Command::KillSwitch));
        assert!(serde_json::from_str::<WireCommand>(r#"{"do":"sell_everything"}"#).is_err());
        let no_price = text.replace(r#","price":"60000.10""#, "");
        let wire = serde_json::from_str::<WireCommand>(&no_price).unwrap();
        assert_eq!(
            Command::try_from(wire),
            Err("a LIMIT order needs a `price`".to_string())
        );
        let stray = text.replace(r#""LIMIT""#, r#""MARKET""#);
        let wire = serde_json::from_str::<WireCommand>(&stray).unwrap();
        assert!(Command::try_from(wire).is_err_and(|e| e.contains("takes no `price`")));
    }

    #[test]
    fn a_client_cannot_speak_for_a_strategy() {
        let theirs = order(
            OrderKind::Market,
            Qty::Base(Decimal::ONE),
            Origin::Strategy(0),
        );
        let wire = serde_json::to_string(&WireCommand::from(&theirs)).unwrap();
        assert!(!wire.contains("origin"), "{wire}");
        let back = serde_json::from_str::<WireCommand>(&wire).unwrap();
        let Ok(Command::Place(r)) = Command::try_from(back) else {
            panic!("not a placement")
        };
        assert_eq!(r.origin, Origin::Manual);
        let forged = r#"{"do":"place","market":0,"side":"BUY","type":"MARKET","qty":{"base":"1"},"origin":{"Strategy":0}}"#;
        assert!(serde_json::from_str::<WireCommand>(forged).is_err());
    }
}
