//! Several instruments on one account, higher timeframes resampled from the run's interval.

use super::*;

#[derive(Default)]
struct Fills(Vec<Fill>);

impl EngineObserver for Fills {
    fn on_fill(&mut self, fill: &Fill) {
        self.0.push(fill.clone());
    }
}

/// Real BTCUSDT and ETHUSDT hours of one window, BTC starting 50 hours after ETH.
fn two_windows() -> [Vec<Candle>; 2] {
    let (btc, eth) = (shipped_1h("BTCUSDT"), shipped_1h("ETHUSDT"));
    let (start, end) = (eth[30_000].open_time, eth[33_000].open_time);
    let window = |c: &[Candle], from: i64| -> Vec<Candle> {
        let inside = |c: &&Candle| (from..end).contains(&c.open_time);
        c.iter().filter(inside).copied().collect()
    };
    [window(btc, start + 50 * HOUR_MS), window(eth, start)]
}

fn float(x: Decimal) -> f64 {
    x.to_string().parse().unwrap()
}

#[test]
fn two_symbols_share_one_cash_pool_marked_at_their_last_closes_in_time_order() {
    let series = two_windows();
    let c = cfg(NextOpen, "0", "0.001", "0.001");
    let mut e = engine(&["BTCUSDT", "ETHUSDT"], Fills::default(), c, "10000");
    let (sma_cross, _) = strategy::build("sma_cross", &[]).unwrap();
    e.add_strategy(sma_cross).unwrap();
    e.start();
    let r = Feed::new(Interval::H1, series.to_vec()).replay(&mut e, None);
    let mut times: Vec<i64> = series.iter().flatten().map(|c| c.open_time).collect();
    times.sort_unstable();
    times.dedup();
    assert_eq!(r.open_times, times, "both series merged in time order");
    // Replays the fills: cash, holdings, and the step each instrument last traded.
    let (fills, mut k, mut halves, mut wholes) = (&e.observer().0, 0, 0, 0);
    let (mut cash, mut held, mut last, mut traded) =
        (10_000.0, [Decimal::ZERO; 2], [0.0; 2], [0; 2]);
    for (step, &t) in times.iter().enumerate() {
        for (i, s) in series.iter().enumerate() {
            let at = s.binary_search_by_key(&t, |c| c.open_time);
            last[i] = at.map_or(last[i], |at| s[at].close);
        }
        while let Some(f) = fills.get(k).filter(|f| f.time == t) {
            let (i, o, before) = (f.instrument, 1 - f.instrument, cash);
            let sign = Decimal::from(if f.side == Buy { 1 } else { -1 });
            (held[i], traded[i], k) = (held[i] + sign * f.qty, step, k + 1);
            cash -= float(sign * f.quote + f.fee);
            assert!(cash > -1e-6, "spent more than the pool held: {f:?}");
            // The other leg untouched since before this decision: all the cash, or half of it.
            if f.side == Buy && traded[o] + 1 < step {
                let (flat, left) = (held[o].is_zero(), cash / before);
                assert!((left - if flat { 0.5 } else { 0.0 }).abs() < 1e-9, "{f:?}");
                (halves, wholes) = (halves + usize::from(flat), wholes + usize::from(!flat));
            }
        }
        let marked: f64 = (0..2).map(|i| float(held[i]) * last[i]).sum();
        let off = (r.equity[step] - cash - marked) / r.equity[step];
        assert!(off.abs() < 1e-9, "step {step}: {off:e}");
    }
    assert_eq!(k, fills.len(), "every fill happened at a bar's open");
    assert!(halves > 5 && wholes > 5, "halves {halves}, wholes {wholes}");
}

