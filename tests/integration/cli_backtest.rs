//! `tickdesk backtest`, `runs`, `strategies` and `indicators` as a user runs them: the real binary
//! in a private HOME whose store was seeded with the shipped candles. Covers the report, the JSON
//! (checked against the exact reference), the self-contained HTML, every setting taking effect,
//! `--detail` on the shipped minutes, the errors a user can make, and the journal of runs.

use crate::common::shipped_1h;
use crate::common::{Run, Sandbox, repo};
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::Path;
use tickdesk::strategy;

/// A sandbox after a first `tickdesk` (no subcommand), which copies the shipped candles in.
fn seeded() -> Sandbox {
    let sb = Sandbox::new();
    let out = sb.run(&[]).ok().to_string();
    assert!(out.contains("copied in the real Binance candles"), "{out}");
    sb
}

/// Runs `line` (split on spaces) followed by `more`.
fn run(sb: &Sandbox, line: &str, more: &[&str]) -> Run {
    let args: Vec<&str> = line
        .split_whitespace()
        .chain(more.iter().copied())
        .collect();
    sb.run(&args)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

const BACKTEST: &str = "backtest --symbol BTCUSDT --interval 1h";

/// A BTCUSDT 1h backtest with filters off, not journaled, with `extra` flags: its `--json`.
fn backtest(sb: &Sandbox, extra: &str) -> Value {
    let json = sb.work().join("run.json");
    let line = format!("{BACKTEST} --filters off --no-journal {extra}");
    run(sb, &line, &["--json", path(&json)]).ok();
    read_json(&json)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn reference_final_equity() -> f64 {
    let name = "tests/fixtures/reference/backtest/sma_cross_10_30-BTCUSDT-1h.json.gz";
    let file = std::fs::File::open(repo().join(name)).unwrap();
    let r: Value = serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap();
    f(&r["final_equity"])
}

#[test]
fn a_backtest_prints_metrics_writes_json_and_html_and_is_saved() {
    let sb = seeded();
    let (json, html) = (sb.work().join("out.json"), sb.work().join("out.html"));
    let line = format!("{BACKTEST} --strategy sma_cross --filters off");
    let more = ["--json", path(&json), "--report", path(&html)];
    let out = run(&sb, &line, &more);
    let stdout = out.ok();
    for row in [
        "final equity",
        "max drawdown",
        "Sharpe (daily, ann.)",
        "win rate",
        "fees paid",
    ] {
        assert!(stdout.contains(row), "no `{row}` row:\n{stdout}");
    }
    assert!(stdout.contains("saved as run 1"), "{stdout}");

    let doc = read_json(&json);
    let trades = doc["trades"].as_array().unwrap();
    assert!(trades.len() > 1000, "{} trades", trades.len());
    for key in [
        "entry_time_ms",
        "entry_price",
        "exit_time_ms",
        "exit_price",
        "qty",
        "pnl",
    ] {
        assert!(
            trades.iter().all(|t| t[key].is_number()),
            "every trade's {key}"
        );
    }
    assert!(
        doc["open_trade"]["entry_time_ms"].is_i64(),
        "{}",
        doc["open_trade"]
    );
    for key in [
        "total_return_pct",
        "max_drawdown_pct",
        "sharpe/per_bar_annualized",
    ] {
        assert!(doc.pointer(&format!("/{key}")).unwrap().is_f64(), "{key}");
    }
    for key in [
        "sharpe/daily_annualized",
        "timing/engine_seconds",
        "timing/bars_per_second",
    ] {
        assert!(f(doc.pointer(&format!("/{key}")).unwrap()) > 0.0, "{key}");
    }
    let (ours, theirs) = (f(&doc["final_equity"]), reference_final_equity());
    assert!((ours - theirs).abs() <= 1e-9 * theirs, "{ours} vs {theirs}");

    let page = std::fs::read_to_string(&html).unwrap();
    for outside in ["http://", "https://", "<script"] {
        assert!(!page.contains(outside), "not self-contained: {outside}");
    }
    assert!(page.contains("<svg") && page.contains("<h1>sma_cross on BTCUSDT 1h</h1>"));
    let first_trade = "<tr><td>1</td><td>BTCUSDT</td><td>2017-08-20 01:00</td>";
    assert!(page.contains(first_trade), "no row for the first trade");
}

#[test]
fn parameters_from_set_and_from_a_config_file_take_effect() {
    let sb = seeded();
    let defaults = backtest(&sb, "");
    let set = backtest(&sb, "--set fast=12 --set slow=40");
    assert_eq!(set["params"], json!({ "fast": 12.0, "slow": 40.0 }));
    assert_ne!(set["final_equity"], defaults["final_equity"]);
    let config = sb.work().join("strategies.toml");
    std::fs::write(&config, "[strategies.sma_cross]\nfast = 12\nslow = 40\n").unwrap();
    let from_file = backtest(&sb, &format!("--config {}", path(&config)));
    assert_eq!(
        (&from_file["params"], &from_file["final_equity"]),
        (&set["params"], &set["final_equity"])
    );
    let flag_wins = backtest(&sb, &format!("--config {} --set fast=10", path(&config)));
    assert_eq!(
        flag_wins["params"],
        json!({ "fast": 10.0, "slow": 40.0 }),
        "--set wins"
    );

    // The [risk] section governs the command's backtests too: orders above 1 000 USDT are refused.
    let risk = sb.work().join("risk.toml");
    std::fs::write(
        &risk,
        "[risk]
max_order_quote = 1000
",
    )
    .unwrap();
    let limited = backtest(&sb, &format!("--config {}", path(&risk)));
    let refused = &limited["refused"]["RISK_MAX_ORDER"];
    assert!(f(refused) >= 1.0, "{}", limited["refused"]);
    assert_ne!(limited["final_equity"], defaults["final_equity"]);
}

#[test]
fn cash_fees_fill_policy_and_dates_take_effect() {
    let sb = seeded();
    let defaults = backtest(&sb, "");
    let half = backtest(&sb, "--cash 5000");
    assert_eq!(half["settings"]["cash"], "5000");
    let ratio = f(&half["final_equity"]) / f(&defaults["final_equity"]);
    assert!(
        (ratio - 0.5).abs() < 1e-9,
        "filters off: half the cash, half the end ({ratio})"
    );

    let free = backtest(&sb, "--fee 0");
    let fees = (
        &free["settings"]["maker_fee"],
        &free["settings"]["taker_fee"],
    );
    assert_eq!(fees, (&json!("0"), &json!("0")));
    let paid = (
        f(&free["metrics"]["fees_paid"]),
        f(&defaults["metrics"]["fees_paid"]),
    );
    assert!(paid.0 == 0.0 && paid.1 > 0.0, "{paid:?}");

    let candles = shipped_1h("BTCUSDT");
    let bar_at = |t: i64| &candles[candles.partition_point(|c| c.open_time < t)];
    let this_close = backtest(&sb, "--fill this-close");
    assert_eq!(this_close["settings"]["fill"], "this-close");
    assert_ne!(this_close["final_equity"], defaults["final_equity"]);
    for (doc, at_close) in [(&defaults, false), (&this_close, true)] {
        for t in doc["trades"].as_array().unwrap().iter().take(50) {
            let at = t["entry_time_ms"].as_i64().unwrap();
            let price = if at_close {
                bar_at(at - 3_600_000).close
            } else {
                bar_at(at).open
            };
            let off = (f(&t["entry_price"]) - price).abs() / price;
            assert!(
                off < 1e-9,
                "{t}: decision bar's close {at_close}, else next open"
            );
        }
    }

    let span = backtest(&sb, "--from 2023-01-01 --to 2023-07-01");
    let first_last = (&span["first_open_time_ms"], &span["last_open_time_ms"]);
    assert_eq!(
        first_last,
        (&json!(1_672_531_200_000_i64), &json!(1_688_166_000_000_i64))
    );
    assert_eq!(
        span["bars"],
        181 * 24 - 1,
        "2023-H1 hours, one missing at the exchange"
    );
}

/// The trades' exit minutes past the hour.
fn exit_minutes(doc: &Value) -> Vec<i64> {
    let minute = |t: &Value| t["exit_time_ms"].as_i64().unwrap() % 3_600_000 / 60_000;
    doc["trades"]
        .as_array()
        .unwrap()
        .iter()
        .map(minute)
        .collect()
}

#[test]
fn detail_matches_stops_on_the_shipped_minutes() {
    // Only the shipped 1m series is stored, so the 1h bars are resampled from it.
    let sb = Sandbox::new();
    let minutes = repo().join("data/BTCUSDT-1m.csv.gz");
    run(&sb, "data import", &[path(&minutes)]).ok();
    let momentum = "--strategy momentum --set breakout=10 --set atr_mult=1";
    let whole = backtest(&sb, momentum);
    let fine = backtest(&sb, &format!("{momentum} --detail 1m"));
    assert_eq!(
        (&whole["bars"], &fine["bars"]),
        (&json!(288), &json!(288)),
        "12 days"
    );
    let detail = (&whole["settings"]["detail"], &fine["settings"]["detail"]);
    assert_eq!(detail, (&Value::Null, &json!("1m")));
    assert!(
        exit_minutes(&whole).iter().all(|&m| m == 0),
        "whole bars: on the hour"
    );
    let inside = exit_minutes(&fine).iter().filter(|&&m| m != 0).count();
    assert!(
        inside > 0,
        "stops inside the hour: {:?}",
        exit_minutes(&fine)
    );
}

#[test]
fn a_fresh_store_is_seeded_and_each_run_reads_the_interval_that_covers_its_dates() {
    let sb = Sandbox::new();
    // 1h is stored for 2017–2024 only; May 2025 exists as minutes, which the run resamples.
    let may = "--from 2025-05-20 --to 2025-06-01";
    let out = run(
        &sb,
        &format!("{BACKTEST} {may} --detail 1m --no-journal"),
        &[],
    );
    let (stdout, stderr) = (out.ok().to_string(), out.stderr.clone());
    assert!(stderr.contains("The store was empty: copied in the 138,003 real Binance candles"));
    assert!(
        stdout.contains("2025-05-20 00:00 → 2025-05-31 23:00 · 288 bars"),
        "{stdout}"
    );
    assert!(stdout.contains("detail 1m"), "{stdout}");
    let four = run(
        &sb,
        &format!("backtest --symbol BTCUSDT --interval 4h {may}"),
        &[],
    );
    let four = four.ok().to_string();
    assert!(
        four.contains("2025-05-20 00:00 → 2025-05-31 20:00 · 72 bars"),
        "{four}"
    );
    // Without dates the longest stored history wins: the 1h series itself.
    let all = run(&sb, BACKTEST, &["--no-journal"]).ok().to_string();
    assert!(
        all.contains("2017-08-17 04:00 → 2024-04-21 14:00 · 58419 bars"),
        "{all}"
    );
}

#[test]
fn mistakes_exit_non_zero_and_name_the_problem() {
    let sb = seeded();
    #[rustfmt::skip]
    let cases = [
        ("--strategy nope", 1, "unknown strategy `nope`; built-in strategies are sma_cross, momentum, mean_reversion, mtf_trend"),
        ("--set fast=1", 1, "sma_cross.fast must be a whole number from 2 to 200, got 1"),
        ("--set speed=3", 1, "sma_cross has no parameter `speed`; its parameters are fast, slow"),
        ("--set fast", 2, "`fast` is not key=value (e.g. fast=10)"),
        ("--symbol SOLUSDT", 1, "no binance SOLUSDT 1h candles are stored"),
        ("--from 2030-01-01", 1, "no binance BTCUSDT 1h candles in the chosen range"),
        ("--detail 3d", 1, "--detail 3d must be finer than 1h and nest in it"),
        ("--detail 1m", 1, "--detail 1m: no stored BTCUSDT 1m candle falls inside the run's 1h bars (2017-08-17 04:00 → 2024-04-21 14:00)"),
        ("--strategy mtf_trend --set trend_hours=5", 1, "trend_hours must be 1, 2, 4, 6, 8, 12 or 24"),
    ];
    for (args, code, message) in cases {
        let stderr = run(&sb, &format!("{BACKTEST} {args}"), &[])
            .fails_with(code)
            .to_string();
        assert!(
            stderr.contains(message),
            "{args}: no `{message}` in\n{stderr}"
        );
    }
    let listed = run(&sb, "runs list", &[]).ok().to_string();
    assert!(
        listed.starts_with("no runs yet"),
        "failures save nothing:\n{listed}"
    );
}

#[test]
fn runs_are_listed_shown_compared_and_deleted() {
    let sb = seeded();
    let json = sb.work().join("first.json");
    let first = run(
        &sb,
        &format!("{BACKTEST} --from 2022-01-01 --json"),
        &[path(&json)],
    );
    assert!(first.ok().contains("saved as run 1"));
    let second = format!("{BACKTEST} --from 2023-01-01 --set fast=12 --set slow=40");
    assert!(run(&sb, &second, &[]).ok().contains("saved as run 2"));

    let list = run(&sb, "runs list", &[]).ok().to_string();
    let rows: Vec<&str> = list.lines().skip(1).map(str::trim_start).collect();
    assert!(
        rows.len() == 2 && rows[0].starts_with("2  sma_cross"),
        "newest first:\n{list}"
    );
    assert!(
        rows[1].starts_with("1  sma_cross")
            && rows[1].ends_with("2022-01-01 00:00 → 2024-04-21 14:00")
    );

    let show = run(&sb, "runs show 1", &[]).ok().to_string();
    assert!(
        show.starts_with("run 1 · sma_cross fast=10 slow=30 on BTCUSDT 1h"),
        "{show}"
    );
    let equity = f(&read_json(&json)["final_equity"]);
    let row = format!("final equity {equity:.2}");
    let rows: Vec<String> = show
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(rows.contains(&row), "no `{row}` in\n{show}");
    let settings = "cash 10000 · fees maker 0.001 taker 0.001 · slippage 0 bps · fills next-open";
    assert!(show.lines().nth(1).unwrap().contains(settings), "{show}");
    let stored: Value = serde_json::from_str(run(&sb, "runs show 1 --json", &[]).ok()).unwrap();
    let id_equity = (
        stored["summary"]["id"].as_i64(),
        f(&stored["metrics"]["final_equity"]),
    );
    assert_eq!(id_equity, (Some(1), equity));

    let compare = run(&sb, "runs compare 1 2", &[]).ok().to_string();
    let header = compare.lines().next().unwrap();
    assert!(
        header.contains("run 1") && header.contains("run 2"),
        "{compare}"
    );
    let row = compare
        .lines()
        .find(|l| l.starts_with("final equity"))
        .unwrap();
    let values: Vec<&str> = row.split_whitespace().skip(2).collect();
    assert_eq!(
        (values.len(), values[0]),
        (2, format!("{equity:.2}").as_str()),
        "{row}"
    );

    assert!(
        run(&sb, "runs delete 1", &[])
            .ok()
            .contains("deleted run 1")
    );
    let gone = run(&sb, "runs show 1", &[]).fails_with(1).to_string();
    assert!(gone.contains("there is no run 1; `tickdesk runs list` shows the stored runs"));
    let again = run(&sb, "runs delete 1", &[]).fails_with(1).to_string();
    assert!(again.contains("there is no run 1; `tickdesk runs list` shows the stored runs"));
    let list = run(&sb, "runs list", &[]).ok().to_string();
    assert_eq!(list.lines().count(), 2, "a header and run 2:\n{list}");
}

#[test]
fn strategies_lists_every_builtin_with_its_parameters() {
    let out = Sandbox::new().run(&["strategies"]).ok().to_string();
    // A line per strategy, then an indented line per parameter.
    let lines: Vec<&str> = out.lines().collect();
    let heads = (0..lines.len()).filter(|&i| !lines[i].starts_with(' '));
    let starts: Vec<usize> = heads.chain([lines.len()]).collect();
    assert_eq!(starts.len(), strategy::builtins().len() + 1, "{out}");
    for (info, w) in strategy::builtins().iter().zip(starts.windows(2)) {
        let (head, params) = (lines[w[0]], &lines[w[0] + 1..w[1]]);
        assert_eq!(head, format!("{}  {}", info.name, info.about));
        assert_eq!(params.len(), info.params.len(), "{out}");
        for (p, line) in info.params.iter().zip(params) {
            let kind = if p.integer {
                "a whole number"
            } else {
                "a number"
            };
            let (lo, hi, step) = (p.min, p.max, p.step);
            let range = if p.choices.is_empty() {
                format!("{kind} from {lo} to {hi}, step {step}: {}", p.about)
            } else {
                let v: Vec<String> = p.choices.iter().map(f64::to_string).collect();
                let (last, rest) = v.split_last().unwrap();
                format!("{} or {last}: {}", rest.join(", "), p.about)
            };
            let named = line.trim_start().starts_with(&format!("{} ", p.name));
            assert!(
                named && line.contains(&format!(" {} ", p.default)) && line.ends_with(&range),
                "{line}"
            );
        }
    }
}

#[test]
fn indicators_writes_the_reference_columns_for_every_candle_and_lists_them() {
    let sb = seeded();
    let csv = sb.work().join("t.csv");
    run(&sb, "indicators BTCUSDT 1h --out", &[path(&csv)]).ok();
    let ours = std::fs::read_to_string(&csv).unwrap();
    let reference = repo().join("tests/fixtures/reference/talib/BTCUSDT-1h.sample.csv.gz");
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(reference).unwrap());
    let header = std::io::BufReader::new(gz).lines().next().unwrap().unwrap();
    assert_eq!(ours.lines().next().unwrap(), header);
    assert_eq!(
        ours.lines().count(),
        1 + 58_419,
        "a header, a row per candle"
    );

    let list = run(&sb, "indicators --list", &[]).ok().to_string();
    let names: Vec<&str> = list.lines().filter_map(|l| l.split(' ').next()).collect();
    for name in ["sma", "ema", "rsi", "macd", "bbands", "atr", "supertrend"] {
        assert!(names.contains(&name), "{name} not in\n{list}");
    }
}
