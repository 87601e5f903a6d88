//! A raw token string against verifiers for every key family: HMAC (with and without `kid`),
//! RSA, EC (three curves, no `kid`), EdDSA, a JWK Set read through a `KeySource` (as a remote set
//! is), and a routed verifier (by `iss`, read before the signature). Properties: no panic; an
//! accepted token meets its verifier's rules (checked from the payload with serde_json); every
//! refusal's RFC 6750 answer is safe (see `check_rejection`); `decode_unverified` agrees with
//! the verifier that an accepted token is well-formed.
#![no_main]

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::{Algorithm, KeySet, ManualClock, RegisteredClaims, Verifier, dangerous};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

struct Case {
    auth: BearerAuth,
    rules: Rules,
}

fn rules(issuer: bool, audience: bool) -> Rules {
    Rules {
        now: NOW,
        leeway: 60,
        issuers: if issuer { vec![ISSUER.into()] } else { vec![] },
        audiences: if audience {
            vec![AUDIENCE.into()]
        } else {
            vec![]
        },
        require_exp: true,
        ..Rules::default()
    }
}

/// The JWK Set document of the public test keys, each with a `kid`.
pub fn jwks_json() -> String {
    let keys: Vec<serde_json::Value> = [
        ("rsa-1", RSA_PUBLIC),
        ("ec-1", P256_PUBLIC),
        ("ec-2", P384_PUBLIC),
        ("ec-3", P521_PUBLIC),
        ("ed-1", ED25519_PUBLIC),
    ]
    .into_iter()
    .map(|(kid, pem)| {
        let mut jwk = pem_key(pem).to_public_jwk().unwrap();
        jwk.kid = Some(kid.into());
        serde_json::to_value(jwk).unwrap()
    })
    .collect();
    serde_json::json!({ "keys": keys }).to_string()
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    let clock = ManualClock::new(NOW);
    let base = |algs: &[Algorithm]| {
        Verifier::builder()
            .algorithms(algs.iter().copied())
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .clock(clock.clone())
    };
    let mut cases = Vec::new();
    let mut push = |verifier: Verifier, rules: Rules| {
        cases.push(Case {
            auth: BearerAuth::new(verifier).with_realm("fuzz"),
            rules,
        });
    };
    use Algorithm::*;
    push(
        base(&[HS256, HS384, HS512])
            .key(hmac_key())
            .build()
            .unwrap(),
        rules(true, true),
    );
    let hmac_kid = Verifier::builder()
        .algorithms([HS256])
        .key(hmac_key().with_kid("hs-1"))
        .require_kid(true)
        .require_exp(false)
        .skip_audience_check()
        .clock(clock.clone())
        .build()
        .unwrap();
    push(
        hmac_kid,
        Rules {
            now: NOW,
            leeway: 60,
            skip_aud: true,
            ..Rules::default()
        },
    );
    push(
        base(&[RS256, PS256])
            .key(pem_key(RSA_PUBLIC).with_kid("rsa-1"))
            .build()
            .unwrap(),
        rules(true, true),
    );
    push(
        base(&[ES256, ES384, ES512])
            .keys([
                pem_key(P256_PUBLIC),
                pem_key(P384_PUBLIC),
                pem_key(P521_PUBLIC),
            ])
            .build()
            .unwrap(),
        rules(true, true),
    );
    push(
        base(&[EdDSA]).key(pem_key(ED25519_PUBLIC)).build().unwrap(),
        rules(true, true),
    );
    let set = KeySet::from_jwks_json(&jwks_json()).unwrap();
    let remote = base(&[RS256, PS256, ES256, ES384, ES512, EdDSA])
        .key_source(Arc::new(FixedSource(Arc::new(set))))
        .typ("at+jwt")
        .required_claims(["sub"])
        .max_age(Duration::from_secs(3600))
        .build()
        .unwrap();
    push(
        remote,
        Rules {
            required: vec!["sub".into()],
            max_age: Some(3600),
            ..rules(true, true)
        },
    );
    let routed = Verifier::routed([
        base(&[HS256]).key(hmac_key()).build().unwrap(),
        Verifier::builder()
            .algorithms([EdDSA])
            .key(pem_key(ED25519_PUBLIC))
            .issuer("https://other.example")
            .audience(AUDIENCE)
            .clock(clock.clone())
            .build()
            .unwrap(),
    ])
    .unwrap();
    push(
        routed,
        Rules {
            issuers: vec![ISSUER.into(), "https://other.example".into()],
            ..rules(false, true)
        },
    );
    cases
});

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let mut accepted = false;
    for case in CASES.iter() {
        match block_on(case.auth.verify(token)) {
            Ok(verified) => {
                accepted = true;
                case.rules.check_accepted(verified.payload_json());
                let registered = verified
                    .registered()
                    .expect("accepted claims are registered");
                if let Some(exp) = registered.exp {
                    assert!(exp > NOW - 60);
                }
                // The typed path decides as the stored-JSON path does.
                let typed = case.auth.verifier().verify::<RegisteredClaims>(token);
                assert!(
                    typed.is_ok(),
                    "verify_token accepted, verify refused: {typed:?}"
                );
            }
            Err(rejection) => check_rejection(&rejection, token),
        }
    }
    let unverified = dangerous::decode_unverified::<serde_json::Value>(token);
    if accepted {
        let unverified = unverified.expect("an accepted token decodes unverified");
        assert!(unverified.claims.is_object());
    }
});
