//! A person's commands, pause and the kill switch, timers, and metrics of a hand-made path.

use super::*;

fn manual_bid(price: &str) -> Command {
    let mut r = match Command::market(0, Buy, Qty::Base(d("1"))) {
        Command::Place(r) => r,
        _ => unreachable!(),
    };
    r.kind = limit(price);
    Command::Place(r)
}

#[test]
fn a_persons_orders_fill_cancel_and_flatten_through_commands() {
    let log = Log::default();
    let mut e = rig(no_fees(), "1000", "0", Script::new(&log));
    feed(&mut e, &[flat(0, 100.0)]);
    command(&mut e, 1, Command::market(0, Buy, Qty::Base(d("2"))));
    command(&mut e, 1, manual_bid("50"));
    command(&mut e, 1, manual_bid("60"));
    assert_eq!(wallet(&e), "BTC 0/0 USDT 690/310", "2 × 100 + 50 + 60");
    command(&mut e, 1, Command::Cancel(2));
    assert_eq!(wallet(&e), "BTC 0/0 USDT 740/260", "the bid at 50 released");
    feed(&mut e, &[flat(1, 110.0)]);
    assert_eq!(wallet(&e), "BTC 2/0 USDT 720/60", "bought 2 at 110");
    command(&mut e, 2, Command::CancelAll);
    assert_eq!(wallet(&e), "BTC 2/0 USDT 780/0");
    command(&mut e, 2, Command::Flatten(0));
    feed(&mut e, &[flat(2, 120.0)]);
    assert_eq!(wallet(&e), "BTC 0/0 USDT 1020/0", "sold 2 at 120");
    let t = &e.observer().trips.trades;
    let trip = (t.len(), t[0].entry_price, t[0].exit_price);
    assert_eq!(trip, (1, 110.0, 120.0));
    assert!(log.get().fills.is_empty(), "not the strategy's fills");
}

#[test]
fn pause_stops_a_strategys_callbacks_and_resume_restarts_them() {
    let log = Log::default();
    let mut e = rig(no_fees(), "0", "0", Script::new(&log));
    feed(&mut e, &[flat(0, 100.0)]);
    command(&mut e, 1, Command::Pause(0));
    feed(&mut e, &[flat(1, 100.0), flat(2, 100.0)]);
    assert!(!e.strategy_states()[0].0, "paused");
    command(&mut e, 3, Command::Resume(0));
    feed(&mut e, &[flat(3, 100.0)]);
    assert_eq!(log.get().events, ["1h 0", "1h 180"]);
}

#[test]
fn the_kill_switch_cancels_and_refuses_all_but_a_persons_sells_until_released() {
    let log = Log::default();
    let mut s = Script::new(&log);
    for (bar, price) in [(0, "90"), (1, "91"), (2, "92")] {
        s = s.place(bar, Buy, limit(price), "1", None);
    }
    let mut e = rig(no_fees(), "1000", "1", s);
    feed(&mut e, &[flat(0, 100.0)]);
    assert_eq!(wallet(&e), "BTC 1/0 USDT 910/90");
    command(&mut e, 1, Command::KillSwitch);
    assert!(e.is_halted() && e.exchange().open_orders().is_empty());
    assert_eq!(wallet(&e), "BTC 1/0 USDT 1000/0", "the bid's funds free");
    command(&mut e, 1, Command::market(0, Buy, Qty::Base(d("1"))));
    command(&mut e, 1, Command::market(0, Sell, Qty::Base(d("1"))));
    feed(&mut e, &[flat(1, 100.0)]);
    assert_eq!(wallet(&e), "BTC 0/0 USDT 1100/0", "only the sell went");
    command(&mut e, 2, Command::Release);
    feed(&mut e, &[flat(2, 100.0)]);
    let halted = "4 Rejected HALTED: the kill switch is engaged; release it to trade again";
    assert_eq!(log.get().closed, ["1 Canceled", halted]);
    let refused = e.observer().refused.get("HALTED");
    assert_eq!(refused, Some(&2), "the strategy's and the person's buy");
    let open: Vec<_> = e.exchange().open_orders().iter().map(|o| o.id).collect();
    assert_eq!((open, wallet(&e)), (vec![5], "BTC 0/0 USDT 1008/92".into()));
}

