//! What a revocation store adds to `BearerAuth::verify` (HS256, a `MemoryStore` of 100,000
//! entries, a miss: the request that passes pays the most), measured on a shared machine:
//! rounds of 20,000 verifications alternate between the two setups, and each setup's best round
//! is kept (another process can only make a round slower, never faster), so the difference of
//! the two minima is the cost of the check. Criterion's two separate groups
//! (`benches/revocation.rs`) drift apart by more than the difference when the load changes.
//!
//! Run: `cargo bench -p jwt-guard-core --bench revocation_pair`

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
use std::sync::Arc;
use std::time::Instant;

use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::revocation::{MemoryStore, RevocationStore};
use jwt_guard_core::{Algorithm, Key, Signer, Verifier};

const SECRET: &[u8] = b"an example secret of 32 bytes..!";
const FAR: i64 = 4_102_444_800;
const ROUNDS: usize = 300;
const PER_ROUND: u32 = 20_000;

fn main() {
    let store = Arc::new(MemoryStore::new(100_000));
    for i in 0..100_000 {
        let name = format!("entry-{i:06}");
        match i % 3 {
            0 => block_on(store.revoke_jti(&name, FAR)),
            1 => block_on(store.revoke_sid(&name, FAR)),
            _ => block_on(store.revoke_subject_before(&name, 1_700_000_000)),
        }
        .unwrap();
    }
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
    let round = |auth: &BearerAuth| {
        let start = Instant::now();
        for _ in 0..PER_ROUND {
            black_box(block_on(auth.verify(black_box(&token))).unwrap());
        }
        start.elapsed().as_nanos() as f64 / f64::from(PER_ROUND)
    };
    let (mut best_plain, mut best_checked) = (f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        best_plain = best_plain.min(round(&plain));
        best_checked = best_checked.min(round(&checked));
    }
    println!(
        "BearerAuth::verify HS256, best of {ROUNDS} alternating rounds of {PER_ROUND}: \
         no store {best_plain:.0} ns, MemoryStore of 100,000 entries (miss) {best_checked:.0} ns, \
         the check +{:.0} ns",
        best_checked - best_plain
    );
}
