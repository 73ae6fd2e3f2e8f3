//! `tickdesk config …` through the real binary: the corpus under `tests/fixtures/config/` (valid
//! files pass `config check`; invalid ones fail naming the file, line, column, key and what is
//! allowed), layering (defaults < user file < `--config` < `.env` < environment) as `config show`
//! reports it, `config path`, and API credentials that are never printed nor logged.

use crate::common::{Run, Sandbox, repo};
use std::path::{Path, PathBuf};

/// Runs the binary (no `--data-dir`) with extra environment variables.
fn run(sb: &Sandbox, envs: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = sb.cmd();
    cmd.envs(envs.iter().copied()).args(args);
    Run::from(cmd.output().unwrap())
}

fn run_with_config(sb: &Sandbox, file: &Path, args: &[&str]) -> Run {
    Run::from(
        sb.cmd()
            .arg("--config")
            .arg(file)
            .args(args)
            .output()
            .unwrap(),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The `.toml` files of one corpus directory, sorted so failures are reported stably.
fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = repo().join("tests/fixtures/config").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The texts of a corpus file's `# tag: text` comment lines.
fn directives<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    let prefix = format!("# {tag}: ");
    text.lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .collect()
}

/// How many keys a config file sets (every section is one table deep).
fn key_count(text: &str) -> usize {
    fn leaves(v: &toml::Value) -> usize {
        v.as_table().map_or(1, |t| t.values().map(leaves).sum())
    }
    let table: toml::Table = toml::from_str(text).unwrap();
    table.values().map(leaves).sum()
}

#[track_caller]
fn has(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "no `{needle}` in:\n{haystack}");
}

/// The line of `config show` output that sets `key`.
fn line<'a>(shown: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key} = ");
    shown
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{key}` in:\n{shown}"))
}

#[test]
fn every_valid_corpus_file_passes_check() {
    let files = corpus("valid");
    assert!(files.len() >= 5, "only {} valid files", files.len());
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for file in &files {
        let r = run_with_config(&sb, file, &["config", "check"]);
        let keys = key_count(&read(file));
        let want = format!("config OK ({}; {keys} key(s) overridden)", file.display());
        if r.code != 0 || !r.stdout.contains(&want) || !r.stderr.is_empty() {
            let (code, out, err) = (r.code, &r.stdout, &r.stderr);
            failures.push(format!("{}: exit {code}\n{out}{err}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_invalid_corpus_file_fails_with_a_located_explanation() {
    let files = corpus("invalid");
    assert!(files.len() >= 12, "only {} invalid files", files.len());
    let sb = Sandbox::new();
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| invalid_file_problem(&sb, f))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What is wrong with how `config check` treats an invalid corpus file, if anything.
fn invalid_file_problem(sb: &Sandbox, file: &Path) -> Option<String> {
    let text = read(file);
    let expects = directives(&text, "expect");
    if expects.is_empty() {
        return Some(format!("{}: has no `# expect:` line", file.display()));
    }
    let r = run_with_config(sb, file, &["config", "check"]);
    let mut wrong: Vec<String> = expects
        .iter()
        .filter(|e| !r.stderr.contains(**e))
        .map(|e| format!("lacks `{e}`"))
        .collect();
    let echoed = |s: &str| r.stderr.contains(s) || r.stdout.contains(s);
    let never = directives(&text, "never");
    wrong.extend(
        never
            .into_iter()
            .filter(|s| echoed(s))
            .map(|s| format!("echoes `{s}`")),
    );
    if r.code != 1 {
        wrong.push(format!("exit {}", r.code));
    }
    if !r.stderr.starts_with("error: ") || !r.stderr.contains(&file.display().to_string()) {
        wrong.push("stderr does not start with `error: ` and name the file".into());
    }
    if !r.stdout.is_empty() {
        wrong.push(format!("stdout: {}", r.stdout));
    }
    let shown = format!(
        "{}: {}\nstderr:\n{}",
        file.display(),
        wrong.join("; "),
        r.stderr
    );
    (!wrong.is_empty()).then_some(shown)
}

#[test]
fn show_annotates_each_key_with_the_layer_that_won() {
    let sb = Sandbox::new();
    let user = sb.user_config();
    let extra = sb.path().join("extra.toml");
    write(
        &user,
        "[logging]\nlevel = \"debug\"\n[binance]\ntestnet = true\n\
         [fetch]\nconcurrency = 2\nmax_retries = 3\nrequest_timeout_secs = 20\n",
    );
    write(&extra, "[fetch]\nconcurrency = 5\nmax_retries = 4\n");
    let env = [("TICKDESK_FETCH__CONCURRENCY", "7")];
    let args = |cmd: &'static str| ["--config", extra.to_str().unwrap(), "config", cmd];
    let r = run(&sb, &env, &args("show"));
    let out = r.ok();
    let (u, x) = (user.display(), extra.display());
    let from_env = "# from environment variable TICKDESK_FETCH__CONCURRENCY";
    let expected = [
        format!("concurrency = 7  {from_env}"),
        format!("max_retries = 4  # from {x}"),
        format!("request_timeout_secs = 20  # from {u}"),
        format!("level = \"debug\"  # from {u}"),
        format!("testnet = true  # from {u}"),
        "max_weight_per_minute = 3000".to_string(), // defaults carry no origin
    ];
    for want in expected {
        assert_eq!(line(out, want.split(' ').next().unwrap()), want);
    }
    let check = run(&sb, &env, &args("check"));
    has(
        check.ok(),
        &format!("config OK ({u}, {x}; 5 key(s) overridden)"),
    );
}

