//! Ed25519 public keys are checked at load: a small-order point, a non-canonical encoding or a
//! point off the curve is refused on every path a public key comes in (JWK, SPKI DER and PEM,
//! X.509 certificate DER and PEM) and skipped, with its reason, inside a JWK Set.
//!
//! Why: Ed25519 verification checks `[S]B = R + [k]A`. With `A` the identity, `R` the identity
//! and `S = 0` that holds for every message, so a trusted identity key would accept a token
//! with any claims (universal forgery); with a point of order 2, 4 or 8 the same forged
//! signature holds for one message in 2, 4 or 8, so a forger only has to vary the claims. A
//! key made by RFC 8032 key generation is never of small order and is always canonically
//! encoded (RFC 8032 §5.1.3: 32 bytes, `y` little-endian below p = 2^255 - 19, the top bit the
//! sign of `x`), so refusing the others costs no real key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::{
    Algorithm, ErrorKind, Key, KeyFamily, KeySet, ManualClock, Signer, SkippedKey, Verifier,
};
use serde_json::{Value, json};

use crate::support::{self, Failures, Which};

const NOW: i64 = 1_800_000_000;

/// The reasons `ErrorKind::InvalidKey` carries (and `SkippedKey::reason` shows after
/// `invalid key: `).
const SMALL_ORDER: &str =
    "the Ed25519 public key is a small-order point, which would accept forged signatures";
const NON_CANONICAL: &str =
    "the Ed25519 public key is not canonically encoded (RFC 8032 section 5.1.3)";
const OFF_CURVE: &str = "the Ed25519 public key is not a point on the curve";

/// The eight points whose order divides 8, each in its canonical encoding. (The four of order
/// 8 are ±P and ±3P for one of them; the list matches libsodium's blocklist and
/// curve25519-dalek's `EIGHT_TORSION`.)
const SMALL_ORDER_POINTS: [(&str, &str); 8] = [
    (
        "identity (order 1)",
        "0100000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "y = -1 (order 2)",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ),
    (
        "y = 0, x even (order 4)",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "y = 0, x odd (order 4)",
        "0000000000000000000000000000000000000000000000000000000000000080",
    ),
    (
        "order 8, x even",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    ),
    (
        "order 8, x odd",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    ),
    (
        "order 8, x even",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    ),
    (
        "order 8, x odd",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ),
];

/// Of y = p + k (k = 0..=18, the only values of `y` >= p that fit in 255 bits), those whose
/// y mod p is the `y` of no curve point: (y^2 - 1) / (d y^2 + 1) is not a square mod p.
/// Computed once with Python's integers and Euler's criterion (`pow(a, (p - 1) // 2, p) != 1`).
const OFF_CURVE_K: [u8; 7] = [2, 7, 8, 11, 12, 13, 17];

/// `SubjectPublicKeyInfo` for Ed25519 (RFC 8410 §4) up to the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn hex32(s: &str) -> [u8; 32] {
    assert_eq!(s.len(), 64, "{s}: not 32 bytes of hex");
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(s.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The encoding of y = p + k, with the sign bit set or not: non-canonical (y >= p).
fn y_plus_p(k: u8, sign: bool) -> [u8; 32] {
    assert!(k <= 18);
    let mut bytes = [0xff; 32];
    bytes[0] = 0xed + k;
    bytes[31] = if sign { 0xff } else { 0x7f };
    bytes
}

fn okp_jwk(x: &[u8], kid: Option<&str>) -> Value {
    let mut jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode(x)});
    if let Some(kid) = kid {
        jwk["kid"] = json!(kid);
    }
    jwk
}

fn spki(x: &[u8]) -> Vec<u8> {
    [&SPKI_PREFIX[..], x].concat()
}

fn pem_of(tag: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(tag, der))
}

/// The committed Ed25519 certificate's DER.
fn certificate() -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/pem/cert_ed25519.crt.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    pem::parse(text).unwrap().into_contents()
}

/// The committed certificate with its public key overwritten by `x` (same length, so the DER
/// stays well-formed; the signature no longer matches, which reading the key does not check).
fn certificate_with(x: &[u8; 32]) -> Vec<u8> {
    let mut der = certificate();
    let at = der
        .windows(SPKI_PREFIX.len())
        .position(|w| w == SPKI_PREFIX)
        .expect("the certificate holds an Ed25519 SubjectPublicKeyInfo")
        + SPKI_PREFIX.len();
    der[at..at + 32].copy_from_slice(x);
    der
}

