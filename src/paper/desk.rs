//! The paper engine's observer: turns what the engine does into replica updates (fills, alerts)
//! and trade-log lines, and keeps a ledger of cost and realised PnL per origin (each strategy, and
//! the person at the keyboard) per market, from which positions' entry prices and strategies' PnL
//! are computed. Ledger figures are statistics (`f64`); balances stay with the exchange. It also
//! buffers, for the journal, every accepted order, each state change and each fill, in the order
//! they happened; `Paper::drain` writes them (one transaction a step) before the UI hears of them.

use crate::core::{
    EngineObserver, Fill, Order, OrderId, OrderRequest, OrderStatus, Origin, Qty, Reject, Side,
};
use crate::journal::{Entry, OrderEvent, OrderRow};
use crate::logging::TRADE_TARGET;
use crate::replica::{Alert, AlertLevel, FillRow};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Holdings bought by one origin in one market: quantity, what it cost (fees included) and the
/// PnL already realised by selling.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Lot {
    pub qty: f64,
    pub cost: f64,
    pub realized: f64,
    pub fills: usize,
}

impl Lot {
    fn add(&mut self, side: Side, qty: f64, price: f64, fee: f64) {
        self.fills += 1;
        match side {
            Side::Buy => {
                self.qty += qty;
                self.cost += qty * price + fee;
            }
            Side::Sell => {
                let sold = qty.min(self.qty.max(0.0));
                let avg = if self.qty > 0.0 {
                    self.cost / self.qty
                } else {
                    0.0
                };
                self.realized += sold * (price - avg) - fee;
                self.cost -= sold * avg;
                self.qty -= sold;
                if self.qty <= 1e-12 {
                    (self.qty, self.cost) = (0.0, 0.0);
                }
            }
        }
    }

    /// Average entry price of what is held.
    pub fn entry(&self) -> Option<f64> {
        (self.qty > 0.0).then(|| self.cost / self.qty)
    }

    pub fn pnl(&self, last: f64) -> f64 {
        self.realized + self.qty * last - self.cost
    }
}

pub struct Desk {
    pub symbols: Vec<String>,
    pub strategy_names: Vec<String>,
    /// Market time of the event being handled (rejections carry none of their own).
    pub now: i64,
    pub fills: Vec<FillRow>,
    pub alerts: Vec<Alert>,
    /// Refusals of the person's orders during the current command (its outcome).
    pub refusals: Vec<String>,
    /// Per origin (strategy index, or `strategies.len()` for manual) × market.
    lots: Vec<Vec<Lot>>,
    /// Per market, every origin together.
    pub totals: Vec<Lot>,
    /// Orders, order events and fills not yet in the journal, in the order they happened.
    pub journal: Vec<Entry>,
    /// The asset fees are charged in (the session's quote asset).
    pub fee_asset: String,
    /// What the session trades on, as journaled with refusals.
    pub mode: crate::replica::Mode,
    /// Open orders: base quantity asked (None for a quote amount) and base filled so far.
    open: Vec<(OrderId, Option<Decimal>, Decimal)>,
    /// Fills so far this session (the journal's trade sequence).
    fill_seq: u64,
}

impl Desk {
    pub fn new(symbols: Vec<String>, strategy_names: Vec<String>) -> Self {
        let n = symbols.len();
        Self {
            lots: vec![vec![Lot::default(); n]; strategy_names.len() + 1],
            totals: vec![Lot::default(); n],
            symbols,
            strategy_names,
            now: 0,
            fills: Vec::new(),
            alerts: Vec::new(),
            refusals: Vec::new(),
            journal: Vec::new(),
            fee_asset: String::new(),
            mode: crate::replica::Mode::PaperReplay,
            open: Vec::new(),
            fill_seq: 0,
        }
    }

