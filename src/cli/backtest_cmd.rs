//! `tickdesk backtest …` and `tickdesk strategies`.

use super::{Context, date, home};
use crate::backtest::{self, Spec};
use crate::cancel::Cancel;
use crate::config::Loaded;
use crate::exchange::FillPolicy;
use crate::journal::Journal;
use crate::market::{Interval, Symbol};
use crate::report;
use crate::strategy;
use anyhow::Context as _;
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use std::{path::Path, path::PathBuf, process::ExitCode};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Fill {
    NextOpen,
    ThisClose,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Strategy (default: backtest.strategy from config; `tickdesk strategies` lists them).
    #[arg(long)]
    strategy: Option<String>,
    /// Symbols, comma-separated; several share one account.
    #[arg(long, value_delimiter = ',', num_args = 1, required = true)]
    symbol: Vec<Symbol>,
    /// Bar interval (resampled from finer stored candles when not stored itself).
    #[arg(long)]
    interval: Interval,
    /// First bar (UTC).
    #[arg(long, value_parser = date)]
    from: Option<i64>,
    /// Bars opening before this instant (UTC).
    #[arg(long, value_parser = date)]
    to: Option<i64>,
    /// A strategy parameter, key=value (repeatable): --set fast=12 --set slow=40
    #[arg(long = "set", value_parser = strategy::parse_setting)]
    set: Vec<(String, String)>,
    /// Starting cash in the quote asset.
    #[arg(long)]
    cash: Option<Decimal>,
    /// Fee per side as a fraction (sets maker and taker).
    #[arg(long)]
    fee: Option<Decimal>,
    /// Fee on limit orders filled at their price, as a fraction (overrides --fee).
    #[arg(long)]
    maker_fee: Option<Decimal>,
    /// Fee on market and stop fills and marketable limits, as a fraction (overrides --fee).
    #[arg(long)]
    taker_fee: Option<Decimal>,
    /// Slippage on market and stop fills, in basis points.
    #[arg(long)]
    slippage_bps: Option<Decimal>,
    /// When market orders fill: the next bar's open, or the decision bar's close.
    #[arg(long, value_enum)]
    fill: Option<Fill>,
    /// Binance's tick/step/min-notional filters.
    #[arg(long, value_enum)]
    filters: Option<Switch>,
    /// Match orders on this finer stored interval inside each bar (exact intrabar order).
    #[arg(long)]
    detail: Option<Interval>,
    /// Write the result as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// Do not save the run in the journal.
    #[arg(long)]
    no_journal: bool,
}

fn spec(loaded: &Loaded, a: BacktestArgs) -> Spec {
    let b = &loaded.config.backtest;
    let name = a.strategy.unwrap_or_else(|| b.strategy.clone());
    let mut s = Spec::from_config(b, &name, a.symbol, a.interval);
    s.settings = loaded.config.strategy_settings(&name);
    s.risk = loaded.config.risk.clone();
    s.settings.extend(a.set);
    s.from = a.from;
    s.to = a.to;
    s.cash = a.cash.unwrap_or(s.cash);
    s.maker_fee = a.maker_fee.or(a.fee).unwrap_or(s.maker_fee);
    s.taker_fee = a.taker_fee.or(a.fee).unwrap_or(s.taker_fee);
    s.slippage_bps = a.slippage_bps.unwrap_or(s.slippage_bps);
    s.fill = match a.fill {
        Some(Fill::NextOpen) => FillPolicy::NextOpen,
        Some(Fill::ThisClose) => FillPolicy::ThisClose,
        None => s.fill,
    };
    s.filters = a.filters.map_or(s.filters, |f| matches!(f, Switch::On));
    s.detail = a.detail;
    s
}

pub fn run(
    _ctx: &Context,
    loaded: &Loaded,
    dir: &Path,
    args: BacktestArgs,
) -> anyhow::Result<ExitCode> {
    let (json, html, no_journal) = (args.json.clone(), args.report.clone(), args.no_journal);
    let spec = spec(loaded, args);
    let store = home::open_seeded(loaded, dir)?;
    let feed = backtest::load(&store, &spec)?;
    let cancel = Cancel::default();
    let outcome = backtest::run(&spec, &feed, Some(&cancel))?;
    out!("{}", report::text(&outcome));
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&report::json(&outcome))?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        outln!("wrote {}", path.display());
    }
    if let Some(path) = html {
        std::fs::write(&path, report::html(&outcome, &feed.series[0]))
            .with_context(|| format!("cannot write {}", path.display()))?;
        outln!("wrote {}", path.display());
    }
    if !no_journal {
        let id = Journal::open(dir)?.save_run(&outcome)?;
        outln!("saved as run {id} (`tickdesk runs show {id}`)");
    }
    Ok(if outcome.interrupted {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn list_strategies() -> anyhow::Result<ExitCode> {
    for info in strategy::builtins() {
        outln!("{}  {}", info.name, info.about);
        for p in info.params {
            let step = if p.choices.is_empty() {
                format!(", step {}", p.step)
            } else {
                String::new()
            };
            outln!(
                "    {:<16} {:>8}  {}{step}: {}",
                p.name,
                p.default,
                p.allowed(),
                p.about
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
