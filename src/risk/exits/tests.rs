//! The exit orders the hooks produce, on BTCUSDT (tick 0.01, step 0.00001) with the position's
//! base asset deposited: the OCO pair after an entry, partial fills accumulating, a trailing stop
//! moving up by whole ticks and never down, ATR distances waiting for the ATR, sells taking the
//! exits off and getting them back, exits others cancelled staying off, and groups replaced
//! before approval being cancelled once they show up.

use super::*;
use crate::core::{Liquidity, OrderKind, Qty};
use crate::exchange::{Exchange, SimConfig, SimExchange};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

struct Rig {
    x: SimExchange,
    exits: Exits,
    config: RiskConfig,
    next_id: OrderId,
}

fn rig(btc: &str, s: &str) -> Rig {
    let cfg = SimConfig::frictionless();
    let rules = vec![crate::exchange::rules_for("BTCUSDT")];
    let x = SimExchange::new(cfg, rules, &[("USDT", d("100000")), ("BTC", d(btc))]);
    let config = RiskConfig {
        strategies: vec![settings(s)],
        ..RiskConfig::default()
    };
    let exits = Exits::new(&config);
    Rig {
        x,
        exits,
        config,
        next_id: 100,
    }
}

/// `stop=2% tp=5% trail=3%` → a strategy's exit settings.
fn settings(s: &str) -> StrategyRisk {
    let mut r = StrategyRisk::default();
    for (k, v) in s.split_whitespace().filter_map(|kv| kv.split_once('=')) {
        let v = Some(v.parse().unwrap());
        match k {
            "stop" => r.stop = v,
            "tp" => r.take_profit = v,
            "trail" => r.trailing = v,
            _ => panic!("{k}"),
        }
    }
    r
}

fn fill(order: OrderId, side: Side, qty: &str, price: &str, origin: Origin) -> Fill {
    let (qty, price) = (d(qty), d(price));
    Fill {
        order,
        instrument: 0,
        side,
        qty,
        price,
        quote: qty * price,
        fee: Decimal::ZERO,
        liquidity: Liquidity::Taker,
        time: 1_000,
        origin,
    }
}

fn candle(open_time: i64, high: f64, low: f64) -> Candle {
    Candle {
        open_time,
        open: low,
        high,
        low,
        close: high,
        volume: 1.0,
    }
}

