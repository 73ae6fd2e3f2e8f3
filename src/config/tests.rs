use super::*;
use std::io::Write;

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn load(
    user: Option<&str>,
    cli: Option<&str>,
    vars: &[(&str, &str)],
) -> Result<Loaded, ConfigError> {
    let user = user.map(file);
    let cli = cli.map(file);
    let sources = Sources {
        user_file: user.as_ref().map(|f| f.path().to_path_buf()),
        cli_file: cli.as_ref().map(|f| f.path().to_path_buf()),
        env: env(vars),
    };
    Loaded::load(&sources)
}

fn error(user: &str) -> String {
    load(Some(user), None, &[]).unwrap_err().to_string()
}

#[test]
fn defaults_set_every_key() {
    let loaded = load(None, None, &[]).unwrap();
    let c = &loaded.config;
    assert_eq!(
        c.binance.rest_url.as_str(),
        "https://data-api.binance.vision"
    );
    assert_eq!(c.fetch.concurrency.get(), 4);
    assert!(loaded.origins.is_empty());
}

#[test]
fn layers_apply_in_order_user_file_cli_file_environment() {
    let loaded = load(
        Some("[fetch]\nconcurrency = 2\nmax_retries = 3\n[logging]\njson = true\n"),
        Some("[fetch]\nconcurrency = 5\n"),
        &[
            ("TICKDESK_FETCH__MAX_RETRIES", "7"),
            ("TICKDESK_DATA__DIR", "/srv/td"),
        ],
    )
    .unwrap();
    let c = &loaded.config;
    assert_eq!(c.fetch.concurrency.get(), 5, "--config beats the user file");
    assert_eq!(
        c.fetch.max_retries.get(),
        7,
        "the environment beats both files"
    );
    assert!(
        c.logging.json,
        "keys a later layer leaves alone keep their value"
    );
    assert_eq!(c.data.dir, "/srv/td");
    assert_eq!(
        loaded.origins["fetch.max_retries"],
        "environment variable TICKDESK_FETCH__MAX_RETRIES"
    );
    let shown = loaded.to_annotated_toml();
    assert!(
        shown.contains("max_retries = 7  # from environment variable TICKDESK_FETCH__MAX_RETRIES"),
        "{shown}"
    );
    assert!(
        shown.contains("\nrequest_timeout_secs = 10\n"),
        "defaults carry no annotation: {shown}"
    );
}

#[test]
fn backtest_defaults_and_strategy_parameters_are_checked() {
    let l = load(Some("[backtest]\ncash = \"2500.5\"\nfill = \"this-close\"\n[strategies.sma_cross]\nfast = 12\n"), None, &[]).unwrap();
    assert_eq!(l.config.backtest.cash.0.to_string(), "2500.5");
    assert_eq!(
        l.config.backtest.fill,
        crate::exchange::FillPolicy::ThisClose
    );
    assert_eq!(
        l.config.strategies["sma_cross"]["fast"],
        ParamValue::Int(12)
    );
    assert!(l.origins.contains_key("strategies.sma_cross.fast"));
    let e = error("[strategies.sma_cross]\nfsat = 12\n");
    assert!(
        e.contains("key `strategies.sma_cross.fsat`")
            && e.contains("its parameters are fast, slow"),
        "{e}"
    );
    let e = error("[strategies.sma_cross]\nslow = 2\n");
    assert!(
        e.contains("sma_cross.slow must be a whole number from 3"),
        "{e}"
    );
    let e = error("[strategies.smacross]\nfast = 2\n");
    assert!(e.contains("unknown strategy `smacross`"), "{e}");
    let e = error("[backtest]\nfill = \"tomorrow\"\n");
    assert!(e.contains("next-open") && e.contains("line 2"), "{e}");
    let e = error("[backtest]\ntaker_fee = 0.5\n");
    assert!(
        e.contains("not a fee rate: use a number from 0 to 0.05"),
        "{e}"
    );
}

#[test]
fn testnet_switch_selects_testnet_endpoints() {
    let c = load(Some("[binance]\ntestnet = true\n"), None, &[])
        .unwrap()
        .config;
    let e = c.binance.endpoints();
    assert_eq!(e.rest.as_str(), "https://testnet.binance.vision");
    assert_eq!(
        e.ws_api.as_str(),
        "wss://ws-api.testnet.binance.vision/ws-api/v3"
    );
}

#[test]
fn unknown_keys_name_the_line_column_and_what_is_allowed() {
    let e = error("[fetch]\nconcurrency = 2\nconcurency = 3\n");
    assert!(
        e.contains("line 3, column 1, key `fetch.concurency`"),
        "{e}"
    );
    assert!(
        e.contains("unknown field `concurency`") && e.contains("`concurrency`"),
        "{e}"
    );
    let e = error("[fech]\n");
    assert!(e.contains("line 1") && e.contains("`fetch`"), "{e}");
}

