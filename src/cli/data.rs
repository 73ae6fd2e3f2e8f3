//! `tickdesk data fetch | import | list | verify | export`.

use super::{Context, DataCommand, ExportArgs, FetchArgs, ImportArgs, thousands};
use crate::binance::{MarketClient, RetryPolicy, WeightLimiter};
use crate::clock::{Clock, TokioClock};
use crate::config::Loaded;
use crate::export;
use crate::fetch::{Cancel, FetchOptions, FetchRequest, Fetcher, Outcome};
use crate::import::{self, ImportOptions};
use crate::market::{SeriesKey, time::Utc};
use crate::progress::{Bars, Lines, Progress};
use crate::store::{GapKind, Range, SeriesSummary, Store};
use anyhow::Context as _;
use std::{io::IsTerminal, path::Path, process::ExitCode, sync::Arc, time::Duration};

pub fn run(
    ctx: &Context,
    loaded: &Loaded,
    dir: &Path,
    cmd: DataCommand,
) -> anyhow::Result<ExitCode> {
    let store = Store::open(dir)?;
    match cmd {
        DataCommand::Fetch(args) => fetch(ctx, loaded, store, args),
        DataCommand::Import(args) => import(&store, &args),
        DataCommand::List { json } => list(&store, json),
        DataCommand::Verify { symbol, interval } => verify(&store, symbol.as_ref(), interval),
        DataCommand::Export(args) => export(&store, &args, ctx.quiet),
    }
}

fn fetch(
    ctx: &Context,
    loaded: &Loaded,
    store: Store,
    args: FetchArgs,
) -> anyhow::Result<ExitCode> {
    let cfg = &loaded.config;
    let mut requests = Vec::new();
    for symbol in &args.symbols {
        for &interval in &args.intervals {
            let key = SeriesKey::binance(symbol.clone(), interval);
            requests.push(FetchRequest {
                key,
                from: args.from,
                to: args.to,
            });
        }
    }
    let opts = FetchOptions {
        concurrency: usize::try_from(cfg.fetch.concurrency.get()).unwrap_or(1),
        commit_every: usize::try_from(cfg.fetch.commit_every.get()).unwrap_or(50_000),
        retry: RetryPolicy {
            max_retries: u32::try_from(cfg.fetch.max_retries.get()).unwrap_or(8),
            base: Duration::from_millis(cfg.fetch.backoff_base_ms.get()),
            max: Duration::from_millis(cfg.fetch.backoff_max_ms.get()),
        },
        refetch_gaps: args.refetch_gaps,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let reports = runtime.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(TokioClock::system());
        let weight = u32::try_from(cfg.fetch.max_weight_per_minute.get()).unwrap_or(1000);
        let limiter = Arc::new(WeightLimiter::new(weight, clock.clone()));
        let timeout = Duration::from_secs(cfg.fetch.request_timeout_secs.get());
        let client = Arc::new(MarketClient::new(
            cfg.binance.endpoints().rest.as_str(),
            limiter,
            timeout,
        )?);
        let progress: Arc<dyn Progress> = if std::io::stderr().is_terminal() && !ctx.quiet {
            Arc::new(Bars::new())
        } else {
            Arc::new(Lines::new(clock.clone(), 5_000))
        };
        let cancel = Cancel::default();
        let (on_interrupt, say) = (cancel.clone(), progress.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                say.say("interrupted: keeping what was fetched (Ctrl-C again to abort at once)");
                on_interrupt.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        let fetcher = Fetcher::new(client, Arc::new(store), clock, progress, opts, cancel);
        anyhow::Ok(fetcher.run(requests).await)
    })?;
    let mut code = ExitCode::SUCCESS;
    for r in &reports {
        outln!("{:<10} {:<4} {}", r.key.symbol, r.key.interval, r.summary());
        match r.outcome {
            Outcome::Failed(_) => code = ExitCode::FAILURE,
            Outcome::Interrupted if code == ExitCode::SUCCESS => code = ExitCode::from(130),
            _ => {}
        }
    }
    Ok(code)
}

