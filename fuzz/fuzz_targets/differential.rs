//! jwt-guard against jsonwebtoken 11 (aws_lc_rs) on the same key: the target signs the fuzzer's
//! header and payload bytes (HS256, ES256 or EdDSA, chosen by the first byte) so both libraries
//! see validly signed tokens, and both are configured alike (that one algorithm, issuer,
//! audience, 60 s leeway, `exp` required, `nbf` checked, the same clock second). Any token one
//! accepts and the other refuses must fall under a documented strictness difference
//! (`known_difference`, listed in FUZZING.md), else the target panics.
//!
//! Input: `alg header NUL payload`.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use jsonwebtoken as jt;
use jwt_guard_core::{Algorithm, Key, MAX_NUMERIC_DATE, ManualClock, Verifier};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

struct Side {
    alg: Algorithm,
    signer: Key,
    guard: Verifier,
    clock: ManualClock,
    theirs: jt::DecodingKey,
    validation: jt::Validation,
}

fn side(
    alg: Algorithm,
    signer: Key,
    verify: Key,
    theirs: jt::DecodingKey,
    jt_alg: jt::Algorithm,
) -> Side {
    let clock = ManualClock::new(NOW);
    let guard = Verifier::builder()
        .algorithms([alg])
        .key(verify.with_kid("k1"))
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .leeway(Duration::from_secs(60))
        .clock(clock.clone())
        .build()
        .unwrap();
    let mut validation = jt::Validation::new(jt_alg);
    validation.leeway = 60;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    // jwt-guard requires `iss` and `aud` when it checks them; tell jsonwebtoken the same.
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    Side {
        alg,
        signer,
        guard,
        clock,
        theirs,
        validation,
    }
}

static SIDES: LazyLock<[Side; 3]> = LazyLock::new(|| {
    [
        side(
            Algorithm::HS256,
            hmac_key(),
            hmac_key(),
            jt::DecodingKey::from_secret(HS256_SECRET.as_bytes()),
            jt::Algorithm::HS256,
        ),
        side(
            Algorithm::ES256,
            pem_key(P256_PRIVATE),
            pem_key(P256_PUBLIC),
            jt::DecodingKey::from_ec_pem(P256_PUBLIC.as_bytes()).unwrap(),
            jt::Algorithm::ES256,
        ),
        side(
            Algorithm::EdDSA,
            pem_key(ED25519_PRIVATE),
            pem_key(ED25519_PUBLIC),
            jt::DecodingKey::from_ed_pem(ED25519_PUBLIC.as_bytes()).unwrap(),
            jt::Algorithm::EdDSA,
        ),
    ]
});

/// A NumericDate both libraries read the same way: a non-negative integer within jwt-guard's
/// range (jsonwebtoken rounds floats and refuses negatives; jwt-guard truncates floats toward the
/// past, takes negatives, and refuses dates past year 9999).
fn plain_date(v: &Value) -> bool {
    v.as_u64().is_some_and(|n| n <= MAX_NUMERIC_DATE as u64)
}

