//! Opening a session on live data: the warm-up history over REST, the market feed, and for live
//! trading the account (exchangeInfo's filters, the balances, the journal's session carried on
//! and its open orders checked with Binance one by one), the user-data stream resumed after the
//! last journaled trade, and the sender.
//!
//! Recovery of a journaled order still open when the engine stopped: Binance is asked for it by
//! its client id. Found, it is mirrored again with the state Binance gives (its fills, if any,
//! come through the user-data stream's reconciliation, after the last journaled trade). Not
//! found, it never reached Binance (the engine stopped between journaling and sending): it is
//! closed as rejected with that reason, and never sent again. Either way nothing is sent twice.

use super::LiveError;
use super::ids::Ids;
use super::reconcile::Check;
use super::run::{Account, Edges};
use super::send::Sender;
use super::translate::Translator;
use crate::backtest::Spec;
use crate::binance::stream::{self, StreamConfig, StreamKind};
use crate::binance::user::{UserConfig, UserDeps, UserStream};
use crate::binance::{MarketClient, ServerClock, Signer, TradeClient, TradeConfig, WeightLimiter};
use crate::clock::Clock;
use crate::config::Config;
use crate::core::{Event, OrderStatus, Reject};
use crate::exchange::{LiveExchange, Report};
use crate::journal::Journal;
use crate::market::{Candle, Interval, Symbol};
use crate::paper::{Outbox, Paper, PaperSetup, Trading};
use crate::replica::{Mode, Speed};
use crate::risk::breakers::Monitor;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What a live-data session starts from.
pub struct Start {
    pub config: Config,
    pub data_dir: PathBuf,
    /// `PaperLive` or `Live`.
    pub mode: Mode,
    /// Live only: the trading client's signer and the user-data stream's (the same keys).
    pub signers: Option<(Signer, Signer)>,
    pub clock: Arc<dyn Clock>,
}

/// Binance's largest klines page: the warm-up is at most this many candles.
const MAX_WARMUP: i64 = 1000;

pub async fn open(s: Start) -> Result<(Paper, Edges), LiveError> {
    let cfg = &s.config;
    let symbols = cfg.paper.symbols.clone();
    let interval = cfg.paper.interval;
    let limiter = Arc::new(WeightLimiter::new(6000, s.clock.clone()));
    let endpoints = cfg.binance.endpoints();
    let market = Arc::new(MarketClient::new(
        endpoints.rest.as_str(),
        limiter.clone(),
        Duration::from_secs(10),
    )?);
    let warmup = i64::try_from(cfg.paper.warmup_bars.get())
        .unwrap_or(0)
        .min(MAX_WARMUP);
    let now = s.clock.now_ms();
    let mut candles = Vec::new();
    for symbol in &symbols {
        candles.push(history(&market, symbol, interval, warmup, now).await?);
    }
    let strategies: Vec<(String, Vec<(String, String)>)> = cfg
        .paper
        .strategies
        .iter()
        .map(|name| (name.clone(), cfg.strategy_settings(name)))
        .collect();
    let spec = Spec::from_config(&cfg.backtest, "", Vec::new(), interval);
    let mut journal = Journal::open(&s.data_dir)?;
    let mut trading = Trading {
        mode: s.mode,
        ..Trading::default()
    };
    let mut account = None;
    let mut pending = Vec::new();
    if s.mode == Mode::Live {
        let (trade_signer, user_signer) = s.signers.ok_or(LiveError::NoKeys)?;
        let trade = Arc::new(TradeClient::new(
            TradeConfig::from_config(&cfg.binance),
            trade_signer,
            limiter.clone(),
            s.clock.clone(),
        )?);
        trade.sync_time().await?;
        let info = trade.exchange_info().await?;
        let mut rules = Vec::new();
        for symbol in &symbols {
            rules.push(
                info.rules_for(symbol.as_str())
                    .ok_or_else(|| LiveError::NotListed(symbol.to_string()))?,
            );
        }
        let balances: Vec<(String, Decimal, Decimal)> = trade
            .account()
            .await?
            .balances
            .iter()
            .map(|b| (b.asset.clone(), b.free, b.locked))
            .collect();
        let previous = journal.last_session_of(Mode::Live.label())?;
        let session = match previous {
            Some(id) => {
                tracing::info!("carrying on live session {id} from the journal");
                id
            }
            None => journal.begin_session(Mode::Live.label())?,
        };
        let totals: Vec<(String, Decimal)> =
            balances.iter().map(|b| (b.0.clone(), b.1 + b.2)).collect();
        journal.set_baseline(session, &totals)?;
        let ids = Ids::for_session(session).map_err(|e| LiveError::Setup(e.to_string()))?;
        let assets = rules
            .iter()
            .map(|r| (r.base.clone(), r.quote.clone()))
            .collect();
        let mut translator = Translator::new(ids.clone(), symbols.clone(), assets);
        let mut live = LiveExchange::new(rules, &balances, cfg.backtest.taker_fee.0);
        let names: Vec<String> = symbols.iter().map(ToString::to_string).collect();
        let strategy_names: Vec<String> = strategies.iter().map(|s| s.0.clone()).collect();
        let rows = journal.orders(session)?;
        trading.first_id = rows.iter().map(|r| r.id).max().unwrap_or(0);
        trading.last_group = rows.iter().filter_map(|r| r.oco).max().unwrap_or(0);
        let restore = Restore {
            trade: &trade,
            ids: &ids,
            names: &names,
            strategies: &strategy_names,
        };
        pending = restore.orders(&rows, &mut live, &mut translator).await?;
        // Fills before the session began are not its own (the clock is the injected one's: a
        // test's exchange may keep another time than the wall clock the journal stamps).
        let since = journal.session_started(session)?.unwrap_or(now).min(now);
        let mut user_cfg = UserConfig::from_config(&cfg.binance, symbols.clone(), since);
        user_cfg.resume = journal
            .trade_cursors(session)?
            .into_iter()
            .filter_map(|(s, id)| Some((s.parse().ok()?, id)))
            .collect();
        let server = ServerClock::new(s.clock.clone(), Duration::from_secs(600))
            .map_err(|e| LiveError::Setup(e.to_string()))?;
        let user = UserStream::spawn(
            user_cfg,
            UserDeps {
                signer: Arc::new(user_signer),
                server: Arc::new(server),
                limiter: limiter.clone(),
                rest: trade.clone(),
            },
        );
        let (tx, sent) = tokio::sync::mpsc::unbounded_channel();
        let sender = Sender::spawn(trade, ids, names, tx);
        account = Some(Account {
            user,
            sender,
            sent,
            translator,
            // Only a restart has something to compare: a new session starts from the balances.
            check: match previous {
                Some(_) => Check::new(cfg.trading.on_mismatch),
                None => Check::default(),
            },
        });
        trading.live = Some(live);
        trading.session = Some(session);
    }
    let warm = candles.iter().map(Vec::len).max().unwrap_or(0);
    let setup = PaperSetup {
        symbols: symbols.clone(),
        interval,
        candles,
        warmup: warm,
        strategies,
        cash: cfg.paper.cash.0,
        sim: spec.sim(),
        filters: spec.filters,
        speed: Speed::X1,
        book_levels: usize::try_from(cfg.ui.book_levels.get()).unwrap_or(12),
        journal: Some(journal),
        risk: cfg.risk.clone(),
        trading,
    };
    let mut paper = Paper::new(setup)?;
    let mut out = Outbox::default();
    for report in pending {
        paper.live_event(Event::Report { at: now, report }, &mut out);
    }
    if s.mode == Mode::Live {
        // Exits still resting are taken over; those cancelled meanwhile go out again with the
        // loop's first flush (journaled now, sent then).
        paper.rearm(&mut out);
    }
    let mut kinds = vec![StreamKind::Kline(interval), StreamKind::Depth];
    if s.mode == Mode::PaperLive {
        kinds.push(StreamKind::AggTrade);
    }
    let feed = stream::spawn(
        StreamConfig::from_config(&cfg.binance, symbols.clone(), kinds),
        market,
        s.clock.clone(),
    )?;
    let edges = Edges {
        feed,
        symbols,
        interval,
        account,
        monitor: Monitor::new(cfg.risk.breakers()),
        clock: s.clock,
    };
    Ok((paper, edges))
}