fn import(store: &Store, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let opts = ImportOptions {
        symbol: args.symbol.clone(),
        interval: args.interval,
        skip_bad: args.skip_bad,
    };
    let files = import::expand(&args.files).context("cannot list the files to import")?;
    let mut failed = 0;
    for path in &files {
        match import::import_file(store, path, &opts) {
            Ok(r) => {
                outln!(
                    "{}: {} rows ({}) → {} ({} → {}), {} new, {} changed",
                    path.display(),
                    thousands(r.rows as i64),
                    match r.layout {
                        import::Layout::BinanceDump => "Binance dump",
                        import::Layout::HeaderCsv => "CSV",
                    },
                    r.key,
                    Utc(r.first),
                    Utc(r.last),
                    thousands(r.stored.added as i64),
                    r.stored.changed
                );
                for bad in &r.skipped {
                    outln!("  skipped {bad}");
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} file(s) not imported", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn summaries(store: &Store) -> anyhow::Result<Vec<SeriesSummary>> {
    store
        .series()?
        .iter()
        .map(|k| Ok(store.summary(k)?))
        .collect()
}

fn list(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let all = summaries(store)?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&all.iter().map(list_json).collect::<Vec<_>>())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        outln!(
            "no candles stored in {}; try `tickdesk data fetch BTCUSDT 1h --from 2024-01-01`",
            store.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    print_table(&all)?;
    for s in all.iter().filter(|s| !s.gaps.is_empty()) {
        outln!("\n{} {} gaps:", s.key.symbol, s.key.interval);
        for g in s.gaps.iter().take(8) {
            let kind = match g.kind {
                GapKind::Exchange => "exchange had none",
                GapKind::Unfetched => "not fetched yet",
            };
            let last = s.key.interval.advance(g.start, g.bars - 1);
            let bars = if g.bars == 1 { "bar " } else { "bars" };
            outln!(
                "  {} … {}  {:>6} {bars}  {kind}",
                Utc(g.start),
                Utc(last),
                thousands(g.bars)
            );
        }
        if s.gaps.len() > 8 {
            outln!(
                "  … and {} more (`tickdesk data list --json` lists all)",
                s.gaps.len() - 8
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn print_table(all: &[SeriesSummary]) -> std::io::Result<()> {
    outln!(
        "{:<10} {:<4} {:<17} {:<17} {:>10} {:>8} {:>6}",
        "SYMBOL",
        "INT",
        "FIRST (UTC)",
        "LAST (UTC)",
        "CANDLES",
        "MISSING",
        "GAPS"
    );
    for s in all {
        let t = |v: Option<i64>| v.map_or("-".to_string(), |t| Utc(t).to_string());
        outln!(
            "{:<10} {:<4} {:<17} {:<17} {:>10} {:>8} {:>6}",
            s.key.symbol.as_str(),
            s.key.interval.as_str(),
            t(s.first),
            t(s.last),
            thousands(s.count as i64),
            thousands(s.missing_bars()),
            s.gaps.len()
        );
    }
    Ok(())
}

fn list_json(s: &SeriesSummary) -> serde_json::Value {
    serde_json::json!({
        "exchange": s.key.exchange,
        "symbol": s.key.symbol,
        "interval": s.key.interval,
        "first_open_time": s.first,
        "last_open_time": s.last,
        "first_utc": s.first.map(|t| Utc(t).to_string()),
        "last_utc": s.last.map(|t| Utc(t).to_string()),
        "count": s.count,
        "missing_bars": s.missing_bars(),
        "missing_at_exchange": s.missing_of(GapKind::Exchange),
        "missing_unfetched": s.missing_of(GapKind::Unfetched),
        "gaps": s.gaps,
        "coverage": s.coverage,
    })
}

fn verify(
    store: &Store,
    symbol: Option<&crate::market::Symbol>,
    interval: Option<crate::market::Interval>,
) -> anyhow::Result<ExitCode> {
    let keys: Vec<SeriesKey> = store
        .series()?
        .into_iter()
        .filter(|k| {
            symbol.is_none_or(|s| &k.symbol == s) && interval.is_none_or(|i| k.interval == i)
        })
        .collect();
    if keys.is_empty() {
        outln!("nothing to verify: no matching series stored");
        return Ok(ExitCode::SUCCESS);
    }
    let mut damaged = 0;
    for key in &keys {
        let problems = store.verify(key)?;
        if problems.is_empty() {
            outln!("{key}: ok");
            continue;
        }
        damaged += 1;
        outln!("{key}: {} problem(s)", problems.len());
        for p in problems.iter().take(20) {
            outln!("  {p}");
        }
        if problems.len() > 20 {
            outln!("  … and {} more", problems.len() - 20);
        }
    }
    if damaged > 0 {
        outln!(
            "{damaged} damaged series; re-import or re-fetch them (delete the series directory under {} first)",
            store.root().display()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn export(store: &Store, args: &ExportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let key = SeriesKey::binance(args.symbol.clone(), args.interval);
    let range = Range::new(args.from.unwrap_or(i64::MIN), args.to.unwrap_or(i64::MAX));
    let selected = export::select(store, &key, range)?;
    let incomplete = selected.bars.iter().filter(|b| !b.complete).count();
    let candles: Vec<_> = selected
        .bars
        .iter()
        .filter(|b| b.complete || !args.complete_only)
        .map(|b| b.candle)
        .collect();
    let written = if args.out.as_os_str() == "-" {
        match export::write_csv(&candles, std::io::stdout().lock()) {
            Ok(n) => n,
            // The reader went away (`| head`): what it wanted, it got.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            Err(e) => return Err(e.into()),
        }
    } else {
        let file = std::fs::File::create(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        export::write_csv(&candles, file)
            .with_context(|| format!("cannot write {}", args.out.display()))?
    };
    if quiet {
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(from) = selected.resampled_from {
        let fate = if args.complete_only {
            "left out"
        } else {
            "included (pass --complete-only to leave them out)"
        };
        eprintln!(
            "resampled from {from}; {incomplete} incomplete {} bucket(s) {fate}",
            args.interval
        );
    }
    eprintln!("wrote {} {} candles", thousands(written as i64), key);
    Ok(ExitCode::SUCCESS)
}