#[test]
fn show_carries_every_key_of_a_file_that_sets_them_all() {
    let sb = Sandbox::new();
    let full = repo().join("tests/fixtures/config/valid/full.toml");
    let r = run_with_config(&sb, &full, &["config", "show"]);
    let out = r.ok();
    let shown: toml::Table = toml::from_str(out).unwrap();
    assert_eq!(shown, toml::from_str::<toml::Table>(&read(&full)).unwrap());
    let origin = format!("  # from {}", full.display());
    let keys: Vec<&str> = out.lines().filter(|l| l.contains(" = ")).collect();
    assert_eq!(keys.len(), 71, "{out}");
    assert!(keys.iter().all(|l| l.ends_with(&origin)), "{out}");
}

#[test]
fn show_without_layers_prints_the_defaults_and_show_default_the_embedded_file() {
    let sb = Sandbox::new();
    let shipped = read(&repo().join("config.toml"));
    let r = run(&sb, &[], &["config", "show", "--default"]);
    assert_eq!(
        r.ok(),
        shipped,
        "`show --default` must print config.toml verbatim"
    );
    let r = run(&sb, &[], &["config", "show"]);
    let merged: toml::Table = toml::from_str(r.ok()).unwrap();
    assert_eq!(merged, toml::from_str::<toml::Table>(&shipped).unwrap());
    assert!(!r.stdout.contains("# from"), "{}", r.stdout);
}

#[test]
fn path_names_the_user_file_and_whether_it_exists() {
    let sb = Sandbox::new();
    let user_line = |r: &Run| {
        r.ok()
            .lines()
            .find(|l| l.starts_with("user config"))
            .unwrap()
            .to_string()
    };
    let user = sb.user_config().display().to_string();
    let absent = user_line(&run(&sb, &[], &["config", "path"]));
    assert!(
        absent.ends_with(&format!(" {user}  (not present)")),
        "{absent}"
    );
    write(&sb.user_config(), "# nothing changed yet\n");
    let present = user_line(&run(&sb, &[], &["config", "path"]));
    assert!(present.ends_with(&format!(" {user}")), "{present}");
    let home_dir = repo().join("tests/fixtures/config/valid/data-dir-home.toml");
    let r = run_with_config(&sb, &home_dir, &["config", "path"]);
    let data = sb.path().join("home/tickdesk-data");
    has(r.ok(), &format!("data directory      {}\n", data.display()));
}

#[test]
fn a_broken_user_file_stops_every_command_but_path() {
    let sb = Sandbox::new();
    write(&sb.user_config(), "[fetch]\nconcurrency = 99\n");
    let user = sb.user_config().display().to_string();
    let r = run(&sb, &[], &["config", "check"]);
    let err = r.fails_with(1);
    assert!(
        err.starts_with(&format!("error: {user}, line 2, column 15")),
        "{err}"
    );
    has(sb.run(&["data", "list"]).fails_with(1), "from 1 to 32");
    // `config path` must still say where the file is.
    has(run(&sb, &[], &["config", "path"]).ok(), &user);
}

#[test]
fn dotenv_overrides_apply_below_real_environment_variables() {
    let sb = Sandbox::new();
    write(&sb.work().join(".env"), "TICKDESK_FETCH__CONCURRENCY=3\n");
    let r = run(&sb, &[], &["config", "show"]);
    assert!(line(r.ok(), "concurrency").starts_with("concurrency = 3  # from "));
    let r = run(
        &sb,
        &[("TICKDESK_FETCH__CONCURRENCY", "6")],
        &["config", "show"],
    );
    assert!(line(r.ok(), "concurrency").starts_with("concurrency = 6  # from "));
    let r = run(&sb, &[], &["config", "path"]);
    let env_file = sb.work().join(".env");
    has(
        r.ok(),
        &format!(".env file           {}", env_file.display()),
    );
}

const API_KEY: &str = "tdKEY7f3Qx9LmZ2pR8vW1yT";
const API_SECRET: &str = "tdSECRETHh4Jk8Nn2Bb6Vv0CcXz";

