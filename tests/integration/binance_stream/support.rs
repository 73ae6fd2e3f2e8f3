//! The rig every stream test uses: the fake Binance, a feed connected to it with its own REST
//! client and the same paused clock, and helpers that wait, nudge books and collect events.

pub use super::super::fake_binance::{Closed, ConnKind, FakeBinance, Fault, Side, WsConfig};
pub use rust_decimal::Decimal;
pub use std::{str::FromStr, sync::Arc, time::Duration};
pub use tickdesk::binance::book::Level;
pub use tickdesk::binance::stream::{
    self, AggTrade, BookView, FeedState, MarketEvent, MarketFeed, StreamConfig, StreamKind,
};
pub use tickdesk::binance::{MarketClient, WeightLimiter};
pub use tickdesk::clock::TokioClock;
pub use tickdesk::market::{Candle, Interval, Symbol};
pub use tokio::time::{Instant, sleep, timeout};

pub const T0: i64 = 1_700_000_000_000;
pub const BTC: &str = "BTCUSDT";
pub const ETH: &str = "ETHUSDT";

pub fn all_kinds() -> Vec<StreamKind> {
    vec![
        StreamKind::Kline(Interval::M1),
        StreamKind::BookTicker,
        StreamKind::AggTrade,
        StreamKind::Depth,
    ]
}

pub fn sym(s: &str) -> Symbol {
    s.parse().unwrap()
}

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub struct Rig {
    pub fake: FakeBinance,
    pub feed: MarketFeed,
    /// Bumped by every nudge, so each one changes the book.
    nudges: u32,
}

pub fn clock() -> TokioClock {
    TokioClock::starting_at(T0)
}

pub async fn rig(
    symbols: &[&str],
    kinds: Vec<StreamKind>,
    tweak: impl FnOnce(&mut StreamConfig),
) -> Rig {
    let fake = FakeBinance::start(clock()).await;
    rig_on(fake, symbols, kinds, tweak).await
}

/// Books for `symbols` on the fake, then a feed connected to it.
pub async fn rig_on(
    fake: FakeBinance,
    symbols: &[&str],
    kinds: Vec<StreamKind>,
    tweak: impl FnOnce(&mut StreamConfig),
) -> Rig {
    let clock = clock();
    for s in symbols {
        fake.set_book(s, &[("100.00", "1"), ("99.50", "2")], &[("100.50", "1.5")]);
    }
    let limiter = Arc::new(WeightLimiter::new(6000, Arc::new(clock)));
    let rest = MarketClient::new(&fake.url(), limiter, Duration::from_secs(10)).unwrap();
    let mut config = StreamConfig::new(
        &fake.ws_url(),
        symbols.iter().map(|s| sym(s)).collect(),
        kinds,
    );
    config.top_levels = 1000;
    tweak(&mut config);
    let feed = stream::spawn(config, Arc::new(rest), Arc::new(clock)).unwrap();
    let rig = Rig {
        fake,
        feed,
        nudges: 0,
    };
    until("the feed connects", || {
        rig.fake.open_connections(ConnKind::Market) == 1
    })
    .await;
    rig
}

/// Polls `cond` every 10 ms of virtual time for up to 60 s.
pub async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting until {what}"
        );
        sleep(Duration::from_millis(10)).await;
    }
}

pub fn levels(side: &[(Decimal, Decimal)]) -> Vec<Level> {
    side.iter()
        .map(|&(price, qty)| Level { price, qty })
        .collect()
}

/// Whether the feed's book of `symbol` is live and equal to the fake's, level for level.
pub fn book_matches(rig: &Rig, symbol: &str) -> bool {
    let theirs = rig.fake.book(symbol);
    rig.feed
        .book(&sym(symbol))
        .and_then(|v| v.top)
        .is_some_and(|top| {
            top.seq == theirs.last_update_id
                && top.bids == levels(&theirs.bids)
                && top.asks == levels(&theirs.asks)
        })
}

/// Waits (without changing the fake's book) until the feed's book equals the fake's.
pub async fn matches_within(rig: &Rig, symbol: &str, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if book_matches(rig, symbol) {
            return true;
        }
        sleep(Duration::from_millis(10)).await;
    }
    book_matches(rig, symbol)
}

pub fn view(rig: &Rig, symbol: &str) -> BookView {
    rig.feed.book(&sym(symbol)).unwrap()
}

impl Rig {
    /// One more book change on a far level (a diff the book must apply).
    pub fn nudge(&mut self, symbol: &str) {
        self.nudges += 1;
        let qty = format!("{}", self.nudges);
        self.fake.set_level(symbol, Side::Buy, "50.00", &qty);
    }

    /// Waits until the feed's book equals the fake's, nudging it now and then (a dropped diff is
    /// only noticed when a later one arrives).
    pub async fn settle(&mut self, symbol: &str) {
        for _ in 0..100 {
            sleep(Duration::from_millis(20)).await;
            if book_matches(self, symbol) {
                return;
            }
            self.nudge(symbol);
        }
        panic!(
            "{symbol}: local book never matched the fake's: {:?}",
            self.feed.book(&sym(symbol))
        );
    }

    /// Ordered events until `n` trades arrived (health and klines collected on the way).
    pub async fn trades(&mut self, n: usize) -> (Vec<AggTrade>, Vec<MarketEvent>) {
        let (mut trades, mut others) = (Vec::new(), Vec::new());
        while trades.len() < n {
            let event = timeout(Duration::from_secs(120), self.feed.recv_ordered())
                .await
                .expect("an ordered event in time")
                .expect("the feed is running");
            match event {
                MarketEvent::Trade(t) => trades.push(t),
                other => others.push(other),
            }
        }
        (trades, others)
    }
}

pub fn states(events: &[MarketEvent]) -> Vec<FeedState> {
    events
        .iter()
        .filter_map(|e| match e {
            MarketEvent::Health(s) => Some(s.state.clone()),
            _ => None,
        })
        .collect()
}

/// The quantity that names trade `i` of a run (unique, so a lost or repeated trade shows).
pub fn trade_qty(i: usize) -> Decimal {
    Decimal::new(i64::try_from(i).unwrap() + 1, 3)
}

/// Scripts `n` trades on `symbol`, `every` apart, each after a book change; returns their
/// quantities in order.
pub async fn trade_run(rig: &Rig, symbol: &str, n: usize, every: Duration) -> Vec<Decimal> {
    let mut qtys = Vec::new();
    for i in 0..n {
        let ask = format!("{}", 1 + i % 9);
        rig.fake.set_level(symbol, Side::Sell, "100.50", &ask);
        let qty = trade_qty(i);
        rig.fake.trade(symbol, "100.50", &qty.to_string());
        qtys.push(qty);
        sleep(every).await;
    }
    qtys
}

pub fn assert_delivered_once_in_order(trades: &[AggTrade], qtys: &[Decimal]) {
    let got: Vec<Decimal> = trades.iter().map(|t| t.qty).collect();
    assert_eq!(got, qtys, "every trade once, in order");
    assert!(trades.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
}

/// A one-minute bar opening at `open_time` and closing at `close`.
pub fn bar(open_time: i64, close: f64) -> Candle {
    Candle {
        open_time,
        open: 100.0,
        high: 101.0,
        low: 99.0,
        close,
        volume: 12.5,
    }
}
