use super::*;
use ring::signature::{ED25519, UnparsedPublicKey};

const API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn hmac() -> Signer {
    Signer::hmac(Secret::new(API_KEY.into()), &Secret::new(SECRET.into())).unwrap()
}

fn order_params(symbol: &str) -> Vec<(&'static str, String)> {
    [
        ("symbol", symbol),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "1"),
        ("price", "0.1"),
        ("recvWindow", "5000"),
        ("timestamp", "1499827319559"),
    ]
    .map(|(k, v)| (k, v.to_string()))
    .to_vec()
}

#[test]
fn rest_vector_ascii() {
    let query = query_string(&order_params("LTCBTC"));
    assert_eq!(
        query,
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    );
    let sig = hmac().sign_rest(&query, "");
    assert_eq!(
        sig.as_str(),
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    );
    // Split between query and body, the payload is their plain concatenation.
    let (q, b) = query.split_at(20);
    assert_eq!(hmac().sign_rest(q, b), sig);
}

#[test]
fn rest_vector_non_ascii_is_percent_encoded_before_signing() {
    let query = query_string(&order_params("１２３４５６"));
    assert!(
        query.starts_with("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY"),
        "{query}"
    );
    assert_eq!(
        hmac().sign_rest(&query, "").as_str(),
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
    );
}

#[test]
fn ws_api_vectors_sort_params_and_include_the_api_key() {
    let ascii = [
        ("symbol", "BTCUSDT"),
        ("side", "SELL"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "0.01000000"),
        ("price", "52000.00"),
        ("recvWindow", "100"),
        ("timestamp", "1645423376532"),
    ];
    assert_eq!(
        ws_payload(API_KEY, &ascii),
        format!(
            "apiKey={API_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
        )
    );
    assert_eq!(
        hmac().sign_ws(&ascii).as_str(),
        "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"
    );
    let non_ascii = [
        ("symbol", "１２３４５６"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "1.00000000"),
        ("price", "0.10000000"),
        ("recvWindow", "5000"),
        ("timestamp", "1645423376532"),
        ("signature", "ignored"),
    ];
    assert_eq!(
        hmac().sign_ws(&non_ascii).as_str(),
        "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"
    );
}

/// An Ed25519 seed as OpenSSL writes it: PKCS#8 v1 (RFC 8410), no public key, in PEM.
fn pem_v1(seed_hex: &str) -> String {
    let mut der = HEXLOWER
        .decode(b"302e020100300506032b657004220420")
        .unwrap();
    der.extend(HEXLOWER.decode(seed_hex.as_bytes()).unwrap());
    pem(&der)
}

fn pem(der: &[u8]) -> String {
    let b64 = BASE64.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

fn ed25519(pem: String) -> Signer {
    Signer::ed25519_pem(Secret::new("key".into()), &Secret::new(pem)).unwrap()
}

#[test]
fn ed25519_rfc8032_vectors_1_and_2() {
    // RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
    let cases = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ];
    for (seed, public, msg, expected) in cases {
        let signer = ed25519(pem_v1(seed));
        assert_eq!(signer.kind(), KeyKind::Ed25519);
        assert_eq!(
            HEXLOWER.encode(&signer.ed25519_public_key().unwrap()),
            public
        );
        let msg = HEXLOWER.decode(msg.as_bytes()).unwrap();
        let sig = signer.sign(&msg);
        assert_eq!(
            HEXLOWER.encode(&BASE64.decode(sig.as_str().as_bytes()).unwrap()),
            expected
        );
    }
}

#[test]
fn ed25519_self_generated_key_round_trip() {
    let rng = ring::rand::SystemRandom::new();
    let doc = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let signer = ed25519(pem(doc.as_ref()));
    let payload = "apiKey=key&symbol=BTCUSDT&timestamp=1645423376532";
    let sig = signer.sign_ws(&[("symbol", "BTCUSDT"), ("timestamp", "1645423376532")]);
    let raw = BASE64.decode(sig.as_str().as_bytes()).unwrap();
    assert_eq!(raw.len(), 64);
    let public = signer.ed25519_public_key().unwrap();
    let key = UnparsedPublicKey::new(&ED25519, &public);
    assert!(key.verify(payload.as_bytes(), &raw).is_ok());
    assert!(key.verify(b"apiKey=key&symbol=ETHUSDT", &raw).is_err());
    // Base64 in a query string must be percent-encoded.
    assert!(!sig.for_query().contains(['+', '/', '=']));
    assert_eq!(
        sig.for_query()
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "="),
        sig.as_str()
    );
}

#[test]
fn bad_keys_are_refused_without_echoing_them() {
    let key = || Secret::new("key".into());
    let e = Signer::ed25519_pem(key(), &Secret::new("not a pem secret-ish".into())).unwrap_err();
    assert_eq!(e, SignError::NotPem);
    let garbled = "-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----";
    let e = Signer::ed25519_pem(key(), &Secret::new(garbled.into())).unwrap_err();
    assert_eq!(e, SignError::Base64);
    let e = Signer::ed25519_pem(key(), &Secret::new(pem(b"0123456789abcdef"))).unwrap_err();
    assert!(matches!(e, SignError::Key(_)), "{e}");
    let e = Signer::hmac(Secret::new(String::new()), &Secret::new(SECRET.into())).unwrap_err();
    assert_eq!(e, SignError::Empty);
}

#[test]
fn nothing_secret_is_ever_formatted() {
    let signer = hmac();
    let sig = signer.sign_rest("symbol=LTCBTC", "");
    let shown = format!("{signer:?} {sig:?}");
    assert!(shown.contains("Hmac"), "{shown}");
    for leak in [API_KEY, SECRET, sig.as_str()] {
        assert!(!shown.contains(&leak[..12]), "{shown}");
    }
}

#[test]
fn percent_encoding_keeps_unreserved_and_encodes_the_rest() {
    assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
    assert_eq!(percent_encode("a b&c=d+/"), "a%20b%26c%3Dd%2B%2F");
    assert_eq!(percent_encode("[\"BTCUSDT\"]"), "%5B%22BTCUSDT%22%5D");
    assert_eq!(percent_encode("é"), "%C3%A9");
}
