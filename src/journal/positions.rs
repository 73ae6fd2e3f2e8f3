//! Positions rebuilt from the fill log alone: per symbol, the base quantity held and what it cost
//! (quote paid, fees included) at the average-cost method; a sale releases cost at the average
//! and realises the difference. Exact decimals, so the quantity equals what the exchange holds.

use super::{FillRow, Journal, JournalError};
use crate::core::Side;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One symbol's holding as the fills describe it.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Position {
    pub qty: Decimal,
    /// Quote paid for what is held, fees included.
    pub cost: Decimal,
    /// Realised PnL of sales, fees of both legs included.
    pub realized: Decimal,
    pub fills: usize,
}

impl Position {
    /// Average cost of a unit held, fees included.
    pub fn average(&self) -> Option<Decimal> {
        (self.qty > Decimal::ZERO).then(|| self.cost / self.qty)
    }

    fn apply(&mut self, f: &FillRow) {
        self.fills += 1;
        match f.side {
            Side::Buy => {
                self.qty += f.qty;
                self.cost += f.quote + f.fee;
            }
            Side::Sell => {
                let released = if self.qty > Decimal::ZERO {
                    self.cost * f.qty.min(self.qty) / self.qty
                } else {
                    Decimal::ZERO
                };
                self.realized += f.quote - f.fee - released;
                self.cost -= released;
                self.qty -= f.qty;
                if self.qty <= Decimal::ZERO {
                    self.cost = Decimal::ZERO;
                }
            }
        }
    }
}

/// Positions by symbol from fills in trade order.
pub fn rebuild<'a>(fills: impl IntoIterator<Item = &'a FillRow>) -> BTreeMap<String, Position> {
    let mut out: BTreeMap<String, Position> = BTreeMap::new();
    for f in fills {
        out.entry(f.symbol.clone()).or_default().apply(f);
    }
    out
}

impl Journal {
    /// A session's positions, rebuilt from its fills.
    pub fn positions_from_fills(
        &self,
        session: i64,
    ) -> Result<BTreeMap<String, Position>, JournalError> {
        Ok(rebuild(&self.fills(session)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Liquidity;

    fn fill(seq: u64, side: Side, qty: &str, price: &str, fee: &str) -> FillRow {
        let (qty, price): (Decimal, Decimal) = (qty.parse().unwrap(), price.parse().unwrap());
        FillRow {
            seq,
            order: seq,
            symbol: "BTCUSDT".into(),
            side,
            qty,
            price,
            quote: qty * price,
            fee: fee.parse().unwrap(),
            fee_asset: "USDT".into(),
            liquidity: Liquidity::Taker,
            market_ms: seq as i64,
            origin: "manual".into(),
        }
    }

    #[test]
    fn average_cost_includes_fees_and_sales_realise_against_it() {
        let fills = [
            fill(1, Side::Buy, "1", "100", "0.1"),
            fill(2, Side::Buy, "1", "120", "0.1"),
            fill(3, Side::Sell, "0.5", "130", "0.065"),
        ];
        let p = rebuild(&fills)["BTCUSDT"];
        assert_eq!(p.qty, "1.5".parse::<Decimal>().unwrap());
        // 220.2 paid for 2; a quarter of it leaves with the half sold.
        assert_eq!(p.cost, "165.15".parse::<Decimal>().unwrap());
        assert_eq!(p.average(), Some("110.1".parse().unwrap()));
        assert_eq!(
            p.realized,
            "64.935".parse::<Decimal>().unwrap() - "55.05".parse::<Decimal>().unwrap()
        );
        assert_eq!(p.fills, 3);
        let closed = rebuild(&[fills[0].clone(), fill(2, Side::Sell, "1", "90", "0.09")]);
        assert_eq!(closed["BTCUSDT"].qty, Decimal::ZERO);
        assert_eq!(closed["BTCUSDT"].average(), None);
        assert_eq!(
            closed["BTCUSDT"].realized,
            "-10.19".parse::<Decimal>().unwrap()
        );
    }
}
