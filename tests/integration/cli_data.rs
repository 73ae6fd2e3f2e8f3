//! `tickdesk data …` and the default run through the real binary: importing Binance dumps and CSV
//! (bad rows refused whole or skipped, unreadable files), `data list --json`, export ↔ import
//! round trips and resampled exports, `data verify` on damaged segments, seeding the shipped
//! samples, a store that stays readable after `kill -9` mid-import, and the log files.

use crate::common::{Run, Sandbox, repo};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use std::{fmt::Write as _, fs, io::Read as _, path::Path, path::PathBuf, process::Stdio};

const HOUR: i64 = 3_600_000;
const DEC_2024: i64 = 1_733_011_200_000;
const BAD: &str = "import/BTCUSDT-1h-bad-rows.csv";
const ETH_ZIP: &str = "binance-vision/ETHUSDT-1h-2024-12.zip";

/// The malformed rows of `BTCUSDT-1h-bad-rows.csv`: line and a piece of the reason.
const BAD_ROWS: [(usize, &str); 7] = [
    (3, "close `n/a` is not a number"),
    (4, "5 columns, expected at least 6"),
    (5, "is not on a 1h boundary"),
    (6, "low is above high"),
    (8, "duplicate of line 7"),
    (9, "comes before the previous row's 2024-12-01 05:00"),
    (10, "milliseconds nor microseconds since 1970 (seconds?"),
];

/// A file under `tests/fixtures/`.
fn fx(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs a command given as one string of words (none of them paths).
fn td(sb: &Sandbox, words: &str) -> Run {
    sb.run(&words.split_whitespace().collect::<Vec<_>>())
}

/// `data import`, flags as one string of words, then the paths.
fn import<P: AsRef<Path>>(sb: &Sandbox, flags: &str, paths: &[P]) -> Run {
    let mut args = vec!["data", "import"];
    args.extend(flags.split_whitespace());
    args.extend(paths.iter().map(|p| arg(p.as_ref())));
    sb.run(&args)
}

/// Runs with `--data-dir` and one extra environment variable.
fn run_env(sb: &Sandbox, var: (&str, &str), args: &[&str]) -> Run {
    let mut cmd = sb.cmd();
    cmd.env(var.0, var.1).arg("--data-dir").arg(sb.data_dir());
    Run::from(cmd.args(args).output().unwrap())
}

/// `data list --json`, parsed.
fn list(sb: &Sandbox) -> Vec<Value> {
    serde_json::from_str(td(sb, "data list --json").ok()).unwrap()
}

/// The 1h series of `symbol` in a `data list --json`.
fn h1<'a>(all: &'a [Value], symbol: &str) -> &'a Value {
    let mut hourly = all.iter().filter(|s| s["interval"] == "1h");
    let found = hourly.find(|s| s["symbol"] == symbol);
    found.unwrap_or_else(|| panic!("no {symbol} 1h in {all:#?}"))
}

/// A sandbox whose store was seeded by the default run.
fn seeded() -> Sandbox {
    let sb = Sandbox::new();
    sb.run(&[]).ok();
    sb
}

#[track_caller]
fn has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "no `{n}` in:\n{text}");
    }
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// Asserts some line starts with `start` and contains `rest`.
#[track_caller]
fn has_line(text: &str, start: &str, rest: &str) {
    let mut lines = text.lines();
    let found = lines.any(|l| l.starts_with(start) && l.contains(rest));
    assert!(found, "no line `{start}…{rest}` in:\n{text}");
}

/// December 2024 and May 2025 of 1h candles, the four months between never fetched.
#[track_caller]
fn assert_two_months(s: &Value) {
    let last_of_may = 1_748_732_400_000_i64;
    let span = [&s["count"], &s["first_open_time"], &s["last_open_time"]];
    assert_eq!(span, [&json!(1488), &json!(DEC_2024), &json!(last_of_may)]);
    assert_eq!(s["missing_bars"], 2880);
    let (jan, may) = (1_735_689_600_000_i64, 1_746_057_600_000_i64);
    let gap = json!({"start": jan, "end": may, "bars": 2880, "kind": "unfetched"});
    assert_eq!(s["gaps"], json!([gap]));
}

