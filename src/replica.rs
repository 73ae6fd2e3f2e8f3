//! The replica of the trading core's state that views render. The core (through its runner)
//! emits `Update`s; a replica applies them in order and never reaches into the engine, so the UI
//! can be slow, paused or absent (headless) without the core noticing. Every field is plain data:
//! a view is a pure function of a `Replica` and its own UI state.

use crate::core::{OrderId, Side};
use crate::market::{Candle, Interval};
use rust_decimal::Decimal;
use std::collections::VecDeque;

/// Candles kept per market for the chart (about two weeks of minutes).
pub const MAX_CANDLES: usize = 20_000;
/// Recent fills and alerts kept for their panes.
pub const MAX_FILLS: usize = 500;
pub const MAX_ALERTS: usize = 300;

/// What kind of trading this process does; the status bar shows it on every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    /// Simulated exchange, historical candles replayed at a chosen speed.
    #[default]
    PaperReplay,
    /// Simulated exchange, live market data.
    PaperLive,
    /// Real orders on the exchange.
    Live,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Self::PaperReplay => "PAPER · REPLAY",
            Self::PaperLive => "PAPER · LIVE DATA",
            Self::Live => "LIVE",
        }
    }
}

/// Replay pace: a multiple of real time, or as fast as the machine goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Speed {
    X1,
    X10,
    #[default]
    X60,
    X600,
    Max,
}

impl Speed {
    pub const ALL: [Speed; 5] = [Self::X1, Self::X10, Self::X60, Self::X600, Self::Max];

    /// The multiple of real time (None: unpaced).
    pub fn factor(self) -> Option<u32> {
        match self {
            Self::X1 => Some(1),
            Self::X10 => Some(10),
            Self::X60 => Some(60),
            Self::X600 => Some(600),
            Self::Max => None,
        }
    }

    /// The speed for a configured factor (0 = max); the nearest step at or below it.
    pub fn from_factor(f: u64) -> Self {
        match f {
            0 => Self::Max,
            1..=9 => Self::X1,
            10..=59 => Self::X10,
            60..=599 => Self::X60,
            _ => Self::X600,
        }
    }

    pub fn faster(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1).min(Self::ALL.len() - 1)]
    }

    pub fn slower(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[i.saturating_sub(1)]
    }

    pub fn label(self) -> String {
        self.factor()
            .map_or_else(|| "max".into(), |f| format!("{f}×"))
    }
}

/// How the market-data feed is doing.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum FeedHealth {
    #[default]
    Starting,
    Running,
    Paused,
    /// The replay reached the end of its data.
    Ended,
    /// No data for this many seconds (live feeds).
    Stale(u64),
    Down(String),
}

impl FeedHealth {
    pub fn label(&self) -> String {
        match self {
            Self::Starting => "starting".into(),
            Self::Running => "ok".into(),
            Self::Paused => "paused".into(),
            Self::Ended => "replay ended".into(),
            Self::Stale(s) => format!("stale {s}s"),
            Self::Down(why) => format!("down: {why}"),
        }
    }

    pub fn is_healthy(&self) -> bool {
        matches!(self, Self::Running | Self::Paused | Self::Starting)
    }
}

/// A price ladder. In paper trading it is synthesised around the last price and says so.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Book {
    pub simulated: bool,
    /// Best first: (price, quantity).
    pub bids: Vec<(f64, f64)>,
    pub asks: Vec<(f64, f64)>,
    /// Price, quantity and aggressor side of the last trade.
    #[serde(with = "crate::control::wire::fields::last_trade")]
    pub last_trade: Option<(f64, f64, Side)>,
}

impl Book {
    pub fn spread(&self) -> Option<f64> {
        Some(self.asks.first()?.0 - self.bids.first()?.0)
    }
}

