//! `tickdesk keys set | test | remove` as a user runs them: the real binary, keys piped into
//! stdin, the passphrase from `TICKDESK_KEY_PASSPHRASE`, `keys test` against the fake Binance over
//! loopback (endpoints overridden by environment variable). Every output and every log file is
//! then searched for the keys and the passphrase. Time here is real.

use crate::common::Sandbox;
use crate::fake_binance::{DOC_API_KEY, DOC_SECRET, FakeBinance};
use data_encoding::BASE64;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::{os::unix::fs::PermissionsExt, path::Path, process::Stdio};
use tickdesk::clock::TokioClock;
use tokio::io::AsyncWriteExt;

const PASSPHRASE: &str = "plover-quietly-27-tides";

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary in the sandbox against `fake`, logging everything (trace) to the data dir's
/// log files and to stderr.
struct Rig {
    sandbox: Sandbox,
    fake: FakeBinance,
    /// Every stdout and stderr seen, to search for secrets at the end.
    seen: Vec<String>,
}

impl Rig {
    async fn new() -> Self {
        let fake = FakeBinance::start(TokioClock::system()).await;
        fake.set_balance("USDT", "1000");
        Self {
            sandbox: Sandbox::new(),
            fake,
            seen: Vec::new(),
        }
    }

    async fn run(&mut self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
        let mut c: tokio::process::Command = self.sandbox.cmd().into();
        c.env("TICKDESK_BINANCE__TRADE_URL", self.fake.url())
            .env("TICKDESK_BINANCE__TESTNET_REST_URL", self.fake.url())
            .env("TICKDESK_LOGGING__LEVEL", "trace")
            .envs(env.iter().copied())
            .arg("-vvv")
            .arg("--data-dir")
            .arg(self.sandbox.data_dir())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).await.unwrap();
        drop(input);
        let o = child.wait_with_output().await.unwrap();
        let out = Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        self.seen.push(format!("{}\n{}", out.stdout, out.stderr));
        out
    }

    /// Asserts that none of `secrets` (nor their first 16 characters) appears in any output or
    /// any file under the data dir's `logs`.
    fn assert_nothing_leaked(&self, secrets: &[&str]) {
        let mut texts = self.seen.clone();
        let logs = self.sandbox.data_dir().join("logs");
        let files: Vec<_> = std::fs::read_dir(&logs).unwrap().collect();
        assert!(!files.is_empty(), "the commands wrote log files");
        for f in files {
            texts.push(std::fs::read_to_string(f.unwrap().path()).unwrap());
        }
        let all = texts.join("\n");
        assert!(
            all.contains("TRACE") || all.contains("DEBUG"),
            "logs were verbose"
        );
        for s in secrets {
            assert!(!all.contains(&s[..16]), "{} leaked:\n{all}", &s[..4]);
        }
    }
}

fn ok(out: &Out) -> &str {
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    &out.stdout
}

