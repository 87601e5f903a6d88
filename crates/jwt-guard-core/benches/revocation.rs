//! The revocation check: `MemoryStore::check` on a hit and a miss with 100,000 entries, and
//! `BearerAuth::verify` (HS256) with no store, and with a store of 100,000 entries (a miss: the
//! request that passes pays the most). Results: BENCHMARKS.md.
//!
//! Run: `cargo bench -p jwt-guard-core --bench revocation`

// A benchmark's setup panics on failure; the workspace's no-panic lints are for library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code: a failed setup step panics"
)]

mod common;

use common::{block_on, full_store};

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::revocation::{RevocationClaims, RevocationStore};
use jwt_guard_core::{Algorithm, Key, Signer, Verifier};

const SECRET: &[u8] = b"an example secret of 32 bytes..!";
const FAR: i64 = 4_102_444_800;

fn revocation(c: &mut Criterion) {
    let store = full_store();
    let hit = RevocationClaims::new(Some("entry-000000"), None, Some("ada"), Some(1), Some(FAR));
    let miss = RevocationClaims::new(
        Some("not-revoked"),
        Some("no-such-sid"),
        Some("ada"),
        Some(1),
        Some(FAR),
    );
    assert!(store.check(&hit).is_err());
    assert!(store.check(&miss).is_ok());
    let mut g = c.benchmark_group("revocation_check_100k");
    g.bench_function("hit", |b| b.iter(|| store.check(black_box(&hit))));
    g.bench_function("miss", |b| b.iter(|| store.check(black_box(&miss))));
    g.finish();

    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .build()
        .unwrap();
    let token = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&serde_json::json!({
            "sub": "ada", "jti": "not-revoked", "sid": "no-such-sid", "iat": 1_700_000_000,
            "exp": FAR,
        }))
        .unwrap();
    let plain = BearerAuth::new(verifier.clone());
    let checked = BearerAuth::new(verifier).with_revocation(store);
    assert!(block_on(checked.verify(&token)).is_ok());
    let mut g = c.benchmark_group("bearer_verify_hs256");
    g.bench_function("no_store", |b| {
        b.iter(|| block_on(plain.verify(black_box(&token))))
    });
    g.bench_function("memory_store_100k_miss", |b| {
        b.iter(|| block_on(checked.verify(black_box(&token))))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = revocation
}
criterion_main!(benches);
