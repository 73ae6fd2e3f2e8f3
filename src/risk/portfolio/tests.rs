//! Rebalancing math: hand-worked decimal cases, the band and the schedule, filters, fees and the
//! budget, and property tests over random portfolios.

use super::*;
use crate::exchange::{rules_for, unrestricted};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn leg<'a>(rules: &'a SymbolRules, price: &str, held: &str, target: &str) -> Leg<'a> {
    Leg {
        rules,
        price: d(price),
        held: d(held),
        target_pct: d(target),
    }
}

fn policy(fee: &str, band: &str) -> Policy {
    Policy {
        taker_fee: d(fee),
        band_pp: d(band),
    }
}

fn cash(all: &str) -> (Decimal, Decimal) {
    (d(all), d(all))
}

fn portfolio<'a>(legs: &'a [Leg<'a>], (cash, free_quote): (Decimal, Decimal)) -> Portfolio<'a> {
    Portfolio {
        legs,
        cash,
        free_quote,
    }
}

fn trade(leg: usize, side: Side, qty: &str, price: &str, quote: &str) -> Trade {
    Trade {
        leg,
        side,
        qty: d(qty),
        price: d(price),
        quote: d(quote),
    }
}

#[test]
fn without_fees_the_trades_are_the_value_differences() {
    let (btc, eth) = (rules_for("BTCUSDT"), rules_for("ETHUSDT"));
    // 4000 USDT + 0.1 BTC at 50,000 (5000) + 1 ETH at 1000: equity 10,000, weights 50 % and 10 %.
    let legs = [
        leg(&btc, "50000", "0.1", "40"),
        leg(&eth, "1000", "1", "40"),
    ];
    let plan = portfolio(&legs, cash("4000"))
        .plan(&policy("0", "5"), false, Scope::All)
        .unwrap();
    assert_eq!(plan.equity, d("10000"));
    assert_eq!(plan.weights[0].drift_pp, d("10"));
    assert_eq!(plan.weights[1].drift_pp, d("-30"));
    assert_eq!(
        plan.trigger,
        Some(Trigger::Drift {
            leg: 1,
            drift_pp: d("-30")
        })
    );
    // BTC to 4000: sell 1000 / 50,000; ETH to 4000: buy 3000 / 1000.
    assert_eq!(
        plan.trades,
        [
            trade(0, Side::Sell, "0.02", "50000", "1000"),
            trade(1, Side::Buy, "3", "1000", "3000"),
        ]
    );
    assert!(plan.skipped.is_empty());
}

#[test]
fn targets_are_of_the_equity_left_after_the_plans_fees() {
    let (btc, eth) = (rules_for("BTCUSDT"), rules_for("ETHUSDT"));
    let legs = [
        leg(&btc, "50000", "0.1", "40"),
        leg(&eth, "1000", "1", "40"),
    ];
    let plan = portfolio(&legs, cash("4000"))
        .plan(&policy("0.001", "5"), false, Scope::All)
        .unwrap();
    // One sell and one buy trade 5000 - 1000 = 4000 whatever the equity, so fees are 4 and the
    // targets are 40 % of 9996 = 3998.4: sell 1001.6 / 50,000 = 0.020032 → 0.02003 (step
    // 0.00001), proceeds 1001.5 × 0.999; buy 2998.4 / 1000 = 2.9984 ETH for 2998.4 × 1.001.
    assert_eq!(
        plan.trades,
        [
            trade(0, Side::Sell, "0.02003", "50000", "1000.4985"),
            trade(1, Side::Buy, "2.9984", "1000", "3001.3984"),
        ]
    );
}

#[test]
fn within_the_band_nothing_trades_unless_the_schedule_says_so() {
    let btc = rules_for("BTCUSDT");
    // 5000 USDT and 0.1 BTC at 54,900: BTC weighs 5490 / 10,490 = 52.34 %.
    let legs = [leg(&btc, "54900", "0.1", "50")];
    let p = portfolio(&legs, cash("5000"));
    let quiet = p.plan(&policy("0.001", "2.5"), false, Scope::All).unwrap();
    assert!(quiet.max_drift_pp() < d("2.5"), "{quiet:?}");
    assert_eq!(quiet.trigger, None);
    assert!(quiet.trades.is_empty() && quiet.skipped.is_empty());

    let tight = p.plan(&policy("0.001", "2"), false, Scope::All).unwrap();
    assert!(matches!(tight.trigger, Some(Trigger::Drift { leg: 0, .. })));
    let scheduled = p.plan(&policy("0.001", "2.5"), true, Scope::All).unwrap();
    assert_eq!(scheduled.trigger, Some(Trigger::Schedule));
    assert_eq!(scheduled.trades, tight.trades);
    assert_eq!(scheduled.trades.len(), 1);
    assert_eq!(scheduled.trades[0].side, Side::Sell);
}

#[test]
fn a_trade_below_the_minimum_notional_is_skipped_with_the_filters_reason() {
    let (btc, eth) = (rules_for("BTCUSDT"), rules_for("ETHUSDT"));
    // ETH is 3 USDT short of its target (below Binance's 5 USDT minimum); BTC is 400 over.
    let legs = [
        leg(&btc, "50000", "0.1", "46"),
        leg(&eth, "1000", "3.997", "40"),
    ];
    let plan = portfolio(&legs, cash("1003"))
        .plan(&policy("0", "1"), false, Scope::All)
        .unwrap();
    assert_eq!(plan.equity, d("10000"));
    assert_eq!(plan.trades, [trade(0, Side::Sell, "0.008", "50000", "400")]);
    assert_eq!(plan.skipped.len(), 1);
    let s = &plan.skipped[0];
    assert_eq!((s.leg, s.side, s.qty), (1, Side::Buy, d("0.003")));
    assert_eq!(s.reason.code, "NOTIONAL");
    assert!(
        s.reason.reason.contains("below the minimum 5 USDT"),
        "{s:?}"
    );
}

#[test]
fn a_zero_target_sells_what_can_be_sold_and_leaves_dust() {
    let btc = rules_for("BTCUSDT");
    let legs = [leg(&btc, "50000", "0.123456789", "0")];
    let plan = portfolio(&legs, cash("0"))
        .plan(&policy("0.001", "5"), false, Scope::All)
        .unwrap();
    assert_eq!(plan.trades.len(), 1);
    assert_eq!(
        (plan.trades[0].side, plan.trades[0].qty),
        (Side::Sell, d("0.12345"))
    );
}

#[test]
fn buys_never_spend_more_than_the_free_quote_after_fees() {
    let (btc, eth) = (rules_for("BTCUSDT"), rules_for("ETHUSDT"));
    let legs = [leg(&btc, "50000", "0", "50"), leg(&eth, "1000", "0", "50")];
    // All in, from cash: the fees come out of the 10,000, so each leg gets a little under 5000.
    let plan = portfolio(&legs, cash("10000"))
        .plan(&policy("0.001", "5"), false, Scope::All)
        .unwrap();
    let spent: Decimal = plan.buys().map(|t| t.quote).sum();
    assert!(spent <= d("10000"), "{spent}");
    assert!(
        spent > d("9999"),
        "{spent}: rounding leaves at most a step of each"
    );
    assert_eq!(plan.trades[0].qty, d("0.0999")); // 10,000 / 1.001 / 2 / 50,000 = 0.09990…
    assert_eq!(plan.trades[1].qty, d("4.995")); // 4995.004… / 1000 at step 0.0001

    // With 4000 of the 10,000 locked by other orders, the buys shrink alike to fit the 6000.
    let plan = portfolio(&legs, (d("10000"), d("6000")))
        .plan(&policy("0.001", "5"), false, Scope::All)
        .unwrap();
    let spent: Decimal = plan.buys().map(|t| t.quote).sum();
    assert!(spent <= d("6000") && spent > d("5999"), "{spent}");
    assert_eq!(plan.trades[0].qty, d("0.05994")); // 0.0999… × 6000 / 9999.999999
    assert_eq!(plan.trades[1].qty, d("2.997"));
}

#[test]
fn buys_only_leaves_the_overweight_and_spends_only_the_free_quote() {
    let (btc, eth) = (rules_for("BTCUSDT"), rules_for("ETHUSDT"));
    let legs = [
        leg(&btc, "50000", "0.1", "40"),
        leg(&eth, "1000", "1", "40"),
    ];
    let plan = portfolio(&legs, (d("4000"), d("2000")))
        .plan(&policy("0", "5"), false, Scope::BuysOnly)
        .unwrap();
    // ETH wants 3000 more; 2000 is free.
    assert_eq!(plan.trades, [trade(1, Side::Buy, "2", "1000", "2000")]);
}

#[test]
fn a_buy_the_budget_cannot_fund_says_so() {
    let eth = rules_for("ETHUSDT");
    let legs = [leg(&eth, "1000", "0", "50")];
    let plan = portfolio(&legs, (d("10000"), d("4")))
        .plan(&policy("0", "5"), false, Scope::All)
        .unwrap();
    assert!(plan.trades.is_empty());
    assert_eq!(plan.skipped[0].reason.code, "INSUFFICIENT_BALANCE");
    assert!(
        plan.skipped[0]
            .reason
            .reason
            .contains("4 USDT is available")
    );
}

#[test]
fn fit_trims_the_costliest_buy_until_the_budget_holds() {
    let (btc, eth) = (rules_for("BTCUSDT"), rules_for("ETHUSDT"));
    let legs = [leg(&btc, "50000", "0", "50"), leg(&eth, "1000", "0", "50")];
    let p = portfolio(&legs, cash("10000"));
    let mut plan = p.plan(&policy("0", "5"), false, Scope::All).unwrap();
    plan.trades = vec![
        trade(0, Side::Buy, "0.1", "50000", "5000"),
        trade(1, Side::Buy, "3", "1000", "3000"),
    ];
    trades::fit(&p, &mut plan, 0, d("7999.99"), Decimal::ONE);
    // BTC (the costlier) loses one step: 0.09999 BTC = 4999.5.
    assert_eq!(
        plan.trades[0],
        trade(0, Side::Buy, "0.09999", "50000", "4999.5")
    );
    assert_eq!(plan.trades[1], trade(1, Side::Buy, "3", "1000", "3000"));
    // Not even the cheaper one fits 2: both are dropped, each with the reason.
    trades::fit(&p, &mut plan, 0, d("2"), Decimal::ONE);
    assert!(plan.trades.is_empty());
    assert_eq!(plan.skipped.len(), 2);
    assert!(
        plan.skipped
            .iter()
            .all(|s| s.reason.code == "INSUFFICIENT_BALANCE")
    );
}

#[test]
fn inputs_that_make_no_sense_are_errors() {
    let btc = rules_for("BTCUSDT");
    let p = |legs: &[Leg<'_>], c: &str| {
        portfolio(legs, cash(c))
            .plan(&policy("0.001", "5"), false, Scope::All)
            .map(|_| ())
    };
    let over = [leg(&btc, "1", "0", "60"), leg(&btc, "1", "0", "41")];
    assert_eq!(p(&over, "1"), Err(PortfolioError::Overweight(d("101"))));
    let negative = [leg(&btc, "1", "0", "-1")];
    assert!(matches!(
        p(&negative, "1"),
        Err(PortfolioError::Target { leg: 0, .. })
    ));
    let unpriced = [leg(&btc, "0", "1", "10")];
    assert!(matches!(
        p(&unpriced, "1"),
        Err(PortfolioError::Price { leg: 0, .. })
    ));
    assert_eq!(
        p(&[leg(&btc, "1", "0", "10")], "0"),
        Err(PortfolioError::NoEquity)
    );
    let fee = portfolio(&[], cash("1")).plan(&policy("0.5", "5"), false, Scope::All);
    assert!(matches!(fee, Err(PortfolioError::Fee(_))));
}

#[test]
fn the_trigger_names_the_leg_furthest_from_its_target() {
    let r = unrestricted("XUSDT");
    let legs = [
        leg(&r, "1", "20", "10"),
        leg(&r, "1", "0", "25"),
        leg(&r, "1", "25", "0"),
    ];
    // Equity 100: drifts +10, -25, +25: the first of the two furthest.
    let plan = portfolio(&legs, cash("55"))
        .plan(&policy("0", "5"), false, Scope::All)
        .unwrap();
    assert_eq!(
        plan.trigger,
        Some(Trigger::Drift {
            leg: 1,
            drift_pp: d("-25")
        })
    );
}

mod properties;
