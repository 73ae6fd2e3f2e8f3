//! Property tests of `Risk::approve` over random limits, fees, balances, prices, resting orders
//! and requests (with Binance's BTCUSDT filters): an approved buy never breaks a configured limit
//! nor needs more than the free quote after fees, and rounding never adds exposure (never more
//! quantity than asked; a buy never worth more than asked).

use super::*;
use proptest::prelude::Strategy;
use proptest::prelude::*;
use tickdesk::core::{OrderRequest, Origin};
use tickdesk::exchange::{Exchange, SimExchange, rules_for};
use tickdesk::risk::{Limits, Risk, RiskConfig, View};

/// A decimal with `dp` decimals from an integer number of its smallest units.
fn units(n: u64, dp: u32) -> Decimal {
    Decimal::new(i64::try_from(n).unwrap(), dp)
}

fn limit_value(max: u64, dp: u32) -> impl Strategy<Value = Option<Decimal>> {
    proptest::option::of((1..max).prop_map(move |n| units(n, dp)))
}

fn limits() -> impl Strategy<Value = Limits> {
    let pct = proptest::option::of((1u64..=100).prop_map(Decimal::from));
    let open = proptest::option::of(0usize..6);
    (
        limit_value(2_000_000, 2),
        pct,
        open,
        limit_value(1_000_000, 2),
        limit_value(5_000, 2),
    )
        .prop_map(|(position, exposure, open, max_order, min_order)| Limits {
            max_position_quote: position,
            max_exposure_pct: exposure,
            max_open_orders: open,
            max_order_quote: max_order,
            min_order_quote: min_order,
        })
}

/// A request: buy or sell, market or limit (at up to ±20 % of the price), in base or quote.
#[derive(Debug, Clone)]
struct Ask {
    side: Side,
    limit_permille: Option<u64>,
    qty: Qty,
}

fn asks() -> impl Strategy<Value = Ask> {
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    let limit = proptest::option::of(800u64..1200);
    let base = (1u64..500_000_000).prop_map(|n| Qty::Base(units(n, 9)));
    let quote = (1u64..5_000_000).prop_map(|n| Qty::Quote(units(n, 2)));
    let qty = prop_oneof![3 => base, 1 => quote];
    (side, limit, qty).prop_map(|(side, limit_permille, qty)| Ask {
        side,
        limit_permille,
        qty,
    })
}

#[derive(Debug, Clone)]
struct World {
    cash: Decimal,
    btc: Decimal,
    /// Price with two decimals (BTCUSDT's tick is 0.01).
    price: Decimal,
    fee: Decimal,
    /// Resting bids placed before the request, each locking some cash.
    resting: usize,
}

fn worlds() -> impl Strategy<Value = World> {
    let cash = (0u64..50_000_000).prop_map(|n| units(n, 2));
    let btc = (0u64..500_000_000).prop_map(|n| units(n, 8));
    let price = (100u64..20_000_000).prop_map(|n| units(n, 2));
    let fee = (0u64..=20).prop_map(|n| units(n, 4));
    (cash, btc, price, fee, 0usize..4).prop_map(|(cash, btc, price, fee, resting)| World {
        cash,
        btc,
        price,
        fee,
        resting,
    })
}

fn request(side: Side, kind: OrderKind, qty: Qty) -> OrderRequest {
    OrderRequest {
        instrument: 0,
        side,
        kind,
        qty,
        oco: None,
        origin: Origin::Strategy(0),
    }
}

/// The exchange of `w`, with `w.resting` bids at half the price resting on it.
fn exchange(w: &World) -> SimExchange {
    let deposits = [("USDT", w.cash), ("BTC", w.btc)];
    let mut x = SimExchange::new(sim(), vec![rules_for("BTCUSDT")], &deposits);
    let bid = OrderKind::Limit {
        price: (w.price / Decimal::TWO).round_dp(2),
    };
    for id in 0..w.resting {
        let r = request(Side::Buy, bid, Qty::Base(d("0.001")));
        let mut out = Vec::new();
        let approved = with_view(&x, w, |v| Risk::default().approve(id as u64, r, v));
        if let Ok(a) = approved {
            let _ = x.submit(id as u64, a, T0, &mut out);
        }
    }
    x
}

