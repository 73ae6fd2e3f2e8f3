use super::*;
use crate::binance::KeyKind;
use crate::secrets::prompt::PromptError;
use crate::secrets::testkit::{API_KEY, SECRET, chmod, ed25519_pem, hmac_keys, private_file};
use crate::secrets::{EncryptedError, FileError};

/// Counts how often the passphrase was asked for.
struct Counting(u32, &'static str);

impl Passphrase for Counting {
    fn passphrase(&mut self, _file: &Path, _new: bool) -> Result<Secret, PromptError> {
        self.0 += 1;
        Ok(Secret::new(self.1.into()))
    }
}

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

struct Machine {
    _dir: tempfile::TempDir,
    paths: KeyPaths,
}

/// A machine with every store holding a different API key: `env`, `systemd`, `config`,
/// `data-enc`, `config-enc` (the encrypted ones under passphrase `p`).
fn machine() -> Machine {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let creds = root.join("creds");
    let paths = KeyPaths::new(
        &env(&[(CREDENTIALS_DIRECTORY_VAR, creds.to_str().unwrap())]),
        Some(root.join("config")),
        root.join("data"),
    );
    let toml = |key: &str| format!("api_key = \"{key}\"\napi_secret = \"{SECRET}\"\n");
    private_file(&creds.join("tickdesk"), &toml("systemd"));
    private_file(&root.join("config/credentials.toml"), &toml("config"));
    for (path, key) in [
        (paths.encrypted_file(), "data-enc"),
        (root.join("config/keys.enc"), "config-enc"),
    ] {
        let keys = ApiKeys::new(Secret::new(key.into()), hmac_keys().private).unwrap();
        encrypted::store(&path, &keys, &Secret::new("p".into())).unwrap();
    }
    Machine { _dir: dir, paths }
}

fn found(lookup: &Lookup) -> (&str, &KeySource) {
    let f = lookup.found.as_ref().unwrap();
    (f.keys.api_key.expose(), &f.source)
}

#[test]
fn the_first_source_in_the_issues_order_wins() {
    let m = machine();
    let mut ask = Counting(0, "p");
    let env_keys = env(&[("TICKDESK_API_KEY", "env"), ("TICKDESK_API_SECRET", SECRET)]);
    let l = find(&m.paths, &env_keys, &mut ask).unwrap();
    assert_eq!(found(&l), ("env", &KeySource::Env));
    let none = env(&[]);
    let order = [
        ("systemd", m.paths.credentials_files()[0].clone()),
        ("config", m.paths.credentials_files()[1].clone()),
    ];
    for (key, path) in order {
        let l = find(&m.paths, &none, &mut ask).unwrap();
        assert_eq!(found(&l), (key, &KeySource::CredentialsFile(path.clone())));
        std::fs::remove_file(path).unwrap();
    }
    assert_eq!(
        ask.0, 0,
        "no passphrase asked while a plain source has keys"
    );
    for key in ["data-enc", "config-enc"] {
        let l = find(&m.paths, &none, &mut ask).unwrap();
        let KeySource::EncryptedFile(path) = found(&l).1.clone() else {
            panic!("expected an encrypted file")
        };
        assert_eq!(found(&l).0, key);
        std::fs::remove_file(path).unwrap();
    }
    assert_eq!(ask.0, 2);
    let l = find(&m.paths, &none, &mut ask).unwrap();
    assert!(l.found.is_none());
    if !cfg!(feature = "keyring") {
        assert!(
            l.passed_over.is_empty(),
            "a keyring not built in is no news"
        );
    }
}

#[test]
fn a_broken_source_is_an_error_not_a_reason_to_use_the_next() {
    let m = machine();
    let none = env(&[]);
    chmod(&m.paths.credentials_files()[0], 0o644);
    let e = find(&m.paths, &none, &mut Counting(0, "p")).unwrap_err();
    assert!(
        matches!(e, SecretsError::File(FileError::Permissions { .. })),
        "{e:?}"
    );
    for path in m.paths.credentials_files() {
        std::fs::remove_file(path).unwrap();
    }
    let e = find(&m.paths, &none, &mut Counting(0, "wrong")).unwrap_err();
    assert!(
        matches!(e, SecretsError::Encrypted(EncryptedError::Crypto { .. })),
        "{e:?}"
    );
    assert!(e.to_string().contains("wrong passphrase"), "{e}");
}

#[test]
fn the_environment_gives_hmac_or_ed25519_keys() {
    let l = from_env(&env(&[
        ("TICKDESK_API_KEY", API_KEY),
        ("TICKDESK_API_SECRET", SECRET),
    ]));
    assert_eq!(l.unwrap().unwrap().kind(), KeyKind::Hmac);

    let pem = ed25519_pem();
    let one_line = pem.trim_end().replace('\n', "\\n");
    let keys = from_env(&env(&[
        ("TICKDESK_API_KEY", API_KEY),
        (ED25519_KEY_VAR, &one_line),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(keys.kind(), KeyKind::Ed25519);
    let public = keys.signer().unwrap().ed25519_public_key();
    assert!(public.is_some());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ed.pem");
    private_file(&file, &pem);
    let vars = [
        ("TICKDESK_API_KEY", API_KEY),
        (ED25519_KEY_FILE_VAR, file.to_str().unwrap()),
    ];
    let from_file = from_env(&env(&vars)).unwrap().unwrap();
    assert_eq!(from_file.signer().unwrap().ed25519_public_key(), public);
    chmod(&file, 0o640);
    assert!(matches!(
        from_env(&env(&vars)).unwrap_err(),
        SecretsError::File(FileError::Permissions { .. })
    ));
}

#[test]
fn half_a_set_in_the_environment_says_what_is_missing_without_values() {
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("TICKDESK_API_KEY", API_KEY)], "no private key is"),
        (
            &[("TICKDESK_API_SECRET", SECRET)],
            "TICKDESK_API_KEY is not",
        ),
        (
            &[
                ("TICKDESK_API_KEY", API_KEY),
                ("TICKDESK_API_SECRET", SECRET),
                (ED25519_KEY_VAR, "x"),
            ],
            "keep one private key",
        ),
    ];
    for (vars, says) in cases {
        let e = from_env(&env(vars)).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
        assert!(
            !e.contains(&API_KEY[..10]) && !e.contains(&SECRET[..10]),
            "{e}"
        );
    }
    assert!(
        from_env(&env(&[("TICKDESK_API_KEY", "  ")]))
            .unwrap()
            .is_none()
    );
}

#[test]
fn key_sources_describe_themselves() {
    assert_eq!(
        KeySource::EncryptedFile(PathBuf::from("/d/keys.enc")).to_string(),
        "the encrypted key file /d/keys.enc"
    );
    assert_eq!(
        KeySource::Keyring.to_string(),
        "the OS keyring (tickdesk/binance)"
    );
    let p = KeyPaths::new(&env(&[]), None, PathBuf::from("/d"));
    assert_eq!(p.credentials_files(), Vec::<PathBuf>::new());
    assert_eq!(p.encrypted_files(), vec![PathBuf::from("/d/keys.enc")]);
}
