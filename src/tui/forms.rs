//! The workstation's dialogs as data: the order ticket, the backtest form and the command line.
//! Each turns what was typed into a core command or a backtest spec, or says exactly what is
//! wrong with a field; nothing leaves a dialog unchecked.

use crate::backtest::Spec;
use crate::core::{Command, OrderKind, OrderRequest, Origin, Qty, Side};
use crate::market::{Interval, time::parse_datetime};
use crate::replica::Replica;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use std::str::FromStr;

/// A text field with a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    /// Choices cycled with left/right (empty: free text).
    pub choices: Vec<String>,
}

impl Field {
    fn text(label: &'static str, value: &str) -> Self {
        Self {
            label,
            value: value.into(),
            choices: Vec::new(),
        }
    }

    fn choice(label: &'static str, choices: Vec<String>, value: &str) -> Self {
        Self {
            label,
            value: value.into(),
            choices,
        }
    }

    /// Steps a choice field forward or back; no effect on free text.
    pub fn cycle(&mut self, forward: bool) {
        let n = self.choices.len();
        if n == 0 {
            return;
        }
        let i = self
            .choices
            .iter()
            .position(|c| *c == self.value)
            .unwrap_or(0);
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.value = self.choices[j].clone();
    }
}

/// Fields with one focused; typing goes into the focused free-text field.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// What was wrong with the last submit.
    pub error: Option<String>,
}

impl Fields {
    pub fn next(&mut self, forward: bool) {
        let n = self.fields.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    pub fn type_char(&mut self, c: char) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && f.choices.is_empty()
        {
            f.value.push(c);
        }
    }

    pub fn backspace(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && f.choices.is_empty()
        {
            f.value.pop();
        }
    }

    pub fn cycle(&mut self, forward: bool) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.cycle(forward);
        }
    }

    fn get(&self, label: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map_or("", |f| f.value.trim())
    }
}

/// The order ticket: side, type, symbol, quantity (or % of the balance) and prices.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket(pub Fields);

impl Ticket {
    pub fn new(side: Side, symbols: &[String], market: usize) -> Self {
        let symbol = symbols.get(market).cloned().unwrap_or_default();
        Self(Fields {
            fields: vec![
                Field::choice(
                    "side",
                    vec!["buy".into(), "sell".into()],
                    if side == Side::Buy { "buy" } else { "sell" },
                ),
                Field::choice(
                    "type",
                    vec!["market".into(), "limit".into(), "stop".into()],
                    "market",
                ),
                Field::choice("symbol", symbols.to_vec(), &symbol),
                Field::text("quantity", ""),
                Field::text("price", ""),
            ],
            focus: 3,
            error: None,
        })
    }

    /// The order the ticket describes, with `quantity` read as a base amount ("0.01") or a share
    /// of the free balance ("25%": of the quote for a buy at the last price, of the base for a sell).
    pub fn order(&self, replica: &Replica) -> Result<Command, String> {
        let f = &self.0;
        let side = if f.get("side") == "sell" {
            Side::Sell
        } else {
            Side::Buy
        };
        let symbol = f.get("symbol");
        let market = replica
            .markets
            .iter()
            .position(|m| m.symbol == symbol)
            .ok_or_else(|| format!("unknown symbol `{symbol}`"))?;
        let m = &replica.markets[market];
        let price = |what: &str| -> Result<Decimal, String> {
            let text = f.get("price");
            Decimal::from_str(text)
                .ok()
                .filter(|p| *p > Decimal::ZERO)
                .ok_or_else(|| format!("{what} needs a price above 0 (got `{text}`)"))
        };
        let kind = match f.get("type") {
            "limit" => OrderKind::Limit {
                price: price("a limit order")?,
            },
            "stop" => OrderKind::StopLoss {
                stop: price("a stop order")?,
            },
            _ => OrderKind::Market,
        };
        let qty = quantity(f.get("quantity"), side, m, replica)?;
        Ok(Command::Place(OrderRequest {
            instrument: market,
            side,
            kind,
            qty: Qty::Base(qty),
            oco: None,
            origin: Origin::Manual,
        }))
    }
}

fn free(replica: &Replica, asset: &str) -> Decimal {
    replica
        .account
        .balances
        .iter()
        .find(|b| b.asset == asset)
        .map_or(Decimal::ZERO, |b| b.free)
}

fn quantity(
    text: &str,
    side: Side,
    m: &crate::replica::Market,
    replica: &Replica,
) -> Result<Decimal, String> {
    let bad = || {
        format!(
            "quantity `{text}`: give an amount of {} such as 0.01, or a share of the balance such as 25%",
            m.base
        )
    };
    let qty = if let Some(pct) = text.strip_suffix('%') {
        let pct = Decimal::from_str(pct.trim()).map_err(|_| bad())?;
        if pct <= Decimal::ZERO || pct > Decimal::from(100) {
            return Err(format!(
                "a share of the balance is between 0 and 100 % (got {pct} %)"
            ));
        }
        let share = pct / Decimal::from(100);
        match side {
            Side::Sell => free(replica, &m.base) * share,
            Side::Buy => {
                let last = Decimal::from_f64(m.last)
                    .filter(|p| *p > Decimal::ZERO)
                    .ok_or("no price yet to size the order")?;
                free(replica, &m.quote) * share / last
            }
        }
    } else {
        Decimal::from_str(text).map_err(|_| bad())?
    };
    if qty <= Decimal::ZERO {
        return Err(format!(
            "quantity must be above 0 (it comes to {qty} {})",
            m.base
        ));
    }
    Ok(qty)
}