/// What recovering the journal's open orders needs.
struct Restore<'a> {
    trade: &'a TradeClient,
    ids: &'a Ids,
    names: &'a [String],
    strategies: &'a [String],
}

impl Restore<'_> {
    /// Mirrors each journaled open order again and asks Binance for it by client id; returns the
    /// reports that close what is no longer open (or never left), for the session to apply.
    async fn orders(
        &self,
        rows: &[crate::journal::OrderRow],
        live: &mut LiveExchange,
        translator: &mut Translator,
    ) -> Result<Vec<Report>, LiveError> {
        let mut pending = Vec::new();
        for row in rows.iter().filter(|r| r.status.is_open()) {
            let Some(order) = row.to_order(self.names, self.strategies) else {
                tracing::warn!("journaled order {} cannot be restored", row.id);
                continue;
            };
            let client_id = self.ids.order(order.id);
            let found = self.trade.query(&row.symbol, client_id.as_str()).await?;
            live.restore(order.clone());
            let Some(report) = found else {
                tracing::warn!(
                    "order {} ({client_id}) never reached Binance: closed, not sent again",
                    order.id
                );
                pending.push(Report::Order {
                    order: order.id,
                    status: OrderStatus::Rejected,
                    filled: Decimal::ZERO,
                    reason: Some(Reject::new(
                        "NOT_SENT",
                        "the engine stopped after journaling it and before Binance got it; not sent again",
                    )),
                });
                continue;
            };
            translator.learn(report.order_id, order.id);
            tracing::info!(
                "order {} ({client_id}) was open when the engine stopped; Binance has it as {:?}",
                order.id,
                report.status
            );
            let status = report.status.and_then(|s| s.to_core());
            if let Some(status) = status.filter(|s| !s.is_open()) {
                pending.push(Report::Order {
                    order: order.id,
                    status,
                    filled: report.executed_qty.unwrap_or_default(),
                    reason: None,
                });
            }
        }
        Ok(pending)
    }
}

/// The last `n` closed candles of a symbol before `now`.
async fn history(
    market: &MarketClient,
    symbol: &Symbol,
    interval: Interval,
    n: i64,
    now: i64,
) -> Result<Vec<Candle>, LiveError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let len = interval.approx_ms();
    let start = now - (n + 1) * len;
    let klines = market.klines(symbol, interval, start, None, n + 1).await?;
    Ok(klines
        .into_iter()
        .filter(|k| k.candle.open_time + len <= now)
        .map(|k| k.candle)
        .collect())
}