fn fails(out: &Out) -> &str {
    assert_eq!(
        out.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    &out.stderr
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_key_file_is_accepted_a_wrong_secret_gets_1022_and_nothing_leaks() {
    let mut rig = Rig::new().await;
    let pass = [("TICKDESK_KEY_PASSPHRASE", PASSPHRASE)];
    let keys = format!("{DOC_API_KEY}\n{DOC_SECRET}\n");
    let set = rig
        .run(&["keys", "set", "--to", "encrypted"], &keys, &pass)
        .await;
    let file = rig.sandbox.data_dir().join("keys.enc");
    assert!(ok(&set).contains(&format!("Stored an HMAC key in {}", file.display())));
    assert_eq!(mode(&file), 0o600);

    let test = rig.run(&["keys", "test"], "", &pass).await;
    let said = ok(&test);
    assert!(
        said.contains(&format!(
            "an HMAC key from the encrypted key file {}",
            file.display()
        )) && said.contains("Binance accepted the key: the account can trade and holds 1 asset(s)"),
        "{said}"
    );
    let account_calls: Vec<_> = rig
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.path == "/api/v3/account")
        .collect();
    assert_eq!(account_calls.len(), 1);
    assert_eq!(account_calls[0].status, 200);
    assert_eq!(account_calls[0].api_key.as_deref(), Some(DOC_API_KEY));

    let wrong_pass = [("TICKDESK_KEY_PASSPHRASE", "not-the-passphrase")];
    let refused = rig.run(&["keys", "test"], "", &wrong_pass).await;
    assert!(
        fails(&refused).contains("wrong passphrase"),
        "{}",
        refused.stderr
    );

    let wrong_secret: String = DOC_SECRET.chars().rev().collect();
    let keys = format!("{DOC_API_KEY}\n{wrong_secret}\n");
    ok(&rig.run(&["keys", "set"], &keys, &pass).await);
    let test = rig.run(&["keys", "test"], "", &pass).await;
    let err = fails(&test);
    assert!(
        err.contains("Binance refused the key") && err.contains("code -1022"),
        "{err}"
    );
    assert!(
        err.contains("not the one that belongs to this API key"),
        "{err}"
    );

    let removed = rig
        .run(&["keys", "remove", "--from", "encrypted"], "", &[])
        .await;
    assert!(ok(&removed).contains("Removed encrypted key file"));
    assert!(!file.exists());
    let none = rig.run(&["keys", "test"], "", &pass).await;
    assert!(
        fails(&none).contains("no API keys found"),
        "{}",
        none.stderr
    );

    rig.assert_nothing_leaked(&[DOC_API_KEY, DOC_SECRET, &wrong_secret, PASSPHRASE]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credentials_file_must_be_private_and_the_environment_comes_first() {
    let mut rig = Rig::new().await;
    let keys = format!("{DOC_API_KEY}\n{DOC_SECRET}\n");
    let set = rig.run(&["keys", "set", "--to", "file"], &keys, &[]).await;
    let file = rig.sandbox.user_config().with_file_name("credentials.toml");
    assert!(ok(&set).contains(&file.display().to_string()));
    assert_eq!(mode(&file), 0o600);
    let test = rig.run(&["keys", "test"], "", &[]).await;
    assert!(
        ok(&test).contains("from the credentials file"),
        "{}",
        test.stdout
    );

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loose = rig.run(&["keys", "test"], "", &[]).await;
    assert!(
        fails(&loose).contains(&format!("chmod 600 {}", file.display())),
        "{}",
        loose.stderr
    );

    // An Ed25519 key in the environment is read first, before the (refused) file.
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let public = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    let ed_key = "edKeyForTheFakeExchange000000000000000000000000000000000000000001";
    rig.fake.add_ed25519_key(ed_key, &public);
    let body = BASE64.encode(pkcs8.as_ref());
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
    let pem_file = rig.sandbox.path().join("ed25519.pem");
    std::fs::write(&pem_file, &pem).unwrap();
    std::fs::set_permissions(&pem_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = [
        ("TICKDESK_API_KEY", ed_key),
        ("TICKDESK_API_ED25519_KEY_FILE", pem_file.to_str().unwrap()),
    ];
    let test = rig.run(&["keys", "test"], "", &env).await;
    let said = ok(&test);
    assert!(
        said.contains("an Ed25519 key from the environment") && said.contains("accepted"),
        "{said}"
    );

    let removed = rig
        .run(&["keys", "remove", "--from", "file"], "", &[])
        .await;
    assert!(ok(&removed).contains("Removed credentials file"));
    assert!(!file.exists());

    rig.assert_nothing_leaked(&[DOC_API_KEY, DOC_SECRET, ed_key, &body]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_never_taken_from_arguments_and_bad_input_is_explained() {
    let mut rig = Rig::new().await;
    let extra = rig.run(&["keys", "set", "a-secret-on-argv"], "", &[]).await;
    assert_eq!(extra.code, 2, "{}", extra.stderr);
    assert!(
        extra.stderr.contains("unexpected argument"),
        "{}",
        extra.stderr
    );
    let half = rig
        .run(
            &["keys", "set", "--to", "file"],
            &format!("{DOC_API_KEY}\n"),
            &[],
        )
        .await;
    assert!(
        fails(&half).contains("expected the API key on the first line"),
        "{}",
        half.stderr
    );
    let keyring = rig
        .run(
            &["keys", "set", "--to", "keyring"],
            &format!("{DOC_API_KEY}\n{DOC_SECRET}\n"),
            &[],
        )
        .await;
    if !cfg!(feature = "keyring") {
        assert!(
            fails(&keyring).contains("--features keyring"),
            "{}",
            keyring.stderr
        );
    }
    let no_pass = rig
        .run(
            &["keys", "set"],
            &format!("{DOC_API_KEY}\n{DOC_SECRET}\n"),
            &[],
        )
        .await;
    assert!(
        fails(&no_pass).contains("TICKDESK_KEY_PASSPHRASE"),
        "{}",
        no_pass.stderr
    );
    assert!(!rig.sandbox.data_dir().join("keys.enc").exists());
    rig.assert_nothing_leaked(&[DOC_API_KEY, DOC_SECRET]);
}
