//! The `[risk]` section through the real config loader: the built-in defaults are all off, layers
//! overlay key by key (per-strategy rules too) and record where each came from, errors point at
//! the file, line and key and say what is allowed, and the conversion numbers strategies as the
//! run does.

use super::*;
use crate::config::{ConfigError, Env, Loaded, Sources};
use crate::risk::{Distance, Sizing};
use std::io::Write;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn load(
    text: &str,
    vars: &[(&str, &str)],
) -> Result<(Loaded, tempfile::NamedTempFile), ConfigError> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let env = Env::from_pairs(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let sources = Sources {
        user_file: None,
        cli_file: Some(f.path().to_path_buf()),
        env,
    };
    Loaded::load(&sources).map(|l| (l, f))
}

fn error(text: &str) -> String {
    load(text, &[]).unwrap_err().to_string()
}

#[test]
fn the_built_in_defaults_are_all_off_and_change_nothing() {
    let (loaded, _f) = load("", &[]).unwrap();
    let risk = &loaded.config.risk;
    assert_eq!(risk, &RiskSettings::default());
    assert_eq!(risk.summary(), None);
    let fee = d("0.001");
    let expected = RiskConfig {
        taker_fee: fee,
        strategies: vec![StrategyRisk::default(); 2],
        ..RiskConfig::default()
    };
    assert_eq!(risk.to_config(&["sma_cross", "momentum"], fee), expected);
    assert_eq!(risk.breakers(), BreakerConfig::default());
}

const FILE: &str = r#"
[risk]
max_order_quote = 1000
max_exposure_pct = 62.5
max_open_orders = 4
daily_loss_pct = "3.5"
on_loss_limit = "flatten"
cooldown_stops = 2
cooldown_window_mins = 90
cooldown_per_symbol = false
lock_after_losses = 3
api_error_rate_pct = 20
stale_data_secs = 45

[risk.strategies.momentum]
sizing = "risk:1"
stop = "2.5atr"

[risk.strategies.sma_cross]
take_profit = "6%"
"#;

#[test]
fn a_file_sets_limits_protections_breakers_and_each_strategys_rules() {
    let (loaded, f) = load(FILE, &[("TICKDESK_RISK__MAX_OPEN_ORDERS", "7")]).unwrap();
    let risk = &loaded.config.risk;
    let config = risk.to_config(&["sma_cross", "mean_reversion", "momentum"], d("0.002"));
    let limits = Limits {
        max_order_quote: Some(d("1000")),
        max_exposure_pct: Some(d("62.5")),
        max_open_orders: Some(7),
        ..Limits::default()
    };
    assert_eq!(config.limits, limits, "the environment beats the file");
    let p = &config.protections;
    assert_eq!(
        (p.daily_loss_pct, p.max_drawdown_pct),
        (Some(d("3.5")), None)
    );
    assert_eq!(p.on_loss_limit, OnLossLimit::Flatten);
    let cooldown = Cooldown {
        stops: 2,
        window_ms: 90 * MINUTE_MS,
        duration_ms: 60 * MINUTE_MS,
        per_symbol: false,
    };
    assert_eq!(p.cooldown, Some(cooldown));
    assert_eq!(p.lock.map(|l| l.duration_ms), Some(1440 * MINUTE_MS));
    let tp = StrategyRisk {
        take_profit: Some(Distance::Pct(d("6"))),
        ..StrategyRisk::default()
    };
    let momentum = StrategyRisk {
        sizing: Some(Sizing::RiskPct(d("1"))),
        stop: Some(Distance::Atr(d("2.5"))),
        ..StrategyRisk::default()
    };
    assert_eq!(config.strategies, [tp, StrategyRisk::default(), momentum]);
    let b = risk.breakers();
    assert_eq!(
        (b.error_rate_pct, b.max_latency_ms, b.stale_data_secs),
        (Some(20), None, Some(45))
    );
    let file = f.path().display().to_string();
    let origin = |k: &str| loaded.origins.get(k).cloned().unwrap_or_default();
    assert_eq!(origin("risk.strategies.momentum.stop"), file);
    assert_eq!(origin("risk.max_order_quote"), file);
    assert!(origin("risk.max_open_orders").contains("TICKDESK_RISK__MAX_OPEN_ORDERS"));
}