/// One tradable market: its candles at the base interval, the forming candle and the book.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Market {
    pub symbol: String,
    pub base: String,
    pub quote: String,
    /// Decimals of the tick size (for printing prices).
    pub price_decimals: usize,
    #[serde(with = "crate::control::wire::fields::candles")]
    pub candles: VecDeque<Candle>,
    /// The candle of the current interval so far (replays build it from the closed one's path).
    #[serde(with = "crate::control::wire::fields::opt_candle")]
    pub forming: Option<Candle>,
    #[serde(with = "crate::control::wire::fields::float")]
    pub last: f64,
    pub book: Book,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Balance {
    pub asset: String,
    pub free: Decimal,
    pub locked: Decimal,
    /// Worth in the account currency at the last price.
    #[serde(with = "crate::control::wire::fields::float")]
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub market: usize,
    pub symbol: String,
    pub qty: Decimal,
    /// Average entry price (fees included) of what is held, when known from this session's fills.
    pub entry: Option<f64>,
    #[serde(with = "crate::control::wire::fields::float")]
    pub last: f64,
    #[serde(with = "crate::control::wire::fields::float")]
    pub value: f64,
    #[serde(with = "crate::control::wire::fields::float")]
    pub unrealized: f64,
    #[serde(with = "crate::control::wire::fields::float")]
    pub unrealized_pct: f64,
}

/// `Deserialize` is in `control::wire::fields` (`kind` is a `&'static str`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenOrder {
    pub id: OrderId,
    pub market: usize,
    pub symbol: String,
    #[serde(with = "crate::control::wire::fields::side")]
    pub side: Side,
    pub kind: &'static str,
    /// "0.0150 BTC" or "250 USDT".
    pub qty: String,
    pub price: Option<Decimal>,
    pub stop: Option<Decimal>,
    /// "manual" or the strategy's name.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FillRow {
    pub time: i64,
    pub order: OrderId,
    pub market: usize,
    pub symbol: String,
    #[serde(with = "crate::control::wire::fields::side")]
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    pub fee: Decimal,
    pub origin: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StrategyState {
    Running,
    Paused,
    /// The kill switch is engaged: the strategy runs but its orders are refused.
    Halted,
}

impl StrategyState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Halted => "halted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StrategyRow {
    pub name: String,
    pub state: StrategyState,
    pub params: Vec<(String, String)>,
    pub symbols: String,
    pub last_signal: Option<(i64, String)>,
    /// Realised plus unrealised PnL of this strategy's own fills, in the account currency.
    #[serde(with = "crate::control::wire::fields::float")]
    pub pnl: f64,
    pub fills: usize,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AlertLevel {
    Info,
    Warn,
    Error,
}

impl AlertLevel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }
}

/// Something the user should see: an override's result, a rejection, the kill switch, a feed problem.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    /// Market time of the event (ms).
    pub at: i64,
    pub level: AlertLevel,
    pub text: String,
}

/// Clock, pace and switches: small, sent often.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Status {
    pub now: i64,
    pub feed: FeedHealth,
    pub speed: Speed,
    /// Why trading is halted, in a few words for the status bar ("KILL SWITCH ON", …).
    pub halted: Option<String>,
}

/// Account figures, sent together after anything that can move them.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct AccountView {
    pub balances: Vec<Balance>,
    pub positions: Vec<Position>,
    #[serde(with = "crate::control::wire::fields::float")]
    pub equity: f64,
    /// Equity at the first mark of the current UTC day.
    #[serde(with = "crate::control::wire::fields::float")]
    pub day_open_equity: f64,
}

