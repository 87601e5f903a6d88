//! Issuing tokens: a login pair (`TokenIssuer::login`: access + refresh token, fresh ids)
//! against `jsonwebtoken::encode` of the same two claim sets (it reads the same random ids from
//! aws-lc-rs, so both pay for them), for HS256, ES256 and EdDSA; and redeeming a refresh token
//! with the memory store (verify, check, `mark_used`, a new pair). Results: BENCHMARKS.md.
//!
//! Run: `cargo bench -p jwt-guard-core --bench sessions`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code: a failed setup step panics"
)]

mod common;

use common::block_on;

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair};
use base64::Engine as _;
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_guard_core::revocation::MemoryStore;
use jwt_guard_core::sessions::TokenIssuer;
use jwt_guard_core::{Algorithm, Key};
use serde::Serialize;
use serde_json::json;

const SECRET: &[u8] = b"benchmark-secret-benchmark-secret-benchmark-secret-benchmark-sec";

#[derive(Serialize)]
struct Access<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    client_id: &'a str,
    exp: i64,
    iat: i64,
    nbf: i64,
    jti: &'a str,
    sid: &'a str,
    fresh: bool,
    roles: [&'a str; 1],
}

#[derive(Serialize)]
struct Refresh<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    sid: &'a str,
}

fn id(rng: &SystemRandom) -> String {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes).unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn keys(alg: Algorithm) -> (Key, jsonwebtoken::EncodingKey, jsonwebtoken::Algorithm) {
    let rng = SystemRandom::new();
    let der = match alg {
        Algorithm::HS256 => {
            return (
                Key::hmac(SECRET).unwrap(),
                jsonwebtoken::EncodingKey::from_secret(SECRET),
                jsonwebtoken::Algorithm::HS256,
            );
        }
        Algorithm::ES256 => {
            EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .unwrap()
                .as_ref()
                .to_vec()
        }
        _ => Ed25519KeyPair::generate_pkcs8(&rng)
            .unwrap()
            .as_ref()
            .to_vec(),
    };
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der.clone()));
    let (ekey, jalg) = match alg {
        Algorithm::ES256 => (
            jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            jsonwebtoken::Algorithm::ES256,
        ),
        _ => (
            jsonwebtoken::EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
            jsonwebtoken::Algorithm::EdDSA,
        ),
    };
    (Key::from_der(&der).unwrap(), ekey, jalg)
}

fn issue(c: &mut Criterion) {
    for alg in [Algorithm::HS256, Algorithm::ES256, Algorithm::EdDSA] {
        let (key, ekey, jalg) = keys(alg);
        let issuer = TokenIssuer::builder(key, alg)
            .issuer("https://api.example")
            .audience("api")
            .client_id("web")
            .build()
            .unwrap();
        #[derive(Serialize)]
        struct Extra {
            roles: [&'static str; 1],
        }
        let extra = Extra { roles: ["admin"] };
        let rng = SystemRandom::new();
        let mut access_header = jsonwebtoken::Header::new(jalg);
        access_header.typ = Some("at+jwt".into());
        let mut refresh_header = jsonwebtoken::Header::new(jalg);
        refresh_header.typ = Some("refresh+jwt".into());
        let mut group = c.benchmark_group(format!("issue_pair/{alg}"));
        group.bench_function("jwt-guard", |b| {
            b.iter(|| issuer.login(black_box("ada"), black_box(&extra)).unwrap())
        });
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                let now = 1_700_000_000;
                let (sid, ajti, rjti) = (id(&rng), id(&rng), id(&rng));
                let access = jsonwebtoken::encode(
                    &access_header,
                    &Access {
                        iss: "https://api.example",
                        sub: black_box("ada"),
                        aud: "api",
                        client_id: "web",
                        exp: now + 900,
                        iat: now,
                        nbf: now,
                        jti: &ajti,
                        sid: &sid,
                        fresh: true,
                        roles: ["admin"],
                    },
                    &ekey,
                )
                .unwrap();
                let refresh = jsonwebtoken::encode(
                    &refresh_header,
                    &Refresh {
                        iss: "https://api.example",
                        aud: "api",
                        sub: "ada",
                        iat: now,
                        exp: now + 2_592_000,
                        jti: &rjti,
                        sid: &sid,
                    },
                    &ekey,
                )
                .unwrap();
                (access, refresh)
            })
        });
        group.finish();
    }
}

fn redeem(c: &mut Criterion) {
    let issuer = TokenIssuer::builder(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .issuer("https://api.example")
        .audience("api")
        .build()
        .unwrap();
    // Fresh refresh tokens for every iteration (each is good once), minted outside the timing.
    let store = MemoryStore::new(10_000_000);
    c.bench_function("redeem_refresh/HS256/memory", |b| {
        b.iter_batched(
            || issuer.login("ada", &json!({})).unwrap().refresh_token,
            |token| block_on(issuer.refresh(&store, black_box(&token), &json!({}))).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = issue, redeem
}
criterion_main!(benches);