#[test]
fn instruments_signalling_on_the_same_bar_get_equal_shares_of_the_cash() {
    let closes = [10.0, 10.0, 10.0, 9.0, 12.0, 12.0];
    let bars: Vec<Candle> = closes.iter().zip(0..).map(|(&p, i)| flat(i, p)).collect();
    let symbols = vec!["BTCUSDT".parse().unwrap(), "ETHUSDT".parse().unwrap()];
    let mut spec = Spec::new("sma_cross", symbols, Interval::H1);
    spec.settings = vec![("fast".into(), "2".into()), ("slow".into(), "3".into())];
    (spec.filters, spec.maker_fee, spec.taker_fee) = (false, Decimal::ZERO, Decimal::ZERO);
    let feed = Feed::new(Interval::H1, vec![bars.clone(), bars]);
    let out = backtest::run(&spec, &feed, None).unwrap();
    let cost = |t: &OpenTrade| t.entry_price * t.qty;
    let costs: Vec<f64> = out.open_trades.iter().map(cost).collect();
    assert_eq!(costs, [5_000.0, 5_000.0], "both crossed on bar 4");
}

#[test]
fn a_decision_at_a_close_sees_every_fill_of_that_hour() {
    // The script trades BTC's bars; its ETH buy at 00:00's close must fill at ETH's 01:00 open
    // (not against ETH's 00:00 bar, which ended before the decision), and the feed must match
    // that before BTC's 01:00 bar reaches the script.
    let log = Log::default();
    let l = log.clone();
    let s = Script::new(&log)
        .on(0, |ctx| {
            _ = ctx.place(1, Buy, OrderKind::Market, Qty::Base(d("1")), None)
        })
        .on(1, move |ctx| {
            let eth = ctx.position(1);
            l.push(|s| s.events.push(format!("ETH held at the close: {eth}")));
        });
    let mut e = engine(&["BTCUSDT", "ETHUSDT"], NoObserver, no_fees(), "1000");
    e.add_strategy(Box::new(s)).unwrap();
    e.start();
    let btc = vec![flat(0, 100.0), flat(1, 100.0)];
    let eth = vec![flat(0, 100.0), flat(1, 110.0)];
    Feed::new(Interval::H1, vec![btc, eth]).replay(&mut e, None);
    let seen = log.get();
    assert_eq!(seen.events[2], "ETH held at the close: 1");
    assert_eq!(seen.fills.len(), 1);
    assert_eq!(
        (seen.fills[0].price, seen.fills[0].time),
        (d("110"), T0 + HOUR_MS)
    );
}

#[test]
fn a_4h_series_arrives_after_its_last_1h_bar_and_equals_the_resampled_bars() {
    let log = Log::default();
    let mut s = Script::new(&log);
    s.extra.push(Interval::H4);
    let mut e = rig(no_fees(), "0", "0", s);
    let o = |i: i64| 100.0 + (i * i % 7) as f64;
    let candle_at = |i| bar(i, o(i), o(i) + 5.0, o(i) - 3.0, o(i) + 1.0);
    let bars: Vec<Candle> = (0..9).map(candle_at).collect();
    feed(&mut e, &bars);
    let hour = |h: i64| format!("1h {}", h * 60);
    let mut expected: Vec<String> = (0..4).map(hour).collect();
    expected.push("4h 0".into());
    expected.extend((4..8).map(hour).chain(["4h 240".into(), hour(8)]));
    let seen = log.get();
    assert_eq!(seen.events, expected, "4h right after its 4th hour");
    let fours = seen.candles.iter().filter(|c| c.0 == Interval::H4);
    let resampled = resample(&bars[..8], Interval::H1, Interval::H4).unwrap();
    assert!(fours.map(|c| c.1).eq(resampled.iter().map(|b| b.candle)));
}

#[test]
fn a_series_that_does_not_nest_in_the_run_is_a_setup_error() {
    for (base, wanted) in [(Interval::H1, Interval::M1), (Interval::H8, Interval::H12)] {
        let mut s = Script::new(&Log::default());
        s.extra.push(wanted);
        let x = SimExchange::new(no_fees(), vec![unrestricted("BTCUSDT")], &[]);
        let symbol = "BTCUSDT".to_string();
        let mut e = Engine::new(x, NoObserver, vec![Instrument { symbol }], base);
        let why = match e.add_strategy(Box::new(s)) {
            Err(StrategyError::Setup(why)) => why,
            other => panic!("{wanted} on a {base} run: {other:?}"),
        };
        let expected = format!("cannot resample {base} into {wanted}");
        assert!(why.contains(&expected), "{why}");
    }
}
