//! `tickdesk runs list | show | compare | delete`: backtests kept in the journal.

use super::thousands;
use crate::backtest::Spec;
use crate::journal::{Journal, StoredRun};
use crate::market::time::Utc;
use crate::report::{settings_line, sparkline};
use clap::Subcommand;
use std::{path::Path, process::ExitCode};

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Every stored run, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One run: settings, metrics, equity, trades.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Two runs side by side.
    Compare { a: i64, b: i64 },
    /// Remove a run.
    Delete { id: i64 },
}

fn fetch(journal: &Journal, id: i64) -> anyhow::Result<StoredRun> {
    journal.run(id)?.ok_or_else(|| {
        anyhow::anyhow!("there is no run {id}; `tickdesk runs list` shows the stored runs")
    })
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("-".into(), |v| format!("{v:.2}{unit}"))
}

pub fn run(dir: &Path, cmd: RunsCommand) -> anyhow::Result<ExitCode> {
    let mut journal = Journal::open(dir)?;
    match cmd {
        RunsCommand::List { json: true } => {
            outln!("{}", serde_json::to_string_pretty(&journal.runs()?)?)
        }
        RunsCommand::List { json: false } => {
            let runs = journal.runs()?;
            if runs.is_empty() {
                outln!("no runs yet; `tickdesk backtest --symbol BTCUSDT --interval 1h` makes one");
            } else {
                outln!(
                    "{:>4}  {:<14} {:<16} {:<4} {:>10} {:>9} {:>7} {:>7}  SPAN",
                    "RUN",
                    "STRATEGY",
                    "SYMBOLS",
                    "INT",
                    "RETURN",
                    "MAX DD",
                    "SHARPE",
                    "TRADES"
                );
                for r in runs {
                    outln!(
                        "{:>4}  {:<14} {:<16} {:<4} {:>9.2}% {:>8.2}% {:>7} {:>7}  {}",
                        r.id,
                        r.strategy,
                        r.symbols,
                        r.interval,
                        r.total_return_pct,
                        r.max_drawdown_pct,
                        opt(r.sharpe, ""),
                        thousands(r.trades as i64),
                        r.span()
                    );
                }
            }
        }
        RunsCommand::Show { id, json } => {
            let run = fetch(&journal, id)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&run)?);
            } else {
                show(&run)?;
            }
        }
        RunsCommand::Compare { a, b } => compare(&fetch(&journal, a)?, &fetch(&journal, b)?)?,
        RunsCommand::Delete { id } => {
            if !journal.delete_run(id)? {
                anyhow::bail!("there is no run {id}; `tickdesk runs list` shows the stored runs");
            }
            outln!("deleted run {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(r: &StoredRun) -> std::io::Result<()> {
    let s = &r.summary;
    let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    outln!(
        "run {} · {} {} on {} {} · {}",
        s.id,
        s.strategy,
        params.join(" "),
        s.symbols,
        s.interval,
        s.span()
    );
    // Runs saved by another version may not read back as a spec: show their raw settings.
    let settings = serde_json::from_value::<Spec>(r.spec.clone())
        .map_or_else(|_| r.spec.to_string(), |spec| settings_line(&spec));
    outln!("made {} · {settings}", Utc(s.created_ms));
    outln!("equity  {}", sparkline(&r.equity, 60));
    for (k, v) in metric_rows(r) {
        outln!("  {k:<24}{v:>16}");
    }
    if !r.refused.is_empty() {
        let counts: Vec<String> = r.refused.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
        outln!("orders refused: {}", counts.join(", "));
    }
    outln!("last trades:");
    for t in r.trades.iter().rev().take(10).rev() {
        outln!(
            "  {} {} → {} {:>+12.2} ({:+.2} %)",
            t.symbol,
            Utc(t.entry_time_ms),
            Utc(t.exit_time_ms),
            t.pnl,
            t.return_pct
        );
    }
    Ok(())
}

fn metric_rows(r: &StoredRun) -> Vec<(&'static str, String)> {
    let m = &r.metrics;
    vec![
        ("final equity", format!("{:.2}", m.final_equity)),
        ("total return", format!("{:.2} %", m.total_return_pct)),
        ("buy & hold", format!("{:.2} %", m.buy_and_hold_return_pct)),
        ("CAGR", opt(m.cagr_pct, " %")),
        ("Sharpe (per bar)", opt(m.sharpe.per_bar_annualized, "")),
        ("Sharpe (daily)", opt(m.sharpe.daily_annualized, "")),
        ("Sortino", opt(m.sortino, "")),
        ("max drawdown", format!("{:.2} %", m.max_drawdown_pct)),
        ("trades", m.trades.to_string()),
        ("win rate", opt(m.win_rate_pct, " %")),
        ("profit factor", opt(m.profit_factor, "")),
        ("fees paid", format!("{:.2}", m.fees_paid)),
    ]
}

fn compare(a: &StoredRun, b: &StoredRun) -> std::io::Result<()> {
    outln!(
        "{:<24}{:>18}{:>18}",
        "",
        format!("run {}", a.summary.id),
        format!("run {}", b.summary.id)
    );
    outln!(
        "{:<24}{:>18}{:>18}",
        "strategy",
        a.summary.strategy,
        b.summary.strategy
    );
    outln!(
        "{:<24}{:>18}{:>18}",
        "symbols",
        a.summary.symbols,
        b.summary.symbols
    );
    for ((k, va), (_, vb)) in metric_rows(a).into_iter().zip(metric_rows(b)) {
        outln!("{k:<24}{va:>18}{vb:>18}");
    }
    outln!("{:<24}  {}", "equity a", sparkline(&a.equity, 40));
    outln!("{:<24}  {}", "equity b", sparkline(&b.equity, 40));
    Ok(())
}
