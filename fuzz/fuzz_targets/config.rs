//! The config text: `VerifierConfig::from_toml` / `from_json` (the selector byte), then building
//! it (`build_in` and `BearerAuth::from_config_in`, keys read from a directory holding test key
//! files, and the `[revocation]` store). Properties: no panic, and an error never quotes a
//! string value of the text (the config holds secrets): no value of 12 characters or more
//! appears in an error's `Display`.
//!
//! Input: `selector text`. Inputs naming `/dev`, `/proc` or `/sys` are skipped (reading
//! `/dev/zero` as a key file would only test the harness).
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use jwt_guard_core::VerifierConfig;
use jwt_guard_core::http::BearerAuth;
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

/// A directory with `key.pem` (RSA public), `ec.pem`, `jwks.json` and `secret.txt`.
static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("jwt-guard-fuzz-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("key.pem"), RSA_PUBLIC).unwrap();
    std::fs::write(dir.join("ec.pem"), P256_PUBLIC).unwrap();
    std::fs::write(dir.join("secret.txt"), HS256_SECRET).unwrap();
    let mut jwk = pem_key(ED25519_PUBLIC).to_public_jwk().unwrap();
    jwk.kid = Some("ed-1".into());
    let jwks = serde_json::json!({ "keys": [jwk] }).to_string();
    std::fs::write(dir.join("jwks.json"), jwks).unwrap();
    dir
});

/// String values in the text (`= "..."` or `: "..."`, the content between the quotes).
fn values(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'=' | b':' | b'[' | b',') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'"' {
                if let Some(end) = text[j + 1..].find('"') {
                    out.push(&text[j + 1..j + 1 + end]);
                }
            }
        }
        i += 1;
    }
    out
}

fn check_error(error: &jwt_guard_core::Error, text: &str) {
    let shown = format!("{error} {error:?}");
    for value in values(text) {
        assert!(
            value.len() < 12 || !shown.contains(value),
            "a config error quotes the text: {value:?} in {shown}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if ["/dev", "/proc", "/sys"].iter().any(|p| text.contains(p)) {
        return;
    }
    let parsed = if selector % 2 == 0 {
        VerifierConfig::from_toml(text)
    } else {
        VerifierConfig::from_json(text)
    };
    let config = match parsed {
        Ok(config) => config,
        Err(error) => {
            check_error(&error, text);
            return;
        }
    };
    let _ = format!("{config:?}");
    match config.build_in(&DIR) {
        Ok(verifier) => {
            let _ = format!("{verifier:?}");
        }
        Err(error) => check_error(&error, text),
    }
    if let Err(error) = BearerAuth::from_config_in(&config, &DIR) {
        check_error(&error, text);
    }
    if let Some(Err(error)) = config.revocation.as_ref().map(|r| r.store()) {
        check_error(&error, text);
    }
});
