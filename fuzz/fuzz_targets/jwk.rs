//! JWK and JWK Set parsing (`Key::from_jwk_json`, `KeySet::from_jwks_json`, the allow-weak set,
//! `Jwk` through serde then `Key::from_jwk`). Properties: a key that loads exports a public JWK
//! that loads again as the same family with the same algorithms; `Debug` of a `Jwk` or `Key`
//! never shows its secret (`k`, `d`); a skipped key's reason is printable text.
//!
//! Input: `selector json`.
#![no_main]

use jwt_guard_core::{Jwk, Key, KeySet, dangerous};
use libfuzzer_sys::fuzz_target;

fn check_key(key: &Key, secrets: &[&str], weak: bool) {
    let shown = format!("{key:?}");
    for secret in secrets {
        assert!(
            secret.len() < 8 || !shown.contains(secret),
            "Debug shows a secret: {shown}"
        );
    }
    if let Ok(public) = key.to_public_jwk() {
        assert!(
            public.k.is_none() && public.d.is_none(),
            "public JWK carries a secret"
        );
        let again = if weak {
            let set = serde_json::json!({ "keys": [public] }).to_string();
            let set = dangerous::key_set_from_jwks_json_allow_weak(&set).unwrap();
            set.keys()
                .first()
                .expect("an exported weak public JWK loads again")
                .clone()
        } else {
            Key::from_jwk(&public).expect("an exported public JWK loads again")
        };
        assert_eq!(again.family(), key.family());
        assert_eq!(again.algorithms(), key.algorithms());
        assert_eq!(again.kid(), key.kid());
    }
}

fn secrets(value: &serde_json::Value) -> Vec<&str> {
    ["k", "d", "p", "q", "dp", "dq", "qi"]
        .iter()
        .filter_map(|m| value.get(*m).and_then(serde_json::Value::as_str))
        .collect()
}

fn check_set(set: &KeySet, json: &str, weak: bool) {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let all: Vec<&str> = doc
        .get("keys")
        .and_then(serde_json::Value::as_array)
        .map(|keys| keys.iter().flat_map(secrets).collect())
        .unwrap_or_default();
    for key in set.keys() {
        check_key(key, &all, weak);
    }
    for skipped in set.skipped() {
        let shown = format!("{skipped:?}");
        for secret in &all {
            assert!(
                secret.len() < 8 || !shown.contains(secret),
                "skipped reason shows a secret"
            );
        }
    }
    let shown = format!("{set:?}");
    for secret in &all {
        assert!(
            secret.len() < 8 || !shown.contains(secret),
            "KeySet Debug shows a secret"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    let Ok(json) = std::str::from_utf8(rest) else {
        return;
    };
    match selector % 4 {
        0 => {
            if let Ok(key) = Key::from_jwk_json(json) {
                let value: serde_json::Value = serde_json::from_str(json).unwrap();
                check_key(&key, &secrets(&value), false);
            }
        }
        1 => {
            if let Ok(set) = KeySet::from_jwks_json(json) {
                check_set(&set, json, false);
            }
        }
        2 => {
            if let Ok(set) = dangerous::key_set_from_jwks_json_allow_weak(json) {
                check_set(&set, json, true);
            }
        }
        _ => {
            if let Ok(jwk) = serde_json::from_str::<Jwk>(json) {
                let shown = format!("{jwk:?}");
                for secret in [&jwk.k, &jwk.d, &jwk.p, &jwk.q].into_iter().flatten() {
                    assert!(
                        secret.len() < 8 || !shown.contains(secret.as_str()),
                        "Jwk Debug shows a secret"
                    );
                }
                if let Ok(key) = Key::from_jwk(&jwk) {
                    let secrets: Vec<&str> = [&jwk.k, &jwk.d]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .collect();
                    check_key(&key, &secrets, false);
                }
            }
        }
    }
});
