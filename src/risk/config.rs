//! What the risk layer enforces, as plain values: limits for every order (none by default: a
//! backtest without a `[risk]` section trades exactly as before), the fee rate that "the free
//! balance after fees" means, protections, and each strategy's own sizing and exits. Runners build
//! it from the `[risk]` config section. Sizing and exit rules are written as short texts
//! (`equity:10`, `2.5atr`, `3%`), parsed here so config errors can say what is allowed.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Limits every order that adds exposure must respect (orders that only reduce it always pass).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// Value (quote asset) of one symbol's position after the order.
    pub max_position_quote: Option<Decimal>,
    /// Value of all non-quote holdings after the order, as a percentage of equity.
    pub max_exposure_pct: Option<Decimal>,
    /// Open orders, this one included.
    pub max_open_orders: Option<usize>,
    /// Value of one order.
    pub max_order_quote: Option<Decimal>,
    /// Smallest order value accepted (on top of the exchange's own minimum).
    pub min_order_quote: Option<Decimal>,
}

/// How a strategy's entries are sized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sizing {
    /// `quote:500`: spend this much of the quote asset.
    FixedQuote(Decimal),
    /// `equity:10`: spend this percentage of equity.
    EquityPct(Decimal),
    /// `risk:1`: risk this percentage of equity between the entry and the stop (needs a stop).
    RiskPct(Decimal),
    /// `kelly:0.5:25`: this fraction of the Kelly bet from the strategy's own round trips, capped at
    /// this percentage of equity; sized by `equity:cap` until `KELLY_MIN_TRADES` trips exist.
    Kelly { fraction: Decimal, cap_pct: Decimal },
}

/// Round trips a strategy needs before Kelly sizing trusts its record.
pub const KELLY_MIN_TRADES: u32 = 20;

/// A distance from the entry (or, trailing, from the best price since): `3%` or `2.5atr`
/// (multiples of the 14-bar ATR of the instrument's base series).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distance {
    Pct(Decimal),
    Atr(Decimal),
}

/// A strategy's own risk settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrategyRisk {
    pub sizing: Option<Sizing>,
    pub stop: Option<Distance>,
    pub take_profit: Option<Distance>,
    pub trailing: Option<Distance>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskConfig {
    pub limits: Limits,
    /// Taker fee rate charged on market buys, so a buy never needs more than the free quote.
    pub taker_fee: Decimal,
    /// By strategy index, as the engine numbers them (missing: none).
    pub strategies: Vec<StrategyRisk>,
    pub protections: super::ProtectionConfig,
}

impl RiskConfig {
    pub fn strategy(&self, index: usize) -> Option<&StrategyRisk> {
        self.strategies.get(index)
    }
}

fn positive(text: &str, what: &str) -> Result<Decimal, String> {
    match Decimal::from_str(text.trim()) {
        Ok(d) if d > Decimal::ZERO => Ok(d),
        _ => Err(format!("{what} must be a positive number, got `{text}`")),
    }
}

impl FromStr for Sizing {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let allowed = "use quote:AMOUNT, equity:PCT, risk:PCT or kelly:FRACTION:CAP_PCT \
                       (e.g. equity:10, kelly:0.5:25)";
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        match parts.as_slice() {
            ["quote", a] => Ok(Self::FixedQuote(positive(a, "the quote amount")?)),
            ["equity", p] => Ok(Self::EquityPct(percent(p)?)),
            ["risk", p] => Ok(Self::RiskPct(percent(p)?)),
            ["kelly", f, c] => {
                let fraction = positive(f, "the Kelly fraction")?;
                if fraction > Decimal::ONE {
                    return Err(format!("the Kelly fraction is at most 1, got `{f}`"));
                }
                Ok(Self::Kelly {
                    fraction,
                    cap_pct: percent(c)?,
                })
            }
            _ => Err(format!("`{s}` is not a sizing rule: {allowed}")),
        }
    }
}

fn percent(text: &str) -> Result<Decimal, String> {
    let p = positive(text, "the percentage")?;
    if p > Decimal::ONE_HUNDRED {
        return Err(format!("the percentage is at most 100, got `{text}`"));
    }
    Ok(p)
}

impl FromStr for Distance {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_lowercase();
        if let Some(p) = t.strip_suffix('%') {
            return Ok(Self::Pct(percent(p)?));
        }
        if let Some(m) = t.strip_suffix("atr") {
            return Ok(Self::Atr(positive(m, "the ATR multiple")?));
        }
        Err(format!(
            "`{s}` is not a distance: write a percentage (`3%`) or an ATR multiple (`2.5atr`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rules_read_from_short_texts_and_errors_say_what_is_allowed() {
        assert_eq!("quote:500".parse(), Ok(Sizing::FixedQuote(d("500"))));
        assert_eq!("equity: 10".parse(), Ok(Sizing::EquityPct(d("10"))));
        assert_eq!("risk:1".parse(), Ok(Sizing::RiskPct(d("1"))));
        assert_eq!(
            "kelly:0.5:25".parse(),
            Ok(Sizing::Kelly {
                fraction: d("0.5"),
                cap_pct: d("25")
            })
        );
        let e = "kelly:2:25".parse::<Sizing>().unwrap_err();
        assert!(e.contains("at most 1"), "{e}");
        let e = "all-in".parse::<Sizing>().unwrap_err();
        assert!(e.contains("equity:PCT"), "{e}");
        assert_eq!("3%".parse(), Ok(Distance::Pct(d("3"))));
        assert_eq!("2.5ATR".parse(), Ok(Distance::Atr(d("2.5"))));
        let e = "3".parse::<Distance>().unwrap_err();
        assert!(e.contains("`3%`"), "{e}");
        assert!("-1%".parse::<Distance>().is_err());
        assert!("equity:150".parse::<Sizing>().is_err());
    }
}
