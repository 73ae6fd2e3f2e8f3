//! Exact decimal steps on the order path, done on the 128-bit mantissa in one division where
//! `rust_decimal`'s general routines divide by ten once per digit. Each gives the same result as
//! the obvious `rust_decimal` expression (tested against it), and falls back to that expression
//! when a mantissa would not fit.

use rust_decimal::{Decimal, RoundingStrategy};

const POW10: [i128; 29] = {
    let mut t = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `m / 10^k`, rounded half to even (`toward_zero`: truncated).
fn shift_down(m: i128, k: u32, toward_zero: bool) -> i128 {
    let p = POW10[k as usize];
    let q = m / p;
    let r = m - q * p; // one 128-bit division, not two
    if toward_zero || r == 0 {
        return q;
    }
    let twice = 2 * r.abs();
    let up = twice > p || (twice == p && q % 2 != 0);
    if !up {
        q
    } else if m < 0 {
        q - 1
    } else {
        q + 1
    }
}

fn from_parts(m: i128, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(m, scale).ok()
}

/// `d` with at most `dp` decimals: `d.round_dp(dp)` (half to even), or
/// `d.round_dp_with_strategy(dp, ToZero)` when `toward_zero`.
pub fn round_dp(d: Decimal, dp: u32, toward_zero: bool) -> Decimal {
    let scale = d.scale();
    if scale <= dp {
        return d;
    }
    from_parts(shift_down(d.mantissa(), scale - dp, toward_zero), dp).unwrap_or_else(|| {
        let strategy = if toward_zero {
            RoundingStrategy::ToZero
        } else {
            RoundingStrategy::MidpointNearestEven
        };
        d.round_dp_with_strategy(dp, strategy)
    })
}

/// `a × b` rounded half to even to at most `dp` decimals, from the exact product (`rust_decimal`
/// may round a long product once before the final rounding; this rounds once).
pub fn mul_round(a: Decimal, b: Decimal, dp: u32) -> Decimal {
    let scale = a.scale() + b.scale();
    let exact = a.mantissa().checked_mul(b.mantissa());
    let rounded = exact.and_then(|m| {
        if scale <= dp {
            from_parts(m, scale)
        } else {
            from_parts(shift_down(m, scale - dp, false), dp)
        }
    });
    rounded.unwrap_or_else(|| (a * b).round_dp(dp))
}

/// The largest mantissa a `Decimal` holds (96 bits).
const MANTISSA_MAX: u128 = (1 << 96) - 1;

/// `a ÷ b` truncated toward zero to `dp` (≤ 28) decimals, or to as many decimals as 96 bits hold
/// when the quotient is large; `None` for b = 0 or an integer part beyond `Decimal`'s range.
/// Exact: digits beyond the kept ones are dropped, never rounded into them (long division on the
/// mantissas, where `rust_decimal` would round to 28 significant digits first).
pub fn div_trunc(a: Decimal, b: Decimal, dp: u32) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    let (n, d) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    // a/b = (n / d) × 10^(sb − sa); scaled to dp decimals: n × 10^shift / d.
    let shift = i64::from(dp) + i64::from(b.scale()) - i64::from(a.scale());
    let (q, scale) = if shift < 0 {
        // Nested floors: ⌊⌊n / 10^k⌋ / d⌋ = ⌊n / (10^k d)⌋; k ≤ 28 as n has at most 28 decimals.
        let k = usize::try_from(-shift).ok()?;
        ((n / POW10.get(k)?.unsigned_abs()) / d, dp)
    } else if let Some(q) = POW10
        .get(usize::try_from(shift).unwrap_or(usize::MAX))
        .and_then(|&p| n.checked_mul(p.unsigned_abs()))
        .map(|scaled| scaled / d)
        .filter(|&q| q <= MANTISSA_MAX)
    {
        // The common case: n × 10^shift fits 128 bits and the quotient 96; one division.
        (q, dp)
    } else {
        // One decimal digit of the quotient per step; stop before the mantissa outgrows 96 bits.
        let (mut q, mut r) = (n / d, n % d);
        let mut digits = 0;
        while digits < shift {
            let next = q * 10 + (r * 10) / d;
            if next > MANTISSA_MAX {
                break;
            }
            (q, r, digits) = (next, (r * 10) % d, digits + 1);
        }
        // q carries `digits` of the `shift` decimals asked for; fewer than dp − shift + digits
        // (a negative scale) means even the integer part does not fit.
        let scale = u32::try_from(i64::from(dp) - shift + digits).ok()?;
        (q, scale)
    };
    if q > MANTISSA_MAX {
        return None;
    }
    let signed = i128::try_from(q).ok()?;
    let negative = a.is_sign_negative() != b.is_sign_negative() && q != 0;
    from_parts(if negative { -signed } else { signed }, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(m: i64, scale: u32) -> Decimal {
        Decimal::new(m, scale)
    }

    #[test]
    fn ties_go_to_even_and_truncation_toward_zero() {
        assert_eq!(round_dp(dec(125, 2), 1, false), dec(12, 1));
        assert_eq!(round_dp(dec(135, 2), 1, false), dec(14, 1));
        assert_eq!(round_dp(dec(-135, 2), 1, false), dec(-14, 1));
        assert_eq!(round_dp(dec(-139, 2), 1, true), dec(-13, 1));
        assert_eq!(round_dp(dec(139, 2), 1, true), dec(13, 1));
        assert_eq!(round_dp(dec(7, 1), 3, false), dec(7, 1), "already short");
    }

    #[test]
    fn division_truncates_the_true_quotient() {
        // 10000 / (1.001 × 43000.01) to 18 decimals.
        let q = div_trunc(dec(10_000, 0), dec(1001, 3) * dec(4_300_001, 2), 18).unwrap();
        assert_eq!(q.to_string(), "0.232325759691916118");
        assert_eq!(div_trunc(dec(1, 0), dec(3, 0), 4), Some(dec(3333, 4)));
        assert_eq!(div_trunc(dec(-1, 0), dec(3, 0), 4), Some(dec(-3333, 4)));
        assert_eq!(div_trunc(dec(1, 0), Decimal::ZERO, 4), None);
        // Where rust_decimal's 28-digit quotient rounds up into the 14th decimal.
        let q = div_trunc(dec(52_941_809_987_231, 0), dec(23_219_151_117, 11), 14).unwrap();
        assert_eq!(q.to_string(), "228009239960841.76051835461250");
    }

    #[test]
    fn large_quotients_keep_the_decimals_that_fit() {
        let q = div_trunc(
            dec(100_000_000_000_000_000, 0) * dec(1000, 0),
            dec(3, 0),
            18,
        );
        assert_eq!(q.unwrap().to_string(), "33333333333333333333.333333333");
        let beyond = div_trunc(Decimal::MAX, dec(1, 3), 2);
        assert_eq!(beyond, None, "an integer part past 96 bits has no Decimal");
        assert_eq!(div_trunc(dec(-7, 0), dec(2, 0), 0), Some(dec(-3, 0)));
        assert_eq!(div_trunc(dec(7, 30 - 2), dec(-1, 0), 28), Some(dec(-7, 28)));
    }

    proptest! {
        #[test]
        fn rounding_agrees_with_rust_decimal(m in any::<i64>(), scale in 0u32..=28, dp in 0u32..=20) {
            let d = dec(m, scale);
            prop_assert_eq!(round_dp(d, dp, false), d.round_dp(dp));
            prop_assert_eq!(
                round_dp(d, dp, true),
                d.round_dp_with_strategy(dp, RoundingStrategy::ToZero)
            );
        }

        #[test]
        fn products_agree_with_rust_decimal_where_it_is_exact(
            a in -10_000_000_000_000i64..10_000_000_000_000, sa in 0u32..=18,
            b in -100_000_000_000i64..100_000_000_000, sb in 0u32..=10, dp in 0u32..=14,
        ) {
            let (x, y) = (dec(a, sa), dec(b, sb));
            // rust_decimal's product is exact while it fits 28 decimals and 96 bits.
            let exact = x.checked_mul(y).filter(|p| p.scale() == sa + sb);
            if let Some(p) = exact {
                prop_assert_eq!(mul_round(x, y, dp), p.round_dp(dp));
            }
        }

        #[test]
        fn quotients_are_the_truncated_true_value(
            a in 1i64..1_000_000_000_000_000, sa in 0u32..=12,
            b in 1i64..1_000_000_000_000, sb in 0u32..=11, dp in 0u32..=18,
        ) {
            let (x, y) = (dec(a, sa), dec(b, sb));
            let Some(q) = div_trunc(x, y, dp) else {
                prop_assert!(x.checked_div(y).is_none(), "{} / {} fits", x, y);
                return Ok(());
            };
            prop_assert!(q.scale() <= dp);
            // q ≤ x/y < q + 10^-dp, checked by multiplying back where rust_decimal's product is
            // exact (it keeps every digit: the scale is the sum of the scales).
            let ulp = Decimal::new(1, dp);
            let next = q + ulp; // equals q when 28 digits cannot hold it
            let exact = |p: Decimal| p.checked_mul(y).filter(|r| r.scale() == p.scale() + sb);
            if let (Some(lo), Some(hi), true) = (exact(q), exact(next), next != q) {
                prop_assert!(lo <= x, "{} × {} > {}", q, y, x);
                prop_assert!(hi > x, "{} + ulp is still ≤ {} / {}", q, x, y);
            }
        }
    }
}
