//! The simulated exchange, shared by backtests and paper trading. It holds the account like a real
//! exchange: accepted orders lock funds (free → locked), fills move them, and nothing can be sold
//! that is not held (spot: no short selling).
//!
//! Market orders fill at the next bar's open (`FillPolicy::NextOpen`, the default) or at the close
//! of the bar they were decided on (`ThisClose`), worsened by `slippage_bps`. Resting orders are
//! matched as each bar is walked (see `matching` and `walk`). Fees are charged in the quote asset:
//! `taker_fee` for market and stop fills and for limits the open gaps past, `maker_fee` for
//! limits filled at their price. A market buy for a quote amount spends exactly that amount, fee
//! included: qty = amount / (1 + fee) / price.
//!
//! Paper trading on live data (`set_live_book(true)`; off by default, leaving the above as is)
//! fills against the live feed instead of bars, which then only update the last candle.
//! Market orders, triggered stop-markets and the marketable part of a limit take the book's
//! known levels best first as taker, without `slippage_bps` (the levels are the price impact):
//! one fill at the volume-weighted price, the rest of a market order expiring when the levels
//! run out, the rest of a limit resting. A market order placed before any book waits for the
//! first one. Resting limits fill at their price as maker only when a trade prints strictly
//! through them (a touch may just be the queue ahead of us); stops trigger on trades.

mod live;
mod matching;
mod settle;

use super::locks::{self, Locks};
use super::{Exchange, ExecEvent, SymbolRules};
use crate::core::{
    Account, Asset, Order, OrderId, OrderKind, OrderRequest, OrderStatus, Qty, Reject, Side,
};
use crate::market::Candle;
use matching::{Point, Step};
use rust_decimal::Decimal;

/// When a market order decided on a bar's close executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FillPolicy {
    /// At the next bar's open: the decision could not have been known earlier.
    #[default]
    NextOpen,
    /// At the close of the decision bar (optimistic; for comparison with tools that do this).
    ThisClose,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub fill: FillPolicy,
    pub slippage_bps: Decimal,
    pub maker_fee: Decimal,
    pub taker_fee: Decimal,
}

impl SimConfig {
    /// No fees, no slippage, market orders at the next open: for tests and worked examples.
    pub fn frictionless() -> Self {
        Self {
            fill: FillPolicy::NextOpen,
            slippage_bps: Decimal::ZERO,
            maker_fee: Decimal::ZERO,
            taker_fee: Decimal::ZERO,
        }
    }
}

struct Listing {
    rules: SymbolRules,
    base: Asset,
    quote: Asset,
    last: Option<Candle>,
}

/// What paper trading on live data knows of one listing's market.
#[derive(Default)]
struct Feed {
    /// The latest live book, consumed as our orders take from it.
    book: Option<super::Depth>,
    /// The latest live price (best ask or trade, whichever came last).
    mark: Option<Decimal>,
}

pub struct SimExchange {
    cfg: SimConfig,
    account: Account,
    listings: Vec<Listing>,
    orders: Vec<Order>,
    /// What each open order has locked: (asset, amount).
    locks: Locks,
    /// 1 + maker fee and 1 + taker fee, for quote-amount buys.
    gross: (Decimal, Decimal),
    /// Per listing, the live market, when filling against the live book and trades rather than
    /// along bars (empty otherwise: backtests carry no live state).
    feeds: Vec<Feed>,
}

impl std::fmt::Display for FillPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NextOpen => "next-open",
            Self::ThisClose => "this-close",
        })
    }
}

impl SimExchange {
    /// An exchange listing `rules` (index = instrument), with `cash` of `quote` deposited.
    pub fn new(cfg: SimConfig, rules: Vec<SymbolRules>, deposits: &[(&str, Decimal)]) -> Self {
        let mut account = Account::new();
        let listings = rules
            .into_iter()
            .map(|rules| {
                let (base, quote) = (account.asset(&rules.base), account.asset(&rules.quote));
                Listing {
                    rules,
                    base,
                    quote,
                    last: None,
                }
            })
            .collect();
        for (asset, amount) in deposits {
            let a = account.asset(asset);
            account.deposit(a, *amount);
        }
        let gross = (Decimal::ONE + cfg.maker_fee, Decimal::ONE + cfg.taker_fee);
        Self {
            cfg,
            account,
            listings,
            orders: Vec::new(),
            locks: Locks::default(),
            gross,
            feeds: Vec::new(),
        }
    }

    /// Paper trading on live data: fill against `on_book`/`on_trade` instead of along bars.
    /// Off by default, where both are ignored and backtests and replay keep their bar fills.
    pub fn set_live_book(&mut self, on: bool) {
        self.feeds.clear();
        if on {
            self.feeds.resize_with(self.listings.len(), Feed::default);
        }
    }

    fn is_live(&self) -> bool {
        !self.feeds.is_empty()
    }