#[test]
fn wrong_types_and_values_point_at_the_value() {
    let e = error("[fetch]\nconcurrency = \"four\"\n");
    assert!(
        e.contains("line 2, column 15, key `fetch.concurrency`"),
        "{e}"
    );
    let e = error("[fetch]\nconcurrency = 0\n");
    assert!(
        e.contains("from 1 to 32") && e.contains("key `fetch.concurrency`"),
        "{e}"
    );
    let e = error("[binance]\nrest_url = \"ftp://x\"\n");
    assert!(
        e.contains("http:// or https://") && e.contains("line 2"),
        "{e}"
    );
    let e = error("[logging]\nlevel = \"loud\"\n");
    assert!(e.contains("not a log filter"), "{e}");
    let e = error("[fetch]\nconcurrency = \n");
    assert!(e.contains("line 2"), "a syntax error is located too: {e}");
}

#[test]
fn secrets_in_files_are_refused_without_echoing_them() {
    let e = error("[binance]\ntestnet = true\napi_key = \"abcdef123456\"\n");
    assert!(
        e.contains("line 3, key `binance.api_key`") && e.contains("TICKDESK_API_KEY"),
        "{e}"
    );
    assert!(!e.contains("abcdef123456"), "{e}");
}

#[test]
fn cross_key_rules_name_both_keys_and_their_origin() {
    let e = load(None, None, &[("TICKDESK_FETCH__BACKOFF_BASE_MS", "90000")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("fetch.backoff_base_ms (90000, from environment variable"),
        "{e}"
    );
    assert!(
        e.contains("fetch.backoff_max_ms (30000, from built-in defaults)"),
        "{e}"
    );
}

#[test]
fn environment_overrides_are_typed_and_strict() {
    let l = load(
        None,
        None,
        &[
            ("TICKDESK_LOGGING__JSON", "true"),
            ("TICKDESK_BINANCE__REST_URL", "http://127.0.0.1:9"),
        ],
    )
    .unwrap();
    assert!(l.config.logging.json);
    assert_eq!(l.config.binance.rest_url.as_str(), "http://127.0.0.1:9");
    let l = load(None, None, &[("TICKDESK_DATA__DIR", "42")]).unwrap();
    assert_eq!(l.config.data.dir, "42", "a string key takes digits as text");
    let e = load(None, None, &[("TICKDESK_FETCH__CONCURRENCY", "lots")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("TICKDESK_FETCH__CONCURRENCY (key `fetch.concurrency`)"),
        "{e}"
    );
    let e = load(None, None, &[("TICKDESK_FETCH__SPEED", "1")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `speed`"), "{e}");
    let e = load(None, None, &[("TICKDESK_NOPE__X", "1")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no config section `nope`"), "{e}");
    let l = load(
        None,
        None,
        &[
            ("TICKDESK_LOGGING_LEVEL", "debug"),
            ("TICKDESK_API_KEY", "k"),
        ],
    )
    .unwrap();
    assert_eq!(
        l.ignored_env,
        ["TICKDESK_LOGGING_LEVEL"],
        "typos are reported, settings are not"
    );
}

#[test]
fn a_missing_config_file_is_an_error_but_a_missing_user_file_is_not() {
    let sources = Sources {
        user_file: Some("/nonexistent/user.toml".into()),
        cli_file: None,
        env: Env::default(),
    };
    assert!(Loaded::load(&sources).is_ok());
    let sources = Sources {
        cli_file: Some("/nonexistent/x.toml".into()),
        ..sources
    };
    let e = Loaded::load(&sources).unwrap_err().to_string();
    assert!(
        e.contains("cannot read config file /nonexistent/x.toml"),
        "{e}"
    );
}

#[test]
fn data_dir_precedence() {
    let l = load(Some("[data]\ndir = \"/srv/a\"\n"), None, &[]).unwrap();
    assert_eq!(
        l.data_dir(None).unwrap(),
        std::path::PathBuf::from("/srv/a")
    );
    assert_eq!(
        l.data_dir(Some("/x".as_ref())).unwrap(),
        std::path::PathBuf::from("/x")
    );
}

#[test]
fn dotenv_values_fill_in_but_never_override_the_process() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "TICKDESK_TEST_ONLY_DOTENV=from-file\nPATH=nope\n",
    )
    .unwrap();
    let env = Env::capture(dir.path()).unwrap();
    assert_eq!(env.get("TICKDESK_TEST_ONLY_DOTENV"), Some("from-file"));
    assert_ne!(env.get("PATH"), Some("nope"));
    std::fs::write(
        dir.path().join(".env"),
        "GOOD=1\nthis is not a line with secret s3cr3t\n",
    )
    .unwrap();
    let e = Env::capture(dir.path()).unwrap_err().to_string();
    assert!(e.contains(".env") && !e.contains("s3cr3t"), "{e}");
}
