//! Each protection on its own, with hand-worked numbers: loss limits halt once at the breaching
//! candle (daily loss against the UTC day's start, drawdown against the peak), flatten when told,
//! re-base on release; cooldowns and locks refuse a strategy's entries until they end, say why,
//! and leave sells and a person's orders alone.

use super::*;
use crate::core::{Liquidity, OrderKind, Qty};
use crate::exchange::{Exchange, SimConfig, SimExchange};
use crate::market::time::{DAY_MS, HOUR_MS, MINUTE_MS};
use crate::risk::{Halt, Risk, RiskConfig};
use std::str::FromStr;

/// 2024-01-01 00:00 UTC.
const T0: i64 = 1_704_067_200_000;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// 5 000 USDT, 0.1 BTC and 1 ETH: equity 10 000 with BTC at 40 000 and ETH at 1 000.
fn exchange() -> SimExchange {
    let cfg = SimConfig::frictionless();
    let rules = vec![
        crate::exchange::rules_for("BTCUSDT"),
        crate::exchange::rules_for("ETHUSDT"),
    ];
    let deposits = [("USDT", d("5000")), ("BTC", d("0.1")), ("ETH", d("1"))];
    SimExchange::new(cfg, rules, &deposits)
}

fn with_view<T>(x: &SimExchange, now: i64, prices: [f64; 2], f: impl FnOnce(&View<'_>) -> T) -> T {
    let a = x.account();
    let usdt = a.find("USDT").unwrap();
    let (btc, eth) = (a.find("BTC").unwrap(), a.find("ETH").unwrap());
    let assets = [(btc, usdt), (eth, usdt)];
    let marks = [(btc, 0), (eth, 1)];
    let view = View {
        now,
        exchange: x,
        assets: &assets,
        marks: &marks,
        prices: &prices,
        quote: usdt,
    };
    f(&view)
}

fn candle(now: i64) -> Candle {
    let open_time = now - HOUR_MS;
    let (open, high, low, close, volume) = (1.0, 1.0, 1.0, 1.0, 1.0);
    Candle {
        open_time,
        open,
        high,
        low,
        close,
        volume,
    }
}

/// Feeds closes (BTC price, hours after `T0`) and returns the actions of each.
fn bars(p: &mut Protections, x: &SimExchange, closes: &[(f64, i64)]) -> Vec<Vec<RiskAction>> {
    closes
        .iter()
        .map(|&(btc, hours)| {
            let now = T0 + hours * HOUR_MS;
            let mut out = Vec::new();
            with_view(x, now, [btc, 1000.0], |v| {
                p.on_bar(0, &candle(now), v, &mut out)
            });
            out
        })
        .collect()
}

fn halt_of(actions: &[RiskAction]) -> Option<&Halt> {
    actions.iter().find_map(|a| match a {
        RiskAction::Halt(h) => Some(h),
        _ => None,
    })
}

fn losses(daily: Option<&str>, drawdown: Option<&str>) -> ProtectionConfig {
    ProtectionConfig {
        daily_loss_pct: daily.map(d),
        max_drawdown_pct: drawdown.map(d),
        ..ProtectionConfig::default()
    }
}

#[test]
fn nothing_configured_is_inactive_and_never_acts() {
    let mut p = Protections::default();
    assert!(!p.active());
    let x = exchange();
    let out = bars(&mut p, &x, &[(40_000.0, 1), (1.0, 2)]);
    assert!(out.iter().all(Vec::is_empty), "{out:?}");
}

#[test]
fn the_daily_loss_limit_halts_once_at_the_candle_that_breaches_it() {
    let mut p = Protections::new(losses(Some("5"), None));
    assert!(p.active());
    let x = exchange();
    // Equity 5 000 + 1 000 + 0.1 × BTC: 10 000 (the day's start), 10 500, 9 990, 9 500 (5 % below
    // the start: the breach), 9 000 (already halted: nothing more).
    let closes = [
        (40_000.0, 1),
        (45_000.0, 2),
        (39_900.0, 3),
        (35_000.0, 4),
        (30_000.0, 5),
    ];
    let out = bars(&mut p, &x, &closes);
    let halts: Vec<usize> = (0..out.len()).filter(|&i| !out[i].is_empty()).collect();
    assert_eq!(halts, [3], "{out:?}");
    let Some(Halt::DailyLoss(l)) = halt_of(&out[3]) else {
        panic!("{out:?}")
    };
    assert_eq!(
        (l.lost_pct, l.reference, l.equity),
        (d("5"), d("10000"), d("9500"))
    );
    let why = Halt::DailyLoss(l.clone()).reason();
    assert_eq!(
        why,
        "daily loss limit: equity 9500.00 USDT is 5.00 % below the 10000.00 USDT it had at the \
         UTC day's start (risk.daily_loss_pct is 5 %); release it to trade again"
    );
}

#[test]
fn a_new_utc_day_measures_from_its_own_start() {
    let mut p = Protections::new(losses(Some("5"), None));
    let x = exchange();
    // Day 1 ends at 9 600 (-4 %); the candle closing at midnight sets day 2's start at 9 600, so
    // 9 200 (-4.17 %) does not breach and 9 100 (-5.2 %) does.
    let closes = [
        (40_000.0, 1),
        (36_000.0, 24),
        (32_000.0, 30),
        (31_000.0, 31),
    ];
    let out = bars(&mut p, &x, &closes);
    assert!(out[..3].iter().all(Vec::is_empty), "{out:?}");
    let Some(Halt::DailyLoss(l)) = halt_of(&out[3]) else {
        panic!("{out:?}")
    };
    assert_eq!((l.reference, l.equity), (d("9600"), d("9100")));
}

#[test]
fn the_drawdown_limit_measures_from_the_peak_and_flattens_when_told() {
    let mut cfg = losses(None, Some("10"));
    cfg.on_loss_limit = OnLossLimit::Flatten;
    let mut p = Protections::new(cfg);
    let x = exchange();
    // Peak 12 000 (BTC 60 000) on day 1; 10 900 on day 3 is 9.17 % below; 10 800 is 10 %.
    let closes = [(40_000.0, 1), (60_000.0, 5), (49_000.0, 50), (48_000.0, 51)];
    let out = bars(&mut p, &x, &closes);
    assert!(out[..3].iter().all(Vec::is_empty), "{out:?}");
    let Some(Halt::Drawdown(l)) = halt_of(&out[3]) else {
        panic!("{out:?}")
    };
    assert_eq!((l.lost_pct, l.reference), (d("10"), d("12000")));
    assert!(
        l.drawdown().contains("below its peak 12000.00 USDT"),
        "{l:?}"
    );
    let flattened: Vec<&RiskAction> = out[3].iter().skip(1).collect();
    assert_eq!(
        flattened,
        [&RiskAction::Flatten(0), &RiskAction::Flatten(1)],
        "every instrument held, after the halt"
    );
}

#[test]
fn a_release_re_bases_the_limits_on_the_next_candle() {
    let mut p = Protections::new(losses(None, Some("10")));
    let x = exchange();
    let out = bars(&mut p, &x, &[(40_000.0, 1), (30_000.0, 2), (20_000.0, 3)]);
    assert!(halt_of(&out[1]).is_some() && out[2].is_empty(), "{out:?}");
    p.on_release();
    // From 8 000: 7 500 is 6.25 % below, 7 200 is 10 %.
    let out = bars(&mut p, &x, &[(20_000.0, 4), (15_000.0, 5), (12_000.0, 6)]);
    assert!(out[0].is_empty() && out[1].is_empty(), "{out:?}");
    let Some(Halt::Drawdown(l)) = halt_of(&out[2]) else {
        panic!("{out:?}")
    };
    assert_eq!(l.reference, d("8000"));
}

fn closed(instrument: usize, pnl: &str, minutes: i64, by_stop: bool) -> Closed {
    Closed {
        origin: Origin::Strategy(0),
        instrument,
        pnl: d(pnl),
        at: T0 + minutes * MINUTE_MS,
        by_stop,
    }
}

fn close(p: &mut Protections, x: &SimExchange, c: &Closed) {
    let fill = Fill {
        order: 1,
        instrument: c.instrument,
        side: Side::Sell,
        qty: Decimal::ONE,
        price: Decimal::ONE,
        quote: Decimal::ONE,
        fee: Decimal::ZERO,
        liquidity: Liquidity::Taker,
        time: c.at,
        origin: c.origin,
    };
    let ledger = Ledger::default();
    with_view(x, c.at, [40_000.0, 1000.0], |v| {
        p.on_fill(&fill, Some(c), &ledger, v, &mut Vec::new())
    });
}

fn entry(instrument: usize, origin: Origin) -> OrderRequest {
    OrderRequest {
        instrument,
        side: Side::Buy,
        kind: OrderKind::Market,
        qty: Qty::Base(d("0.01")),
        oco: None,
        origin,
    }
}

/// The refusal code of a strategy's entry in `instrument` at `minutes` after `T0`, if refused.
fn refused(p: &Protections, x: &SimExchange, instrument: usize, minutes: i64) -> Option<Reject> {
    let now = T0 + minutes * MINUTE_MS;
    let r = entry(instrument, Origin::Strategy(0));
    with_view(x, now, [40_000.0, 1000.0], |v| p.check(&r, v)).err()
}

fn cooldown(per_symbol: bool) -> ProtectionConfig {
    ProtectionConfig {
        cooldown: Some(Cooldown {
            stops: 2,
            window_ms: HOUR_MS,
            duration_ms: 2 * HOUR_MS,
            per_symbol,
        }),
        ..ProtectionConfig::default()
    }
}

#[test]
fn a_cooldown_follows_n_losing_stops_within_the_window_in_one_symbol() {
    let mut p = Protections::new(cooldown(true));
    assert!(!p.active(), "fill-driven: no per-bar work");
    let x = exchange();
    // Stops at 0 and 61 min are not within one hour; a winning stop and a loss without a stop
    // do not count; the stop at 90 min is the second within the hour.
    for c in [
        closed(0, "-5", 0, true),
        closed(0, "-5", 61, true),
        closed(0, "3", 70, true),
        closed(0, "-5", 80, false),
        closed(1, "-5", 85, true),
    ] {
        close(&mut p, &x, &c);
        assert_eq!(refused(&p, &x, 0, 89), None, "{c:?}");
    }
    close(&mut p, &x, &closed(0, "-5", 90, true));
    let e = refused(&p, &x, 0, 90).unwrap();
    assert_eq!(e.code, COOLDOWN);
    assert_eq!(
        e.reason,
        "2 losing stop-loss exits in BTCUSDT within 1 h (risk.cooldown_stops is 2): no new \
         entries in BTCUSDT until 2024-01-01 03:30 UTC"
    );
    assert_eq!(refused(&p, &x, 0, 209).map(|e| e.code), Some(COOLDOWN));
    assert_eq!(refused(&p, &x, 0, 210), None, "ends after 2 h");
    assert_eq!(refused(&p, &x, 1, 100), None, "ETHUSDT had one stop");
}

#[test]
fn a_global_cooldown_counts_stops_in_every_symbol_and_spares_sells_and_people() {
    let mut p = Protections::new(cooldown(false));
    let x = exchange();
    close(&mut p, &x, &closed(0, "-5", 0, true));
    close(&mut p, &x, &closed(1, "-1", 30, true));
    for instrument in [0, 1] {
        let e = refused(&p, &x, instrument, 31).unwrap();
        assert!(e.reason.contains("no new entries until"), "{e}");
    }
    let now = T0 + 31 * MINUTE_MS;
    let mut sell = entry(0, Origin::Strategy(0));
    sell.side = Side::Sell;
    let manual = entry(0, Origin::Manual);
    with_view(&x, now, [40_000.0, 1000.0], |v| {
        assert_eq!(p.check(&sell, v), Ok(()));
        assert_eq!(p.check(&manual, v), Ok(()));
    });
}

#[test]
fn a_loss_streak_locks_the_symbol_and_a_win_breaks_the_streak() {
    let mut p = Protections::new(ProtectionConfig {
        lock: Some(Lock {
            losses: 3,
            duration_ms: DAY_MS,
        }),
        ..ProtectionConfig::default()
    });
    let x = exchange();
    for (pnl, at) in [("-1", 0), ("-1", 10), ("2", 20), ("-1", 30), ("0", 40)] {
        close(&mut p, &x, &closed(0, pnl, at, false));
        close(&mut p, &x, &closed(1, "-1", at, false));
    }
    assert_eq!(refused(&p, &x, 0, 41), None, "two in a row since the win");
    let e = refused(&p, &x, 1, 41).unwrap();
    assert_eq!(e.code, LOCKED);
    assert_eq!(
        e.reason,
        "ETHUSDT lost 3 round trips in a row, the last -1.00 USDT (risk.lock_after_losses is 3): \
         locked until 2024-01-02 00:20 UTC"
    );
    close(&mut p, &x, &closed(0, "-4.567", 50, false));
    let e = refused(&p, &x, 0, 51).unwrap();
    assert!(e.reason.contains("the last -4.57 USDT"), "{e}");
    assert_eq!(refused(&p, &x, 1, 24 * 60 + 20), None, "a day later");
    // The lock reset the streak: the losses at 30 and 40 min and this one make three again.
    close(&mut p, &x, &closed(1, "-1", 24 * 60 + 30, false));
    let again = refused(&p, &x, 1, 24 * 60 + 31).map(|e| e.code);
    assert_eq!(again, Some(LOCKED));
}

#[test]
fn through_the_pipeline_refusals_are_counted_and_halts_let_sells_through() {
    let mut risk = Risk::new(RiskConfig {
        protections: cooldown(true),
        ..RiskConfig::default()
    });
    let x = exchange();
    let now = T0 + 31 * MINUTE_MS;
    let approve = |risk: &mut Risk, r: OrderRequest| {
        with_view(&x, now, [40_000.0, 1000.0], |v| risk.approve(7, r, v))
    };
    risk.halt(Halt::Drawdown(LossLimit {
        lost_pct: d("12"),
        limit_pct: d("10"),
        reference: d("10000"),
        equity: d("8800"),
        quote: "USDT".into(),
    }));
    let e = approve(&mut risk, entry(0, Origin::Manual)).unwrap_err();
    assert_eq!(e.code, crate::risk::HALTED);
    assert!(
        e.reason
            .starts_with("max drawdown: equity 8800.00 USDT is 12"),
        "{e}"
    );
    let mut sell = entry(0, Origin::Strategy(0));
    sell.side = Side::Sell;
    assert!(approve(&mut risk, sell).is_ok());
    assert_eq!(
        risk.halted().map(Halt::label).as_deref(),
        Some("HALTED: max drawdown")
    );
    risk.release();
    assert!(approve(&mut risk, entry(0, Origin::Strategy(0))).is_ok());
    assert_eq!(risk.refusals().get(crate::risk::HALTED), Some(&1));
}
