//! Binance's symbol filters, enforced before an order leaves: price on the tick grid
//! (`PRICE_FILTER`), quantity on the step grid and within bounds (`LOT_SIZE`), and a minimum order
//! value (`NOTIONAL`). Rounding never increases what is spent: quantities round down; buy prices
//! round down and sell prices up (the less aggressive side).

use crate::core::{Reject, Side};
use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq)]
pub struct SymbolRules {
    pub base: String,
    pub quote: String,
    pub tick_size: Decimal,
    pub step_size: Decimal,
    pub min_qty: Decimal,
    pub min_notional: Decimal,
    /// False when the values are tickdesk's guess, not Binance's (see `rules_for`).
    pub known: bool,
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

/// Binance's published filters for the symbols tickdesk ships data for (exchangeInfo, 2025);
/// the connector replaces them with live values. Other symbols get permissive rules, flagged.
pub fn rules_for(symbol: &str) -> SymbolRules {
    let known = |base: &str, quote: &str, tick: &str, step: &str, notional: &str| SymbolRules {
        base: base.into(),
        quote: quote.into(),
        tick_size: d(tick),
        step_size: d(step),
        min_qty: d(step),
        min_notional: d(notional),
        known: true,
    };
    match symbol {
        "BTCUSDT" => known("BTC", "USDT", "0.01", "0.00001", "5"),
        "ETHUSDT" => known("ETH", "USDT", "0.01", "0.0001", "5"),
        "SOLUSDT" => known("SOL", "USDT", "0.01", "0.001", "5"),
        other => {
            let (base, quote) = split_symbol(other);
            SymbolRules {
                base,
                quote,
                tick_size: d("0.00000001"),
                step_size: d("0.00000001"),
                min_qty: Decimal::ZERO,
                min_notional: Decimal::ZERO,
                known: false,
            }
        }
    }
}

/// Rules that check nothing (`--filters off`).
pub fn unrestricted(symbol: &str) -> SymbolRules {
    let (base, quote) = split_symbol(symbol);
    SymbolRules {
        base,
        quote,
        tick_size: Decimal::ZERO,
        step_size: Decimal::ZERO,
        min_qty: Decimal::ZERO,
        min_notional: Decimal::ZERO,
        known: true,
    }
}

const QUOTES: [&str; 10] = [
    "USDT", "USDC", "FDUSD", "TUSD", "BUSD", "EUR", "TRY", "BTC", "ETH", "BNB",
];

/// `BTCUSDT` → (`BTC`, `USDT`), by the quote assets Binance lists.
pub fn split_symbol(symbol: &str) -> (String, String) {
    QUOTES
        .iter()
        .find(|q| symbol.len() > q.len() && symbol.ends_with(*q))
        .map(|q| (symbol[..symbol.len() - q.len()].to_string(), q.to_string()))
        .unwrap_or_else(|| (symbol.to_string(), "USDT".to_string()))
}

fn floor_to(x: Decimal, step: Decimal) -> Decimal {
    if step.is_zero() {
        x
    } else {
        ((x / step).floor() * step).normalize()
    }
}

fn ceil_to(x: Decimal, step: Decimal) -> Decimal {
    if step.is_zero() {
        x
    } else {
        ((x / step).ceil() * step).normalize()
    }
}

impl SymbolRules {
    pub fn round_qty(&self, qty: Decimal) -> Decimal {
        floor_to(qty, self.step_size)
    }

    pub fn round_price(&self, price: Decimal, side: Side) -> Decimal {
        match side {
            Side::Buy => floor_to(price, self.tick_size),
            Side::Sell => ceil_to(price, self.tick_size),
        }
    }

    /// Checks a (rounded) quantity at a price.
    pub fn check(&self, qty: Decimal, price: Decimal) -> Result<(), Reject> {
        self.check_value(qty, qty * price)
    }

    /// Checks a (rounded) quantity whose order value (`notional`, in the quote asset) is known.
    pub fn check_value(&self, qty: Decimal, notional: Decimal) -> Result<(), Reject> {
        if qty <= Decimal::ZERO {
            return Err(Reject::new(
                "LOT_SIZE",
                format!("quantity {qty} {} is not positive", self.base),
            ));
        }
        if qty < self.min_qty {
            let why = format!(
                "quantity {qty} {} is below the minimum {}",
                self.base,
                self.min_qty.normalize()
            );
            return Err(Reject::new("LOT_SIZE", why));
        }
        if notional < self.min_notional {
            let why = format!(
                "order value {:.2} {q} is below the minimum {} {q}",
                notional,
                self.min_notional.normalize(),
                q = self.quote
            );
            return Err(Reject::new("NOTIONAL", why));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_toward_the_less_aggressive_side() {
        let r = rules_for("BTCUSDT");
        assert_eq!(r.round_qty(d("0.123456789")), d("0.12345"));
        assert_eq!(r.round_price(d("64964.129"), Side::Buy), d("64964.12"));
        assert_eq!(r.round_price(d("64964.121"), Side::Sell), d("64964.13"));
        assert_eq!(
            unrestricted("BTCUSDT").round_qty(d("0.123456789")),
            d("0.123456789")
        );
    }

    #[test]
    fn refusals_say_which_filter_and_why() {
        let r = rules_for("BTCUSDT");
        let e = r.check(d("0.000001"), d("60000")).unwrap_err();
        assert_eq!(e.code, "LOT_SIZE");
        assert!(e.reason.contains("below the minimum 0.00001"), "{e}");
        let e = r.check(d("0.00005"), d("60000")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "NOTIONAL: order value 3.00 USDT is below the minimum 5 USDT"
        );
        assert!(r.check(d("0.0001"), d("60000")).is_ok());
    }

    #[test]
    fn splits_symbols_by_quote_asset() {
        assert_eq!(split_symbol("ETHBTC"), ("ETH".into(), "BTC".into()));
        assert_eq!(split_symbol("SOLUSDT"), ("SOL".into(), "USDT".into()));
        assert!(!rules_for("DOGEUSDT").known);
    }
}
