//! `tickdesk keys set | test | remove`: storing the Binance API keys, checking them with one
//! signed read-only call, and deleting them. Keys come in on stdin or a prompt without echo,
//! never as arguments (which other users can see in the process list).
//!
//! Invariant: nothing here prints, logs or puts into an error any key, secret or passphrase;
//! what is shown is the kind of key, where it is stored and what Binance answered.

use super::Context;
use crate::binance::wire::Account;
use crate::binance::{KeyKind, TradeClient, TradeConfig, TradeError, WeightLimiter};
use crate::config::Loaded;
use crate::secrets::{self, ApiKeys, EnvOrPrompt, KeyPaths, Passphrase, store};
use anyhow::{Context as _, bail};
use clap::{Subcommand, ValueEnum};
use std::{path::Path, process::ExitCode, sync::Arc};
use zeroize::Zeroizing;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Store API keys: reads the API key, then the HMAC secret or an Ed25519 private key (PEM),
    /// from stdin or, on a terminal, a prompt that does not echo.
    Set {
        /// Where: a passphrase-protected file in the data dir, a plain file private to you
        /// (credentials.toml in the config dir), or the OS keyring.
        #[arg(long, value_enum, default_value_t = Store::Encrypted)]
        to: Store,
    },
    /// Check the keys tickdesk would use with a signed read-only call (GET /api/v3/account);
    /// says where they came from and whether Binance accepted them.
    Test,
    /// Delete the keys held in one store.
    Remove {
        #[arg(long, value_enum)]
        from: Store,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Store {
    /// credentials.toml in the config dir, mode 0600.
    File,
    /// keys.enc in the data dir, sealed with a passphrase.
    Encrypted,
    /// The OS keyring (a build with `--features keyring`).
    Keyring,
}

pub fn run(
    ctx: &Context,
    loaded: &Loaded,
    dir: &Path,
    cmd: KeysCommand,
) -> anyhow::Result<ExitCode> {
    let paths = key_paths(ctx, dir);
    let mut passphrase = EnvOrPrompt(&ctx.sources.env);
    match cmd {
        KeysCommand::Set { to } => set(ctx, &paths, &mut passphrase, to),
        KeysCommand::Test => test(ctx, loaded, &paths, &mut passphrase),
        KeysCommand::Remove { from } => remove(ctx, &paths, from),
    }
}

/// Where keys are looked for: the environment, the config dir, the data dir.
fn key_paths(ctx: &Context, dir: &Path) -> KeyPaths {
    KeyPaths::new(&ctx.sources.env, ctx.config_dir(), dir.to_path_buf())
}

/// The keys' two signers (the trading client's and the user-data stream's) for a live engine,
/// looked up in the usual order; `None` when no source has keys. Runs outside any runtime (the
/// keyring may need its own).
pub fn signers(
    ctx: &Context,
    dir: &Path,
) -> anyhow::Result<Option<(crate::binance::Signer, crate::binance::Signer)>> {
    let paths = key_paths(ctx, dir);
    let mut passphrase = EnvOrPrompt(&ctx.sources.env);
    let lookup = secrets::find(&paths, &ctx.sources.env, &mut passphrase)?;
    let Some(found) = lookup.found else {
        return Ok(None);
    };
    tracing::info!("API keys: {} from {}", kind_name(&found.keys), found.source);
    let sign = || {
        found
            .keys
            .signer()
            .with_context(|| format!("the keys from {} cannot sign", found.source))
    };
    Ok(Some((sign()?, sign()?)))
}

fn kind_name(keys: &ApiKeys) -> &'static str {
    match keys.kind() {
        KeyKind::Hmac => "an HMAC key",
        KeyKind::Ed25519 => "an Ed25519 key",
    }
}

