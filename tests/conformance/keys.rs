//! Keys and tokens: the core's fixture keys (`crates/jwt-guard-core/tests/fixtures/keys/`, test
//! use only), one per algorithm family, and helpers that mint good, bad and hostile tokens.

use jwt_guard_core::{Algorithm, Key, Signer};
use serde_json::{Value, json};

pub(crate) const ISSUER: &str = "https://issuer.conformance.test";
pub(crate) const AUDIENCE: &str = "api://conformance";
pub(crate) const REALM: &str = "conformance";
/// 2100-01-01T00:00:00Z.
pub(crate) const FAR_FUTURE: u64 = 4_102_444_800;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../crates/jwt-guard-core/tests/fixtures/keys/",
            $name
        ))
    };
}

/// The fixture directory, for configs with `pem_file` entries.
pub(crate) fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/jwt-guard-core/tests/fixtures/keys")
}

pub(crate) const HS256_SECRET: &str = fixture!("hs256.secret");
pub(crate) const RSA_PUBLIC_PEM: &str = fixture!("rsa2048.pub.pem");

/// All 13 algorithms.
pub(crate) const ALGORITHMS: [Algorithm; 13] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::EdDSA,
];

/// The `kid` of the server key for `alg`.
pub(crate) fn kid(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "hs256",
        Algorithm::HS384 => "hs384",
        Algorithm::HS512 => "hs512",
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => "rsa",
        Algorithm::ES256 => "p256",
        Algorithm::ES384 => "p384",
        Algorithm::ES512 => "p521",
        Algorithm::EdDSA => "ed25519",
        other => panic!("no fixture key for {other}"),
    }
}

/// The key material for `alg`: (secret or private PEM, public PEM or secret, other private).
fn material(alg: Algorithm) -> (&'static str, &'static str, &'static str) {
    match kid(alg) {
        "hs256" => (
            fixture!("hs256.secret"),
            fixture!("hs256.secret"),
            fixture!("hs256-other.secret"),
        ),
        "hs384" => (
            fixture!("hs384.secret"),
            fixture!("hs384.secret"),
            fixture!("hs384-other.secret"),
        ),
        "hs512" => (
            fixture!("hs512.secret"),
            fixture!("hs512.secret"),
            fixture!("hs512-other.secret"),
        ),
        "rsa" => (
            fixture!("rsa2048.key.pem"),
            fixture!("rsa2048.pub.pem"),
            fixture!("rsa2048-other.key.pem"),
        ),
        "p256" => (
            fixture!("p256.key.pem"),
            fixture!("p256.pub.pem"),
            fixture!("p256-other.key.pem"),
        ),
        "p384" => (
            fixture!("p384.key.pem"),
            fixture!("p384.pub.pem"),
            fixture!("p384-other.key.pem"),
        ),
        "p521" => (
            fixture!("p521.key.pem"),
            fixture!("p521.pub.pem"),
            fixture!("p521-other.key.pem"),
        ),
        _ => (
            fixture!("ed25519.key.pem"),
            fixture!("ed25519.pub.pem"),
            fixture!("ed25519-other.key.pem"),
        ),
    }
}

fn load(alg: Algorithm, text: &str) -> Key {
    if alg.as_str().starts_with("HS") {
        Key::hmac(text.as_bytes()).unwrap()
    } else {
        Key::from_pem(text).unwrap()
    }
}

/// The server's verification keys: one per `kid` (public keys; the HMAC secrets).
pub(crate) fn server_keys() -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    for alg in ALGORITHMS {
        if keys.iter().any(|k| k.kid() == Some(kid(alg))) {
            continue;
        }
        keys.push(load(alg, material(alg).1).with_kid(kid(alg)));
    }
    keys
}

/// The issuer's signing key for `alg`, with its `kid`.
pub(crate) fn signing_key(alg: Algorithm) -> Key {
    load(alg, material(alg).0).with_kid(kid(alg))
}

/// An unrelated key of the same kind (the attacker's), without `kid`.
pub(crate) fn other_key(alg: Algorithm) -> Key {
    load(alg, material(alg).2)
}

/// `{"iss", "aud", "sub": "ada", "exp"}` with `extra` merged over it (`null` removes a member).
pub(crate) fn claims(extra: Value) -> Value {
    let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "ada", "exp": FAR_FUTURE});
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        for (name, value) in extra {
            if value.is_null() {
                map.remove(&name);
            } else {
                map.insert(name, value);
            }
        }
    }
    claims
}

/// A token signed with the server's key for `alg` (header `kid` set).
pub(crate) fn sign(alg: Algorithm, extra: Value) -> String {
    Signer::new(signing_key(alg), alg)
        .unwrap()
        .encode(&claims(extra))
        .unwrap()
}

/// A valid HS256 token with `extra` claims.
pub(crate) fn token(extra: Value) -> String {
    sign(Algorithm::HS256, extra)
}

/// base64url without padding (RFC 7515 §2).
pub(crate) fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// A compact JWS with exactly this header and payload JSON text (duplicates, odd members and
/// all), signed with `key` for `alg`.
pub(crate) fn raw(header: &str, payload: &str, key: &Key, alg: Algorithm) -> String {
    let signing_input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = key.sign(alg, signing_input.as_bytes()).unwrap();
    format!("{signing_input}.{}", b64(&signature))
}

/// An unsigned token (`alg` as given, empty signature).
pub(crate) fn unsigned(alg: &str) -> String {
    let header = json!({"alg": alg, "typ": "JWT"}).to_string();
    format!(
        "{}.{}.",
        b64(header.as_bytes()),
        b64(claims(json!({})).to_string().as_bytes())
    )
}

/// The standard base64 padding a segment of this length would have.
pub(crate) fn padding(segment: &str) -> &'static str {
    match segment.len() % 4 {
        2 => "==",
        3 => "=",
        _ => "",
    }
}

/// The `/nest/*` outer layer's audience.
pub(crate) const NEST_AUDIENCE_A: &str = "web";
/// The `/nest/*` inner layer's audience.
pub(crate) const NEST_AUDIENCE_B: &str = "partner-api";

/// Key A of the `/nest/*` routes: the HS256 fixture key (`kid` `hs256`).
pub(crate) fn nest_key_a() -> Key {
    signing_key(Algorithm::HS256)
}

/// Key B of the `/nest/*` routes: another HS256 key, `kid` `partner`.
pub(crate) fn nest_key_b() -> Key {
    other_key(Algorithm::HS256).with_kid("partner")
}
