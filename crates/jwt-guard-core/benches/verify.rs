//! Verification cost per algorithm: jwt-guard's `Verifier::verify` against `jsonwebtoken::decode`
//! with equivalent validation on the same token, and against the floor (a pre-parsed aws-lc-rs
//! key, base64 of two parts and one serde parse of the claims). Also signing, where
//! jsonwebtoken parses the private key on every call. Results: BENCHMARKS.md.
//!
//! Run: `cargo bench -p jwt-guard-core --bench verify`

// A benchmark's setup panics on failure; the workspace's no-panic lints are for library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code: a failed setup step panics"
)]

use std::hint::black_box;
use std::time::Duration;

mod common;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use common::{AUD, Claims, ISS, SECRET, claims, floor_key, jsonwebtoken_alg, jsonwebtoken_key};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_guard_core::{Algorithm, Curve, Key, KeyFamily, Signer, Verifier};

/// A private key for `alg` and its PKCS#8 DER (empty for HMAC).
fn private_key(alg: Algorithm, rsa_der: &[u8]) -> (Key, Vec<u8>) {
    let rng = SystemRandom::new();
    let ec = |a| {
        EcdsaKeyPair::generate_pkcs8(a, &rng)
            .unwrap()
            .as_ref()
            .to_vec()
    };
    let der = match alg.family() {
        KeyFamily::Hmac => return (Key::hmac(SECRET).unwrap(), Vec::new()),
        KeyFamily::Rsa => rsa_der.to_vec(),
        KeyFamily::Ec(Curve::P256) => ec(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        KeyFamily::Ec(Curve::P384) => ec(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        KeyFamily::Ec(_) => ec(&signature::ECDSA_P521_SHA512_FIXED_SIGNING),
        _ => Ed25519KeyPair::generate_pkcs8(&rng)
            .unwrap()
            .as_ref()
            .to_vec(),
    };
    (Key::from_der(&der).unwrap(), der)
}

fn verify(c: &mut Criterion) {
    let rsa = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let rsa_der = AsDer::<Pkcs8V1Der<'_>>::as_der(&rsa)
        .unwrap()
        .as_ref()
        .to_vec();
    for alg in Algorithm::ALL {
        let (key, _) = private_key(alg, &rsa_der);
        let token = Signer::new(key.clone(), alg)
            .unwrap()
            .encode(&claims())
            .unwrap();
        let verifier = Verifier::builder()
            .algorithms([alg])
            .key(key.clone())
            .issuer(ISS)
            .audience(AUD)
            .build()
            .unwrap();
        let floor = floor_key(alg, &key);
        assert!(verifier.verify::<Claims>(&token).is_ok());
        assert!(floor.verify(&token).is_some());

        let mut group = c.benchmark_group(format!("verify/{alg}"));
        group.bench_function("jwt-guard", |b| {
            b.iter(|| verifier.verify::<Claims>(black_box(&token)).unwrap())
        });
        if let Some(jalg) = jsonwebtoken_alg(alg) {
            let dkey = jsonwebtoken_key(alg, &key);
            let mut validation = jsonwebtoken::Validation::new(jalg);
            validation.set_issuer(&[ISS]);
            validation.set_audience(&[AUD]);
            assert!(jsonwebtoken::decode::<Claims>(&token, &dkey, &validation).is_ok());
            group.bench_function("jsonwebtoken", |b| {
                b.iter(|| {
                    jsonwebtoken::decode::<Claims>(black_box(&token), &dkey, &validation).unwrap()
                })
            });
        }
        group.bench_function("floor", |b| {
            b.iter(|| floor.verify(black_box(&token)).unwrap())
        });
        group.finish();
    }
}

/// Claim rules (issue 15): the same HS256 and ES256 token with `token_use`, `azp` and
/// `realm_access.roles`, verified without rules and with three (a name `equals`, a name
/// `one_of`, a pointer `contains`): `cargo bench -p jwt-guard-core --bench verify -- claim-rules`.
fn verify_claim_rules(c: &mut Criterion) {
    let rsa = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let rsa_der = AsDer::<Pkcs8V1Der<'_>>::as_der(&rsa)
        .unwrap()
        .as_ref()
        .to_vec();
    for alg in [Algorithm::HS256, Algorithm::ES256] {
        let (key, _) = private_key(alg, &rsa_der);
        let mut claims = serde_json::to_value(claims()).unwrap();
        claims["token_use"] = "access".into();
        claims["azp"] = "web-app".into();
        claims["realm_access"] = serde_json::json!({"roles": ["offline_access", "api-user"]});
        let token = Signer::new(key.clone(), alg)
            .unwrap()
            .encode(&claims)
            .unwrap();
        let builder = || {
            Verifier::builder()
                .algorithms([alg])
                .key(key.clone())
                .issuer(ISS)
                .audience(AUD)
        };
        let without = builder().build().unwrap();
        let with = builder()
            .claim_rules([
                jwt_guard_core::ClaimRule::claim("token_use").equals("access"),
                jwt_guard_core::ClaimRule::claim("azp").one_of(["web-app", "cli"]),
                jwt_guard_core::ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            ])
            .build()
            .unwrap();
        assert!(with.verify::<Claims>(&token).is_ok());
        let mut group = c.benchmark_group(format!("claim-rules/{alg}"));
        group.bench_function("no rules", |b| {
            b.iter(|| without.verify::<Claims>(black_box(&token)).unwrap())
        });
        group.bench_function("3 rules", |b| {
            b.iter(|| with.verify::<Claims>(black_box(&token)).unwrap())
        });
        group.finish();
    }
}

/// Realistic traffic: many distinct tokens (different `sub`/`jti`) from one issuer and key,
/// so no per-token caching can help; verified round-robin.
fn verify_distinct(c: &mut Criterion) {
    let rsa = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let rsa_der = AsDer::<Pkcs8V1Der<'_>>::as_der(&rsa)
        .unwrap()
        .as_ref()
        .to_vec();
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        let (key, _) = private_key(alg, &rsa_der);
        let signer = Signer::new(key.clone(), alg).unwrap();
        let tokens: Vec<String> = (0..1024)
            .map(|i| {
                let mut c = claims();
                c.sub = format!("user-{i:010}");
                signer.encode(&c).unwrap()
            })
            .collect();
        let verifier = Verifier::builder()
            .algorithms([alg])
            .key(key.clone())
            .issuer(ISS)
            .audience(AUD)
            .build()
            .unwrap();
        let floor = floor_key(alg, &key);
        let dkey = jsonwebtoken_key(alg, &key);
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken_alg(alg).unwrap());
        validation.set_issuer(&[ISS]);
        validation.set_audience(&[AUD]);
        let mut group = c.benchmark_group(format!("verify-1024-tokens/{alg}"));
        let mut i = 0usize;
        group.bench_function("jwt-guard", |b| {
            b.iter(|| {
                i = (i + 1) % tokens.len();
                verifier.verify::<Claims>(black_box(&tokens[i])).unwrap()
            })
        });
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                i = (i + 1) % tokens.len();
                jsonwebtoken::decode::<Claims>(black_box(&tokens[i]), &dkey, &validation).unwrap()
            })
        });
        group.bench_function("floor", |b| {
            b.iter(|| {
                i = (i + 1) % tokens.len();
                floor.verify(black_box(&tokens[i])).unwrap()
            })
        });
        group.finish();
    }
}

fn sign(c: &mut Criterion) {
    let rsa = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let rsa_der = AsDer::<Pkcs8V1Der<'_>>::as_der(&rsa)
        .unwrap()
        .as_ref()
        .to_vec();
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        let (key, der) = private_key(alg, &rsa_der);
        let signer = Signer::new(key, alg).unwrap();
        let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der));
        let ekey = match alg.family() {
            KeyFamily::Hmac => jsonwebtoken::EncodingKey::from_secret(SECRET),
            KeyFamily::Rsa => jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            KeyFamily::Ed25519 => jsonwebtoken::EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
            _ => jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        };
        let header = jsonwebtoken::Header::new(jsonwebtoken_alg(alg).unwrap());
        let mut group = c.benchmark_group(format!("sign/{alg}"));
        group.bench_function("jwt-guard", |b| {
            b.iter(|| signer.encode(black_box(&claims())).unwrap())
        });
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| jsonwebtoken::encode(&header, black_box(&claims()), &ekey).unwrap())
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = verify, verify_distinct, sign, verify_claim_rules
}
criterion_main!(benches);
