//! What a paper session shows of itself: the whole replica at the start, then the small
//! snapshots (account, orders, strategies, status, books) sent after each batch of steps.

use super::{Outbox, Paper, book};
use crate::core::{Command, OrderKind, Origin, Qty, to_f64};
use crate::exchange::Exchange;
use crate::replica::{
    AccountView, Balance, FeedHealth, MAX_CANDLES, Market, Mode, OpenOrder, Position, Replica,
    Status, StrategyRow, StrategyState, Update,
};
use rust_decimal::Decimal;

/// A person's command in words, for the journal, the alert and the trade log.
pub fn describe(command: &Command, symbols: &[String]) -> String {
    let symbol = |i: usize| symbols.get(i).map_or("?", String::as_str).to_string();
    match command {
        Command::Place(r) => {
            let qty = match r.qty {
                Qty::Base(q) => q.normalize().to_string(),
                Qty::Quote(q) => format!("{} (quote)", q.normalize()),
            };
            let price = match r.kind {
                OrderKind::Market => String::new(),
                k => [
                    k.stop().map(|s| format!(" stop {}", s.normalize())),
                    k.limit().map(|p| format!(" at {}", p.normalize())),
                ]
                .into_iter()
                .flatten()
                .collect(),
            };
            format!(
                "{} {qty} {} {}{price}",
                r.side.as_str().to_lowercase(),
                symbol(r.instrument),
                r.kind.name().to_lowercase()
            )
        }
        Command::Cancel(id) => format!("cancel order {id}"),
        Command::CancelAll => "cancel all orders".into(),
        Command::Flatten(i) => format!("flatten {}", symbol(*i)),
        Command::Pause(i) => format!("pause strategy {i}"),
        Command::Resume(i) => format!("resume strategy {i}"),
        Command::KillSwitch => "kill switch: halt trading, cancel all orders".into(),
        Command::Release => "release the kill switch".into(),
    }
}

/// Decimals of a tick size such as 0.01 (2), for printing prices; 2 when there is no tick.
fn decimals(tick: Decimal) -> usize {
    if tick <= Decimal::ZERO {
        return 2;
    }
    tick.normalize().scale() as usize
}

impl Paper {
    /// An instrument's tick size as a float (for the synthesised book).
    fn tick(&self, m: usize) -> f64 {
        to_f64(self.engine.exchange().rules(m).tick_size)
    }

    /// The whole state, for a replica starting now: candle history up to the current step.
    pub fn replica(&self) -> Replica {
        let markets = self
            .engine
            .instruments()
            .iter()
            .enumerate()
            .map(|(m, inst)| {
                let rules = self.engine.exchange().rules(m);
                let done = &self.candles[m][..self.cursor[m]];
                let history = &done[done.len().saturating_sub(MAX_CANDLES)..];
                let last = history.last().map_or(f64::NAN, |c| c.close);
                Market {
                    symbol: inst.symbol.clone(),
                    base: rules.base.clone(),
                    quote: rules.quote.clone(),
                    price_decimals: decimals(self.engine.exchange().rules(m).tick_size),
                    candles: history.iter().copied().collect(),
                    forming: None,
                    last,
                    book: history
                        .last()
                        .map(|c| book::simulate(last, c, self.tick(m), self.book_levels))
                        .unwrap_or_default(),
                }
            })
            .collect();
        Replica {
            mode: self.mode,
            source: match self.mode {
                Mode::PaperReplay => "replay of stored Binance candles".into(),
                _ => "Binance live streams".into(),
            },
            interval: Some(self.interval),
            quote: self.quote.clone(),
            initial_equity: self.initial,
            markets,
            account: self.account_view(),
            orders: self.orders_view(),
            fills: Default::default(),
            strategies: self.strategies_view(),
            status: self.status(),
            alerts: Default::default(),
            version: 0,
        }
    }

    /// The small snapshots, appended after a batch of steps or a command.
    pub fn publish(&self, out: &mut Outbox) {
        // A live-data session's books are the exchange's own, sent as they come.
        let books = if self.mode == Mode::PaperReplay {
            self.candles.len()
        } else {
            0
        };
        for m in 0..books {
            let done = self.cursor[m];
            if let Some(c) = done.checked_sub(1).and_then(|i| self.candles[m].get(i)) {
                let last = self.engine.last_close(m);
                out.updates.push(Update::Book {
                    market: m,
                    book: book::simulate(last, c, self.tick(m), self.book_levels),
                });
            }
        }
        out.updates.push(Update::Account(self.account_view()));
        out.updates.push(Update::Orders(self.orders_view()));
        out.updates.push(Update::Strategies(self.strategies_view()));
        out.updates.push(Update::Status(self.status()));
    }

