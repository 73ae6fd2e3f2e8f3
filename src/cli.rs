//! The command line: argument parsing (clap, subcommands grouped by noun) and the glue that turns
//! a command into library calls. Results go to stdout, diagnostics and progress to stderr.
//!
//! Exit codes: 0 success; 1 an error (printed, with what to do about it); 2 bad usage;
//! 3 no engine runs (`status`, `attach`) or one already does (`run --headless`);
//! 130 interrupted (Ctrl-C) after keeping what was done.

/// `println!` for command output: a closed stdout (`tickdesk … | head`) ends the command quietly
/// through `?` instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?;
    }};
}

/// `print!` for command output, quiet on a closed stdout like `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*)?;
    }};
}

mod attach;
mod backtest_cmd;
mod config_cmd;
mod data;
mod home;
mod indicators_cmd;
mod keys;
mod run_cmd;
mod runs_cmd;
mod status;

use crate::config::{Env, Loaded, Sources};
use crate::market::{Interval, Symbol, time};
use clap::{Args, Parser, Subcommand};
use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};
use tracing::level_filters::LevelFilter;

#[derive(Debug, Parser)]
#[command(
    name = "tickdesk",
    version,
    about = "A crypto trading workstation for the terminal",
    propagate_version = true
)]
pub struct Cli {
    /// A config file layered over your user config (see `tickdesk config path`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where candles, logs and journals live (overrides `data.dir`).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// More detail on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Market data: fetch, import, list, verify, export.
    #[command(subcommand)]
    Data(DataCommand),
    /// Configuration: check, show, path.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run a strategy over stored history and report how it would have done.
    Backtest(backtest_cmd::BacktestArgs),
    /// Stored backtest runs: list, show, compare, delete.
    #[command(subcommand)]
    Runs(runs_cmd::RunsCommand),
    /// The built-in strategies and their parameters.
    Strategies,
    /// Indicators over a stored series, as CSV (TA-Lib's defaults), or the list of indicators.
    Indicators(indicators_cmd::IndicatorsArgs),
    /// The trading engine; `--headless` runs it without a view, for a server or a Pi.
    Run(run_cmd::RunArgs),
    /// The workstation on the running headless engine; q detaches, the engine keeps running.
    Attach,
    /// A summary of the running headless engine (exit code 3 when none runs).
    Status(status::StatusArgs),
    /// Binance API keys: set, test, remove (never shown).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Download klines from Binance (public data, no keys), only what the store lacks.
    Fetch(FetchArgs),
    /// Import kline files: data.binance.vision dumps (.zip/.csv) or CSV with a header.
    Import(ImportArgs),
    /// List stored series with their span, size and gaps.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check stored series for damage: order, duplicates, alignment, impossible candles.
    Verify {
        /// Only this symbol.
        symbol: Option<Symbol>,
        /// Only this interval.
        interval: Option<Interval>,
    },
    /// Write a series as CSV (resampled when the interval is not stored).
    Export(ExportArgs),
}

#[derive(Debug, Args)]
struct FetchArgs {
    /// Symbols, comma-separated: BTCUSDT,ETHUSDT
    #[arg(value_delimiter = ',', num_args = 1, required = true)]
    symbols: Vec<Symbol>,
    /// Intervals, comma-separated: 1m,1h,1d (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M)
    #[arg(value_delimiter = ',', num_args = 1, required = true)]
    intervals: Vec<Interval>,
    /// First candle to fetch (UTC): 2024-01-31, 2024-01-31T12:00, or epoch ms.
    #[arg(long, value_parser = date)]
    from: i64,
    /// Fetch candles opening before this instant (UTC); default: up to the last closed candle.
    #[arg(long, value_parser = date)]
    to: Option<i64>,
    /// Ask again for bars the exchange had none of last time.
    #[arg(long)]
    refetch_gaps: bool,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// Files or directories of files (.zip, .csv, .csv.gz).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Symbol, when the file name does not say (Binance names do: BTCUSDT-1h-2025-01.zip).
    #[arg(long)]
    symbol: Option<Symbol>,
    /// Interval, when the file name does not say.
    #[arg(long)]
    interval: Option<Interval>,
    /// Store the good rows of a file with malformed ones, reporting each skipped row.
    #[arg(long)]
    skip_bad: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    symbol: Symbol,
    interval: Interval,
    /// Output file, or - for stdout.
    #[arg(long, short)]
    out: PathBuf,
    /// First open time to include (UTC).
    #[arg(long, value_parser = date)]
    from: Option<i64>,
    /// Include candles opening before this instant (UTC).
    #[arg(long, value_parser = date)]
    to: Option<i64>,
    /// When resampling, leave out buckets with missing finer bars.
    #[arg(long)]
    complete_only: bool,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate every config layer; exit 1 with the first error.
    Check,
    /// Print the merged config (secrets never shown) and where changed values came from.
    Show {
        /// Print the built-in defaults, with their documentation.
        #[arg(long)]
        default: bool,
    },
    /// Print where tickdesk looks for configuration and keeps its data.
    Path,
}

