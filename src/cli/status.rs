//! `tickdesk status`: a summary of the engine running on the data dir, from the snapshot its
//! control socket greets with: mode, feed, market time, equity, day PnL, positions, open orders,
//! strategies, and whether trading is halted. Exit code 3 when no engine runs.

use super::Context;
use super::run_cmd::ENGINE_CODE;
use crate::control::{ClientError, connect, wire::Hello};
use crate::headless::stdout::timestamp;
use crate::replica::Replica;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Machine-readable output (`{"running": false}` when no engine runs).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Summary {
    running: bool,
    pid: u32,
    version: String,
    started: String,
    uptime_secs: i64,
    mode: &'static str,
    source: String,
    feed: String,
    speed: String,
    market_time: String,
    market_time_ms: i64,
    quote: String,
    equity: f64,
    day_pnl: f64,
    halted: Option<String>,
    markets: Vec<MarketRow>,
    positions: Vec<PositionRow>,
    open_orders: Vec<OrderRow>,
    strategies: Vec<StrategyRow>,
}

#[derive(Debug, Serialize)]
struct MarketRow {
    symbol: String,
    last: f64,
}

#[derive(Debug, Serialize)]
struct PositionRow {
    symbol: String,
    qty: Decimal,
    entry: Option<f64>,
    last: f64,
    value: f64,
    unrealized: f64,
}

#[derive(Debug, Serialize)]
struct OrderRow {
    id: u64,
    symbol: String,
    side: &'static str,
    kind: &'static str,
    qty: String,
    price: Option<Decimal>,
    stop: Option<Decimal>,
    origin: String,
}

#[derive(Debug, Serialize)]
struct StrategyRow {
    name: String,
    state: &'static str,
    pnl: f64,
    fills: usize,
}

pub fn run(ctx: &Context, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let loaded = ctx.load()?;
    let dir = ctx.data_dir(&loaded)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match runtime.block_on(fetch(&dir)) {
        Ok((hello, replica)) => {
            let s = summary(&hello, &replica, crate::clock::system_now_ms());
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print(&s)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_no_engine() => {
            if args.json {
                outln!("{}", serde_json::json!({ "running": false }));
            }
            eprintln!("{e}");
            Ok(ExitCode::from(ENGINE_CODE))
        }
        Err(e) => Err(e.into()),
    }
}

async fn fetch(dir: &Path) -> Result<(Hello, Replica), ClientError> {
    let mut remote = connect(dir).await?;
    let replica = std::mem::take(&mut remote.replica);
    let hello = remote.hello.clone();
    remote.detach().await;
    Ok((hello, replica))
}

fn summary(hello: &Hello, r: &Replica, now_ms: i64) -> Summary {
    Summary {
        running: true,
        pid: hello.pid,
        version: hello.version.clone(),
        started: timestamp(hello.started_ms),
        uptime_secs: (now_ms - hello.started_ms).max(0) / 1000,
        mode: r.mode.label(),
        source: r.source.clone(),
        feed: r.status.feed.label(),
        speed: r.status.speed.label(),
        market_time: timestamp(r.status.now),
        market_time_ms: r.status.now,
        quote: r.quote.clone(),
        equity: r.account.equity,
        day_pnl: r.day_pnl(),
        halted: r.status.halted.clone(),
        markets: r
            .markets
            .iter()
            .map(|m| MarketRow {
                symbol: m.symbol.clone(),
                last: m.last,
            })
            .collect(),
        positions: r
            .account
            .positions
            .iter()
            .map(|p| PositionRow {
                symbol: p.symbol.clone(),
                qty: p.qty,
                entry: p.entry,
                last: p.last,
                value: p.value,
                unrealized: p.unrealized,
            })
            .collect(),
        open_orders: r
            .orders
            .iter()
            .map(|o| OrderRow {
                id: o.id,
                symbol: o.symbol.clone(),
                side: o.side.as_str(),
                kind: o.kind,
                qty: o.qty.clone(),
                price: o.price,
                stop: o.stop,
                origin: o.origin.clone(),
            })
            .collect(),
        strategies: r
            .strategies
            .iter()
            .map(|s| StrategyRow {
                name: s.name.clone(),
                state: s.state.label(),
                pnl: s.pnl,
                fills: s.fills,
            })
            .collect(),
    }
}

fn money(x: f64) -> String {
    let cents = (x * 100.0).round() as i64;
    let whole = super::thousands((cents / 100).abs());
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{whole}.{:02}", (cents % 100).abs())
}

fn signed(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

fn print(s: &Summary) -> anyhow::Result<()> {
    let up = s.uptime_secs;
    outln!(
        "tickdesk engine · pid {} · up {}h {:02}m {:02}s · tickdesk {}",
        s.pid,
        up / 3600,
        up / 60 % 60,
        up % 60,
        s.version
    );
    outln!("mode         {} · {}", s.mode, s.source);
    outln!("feed         {} · {}", s.feed, s.speed);
    outln!("market time  {}", s.market_time);
    let markets: Vec<String> = s
        .markets
        .iter()
        .map(|m| format!("{} {}", m.symbol, money(m.last)))
        .collect();
    outln!("markets      {}", markets.join(" · "));
    outln!(
        "equity       {} {} · day {} {}",
        money(s.equity),
        s.quote,
        signed(s.day_pnl),
        s.quote
    );
    outln!("halted       {}", s.halted.as_deref().unwrap_or("no"));
    outln!("positions    {}", count(s.positions.len()));
    for p in &s.positions {
        let entry = p.entry.map_or_else(|| "?".into(), money);
        outln!(
            "  {:<10} {:>14}  entry {entry}  last {}  value {}  pnl {}",
            p.symbol,
            p.qty.normalize(),
            money(p.last),
            money(p.value),
            signed(p.unrealized)
        );
    }
    outln!("open orders  {}", count(s.open_orders.len()));
    for o in &s.open_orders {
        let price = o.price.map(|p| format!(" at {}", p.normalize()));
        let stop = o.stop.map(|p| format!(" stop {}", p.normalize()));
        outln!(
            "  #{:<6} {} {} {} {}{}{} ({})",
            o.id,
            o.side,
            o.kind,
            o.symbol,
            o.qty,
            stop.unwrap_or_default(),
            price.unwrap_or_default(),
            o.origin
        );
    }
    outln!("strategies   {}", count(s.strategies.len()));
    for st in &s.strategies {
        outln!(
            "  {:<14} {:<8} pnl {}  fills {}",
            st.name,
            st.state,
            signed(st.pnl),
            st.fills
        );
    }
    Ok(())
}

fn count(n: usize) -> String {
    if n == 0 { "none".into() } else { n.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_an_account_statement() {
        assert_eq!(money(10_012.346), "10,012.35");
        assert_eq!(money(-1_234.5), "-1,234.50");
        assert_eq!(money(-0.25), "-0.25");
        assert_eq!(signed(12.0), "+12.00");
        assert_eq!(signed(-3.456), "-3.46");
    }
}
