//! Each limit tripped by a scenario on flat candles at 100 USDT (1 000 USDT, 0.1 % fees), as a
//! backtest and as a paper session: the refused order names its rule and its numbers, the orders
//! around it pass, and both engines refuse the same orders for the same reasons.

use super::*;

/// Eight flat hours at 100.
fn flat() -> Vec<Candle> {
    path(100.0, &[100.0; 8])
}

fn limit(price: &str) -> OrderKind {
    OrderKind::Limit { price: d(price) }
}

#[test]
fn each_limit_refuses_its_order_identically_in_backtest_and_paper() {
    let bid = |p: Plan| p.at(0, 0, Side::Buy, limit("90"), "1");
    #[rustfmt::skip]
    let cases = [
        ("max_order_quote = 300", Plan::default().buy(0, "4").buy(0, "2"),
         "RISK_MAX_ORDER: order value 400.00 USDT is above risk.max_order_quote 300 USDT"),
        ("min_order_quote = 50", Plan::default().buy(0, "0.3").buy(0, "1"),
         "RISK_MIN_ORDER: order value 30.00 USDT is below risk.min_order_quote 50 USDT"),
        // 3 bought at bar 1's open; at bar 2, 3 more would make 600, 2 more make 500.
        ("max_position_quote = 500", Plan::default().buy(0, "3").buy(2, "3").buy(2, "2"),
         "RISK_MAX_POSITION: the position would be worth 600.00 USDT, above risk.max_position_quote 500 USDT"),
        ("max_open_orders = 2", bid(bid(bid(Plan::default()))),
         "RISK_MAX_OPEN_ORDERS: 2 orders are open and risk.max_open_orders is 2"),
        // Always on: 10 at 100 with the 0.1 % fee needs 1 001.
        ("", Plan::default().buy(0, "10").buy(0, "9.99"),
         "RISK_FREE_BALANCE: needs 1001.00 USDT with fees but 1000 USDT is free"),
    ];
    for (risk, plan, refusal) in cases {
        let (decided, _) = parity(&Scenario::new(flat(), plan, risk));
        assert_eq!(
            decided.refusals,
            [refusal],
            "{risk}: only this order is refused"
        );
        assert!(decided.halts.is_empty(), "{risk}");
    }
}

#[test]
fn exposure_counts_every_symbol_of_the_shared_account() {
    // 3 BTC bought at bar 1's open (300 of 999.70 equity); at bar 2, 3 ETH would make holdings of
    // 600, above half the equity; 1.9 ETH makes 490.
    let plan = Plan::default()
        .buy(0, "3")
        .at(2, 1, Side::Buy, OrderKind::Market, "3")
        .at(2, 1, Side::Buy, OrderKind::Market, "1.9");
    let s = Scenario {
        symbols: &["BTCUSDT", "ETHUSDT"],
        candles: vec![flat(), flat()],
        plan,
        risk: "max_exposure_pct = 50",
    };
    let (decided, outcome) = parity(&s);
    assert_eq!(
        decided.refusals,
        [
            "RISK_MAX_EXPOSURE: holdings would be worth 600.00 USDT, above risk.max_exposure_pct 50 % \
          of equity 999.70 USDT"
        ]
    );
    assert_eq!(
        outcome.open_trades.len(),
        2,
        "BTC and the smaller ETH buy are held"
    );
}
