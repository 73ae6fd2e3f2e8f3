//! The live loop: the async edge around a session whose data comes from Binance's streams (paper
//! on live data, or live). One task, one `select!` over the person's controls, the market feed,
//! the account's user-data events, what the sender found out and a one-second tick. Every event
//! goes through the session (engine, journal, replica) and then, only then, the requests it made
//! are handed to the sender: the journal always holds an order before Binance can.
//!
//! Failure points for crash tests (`TICKDESK_FAILPOINT`, see `failpoint`): `before-send` (orders
//! journaled, not sent), `fill-before-journal` (a fill received, not journaled).

use super::reconcile::Check;
use super::send::{Sender, Sent};
use super::translate::{Translated, Translator};
use crate::binance::stream::{MarketEvent, MarketFeed};
use crate::binance::user::{Source, UserEvent, UserStream};
use crate::core::{Command, Event};
use crate::exchange::{Depth, Report};
use crate::journal::Entry;
use crate::market::{Interval, Symbol};
use crate::paper::{Control, Outbox, Paper};
use crate::replica::{AlertLevel, Book, FeedHealth, Update};
use crate::risk::breakers::Monitor;
use rust_decimal::prelude::ToPrimitive;
use tokio::sync::mpsc;

/// The account side of a live session (absent when paper trading on live data).
pub struct Account {
    pub user: UserStream,
    pub sender: Sender,
    pub sent: mpsc::UnboundedReceiver<Sent>,
    pub translator: Translator,
    pub check: Check,
}

pub struct Edges {
    pub feed: MarketFeed,
    pub symbols: Vec<Symbol>,
    pub interval: Interval,
    pub account: Option<Account>,
    pub monitor: Monitor,
    pub clock: std::sync::Arc<dyn crate::clock::Clock>,
}

/// Runs the session on live data until `Control::Shutdown` or until the controls are dropped.
pub async fn drive(
    mut paper: Paper,
    mut edges: Edges,
    mut controls: mpsc::Receiver<Control>,
    updates: mpsc::Sender<Vec<Update>>,
) -> Paper {
    let mut out = Outbox {
        changed: true,
        ..Outbox::default()
    };
    let mut last_closed: Vec<i64> = vec![i64::MIN; edges.symbols.len()];
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            c = controls.recv() => {
                let Some(c) = c else { return paper };
                if matches!(c, Control::Command(Command::Release)) {
                    // The breakers watch fresh observations from here on.
                    edges.monitor.reset();
                }
                if !control(&mut paper, c, &mut out) {
                    flush(&mut paper, &edges);
                    settle(&mut paper, &mut edges, &mut out).await;
                    crate::paper::send_to(&paper, &mut out, &updates);
                    return paper;
                }
            }
            e = edges.feed.recv() => match e {
                Some(e) => market(&mut paper, &mut edges, &mut last_closed, e, &mut out),
                None => paper.set_feed(FeedHealth::Down("the market feed ended".into()), &mut out),
            },
            a = account_event(edges.account.as_mut()) => match a {
                FromAccount::User(e) => user(&mut paper, &mut edges, e, &mut out),
                FromAccount::Sent(s) => on_sent(&mut paper, &mut edges, s, &mut out),
                FromAccount::Ended => {
                    let text = "the account's user-data stream ended: no fills reach the engine";
                    tracing::error!("{text}");
                    paper.note(AlertLevel::Error, text, &mut out);
                    if let Some(b) = edges.monitor.mismatch(text) {
                        paper.breaker(b, &mut out);
                    }
                    edges.account = None;
                }
            },
            _ = tick.tick() => {
                let now = edges.clock.now_ms();
                if let Some(b) = edges.monitor.tick(now) {
                    paper.breaker(b, &mut out);
                }
                paper.live_event(Event::Tick { at: now }, &mut out);
            }
        }
        flush(&mut paper, &edges);
        crate::paper::send_to(&paper, &mut out, &updates);
    }
}

/// How long a live shutdown waits for Binance to confirm the cancels it sent.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(10);

/// On shutdown: the cancels sent (`[service] on_shutdown = "cancel"`) are followed until Binance
/// confirms them, so the journal closes those orders before the process goes (at most `SETTLE`).
async fn settle(paper: &mut Paper, edges: &mut Edges, out: &mut Outbox) {
    let deadline = tokio::time::Instant::now() + SETTLE;
    while paper.cancels_pending() && edges.account.is_some() {
        tokio::select! {
            a = account_event(edges.account.as_mut()) => match a {
                FromAccount::User(e) => user(paper, edges, e, out),
                FromAccount::Sent(s) => on_sent(paper, edges, s, out),
                FromAccount::Ended => break,
            },
            () = tokio::time::sleep_until(deadline) => {
                let text = "shutdown: Binance did not confirm every cancel in time; a restart reconciles them";
                tracing::warn!("{text}");
                paper.note(AlertLevel::Warn, text, out);
                break;
            }
        }
        flush(paper, edges);
    }
}

/// Hands the requests the last events made to the sender; they are in the journal already.
fn flush(paper: &mut Paper, edges: &Edges) {
    let batch = paper.take_outgoing();
    if batch.is_empty() {
        return;
    }
    crate::failpoint::hit("before-send");
    match &edges.account {
        Some(a) => a.sender.send(batch),
        None => tracing::error!("{} requests for an exchange with no account", batch.len()),
    }
}

enum FromAccount {
    User(UserEvent),
    Sent(Sent),
    Ended,
}

