//! Property tests over random portfolios (1–4 legs with Binance's filters or none, any holdings,
//! cash partly locked, targets adding up to at most 100 %): a plan never spends more than it may,
//! never sells more than is held, only holds trades that pass the filters, and once applied at
//! its prices leaves every weight within what rounding and the filters allow of its target.

use super::*;
use crate::core::money;
use proptest::prelude::*;

const FEES: [&str; 4] = ["0", "0.00075", "0.001", "0.005"];

fn rules(kind: usize) -> SymbolRules {
    match kind {
        0 => rules_for("BTCUSDT"),
        1 => rules_for("ETHUSDT"),
        2 => rules_for("SOLUSDT"),
        3 => SymbolRules {
            step_size: Decimal::ONE,
            min_qty: Decimal::ONE,
            min_notional: Decimal::TEN,
            ..rules_for("XRPUSDT")
        },
        _ => unrestricted("DOGEUSDT"),
    }
}

/// (rules kind, price in cents, held in 1e-5 units, target in %) per leg, cash in cents, locked
/// share of it in %, fee index.
type Case = (Vec<(usize, i64, i64, u32)>, i64, i64, usize);

fn cases() -> impl Strategy<Value = Case> {
    let leg = (
        0usize..5,
        1i64..=10_000_000,
        0i64..=2_000_000_000,
        0u32..=100,
    );
    (
        proptest::collection::vec(leg, 1..=4),
        0i64..=10_000_000,
        0i64..=100,
        0usize..FEES.len(),
    )
}

struct Built {
    rules: Vec<SymbolRules>,
    prices: Vec<Decimal>,
    held: Vec<Decimal>,
    targets: Vec<Decimal>,
    cash: Decimal,
    free: Decimal,
    fee: Decimal,
}

fn build((legs, cents, locked_pct, fee): Case) -> Built {
    let sum: u32 = legs.iter().map(|l| l.3).sum();
    // Targets scaled down to add up to at most 100 %.
    let target = |t: u32| Decimal::from(if sum > 100 { t * 100 / sum } else { t });
    let cash = Decimal::new(cents, 2);
    Built {
        rules: legs.iter().map(|l| rules(l.0)).collect(),
        prices: legs.iter().map(|l| Decimal::new(l.1, 2)).collect(),
        held: legs.iter().map(|l| Decimal::new(l.2, 5)).collect(),
        targets: legs.iter().map(|l| target(l.3)).collect(),
        cash,
        free: cash - (cash * Decimal::new(locked_pct, 2)).round_dp(2),
        fee: Decimal::from_str(FEES[fee]).unwrap(),
    }
}

impl Built {
    fn legs(&self) -> Vec<Leg<'_>> {
        (0..self.rules.len())
            .map(|i| Leg {
                rules: &self.rules[i],
                price: self.prices[i],
                held: self.held[i],
                target_pct: self.targets[i],
            })
            .collect()
    }

    /// How far rounding and the filters may leave a weight from its target (quote): per leg a
    /// step bought and a step sold, a trade below the minimum skipped, plus the locked cash.
    fn slack(&self) -> Decimal {
        let legs: Decimal = (0..self.rules.len())
            .map(|i| {
                let (r, p) = (&self.rules[i], self.prices[i]);
                Decimal::TWO * r.step_size * p + r.min_notional.max(r.min_qty * p)
            })
            .sum();
        legs + self.cash - self.free
    }
}