#[test]
fn layers_overlay_a_strategys_rules_key_by_key() {
    let mut risk = RiskSettings::default();
    let mut origins = Origins::new();
    for (layer, text) in [
        (
            "a",
            "[strategies.sma_cross]\nsizing = \"quote:100\"\nstop = \"3%\"\n",
        ),
        ("b", "[strategies.sma_cross]\nstop = \"2atr\"\n"),
    ] {
        let patch: RiskPatch = toml::from_str(text).unwrap();
        risk.apply(patch, layer, &mut origins);
    }
    let name = StrategyName::from_str("sma_cross").unwrap();
    let rules = &risk.strategies[&name];
    assert_eq!(
        rules.sizing.as_ref().map(|r| r.text.as_str()),
        Some("quote:100")
    );
    assert_eq!(
        rules.stop.as_ref().map(|r| r.value),
        Some(Distance::Atr(d("2")))
    );
    let origin = |k: &str| origins.get(k).map(String::as_str);
    assert_eq!(origin("risk.strategies.sma_cross.sizing"), Some("a"));
    assert_eq!(origin("risk.strategies.sma_cross.stop"), Some("b"));
    assert_eq!(
        risk.summary().as_deref(),
        Some("sma_cross: sizing quote:100, stop 2atr")
    );
}

#[test]
fn errors_name_the_line_and_key_and_say_what_is_allowed() {
    let e = error("[risk.strategies.sma_cross]\nstop = \"3\"\n");
    assert!(
        e.contains("line 2") && e.contains("key `risk.strategies.sma_cross.stop`"),
        "{e}"
    );
    assert!(
        e.contains("write a percentage (`3%`) or an ATR multiple (`2.5atr`)"),
        "{e}"
    );
    let e = error("[risk.strategies.sma_cross]\nsizing = \"all-in\"\n");
    assert!(e.contains("equity:PCT"), "{e}");
    let e = error("[risk.strategies.smacross]\nstop = \"3%\"\n");
    assert!(e.contains("unknown strategy `smacross`"), "{e}");
    assert!(e.contains("sma_cross, momentum"), "{e}");
    let e = error("[risk]\nmax_exposure_pct = 150\n");
    assert!(
        e.contains("line 2") && e.contains("key `risk.max_exposure_pct`"),
        "{e}"
    );
    assert!(
        e.contains("`150` is not a percentage: use a number from 0 (off) to 100"),
        "{e}"
    );
    let e = error("[risk]\nmax_order_quote = -5\n");
    assert!(e.contains("`-5` is not an amount"), "{e}");
    let e = error("[risk]\non_loss_limit = \"sell\"\n");
    assert!(e.contains("`halt`") && e.contains("`flatten`"), "{e}");
    let e = error("[risk]\ncooldown_mins = 0\n");
    assert!(e.contains("use a whole number from 1 to 525600"), "{e}");
    let e = error("[risk]\nmax_orders = 3\n");
    assert!(e.contains("unknown field `max_orders`"), "{e}");
    let e = error("[risk.strategies.sma_cross]\nstoploss = \"3%\"\n");
    assert!(e.contains("unknown field `stoploss`"), "{e}");
}

#[test]
fn a_runs_settings_survive_the_journal_and_old_runs_read_as_off() {
    let (loaded, _f) = load(FILE, &[]).unwrap();
    let risk = &loaded.config.risk;
    let json = serde_json::to_string(risk).unwrap();
    assert_eq!(&serde_json::from_str::<RiskSettings>(&json).unwrap(), risk);
    let old: RiskSettings = serde_json::from_str("{}").unwrap();
    assert_eq!(old, RiskSettings::default());
    let summary = risk.summary().unwrap();
    assert!(
        summary
            .starts_with("max_exposure_pct = 62.5 · max_open_orders = 4 · max_order_quote = 1000"),
        "{summary}"
    );
    assert!(summary.contains("on_loss_limit = \"flatten\""), "{summary}");
    assert!(summary.ends_with("sma_cross: take_profit 6%"), "{summary}");
}
