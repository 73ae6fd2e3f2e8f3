//! Balances per asset, free and locked, in decimals. Whoever executes orders owns the account
//! (the simulated exchange, or Binance's balance stream in live trading); the engine reads it.
//! Totals are also kept as `f64`, so marking equity on every bar never touches decimal maths.

use rust_decimal::{Decimal, prelude::ToPrimitive};
use std::str::FromStr;

/// A decimal as the nearest-enough float: mantissa over a power of ten (within an ulp or two,
/// which is all reporting and marking to market need), cheaper than the general conversion.
pub fn to_f64(d: Decimal) -> f64 {
    const POW10: [f64; 29] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28,
    ];
    let mantissa = d.mantissa();
    let scale = d.scale() as usize;
    let m = if mantissa.unsigned_abs() < (1u128 << 63) {
        (mantissa as i64) as f64
    } else {
        mantissa as f64
    };
    POW10
        .get(scale)
        .map_or_else(|| d.to_f64().unwrap_or(0.0), |p| m / p)
}

/// A candle price as the decimal it was written as (the shortest text that reads back as `x`).
/// Prices with at most 8 decimals (all of Binance's) convert exactly without formatting.
pub fn to_decimal(x: f64) -> Decimal {
    let scaled = x * 1e8;
    if scaled.abs() < 9.0e15 {
        let units = (scaled + 0.5f64.copysign(scaled)) as i64;
        if (scaled - units as f64).abs() <= 1e-3 {
            return Decimal::new(units, 8);
        }
    }
    if x.is_finite() {
        Decimal::from_str(&x.to_string()).unwrap_or_default()
    } else {
        Decimal::ZERO
    }
}

/// Index of an asset in an account.
pub type Asset = usize;

#[derive(Debug, Clone, Default)]
pub struct Account {
    names: Vec<String>,
    free: Vec<Decimal>,
    locked: Vec<Decimal>,
    total_f64: Vec<f64>,
}

impl Account {
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of `name`, added with a zero balance if new.
    pub fn asset(&mut self, name: &str) -> Asset {
        if let Some(i) = self.find(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.free.push(Decimal::ZERO);
        self.locked.push(Decimal::ZERO);
        self.total_f64.push(0.0);
        self.names.len() - 1
    }

    pub fn find(&self, name: &str) -> Option<Asset> {
        self.names.iter().position(|n| n == name)
    }

    pub fn name(&self, asset: Asset) -> &str {
        &self.names[asset]
    }

    pub fn assets(&self) -> impl Iterator<Item = (Asset, &str)> {
        self.names.iter().enumerate().map(|(i, n)| (i, n.as_str()))
    }

    pub fn free(&self, asset: Asset) -> Decimal {
        self.free[asset]
    }

    pub fn locked(&self, asset: Asset) -> Decimal {
        self.locked[asset]
    }

    pub fn total(&self, asset: Asset) -> Decimal {
        self.free[asset] + self.locked[asset]
    }

    /// The total as a float, for marking to market.
    pub fn total_f64(&self, asset: Asset) -> f64 {
        self.total_f64[asset]
    }

    fn refresh(&mut self, asset: Asset) {
        self.total_f64[asset] = to_f64(self.total(asset));
    }

    pub fn deposit(&mut self, asset: Asset, amount: Decimal) {
        self.free[asset] += amount;
        self.refresh(asset);
    }

    /// Moves `amount` from free to locked; false (and no change) if not enough is free.
    pub fn lock(&mut self, asset: Asset, amount: Decimal) -> bool {
        if amount > self.free[asset] {
            return false;
        }
        self.free[asset] -= amount;
        self.locked[asset] += amount;
        true
    }

    /// Moves up to `amount` back from locked to free.
    pub fn unlock(&mut self, asset: Asset, amount: Decimal) {
        let amount = amount.min(self.locked[asset]);
        self.locked[asset] -= amount;
        self.free[asset] += amount;
    }

    /// Takes `amount` out of the locked part (after it was spent), then free if locked is short.
    pub fn spend_locked(&mut self, asset: Asset, amount: Decimal) {
        let from_locked = amount.min(self.locked[asset]);
        self.locked[asset] -= from_locked;
        self.free[asset] = (self.free[asset] - (amount - from_locked)).max(Decimal::ZERO);
        self.refresh(asset);
    }

    /// Takes `amount` out of free (clamped at zero: rounding dust, never an overdraft).
    pub fn spend_free(&mut self, asset: Asset, amount: Decimal) {
        self.free[asset] = (self.free[asset] - amount).max(Decimal::ZERO);
        self.refresh(asset);
    }

    pub fn receive(&mut self, asset: Asset, amount: Decimal) {
        self.free[asset] += amount;
        self.refresh(asset);
    }

    /// Sets a balance as an exchange stated it.
    pub fn set(&mut self, asset: Asset, free: Decimal, locked: Decimal) {
        self.free[asset] = free;
        self.locked[asset] = locked;
        self.refresh(asset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_spends_and_keeps_float_totals() {
        let mut a = Account::new();
        let usdt = a.asset("USDT");
        assert_eq!(a.asset("USDT"), usdt);
        a.deposit(usdt, Decimal::new(10_000, 0));
        assert!(a.lock(usdt, Decimal::new(4_000, 0)));
        assert!(!a.lock(usdt, Decimal::new(7_000, 0)), "only 6000 free");
        a.spend_locked(usdt, Decimal::new(3_000, 0));
        assert_eq!(
            (a.free(usdt), a.locked(usdt)),
            (Decimal::new(6_000, 0), Decimal::new(1_000, 0))
        );
        assert_eq!(a.total_f64(usdt), 7_000.0);
        a.unlock(usdt, Decimal::new(5_000, 0));
        assert_eq!(a.free(usdt), Decimal::new(7_000, 0));
    }
}