#[test]
fn a_directory_of_binance_dumps_imports_one_series_per_symbol() {
    let sb = Sandbox::new();
    let r = import(&sb, "", &[fx("binance-vision")]);
    let out = r.ok();
    assert_eq!(count(out, ": 744 rows (Binance dump) → binance "), 4);
    let zip = "ETHUSDT-1h-2024-12.zip: 744 rows (Binance dump) → binance ETHUSDT 1h \
               (2024-12-01 00:00 → 2024-12-31 23:00), 744 new, 0 changed";
    has(out, &[zip]);
    let all = list(&sb);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_two_months(h1(&all, "BTCUSDT"));
    assert_two_months(h1(&all, "ETHUSDT"));
}

#[test]
fn ms_and_us_dumps_given_one_by_one_land_in_the_same_series() {
    let sb = Sandbox::new();
    import(&sb, "", &[fx("binance-vision/BTCUSDT-1h-2025-05.csv")]).ok();
    import(&sb, "", &[fx("binance-vision/BTCUSDT-1h-2024-12.csv")]).ok();
    let all = list(&sb);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_two_months(h1(&all, "BTCUSDT"));
    let exported = td(&sb, "data export BTCUSDT 1h --out -");
    let ms_row = "\n1733011200000,96407.99,96672.49,96260,96340.6,532.95388\n";
    let us_row = "\n1746057600000,94172,94405.47,94130.43,94405.47,326.248\n";
    has(exported.ok(), &[ms_row, us_row]);
}

const SKIPPED: &str = "3 rows (CSV) → binance BTCUSDT 1h (2024-12-01 00:00 → 2024-12-01 07:00)";

#[test]
fn bad_rows_refuse_the_file_unless_skipped_then_leave_unfetched_holes() {
    let sb = Sandbox::new();
    import(&sb, "", &[fx(ETH_ZIP)]).ok();
    let before = list(&sb);
    let r = import(&sb, "", &[fx(BAD)]);
    let err = r.fails_with(1);
    let named = format!("error: {}: ", fx(BAD).display());
    has(
        err,
        &[
            &named,
            "7 malformed row(s), nothing stored (fix them, or pass --skip-bad",
        ],
    );
    has(err, &["1 of 1 file(s) not imported"]);
    for (line, reason) in BAD_ROWS {
        has_line(err, &format!("  line {line}: "), reason);
    }
    assert_eq!(count(err, "\n  line "), 7, "{err}");
    assert_eq!(list(&sb), before);
    let r = import(&sb, "--skip-bad", &[fx(BAD)]);
    has(r.ok(), &[SKIPPED]);
    for (line, reason) in BAD_ROWS {
        has_line(&r.stdout, &format!("  skipped line {line}: "), reason);
    }
    let all = list(&sb);
    let s = h1(&all, "BTCUSDT");
    assert_eq!([&s["count"], &s["missing_at_exchange"]], [3, 0]);
    let hole = |from: i64, bars: i64| {
        let (start, end) = (DEC_2024 + from * HOUR, DEC_2024 + (from + bars) * HOUR);
        json!({"start": start, "end": end, "bars": bars, "kind": "unfetched"})
    };
    assert_eq!(s["gaps"], json!([hole(1, 4), hole(6, 1)]));
}

#[test]
fn a_bad_file_among_good_ones_fails_alone() {
    let sb = Sandbox::new();
    let btc = fx("binance-vision/BTCUSDT-1h-2024-12.csv");
    let r = import(&sb, "", &[btc, fx(BAD), fx(ETH_ZIP)]);
    let bad = "BTCUSDT-1h-bad-rows.csv: 7 malformed row(s), nothing stored";
    has(r.fails_with(1), &[bad, "1 of 3 file(s) not imported"]);
    assert_eq!(count(&r.stdout, ": 744 rows (Binance dump)"), 2);
    let all = list(&sb);
    let counts = [&h1(&all, "BTCUSDT")["count"], &h1(&all, "ETHUSDT")["count"]];
    assert_eq!(counts, [744, 744]);
}

