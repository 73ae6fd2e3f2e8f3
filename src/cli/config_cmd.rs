//! `tickdesk config check | show | path`.

use super::{ConfigCommand, Context};
use crate::config::{DEFAULT_TOML, Sources};
use crate::secrets::Credentials;
use std::process::ExitCode;

pub fn run(ctx: &Context, cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    crate::logging::init_terminal(ctx.stderr_level);
    match cmd {
        ConfigCommand::Check => check(ctx),
        ConfigCommand::Show { default: true } => {
            out!("{DEFAULT_TOML}");
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Show { default: false } => show(ctx),
        ConfigCommand::Path => path(ctx),
    }
}

fn check(ctx: &Context) -> anyhow::Result<ExitCode> {
    let loaded = ctx.load()?;
    let files = ctx.sources.files();
    let layers = if files.is_empty() {
        "built-in defaults only".to_string()
    } else {
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    outln!(
        "config OK ({layers}; {} key(s) overridden)",
        loaded.origins.len()
    );
    for var in &loaded.ignored_env {
        eprintln!(
            "warning: {var} is not a tickdesk setting and is ignored; overrides are spelled TICKDESK_<SECTION>__<KEY> (two underscores)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Context) -> anyhow::Result<ExitCode> {
    let loaded = ctx.load()?;
    out!("{}", loaded.to_annotated_toml());
    outln!(
        "\n# API keys never come from config files. In order: the environment (or .env), a 0600\n\
         # credentials file, the OS keyring, the encrypted key file; `tickdesk keys test` says which\n\
         # one answers. In the environment:"
    );
    for line in Credentials::from_env(&ctx.sources.env).status_lines() {
        outln!("#   {line}");
    }
    Ok(ExitCode::SUCCESS)
}

fn path(ctx: &Context) -> anyhow::Result<ExitCode> {
    let exists = |p: &std::path::Path| if p.exists() { "" } else { "  (not present)" };
    outln!("built-in defaults   `tickdesk config show --default` prints them");
    match Sources::user_file_path() {
        Some(p) => outln!("user config         {}{}", p.display(), exists(&p)),
        None => outln!("user config         (no home directory)"),
    }
    match &ctx.sources.cli_file {
        Some(p) => outln!("--config file       {}{}", p.display(), exists(p)),
        None => outln!("--config file       (none given)"),
    }
    let overrides: Vec<&str> = ctx
        .sources
        .env
        .iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("TICKDESK_") && k.contains("__"))
        .collect();
    let shown = if overrides.is_empty() {
        "none set".to_string()
    } else {
        overrides.join(", ")
    };
    outln!("environment         TICKDESK_<SECTION>__<KEY> overrides: {shown}");
    match &ctx.sources.env.dotenv_loaded {
        Some(p) => outln!(".env file           {}", p.display()),
        None => outln!(".env file           .env in the working directory  (not present)"),
    }
    if let Ok(dir) = ctx.load().and_then(|loaded| ctx.data_dir(&loaded)) {
        outln!("data directory      {}", dir.display());
        outln!("candle store        {}", dir.join("candles").display());
        outln!("log files           {}", dir.join("logs").display());
    }
    Ok(ExitCode::SUCCESS)
}
