//! Each protection tripped by a scenario, as a backtest and as a paper session: the daily loss
//! limit and the drawdown limit halt at the candle that breaches them (flattening when told), a
//! cooldown follows two losing stop-losses, a loss streak locks the symbol; entries are refused
//! while they last and accepted when they end, identically in both engines.

use super::*;

const HALTED: &str = "HALTED";

fn at(hours: i64) -> i64 {
    T0 + hours * HOUR_MS
}

/// 5 BTC bought at 100 (bar 1's open) with 1 000 USDT: equity is 499.50 + 5 × the close.
fn falling() -> Vec<Candle> {
    path(100.0, &[100.0, 100.0, 97.0, 94.0, 90.0, 88.0, 95.0, 96.0])
}

#[test]
fn the_daily_loss_limit_halts_at_the_breaching_candle_and_lets_only_sells_through() {
    let plan = Plan::default().buy(0, "5").buy(5, "1").sell(5, "2");
    let (decided, outcome) = parity(&Scenario::new(falling(), plan, "daily_loss_pct = 5"));
    // At 90 (bar 4, closing at 05:00) equity 949.50 is 5.05 % below the day's 1 000.
    let why = "daily loss limit: equity 949.50 USDT is 5.05 % below the 1000.00 USDT it had at \
               the UTC day's start (risk.daily_loss_pct is 5 %); release it to trade again";
    assert_eq!(decided.halts, [(at(5), why.to_string())]);
    assert_eq!(
        decided.refusals,
        [format!("{HALTED}: {why}")],
        "the buy, not the sell"
    );
    let left = &outcome.open_trades;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].qty, 3.0, "2 of the 5 sold while halted");
    let report = tickdesk::report::text(&outcome);
    for line in [
        "risk: daily_loss_pct = 5\n",
        "orders refused: HALTED ×1\n",
        &format!("trading halted at 2024-01-01 05:00 UTC: {why}\n"),
    ] {
        assert!(report.contains(line), "no `{line}` in\n{report}");
    }
    let json = tickdesk::report::json(&outcome);
    assert_eq!(json["halts"][0]["at"], at(5));
    assert_eq!(json["risk"]["daily_loss_pct"], 5);
}

#[test]
fn a_halt_during_a_paper_warm_up_is_announced_when_the_session_opens() {
    let s = Scenario::new(falling(), Plan::default().buy(0, "5"), "daily_loss_pct = 5");
    let mut paper = session(&s, None, 6);
    let mut out = Outbox::default();
    paper.step(&mut out);
    let halted = out.updates.iter().any(|u| {
        matches!(u, Update::Alert(a) if a.text.starts_with("HALTED: daily loss limit: equity 949.50"))
    });
    assert!(halted, "{:?}", out.updates);
    assert_eq!(
        paper.status().halted.as_deref(),
        Some("HALTED: daily loss limit")
    );
}

#[test]
fn flatten_sells_every_position_when_a_loss_limit_halts() {
    let risk = "daily_loss_pct = 5\non_loss_limit = \"flatten\"";
    let (decided, outcome) = parity(&Scenario::new(falling(), Plan::default().buy(0, "5"), risk));
    assert_eq!(decided.halts.len(), 1);
    assert!(outcome.open_trades.is_empty(), "{:?}", outcome.open_trades);
    let exit = &outcome.trades[0];
    assert_eq!(
        (exit.exit_price, exit.exit_time_ms),
        (90.0, at(5)),
        "sold at bar 5's open"
    );
    // 499.50 + 5 × 90 − 0.45 fee.
    assert!(
        (decided.final_equity - 949.05).abs() < 1e-9,
        "{}",
        decided.final_equity
    );
}

/// Up 20 % on day one, then down: 5 % on day two, 5.7 % on day three (the daily limit of 8 %
/// never trips) but 10 % below the peak at 98 (bar 67, closing at 20:00 on day three).
fn three_days() -> Vec<Candle> {
    let close = |i: i64| match i {
        0 => 100.0,
        1..=20 => 100.0 + i as f64,
        21..=23 => 120.0,
        24..=43 => 120.0 - 0.5 * (i - 23) as f64,
        44..=47 => 110.0,
        _ => 110.0 - 0.6 * (i - 47) as f64,
    };
    let closes: Vec<f64> = (0..70).map(close).collect();
    path(100.0, &closes)
}

#[test]
fn the_drawdown_limit_measures_from_the_peak_across_days() {
    let plan = Plan::default().buy(0, "5").buy(67, "1").buy(69, "1");
    let risk = "max_drawdown_pct = 10\ndaily_loss_pct = 8";
    let (decided, _) = parity(&Scenario::new(three_days(), plan, risk));
    let why = "max drawdown: equity 989.50 USDT is 10.00 % below its peak 1099.50 USDT \
               (risk.max_drawdown_pct is 10 %); release it to trade again";
    assert_eq!(decided.halts, [(at(68), why.to_string())]);
    assert_eq!(decided.codes(), [HALTED, HALTED], "until released");
}

/// Flat at 100 but for dips to 94 in bars 2 and 5 (through a stop at 95).
fn dips() -> Vec<Candle> {
    (0..10)
        .map(|i| {
            bar(
                i,
                [
                    100.0,
                    100.0,
                    if i == 2 || i == 5 { 94.0 } else { 100.0 },
                    100.0,
                ],
            )
        })
        .collect()
}

#[test]
fn a_cooldown_follows_two_losing_stops_and_ends_on_time() {
    // Two round trips stopped out at 95 (at 02:00 and 05:00); entries refused until 08:00.
    let plan = Plan::default()
        .buy(0, "1")
        .stop(1, "1", "95")
        .buy(3, "1")
        .stop(4, "1", "95")
        .buy(6, "1")
        .buy(7, "1");
    let risk = "cooldown_stops = 2\ncooldown_window_mins = 360\ncooldown_mins = 180";
    let (decided, outcome) = parity(&Scenario::new(dips(), plan, risk));
    assert_eq!(
        decided.refusals,
        [
            "RISK_COOLDOWN: 2 losing stop-loss exits in BTCUSDT within 6 h (risk.cooldown_stops is \
          2): no new entries in BTCUSDT until 2024-01-01 08:00 UTC"
        ]
    );
    assert_eq!(outcome.trades.len(), 2, "both stopped out");
    assert_eq!(outcome.open_trades.len(), 1, "the entry after the cooldown");
}

#[test]
fn a_loss_streak_locks_the_symbol_until_the_lock_ends() {
    // Round trips 100 → 100 (fees only) and 99 → 98; the second closes at 04:00: locked until
    // 08:00, so the entry at bar 4 (05:00) is refused and the one at bar 7 (08:00) is not.
    let candles = path(
        100.0,
        &[100.0, 100.0, 99.0, 98.0, 97.0, 96.0, 95.0, 94.0, 93.0],
    );
    let plan = Plan::default()
        .buy(0, "1")
        .sell(1, "1")
        .buy(2, "1")
        .sell(3, "1")
        .buy(4, "1")
        .buy(7, "1");
    let risk = "lock_after_losses = 2\nlock_mins = 240";
    let (decided, outcome) = parity(&Scenario::new(candles, plan, risk));
    assert_eq!(
        decided.refusals,
        [
            "RISK_LOCKED: BTCUSDT lost 2 round trips in a row, the last -1.20 USDT \
          (risk.lock_after_losses is 2): locked until 2024-01-01 08:00 UTC"
        ]
    );
    assert_eq!(outcome.open_trades.len(), 1);
}