#[test]
fn a_wrong_interval_is_refused_with_the_right_one_suggested() {
    let sb = Sandbox::new();
    let head = fx("import/ETHUSDT-1h-head.csv");
    let r = import(&sb, "--interval 1m", &[&head]);
    let err = r.fails_with(1);
    has(err, &["3 malformed row(s), nothing stored"]);
    let wrong = "does not close a 1m candle";
    for line in 1..=3 {
        has_line(err, &format!("  line {line}: close_time "), wrong);
    }
    let hint = "that is a 1h candle, so pass --interval 1h";
    assert_eq!(count(err, hint), 3, "{err}");
    assert!(list(&sb).is_empty());
    let stored = "3 rows (Binance dump) → binance ETHUSDT 1h (2025-05-01 00:00";
    has(import(&sb, "", &[head]).ok(), &[stored]);
}

/// A copy of the ETHUSDT zip beside a `.CHECKSUM` sidecar that does not match it.
fn zip_with_wrong_checksum(sb: &Sandbox) -> PathBuf {
    let zip = sb.path().join("download/ETHUSDT-1h-2024-12.zip");
    fs::create_dir_all(zip.parent().unwrap()).unwrap();
    fs::copy(fx(ETH_ZIP), &zip).unwrap();
    let hash = "0123456789abcdef".repeat(4);
    let sidecar = format!("{hash}  ETHUSDT-1h-2024-12.zip\n");
    fs::write(zip.with_extension("zip.CHECKSUM"), sidecar).unwrap();
    zip
}

const HEADER: &str = "line 1 is `timestamp,o,h,l,c,v`; expected a header starting `open_time,";
const NO_SYMBOL: &str = "cannot tell the symbol from the file name; pass --symbol";
const NO_INTERVAL: &str = "cannot tell the interval from the file name; pass --interval";
const BAD_SUM: &str = "SHA-256 69d8863531287f049889cb4f12d1a620fd2b81dc2a1d8be65f39b7bd495e7650 \
                       does not match";

#[test]
fn unreadable_inputs_are_refused_with_a_reason() {
    let sb = Sandbox::new();
    let f = |name: &str| fx(&format!("import/{name}"));
    let cases = [
        (f("BTCUSDT-1h-empty.csv"), "the file is empty"),
        (f("BTCUSDT-1h-header-only.csv"), "no rows to import"),
        (f("BTCUSDT-1h-unknown-header.csv"), HEADER),
        (f("ETHUSDT-1h-truncated.zip"), "not a readable zip archive"),
        (zip_with_wrong_checksum(&sb), BAD_SUM),
        (sb.path().join("nowhere/BTCUSDT-1h.csv"), "No such file"),
        (f("prices.csv"), NO_SYMBOL),
    ];
    for (path, reason) in &cases {
        let r = import(&sb, "", &[path]);
        let err = r.fails_with(1);
        let named = format!("error: {}: {reason}", path.display());
        assert!(err.starts_with(&named), "{err}");
        has(err, &["1 of 1 file(s) not imported"]);
    }
    let r = import(&sb, "--symbol BTCUSDT", &[f("prices.csv")]);
    has(r.fails_with(1), &[NO_INTERVAL]);
    assert!(list(&sb).is_empty());
    let flags = "--symbol BTCUSDT --interval 1h";
    let r = import(&sb, flags, &[f("prices.csv")]);
    has(r.ok(), &["prices.csv: 4 rows (CSV) → binance BTCUSDT 1h"]);
}

/// `data export SYMBOL 1h --out FILE`, which must succeed without resampling.
fn export_1h(sb: &Sandbox, symbol: &str, out: &Path) {
    let r = sb.run(&["data", "export", symbol, "1h", "--out", arg(out)]);
    r.ok();
    assert!(!r.stderr.contains("resampled"), "{}", r.stderr);
}