    /// Carries on a journaled session: its fills rebuild the lots and continue the trade
    /// sequence, and its open orders are tracked again (a later fill knows what they asked).
    pub fn resume(&mut self, fills: &[crate::journal::FillRow], open: &[Order]) {
        for row in fills {
            let market = self.symbols.iter().position(|s| *s == row.symbol);
            let slot = self
                .strategy_names
                .iter()
                .position(|s| *s == row.origin)
                .unwrap_or(self.strategy_names.len());
            if let Some(m) = market {
                let (qty, price, fee) = (f(row.qty), f(row.price), f(row.fee));
                self.lots[slot][m].add(row.side, qty, price, fee);
                self.totals[m].add(row.side, qty, price, fee);
            }
            self.fill_seq = self.fill_seq.max(row.seq);
        }
        for o in open {
            let asked = match o.request.qty {
                crate::core::Qty::Base(q) => Some(q),
                crate::core::Qty::Quote(_) => None,
            };
            self.open.push((o.id, asked, o.filled));
        }
    }

    pub fn origin_name(&self, origin: Origin) -> String {
        match origin {
            Origin::Manual => "manual".into(),
            Origin::Strategy(i) => self
                .strategy_names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("strategy {i}")),
        }
    }

    /// The lots of one strategy, by market.
    pub fn strategy_lots(&self, strategy: usize) -> &[Lot] {
        self.lots.get(strategy).map_or(&[], Vec::as_slice)
    }

    pub fn alert(&mut self, level: AlertLevel, text: impl Into<String>) {
        self.alerts.push(Alert {
            at: self.now,
            level,
            text: text.into(),
        });
    }

    fn symbol(&self, market: usize) -> &str {
        self.symbols.get(market).map_or("?", String::as_str)
    }
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The journal's side of the desk: orders' states as fills and closes move them.
impl Desk {
    fn journal_accepted(&mut self, order: &Order) {
        let r = &order.request;
        let (qty, asked, in_quote) = match r.qty {
            Qty::Base(q) => (q, Some(q), false),
            Qty::Quote(q) => (q, None, true),
        };
        self.open.push((order.id, asked, Decimal::ZERO));
        self.journal.push(Entry::Accepted(OrderRow {
            id: order.id,
            origin: self.origin_name(r.origin),
            symbol: self.symbol(r.instrument).to_string(),
            side: r.side,
            kind: r.kind.name().to_string(),
            price: r.kind.limit(),
            stop: r.kind.stop(),
            qty,
            qty_in_quote: in_quote,
            oco: r.oco,
            status: order.status,
            filled: order.filled,
            placed_ms: order.placed_at,
            updated_ms: order.placed_at,
            reason: None,
        }));
    }

    /// A fill's own row, then its order's new state: partially filled while base is still
    /// asked for; filled otherwise (a quote amount is spent in one fill by the simulated
    /// exchange).
    fn journal_fill(&mut self, fill: &Fill, symbol: &str, origin: &str) {
        self.fill_seq += 1;
        self.journal.push(Entry::Fill(crate::journal::FillRow {
            seq: self.fill_seq,
            order: fill.order,
            symbol: symbol.to_string(),
            side: fill.side,
            qty: fill.qty,
            price: fill.price,
            quote: fill.quote,
            fee: fill.fee,
            fee_asset: self.fee_asset.clone(),
            liquidity: fill.liquidity,
            market_ms: fill.time,
            origin: origin.to_string(),
        }));
        let i = self.open.iter().position(|o| o.0 == fill.order);
        let (asked, filled) = match i.map(|i| &mut self.open[i]) {
            Some(o) => {
                o.2 += fill.qty;
                (o.1, o.2)
            }
            None => (None, fill.qty),
        };
        let status = match asked {
            Some(q) if filled < q => OrderStatus::PartiallyFilled,
            _ => OrderStatus::Filled,
        };
        if let (OrderStatus::Filled, Some(i)) = (status, i) {
            self.open.swap_remove(i);
        }
        self.journal_change(fill.order, status, filled, fill.time, None);
    }

    fn journal_closed(&mut self, order: OrderId, status: OrderStatus, reason: Option<&Reject>) {
        let filled = match self.open.iter().position(|o| o.0 == order) {
            Some(i) => self.open.swap_remove(i).2,
            None => Decimal::ZERO,
        };
        let reason = reason.map(ToString::to_string);
        self.journal_change(order, status, filled, self.now, reason);
    }

