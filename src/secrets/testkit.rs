//! Key material for the secrets tests: the Binance documentation's HMAC key pair and a freshly
//! generated Ed25519 key in PKCS#8 PEM, as a user would paste them.

use super::{ApiKeys, PrivateKey, Secret};
use data_encoding::BASE64;

pub const API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
pub const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/// A new Ed25519 private key as PEM (64-character lines).
pub fn ed25519_pem() -> String {
    let rng = ring::rand::SystemRandom::new();
    let der = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let b64 = BASE64.encode(der.as_ref());
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

pub fn hmac_keys() -> ApiKeys {
    ApiKeys::new(
        Secret::new(API_KEY.into()),
        PrivateKey::Hmac(Secret::new(SECRET.into())),
    )
    .unwrap()
}

/// The PEM's base64 body, to search outputs for.
pub fn pem_body(pem: &str) -> String {
    pem.lines().nth(1).unwrap().to_string()
}

/// A private file (mode 0600) at `path` holding `text`.
pub fn private_file(path: &std::path::Path, text: &str) {
    super::credfile::write_private(path, text.as_bytes()).unwrap();
}

#[cfg(unix)]
pub fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