#[test]
fn export_then_import_round_trips_exactly() {
    let one = seeded();
    let first = one.path().join("BTCUSDT-1h.csv");
    export_1h(&one, "BTCUSDT", &first);
    let two = Sandbox::new();
    let out = import(&two, "", &[&first]);
    has(out.ok(), &["58,419 rows (CSV) → binance BTCUSDT 1h"]);
    let again = two.path().join("again.csv");
    export_1h(&two, "BTCUSDT", &again);
    let same = fs::read(&first).unwrap() == fs::read(&again).unwrap();
    assert!(same, "the second export differs from the first");
    let (a, b) = (list(&one), list(&two));
    assert_eq!(h1(&a, "BTCUSDT"), h1(&b, "BTCUSDT"));
}

/// The data rows of an exported CSV, checking the header.
fn csv_rows(text: &str) -> Vec<&str> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("open_time,open,high,low,close,volume"));
    lines.collect()
}

/// The number in a resampling note: "resampled from 1h; N incomplete 4h bucket(s) …".
fn incomplete_buckets(stderr: &str) -> usize {
    let note = stderr.strip_prefix("resampled from 1h; ");
    let n = note.and_then(|n| n.split(' ').next()).unwrap_or_default();
    let parsed = n.parse();
    parsed.unwrap_or_else(|_| panic!("no resampling note:\n{stderr}"))
}

#[test]
fn an_interval_that_is_not_stored_is_resampled_with_a_note() {
    let sb = seeded();
    let all = td(&sb, "data export BTCUSDT 4h --out -");
    let rows = csv_rows(all.ok());
    let incomplete = incomplete_buckets(&all.stderr);
    assert!(incomplete > 0 && rows.len() > 14_000);
    let (k, units) = (rows.len() / 1000, rows.len() % 1000);
    let wrote = format!("wrote {k},{units:03} binance BTCUSDT 4h candles");
    let included = "bucket(s) included (pass --complete-only";
    has(&all.stderr, &[included, &wrote]);
    let open = |r: &&str| r.split(',').next().unwrap().parse::<i64>().unwrap();
    let times: Vec<i64> = rows.iter().map(open).collect();
    assert!(times.is_sorted() && times.iter().all(|t| t % (4 * HOUR) == 0));
    let complete = td(&sb, "data export BTCUSDT 4h --out - --complete-only");
    assert_eq!(csv_rows(complete.ok()).len(), rows.len() - incomplete);
    let left_out = format!("{incomplete} incomplete 4h bucket(s) left out");
    has(&complete.stderr, &[&left_out]);
}

/// A store holding the binance-vision fixtures, and the path of its one BTCUSDT 1h segment.
fn store_with_one_segment() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    import(&sb, "", &[fx("binance-vision")]).ok();
    td(&sb, "data verify").ok();
    let dir = sb.data_dir().join("candles/binance/BTCUSDT/1h");
    let paths = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path());
    let is_seg = |p: &PathBuf| p.extension().is_some_and(|x| x == "bin");
    let segs: Vec<PathBuf> = paths.filter(is_seg).collect();
    assert_eq!(segs.len(), 1, "{segs:?}");
    (sb, segs[0].clone())
}

/// Copies the open_time of the segment's first record over the second's.
fn duplicate_first_open_time(seg: &Path) {
    let mut bytes = fs::read(seg).unwrap();
    bytes.copy_within(16..24, 16 + 48);
    fs::write(seg, bytes).unwrap();
}

const DUPLICATE: &str = "binance BTCUSDT 1h: 1 problem(s)\n  2024-12-01 00:00: duplicate candle\n";
const SHORT: &str = "binance BTCUSDT 1h: 1 problem(s)\n  segment seg-000001.bin: holds 1485 \
                     candles, the manifest expects 1488\n";
const DAMAGED: &str = "BTCUSDT/1h is damaged: segment is shorter than the 1488 candles the \
                       manifest records; run `tickdesk data verify`";