fn set(
    ctx: &Context,
    paths: &KeyPaths,
    passphrase: &mut dyn Passphrase,
    to: Store,
) -> anyhow::Result<ExitCode> {
    let keys = read_keys()?;
    let kind = kind_name(&keys);
    match to {
        Store::File => {
            let path = credentials_file(paths)?;
            store::write_private(&path, keys.to_toml().as_bytes())?;
            outln!("Stored {kind} in {} (mode 0600).", path.display());
        }
        Store::Encrypted => {
            let path = paths.encrypted_file();
            let secret = passphrase.passphrase(&path, true)?;
            store::store_encrypted(&path, &keys, &secret)?;
            outln!(
                "Stored {kind} in {}, sealed with your passphrase (PBKDF2-HMAC-SHA256, {} iterations, AES-256-GCM).",
                path.display(),
                store::ITERATIONS
            );
        }
        Store::Keyring => {
            store::store_keyring(&keys)?;
            outln!(
                "Stored {kind} in the OS keyring as {}/{}.",
                store::SERVICE,
                store::ACCOUNT
            );
        }
    }
    tracing::info!(store = ?to, "API keys stored ({kind})");
    let earlier = holders(ctx, paths)
        .into_iter()
        .filter(|(r, _)| *r < rank(to));
    for (_, earlier) in earlier {
        eprintln!(
            "note: {earlier} comes first in the lookup order; these keys are used only once it is gone"
        );
    }
    outln!("Check them with `tickdesk keys test`.");
    Ok(ExitCode::SUCCESS)
}

/// The keys from stdin, or typed at prompts when stdin is a terminal.
fn read_keys() -> anyhow::Result<ApiKeys> {
    use std::io::IsTerminal;
    let text = if std::io::stdin().is_terminal() {
        prompt_keys()?
    } else {
        store::read_stdin().context("reading the keys from stdin")?
    };
    ApiKeys::from_entered(&text).context("the keys given")
}

fn prompt_keys() -> anyhow::Result<Zeroizing<String>> {
    eprintln!("Nothing you type is shown. Paste, then press Enter.");
    let api_key = store::read_hidden("API key: ")?;
    let first = store::read_hidden("HMAC secret, or an Ed25519 private key (PEM): ")?;
    let mut text = Zeroizing::new(String::with_capacity(4096));
    text.push_str(&api_key);
    text.push('\n');
    text.push_str(&first);
    text.push('\n');
    if first.trim_start().starts_with("-----BEGIN") {
        loop {
            let line = store::read_hidden("")?;
            if text.len() + line.len() + 1 > text.capacity() {
                bail!("the PEM is longer than an Ed25519 key can be");
            }
            text.push_str(&line);
            text.push('\n');
            if line.trim_start().starts_with("-----END") {
                break;
            }
        }
    }
    Ok(text)
}

fn credentials_file(paths: &KeyPaths) -> anyhow::Result<std::path::PathBuf> {
    paths.credentials_file().ok_or_else(|| {
        anyhow::anyhow!(
            "there is no config directory (no home directory?); use `--to encrypted`, which writes in the data dir"
        )
    })
}

/// Where keys are now, with each source's place in the lookup order (the keyring is not asked:
/// it may prompt).
fn holders(ctx: &Context, paths: &KeyPaths) -> Vec<(u8, String)> {
    let env_names = [
        secrets::API_KEY_VAR,
        secrets::API_SECRET_VAR,
        secrets::ED25519_KEY_VAR,
        secrets::ED25519_KEY_FILE_VAR,
    ];
    let env = &ctx.sources.env;
    let set_var = env_names
        .iter()
        .find(|v| env.get(v).is_some_and(|x| !x.trim().is_empty()));
    let mut out: Vec<(u8, String)> = set_var.map(|v| (0, env.describe(v))).into_iter().collect();
    for path in paths.credentials_files().into_iter().filter(|p| p.exists()) {
        let rank = if Some(&path) == paths.credentials_file().as_ref() {
            2
        } else {
            1
        };
        out.push((rank, format!("the credentials file {}", path.display())));
    }
    for path in paths.encrypted_files().into_iter().filter(|p| p.exists()) {
        out.push((4, format!("the encrypted key file {}", path.display())));
    }
    out
}

fn rank(store: Store) -> u8 {
    match store {
        Store::File => 2,
        Store::Keyring => 3,
        Store::Encrypted => 4,
    }
}

