//! Helpers shared by the CLI tests: run the real `tickdesk` binary with a private HOME, data dir
//! and working directory, so no test sees the developer's config or another test's files.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.path().join("data")
    }

    /// The working directory the binary runs in (where it looks for `.env`).
    pub fn work(&self) -> PathBuf {
        self.path().join("work")
    }

    /// The user config file location under the private HOME.
    pub fn user_config(&self) -> PathBuf {
        self.path().join("home/.config/tickdesk/config.toml")
    }

    /// A command for the binary with HOME, XDG dirs and cwd inside the sandbox and no TICKDESK_*
    /// or RUST_LOG variables inherited.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tickdesk"));
        for (k, _) in std::env::vars() {
            if k.starts_with("TICKDESK_")
                || k == "RUST_LOG"
                || k.starts_with("XDG_")
                || k == "NO_COLOR"
            {
                c.env_remove(k);
            }
        }
        let home = self.path().join("home");
        c.env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"));
        c.current_dir(self.work());
        c
    }

    /// Runs with `--data-dir <sandbox>/data` and the given arguments.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut c = self.cmd();
        c.arg("--data-dir").arg(self.data_dir()).args(args);
        Run::from(c.output().unwrap())
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        &self.stdout
    }

    #[track_caller]
    pub fn fails_with(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        &self.stderr
    }
}

/// The repository's root (for fixtures and shipped data).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped 1h series (BTCUSDT 58,419 bars, ETHUSDT 45,024: real Binance candles with their
/// outages), imported once per test process.
pub fn shipped_1h(symbol: &str) -> &'static [tickdesk::market::Candle] {
    use std::sync::OnceLock;
    use tickdesk::import::{ImportOptions, import_bytes};
    type Series = Vec<(String, Vec<tickdesk::market::Candle>)>;
    static SERIES: OnceLock<Series> = OnceLock::new();
    let all = SERIES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = tickdesk::store::Store::open(dir.path()).unwrap();
        tickdesk::samples::SAMPLES
            .iter()
            .filter(|s| s.file.ends_with("-1h.csv.gz"))
            .map(|s| {
                let r = import_bytes(&store, s.file.as_ref(), s.bytes, &ImportOptions::default())
                    .unwrap();
                (r.key.symbol.to_string(), store.load(&r.key).unwrap())
            })
            .collect()
    });
    let found = all.iter().find(|(s, _)| s == symbol);
    &found
        .unwrap_or_else(|| panic!("no shipped {symbol} 1h series"))
        .1
}
