use super::*;
use crate::binance::KeyKind;
use crate::secrets::format::PrivateKey;
use crate::secrets::testkit::{API_KEY, SECRET, ed25519_pem, hmac_keys, pem_body};

fn pass(s: &str) -> Secret {
    Secret::new(s.into())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn sealed_keys_open_with_the_passphrase_and_hide_everything() {
    let sealed = seal(&hmac_keys(), &pass("correct horse")).unwrap();
    assert_eq!(&sealed[..MAGIC.len()], MAGIC);
    assert_eq!(sealed[MAGIC.len()], VERSION);
    assert_eq!(
        u32::from_be_bytes(sealed[14..18].try_into().unwrap()),
        ITERATIONS
    );
    for needle in [
        API_KEY,
        SECRET,
        &API_KEY[..8],
        &SECRET[..8],
        "correct horse",
        "api_key",
    ] {
        assert!(!contains(&sealed, needle), "{needle} is visible");
    }
    let keys = open(&sealed, &pass("correct horse")).unwrap();
    assert_eq!(keys.api_key.expose(), API_KEY);
    let PrivateKey::Hmac(s) = &keys.private else {
        panic!("not HMAC")
    };
    assert_eq!(s.expose(), SECRET);
}

#[test]
fn an_ed25519_key_round_trips() {
    let pem = ed25519_pem();
    let keys = ApiKeys::new(
        Secret::new(API_KEY.into()),
        PrivateKey::Ed25519Pem(Secret::new(pem.clone())),
    )
    .unwrap();
    let sealed = seal(&keys, &pass("p")).unwrap();
    assert!(!contains(&sealed, &pem_body(&pem)[..16]));
    let back = open(&sealed, &pass("p")).unwrap();
    assert_eq!(back.kind(), KeyKind::Ed25519);
    assert_eq!(
        back.signer().unwrap().ed25519_public_key(),
        keys.signer().unwrap().ed25519_public_key()
    );
}

#[test]
fn every_seal_has_its_own_salt_and_nonce() {
    let a = seal(&hmac_keys(), &pass("p")).unwrap();
    let b = seal(&hmac_keys(), &pass("p")).unwrap();
    assert_eq!(a.len(), b.len());
    assert_ne!(a[18..34], b[18..34], "salt");
    assert_ne!(a[34..46], b[34..46], "nonce");
}

#[test]
fn a_wrong_passphrase_or_an_altered_byte_is_an_error_never_keys() {
    let sealed = seal(&hmac_keys(), &pass("right")).unwrap();
    assert_eq!(
        open(&sealed, &pass("wrong")).unwrap_err(),
        CryptoError::WrongPassphrase
    );
    assert_eq!(
        open(&sealed, &pass("")).unwrap_err(),
        CryptoError::WrongPassphrase
    );
    // One byte each of: salt (header, authenticated), nonce, ciphertext, tag.
    for at in [20, 40, HEADER_LEN + 3, sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[at] ^= 0x01;
        assert_eq!(
            open(&bad, &pass("right")).unwrap_err(),
            CryptoError::WrongPassphrase,
            "byte {at}"
        );
    }
}

#[test]
fn damaged_or_foreign_files_say_what_is_wrong() {
    let sealed = seal(&hmac_keys(), &pass("p")).unwrap();
    let err = |bytes: &[u8]| open(bytes, &pass("p")).unwrap_err();
    assert_eq!(err(b"api_key = \"x\""), CryptoError::NotKeyFile);
    assert_eq!(err(&sealed[..MAGIC.len()]), CryptoError::Truncated);
    assert_eq!(err(&sealed[..HEADER_LEN + 4]), CryptoError::Truncated);
    let mut future = sealed.clone();
    future[MAGIC.len()] = 2;
    assert_eq!(err(&future), CryptoError::Version(2));
    let mut weak = sealed.clone();
    weak[14..18].copy_from_slice(&1000u32.to_be_bytes());
    assert_eq!(err(&weak), CryptoError::Iterations(1000));
    let mut endless = sealed;
    endless[14..18].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(err(&endless), CryptoError::Iterations(u32::MAX));
}

#[test]
fn an_empty_passphrase_is_refused_when_sealing() {
    assert_eq!(
        seal(&hmac_keys(), &pass("")).unwrap_err(),
        CryptoError::EmptyPassphrase
    );
}

#[cfg(unix)]
#[test]
fn the_file_is_private_and_its_errors_name_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    store(&path, &hmac_keys(), &pass("p")).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(load(&path, &pass("p")).unwrap().api_key.expose(), API_KEY);
    let e = load(&path, &pass("q")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "encrypted key file {}: wrong passphrase, or the file was altered (it does not authenticate)",
            path.display()
        )
    );
}
