//! The scripting and inspection API tests drive the fake with (listed in the root module's
//! `//!`). Prices and quantities are given as decimal strings, as Binance writes them. Invariant:
//! every scripted market change goes through the exchange lock and produces exactly the stream
//! events a real change would (one depth diff per call, a book ticker when the top moved).

use super::account::{Balance, TradeRecord};
use super::exchange::Event;
use super::faults::Fault;
use super::hub::{ConnKind, Msg, WsConfig, WsStats};
use super::info::SymbolSpec;
use super::order::{Order, Side};
use super::signing::KeyKind;
use super::{Call, FakeBinance, klines, render};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use tickdesk::market::{Candle, Interval};

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The displayed book: its update id and levels, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct BookView {
    pub last_update_id: u64,
    pub bids: Vec<(Decimal, Decimal)>,
    pub asks: Vec<(Decimal, Decimal)>,
}

impl FakeBinance {
    // ---- klines (the `fetch` tests' API) ----

    pub fn hold(&self, symbol: &str, interval: Interval, candles: Vec<Candle>) {
        self.state()
            .klines
            .series
            .insert((symbol.to_string(), interval), candles);
    }

    pub fn forming(&self, symbol: &str, interval: Interval, candle: Candle) {
        self.state()
            .klines
            .forming
            .insert((symbol.to_string(), interval), candle);
    }

