//! Claim rule evaluation (issue 15) behind a valid signature: the target signs the fuzzer's
//! payload (HS256, header `{"alg":"HS256"}`) and verifies it with four claim rules: `azp`
//! `one_of ["web", "cli"]`, the pointer `/realm_access/roles` `contains "admin"`,
//! `email_verified` `equals true`, and `tenant` `present false`, all decided in the verifier's
//! one pass on raw member text. Properties: an accepted token's claims meet every rule, checked
//! from the payload with serde_json (escapes decoded, so `"w\u0065b"` is `"web"`); a token the
//! rules refuse (`claim_rejected`) breaks at least one of them; `verify_token` and
//! `verify::<Value>` agree; every refusal's answer is RFC 6750-safe and never echoes the token or
//! a claim value.
//!
//! Input: the payload bytes.
#![no_main]

use std::sync::LazyLock;

use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::{Algorithm, ClaimRule, Key, ManualClock, Verifier};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static KEY: LazyLock<Key> = LazyLock::new(|| Key::hmac(HS256_SECRET.as_bytes()).unwrap());

static AUTH: LazyLock<BearerAuth> = LazyLock::new(|| {
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(KEY.clone())
        .skip_audience_check()
        .clock(ManualClock::new(NOW))
        .claim_rules([
            ClaimRule::claim("azp").one_of(["web", "cli"]),
            ClaimRule::at_pointer("/realm_access/roles").contains("admin"),
            ClaimRule::claim("email_verified").equals(true),
            ClaimRule::claim("tenant").present(false),
        ])
        .build()
        .unwrap();
    BearerAuth::new(verifier)
});

/// The four rules, read independently from the claims as serde_json sees them.
fn rules_hold(claims: &Value) -> bool {
    let azp = matches!(
        claims.get("azp").and_then(Value::as_str),
        Some("web" | "cli")
    );
    let roles = match claims.pointer("/realm_access/roles") {
        Some(Value::Array(items)) => items.iter().any(|i| i == "admin"),
        Some(Value::String(words)) => words.split(' ').any(|w| w == "admin"),
        _ => false,
    };
    let verified = claims.get("email_verified") == Some(&Value::Bool(true));
    let tenant = claims.get("tenant").is_none_or(Value::is_null);
    azp && roles && verified && tenant
}

fuzz_target!(|payload: &[u8]| {
    let token = sign_compact(&KEY, Algorithm::HS256, br#"{"alg":"HS256"}"#, payload);
    let verifier = AUTH.verifier();
    let stored = block_on(AUTH.verify(&token));
    let as_value = verifier.verify::<Value>(&token);
    let claims: Option<Value> = serde_json::from_slice(payload).ok();
    match &stored {
        Ok(_) => {
            // Accepted: valid JSON (finding 1) whose rules hold; if a `Value` holds it whole,
            // the rules are checked from it, and `verify::<Value>` agrees.
            if let Some(claims) = &claims {
                assert!(rules_hold(claims), "accepted against a rule: {claims}");
                let value = as_value.expect("verify::<Value> agrees").claims;
                assert_eq!(&value, claims);
            }
        }
        Err(rejection) => {
            check_rejection(rejection, &token);
            let code = rejection.error().map(|e| e.kind().code());
            if let Some(claims) = &claims {
                // A `Value` holds the claims: the typed path reaches the same answer.
                let value_code = as_value.as_ref().err().map(|e| e.kind().code());
                assert_eq!(code, value_code, "verify::<Value> disagrees");
                if code == Some("claim_rejected") {
                    assert!(
                        !rules_hold(claims),
                        "refused by a rule that holds: {claims}"
                    );
                }
            }
            // Never a claim value in the answer: the description is fixed text.
            if let Some(Value::String(azp)) = claims.as_ref().and_then(|c| c.get("azp"))
                && azp.len() >= 12
            {
                assert!(!rejection.description().contains(azp.as_str()));
            }
        }
    }
});