#[test]
fn verify_names_damage_and_reads_refuse_a_short_segment() {
    let (sb, seg) = store_with_one_segment();
    duplicate_first_open_time(&seg);
    let r = td(&sb, "data verify");
    r.fails_with(1);
    let advice = "1 damaged series; re-import or re-fetch them";
    has(&r.stdout, &[DUPLICATE, "binance ETHUSDT 1h: ok", advice]);
    td(&sb, "data verify ETHUSDT").ok();
    let file = fs::OpenOptions::new().write(true).open(&seg).unwrap();
    file.set_len(file.metadata().unwrap().len() - 100).unwrap();
    let r = td(&sb, "data verify");
    assert_eq!(r.code, 1);
    has(&r.stdout, &[SHORT]);
    let reads = [
        "data list",
        "data list --json",
        "data export BTCUSDT 1h --out -",
    ];
    for words in reads {
        has(td(&sb, words).fails_with(1), &[DAMAGED]);
    }
}

#[test]
fn list_refuses_a_segment_with_a_duplicated_open_time() {
    let (sb, seg) = store_with_one_segment();
    duplicate_first_open_time(&seg);
    let r = td(&sb, "data list");
    has(r.fails_with(1), &["run `tickdesk data verify`"]);
}

const SEEDED: &str = "The store was empty: copied in the real Binance candles shipped \
                      with tickdesk (138,003 candles";
const SAMPLE_ROWS: [&str; 4] = [
    "BTCUSDT    1m   2025-05-20 00:00  2025-05-31 23:59      17,280        0      0",
    "BTCUSDT    1h   2017-08-17 04:00  2024-04-21 14:00      58,419      128     28",
    "ETHUSDT    1m   2025-05-20 00:00  2025-05-31 23:59      17,280        0      0",
    "ETHUSDT    1h   2017-08-17 04:00  2022-10-11 10:00      45,024      127     27",
];

#[test]
fn the_first_start_seeds_the_shipped_samples_once() {
    let sb = Sandbox::new();
    let first = sb.run(&[]);
    has(first.ok(), &[SEEDED]);
    has(&first.stdout, &SAMPLE_ROWS);
    let again = sb.run(&[]);
    has(again.ok(), &SAMPLE_ROWS);
    assert!(!again.stdout.contains("The store was empty"));
    let log = logs(&sb);
    assert_eq!(count(&log, " imported "), 4, "seeded twice:\n{log}");
    let verified = td(&sb, "data verify");
    assert_eq!(count(verified.ok(), ": ok\n"), 4, "{}", verified.stdout);
}

#[test]
fn seeding_can_be_turned_off_and_spares_a_non_empty_store() {
    let sb = Sandbox::new();
    let r = run_env(&sb, ("TICKDESK_DATA__SEED_SAMPLES", "false"), &[]);
    has(r.ok(), &["No candles stored yet."]);
    assert!(list(&sb).is_empty());
    import(&sb, "", &[fx(ETH_ZIP)]).ok();
    assert!(!sb.run(&[]).ok().contains("The store was empty"));
    assert_eq!(list(&sb).len(), 1);
}

/// Writes `copies` copies of a CSV's rows back to back, each shifted past the one before.
fn concatenate_shifted(csv: &str, copies: i64, out: &Path) -> usize {
    let split = |r| str::split_once(r, ',').unwrap();
    let rows: Vec<(&str, &str)> = csv_rows(csv).into_iter().map(split).collect();
    let time = |i: usize| rows[i].0.parse::<i64>().unwrap();
    let shift = time(rows.len() - 1) - time(0) + HOUR;
    let mut text = String::from("open_time,open,high,low,close,volume\n");
    for k in 0..copies {
        for (i, (_, rest)) in rows.iter().enumerate() {
            writeln!(text, "{},{rest}", time(i) + k * shift).unwrap();
        }
    }
    fs::write(out, text).unwrap();
    rows.len() * usize::try_from(copies).unwrap()
}

