//! The config text: `VerifierConfig::from_toml` / `from_json` (the selector byte), then building
//! it (`build_in` and `BearerAuth::from_config_in`, keys read from a directory holding test key
//! files, and the `[revocation]` store). Properties: no panic, and an error never quotes a
//! secret of the text: no value of 12 characters or more of a member that holds one (`secret`,
//! `pem`, a JWK's private members, `redis_url`, ...) appears in an error's `Display` or `Debug`.
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

/// The values of the members that hold secrets (`secret`, `secret_base64`, `pem`, a JWK's
/// `k`, `d`, `p`, `q`, `dp`, `dq`, `qi`, `redis_url`): `name = "value"` or `"name": "value"`.
/// Other values (a file name, an environment variable's name, an algorithm) may be named by an
/// error; these never.
fn values(text: &str) -> Vec<&str> {
    const SECRET: [&str; 11] = [
        "secret",
        "secret_base64",
        "pem",
        "k",
        "d",
        "p",
        "q",
        "dp",
        "dq",
        "qi",
        "redis_url",
    ];
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for name in SECRET {
        for (at, _) in text.match_indices(name) {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            let rest = &text[at + name.len()..];
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            let rest = rest.trim_start_matches([' ', '\t']);
            let Some(rest) = rest.strip_prefix(['=', ':']) else {
                continue;
            };
            let rest = rest.trim_start_matches([' ', '\t']);
            let rest = rest
                .strip_prefix(r#"""""#)
                .or_else(|| rest.strip_prefix('"'))
                .or_else(|| rest.strip_prefix('\''));
            if let Some(rest) = rest
                && let Some(end) = rest.find(['"', '\''])
            {
                out.push(&rest[..end]);
            }
        }
    }
    out
}

/// Every quoted string of the text that is not itself a secret's value: what an error may name
/// (a file name, an environment variable's name). A fuzzer can put a secret inside one (a
/// `pem_file` path ending in a JWK's `k`), and the error then names the path by design.
fn public_strings<'t>(text: &'t str, secrets: &[&str]) -> Vec<&'t str> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        let mut parts = text.split(quote);
        parts.next();
        // Every other part is inside quotes.
        while let Some(inside) = parts.next() {
            if !inside.is_empty() && !secrets.contains(&inside) {
                out.push(inside);
            }
            parts.next();
        }
    }
    out
}

fn check_error(error: &jwt_guard_core::Error, text: &str) {
    let secrets = values(text);
    let shown = without_public(
        &format!("{error} {error:?}"),
        &public_strings(text, &secrets),
    );
    for value in secrets {
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
