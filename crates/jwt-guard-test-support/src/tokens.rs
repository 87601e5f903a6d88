//! The adapters' own suites' tokens (`jwt-guard-axum` and `jwt-guard-actix`; the conformance
//! suite has its per-algorithm keys in its `keys.rs`): one HS256 secret, issuer and audience
//! checked, realm [`REALM`].

use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
use serde_json::{Value, json};

/// The realm the suites' layers and middlewares are given.
pub const REALM: &str = "jwt-guard-tests";
/// The HS256 secret.
pub const SECRET: &[u8] = b"jwt-guard adapter tests: a secret of 32+ bytes";
/// The issuer [`verifier`] accepts and [`token`] sets.
pub const ISSUER: &str = "https://issuer.test";
/// The audience [`verifier`] accepts and [`token`] sets.
pub const AUDIENCE: &str = "api://tests";
/// `exp` of [`token`]: 2100-01-01.
pub const FAR_FUTURE: u64 = 4_102_444_800;

/// HS256, issuer and audience checked.
pub fn verifier() -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap()
}

/// A valid token: `{"iss", "aud", "sub": "ada", "exp"}` with `extra` merged over it.
pub fn token(extra: Value) -> String {
    let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "ada", "exp": FAR_FUTURE});
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        map.extend(extra);
    }
    Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

/// A [`token`] that expired in 2001.
pub fn expired_token() -> String {
    token(json!({"exp": 1_000_000_000}))
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