/// Kill points: six in the first 150 ms (reading, parsing) and four from 95% to 115% of
/// `import_ms`, what an import into an empty store took: importing over stored candles takes a
/// little longer, so these land around merging, writing the segment and swapping the manifest.
fn kill_delays(import_ms: u64) -> Vec<Duration> {
    let mut seed = 0x7d1c_2f3a_u64;
    let mut next = |below: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005);
        seed = seed.wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % below.max(1)
    };
    let mut ms: Vec<u64> = (0..6).map(|_| next(150)).collect();
    for i in 0..4 {
        ms.push(import_ms * (95 + 5 * i) / 100 + next(import_ms / 20));
    }
    ms.into_iter().map(Duration::from_millis).collect()
}

/// Starts `data import FILE`, SIGKILLs it after `delay` and reaps it; true if it had finished.
fn kill_import_after(sb: &Sandbox, file: &Path, delay: Duration) -> bool {
    let mut cmd = sb.cmd();
    cmd.arg("--data-dir").arg(sb.data_dir());
    cmd.args(["data", "import", arg(file)]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    child.wait().unwrap();
    finished
}

#[test]
fn a_store_killed_mid_import_stays_readable() {
    let sb = Sandbox::new();
    let shipped = repo().join("data/BTCUSDT-1h.csv.gz");
    import(&sb, "", &[&shipped]).ok();
    let mut csv = String::new();
    let gz = fs::File::open(&shipped).unwrap();
    let mut gz = flate2::read::GzDecoder::new(gz);
    gz.read_to_string(&mut csv).unwrap();
    let big = sb.path().join("BTCUSDT-1h-big.csv");
    let rows = concatenate_shifted(&csv, 6, &big);
    assert!(rows >= 300_000);
    let started = Instant::now();
    import(&Sandbox::new(), "", &[&big]).ok();
    let import_ms = u64::try_from(started.elapsed().as_millis()).unwrap();
    for delay in kill_delays(import_ms) {
        let finished = kill_import_after(&sb, &big, delay);
        println!("killed after {delay:?}, finished: {finished}"); // shown if a check fails
        td(&sb, "data verify").ok();
        let all = list(&sb);
        let n = &h1(&all, "BTCUSDT")["count"];
        // One file is one commit: all of its rows or none.
        assert!(*n == 58_419 || *n == rows, "{n} candles");
    }
}

/// The text of every `tickdesk.*.log` file in the data dir.
fn logs(sb: &Sandbox) -> String {
    let dir = sb.data_dir().join("logs");
    let names = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name());
    let names = names.map(|n| n.into_string().unwrap());
    let is_main = |n: &String| n.starts_with("tickdesk.") && n.ends_with(".log");
    let main: Vec<String> = names.filter(is_main).collect();
    assert!(!main.is_empty(), "no tickdesk.*.log file");
    let read = |n: &String| fs::read_to_string(dir.join(n)).unwrap();
    main.iter().map(read).collect()
}

#[test]
fn quiet_silences_the_terminal_but_not_the_log_file() {
    let sb = Sandbox::new();
    let zip = fx(ETH_ZIP);
    let r = import(&sb, "-q", &[&zip]);
    has(r.ok(), &["744 rows"]);
    assert_eq!(r.stderr, "");
    for words in ["-q data list", "-q data verify", "-q"] {
        let r = td(&sb, words);
        r.ok();
        assert_eq!(r.stderr, "", "{words}");
    }
    has(&import(&sb, "-v", &[zip]).stderr, &["imported"]);
    let text = logs(&sb);
    let info = "ETHUSDT-1h-2024-12.zip series=binance ETHUSDT 1h rows=744 added=744";
    has(&text, &["INFO tickdesk::import: imported file=", info]);
    assert!(!text.contains("DEBUG"), "{text}");
    run_env(&sb, ("RUST_LOG", "debug"), &["data", "list"]).ok();
    let text = logs(&sb);
    let mut lines = text.lines();
    let debug = lines.any(|l| l.contains(" DEBUG ") && l.contains(" starting "));
    assert!(debug, "{text}");
}

#[test]
fn quiet_export_keeps_stderr_empty() {
    let sb = Sandbox::new();
    import(&sb, "", &[fx(ETH_ZIP)]).ok();
    let r = td(&sb, "-q data export ETHUSDT 4h --out -");
    r.ok();
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}