fn with_view<T>(x: &SimExchange, w: &World, f: impl FnOnce(&View<'_>) -> T) -> T {
    let a = x.account();
    let assets = [(a.find("BTC").unwrap(), a.find("USDT").unwrap())];
    let marks = [(assets[0].0, 0)];
    let prices = [w.price.to_string().parse::<f64>().unwrap()];
    let view = View {
        now: T0,
        exchange: x,
        assets: &assets,
        marks: &marks,
        prices: &prices,
        quote: assets[0].1,
    };
    f(&view)
}

/// Checks an approved buy of `q` (base) at `price` against every limit and the free balance.
fn within_limits(l: &Limits, w: &World, x: &SimExchange, notional: Decimal, spend: Decimal) {
    let a = x.account();
    let (usdt, btc) = (a.find("USDT").unwrap(), a.find("BTC").unwrap());
    let holding = a.total(btc) * w.price;
    let equity = a.total(usdt) + holding;
    assert!(
        spend <= a.free(usdt),
        "spends {spend} of {} free",
        a.free(usdt)
    );
    if let Some(max) = l.max_order_quote {
        assert!(notional <= max, "order {notional} > {max}");
    }
    if let Some(min) = l.min_order_quote {
        assert!(notional >= min, "order {notional} < {min}");
    }
    if let Some(max) = l.max_open_orders {
        assert!(
            x.open_orders().len() < max,
            "{} open, max {max}",
            x.open_orders().len()
        );
    }
    if let Some(max) = l.max_position_quote {
        assert!(
            holding + notional <= max,
            "position {} > {max}",
            holding + notional
        );
    }
    if let Some(pct) = l.max_exposure_pct {
        let cap = equity * pct / Decimal::ONE_HUNDRED;
        assert!(
            holding + notional <= cap,
            "exposure {} > {cap}",
            holding + notional
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn approved_orders_respect_every_limit_and_rounding_never_adds_exposure(
        limits in limits(),
        w in worlds(),
        ask in asks(),
    ) {
        let x = exchange(&w);
        let limit_price = ask.limit_permille.map(|p| w.price * Decimal::new(p as i64, 3));
        let kind = limit_price.map_or(OrderKind::Market, |price| OrderKind::Limit { price });
        let qty = match (kind, ask.qty) {
            (OrderKind::Limit { .. }, Qty::Quote(q)) => Qty::Base(q / w.price),
            (_, q) => q,
        };
        let asked = request(ask.side, kind, qty);
        let config = RiskConfig { limits: limits.clone(), taker_fee: w.fee, ..RiskConfig::default() };
        let mut risk = Risk::new(config);
        let Ok(approved) = with_view(&x, &w, |v| risk.approve(99, asked.clone(), v)) else {
            return Ok(());
        };
        let got = approved.request();
        let price = got.kind.limit().unwrap_or(w.price);
        let asked_price = asked.kind.limit().unwrap_or(w.price);
        match (got.qty, asked.qty) {
            (Qty::Base(q), Qty::Base(a)) => {
                prop_assert!(q <= a && q > Decimal::ZERO, "{q} of {a}");
                if got.side == Side::Buy {
                    prop_assert!(price <= asked_price, "buy at {price}, asked {asked_price}");
                    prop_assert!(q * price <= a * asked_price);
                    within_limits(&limits, &w, &x, q * price, q * price * (Decimal::ONE + w.fee));
                }
            }
            (Qty::Quote(q), Qty::Quote(a)) => {
                prop_assert_eq!(q, a);
                if got.side == Side::Buy {
                    within_limits(&limits, &w, &x, q, q);
                }
            }
            (g, a) => prop_assert!(false, "quantity changed kind: {g:?} from {a:?}"),
        }
        if got.side == Side::Sell {
            prop_assert!(price >= asked_price, "sell at {price}, asked {asked_price}");
        }
    }
}
