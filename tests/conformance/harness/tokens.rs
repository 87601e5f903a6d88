//! The adapters' own suites' tokens (`jwt-guard-axum` and `jwt-guard-actix` include this file;
//! the conformance suite has its per-algorithm keys in `keys.rs`): one HS256 secret, issuer and
//! audience checked, realm [`REALM`].
#![allow(dead_code)]

use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
use serde_json::{Value, json};

pub(crate) const REALM: &str = "jwt-guard-tests";
pub(crate) const SECRET: &[u8] = b"jwt-guard adapter tests: a secret of 32+ bytes";
pub(crate) const ISSUER: &str = "https://issuer.test";
pub(crate) const AUDIENCE: &str = "api://tests";
pub(crate) const FAR_FUTURE: u64 = 4_102_444_800;

/// HS256, issuer and audience checked.
pub(crate) fn verifier() -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap()
}

/// A valid token: `{"iss", "aud", "sub": "ada", "exp"}` with `extra` merged over it.
pub(crate) fn token(extra: Value) -> String {
    let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "ada", "exp": FAR_FUTURE});
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        map.extend(extra);
    }
    Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

pub(crate) fn expired_token() -> String {
    token(json!({"exp": 1_000_000_000}))
}

/// `Bearer <token>`.
pub(crate) fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
