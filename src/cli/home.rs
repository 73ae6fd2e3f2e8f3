//! `tickdesk` with no subcommand: on a terminal, the workstation (paper trading on replayed
//! candles); when output is not a terminal (a pipe, a script), an overview of the data present and
//! what to do next. On an empty store it first copies in the bundled sample candles.

use super::{Context, data, thousands};
use crate::config::Loaded;
use crate::samples;
use crate::store::Store;
use crate::tui::confirm::Confirmation;
use std::{path::Path, process::ExitCode};

/// Copies the shipped candles into an empty store (unless `data.seed_samples` is off); the number
/// of candles copied, if it did.
fn seed_if_empty(loaded: &Loaded, store: &Store) -> anyhow::Result<Option<usize>> {
    if !store.series()?.is_empty() || !loaded.config.data.seed_samples {
        return Ok(None);
    }
    let reports = samples::seed(store)?;
    Ok(Some(reports.iter().map(|r| r.rows).sum()))
}

/// The store, seeded like a first `tickdesk` run when it is empty, so that commands reading
/// candles work on a fresh machine (told on stderr; stdout stays the command's output).
pub fn open_seeded(loaded: &Loaded, dir: &Path) -> anyhow::Result<Store> {
    let store = Store::open(dir)?;
    if let Some(rows) = seed_if_empty(loaded, &store)? {
        eprintln!(
            "The store was empty: copied in the {} real Binance candles shipped with tickdesk (see data/README.md).",
            thousands(rows as i64)
        );
    }
    Ok(store)
}

/// Whether stdin and stdout are a terminal a full-screen UI can own.
pub fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Opens the workstation: logs go to the files and the log pane, never to the terminal.
pub fn workstation(ctx: &Context, live: bool) -> anyhow::Result<ExitCode> {
    let loaded = ctx.load()?;
    let dir = ctx.data_dir(&loaded)?;
    let mode = crate::headless::opt_in(loaded.config.trading.mode, live)?;
    // One engine per data dir: the workstation runs one too (a headless engine is attached to).
    let _lock = match crate::control::EngineLock::acquire(&dir) {
        Ok(lock) => lock,
        Err(e @ crate::control::ServeError::Busy { .. }) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(super::run_cmd::ENGINE_CODE));
        }
        Err(e) => return Err(e.into()),
    };
    let (signers, confirm) = if mode == crate::replica::Mode::Live {
        // Keys first: an encrypted key file asks its passphrase on the terminal, before the view.
        let signers = super::keys::signers(ctx, &dir)?.ok_or(crate::live::LiveError::NoKeys)?;
        let stakes = stakes(&loaded.config);
        (Some(signers), Confirmation::needed(stakes, &dir))
    } else {
        (None, None)
    };
    let logs = crate::tui::logbuf::LogBuffer::default();
    let guard = crate::logging::init(
        &dir.join("logs"),
        &loaded.config.logging,
        crate::logging::Terminal::View(logs.clone()),
    )?;
    open_seeded(&loaded, &dir)?;
    let options = crate::tui::Options {
        config: loaded.config.clone(),
        data_dir: dir.clone(),
        config_dir: ctx.config_dir(),
        logs,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = if mode == crate::replica::Mode::PaperReplay {
        runtime.block_on(crate::tui::run(options)).map(|()| true)
    } else {
        let start = crate::live::Start {
            config: loaded.config.clone(),
            data_dir: dir.clone(),
            mode,
            signers,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
        };
        runtime.block_on(crate::tui::run_live(options, start, confirm))
    };
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    if let Err(e) = &result {
        tracing::error!(target: crate::logging::FILE_ONLY_TARGET, "{e:#}");
    }
    drop(guard);
    if !result? {
        eprintln!("Live trading was not confirmed: nothing was started.");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// What typing LIVE confirms, line by line: the network, the money, the symbols, the strategies.
fn stakes(config: &crate::config::Config) -> Vec<String> {
    let network = if config.binance.testnet {
        "the Binance TESTNET (no real money)"
    } else {
        "Binance, with REAL MONEY"
    };
    let symbols: Vec<String> = config
        .paper
        .symbols
        .iter()
        .map(ToString::to_string)
        .collect();
    let strategies = match config.paper.strategies.as_slice() {
        [] => "none (only your own orders)".to_string(),
        names => names.join(", "),
    };
    vec![
        format!("Exchange:   {network}"),
        format!("Endpoint:   {}", config.binance.endpoints().trade.as_str()),
        format!("Symbols:    {}", symbols.join(", ")),
        format!("Strategies: {strategies}"),
        "Asked once per data dir.".to_string(),
    ]
}

pub fn run(_ctx: &Context, loaded: &Loaded, dir: &Path) -> anyhow::Result<ExitCode> {
    let store = Store::open(dir)?;
    outln!(
        "tickdesk {} · data in {}",
        env!("CARGO_PKG_VERSION"),
        dir.display()
    );
    if let Some(rows) = seed_if_empty(loaded, &store)? {
        outln!(
            "\nThe store was empty: copied in the real Binance candles shipped with tickdesk ({} candles; see data/README.md).",
            thousands(rows as i64)
        );
    }
    let all = data::summaries(&store)?;
    outln!();
    if all.is_empty() {
        outln!("No candles stored yet.");
    } else {
        data::print_table(&all)?;
    }
    outln!(
        "
What next:
  tickdesk data fetch BTCUSDT,ETHUSDT 1h,1d --from 2024-01-01   download candles (public data, no keys)
  tickdesk data import FILES…                                   load data.binance.vision dumps or CSV
  tickdesk data list                                            spans, sizes and gaps of stored series
  tickdesk data export BTCUSDT 4h --out btc-4h.csv              export, resampled from finer data
  tickdesk config show                                          the settings in effect
  tickdesk --help                                               every command

Run `tickdesk` in a terminal to open the workstation: paper trading on these candles, replayed."
    );
    Ok(ExitCode::SUCCESS)
}