/// Holdings and cash after the plan's trades at its prices, buys executed as the simulated
/// exchange executes a quote-amount market order (quantity = amount / (1 + fee) / price).
fn apply(b: &Built, plan: &Plan) -> (Vec<Decimal>, Decimal) {
    let (mut held, mut cash) = (b.held.clone(), b.cash);
    let gross = Decimal::ONE + b.fee;
    for t in &plan.trades {
        let notional = t.qty * t.price;
        match t.side {
            Side::Sell => {
                held[t.leg] -= t.qty;
                cash += notional - notional * b.fee;
            }
            Side::Buy => {
                let r = &b.rules[t.leg];
                let bought = r.round_qty(money::div_trunc(t.quote, gross * t.price, 18).unwrap());
                if !r.step_size.is_zero() {
                    assert_eq!(
                        bought, t.qty,
                        "the quote amount buys the planned quantity: {t:?}"
                    );
                }
                held[t.leg] += bought;
                cash -= bought * t.price * gross;
            }
        }
    }
    (held, cash)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn plans_stay_within_the_balances_and_the_filters(case in cases(), scheduled in any::<bool>()) {
        let b = build(case);
        let legs = b.legs();
        let p = Portfolio { legs: &legs, cash: b.cash, free_quote: b.free };
        prop_assume!(p.equity() > Decimal::ZERO);
        let plan = p.plan(&Policy { taker_fee: b.fee, band_pp: Decimal::ONE }, scheduled, Scope::All).unwrap();
        if plan.trigger.is_none() {
            prop_assert!(plan.trades.is_empty() && plan.skipped.is_empty());
        }
        let sells = plan.sells().count();
        prop_assert!(plan.trades[..sells].iter().all(|t| t.side == Side::Sell), "sells first");
        for t in &plan.trades {
            let r = &b.rules[t.leg];
            prop_assert_eq!(r.round_qty(t.qty), t.qty);
            prop_assert!(r.check(t.qty, t.price).is_ok(), "{:?}", t);
            if t.side == Side::Sell {
                prop_assert!(t.qty <= b.held[t.leg], "sells {:?} of {}", t, b.held[t.leg]);
            }
        }
        let proceeds: Decimal = plan.sells().map(|t| t.quote).sum();
        let spent: Decimal = plan.buys().map(|t| t.quote).sum();
        prop_assert!(spent <= b.free + proceeds, "spends {} of {} + {}", spent, b.free, proceeds);
    }

    #[test]
    fn applied_plans_land_within_rounding_of_the_targets(case in cases()) {
        let b = build(case);
        let legs = b.legs();
        let p = Portfolio { legs: &legs, cash: b.cash, free_quote: b.free };
        prop_assume!(p.equity() > Decimal::ZERO);
        let plan = p.plan(&Policy { taker_fee: b.fee, band_pp: Decimal::ONE }, true, Scope::All).unwrap();
        let (held, cash) = apply(&b, &plan);
        prop_assert!(cash >= Decimal::ZERO);
        let values: Vec<Decimal> = held.iter().zip(&b.prices).map(|(h, p)| h * p).collect();
        let equity = cash + values.iter().sum::<Decimal>();
        prop_assume!(equity > Decimal::ZERO);
        let tolerance = b.slack() * (Decimal::ONE + b.fee) * Decimal::ONE_HUNDRED / equity
            + Decimal::new(1, 6);
        for (i, v) in values.iter().enumerate() {
            let drift = v * Decimal::ONE_HUNDRED / equity - b.targets[i];
            prop_assert!(drift.abs() <= tolerance, "leg {}: drift {} pp > {} pp; {:?}", i, drift, tolerance, plan);
        }
    }

    #[test]
    fn buys_only_plans_spend_only_the_free_quote(case in cases()) {
        let b = build(case);
        let legs = b.legs();
        let p = Portfolio { legs: &legs, cash: b.cash, free_quote: b.free };
        prop_assume!(p.equity() > Decimal::ZERO);
        let plan = p.plan(&Policy { taker_fee: b.fee, band_pp: Decimal::ONE }, true, Scope::BuysOnly).unwrap();
        prop_assert_eq!(plan.sells().count(), 0);
        let spent: Decimal = plan.buys().map(|t| t.quote).sum();
        prop_assert!(spent <= b.free, "spends {} of {}", spent, b.free);
    }
}