    fn journal_change(
        &mut self,
        order: OrderId,
        status: OrderStatus,
        filled: Decimal,
        at: i64,
        reason: Option<String>,
    ) {
        self.journal.push(Entry::Changed(OrderEvent {
            order,
            status,
            filled,
            market_ms: at,
            reason,
        }));
    }
}

impl EngineObserver for Desk {
    fn on_accepted(&mut self, order: &Order) {
        self.journal_accepted(order);
    }

    fn on_fill(&mut self, fill: &Fill) {
        let origin = self.origin_name(fill.origin);
        let slot = match fill.origin {
            Origin::Strategy(i) => i.min(self.strategy_names.len()),
            Origin::Manual => self.strategy_names.len(),
        };
        let (qty, price, fee) = (f(fill.qty), f(fill.price), f(fill.fee));
        if let Some(lot) = self.lots[slot].get_mut(fill.instrument) {
            lot.add(fill.side, qty, price, fee);
        }
        if let Some(lot) = self.totals.get_mut(fill.instrument) {
            lot.add(fill.side, qty, price, fee);
        }
        let symbol = self.symbol(fill.instrument).to_string();
        self.journal_fill(fill, &symbol, &origin);
        tracing::info!(
            target: TRADE_TARGET,
            "fill: order {} {} {} {} at {} fee {} ({origin}, paper)",
            fill.order, fill.side.as_str(), fill.qty.normalize(), symbol, fill.price.normalize(), fill.fee.round_dp(8).normalize()
        );
        if fill.origin == Origin::Manual {
            self.alert(
                AlertLevel::Info,
                format!(
                    "filled: {} {} {symbol} at {}",
                    fill.side.as_str().to_lowercase(),
                    fill.qty.normalize(),
                    fill.price.normalize()
                ),
            );
        }
        self.fills.push(FillRow {
            time: fill.time,
            order: fill.order,
            market: fill.instrument,
            symbol,
            side: fill.side,
            qty: fill.qty,
            price: fill.price,
            fee: fill.fee,
            origin,
        });
    }

    fn on_closed(&mut self, order: OrderId, status: OrderStatus, reason: Option<&Reject>) {
        self.journal_closed(order, status, reason);
        tracing::info!(target: TRADE_TARGET, "order {order} closed: {status:?}{}", reason.map(|r| format!(" ({r})")).unwrap_or_default());
        if let (OrderStatus::Expired, Some(r)) = (status, reason) {
            self.alert(AlertLevel::Warn, format!("order {order} expired: {r}"));
        }
    }

    fn on_rejected(&mut self, order: OrderId, request: &OrderRequest, reject: &Reject) {
        let what = format!(
            "{} {} {} ({})",
            request.side.as_str().to_lowercase(),
            request.kind.name(),
            self.symbol(request.instrument),
            self.origin_name(request.origin)
        );
        tracing::warn!(target: TRADE_TARGET, "order {order} refused: {what}: {reject}");
        self.journal.push(Entry::Refused(crate::journal::Refusal {
            market_ms: self.now,
            mode: self.mode.label().into(),
            origin: self.origin_name(request.origin),
            order: format!(
                "{} {} {}",
                request.side.as_str().to_lowercase(),
                request.kind.name(),
                self.symbol(request.instrument)
            ),
            code: reject.code.into(),
            reason: reject.reason.clone(),
        }));
        if request.origin == Origin::Manual {
            // The command's own alert carries the refusal.
            self.refusals.push(reject.to_string());
        } else {
            self.alert(AlertLevel::Error, format!("refused {what}: {reject}"));
        }
    }

    fn on_signal(&mut self, strategy: usize, _at: i64, text: &str) {
        let name = self.origin_name(Origin::Strategy(strategy));
        tracing::info!("{name}: {text}");
    }