/// Runs the config commands and a data command, and checks no output or log holds a credential.
fn assert_credentials_hidden(sb: &Sandbox, envs: &[(&str, &str)]) {
    let data = sb.data_dir();
    let data = data.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["config", "show"],
        &["config", "check"],
        &["config", "path"],
        &["--data-dir", data, "data", "list"],
        &["-vvv", "--data-dir", data, "data", "verify"],
    ];
    let envs: Vec<(&str, &str)> = envs
        .iter()
        .copied()
        .chain([("RUST_LOG", "trace")])
        .collect();
    for args in commands {
        let r = run(sb, &envs, args);
        r.ok();
        for secret in [API_KEY, API_SECRET, &API_KEY[..10], &API_SECRET[..10]] {
            let leaked = r.stdout.contains(secret) || r.stderr.contains(secret);
            assert!(!leaked, "{args:?} printed it:\n{}{}", r.stdout, r.stderr);
        }
    }
    let shown = run(sb, &envs, &["config", "show"]).stdout;
    has(&shown, "TICKDESK_API_KEY: set (value hidden)");
    has(&shown, "TICKDESK_API_SECRET: set (value hidden)");
    let logs: Vec<_> = std::fs::read_dir(sb.data_dir().join("logs"))
        .unwrap()
        .collect();
    assert!(!logs.is_empty(), "the data commands wrote no log file");
    for entry in logs {
        let text = read(&entry.unwrap().path());
        assert!(
            !text.contains(API_KEY) && !text.contains(API_SECRET),
            "{text}"
        );
    }
}

#[test]
fn credentials_from_the_environment_are_never_shown() {
    let sb = Sandbox::new();
    let envs = [
        ("TICKDESK_API_KEY", API_KEY),
        ("TICKDESK_API_SECRET", API_SECRET),
    ];
    assert_credentials_hidden(&sb, &envs);
}

#[test]
fn credentials_from_dotenv_are_never_shown() {
    let sb = Sandbox::new();
    let dotenv = format!("TICKDESK_API_KEY={API_KEY}\nTICKDESK_API_SECRET=\"{API_SECRET}\"\n");
    write(&sb.work().join(".env"), &dotenv);
    assert_credentials_hidden(&sb, &[]);
}

#[test]
fn a_misspelt_override_variable_is_warned_about_not_fatal() {
    let sb = Sandbox::new();
    let env = [("TICKDESK_LOGGING_LEVEL", "debug")];
    let r = run(&sb, &env, &["config", "check"]);
    has(r.ok(), "built-in defaults only; 0 key(s) overridden");
    has(
        &r.stderr,
        "warning: TICKDESK_LOGGING_LEVEL is not a tickdesk setting",
    );
    has(
        &r.stderr,
        "spelled TICKDESK_<SECTION>__<KEY> (two underscores)",
    );
    let shown = run(&sb, &env, &["config", "show"]);
    assert_eq!(line(shown.ok(), "level"), "level = \"info\"");
}

#[test]
fn a_bad_override_variable_is_an_error_naming_it() {
    let sb = Sandbox::new();
    let range = "(key `fetch.concurrency`): 0 is out of range: use a whole number from 1 to 32";
    let sections = "no config section `fech`; sections are data, logging, binance, fetch";
    let cases = [
        ("TICKDESK_FETCH__CONCURRENCY", "0", range),
        (
            "TICKDESK_BINANCE__REST_URL",
            "ftp://x.example",
            "is not a http:// or https:// URL",
        ),
        (
            "TICKDESK_FETCH__CONCURENCY",
            "2",
            "unknown field `concurency`",
        ),
        ("TICKDESK_FECH__CONCURRENCY", "2", sections),
    ];
    for (var, value, want) in cases {
        let r = run(&sb, &[(var, value)], &["config", "check"]);
        let err = r.fails_with(1);
        let named = err.starts_with(&format!("error: environment variable {var}"));
        assert!(named && err.contains(want), "{var}={value}:\n{err}");
    }
}

#[test]
fn a_missing_config_file_is_named() {
    let sb = Sandbox::new();
    let missing = sb.path().join("nowhere.toml");
    let r = run_with_config(&sb, &missing, &["config", "check"]);
    let want = format!("error: cannot read config file {}: ", missing.display());
    assert!(r.fails_with(1).starts_with(&want), "{}", r.stderr);
}

#[test]
fn a_missing_config_file_is_explained_once() {
    let sb = Sandbox::new();
    let r = run_with_config(&sb, &sb.path().join("nowhere.toml"), &["config", "check"]);
    let err = r.fails_with(1);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn a_syntax_error_on_a_secret_line_does_not_echo_the_secret() {
    let sb = Sandbox::new();
    let file = sb.path().join("leaky.toml");
    write(&file, &format!("[binance]\napi_secret = \"{API_SECRET}\n"));
    let r = run_with_config(&sb, &file, &["config", "check"]);
    assert!(!r.fails_with(1).contains(&API_SECRET[..10]), "{}", r.stderr);
}
