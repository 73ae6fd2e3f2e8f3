//! Exact integer price keys. A book stores each price as its mantissa at one fixed decimal scale
//! per symbol (a `u64`), so levels compare and search as plain integers. Invariant: a key converts
//! back to exactly the `Decimal` it came from (numerically); a price that has more decimals than
//! the scale, is negative, or does not fit is refused, never rounded.

use super::BookError;
use rust_decimal::Decimal;

/// Decimals kept per price. Binance spot quotes at most 8 decimals, so [`PriceScale::BINANCE`]
/// fits every symbol; a symbol's tick size gives a tighter one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriceScale(u32);

/// Largest scale: 10^18 still leaves `u64` keys room for prices up to 18.
pub const MAX_PRICE_SCALE: u32 = 18;

const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

impl PriceScale {
    pub const BINANCE: Self = Self(8);

    /// `None` above [`MAX_PRICE_SCALE`].
    pub const fn new(decimals: u32) -> Option<Self> {
        if decimals <= MAX_PRICE_SCALE {
            Some(Self(decimals))
        } else {
            None
        }
    }

    /// The decimals a tick size needs (`0.01000000` → 2); `None` for a non-positive tick or
    /// one finer than [`MAX_PRICE_SCALE`].
    pub fn from_tick_size(tick: Decimal) -> Option<Self> {
        if tick <= Decimal::ZERO {
            return None;
        }
        Self::new(tick.normalize().scale())
    }

    pub const fn decimals(self) -> u32 {
        self.0
    }

    /// The integer key of `price`: its value times 10^scale.
    #[inline]
    pub fn key(self, price: Decimal) -> Result<u64, BookError> {
        let bad = || BookError::Price {
            price,
            scale: self.0,
        };
        let m = u64::try_from(price.mantissa()).map_err(|_| bad())?;
        let s = price.scale();
        if s == self.0 {
            return Ok(m);
        }
        if s < self.0 {
            return m.checked_mul(POW10[(self.0 - s) as usize]).ok_or_else(bad);
        }
        // More decimals than the scale: only trailing zeros may go.
        let div = POW10.get((s - self.0) as usize).copied().ok_or_else(bad)?;
        if m % div == 0 {
            Ok(m / div)
        } else {
            Err(bad())
        }
    }

    /// The price a key stands for, at this scale.
    #[inline]
    pub const fn price(self, key: u64) -> Decimal {
        Decimal::from_parts(key as u32, (key >> 32) as u32, 0, false, self.0)
    }
}

impl Default for PriceScale {
    fn default() -> Self {
        Self::BINANCE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn keys_are_mantissas_at_the_scale() {
        let s = PriceScale::BINANCE;
        assert_eq!(s.key(d("65000.01000000")).unwrap(), 6_500_001_000_000);
        assert_eq!(s.key(d("65000.01")).unwrap(), 6_500_001_000_000);
        assert_eq!(s.key(d("0.00000001")).unwrap(), 1);
        assert_eq!(s.key(d("0")).unwrap(), 0);
        // Trailing zeros past the scale are fine; a real ninth decimal is not.
        assert_eq!(s.key(d("1.000000010")).unwrap(), 100_000_001);
        assert!(s.key(d("1.000000001")).is_err());
        assert!(s.key(d("-1")).is_err());
        assert!(s.key(d("1000000000000")).is_err(), "10^20 does not fit u64");
    }

    #[test]
    fn tick_sizes_give_their_decimals() {
        assert_eq!(
            PriceScale::from_tick_size(d("0.01000000")),
            PriceScale::new(2)
        );
        assert_eq!(
            PriceScale::from_tick_size(d("1.00000000")),
            PriceScale::new(0)
        );
        assert_eq!(PriceScale::from_tick_size(d("0")), None);
        assert_eq!(PriceScale::new(19), None);
    }

    proptest! {
        #[test]
        fn keys_round_trip_exactly(m in 0u64..1 << 30, s in 0u32..=8, scale in 8u32..=10) {
            let scale = PriceScale::new(scale).unwrap();
            let price = Decimal::from_i128_with_scale(i128::from(m), s);
            let key = scale.key(price).unwrap();
            prop_assert_eq!(scale.price(key), price);
        }

        #[test]
        fn key_order_is_price_order(a in 0u64..1 << 50, b in 0u64..1 << 50, sa in 0u32..=8, sb in 0u32..=8) {
            let s = PriceScale::BINANCE;
            let (pa, pb) = (Decimal::new(a as i64, sa), Decimal::new(b as i64, sb));
            if let (Ok(ka), Ok(kb)) = (s.key(pa), s.key(pb)) {
                prop_assert_eq!(ka.cmp(&kb), pa.cmp(&pb));
            }
        }
    }
}
