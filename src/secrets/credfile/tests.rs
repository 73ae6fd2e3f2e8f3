use super::*;
use crate::binance::KeyKind;
use crate::secrets::testkit::{API_KEY, SECRET, chmod, ed25519_pem, hmac_keys, private_file};
use std::os::unix::fs::PermissionsExt;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn hmac_toml() -> String {
    format!("api_key = \"{API_KEY}\"\napi_secret = \"{SECRET}\"\n")
}

#[test]
fn a_private_credentials_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CREDENTIALS_FILE);
    private_file(&path, &hmac_toml());
    let keys = load(&path).unwrap();
    assert_eq!(keys.api_key.expose(), API_KEY);
    assert_eq!(keys.kind(), KeyKind::Hmac);
    chmod(&path, 0o400);
    assert!(
        load(&path).is_ok(),
        "read-only for the owner is private too"
    );
}

#[test]
fn a_file_others_can_read_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CREDENTIALS_FILE);
    private_file(&path, &hmac_toml());
    for loose in [0o644, 0o640, 0o604, 0o620, 0o602] {
        chmod(&path, loose);
        let e = load(&path).unwrap_err();
        assert!(
            matches!(e, FileError::Permissions { mode, .. } if mode == loose),
            "{loose:o}: {e:?}"
        );
        let shown = e.to_string();
        assert!(
            shown.contains(&format!("chmod 600 {}", path.display()))
                && shown.contains(&format!("mode {loose:04o}")),
            "{shown}"
        );
        assert!(!shown.contains(&SECRET[..10]));
    }
}

#[test]
fn written_files_are_private_from_the_start_and_replace_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/dir/credentials.toml");
    write_private(&path, hmac_keys().to_toml().as_bytes()).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    write_private(&path, b"api_key = \"b\"\napi_secret = \"c\"\n").unwrap();
    assert_eq!(load(&path).unwrap().api_key.expose(), "b");
    assert_eq!(mode(&path), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn a_key_file_named_in_the_credentials_file_is_read_beside_it_and_must_be_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CREDENTIALS_FILE);
    let pem = ed25519_pem();
    private_file(&dir.path().join("ed.pem"), &pem);
    private_file(
        &path,
        &format!("api_key = \"{API_KEY}\"\ned25519_key_file = \"ed.pem\"\n"),
    );
    let keys = load(&path).unwrap();
    assert_eq!(keys.kind(), KeyKind::Ed25519);
    assert!(keys.signer().unwrap().ed25519_public_key().is_some());
    chmod(&dir.path().join("ed.pem"), 0o644);
    let e = load(&path).unwrap_err();
    assert!(
        matches!(&e, FileError::Permissions { path, .. } if path.ends_with("ed.pem")),
        "{e:?}"
    );
}

#[test]
fn damaged_contents_name_the_file_and_line_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CREDENTIALS_FILE);
    private_file(
        &path,
        &format!("api_key = \"{API_KEY}\"\napi_secret = {SECRET}\n"),
    );
    let e = load(&path).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with(&path.display().to_string()) && shown.contains("line 2"),
        "{shown}"
    );
    assert!(!shown.contains(&SECRET[..10]), "{shown}");
    std::fs::write(&path, [0xff, 0xfe]).unwrap();
    assert!(matches!(
        load(&path).unwrap_err(),
        FileError::NotText { .. }
    ));
}

#[test]
fn a_directory_or_a_missing_file_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o700);
    assert!(matches!(
        read_private(dir.path()).unwrap_err(),
        FileError::NotFile { .. }
    ));
    assert!(matches!(
        read_private(&dir.path().join("none")).unwrap_err(),
        FileError::Read { .. }
    ));
}

#[test]
fn remove_says_whether_there_was_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CREDENTIALS_FILE);
    private_file(&path, &hmac_toml());
    assert!(remove(&path).unwrap());
    assert!(!path.exists());
    assert!(!remove(&path).unwrap());
}