pub(crate) fn date(s: &str) -> Result<i64, time::DateError> {
    time::parse_datetime(s)
}

/// What every command needs: the environment, config sources and (once loaded) the config.
pub struct Context {
    pub sources: Sources,
    pub data_dir_flag: Option<PathBuf>,
    pub stderr_level: LevelFilter,
    pub quiet: bool,
}

impl Context {
    pub fn load(&self) -> anyhow::Result<Loaded> {
        Ok(Loaded::load(&self.sources)?)
    }

    /// The directory of the user's config file (themes, keymap.toml, layouts.toml, keys), if any.
    pub fn config_dir(&self) -> Option<PathBuf> {
        let file = self.sources.user_file.as_ref()?;
        file.parent().map(std::path::Path::to_path_buf)
    }

    pub fn data_dir(&self, loaded: &Loaded) -> anyhow::Result<PathBuf> {
        Ok(loaded.data_dir(self.data_dir_flag.as_deref())?)
    }
}

/// Parses the arguments, runs the command and maps the result to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let env = match Env::capture(&cwd) {
        Ok(env) => env,
        Err(e) => return fail(&e.into()),
    };
    let stderr_level = match (cli.quiet, cli.verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let ctx = Context {
        sources: Sources::new(cli.config, env),
        data_dir_flag: cli.data_dir,
        stderr_level,
        quiet: cli.quiet,
    };
    let result = match cli.command {
        Some(Command::Config(cmd)) => config_cmd::run(&ctx, cmd),
        Some(Command::Data(cmd)) => {
            with_logging(&ctx, |ctx, loaded, dir| data::run(ctx, loaded, dir, cmd))
        }
        Some(Command::Backtest(args)) => with_logging(&ctx, |ctx, loaded, dir| {
            backtest_cmd::run(ctx, loaded, dir, args)
        }),
        Some(Command::Runs(cmd)) => with_logging(&ctx, |_, _, dir| runs_cmd::run(dir, cmd)),
        Some(Command::Strategies) => backtest_cmd::list_strategies(),
        Some(Command::Indicators(args)) => with_logging(&ctx, |_, loaded, dir| {
            indicators_cmd::run(loaded, dir, args)
        }),
        Some(Command::Keys(cmd)) => {
            with_logging(&ctx, |ctx, loaded, dir| keys::run(ctx, loaded, dir, cmd))
        }
        Some(Command::Run(args)) => run_cmd::run(&ctx, args),
        Some(Command::Attach) => attach::run(&ctx),
        Some(Command::Status(args)) => status::run(&ctx, args),
        None if home::interactive() => home::workstation(&ctx, false),
        None => with_logging(&ctx, home::run),
    };
    match result {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// Loads the config, sets up file logging in the data dir, runs `f`, and flushes the logs.
fn with_logging(
    ctx: &Context,
    f: impl FnOnce(&Context, &Loaded, &Path) -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    let loaded = ctx.load()?;
    let dir = ctx.data_dir(&loaded)?;
    let guard = crate::logging::init(
        &dir.join("logs"),
        &loaded.config.logging,
        crate::logging::Terminal::Stderr(ctx.stderr_level),
    )?;
    tracing::debug!(data_dir = %dir.display(), "tickdesk {} starting", env!("CARGO_PKG_VERSION"));
    let result = f(ctx, &loaded, &dir);
    if let Err(e) = &result {
        tracing::error!(target: crate::logging::FILE_ONLY_TARGET, "{e:#}");
    }
    drop(guard);
    result
}

fn fail(e: &anyhow::Error) -> ExitCode {
    let broken_pipe = e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        // The reader went away (`| head`): what it wanted, it got.
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {e:#}");
    ExitCode::FAILURE
}

pub(crate) use crate::report::thousands;