/// The account's next user-data event or sending result (never, without an account).
async fn account_event(account: Option<&mut Account>) -> FromAccount {
    let Some(a) = account else {
        return std::future::pending().await;
    };
    tokio::select! {
        e = a.user.recv() => e.map_or(FromAccount::Ended, FromAccount::User),
        s = a.sent.recv() => s.map_or(FromAccount::Ended, FromAccount::Sent),
    }
}

/// False when the session should end. A live session has no replay to pause or speed up.
fn control(paper: &mut Paper, c: Control, out: &mut Outbox) -> bool {
    match c {
        Control::Command(c) => paper.command(c, out),
        Control::Speed(_) | Control::Pause(_) | Control::TogglePause => {
            paper.note(
                AlertLevel::Info,
                "live data cannot be paused or sped up: pause a strategy, or use the kill switch",
                out,
            );
        }
        Control::Shutdown => return false,
    }
    true
}

fn market(
    paper: &mut Paper,
    edges: &mut Edges,
    last_closed: &mut [i64],
    e: MarketEvent,
    out: &mut Outbox,
) {
    let now = edges.clock.now_ms();
    let market = e
        .symbol()
        .and_then(|s| edges.symbols.iter().position(|x| x == s));
    if market.is_some() {
        edges.monitor.market_data(now);
    }
    match (e, market) {
        (MarketEvent::Kline(k), Some(m)) if k.interval == edges.interval => {
            if !k.closed {
                out.updates.push(Update::Forming {
                    market: m,
                    candle: k.candle,
                });
            } else if k.candle.open_time > last_closed[m] {
                last_closed[m] = k.candle.open_time;
                paper.closed_candle(m, k.candle, out);
            }
        }
        (MarketEvent::Trade(t), Some(m)) => {
            let at = t.trade_time;
            paper.live_event(
                Event::Trade {
                    at,
                    instrument: m,
                    price: t.price,
                },
                out,
            );
        }
        (MarketEvent::Book(b), Some(m)) => {
            let Some(top) = b.top else { return };
            let depth = Depth {
                bids: top.bids.iter().map(|l| (l.price, l.qty)).collect(),
                asks: top.asks.iter().map(|l| (l.price, l.qty)).collect(),
            };
            out.updates.push(Update::Book {
                market: m,
                book: Book {
                    simulated: false,
                    bids: floats(&depth.bids),
                    asks: floats(&depth.asks),
                    last_trade: None,
                },
            });
            if edges.account.is_none() {
                let at = top.event_time.unwrap_or(now);
                paper.live_event(
                    Event::Book {
                        at,
                        instrument: m,
                        depth,
                    },
                    out,
                );
            }
        }
        (MarketEvent::Health(status), _) => paper.set_feed(status.to_replica(), out),
        _ => {}
    }
}

fn floats(levels: &[(rust_decimal::Decimal, rust_decimal::Decimal)]) -> Vec<(f64, f64)> {
    levels
        .iter()
        .map(|(p, q)| (p.to_f64().unwrap_or(0.0), q.to_f64().unwrap_or(0.0)))
        .collect()
}

fn user(paper: &mut Paper, edges: &mut Edges, e: UserEvent, out: &mut Outbox) {
    let Some(account) = edges.account.as_mut() else {
        return;
    };
    let now = edges.clock.now_ms();
    let reconciled_balances =
        matches!(&e, UserEvent::Balances(p) if p.source == Source::Reconciled);
    match (account.translator.translate(&e), &e) {
        (Translated::Report(r @ Report::Fill { .. }), UserEvent::Fill(f)) => {
            let symbol = f.symbol.to_string();
            if paper.has_trade(&symbol, f.trade_id) {
                tracing::info!("trade {} of {symbol} is journaled already", f.trade_id);
                return;
            }
            crate::failpoint::hit("fill-before-journal");
            let Report::Fill { order, .. } = r else {
                return;
            };
            let note = Entry::Trade {
                symbol,
                trade_id: f.trade_id,
                order,
            };
            paper.live_event_noting(Event::Report { at: now, report: r }, note, out);
        }
        (Translated::Report(r), _) => paper.live_event(Event::Report { at: now, report: r }, out),
        (Translated::Foreign(text), _) => {
            tracing::warn!(target: crate::logging::TRADE_TARGET, "{text}");
            paper.note(AlertLevel::Warn, text, out);
        }
        (Translated::Nothing, UserEvent::Health(status)) => {
            tracing::info!("user data: {:?}", status.state);
        }
        (Translated::Nothing, _) => {}
    }
    if reconciled_balances {
        let check = std::mem::take(&mut account.check);
        account.check = check.run(paper, &mut edges.monitor, out);
    }
}

fn on_sent(paper: &mut Paper, edges: &mut Edges, s: Sent, out: &mut Outbox) {
    let now = edges.clock.now_ms();
    let Some(account) = edges.account.as_mut() else {
        return;
    };
    match s {
        Sent::Placed { exchange_id, order } => account.translator.learn(exchange_id, order),
        Sent::Report(r) => paper.live_event(Event::Report { at: now, report: r }, out),
        Sent::Trouble(text) => {
            tracing::error!(target: crate::logging::TRADE_TARGET, "{text}");
            paper.note(AlertLevel::Error, text, out);
        }
        Sent::Request { ok, latency_ms } => {
            if let Some(b) = edges.monitor.request(now, ok, latency_ms) {
                paper.breaker(b, out);
            }
        }
        Sent::Banned { retry_after } => {
            let ms = i64::try_from(retry_after.as_millis()).unwrap_or(i64::MAX);
            if let Some(b) = edges.monitor.banned(now.saturating_add(ms)) {
                paper.breaker(b, out);
            }
        }
    }
}