    /// The price a market buy by quantity is locked at: the last candle's close, or in live
    /// mode the latest live price, which is fresher than any closed candle.
    fn reference(&self, instrument: usize) -> Decimal {
        let l = &self.listings[instrument];
        let close = l.last.map(|c| settle::decimal(c.close));
        let live = self.feeds.get(instrument).and_then(|f| f.mark);
        live.or(close).unwrap_or_default()
    }

    /// An exchange listing `symbols` with Binance's filters (or none, `filters` off), `cash` of
    /// the first symbol's quote asset deposited: how backtests and paper sessions open.
    pub fn for_symbols(cfg: SimConfig, symbols: &[String], filters: bool, cash: Decimal) -> Self {
        let rules: Vec<SymbolRules> = symbols
            .iter()
            .map(|s| {
                if filters {
                    super::rules_for(s)
                } else {
                    super::unrestricted(s)
                }
            })
            .collect();
        let quote = rules
            .first()
            .map_or_else(|| "USDT".into(), |r| r.quote.clone());
        Self::new(cfg, rules, &[(quote.as_str(), cash)])
    }

    /// The account currency: the quote asset of the first listing.
    pub fn quote(&self) -> &str {
        self.listings
            .first()
            .map_or("USDT", |l| l.rules.quote.as_str())
    }

    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// The funds an order needs locked, estimated at `reference` for market buys by quantity
    /// (at the worse of the two fees).
    fn requirement(&self, req: &OrderRequest, reference: Decimal) -> (Asset, Decimal) {
        let l = &self.listings[req.instrument];
        let worst = Decimal::ONE + self.cfg.taker_fee.max(self.cfg.maker_fee);
        locks::requirement(req, (l.base, l.quote), reference, worst)
    }

    fn release(&mut self, id: OrderId) {
        self.locks.release(&mut self.account, id);
    }

    fn close(
        &mut self,
        id: OrderId,
        status: OrderStatus,
        reason: Option<Reject>,
        out: &mut Vec<ExecEvent>,
    ) {
        self.release(id);
        self.orders.retain(|o| o.id != id);
        out.push(ExecEvent::Closed {
            order: id,
            status,
            reason,
        });
    }

    /// Closes the other members of a filled order's one-cancels-other group.
    fn cancel_group(&mut self, filled: &Order, out: &mut Vec<ExecEvent>) {
        let Some(group) = filled.request.oco else {
            return;
        };
        let others: Vec<OrderId> = self
            .orders
            .iter()
            .filter(|o| o.request.oco == Some(group) && o.id != filled.id)
            .map(|o| o.id)
            .collect();
        for id in others {
            self.close(id, OrderStatus::Canceled, None, out);
        }
    }

    /// Offers the candle's open, low, high and close, in that order, to the instrument's orders.
    ///
    /// `first` is true for a whole bar or the first finer candle inside it: an order the bar's
    /// open gaps past executes at the open (as taker). Later finer candles open where the one
    /// before closed, so their opens are ordinary points on the path, except for an order placed
    /// at that very moment, which arrives at that price. An order placed after a candle opened is
    /// not matched against it: those prices came before it existed.
    fn walk(&mut self, instrument: usize, bar: &Candle, first: bool, out: &mut Vec<ExecEvent>) {
        for (x, point) in [
            (bar.open, Point::Open),
            (bar.low, Point::Low),
            (bar.high, Point::High),
            (bar.close, Point::Close),
        ] {
            if !self
                .orders
                .iter()
                .any(|o| o.request.instrument == instrument)
            {
                return;
            }
            let x = settle::decimal(x);
            let mut i = 0;
            while i < self.orders.len() {
                let o = &self.orders[i];
                if o.request.instrument != instrument || o.placed_at > bar.open_time {
                    i += 1;
                    continue;
                }
                let arrives = o.placed_at == bar.open_time;
                let point = if point == Point::Open && !first && !arrives {
                    Point::Low
                } else {
                    point
                };
                match matching::step(&o.request.kind, o.request.side, o.triggered, x, point) {
                    Step::Nothing => i += 1,
                    Step::Triggered => {
                        self.orders[i].triggered = true;
                        i += 1;
                    }
                    Step::Execute {
                        price,
                        liquidity,
                        market,
                    } => {
                        let order = self.orders[i].clone();
                        let price = if market {
                            settle::slip(price, order.request.side, self.cfg.slippage_bps)
                        } else {
                            price
                        };
                        self.execute(&order, price, liquidity, bar.open_time, out);
                        // `execute` removed the order (and maybe its group): re-scan from the start.
                        i = 0;
                    }
                }
            }
        }
    }
}

impl Exchange for SimExchange {
    fn account(&self) -> &Account {
        &self.account
    }

    fn rules(&self, instrument: usize) -> &SymbolRules {
        &self.listings[instrument].rules
    }

    fn open_orders(&self) -> &[Order] {
        &self.orders
    }

