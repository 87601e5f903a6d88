//! The header and claims readers behind a valid signature: the target signs the fuzzer's header
//! and payload bytes (HS256, HS384 or EdDSA) and verifies them with rules the first two bytes
//! choose (issuers, audiences or none or skipped, subject, `exp` optional, `max_age`, `typ`,
//! required claims, leeway). Properties: an accepted token's claims meet every rule (checked from
//! the payload with serde_json, NumericDates truncated toward the past) and its header does
//! (`alg`, `typ`, `crit`, `b64`); `verify_token`, `verify::<Value>`, `verify::<RegisteredClaims>`
//! and `verify_jws` agree; every refusal's answer is RFC 6750-safe.
//!
//! Input: `flags leeway_and_alg header NUL payload`.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use jwt_guard_core::http::{BearerAuth, granted_scopes};
use jwt_guard_core::{Algorithm, Key, ManualClock, RegisteredClaims, Verifier, dangerous};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

static KEYS: LazyLock<(Key, Key)> = LazyLock::new(|| {
    let hmac = Key::hmac(
        HS256_SECRET
            .bytes()
            .chain(HS256_SECRET.bytes())
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    (hmac, pem_key(ED25519_PRIVATE))
});

fn typ_matches(expected: &str, actual: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(p) if p.eq_ignore_ascii_case("application/") => &s[12..],
            _ => s,
        }
    }
    strip(expected).eq_ignore_ascii_case(strip(actual))
}

fuzz_target!(|data: &[u8]| {
    let [flags, second, rest @ ..] = data else {
        return;
    };
    let (header, payload) = split_nul(rest);
    let (hmac, ed) = &*KEYS;
    let (key, alg) = match second >> 6 {
        0 | 1 => (hmac, Algorithm::HS256),
        2 => (ed, Algorithm::EdDSA),
        _ => (hmac, Algorithm::HS384),
    };
    let leeway = i64::from(second & 0x3f);
    let mut rules = Rules {
        now: NOW,
        leeway,
        require_exp: flags & 0x10 == 0,
        skip_aud: flags & 0x04 != 0,
        ..Rules::default()
    };
    let mut builder = Verifier::builder()
        .algorithms([Algorithm::HS256, Algorithm::HS384, Algorithm::EdDSA])
        .key(key.clone())
        .clock(ManualClock::new(NOW))
        .leeway(Duration::from_secs(leeway as u64))
        .require_exp(rules.require_exp)
        .critical_extensions(["exp_ext"]);
    if flags & 0x01 != 0 {
        rules.issuers = vec![ISSUER.into(), "b".into()];
        builder = builder.issuers(rules.issuers.clone());
    }
    if flags & 0x02 != 0 {
        rules.audiences = vec![AUDIENCE.into(), "other".into()];
        builder = builder.audiences(rules.audiences.clone());
    }
    if rules.skip_aud {
        builder = builder.skip_audience_check();
    }
    if flags & 0x08 != 0 {
        rules.subject = Some("ada".into());
        builder = builder.subject("ada");
    }
    if flags & 0x20 != 0 {
        rules.max_age = Some(600);
        builder = builder.max_age(Duration::from_secs(600));
    }
    let typ = (flags & 0x40 != 0).then_some("JWT");
    if let Some(typ) = typ {
        builder = builder.typ(typ);
    }
    if flags & 0x80 != 0 {
        rules.required = vec!["jti".into(), "scope".into()];
        builder = builder.required_claims(rules.required.clone());
    }
    let auth = BearerAuth::new(builder.build().unwrap());
    let token = sign_compact(key, alg, header, payload);
    let verifier = auth.verifier();

    let stored = block_on(auth.verify(&token));
    let as_value = verifier.verify::<serde_json::Value>(&token);
    let registered = verifier.verify::<RegisteredClaims>(&token);
    let jws = verifier.verify_jws(&token);
    match stored {
        Ok(verified) => {
            rules.check_accepted(payload);
            // The header rules, read independently; a member jwt-guard reads must be one a
            // `Value` holds, others may be valid JSON a `Value` cannot hold (FUZZING.md).
            let h = members(header).expect("header JSON object");
            let get = |name: &str| {
                h.get(name).map(|v| {
                    v.as_ref()
                        .unwrap_or_else(|| panic!("accepted unrepresentable header {name}"))
                })
            };
            assert_eq!(get("alg").and_then(|a| a.as_str()), Some(alg.as_str()));
            assert_eq!(verified.header().alg, alg);
            if let Some(crit) = get("crit") {
                let crit = crit.as_array().expect("crit is an array");
                assert!(!crit.is_empty());
                assert!(
                    crit.iter().all(|c| c.as_str() == Some("exp_ext")),
                    "crit {crit:?}"
                );
            }
            assert_ne!(get("b64"), Some(&serde_json::Value::Bool(false)));
            if let Some(expected) = typ {
                let actual = get("typ").and_then(|t| t.as_str()).expect("typ string");
                assert!(typ_matches(expected, actual), "typ {actual:?}");
            }
            assert_eq!(verified.payload_json(), payload);
            let registered = registered.expect("registered claims of an accepted token");
            assert_eq!(registered.claims, verified.registered().unwrap());
            let (jws_header, jws_payload) = jws.expect("verify_jws agrees");
            assert_eq!(jws_payload, payload);
            assert_eq!(&jws_header, verified.header());
            let _ = granted_scopes(&verified);
            // `decode_unverified` hands out the whole header and claims as `serde_json` values:
            // it refuses what a `Value` cannot hold, in either part (FUZZING.md, finding 3).
            let unverified = dangerous::decode_unverified::<serde_json::Value>(&token);
            if !representable(header) {
                assert!(
                    unverified.is_err(),
                    "decode_unverified: an unrepresentable header"
                );
            }
            if representable(payload) {
                let value = as_value
                    .expect("verify::<Value> agrees with verify_token")
                    .claims;
                assert_eq!(
                    value,
                    serde_json::from_slice::<serde_json::Value>(payload).unwrap()
                );
                if representable(header) {
                    let unverified = unverified.expect("an accepted token decodes unverified");
                    assert_eq!(unverified.claims, value);
                }
            } else {
                // valid JSON a `Value` cannot hold, in a claim jwt-guard does not read: a claims
                // type that reads it refuses the token, never accepts a misread (FUZZING.md)
                let code = as_value.map(|_| ()).unwrap_err().kind().code();
                assert_eq!(code, "claims_mismatch", "verify::<Value>");
                assert!(unverified.is_err(), "decode_unverified::<Value> accepted");
            }
        }
        Err(rejection) => {
            check_rejection(&rejection, &token);
            let code = rejection.error().map(|e| e.kind().code());
            let value_code = as_value.as_ref().err().map(|e| e.kind().code());
            assert_eq!(code, value_code, "verify::<Value> disagrees");
            assert!(jws.is_err() || code != Some("invalid_signature"));
            assert!(registered.is_err(), "verify::<RegisteredClaims> accepted");
        }
    }
});
