use super::*;
use crate::secrets::testkit::{API_KEY, SECRET, ed25519_pem, hmac_keys, pem_body};

fn keys(text: &str) -> ApiKeys {
    match parse(text, false).unwrap() {
        Parsed::Keys(k) => k,
        Parsed::KeyFile(..) => panic!("expected inline keys"),
    }
}

fn error(text: &str) -> FormatError {
    parse(text, false).unwrap_err()
}

#[test]
fn hmac_keys_round_trip_through_toml() {
    let text = hmac_keys().to_toml();
    let back = keys(&text);
    assert_eq!(back.api_key.expose(), API_KEY);
    assert_eq!(back.kind(), KeyKind::Hmac);
    let PrivateKey::Hmac(s) = &back.private else {
        panic!("not HMAC")
    };
    assert_eq!(s.expose(), SECRET);
}

#[test]
fn an_ed25519_pem_round_trips_as_a_readable_literal_and_still_signs() {
    let pem = ed25519_pem();
    let original = ApiKeys::new(
        Secret::new(API_KEY.into()),
        PrivateKey::Ed25519Pem(pem_secret(&pem)),
    )
    .unwrap();
    let text = original.to_toml();
    assert!(
        text.contains("ed25519_key = '''\n-----BEGIN PRIVATE KEY-----\n"),
        "{}",
        &*text
    );
    let back = keys(&text);
    let PrivateKey::Ed25519Pem(p) = &back.private else {
        panic!("not Ed25519")
    };
    assert_eq!(p.expose(), pem);
    let (a, b) = (original.signer().unwrap(), back.signer().unwrap());
    assert_eq!(a.ed25519_public_key(), b.ed25519_public_key());
    assert!(a.ed25519_public_key().is_some());
}

#[test]
fn values_needing_escapes_survive() {
    let odd = ApiKeys {
        api_key: Secret::new("k\"e\\y".into()),
        private: PrivateKey::Ed25519Pem(Secret::new("a'''b\nc\td".into())),
    };
    let back = keys(&odd.to_toml());
    assert_eq!(back.api_key.expose(), "k\"e\\y");
    let PrivateKey::Ed25519Pem(p) = &back.private else {
        panic!("not Ed25519")
    };
    assert_eq!(p.expose().trim_end(), "a'''b\nc\td");
}

#[test]
fn syntax_errors_give_the_line_and_never_the_value() {
    let text = format!("api_key = \"{API_KEY}\"\napi_secret = {SECRET}\n");
    let e = error(&text);
    assert_eq!(e, FormatError::Syntax { line: 2 });
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(&SECRET[..12]) && !shown.contains(&API_KEY[..12]),
        "{shown}"
    );
}

#[test]
fn each_mistake_has_its_own_error() {
    let k = format!("api_key = \"{API_KEY}\"\n");
    assert_eq!(error("api_secret = \"x\""), FormatError::NoApiKey);
    assert_eq!(error(&k), FormatError::NoPrivate);
    assert_eq!(
        error(&format!("{k}api_secret = \"a\"\ned25519_key = \"b\"")),
        FormatError::Several
    );
    assert_eq!(
        error(&format!("{k}api_secret = 5")),
        FormatError::NotString("api_secret")
    );
    assert_eq!(
        error(&format!("{k}ed25519_key_file = \"k.pem\"")),
        FormatError::KeyFileHere
    );
    assert_eq!(
        error(&format!("{k}api_secrett = \"a\"")),
        FormatError::Unknown("`api_secrett`".into())
    );
    assert_eq!(
        error("api_key = \"two words\"\napi_secret = \"s\""),
        FormatError::BadApiKey
    );
    assert_eq!(
        error(&format!("{k}api_secret = \"s s\"")),
        FormatError::BadSecret
    );
}

#[test]
fn a_secret_pasted_as_a_key_name_is_not_shown() {
    let e = error(&format!("api_key = \"a\"\n{SECRET} = \"x\""));
    assert!(!e.to_string().contains(&SECRET[..12]), "{e}");
    assert!(matches!(e, FormatError::Unknown(_)));
}

#[test]
fn a_key_file_is_returned_for_the_caller_to_read_where_allowed() {
    let text = format!("api_key = \"{API_KEY}\"\ned25519_key_file = \"keys/k.pem\"");
    let Parsed::KeyFile(key, path) = parse(&text, true).unwrap() else {
        panic!("expected a key file")
    };
    assert_eq!(key.expose(), API_KEY);
    assert_eq!(path, PathBuf::from("keys/k.pem"));
}

#[test]
fn entered_keys_are_a_key_line_then_a_secret_line_or_a_pem_block() {
    let hmac = ApiKeys::from_entered(&format!("\n  {API_KEY}  \r\n{SECRET}\r\n")).unwrap();
    assert_eq!(hmac.api_key.expose(), API_KEY);
    assert_eq!(hmac.kind(), KeyKind::Hmac);
    let PrivateKey::Hmac(s) = &hmac.private else {
        panic!("not HMAC")
    };
    assert_eq!(s.expose(), SECRET);

    let pem = ed25519_pem();
    let ed = ApiKeys::from_entered(&format!("{API_KEY}\n{}", pem.replace('\n', "\r\n"))).unwrap();
    assert_eq!(ed.kind(), KeyKind::Ed25519);
    let PrivateKey::Ed25519Pem(p) = &ed.private else {
        panic!("not Ed25519")
    };
    assert_eq!(p.expose(), pem);
}

#[test]
fn entered_keys_that_cannot_sign_are_refused_without_echo() {
    assert_eq!(
        ApiKeys::from_entered(API_KEY).unwrap_err(),
        FormatError::Entered
    );
    assert_eq!(
        ApiKeys::from_entered(&format!("{API_KEY}\n{SECRET}\nmore")).unwrap_err(),
        FormatError::Entered
    );
    let pem = ed25519_pem();
    let broken = pem.replace(&pem_body(&pem)[..8], "@@@@@@@@");
    let e = ApiKeys::from_entered(&format!("{API_KEY}\n{broken}")).unwrap_err();
    assert!(matches!(e, FormatError::Sign(_)), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(&pem_body(&pem)[10..30]));
}

#[test]
fn debug_never_shows_key_material() {
    let pem = ed25519_pem();
    let ed = ApiKeys::from_entered(&format!("{API_KEY}\n{pem}")).unwrap();
    let shown = format!("{:?} {:?}", hmac_keys(), ed);
    for needle in [&API_KEY[..12], &SECRET[..12], &pem_body(&pem)[..20]] {
        assert!(!shown.contains(needle), "{shown}");
    }
}