    fn submit(
        &mut self,
        id: OrderId,
        order: crate::risk::Approved,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) -> Result<(), Reject> {
        let request = order.into_request();
        let l = self
            .listings
            .get(request.instrument)
            .ok_or_else(|| Reject::new("INVALID", "no such instrument"))?;
        let reference = self.reference(request.instrument);
        check_shape(&request, &l.rules, reference)?;
        if let (Side::Sell, Qty::Base(q)) = (request.side, request.qty) {
            let held =
                self.account.total(l.base) - self.open_sells(request.instrument, request.oco);
            if q > held {
                let why = format!(
                    "selling {q} {b} but only {held} {b} is held and not already offered; spot trading has no short selling",
                    b = l.rules.base
                );
                return Err(Reject::new("NO_SHORT_SELLING", why));
            }
        }
        let need = self.requirement(&request, reference);
        self.locks
            .lock(&mut self.account, &self.orders, (id, request.oco), need)?;
        let order = Order {
            id,
            request,
            status: OrderStatus::New,
            placed_at: now,
            filled: Decimal::ZERO,
            triggered: false,
        };
        let immediate = !self.is_live()
            && self.cfg.fill == FillPolicy::ThisClose
            && order.request.kind == OrderKind::Market;
        self.orders.push(order.clone());
        if self.is_live() {
            self.arrive(&order, now, out);
            return Ok(());
        }
        if let (true, Some(close)) = (
            immediate,
            self.listings[order.request.instrument]
                .last
                .map(|c| c.close),
        ) {
            let price = settle::slip(
                settle::decimal(close),
                order.request.side,
                self.cfg.slippage_bps,
            );
            self.execute(&order, price, crate::core::Liquidity::Taker, now, out);
        }
        Ok(())
    }

    fn cancel(&mut self, id: OrderId, out: &mut Vec<ExecEvent>) -> Result<(), Reject> {
        let Some(order) = self.orders.iter().find(|o| o.id == id).cloned() else {
            return Err(Reject::new(
                "UNKNOWN_ORDER",
                format!("order {id} is not open"),
            ));
        };
        // As on Binance, cancelling one leg of a one-cancels-other list cancels the list.
        self.cancel_group(&order, out);
        self.close(id, OrderStatus::Canceled, None, out);
        Ok(())
    }

    fn on_bar(
        &mut self,
        instrument: usize,
        bar: &Candle,
        detail: &[Candle],
        out: &mut Vec<ExecEvent>,
    ) {
        let resting = self
            .orders
            .iter()
            .any(|o| o.request.instrument == instrument);
        // Live, the book and trades match orders; the bar's prices were already traded on them.
        if resting && !self.is_live() {
            if detail.is_empty() {
                self.walk(instrument, bar, true, out);
            } else {
                for (k, sub) in detail.iter().enumerate() {
                    self.walk(instrument, sub, k == 0, out);
                }
            }
        }
        self.listings[instrument].last = Some(*bar);
    }

    fn on_book(
        &mut self,
        instrument: usize,
        book: &super::Depth,
        now: i64,
        out: &mut Vec<ExecEvent>,
    ) {
        if instrument < self.feeds.len() {
            self.live_book(instrument, book, now, out);
        }
    }

    fn on_trade(&mut self, instrument: usize, price: Decimal, now: i64, out: &mut Vec<ExecEvent>) {
        if instrument < self.feeds.len() {
            self.live_trade(instrument, price, now, out);
        }
    }
}

impl SimExchange {
    /// Base quantity already offered by open sell orders (an order's own OCO group excluded).
    fn open_sells(&self, instrument: usize, group: Option<u64>) -> Decimal {
        self.orders
            .iter()
            .filter(|o| o.request.instrument == instrument && o.request.side == Side::Sell)
            .filter(|o| group.is_none() || o.request.oco != group)
            .map(|o| match o.request.qty {
                Qty::Base(q) => q - o.filled,
                Qty::Quote(_) => Decimal::ZERO,
            })
            .sum()
    }
}

/// Exchange-side validation: the request is well-formed and within the symbol's filters.
fn check_shape(req: &OrderRequest, rules: &SymbolRules, reference: Decimal) -> Result<(), Reject> {
    let invalid = |why: &str| Err(Reject::new("INVALID", why.to_string()));
    super::quote_amount_allowed(req)?;
    if let Qty::Quote(amount) = req.qty {
        if amount <= Decimal::ZERO {
            return invalid("the quote amount must be positive");
        }
        if amount < rules.min_notional {
            let why = format!(
                "order value {:.2} {q} is below the minimum {} {q}",
                amount,
                rules.min_notional.normalize(),
                q = rules.quote
            );
            return Err(Reject::new("NOTIONAL", why));
        }
        return Ok(());
    }
    let Qty::Base(qty) = req.qty else {
        return Ok(());
    };
    if [req.kind.limit(), req.kind.stop()]
        .into_iter()
        .flatten()
        .any(|p| p <= Decimal::ZERO)
    {
        return invalid("prices must be positive");
    }
    let price = req.kind.limit().or(req.kind.stop()).unwrap_or(reference);
    if price.is_zero() {
        return rules.check(qty, Decimal::ONE).map(|_| ());
    }
    rules.check(qty, price)
}

#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;