    /// Faults for the next klines requests, one each.
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.fail("GET /api/v3/klines", faults);
    }

    /// `fault` for the klines request after the next `clean` ones.
    pub fn after(&self, clean: usize, fault: Fault) {
        self.fail_after("GET /api/v3/klines", clean, fault);
    }

    pub fn requests(&self) -> Vec<klines::Request> {
        self.state().klines.log.clone()
    }

    // ---- faults and limits ----

    /// Faults for the next requests on `route` (`"POST /api/v3/order"`, `"WS session.logon"`…).
    pub fn fail(&self, route: &str, faults: impl IntoIterator<Item = Fault>) {
        let mut s = self.state();
        for f in faults {
            s.faults.push(route, Some(f));
        }
    }

    pub fn fail_after(&self, route: &str, clean: usize, fault: Fault) {
        let mut s = self.state();
        for _ in 0..clean {
            s.faults.push(route, None);
        }
        s.faults.push(route, Some(fault));
    }

    pub fn weight_limit(&self, limit: u32) {
        self.state().limits.weight_limit = limit;
    }

    pub fn order_limits(&self, per_10s: u32, per_day: u32) {
        let mut s = self.state();
        s.limits.orders_10s_limit = per_10s;
        s.limits.orders_1d_limit = per_day;
    }

    /// Ban for `secs` any request sent before a 429's `Retry-After` ran out.
    pub fn ban_on_violation(&self, secs: Option<u64>) {
        self.state().limits.ban_on_violation_secs = secs;
    }

    pub fn set_skew_ms(&self, skew: i64) {
        self.skew_ms.store(skew, Ordering::SeqCst);
    }

    pub fn peak_used(&self) -> u32 {
        self.state().limits.peak_used
    }

    pub fn over_limit_429s(&self) -> usize {
        self.state().limits.over_limit_429s
    }

    pub fn retry_after_violations(&self) -> usize {
        self.state().limits.retry_after_violations
    }

    pub fn requests_while_banned(&self) -> usize {
        self.state().limits.requests_while_banned
    }

    // ---- keys, symbols, account ----

    pub fn add_hmac_key(&self, api_key: &str, secret: &str) {
        let kind = KeyKind::Hmac {
            secret: secret.to_string(),
        };
        self.state().keys.0.insert(api_key.to_string(), kind);
    }

    pub fn add_ed25519_key(&self, api_key: &str, public_key: &[u8]) {
        let kind = KeyKind::Ed25519 {
            public_key: public_key.to_vec(),
        };
        self.state().keys.0.insert(api_key.to_string(), kind);
    }

    pub fn add_symbol(&self, spec: SymbolSpec) {
        self.state().ex.add_symbol(spec);
    }

    /// Sets an asset's free balance outright, leaving what orders lock (no event: the account
    /// "was" like this).
    pub fn set_balance(&self, asset: &str, free: &str) {
        let mut s = self.state();
        let locked = s.ex.account.balance(asset).locked;
        s.ex.account.set(asset, dec(free), locked);
        s.ex.account.take_dirty();
    }

    /// A deposit or withdrawal: `balanceUpdate` and `outboundAccountPosition` events.
    pub fn deposit(&self, asset: &str, delta: &str) {
        self.exchange(|ex| {
            ex.account.credit(asset, dec(delta));
            let event = render::balance_update(ex.fmt, asset, dec(delta), ex.now);
            ex.out.push(Event::User(event));
            ex.flush();
        });
    }

    pub fn set_commission(&self, maker: &str, taker: &str) {
        let mut s = self.state();
        s.ex.account.maker_rate = dec(maker);
        s.ex.account.taker_rate = dec(taker);
    }

    /// Prices and quantities as JSON numbers instead of strings from now on.
    pub fn numbers_as_json(&self, on: bool) {
        self.state().ex.fmt.numbers = on;
    }

    // ---- market ----

    /// Replaces other participants' book on `symbol` (one depth diff).
    pub fn set_book(&self, symbol: &str, bids: &[(&str, &str)], asks: &[(&str, &str)]) {
        self.exchange(|ex| {
            let book = ex.book(symbol);
            for side in [Side::Buy, Side::Sell] {
                for (p, _) in book.ext_levels(side) {
                    book.set_ext(side, p, Decimal::ZERO);
                }
            }
            for (side, levels) in [(Side::Buy, bids), (Side::Sell, asks)] {
                for (p, q) in levels {
                    book.set_ext(side, dec(p), dec(q));
                }
            }
            ex.flush();
        });
    }

    /// Sets several levels at once (quantity "0" removes), as one depth diff.
    pub fn change_book(&self, symbol: &str, changes: &[(Side, &str, &str)]) {
        self.exchange(|ex| {
            for (side, p, q) in changes {
                ex.book(symbol).set_ext(*side, dec(p), dec(q));
            }
            ex.flush();
        });
    }

    pub fn set_level(&self, symbol: &str, side: Side, price: &str, qty: &str) {
        self.change_book(symbol, &[(side, price, qty)]);
    }

    /// The next `n` depth diffs of `symbol` are not sent (the book still changes): a gap.
    pub fn drop_depth_diffs(&self, symbol: &str, n: usize) {
        *self
            .state()
            .ex
            .drop_depth
            .entry(symbol.to_string())
            .or_default() += n;
    }

    /// A trade by other participants: fills the resting orders it crosses, triggers stops.
    pub fn trade(&self, symbol: &str, price: &str, qty: &str) {
        self.exchange(|ex| ex.external_trade(symbol, dec(price), dec(qty)));
    }

    pub fn kline(&self, symbol: &str, interval: Interval, candle: &Candle, closed: bool) {
        self.exchange(|ex| {
            let data = klines::event(symbol, interval, candle, closed, ex.now, ex.fmt);
            let topic = format!("{}@kline_{}", symbol.to_lowercase(), interval.as_str());
            ex.out.push(Event::Market { topic, data });
        });
    }

    pub fn server_shutdown(&self) {
        self.exchange(|ex| {
            let event = json!({"e": "serverShutdown", "E": ex.now});
            ex.out.push(Event::Shutdown(event));
        });
    }

    pub fn book(&self, symbol: &str) -> BookView {
        let s = self.state();
        let book = &s.ex.books[symbol];
        BookView {
            last_update_id: book.update_id,
            bids: book.levels(Side::Buy, usize::MAX),
            asks: book.levels(Side::Sell, usize::MAX),
        }
    }

    // ---- sockets ----

    pub fn set_ws_config(&self, config: WsConfig) {
        self.hub.set_config(config);
    }

    /// Drops every WebSocket connection abruptly (no close frame).
    pub fn disconnect_all(&self) {
        self.hub.control(None, || Msg::Kill);
    }

    pub fn disconnect_streams(&self) {
        self.hub.control(Some(ConnKind::Market), || Msg::Kill);
    }

    pub fn disconnect_api(&self) {
        self.hub.control(Some(ConnKind::Api), || Msg::Kill);
    }

    /// Every open connection goes silent (no data, no pings) but stays open; new ones work.
    pub fn stall(&self) {
        self.hub.control(None, || Msg::Stall);
    }

    /// The server ends every user-data subscription (`eventStreamTerminated`); sockets stay open.
    pub fn end_user_subscriptions(&self) {
        self.hub
            .control(Some(ConnKind::Api), || Msg::EndSubscription);
    }

    /// While on, WebSocket API connections are dropped and refused (503): user events are lost.
    pub fn user_data_outage(&self, on: bool) {
        self.hub.set_refuse_api(on);
        if on {
            self.disconnect_api();
        }
    }

    pub fn ws_stats(&self) -> WsStats {
        self.hub.stats()
    }

    pub fn open_connections(&self, kind: ConnKind) -> usize {
        self.hub.open_count(kind)
    }

    // ---- inspection ----

    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The parameters of every order request received (`order`, `order/test`, `orderList/oco`).
    pub fn submissions(&self) -> Vec<BTreeMap<String, String>> {
        self.state().submissions.clone()
    }

    /// Every order the engine accepted, oldest first.
    pub fn orders(&self) -> Vec<Order> {
        self.state().ex.orders.values().cloned().collect()
    }

    pub fn open_orders(&self) -> Vec<Order> {
        self.state()
            .ex
            .open_orders(None)
            .into_iter()
            .cloned()
            .collect()
    }

    /// A person cancels order `id` (and the rest of its list) on Binance's website.
    pub fn cancel_by_hand(&self, id: u64) {
        self.state().ex.cancel(id, "web");
    }

    pub fn balance(&self, asset: &str) -> Balance {
        self.state().ex.account.balance(asset)
    }

    pub fn trades(&self) -> Vec<TradeRecord> {
        self.state().ex.account.trades.clone()
    }
}