    fn on_halted(&mut self, _at: i64, halt: &crate::risk::Halt) {
        tracing::error!(target: TRADE_TARGET, "trading halted: {}", halt.reason());
        self.alert(AlertLevel::Error, format!("HALTED: {}", halt.reason()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lots_average_in_and_realise_on_the_way_out() {
        let mut lot = Lot::default();
        lot.add(Side::Buy, 1.0, 100.0, 0.1);
        lot.add(Side::Buy, 1.0, 120.0, 0.1);
        assert_eq!(lot.entry(), Some(110.1));
        lot.add(Side::Sell, 1.0, 130.0, 0.2);
        assert!((lot.realized - (130.0 - 110.1 - 0.2)).abs() < 1e-9);
        assert!((lot.pnl(130.0) - 2.0 * (130.0 - 110.1) + 0.2).abs() < 1e-9);
        lot.add(Side::Sell, 5.0, 90.0, 0.0);
        assert_eq!(lot.qty, 0.0, "never sells more than it holds");
        assert_eq!(lot.entry(), None);
        assert_eq!(lot.fills, 4);
    }

    fn limit_buy(id: OrderId, qty: &str) -> Order {
        Order {
            id,
            request: OrderRequest {
                instrument: 1,
                side: Side::Buy,
                kind: crate::core::OrderKind::Limit {
                    price: "10.5".parse().unwrap(),
                },
                qty: Qty::Base(qty.parse().unwrap()),
                oco: None,
                origin: Origin::Strategy(0),
            },
            status: OrderStatus::New,
            placed_at: 100,
            filled: Decimal::ZERO,
            triggered: false,
        }
    }

    fn part(order: OrderId, qty: &str, time: i64) -> Fill {
        let qty: Decimal = qty.parse().unwrap();
        let price: Decimal = "10.5".parse().unwrap();
        Fill {
            order,
            instrument: 1,
            side: Side::Buy,
            qty,
            price,
            quote: qty * price,
            fee: Decimal::ZERO,
            liquidity: crate::core::Liquidity::Maker,
            time,
            origin: Origin::Strategy(0),
        }
    }

    #[test]
    fn a_partly_filled_then_canceled_order_reaches_the_journal_with_each_state() {
        let mut desk = Desk::new(vec!["BTCUSDT".into(), "ETHUSDT".into()], vec!["s".into()]);
        desk.fee_asset = "USDT".into();
        desk.on_accepted(&limit_buy(4, "3"));
        desk.on_fill(&part(4, "1", 200));
        desk.on_fill(&part(4, "0.5", 300));
        desk.now = 400;
        desk.on_closed(4, OrderStatus::Canceled, None);
        desk.on_accepted(&limit_buy(5, "1"));
        desk.on_fill(&part(5, "1", 500));
        let dir = tempfile::tempdir().unwrap();
        let mut j = crate::journal::Journal::open(dir.path()).unwrap();
        let session = j.begin_session("PAPER · REPLAY").unwrap();
        j.write(session, &std::mem::take(&mut desk.journal))
            .unwrap();
        let history: Vec<(OrderStatus, String, i64)> = j
            .order_history(session, 4)
            .unwrap()
            .into_iter()
            .map(|e| (e.status, e.filled.to_string(), e.market_ms))
            .collect();
        let want = [
            (OrderStatus::New, "0", 100),
            (OrderStatus::PartiallyFilled, "1", 200),
            (OrderStatus::PartiallyFilled, "1.5", 300),
            (OrderStatus::Canceled, "1.5", 400),
        ];
        let want: Vec<(OrderStatus, String, i64)> = want
            .iter()
            .map(|(s, q, t)| (*s, q.to_string(), *t))
            .collect();
        assert_eq!(history, want);
        let orders = j.orders(session).unwrap();
        assert_eq!(
            (orders[0].symbol.as_str(), orders[0].origin.as_str()),
            ("ETHUSDT", "s")
        );
        assert_eq!(
            (orders[1].status, orders[1].filled),
            (OrderStatus::Filled, Decimal::ONE)
        );
        let fills = j.fills(session).unwrap();
        assert_eq!(fills.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(
            j.positions_from_fills(session).unwrap()["ETHUSDT"].qty,
            "2.5".parse::<Decimal>().unwrap()
        );
        assert!(
            desk.open.is_empty(),
            "closed and filled orders are forgotten"
        );
    }
}