impl Rig {
    fn with_view<T>(&mut self, f: impl FnOnce(&mut Exits, &RiskConfig, &View<'_>) -> T) -> T {
        let a = self.x.account();
        let assets = [(a.find("BTC").unwrap(), a.find("USDT").unwrap())];
        let marks = [(assets[0].0, 0)];
        let view = View {
            now: 0,
            exchange: &self.x,
            assets: &assets,
            marks: &marks,
            prices: &[50_000.0],
            quote: assets[0].1,
        };
        f(&mut self.exits, &self.config, &view)
    }

    fn fill(&mut self, f: Fill) -> Vec<RiskAction> {
        let mut out = Vec::new();
        self.with_view(|e, c, v| e.on_fill(&f, None, c, v, &mut out));
        out
    }

    fn bar(&mut self, c: Candle) -> Vec<RiskAction> {
        let mut out = Vec::new();
        self.with_view(|e, cfg, v| e.on_bar(0, &c, cfg, v, &mut out));
        out
    }

    /// Carries actions out as the engine does (a placement: `before_place`, approve, submit);
    /// returns the ids of the orders placed.
    fn apply(&mut self, actions: &[RiskAction]) -> Vec<OrderId> {
        let mut ids = Vec::new();
        for a in actions {
            match a {
                RiskAction::Cancel(id) => self.cancel(*id),
                RiskAction::Place(r) => ids.push(self.place(r.clone())),
                other => panic!("{other:?}"),
            }
        }
        ids
    }

    fn place(&mut self, r: OrderRequest) -> OrderId {
        for id in self.exits.before_place(&r) {
            self.cancel(id);
        }
        self.next_id += 1;
        self.exits.on_approved(self.next_id, &r);
        let mut execs = Vec::new();
        let approved = crate::risk::Approved::unchecked(r);
        self.x
            .submit(self.next_id, approved, 0, &mut execs)
            .unwrap();
        assert!(execs.is_empty());
        self.next_id
    }

    fn cancel(&mut self, id: OrderId) {
        let mut execs = Vec::new();
        let _ = self.x.cancel(id, &mut execs);
        for e in execs {
            if let crate::exchange::ExecEvent::Closed { order, .. } = e {
                self.exits.on_closed(order);
            }
        }
    }

    /// An entry fill whose exits are then placed; their ids.
    fn enter(&mut self, qty: &str, price: &str) -> Vec<OrderId> {
        let a = self.fill(entry(qty, price));
        self.apply(&a)
    }

    fn open(&self) -> Vec<OrderId> {
        self.x.open_orders().iter().map(|o| o.id).collect()
    }
}

/// Actions as text: `stop 0.5@49000 g`, `limit 0.5@52500 g`, `cancel 101`.
fn show(actions: &[RiskAction]) -> Vec<String> {
    actions
        .iter()
        .map(|a| match a {
            RiskAction::Place(r) => {
                assert_eq!((r.side, r.origin), (Side::Sell, Origin::Strategy(0)));
                assert!(is_exit(r.oco), "in a risk OCO group");
                let Qty::Base(q) = r.qty else { panic!() };
                match r.kind {
                    OrderKind::StopLoss { stop } => format!("stop {q}@{stop}"),
                    OrderKind::Limit { price } => format!("limit {q}@{price}"),
                    k => format!("{k:?}"),
                }
            }
            RiskAction::Cancel(id) => format!("cancel {id}"),
            other => format!("{other:?}"),
        })
        .collect()
}

fn groups(actions: &[RiskAction]) -> Vec<u64> {
    let g = actions.iter().filter_map(|a| match a {
        RiskAction::Place(r) => r.oco,
        _ => None,
    });
    g.collect()
}

fn entry(qty: &str, price: &str) -> Fill {
    fill(1, Side::Buy, qty, price, Origin::Strategy(0))
}

#[test]
fn an_entry_fill_gets_a_stop_and_a_target_in_one_oco_group() {
    let mut r = rig("0.5", "stop=2% tp=5%");
    assert!(r.exits.active());
    let a = r.fill(entry("0.5", "50000"));
    assert_eq!(show(&a), ["stop 0.5@49000", "limit 0.5@52500"]);
    let g = groups(&a);
    assert_eq!(g[0], g[1]);
    // Not a strategy with exits, or not an entry: nothing.
    assert!(
        r.fill(fill(2, Side::Buy, "0.1", "1", Origin::Manual))
            .is_empty()
    );
    assert!(!rig("1", "").exits.active());
}

#[test]
fn levels_round_to_the_tick_away_from_the_market_and_atr_distances_wait_for_the_atr() {
    // 49 999.99 − 3 % = 48 499.9903 → 48 500; + 7 % = 53 499.9893 → 53 499.99.
    let mut r = rig("0.1", "stop=3% tp=7%");
    let a = r.fill(entry("0.1", "49999.99"));
    assert_eq!(show(&a), ["stop 0.1@48500", "limit 0.1@53499.99"]);
    // An ATR stop with no ATR yet: only the percent target rests until the ATR warms up.
    let mut r = rig("0.1", "stop=2atr tp=5%");
    let a = r.fill(entry("0.1", "50000"));
    assert_eq!(show(&a), ["limit 0.1@52500"]);
    let ids = r.apply(&a);
    for i in 0..14 {
        assert!(r.bar(candle(i, 50_100.0, 49_900.0)).is_empty());
    }
    // The 15th candle warms the 14-bar ATR up at 200: the stop goes 400 below the entry.
    let a = r.bar(candle(14, 50_100.0, 49_900.0));
    let cancel = format!("cancel {}", ids[0]);
    assert_eq!(
        show(&a),
        [cancel.as_str(), "stop 0.1@49600", "limit 0.1@52500"]
    );
}

#[test]
fn partial_entry_fills_accumulate_into_one_group() {
    let mut r = rig("0.75", "stop=2% tp=5%");
    let ids = r.enter("0.5", "50000");
    let a = r.fill(entry("0.25", "50300"));
    // Average entry 50 100: stop 49 098, target 52 605.
    let want = [
        format!("cancel {}", ids[0]),
        format!("cancel {}", ids[1]),
        "stop 0.75@49098".into(),
        "limit 0.75@52605".into(),
    ];
    assert_eq!(show(&a), want);
    let ids = r.apply(&a);
    assert_eq!(r.open(), ids, "the first pair is gone");
}

#[test]
fn a_trailing_stop_follows_the_best_price_up_by_ticks_and_never_down() {
    let mut r = rig("1", "trail=3% tp=10%");
    let a = r.fill(entry("1", "50000"));
    assert_eq!(show(&a), ["stop 1@48500", "limit 1@55000"]);
    let ids = r.apply(&a);
    // The entry bar's high (the fill was at its open) counts: 52 000 → stop 50 440.
    let a = r.bar(candle(1_000, 52_000.0, 49_000.0));
    let cancels = ids.iter().map(|i| format!("cancel {i}"));
    let want: Vec<String> = cancels
        .chain(["stop 1@50440".into(), "limit 1@55000".into()])
        .collect();
    assert_eq!(show(&a), want);
    let ids = r.apply(&a);
    // Lower or equal highs: nothing.
    assert!(r.bar(candle(2_000, 51_000.0, 49_000.0)).is_empty());
    assert!(r.bar(candle(3_000, 52_000.0, 50_500.0)).is_empty());
    // 52 000.01 → 50 440.0097, a tick up once rounded: 50 440.01.
    let a = r.bar(candle(4_000, 52_000.01, 50_500.0));
    assert_eq!(show(&a)[0], format!("cancel {}", ids[0]));
    assert_eq!(show(&a)[2], "stop 1@50440.01");
    r.apply(&a);
    // 53 000 → 51 410.
    let a = r.bar(candle(5_000, 53_000.0, 50_500.0));
    assert_eq!(show(&a)[2], "stop 1@51410");
    assert_eq!(r.apply(&a), r.open());
}

#[test]
fn a_bar_before_the_entry_does_not_count_for_the_best_price() {
    let mut r = rig("1", "trail=3%");
    r.enter("1", "50000");
    assert!(r.bar(candle(0, 60_000.0, 49_000.0)).is_empty());
}

fn order(side: Side, origin: Origin) -> OrderRequest {
    OrderRequest {
        instrument: 0,
        side,
        kind: OrderKind::Limit { price: d("60000") },
        qty: Qty::Base(d("0.4")),
        oco: None,
        origin,
    }
}

#[test]
fn sells_take_the_exits_off_and_what_is_left_gets_them_back() {
    let mut r = rig("1", "stop=2% tp=5%");
    let ids = r.enter("1", "50000");
    let (own, other) = (Origin::Strategy(0), Origin::Strategy(1));
    assert!(r.exits.before_place(&order(Side::Buy, own)).is_empty());
    assert!(r.exits.before_place(&order(Side::Sell, other)).is_empty());
    assert_eq!(r.exits.before_place(&order(Side::Sell, own)), ids);
    ids.iter().for_each(|id| r.cancel(*id));
    // While that sell is open, nothing comes back.
    let sell = r.place(order(Side::Sell, own));
    assert!(r.bar(candle(2_000, 50_000.0, 50_000.0)).is_empty());
    // It filled (the test exchange still holds 1 BTC; the position is 0.6): exits for 0.6.
    r.cancel(sell);
    let a = r.fill(fill(sell, Side::Sell, "0.4", "50500", own));
    assert_eq!(show(&a), ["stop 0.6@49000", "limit 0.6@52500"]);
    // A person's sell takes every strategy's exits in that instrument off.
    let ids = r.apply(&a);
    assert_eq!(
        r.exits.before_place(&order(Side::Sell, Origin::Manual)),
        ids
    );
}

#[test]
fn a_refused_sell_gives_the_exits_back_at_the_next_bar() {
    let mut r = rig("1", "stop=2%");
    let ids = r.enter("1", "50000");
    assert_eq!(
        r.exits.before_place(&order(Side::Sell, Origin::Manual)),
        ids
    );
    ids.iter().for_each(|id| r.cancel(*id));
    // The sell never reached the exchange.
    let a = r.bar(candle(2_000, 50_000.0, 50_000.0));
    assert_eq!(show(&a), ["stop 1@49000"]);
}

#[test]
fn exits_never_offer_more_than_the_account_holds() {
    // The position says 1 BTC but only 0.8 is there (a fee taken in BTC, a person's sale).
    let mut r = rig("0.8", "stop=2%");
    let a = r.fill(entry("1", "50000"));
    assert_eq!(show(&a), ["stop 0.8@49000"]);
}

#[test]
fn exits_the_filters_refuse_are_not_placed() {
    // 0.0001 BTC × 49 000 = 4.90 USDT is below the 5 USDT minimum order value.
    let mut r = rig("0.0001", "stop=2% tp=5%");
    assert!(r.fill(entry("0.0001", "50000")).is_empty());
}

#[test]
fn an_exit_that_fills_ends_the_position_and_cancelled_exits_stay_off() {
    let mut r = rig("1", "stop=2% tp=5%");
    let ids = r.enter("1", "50000");
    let a = r.fill(fill(ids[0], Side::Sell, "1", "49000", Origin::Strategy(0)));
    assert_eq!(show(&a), [format!("cancel {}", ids[1])], "the leftover leg");
    r.exits.on_closed(ids[1]);
    assert!(r.exits.positions.is_empty());
    // Exits a person cancels stay off, even as the price moves.
    let mut r = rig("1", "trail=2% tp=5%");
    let ids = r.enter("1", "50000");
    r.cancel(ids[0]);
    assert!(r.open().is_empty(), "cancelling a leg cancels the group");
    assert!(r.bar(candle(5_000, 51_000.0, 50_000.0)).is_empty());
    // The next entry arms them again.
    assert_eq!(r.enter("0.5", "50000").len(), 2);
}

#[test]
fn a_group_replaced_before_its_approval_is_cancelled_when_it_shows_up() {
    let mut r = rig("1", "stop=2% tp=5%");
    let first = r.fill(entry("0.5", "50000"));
    let second = r.fill(entry("0.5", "50000"));
    assert_eq!(show(&second), ["stop 1@49000", "limit 1@52500"]);
    r.apply(&first);
    let ids = r.apply(&second);
    assert_eq!(r.open(), ids);
}

#[test]
fn a_trailing_stop_that_reaches_the_target_rests_alone() {
    let mut r = rig("1", "trail=1% tp=1%");
    let ids = r.enter("1", "100000");
    // The high of the entry bar, 105 000, lifts the stop to 103 950, past the 101 000 target.
    let a = r.bar(candle(1_000, 105_000.0, 99_990.0));
    let cancels = ids.iter().map(|i| format!("cancel {i}"));
    let want: Vec<String> = cancels.chain(["stop 1@103950".into()]).collect();
    assert_eq!(show(&a), want);
}

impl Rig {
    /// A restart: a fresh exits layer over the same exchange resumes from `fills`.
    fn restart(&mut self, fills: &[Fill], history: &[Vec<Candle>]) -> Vec<RiskAction> {
        self.exits = Exits::new(&self.config);
        let mut out = Vec::new();
        let last = GROUP_BASE + 1; // every rig places one group before its restart
        self.with_view(|e, c, v| e.resume(fills, history, last, c, v, &mut out));
        out
    }
}

#[test]
fn a_restart_takes_over_the_exits_still_resting_and_sends_nothing() {
    let mut r = rig("1", "stop=2% tp=5%");
    let ids = r.enter("1", "50000");
    assert!(r.restart(&[entry("1", "50000")], &[]).is_empty());
    // They are the position's again: a sell takes them off, a refused one gives them back.
    assert_eq!(
        r.exits.before_place(&order(Side::Sell, Origin::Manual)),
        ids
    );
}

#[test]
fn a_restart_places_again_the_exits_cancelled_while_away() {
    let mut r = rig("1", "stop=2% tp=5%");
    let ids = r.enter("1", "50000");
    r.cancel(ids[0]);
    assert!(r.open().is_empty());
    let a = r.restart(&[entry("1", "50000")], &[]);
    assert_eq!(show(&a), ["stop 1@49000", "limit 1@52500"]);
    let g = groups(&a);
    assert!(
        g[0] > GROUP_BASE + 1,
        "a new group number, not the old one's"
    );
    // What an exit sold before the restart is not protected again.
    let mut r = rig("1", "stop=2% tp=5%");
    let ids = r.enter("1", "50000");
    let sold = fill(ids[0], Side::Sell, "1", "49000", Origin::Strategy(0));
    r.cancel(ids[1]);
    assert!(r.restart(&[entry("1", "50000"), sold], &[]).is_empty());
    assert!(r.exits.positions.is_empty());
}

#[test]
fn a_restarted_trailing_stop_keeps_its_level_and_counts_the_bars_since_the_entry() {
    let mut r = rig("1", "trail=3% tp=10%");
    let ids = r.enter("1", "50000");
    let a = r.bar(candle(1_000, 52_000.0, 49_000.0));
    r.apply(&a);
    let resting: Vec<OrderId> = r.open();
    assert_ne!(resting, ids, "moved to 50 440");
    // From the entry alone the stop would be 48 500; the resting 50 440 is kept, not lowered.
    assert!(r.restart(&[entry("1", "50000")], &[]).is_empty());
    // The same with nothing resting: the history since the entry (not before) sets the best
    // price, so the stop goes back where it had risen to.
    let mut r = rig("1", "trail=3% tp=10%");
    let ids = r.enter("1", "50000");
    ids.iter().for_each(|id| r.cancel(*id));
    let history = vec![vec![
        candle(0, 60_000.0, 49_000.0),
        candle(1_000, 52_000.0, 49_000.0),
    ]];
    let a = r.restart(&[entry("1", "50000")], &history);
    assert_eq!(show(&a), ["stop 1@50440", "limit 1@55000"]);
}

#[test]
fn an_exit_resting_for_no_position_is_left_alone_and_a_second_group_cancelled() {
    let mut r = rig("3", "stop=2% tp=5%");
    let first = r.enter("1", "50000");
    // Nothing in the journal says the strategy holds anything: its exits are not touched.
    assert!(r.restart(&[], &[]).is_empty());
    assert_eq!(r.open(), first);
    // Two groups for one position (a crash between placing one and cancelling the other): the
    // one found first stays.
    let mut second = Vec::new();
    for kind in [
        OrderKind::StopLoss { stop: d("48000") },
        OrderKind::Limit { price: d("53000") },
    ] {
        let mut req = order(Side::Sell, Origin::Strategy(0));
        (req.kind, req.qty, req.oco) = (kind, Qty::Base(d("1")), Some(GROUP_BASE + 7));
        second.push(r.place(req));
    }
    let a = r.restart(&[entry("1", "50000")], &[]);
    let want: Vec<String> = second.iter().map(|i| format!("cancel {i}")).collect();
    assert_eq!(show(&a), want);
}