#[test]
fn timers_fire_in_time_order_before_the_bar_whose_close_passes_them() {
    let log = Log::default();
    let s = Script::new(&log).on(START, |ctx| {
        for (minute, id) in [(90, 3), (30, 1), (60, 2), (150, 4)] {
            ctx.set_timer(T0 + minute * MINUTE_MS, id);
        }
    });
    let mut e = rig(no_fees(), "0", "0", s);
    feed(&mut e, &[flat(0, 100.0), flat(1, 100.0)]);
    let at = T0 + 150 * MINUTE_MS;
    e.handle(Event::Tick { at });
    #[rustfmt::skip]
    let fired = ["timer 1 at 30", "timer 2 at 60", "1h 0", "timer 3 at 90", "1h 60", "timer 4 at 150"];
    assert_eq!(log.get().events, fired);
}

#[test]
fn metrics_of_a_hand_made_equity_path() {
    let ohlc = [80.0, 100.0, 110.0, 90.0, 95.0, 120.0, 120.0, 80.0, 100.0];
    let bar_k = |(i, w): (i64, &[f64])| bar(i, w[0], w[0].max(w[1]), w[0].min(w[1]), w[1]);
    let bars: Vec<Candle> = (0..).zip(ohlc.windows(2)).map(bar_k).collect();
    let mut s = Script::new(&Log::default());
    let sides = [Buy, Sell].into_iter().cycle();
    for (at, side) in [0, 1, 2, 4, 5, 6].into_iter().zip(sides) {
        s = s.place(at, side, OrderKind::Market, "5", None);
    }
    let feed = Feed::new(Interval::H1, vec![bars]);
    let out = backtest_script(&spec(ThisClose, "0.001", false), s, &feed);
    // 5 BTC a side at the closes, 0.1 % fees: cash 499.5, 1048.95, 598.5, 1197.9, 597.3, 996.9.
    let equity = [999.5, 1048.95, 1048.5, 1073.5, 1197.9, 1197.3, 996.9, 996.9];
    let near = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
    let (ours, trades) = (&out.equity, &out.trades);
    let same = ours.iter().zip(equity).all(|(&a, b)| near(a, b));
    assert!(same, "{ours:?}");
    let pnls = [549.45 - 500.5, 599.4 - 450.45, 399.6 - 600.6];
    assert!(
        trades.iter().zip(pnls).all(|(t, p)| near(t.pnl, p)),
        "{trades:?}"
    );
    let m = &out.metrics;
    #[rustfmt::skip]
    let checks = [
        ("max drawdown", m.max_drawdown_pct, (1197.9 - 996.9) / 1197.9 * 100.0),
        ("its days: peak at 04:00, still below at 07:00", m.max_drawdown_duration_days, 3.0 / 24.0),
        ("win rate", m.win_rate_pct.unwrap(), 200.0 / 3.0),
        ("profit factor", m.profit_factor.unwrap(), (pnls[0] + pnls[1]) / 201.0),
        ("exposure: held after bars 0, 2, 3, 5", m.exposure_pct, 50.0),
        ("fees", m.fees_paid, 0.5 + 0.55 + 0.45 + 0.6 + 0.6 + 0.4),
        ("buy & hold: first open 80, last close 100", m.buy_and_hold_return_pct, 25.0),
        ("total return", m.total_return_pct, -0.31),
    ];
    for (what, ours, theirs) in checks {
        assert!(near(ours, theirs), "{what}: {ours} vs {theirs}");
    }
    assert_eq!((m.trades, m.final_equity), (3, out.equity[7]));
}