/// `x` through every door a public Ed25519 key comes in by.
fn load_every_way(x: &[u8; 32]) -> Vec<(&'static str, jwt_guard_core::Result<Key>)> {
    let cert = certificate_with(x);
    vec![
        ("JWK", Key::from_jwk_json(&okp_jwk(x, None).to_string())),
        ("SPKI DER", Key::from_der(spki(x))),
        ("SPKI PEM", Key::from_pem(pem_of("PUBLIC KEY", &spki(x)))),
        ("certificate DER", Key::from_der(&cert)),
        (
            "certificate PEM",
            Key::from_pem(pem_of("CERTIFICATE", &cert)),
        ),
    ]
}

fn verifier(keys: impl IntoIterator<Item = Key>) -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::EdDSA])
        .keys(keys)
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap()
}

fn claims() -> Value {
    json!({"sub": "admin", "scope": "everything", "exp": NOW + 3600})
}

/// A token over any claims whose signature is R = the identity's encoding, S = 0.
fn forged_token(kid: Option<&str>) -> String {
    let mut header = json!({"alg": "EdDSA", "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    let mut signature = hex32(SMALL_ORDER_POINTS[0].1).to_vec();
    signature.extend_from_slice(&[0u8; 32]);
    format!(
        "{}.{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims().to_string()),
        B64.encode(signature)
    )
}

/// Records that every way of loading `x` fails with `InvalidKey(reason)`. A key that loads
/// anyway is tried on the forged token, so a failure shows whether the forgery verifies.
fn expect_refused(failures: &mut Failures, what: &str, x: &[u8; 32], reason: &str) {
    for (path, loaded) in load_every_way(x) {
        match loaded {
            Ok(key) => {
                let forged = verifier([key])
                    .verify::<Value>(&forged_token(None))
                    .map(|data| data.claims);
                failures.fail(format!(
                    "{what} ({}) LOADED from {path}; the forged token (R = identity, S = 0) \
                     then gives {forged:?}",
                    hex(x)
                ));
            }
            Err(e) => failures.eq(
                format!("{what} ({}) from {path}", hex(x)),
                e.into_kind(),
                ErrorKind::InvalidKey(reason.to_owned().into()),
            ),
        }
    }
}

#[test]
fn forged_token_for_the_identity_key_fails_because_the_key_never_loads() {
    let identity = hex32(SMALL_ORDER_POINTS[0].1);
    let mut failures = Failures::default();
    expect_refused(&mut failures, "the identity point", &identity, SMALL_ORDER);

    // Inside a JWK Set the key is skipped, so a token naming it finds no key.
    let doc = json!({"keys": [
        support::verifying_key(Algorithm::EdDSA, Which::Main).to_public_jwk().unwrap(),
        okp_jwk(&identity, Some("identity")),
    ]});
    let set = KeySet::from_jwks_json(&doc.to_string()).unwrap();
    let verdict = verifier(set.keys().to_vec())
        .verify::<Value>(&forged_token(Some("identity")))
        .map(|data| data.claims);
    failures.eq(
        "forged token naming the identity key of a JWK Set",
        verdict.map_err(jwt_guard_core::Error::into_kind),
        Err(ErrorKind::UnknownKey),
    );
    failures.finish("identity forgery", 6);
}

#[test]
fn small_order_points_are_refused_on_every_path() {
    let mut failures = Failures::default();
    for (what, encoding) in SMALL_ORDER_POINTS {
        expect_refused(&mut failures, what, &hex32(encoding), SMALL_ORDER);
    }
    failures.finish("small-order points", 8 * 5);
}

#[test]
fn non_canonical_encodings_are_refused_on_every_path() {
    let mut failures = Failures::default();
    for k in 0..=18u8 {
        for sign in [false, true] {
            let reason = match k {
                // y = p is y = 0 (order 4, either x); y = p + 1 is y = 1, x = 0: the identity.
                0 | 1 => SMALL_ORDER,
                k if OFF_CURVE_K.contains(&k) => OFF_CURVE,
                // A point of large order, but written with y >= p: not the encoding RFC 8032
                // produces, and a second spelling of the same key.
                _ => NON_CANONICAL,
            };
            let what = format!("y = p + {k}, sign bit {}", u8::from(sign));
            expect_refused(&mut failures, &what, &y_plus_p(k, sign), reason);
        }
    }
    // "Negative zero": x = 0 with the sign bit set, for the two points with x = 0.
    let mut identity = hex32(SMALL_ORDER_POINTS[0].1);
    identity[31] |= 0x80;
    expect_refused(
        &mut failures,
        "identity, sign bit set",
        &identity,
        SMALL_ORDER,
    );
    let mut minus_one = hex32(SMALL_ORDER_POINTS[1].1);
    minus_one[31] |= 0x80;
    expect_refused(
        &mut failures,
        "y = -1, sign bit set",
        &minus_one,
        SMALL_ORDER,
    );
    failures.finish("non-canonical encodings", (19 * 2 + 2) * 5);
}

#[test]
fn jwks_skips_and_lists_unsafe_ed25519_keys_and_the_good_key_still_works() {
    let good = support::verifying_key(Algorithm::EdDSA, Which::Main).with_kid("good");
    let mut keys = vec![serde_json::to_value(good.to_public_jwk().unwrap()).unwrap()];
    let mut expected = Vec::new();
    for (i, (_, encoding)) in SMALL_ORDER_POINTS.iter().enumerate() {
        let kid = format!("small-{i}");
        keys.push(okp_jwk(&hex32(encoding), Some(&kid)));
        expected.push(SkippedKey {
            index: i + 1,
            kid: Some(kid),
            reason: format!("invalid key: {SMALL_ORDER}"),
        });
    }
    keys.push(okp_jwk(&y_plus_p(3, false), Some("non-canonical")));
    expected.push(SkippedKey {
        index: 9,
        kid: Some("non-canonical".into()),
        reason: format!("invalid key: {NON_CANONICAL}"),
    });
    let set = KeySet::from_jwks_json(&json!({ "keys": keys }).to_string()).unwrap();
    assert_eq!(set.skipped(), expected.as_slice());
    assert_eq!(set.len(), 1);
    assert_eq!(set.keys()[0].kid(), Some("good"));

    let v = verifier(set.keys().to_vec());
    let genuine = Signer::new(
        support::signing_key(Algorithm::EdDSA, Which::Main).with_kid("good"),
        Algorithm::EdDSA,
    )
    .unwrap()
    .encode(&claims())
    .unwrap();
    assert_eq!(v.verify::<Value>(&genuine).unwrap().claims, claims());
    assert_eq!(
        v.verify::<Value>(&forged_token(Some("small-0")))
            .unwrap_err()
            .into_kind(),
        ErrorKind::UnknownKey
    );
    // Without `kid` only the good key is tried, and the forgery does not verify with it.
    assert_eq!(
        v.verify::<Value>(&forged_token(None))
            .unwrap_err()
            .into_kind(),
        ErrorKind::InvalidSignature
    );
    // A set of nothing but such keys is no key set at all.
    let only_bad = json!({"keys": [okp_jwk(&hex32(SMALL_ORDER_POINTS[0].1), Some("small-0"))]});
    assert_eq!(
        KeySet::from_jwks_json(&only_bad.to_string())
            .unwrap_err()
            .into_kind(),
        ErrorKind::InvalidKey(
            format!("the JWK Set holds no usable key (first problem: invalid key: {SMALL_ORDER})")
                .into()
        )
    );
}

#[test]
fn genuine_ed25519_keys_still_load_on_every_path() {
    // The committed key pair, its certificate, and a key that is canonical but has y < 19.
    let public = support::verifying_key(Algorithm::EdDSA, Which::Main);
    let x: [u8; 32] = B64
        .decode(public.to_public_jwk().unwrap().x.unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let token = Signer::new(
        support::signing_key(Algorithm::EdDSA, Which::Main),
        Algorithm::EdDSA,
    )
    .unwrap()
    .encode(&claims())
    .unwrap();
    for (path, loaded) in load_every_way(&x) {
        let key = loaded.unwrap_or_else(|e| panic!("{path}: the genuine key was refused: {e}"));
        assert_eq!(key.family(), KeyFamily::Ed25519, "{path}");
        assert!(verifier([key]).verify::<Value>(&token).is_ok(), "{path}");
    }
    let cert = Key::from_der(certificate()).unwrap();
    assert_eq!(cert.family(), KeyFamily::Ed25519);
    // y = 3 (canonical, on the curve, of large order): the canonical twin of y = p + 3.
    let mut three = [0u8; 32];
    three[0] = 3;
    for (path, loaded) in load_every_way(&three) {
        assert!(loaded.is_ok(), "y = 3 from {path}: {:?}", loaded.err());
    }
}

/// A private key's public part is derived from its seed (never of small order); a private JWK
/// whose `x` is not that public key is refused as inconsistent, as before, whatever `x` is.
#[test]
fn private_keys_with_a_bogus_public_part_are_refused() {
    // `ed25519.key.pem` is PKCS#8 v1 (OpenSSL): 16 bytes of header, then the 32-byte seed.
    let v1 = pem::parse(support::private_pem(Algorithm::EdDSA, Which::Main))
        .unwrap()
        .into_contents();
    assert_eq!(v1.len(), 48);
    let seed = &v1[16..];
    let good_x = support::verifying_key(Algorithm::EdDSA, Which::Main)
        .to_public_jwk()
        .unwrap()
        .x
        .unwrap();
    let private_jwk = |x: &str| {
        json!({"kty": "OKP", "crv": "Ed25519", "d": B64.encode(seed), "x": x}).to_string()
    };
    assert!(
        Key::from_jwk_json(&private_jwk(&good_x))
            .unwrap()
            .can_sign()
    );

    let mut bogus: Vec<(String, [u8; 32])> = SMALL_ORDER_POINTS
        .iter()
        .map(|(what, encoding)| ((*what).to_owned(), hex32(encoding)))
        .collect();
    bogus.push(("y = p + 3".into(), y_plus_p(3, false)));
    bogus.push(("y = p + 2 (off the curve)".into(), y_plus_p(2, false)));
    let mut failures = Failures::default();
    for (what, x) in &bogus {
        failures.eq(
            format!("private JWK with x = {what}"),
            Key::from_jwk_json(&private_jwk(&B64.encode(x)))
                .map(|key| key.to_public_jwk().ok().and_then(|jwk| jwk.x))
                .map_err(|e| e.into_kind()),
            Err(ErrorKind::InvalidKey(
                "inconsistent Ed25519 private JWK".into(),
            )),
        );
    }

    // PKCS#8 v2 (RFC 5958 OneAsymmetricKey) carries the public key as `[1]`: the right one
    // loads; any other is refused by aws-lc-rs as not matching the seed (before the point
    // check is reached), so the message is the format's "not a private key".
    let v2 = |public: &[u8]| {
        let mut der = vec![
            0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        der.extend_from_slice(seed);
        der.extend_from_slice(&[0x81, 0x21, 0x00]);
        der.extend_from_slice(public);
        der
    };
    let genuine = v2(&B64.decode(&good_x).unwrap());
    assert!(Key::from_der(&genuine).unwrap().can_sign());
    assert!(
        Key::from_pem(pem_of("PRIVATE KEY", &genuine))
            .unwrap()
            .can_sign()
    );
    for (what, x) in &bogus {
        let der = v2(x);
        for (path, loaded, reason) in [
            (
                "DER",
                Key::from_der(&der),
                "the DER bytes are not a key or certificate this crate reads",
            ),
            (
                "PEM",
                Key::from_pem(pem_of("PRIVATE KEY", &der)),
                "not an RSA (2048-8192 bits), P-256, P-384, P-521 or Ed25519 PKCS#8 private key",
            ),
        ] {
            failures.eq(
                format!("PKCS#8 v2 with public key {what} from {path}"),
                loaded
                    .map(|key| key.to_public_jwk().ok().and_then(|jwk| jwk.x))
                    .map_err(|e| e.into_kind()),
                Err(ErrorKind::InvalidKey(reason.into())),
            );
        }
    }
    failures.finish("private keys", bogus.len() * 3);
}