/// One change to the replica.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Update {
    /// A closed candle at the base interval.
    Candle {
        market: usize,
        #[serde(with = "crate::control::wire::fields::candle")]
        candle: Candle,
    },
    Forming {
        market: usize,
        #[serde(with = "crate::control::wire::fields::candle")]
        candle: Candle,
    },
    Book {
        market: usize,
        book: Book,
    },
    Account(AccountView),
    Orders(Vec<OpenOrder>),
    Fill(FillRow),
    Strategies(Vec<StrategyRow>),
    Status(Status),
    Alert(Alert),
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Replica {
    pub mode: Mode,
    /// Where the data comes from, e.g. "replay of stored Binance candles".
    pub source: String,
    pub interval: Option<Interval>,
    pub quote: String,
    #[serde(with = "crate::control::wire::fields::float")]
    pub initial_equity: f64,
    pub markets: Vec<Market>,
    pub account: AccountView,
    pub orders: Vec<OpenOrder>,
    pub fills: VecDeque<FillRow>,
    pub strategies: Vec<StrategyRow>,
    pub status: Status,
    pub alerts: VecDeque<Alert>,
    /// Bumped by every applied update: a view redraws only when it moved.
    pub version: u64,
}

impl Replica {
    pub fn apply(&mut self, update: Update) {
        self.version += 1;
        match update {
            Update::Candle { market, candle } => {
                if let Some(m) = self.markets.get_mut(market) {
                    if m.candles.len() >= MAX_CANDLES {
                        m.candles.pop_front();
                    }
                    m.candles.push_back(candle);
                    m.last = candle.close;
                    m.forming = None;
                }
            }
            Update::Forming { market, candle } => {
                if let Some(m) = self.markets.get_mut(market) {
                    m.last = candle.close;
                    m.forming = Some(candle);
                }
            }
            Update::Book { market, book } => {
                if let Some(m) = self.markets.get_mut(market) {
                    m.book = book;
                }
            }
            Update::Account(a) => self.account = a,
            Update::Orders(o) => self.orders = o,
            Update::Fill(f) => push_capped(&mut self.fills, f, MAX_FILLS),
            Update::Strategies(s) => self.strategies = s,
            Update::Status(s) => self.status = s,
            Update::Alert(a) => push_capped(&mut self.alerts, a, MAX_ALERTS),
        }
    }

    /// Day PnL in the account currency.
    pub fn day_pnl(&self) -> f64 {
        self.account.equity - self.account.day_open_equity
    }
}

fn push_capped<T>(q: &mut VecDeque<T>, item: T, cap: usize) {
    if q.len() >= cap {
        q.pop_front();
    }
    q.push_back(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(t: i64, close: f64) -> Candle {
        Candle {
            open_time: t,
            open: close,
            high: close,
            low: close,
            close,
            volume: 1.0,
        }
    }

    #[test]
    fn candles_replace_the_forming_one_and_stay_bounded() {
        let mut r = Replica {
            markets: vec![Market::default()],
            ..Replica::default()
        };
        r.apply(Update::Forming {
            market: 0,
            candle: candle(0, 5.0),
        });
        assert_eq!(r.markets[0].last, 5.0);
        for t in 0..(MAX_CANDLES as i64 + 10) {
            r.apply(Update::Candle {
                market: 0,
                candle: candle(t, t as f64),
            });
        }
        let m = &r.markets[0];
        assert_eq!(m.candles.len(), MAX_CANDLES);
        assert_eq!(m.candles[0].open_time, 10, "the oldest went first");
        assert!(m.forming.is_none());
        assert_eq!(r.version, MAX_CANDLES as u64 + 11);
        // An update for a market that does not exist changes nothing but the version.
        r.apply(Update::Candle {
            market: 7,
            candle: candle(0, 1.0),
        });
        assert_eq!(r.markets.len(), 1);
    }

    #[test]
    fn speeds_step_and_clamp() {
        assert_eq!(Speed::X1.slower(), Speed::X1);
        assert_eq!(Speed::X60.faster(), Speed::X600);
        assert_eq!(Speed::Max.faster(), Speed::Max);
        assert_eq!(Speed::from_factor(0), Speed::Max);
        assert_eq!(Speed::from_factor(60), Speed::X60);
        assert_eq!(Speed::from_factor(45), Speed::X10);
        assert_eq!(Speed::X60.label(), "60×");
    }
}