fn test(
    ctx: &Context,
    loaded: &Loaded,
    paths: &KeyPaths,
    passphrase: &mut dyn Passphrase,
) -> anyhow::Result<ExitCode> {
    let lookup = secrets::find(paths, &ctx.sources.env, passphrase)?;
    for note in &lookup.passed_over {
        eprintln!("note: passed over {note}");
    }
    let Some(found) = lookup.found else {
        bail!("{}", nothing_found(paths));
    };
    outln!("Keys: {} from {}.", kind_name(&found.keys), found.source);
    let signer = found
        .keys
        .signer()
        .with_context(|| format!("the keys from {} cannot sign", found.source))?;
    drop(found.keys);
    let cfg = TradeConfig::from_config(&loaded.config.binance);
    let network = if loaded.config.binance.testnet {
        "the Binance testnet"
    } else {
        "Binance"
    };
    outln!(
        "Asking {network} at {} for the account (GET /api/v3/account, signed, read-only).",
        cfg.base_url
    );
    let answer = ask_account(cfg, signer)?;
    match answer {
        Ok(account) => {
            outln!("Binance accepted the key: {}.", describe(&account));
            tracing::info!(source = %found.source, "keys test: Binance accepted the key");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.binance_code().is_some() => {
            bail!("Binance refused the key: {e}{}", advice(&e))
        }
        Err(e) => bail!("could not check the key: {e}"),
    }
}

/// `GET /api/v3/account` on a runtime of its own (after the key lookup, which may use the
/// keyring: that must run outside any runtime).
fn ask_account(
    cfg: TradeConfig,
    signer: crate::binance::Signer,
) -> anyhow::Result<Result<Account, TradeError>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(async {
        let clock: Arc<dyn crate::clock::Clock> = Arc::new(crate::clock::SystemClock);
        let limiter = Arc::new(WeightLimiter::new(6000, clock.clone()));
        TradeClient::new(cfg, signer, limiter, clock)?
            .account()
            .await
    }))
}

fn describe(account: &Account) -> String {
    let held = account
        .balances
        .iter()
        .filter(|b| !(b.free + b.locked).is_zero())
        .count();
    let trade = if account.can_trade {
        "can trade"
    } else {
        "cannot trade (read-only key?)"
    };
    format!("the account {trade} and holds {held} asset(s)")
}

fn nothing_found(paths: &KeyPaths) -> String {
    let files: Vec<String> = paths
        .credentials_files()
        .into_iter()
        .chain(paths.encrypted_files())
        .map(|p| p.display().to_string())
        .collect();
    format!(
        "no API keys found: none in the environment ({} with {} or {} / {}), nor in {}. Store them with `tickdesk keys set`",
        secrets::API_KEY_VAR,
        secrets::API_SECRET_VAR,
        secrets::ED25519_KEY_VAR,
        secrets::ED25519_KEY_FILE_VAR,
        files.join(", ")
    )
}

/// What a refusal usually means, by Binance's code.
fn advice(e: &TradeError) -> &'static str {
    match e.binance_code() {
        Some(-1022) => {
            ". The signature does not match: the secret (or Ed25519 key) is not the one that belongs to this API key; store the right pair with `tickdesk keys set`"
        }
        Some(-2014) => ". The API key is malformed: check that it was copied whole",
        Some(-2015) => {
            ". The API key is unknown, or this IP is not on its whitelist, or it lacks the permission; check it in Binance's API management (testnet keys work only with `binance.testnet = true`)"
        }
        Some(-1021) => ". This machine's clock is too far from Binance's: synchronise it (NTP)",
        _ => "",
    }
}

fn remove(ctx: &Context, paths: &KeyPaths, from: Store) -> anyhow::Result<ExitCode> {
    let removed = |what: String, gone: bool| -> std::io::Result<()> {
        use std::io::Write as _;
        if gone {
            writeln!(std::io::stdout(), "Removed {what}.")
        } else {
            writeln!(std::io::stdout(), "Nothing to remove: no {what}.")
        }
    };
    match from {
        Store::File => {
            let path = credentials_file(paths)?;
            let gone = store::remove_file(&path)?;
            removed(format!("credentials file {}", path.display()), gone)?;
            if let Some(dir) = &paths.credentials_dir {
                eprintln!(
                    "note: systemd's credential in {} is managed by the unit's LoadCredential=, not here",
                    dir.display()
                );
            }
        }
        Store::Encrypted => {
            for path in paths.encrypted_files() {
                let gone = store::remove_file(&path)?;
                if gone || path == paths.encrypted_file() {
                    removed(format!("encrypted key file {}", path.display()), gone)?;
                }
            }
        }
        Store::Keyring => {
            let gone = store::remove_keyring()?;
            let entry = format!("OS keyring entry {}/{}", store::SERVICE, store::ACCOUNT);
            removed(entry, gone)?;
        }
    }
    tracing::info!(store = ?from, "API keys removed");
    let others = holders(ctx, paths)
        .into_iter()
        .filter(|(r, _)| *r != rank(from));
    for (_, other) in others {
        eprintln!("note: {other} still holds keys");
    }
    Ok(ExitCode::SUCCESS)
}