/// Why the two may disagree on this token, if a documented strictness difference explains it.
/// `guard` is jwt-guard's answer.
fn known_difference(
    header: &[u8],
    payload: &[u8],
    token: &str,
    now: i64,
    guard: bool,
) -> Option<&'static str> {
    // Member by member: a member a `serde_json::Value` cannot hold (an unpaired surrogate
    // escape, a number outside f64's range; valid JSON, FUZZING.md) is left out, as jwt-guard
    // ignores it where it does not read it.
    let head: Option<serde_json::Map<String, Value>> = members(header).map(|m| {
        m.into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect()
    });
    let claims: Option<serde_json::Map<String, Value>> = serde_json::from_slice(payload).ok();
    if !guard {
        // 1. Duplicate member names: jwt-guard refuses them (RFC 7515 §4, RFC 7519 §4);
        //    jsonwebtoken keeps the last one, except for the claims it validates.
        if has_duplicate_names(header) == Some(true) || has_duplicate_names(payload) == Some(true) {
            return Some("duplicate member names");
        }
        // 2. Size caps checked before decoding (token 16 KiB, header segment 2 KiB).
        let header_segment = token.split('.').next().unwrap_or("");
        if token.len() > jwt_guard_core::DEFAULT_MAX_TOKEN_BYTES
            || header_segment.len() > jwt_guard_core::DEFAULT_MAX_HEADER_BYTES
        {
            return Some("size caps");
        }
        if let Some(head) = &head {
            // 3. `crit`: jwt-guard refuses extensions it was not told it understands (RFC 7515
            //    §4.1.11) and an empty list; jsonwebtoken ignores `crit`.
            if head.contains_key("crit") {
                return Some("crit");
            }
            // 4. `b64`: jwt-guard refuses RFC 7797 unencoded payloads; jsonwebtoken ignores it.
            if head.get("b64").is_some_and(|b| b != &Value::Bool(true)) {
                return Some("b64");
            }
            // 5. A `kid` naming no configured key: jwt-guard's keys are looked up by `kid`;
            //    jsonwebtoken, given one DecodingKey, ignores `kid`.
            if head
                .get("kid")
                .and_then(Value::as_str)
                .is_some_and(|kid| kid != "k1")
            {
                return Some("kid names no key");
            }
        }
        if let Some(claims) = &claims {
            // 6. NumericDates jsonwebtoken reads differently (floats, negatives, past 9999).
            for name in ["exp", "nbf"] {
                if claims
                    .get(name)
                    .is_some_and(|v| v.is_number() && !plain_date(v))
                {
                    return Some("NumericDate typing");
                }
            }
            // 7. `iat`: jwt-guard refuses one in the future (beyond the leeway) or not a
            //    NumericDate; jsonwebtoken never reads `iat`.
            if let Some(iat) = claims.get("iat") {
                let future = iat
                    .as_f64()
                    .is_some_and(|t| t.floor() > (now + 60) as f64 || t > MAX_NUMERIC_DATE as f64);
                if !iat.is_number() || future {
                    return Some("iat checked");
                }
            }
            // 8. Registered claims jwt-guard type-checks even when it does not validate them
            //    (`sub`, `jti` must be strings).
            for name in ["sub", "jti"] {
                if claims.get(name).is_some_and(|v| !v.is_string()) {
                    return Some("registered claim types");
                }
            }
            // 9. `iss` as an array: jsonwebtoken accepts any matching element; RFC 7519 §4.1.1
            //    makes `iss` one StringOrURI, jwt-guard refuses an array.
            if claims.get("iss").is_some_and(Value::is_array) {
                return Some("iss array");
            }
        }
    } else {
        // jwt-guard accepted, jsonwebtoken refused.
        if let Some(head) = &head {
            // 10. Header members jwt-guard does not read (it never fetches or trusts `jku`,
            //     `jwk`, `x5u`, `x5c`; `enc`, `zip`, `url`, `nonce` mean nothing to a JWS
            //     verifier); jsonwebtoken types them and refuses the header if one does not fit.
            if serde_json::from_slice::<jt::Header>(header).is_err() {
                let core: serde_json::Map<String, Value> = head
                    .iter()
                    .filter(|(k, _)| matches!(k.as_str(), "alg" | "kid" | "typ" | "cty"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if serde_json::from_value::<jt::Header>(Value::Object(core)).is_ok() {
                    return Some("header members jwt-guard ignores");
                }
            }
        }
        if let Some(claims) = &claims {
            for name in ["exp", "nbf"] {
                if claims
                    .get(name)
                    .is_some_and(|v| v.is_number() && !plain_date(v))
                {
                    return Some("NumericDate typing");
                }
            }
        }
    }
    // 11. The boundary second: jwt-guard expires at `exp <= now - leeway`, jsonwebtoken at
    //     `exp < now - leeway`.
    if let Some(claims) = &claims
        && claims.get("exp").and_then(Value::as_i64) == Some(now - 60)
    {
        return Some("exp boundary");
    }
    None
}

/// How often each documented difference was seen, printed at each power of two (FUZZING.md
/// quotes the last lines of a campaign).
fn count(reason: &'static str) {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashMap<&'static str, u64>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap();
    let n = seen
        .get_or_insert_with(HashMap::new)
        .entry(reason)
        .or_insert(0);
    *n += 1;
    if n.is_power_of_two() {
        eprintln!("known difference `{reason}`: {n}");
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, rest @ ..] = data else {
        return;
    };
    let (header, payload) = split_nul(rest);
    let side = &SIDES[usize::from(*which) % 3];
    let token = sign_compact(&side.signer, side.alg, header, payload);

    let before = jt::get_current_timestamp() as i64;
    side.clock.set(before);
    let guard = side.guard.verify::<Value>(&token);
    let theirs = jt::decode::<Value>(&token, &side.theirs, &side.validation);
    if jt::get_current_timestamp() as i64 != before {
        return; // a second passed between the two: not comparable
    }
    if guard.is_ok() == theirs.is_ok() {
        if let (Ok(ours), Ok(theirs)) = (&guard, &theirs) {
            assert_eq!(ours.claims, theirs.claims, "both accept, claims differ");
        }
        return;
    }
    if let Some(reason) = known_difference(header, payload, &token, before, guard.is_ok()) {
        count(reason);
    } else {
        panic!(
            "disagreement: jwt-guard {:?}, jsonwebtoken {:?}\nheader  {:?}\npayload {:?}",
            guard.as_ref().map(|_| ()).map_err(|e| e.kind().code()),
            theirs.as_ref().map(|_| ()).map_err(|e| e.kind().clone()),
            String::from_utf8_lossy(header),
            String::from_utf8_lossy(payload),
        );
    }
});
