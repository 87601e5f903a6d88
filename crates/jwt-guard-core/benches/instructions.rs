//! Instruction counts per verification, for `benches/instructions.sh` (callgrind counts
//! instructions, not seconds, so the result does not depend on what else the machine runs).
//!
//! Usage: `instructions IMPL ALG N` with IMPL one of `jwt-guard`, `jsonwebtoken`, `floor`,
//! `bearer` (`BearerAuth::verify`, no revocation store) or `bearer-revocation` (the same with a
//! `MemoryStore` of 100,000 entries, none of them matching; `bash benches/instructions.sh
//! --revocation HS256` prints both): verifies one token N times. Two more IMPLs measure the
//! claim rules: `jwt-guard-rules` verifies a token with `token_use`, `azp` and
//! `realm_access.roles` under three rules (a name `equals`, a name `one_of`, a pointer
//! `contains`), `jwt-guard-rules-base` the same token without them (`RULES=1 bash
//! benches/instructions.sh HS256` prints both). The verified-token cache (`CACHE=1 bash
//! benches/instructions.sh HS256 ES256`): `bearer` is `BearerAuth::verify` with the cache off,
//! `bearer-hit` with it on and one token repeated (all hits after the first), and three IMPLs
//! that sign a new token per call (a `jti` counter): `sign-distinct` only signs, `bearer-distinct`
//! signs and verifies with the cache off, `bearer-churn` signs and verifies with a cache of 1,024
//! entries (every call a miss, an insert and, past 1,024, an eviction); subtract `sign-distinct`
//! from the last two. The script runs it with two values of N under
//! callgrind and divides the difference, so setup cost cancels out. Keys are the committed test
//! fixtures.

// A benchmark's setup panics on failure; the workspace's no-panic lints are for library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code: a failed setup step panics"
)]

mod common;

use std::hint::black_box;

use common::{
    AUD, Claims, ISS, SECRET, block_on, claims, floor_key, full_store, jsonwebtoken_alg,
    jsonwebtoken_key,
};
use jwt_guard_core::cache::CacheConfig;
use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::{Algorithm, ClaimRule, Key, KeyFamily, Signer, Verifier};

fn fixture_key(alg: Algorithm) -> Key {
    let name = match alg.family() {
        KeyFamily::Hmac => return Key::hmac(SECRET).unwrap(),
        KeyFamily::Rsa => "rsa2048",
        KeyFamily::Ed25519 => "ed25519",
        _ => match alg {
            Algorithm::ES256 => "p256",
            Algorithm::ES384 => "p384",
            _ => "p521",
        },
    };
    let path = format!(
        "{}/tests/fixtures/keys/{name}.key.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    Key::from_pem(std::fs::read(path).unwrap()).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [which, alg, n] = args.as_slice() else {
        eprintln!("usage: instructions jwt-guard|jsonwebtoken|floor ALG N");
        std::process::exit(2);
    };
    let alg: Algorithm = alg.parse().unwrap();
    let n: usize = n.parse().unwrap();
    let key = fixture_key(alg);
    let token = Signer::new(key.clone(), alg)
        .unwrap()
        .encode(&claims())
        .unwrap();
    if let Some(with_rules) = which
        .strip_prefix("jwt-guard-rules")
        .map(|rest| rest.is_empty())
    {
        let mut claims = serde_json::to_value(claims()).unwrap();
        claims["token_use"] = "access".into();
        claims["azp"] = "web-app".into();
        claims["realm_access"] = serde_json::json!({"roles": ["offline_access", "api-user"]});
        let token = Signer::new(key.clone(), alg)
            .unwrap()
            .encode(&claims)
            .unwrap();
        let mut builder = Verifier::builder()
            .algorithms([alg])
            .key(key)
            .issuer(ISS)
            .audience(AUD);
        if with_rules {
            builder = builder.claim_rules([
                ClaimRule::claim("token_use").equals("access"),
                ClaimRule::claim("azp").one_of(["web-app", "cli"]),
                ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            ]);
        }
        let verifier = builder.build().unwrap();
        for _ in 0..n {
            black_box(verifier.verify::<Claims>(black_box(&token)).unwrap());
        }
        return;
    }
    match which.as_str() {
        "jwt-guard" => {
            let verifier = Verifier::builder()
                .algorithms([alg])
                .key(key)
                .issuer(ISS)
                .audience(AUD)
                .build()
                .unwrap();
            for _ in 0..n {
                black_box(verifier.verify::<Claims>(black_box(&token)).unwrap());
            }
        }
        "jsonwebtoken" => {
            let dkey = jsonwebtoken_key(alg, &key);
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken_alg(alg).unwrap());
            validation.set_issuer(&[ISS]);
            validation.set_audience(&[AUD]);
            for _ in 0..n {
                black_box(
                    jsonwebtoken::decode::<Claims>(black_box(&token), &dkey, &validation).unwrap(),
                );
            }
        }
        "floor" => {
            let floor = floor_key(alg, &key);
            for _ in 0..n {
                black_box(floor.verify(black_box(&token)).unwrap());
            }
        }
        "bearer" | "bearer-revocation" => {
            let verifier = Verifier::builder()
                .algorithms([alg])
                .key(key)
                .issuer(ISS)
                .audience(AUD)
                .build()
                .unwrap();
            let mut auth = BearerAuth::new(verifier).with_cache(&CacheConfig::off());
            if which == "bearer-revocation" {
                auth = auth.with_revocation(full_store());
            }
            for _ in 0..n {
                black_box(block_on(auth.verify(black_box(&token))).unwrap());
            }
        }
        "bearer-hit" => {
            let verifier = Verifier::builder()
                .algorithms([alg])
                .key(key)
                .issuer(ISS)
                .audience(AUD)
                .build()
                .unwrap();
            let auth = BearerAuth::new(verifier);
            for _ in 0..n {
                black_box(block_on(auth.verify(black_box(&token))).unwrap());
            }
        }
        "sign-distinct" | "bearer-distinct" | "bearer-churn" => {
            let verifier = Verifier::builder()
                .algorithms([alg])
                .key(key.clone())
                .issuer(ISS)
                .audience(AUD)
                .build()
                .unwrap();
            let cache = match which.as_str() {
                "bearer-churn" => CacheConfig::with_max_entries(1024),
                _ => CacheConfig::off(),
            };
            let auth = BearerAuth::new(verifier).with_cache(&cache);
            let signer = Signer::new(key, alg).unwrap();
            let mut claims = serde_json::to_value(claims()).unwrap();
            // Fill the cache to its bound with tokens used twice (a token is kept at its second
            // verification), so a measured new token finds it full.
            if which == "bearer-churn" {
                for i in 0..1024 {
                    claims["jti"] = format!("warm-{i:012}").into();
                    let token = signer.encode(&claims).unwrap();
                    for _ in 0..2 {
                        black_box(block_on(auth.verify(black_box(&token))).unwrap());
                    }
                }
            }
            for i in 0..n {
                claims["jti"] = format!("{i:012}").into();
                let token = signer.encode(&claims).unwrap();
                if which != "sign-distinct" {
                    black_box(block_on(auth.verify(black_box(&token))).unwrap());
                }
            }
        }
        other => panic!("unknown implementation {other}"),
    }
}