    pub fn status(&self) -> Status {
        let feed = if let Some(health) = &self.feed {
            health.clone()
        } else if self.next_open().is_none() {
            FeedHealth::Ended
        } else if self.paused {
            FeedHealth::Paused
        } else {
            FeedHealth::Running
        };
        Status {
            now: self.engine.now(),
            feed,
            speed: self.speed,
            halted: self.engine.risk().halted().map(crate::risk::Halt::label),
        }
    }

    fn account_view(&self) -> AccountView {
        let account = self.engine.exchange().account();
        let desk = self.engine.observer();
        let mut balances = Vec::new();
        for (asset, name) in account.assets() {
            let (free, locked) = (account.free(asset), account.locked(asset));
            if free.is_zero() && locked.is_zero() && name != self.quote {
                continue;
            }
            let price = self.price_of(name);
            balances.push(Balance {
                asset: name.to_string(),
                free,
                locked,
                value: to_f64(free + locked) * price,
            });
        }
        let positions = (0..self.candles.len())
            .filter_map(|m| {
                let rules = self.engine.exchange().rules(m);
                let qty = account.total(account.find(&rules.base)?);
                if qty <= Decimal::ZERO {
                    return None;
                }
                let last = self.engine.last_close(m);
                let lot = desk.totals[m];
                let value = to_f64(qty) * last;
                let entry = lot.entry();
                let cost = entry.map_or(value, |e| e * to_f64(qty));
                Some(Position {
                    market: m,
                    symbol: desk.symbols[m].clone(),
                    qty,
                    entry,
                    last,
                    value,
                    unrealized: value - cost,
                    unrealized_pct: if cost > 0.0 {
                        (value / cost - 1.0) * 100.0
                    } else {
                        0.0
                    },
                })
            })
            .collect();
        AccountView {
            balances,
            positions,
            equity: self.engine.mark(),
            day_open_equity: self.day_open,
        }
    }

    /// The last price of an asset in the account currency (1 for the currency itself).
    fn price_of(&self, asset: &str) -> f64 {
        if asset == self.quote {
            return 1.0;
        }
        (0..self.candles.len())
            .find(|&m| self.engine.exchange().rules(m).base == asset)
            .map_or(0.0, |m| self.engine.last_close(m))
    }

    fn orders_view(&self) -> Vec<OpenOrder> {
        let desk = self.engine.observer();
        self.engine
            .exchange()
            .open_orders()
            .iter()
            .map(|o| {
                let r = &o.request;
                let rules = self.engine.exchange().rules(r.instrument);
                let qty = match r.qty {
                    Qty::Base(q) => format!("{} {}", q.normalize(), rules.base),
                    Qty::Quote(q) => format!("{} {}", q.round_dp(2), rules.quote),
                };
                OpenOrder {
                    id: o.id,
                    market: r.instrument,
                    symbol: desk.symbols.get(r.instrument).cloned().unwrap_or_default(),
                    side: r.side,
                    kind: r.kind.name(),
                    qty,
                    price: r.kind.limit(),
                    stop: r.kind.stop(),
                    origin: desk.origin_name(r.origin),
                }
            })
            .collect()
    }

    fn strategies_view(&self) -> Vec<StrategyRow> {
        let desk = self.engine.observer();
        let symbols = desk.symbols.join(", ");
        let halted = self.engine.is_halted();
        self.engine
            .strategy_states()
            .into_iter()
            .enumerate()
            .map(|(i, (running, signal))| {
                let lots = desk.strategy_lots(i);
                let pnl = lots
                    .iter()
                    .enumerate()
                    .map(|(m, l)| l.pnl(self.engine.last_close(m)))
                    .sum();
                StrategyRow {
                    name: desk.origin_name(Origin::Strategy(i)),
                    state: match (halted, running) {
                        (true, _) => StrategyState::Halted,
                        (false, true) => StrategyState::Running,
                        (false, false) => StrategyState::Paused,
                    },
                    params: self.params.get(i).cloned().unwrap_or_default(),
                    symbols: symbols.clone(),
                    last_signal: signal.map(|(t, s)| (*t, s.to_string())),
                    pnl,
                    fills: lots.iter().map(|l| l.fills).sum(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{OrderRequest, Side};

    #[test]
    fn commands_read_as_a_person_would_say_them() {
        let inst = ["BTCUSDT".to_string()];
        let buy = Command::Place(OrderRequest {
            instrument: 0,
            side: Side::Buy,
            kind: OrderKind::Limit {
                price: Decimal::new(6_000_050, 2),
            },
            qty: Qty::Base(Decimal::new(150, 4)),
            oco: None,
            origin: Origin::Manual,
        });
        assert_eq!(describe(&buy, &inst), "buy 0.015 BTCUSDT limit at 60000.5");
        assert_eq!(describe(&Command::Flatten(0), &inst), "flatten BTCUSDT");
        assert_eq!(decimals(Decimal::new(1, 2)), 2);
        assert_eq!(decimals(Decimal::new(100, 2)), 0);
        assert_eq!(decimals(Decimal::new(1, 5)), 5);
    }
}