/// The backtest form.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestForm(pub Fields);

impl BacktestForm {
    pub fn new(strategies: &[String], symbols: &[String], interval: Interval) -> Self {
        let intervals = ["1m", "5m", "15m", "1h", "4h", "1d"]
            .map(String::from)
            .to_vec();
        Self(Fields {
            fields: vec![
                Field::choice(
                    "strategy",
                    strategies.to_vec(),
                    strategies.first().map_or("", String::as_str),
                ),
                Field::choice(
                    "symbol",
                    symbols.to_vec(),
                    symbols.first().map_or("", String::as_str),
                ),
                Field::choice(
                    "interval",
                    intervals,
                    if interval == Interval::M1 {
                        "1h"
                    } else {
                        interval.as_str()
                    },
                ),
                Field::text("from", ""),
                Field::text("to", ""),
                Field::text("parameters", ""),
            ],
            focus: 0,
            error: None,
        })
    }

    /// The run described, on the config's backtest defaults (`base`).
    pub fn spec(&self, base: &Spec) -> Result<Spec, String> {
        let f = &self.0;
        let symbol = f
            .get("symbol")
            .parse()
            .map_err(|e| format!("symbol: {e}"))?;
        let interval: Interval = f
            .get("interval")
            .parse()
            .map_err(|e| format!("interval: {e}"))?;
        let date = |label: &str| -> Result<Option<i64>, String> {
            match f.get(label) {
                "" => Ok(None),
                t => parse_datetime(t)
                    .map(Some)
                    .map_err(|e| format!("{label}: {e}")),
            }
        };
        let mut settings = Vec::new();
        for item in f
            .get("parameters")
            .split([' ', ','])
            .filter(|s| !s.is_empty())
        {
            settings.push(
                crate::strategy::parse_setting(item).map_err(|e| format!("parameters: {e}"))?,
            );
        }
        let spec = Spec {
            strategy: f.get("strategy").to_string(),
            settings,
            symbols: vec![symbol],
            interval,
            from: date("from")?,
            to: date("to")?,
            ..base.clone()
        };
        // Parameters are checked together by the strategy's setup: run it over no candles.
        let empty = crate::backtest::Feed::new(interval, vec![Vec::new()]);
        crate::backtest::run(&spec, &empty, None).map_err(|e| e.to_string())?;
        Ok(spec)
    }
}

/// The `:` command line, with completion of command names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommandLine {
    pub text: String,
    pub error: Option<String>,
    /// The history entry shown, while walking it with up/down.
    pub recall: Option<usize>,
}

/// Command lines entered before, oldest first (at most `History::MAX`, repeats collapsed).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History(Vec<String>);

impl History {
    pub const MAX: usize = 100;

    pub fn push(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() || self.0.last().is_some_and(|l| l == text) {
            return;
        }
        self.0.push(text.to_string());
        if self.0.len() > Self::MAX {
            self.0.remove(0);
        }
    }
}

/// Every command the line knows, with its arguments and what it does (shown by `:help`).
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "buy",
        "QTY|PCT% [SYMBOL] [limit PRICE]  order ticket prefilled, to confirm",
    ),
    (
        "sell",
        "QTY|PCT% [SYMBOL] [limit PRICE]  order ticket prefilled, to confirm",
    ),
    ("cancel", "ID|all  cancel an open order, or every one"),
    ("flatten", "[SYMBOL]  sell the whole position at market"),
    ("pause", "N  pause strategy N (0 is the first)"),
    ("resume", "N  resume strategy N"),
    ("kill", "halt all trading and cancel every open order"),
    ("release", "lift the kill switch"),
    ("speed", "1|10|60|600|max|pause  replay speed"),
    ("tf", "INTERVAL  chart timeframe, e.g. 15m"),
    ("symbol", "SYMBOL  chart symbol"),
    (
        "overlay",
        "EXPR|clear  add or remove a chart overlay: sma(50), bbands(20,2), ema(20) | sma(5)",
    ),
    (
        "filter",
        "[TEXT]  show only log lines containing TEXT (empty: all)",
    ),
    ("backtest", "open the backtest form"),
    ("quit", "leave tickdesk"),
];

impl CommandLine {
    /// Up (`older`) or down through the history; below the newest entry the line is empty again.
    pub fn recall(&mut self, history: &History, older: bool) {
        let n = history.0.len();
        let next = match (self.recall, older) {
            (None, true) => n.checked_sub(1),
            (Some(i), true) => Some(i.saturating_sub(1)),
            (None, false) => return,
            (Some(i), false) => (i + 1 < n).then_some(i + 1),
        };
        self.recall = next;
        self.text = next
            .and_then(|i| history.0.get(i))
            .cloned()
            .unwrap_or_default();
        self.error = None;
    }

    /// Completes the command name being typed, when one command starts with it.
    pub fn complete(&mut self) {
        if self.text.contains(' ') {
            return;
        }
        let hits: Vec<&str> = COMMANDS
            .iter()
            .map(|c| c.0)
            .filter(|c| c.starts_with(self.text.as_str()))
            .collect();
        if let [one] = hits[..] {
            self.text = format!("{one} ");
        }
    }

    /// The commands that start with what is typed (for the hint line).
    pub fn candidates(&self) -> Vec<&'static str> {
        let word = self.text.split(' ').next().unwrap_or("");
        COMMANDS
            .iter()
            .map(|c| c.0)
            .filter(|c| c.starts_with(word))
            .collect()
    }
}

#[cfg(test)]
mod tests;
