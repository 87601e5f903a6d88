//! Shared by the benchmarks: the claims, the floor, and the jsonwebtoken baseline.
#![allow(dead_code, unreachable_pub)]

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::{Algorithm, Key, KeyFamily};
use serde::{Deserialize, Serialize};

pub const ISS: &str = "https://issuer.example";
pub const AUD: &str = "api";
pub const SECRET: &[u8; 64] = b"benchmark-secret-benchmark-secret-benchmark-secret-benchmark-sec";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub scope: String,
}

pub fn claims() -> Claims {
    Claims {
        sub: "user-1234567890".into(),
        iss: ISS.into(),
        aud: AUD.into(),
        exp: 4_102_444_800,
        iat: 1_700_000_000,
        scope: "read write".into(),
    }
}

/// The floor: what any verifier must do at least (built once per benchmark, size irrelevant).
#[allow(clippy::large_enum_variant)]
pub enum Floor {
    Hmac(hmac::Key),
    Public(ParsedPublicKey),
}

impl Floor {
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let (signing_input, sig) = token.rsplit_once('.')?;
        let (_, payload) = signing_input.split_once('.')?;
        let sig = B64.decode(sig).ok()?;
        match self {
            Floor::Hmac(k) => hmac::verify(k, signing_input.as_bytes(), &sig).ok()?,
            Floor::Public(k) => k.verify_sig(signing_input.as_bytes(), &sig).ok()?,
        }
        let payload = B64.decode(payload).ok()?;
        serde_json::from_slice(&payload).ok()
    }
}

pub fn floor_key(alg: Algorithm, key: &Key) -> Floor {
    if alg.family() == KeyFamily::Hmac {
        let h = match alg {
            Algorithm::HS256 => hmac::HMAC_SHA256,
            Algorithm::HS384 => hmac::HMAC_SHA384,
            _ => hmac::HMAC_SHA512,
        };
        return Floor::Hmac(hmac::Key::new(h, SECRET));
    }
    let jwk = key.to_public_jwk().unwrap();
    let d = |s: &Option<String>| B64.decode(s.as_deref().unwrap()).unwrap();
    let parsed = match alg {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => {
            let params: &'static signature::RsaParameters = match alg {
                Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
                Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
                _ => &signature::RSA_PSS_2048_8192_SHA512,
            };
            RsaPublicKeyComponents {
                n: d(&jwk.n),
                e: d(&jwk.e),
            }
            .to_parsed_public_key(params)
            .unwrap()
        }
        Algorithm::EdDSA => ParsedPublicKey::new(&signature::ED25519, d(&jwk.x)).unwrap(),
        _ => {
            let alg: &'static signature::EcdsaVerificationAlgorithm = match alg {
                Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
                Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
                _ => &signature::ECDSA_P521_SHA512_FIXED,
            };
            let mut point = vec![4u8];
            point.extend(d(&jwk.x));
            point.extend(d(&jwk.y));
            ParsedPublicKey::new(alg, point).unwrap()
        }
    };
    Floor::Public(parsed)
}

pub fn jsonwebtoken_alg(alg: Algorithm) -> Option<jsonwebtoken::Algorithm> {
    use jsonwebtoken::Algorithm as J;
    Some(match alg {
        Algorithm::HS256 => J::HS256,
        Algorithm::HS384 => J::HS384,
        Algorithm::HS512 => J::HS512,
        Algorithm::RS256 => J::RS256,
        Algorithm::RS384 => J::RS384,
        Algorithm::RS512 => J::RS512,
        Algorithm::PS256 => J::PS256,
        Algorithm::PS384 => J::PS384,
        Algorithm::PS512 => J::PS512,
        Algorithm::ES256 => J::ES256,
        Algorithm::ES384 => J::ES384,
        Algorithm::EdDSA => J::EdDSA,
        _ => return None, // ES512: jsonwebtoken has none (its issue #250)
    })
}

pub fn jsonwebtoken_key(alg: Algorithm, key: &Key) -> jsonwebtoken::DecodingKey {
    use jsonwebtoken::DecodingKey;
    if alg.family() == KeyFamily::Hmac {
        return DecodingKey::from_secret(SECRET);
    }
    let jwk = key.to_public_jwk().unwrap();
    match alg.family() {
        KeyFamily::Rsa => {
            DecodingKey::from_rsa_components(jwk.n.as_deref().unwrap(), jwk.e.as_deref().unwrap())
                .unwrap()
        }
        KeyFamily::Ed25519 => DecodingKey::from_ed_components(jwk.x.as_deref().unwrap()).unwrap(),
        _ => DecodingKey::from_ec_components(jwk.x.as_deref().unwrap(), jwk.y.as_deref().unwrap())
            .unwrap(),
    }
}

/// Polls a future that never waits (fixed keys, the in-memory store) to its end.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A `MemoryStore` of 100,000 entries, a third each of `jti`, `sid` and subject cutoffs, named
/// `entry-NNNNNN`: a benchmark token matches none of them (the request that passes pays most).
pub fn full_store() -> std::sync::Arc<jwt_guard_core::revocation::MemoryStore> {
    use jwt_guard_core::revocation::{MemoryStore, RevocationStore};
    const FAR: i64 = 4_102_444_800;
    let store = std::sync::Arc::new(MemoryStore::new(100_000));
    for i in 0..100_000 {
        let name = format!("entry-{i:06}");
        match i % 3 {
            0 => block_on(store.revoke_jti(&name, FAR)),
            1 => block_on(store.revoke_sid(&name, FAR)),
            _ => block_on(store.revoke_subject_before(&name, 1_700_000_000)),
        }
        .unwrap();
    }
    store
}
