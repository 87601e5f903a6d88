//! JWK and JWK Set parsing (`Key::from_jwk_json`, `KeySet::from_jwks_json`, the allow-weak set,
//! `Jwk` through serde then `Key::from_jwk`). Properties: a key that loads exports a public JWK
//! that loads again as the same family with the same algorithms; `Debug` of a `Jwk` or `Key`
//! never shows its secret (`k`, `d`); a skipped key's reason is printable text.
//!
//! Input: `selector json`.
#![no_main]

use jwt_guard_core::{Jwk, Key, KeySet, dangerous};
use libfuzzer_sys::fuzz_target;

/// Panics if `shown` contains one of `secrets` (8 characters or more) once the public members
/// it may show (`kid`, `alg`, `kty`, `use`, `crv`) are taken out: a fuzzer can make a secret
/// equal to, or part of, a `kid` ([`jwt_guard_fuzz::without_public`]).
fn assert_hidden(shown: &str, secrets: &[&str], public: &[String], what: &str) {
    let scrubbed = jwt_guard_fuzz::without_public(shown, public);
    for secret in secrets {
        assert!(
            secret.len() < 8 || !scrubbed.contains(secret),
            "{what} shows a secret: {shown}"
        );
    }
}

/// The public members of every JWK in a JSON text (one JWK or a set), every occurrence of a
/// repeated name included (`serde_json::Value` keeps only the last; jwt-guard may report
/// another).
fn public_members(json: &str) -> Vec<String> {
    jwt_guard_fuzz::string_members(json)
        .into_iter()
        .filter(|(name, _)| matches!(name.as_str(), "kid" | "alg" | "kty" | "use" | "crv"))
        .map(|(_, value)| value)
        .collect()
}

fn check_key(key: &Key, secrets: &[&str], public: &[String], weak: bool) {
    assert_hidden(&format!("{key:?}"), secrets, public, "Key Debug");
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
    let public = public_members(json);
    for key in set.keys() {
        check_key(key, &all, &public, weak);
    }
    for skipped in set.skipped() {
        assert_hidden(
            &format!("{skipped:?}"),
            &all,
            &public,
            "a skipped key's reason",
        );
    }
    assert_hidden(&format!("{set:?}"), &all, &public, "KeySet Debug");
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
                // A member jwt-guard does not read may hold valid JSON a `Value` cannot (an
                // unpaired surrogate escape: FUZZING.md, finding 3), so the JWK loads and the
                // `Value` does not; then no secret is known to look for, as in `check_set`.
                let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
                check_key(&key, &secrets(&value), &public_members(json), false);
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
                let secrets: Vec<&str> = [&jwk.k, &jwk.d, &jwk.p, &jwk.q]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let public: Vec<String> = [&jwk.kid, &jwk.alg, &jwk.use_, &jwk.crv]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .chain(std::iter::once(jwk.kty.clone()))
                    .chain(public_members(json))
                    .collect();
                assert_hidden(&format!("{jwk:?}"), &secrets, &public, "Jwk Debug");
                if let Ok(key) = Key::from_jwk(&jwk) {
                    check_key(&key, &secrets, &public, false);
                }
            }
        }
    }
});
