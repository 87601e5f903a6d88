//! Every rule of the verifier, each seen through its exact `ErrorKind`, and every algorithm's
//! sign → verify round trip.

use std::sync::OnceLock;
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::{
    Algorithm, Audience, Error, ErrorKind, Key, KeyFamily, KeySet, ManualClock, RegisteredClaims,
    Signer, Verifier, VerifierBuilder, dangerous,
};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/pem/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One signing key per algorithm (RSA generated once and shared by RS*/PS*).
fn signing_key(alg: Algorithm) -> Key {
    static RSA: OnceLock<Vec<u8>> = OnceLock::new();
    static P256: OnceLock<Vec<u8>> = OnceLock::new();
    static P384: OnceLock<Vec<u8>> = OnceLock::new();
    static P521: OnceLock<Vec<u8>> = OnceLock::new();
    static ED: OnceLock<Vec<u8>> = OnceLock::new();
    let rng = SystemRandom::new();
    let ec = |cell: &'static OnceLock<Vec<u8>>, a: &'static signature::EcdsaSigningAlgorithm| {
        cell.get_or_init(|| {
            EcdsaKeyPair::generate_pkcs8(a, &rng)
                .unwrap()
                .as_ref()
                .to_vec()
        })
        .clone()
    };
    let der = match alg.family() {
        KeyFamily::Hmac => return Key::hmac(SECRET).unwrap(),
        KeyFamily::Rsa => RSA
            .get_or_init(|| {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
                AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'_>>::as_der(&pair)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            })
            .clone(),
        KeyFamily::Ec(jwt_guard_core::Curve::P256) => {
            ec(&P256, &signature::ECDSA_P256_SHA256_FIXED_SIGNING)
        }
        KeyFamily::Ec(jwt_guard_core::Curve::P384) => {
            ec(&P384, &signature::ECDSA_P384_SHA384_FIXED_SIGNING)
        }
        KeyFamily::Ec(_) => ec(&P521, &signature::ECDSA_P521_SHA512_FIXED_SIGNING),
        _ => ED
            .get_or_init(|| {
                Ed25519KeyPair::generate_pkcs8(&rng)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            })
            .clone(),
    };
    Key::from_der(der).unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(NOW)
}

fn hs256() -> Signer {
    Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256).unwrap()
}

fn base() -> VerifierBuilder {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .clock(clock())
}

fn valid_claims() -> Value {
    json!({"sub": "ada", "exp": NOW + 600, "iat": NOW - 10})
}

fn kind_of(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify::<Value>(token) {
        Ok(data) => panic!("accepted: {:?}", data.claims),
        Err(e) => e.into_kind(),
    }
}

fn claims_kind(builder: VerifierBuilder, claims: Value) -> ErrorKind {
    let token = hs256().encode(&claims).unwrap();
    kind_of(&builder.build().unwrap(), &token)
}

fn accepts(builder: VerifierBuilder, claims: Value) {
    let token = hs256().encode(&claims).unwrap();
    let verifier = builder.build().unwrap();
    let data = verifier.verify::<Value>(&token);
    assert!(data.is_ok(), "rejected {claims}: {:?}", data.err());
}

/// A token with an arbitrary header and payload, signed with `key`/`alg`.
fn forge(header: &str, payload: &str, key: &Key, alg: Algorithm) -> String {
    let input = format!("{}.{}", B64.encode(header), B64.encode(payload));
    let sig = key.sign(alg, input.as_bytes()).unwrap();
    format!("{input}.{}", B64.encode(sig))
}

fn payload() -> String {
    valid_claims().to_string()
}

#[test]
fn every_algorithm_round_trips() {
    for alg in Algorithm::ALL {
        let key = signing_key(alg);
        let signer = Signer::new(key.clone(), alg).unwrap().with_kid("k1");
        let claims = json!({"sub": "ada", "exp": NOW + 60, "nested": {"roles": ["a", "b"]}});
        let token = signer.encode(&claims).unwrap();

        // The private key verifies; so does the public key alone (via its JWK).
        let public = match alg.family() {
            KeyFamily::Hmac => key.clone(),
            _ => Key::from_jwk(&key.to_public_jwk().unwrap()).unwrap(),
        };
        assert!(
            !public.can_sign() || alg.family() == KeyFamily::Hmac,
            "{alg}"
        );
        for verify_key in [key.clone().with_kid("k1"), public.with_kid("k1")] {
            let verifier = Verifier::builder()
                .algorithms([alg])
                .key(verify_key)
                .clock(clock())
                .build()
                .unwrap();
            let data = verifier.verify::<Value>(&token).unwrap();
            assert_eq!(data.claims, claims, "{alg}");
            assert_eq!(data.header.alg, alg);
            assert_eq!(data.header.kid.as_deref(), Some("k1"));
            assert_eq!(data.header.typ.as_deref(), Some("JWT"));
            // A flipped signature byte fails as a bad signature.
            let mut bad = token.clone().into_bytes();
            let at = bad.len() - 5;
            bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(bad).unwrap();
            assert_eq!(
                kind_of(&verifier, &bad),
                ErrorKind::InvalidSignature,
                "{alg}"
            );
        }
    }
}

#[test]
fn es512_signatures_are_p1363_132_bytes() {
    let token = Signer::new(signing_key(Algorithm::ES512), Algorithm::ES512)
        .unwrap()
        .encode(&json!({"exp": NOW}))
        .unwrap();
    let sig = B64.decode(token.rsplit('.').next().unwrap()).unwrap();
    assert_eq!(sig.len(), 132);
}

#[test]
fn keys_are_bound_to_their_family() {
    // RFC 8725 §3.1: HS256 "signed" with the RSA public key bytes as the HMAC secret.
    let rsa = signing_key(Algorithm::RS256);
    let pem = fixture("pkcs1_rsa2048.pub.pem");
    let secret_key = dangerous::hmac_key_unchecked(&pem).unwrap();
    let token = forge(
        r#"{"alg":"HS256"}"#,
        &payload(),
        &secret_key,
        Algorithm::HS256,
    );
    let both = Verifier::builder()
        .algorithms([Algorithm::RS256, Algorithm::HS256])
        .key(Key::from_pem(&pem).unwrap())
        .key(rsa.clone())
        .clock(clock())
        .build()
        .unwrap();
    assert_eq!(kind_of(&both, &token), ErrorKind::UnknownKey);
    // With a kid naming the RSA key, the binding refuses the algorithm.
    let keyed = Verifier::builder()
        .algorithms([Algorithm::RS256, Algorithm::HS256])
        .key(Key::from_pem(&pem).unwrap().with_kid("rsa"))
        .clock(clock())
        .build()
        .unwrap();
    let token = forge(
        r#"{"alg":"HS256","kid":"rsa"}"#,
        &payload(),
        &secret_key,
        Algorithm::HS256,
    );
    assert_eq!(kind_of(&keyed, &token), ErrorKind::InvalidAlgorithm);
    // An HMAC key never verifies RS256 and cannot be asked to.
    assert!(matches!(
        Key::hmac(SECRET)
            .unwrap()
            .with_algorithm(Algorithm::RS256)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidKey(_)
    ));
    assert_eq!(
        Key::hmac(SECRET)
            .unwrap()
            .verify_signature(Algorithm::RS256, b"x", b"y")
            .unwrap_err()
            .kind(),
        &ErrorKind::InvalidAlgorithm
    );
}

#[test]
fn allow_list_is_checked_before_key_lookup() {
    let v = base().build().unwrap();
    let es = signing_key(Algorithm::ES256);
    let token = forge(
        r#"{"alg":"ES256","kid":"nobody"}"#,
        &payload(),
        &es,
        Algorithm::ES256,
    );
    assert_eq!(kind_of(&v, &token), ErrorKind::InvalidAlgorithm);
}

#[test]
fn alg_none_in_every_spelling_is_refused() {
    let v = base().build().unwrap();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        let token = format!("{}.{}.", B64.encode(header), B64.encode(payload()));
        assert_eq!(kind_of(&v, &token), ErrorKind::InvalidAlgorithm, "{alg}");
    }
    let token = format!(
        "{}.{}.",
        B64.encode(r#"{"typ":"JWT"}"#),
        B64.encode(payload())
    );
    assert_eq!(
        kind_of(&v, &token),
        ErrorKind::InvalidAlgorithm,
        "missing alg"
    );
    assert!("none".parse::<Algorithm>().is_err());
}

#[test]
fn size_cap_comes_before_decoding() {
    let v = base().max_token_bytes(100).build().unwrap();
    let garbage = "!".repeat(101);
    assert_eq!(
        kind_of(&v, &garbage),
        ErrorKind::TokenTooLarge { len: 101, max: 100 }
    );
    let default = base().build().unwrap();
    let big = "a".repeat(16 * 1024 + 1);
    assert!(matches!(
        kind_of(&default, &big),
        ErrorKind::TokenTooLarge { .. }
    ));
}

#[test]
fn structure_and_base64_are_strict() {
    let v = base().build().unwrap();
    let good = hs256().encode(&valid_claims()).unwrap();
    assert!(v.verify::<Value>(&good).is_ok());
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let cases = [
        ("two parts", format!("{h}.{p}")),
        ("four parts", format!("{good}.x")),
        ("empty", String::new()),
        ("padded header", format!("{h}=.{p}.{s}")),
        ("padded signature", format!("{h}.{p}.{s}=")),
        (
            "standard alphabet",
            format!("{}.{p}.{s}", h.replace('-', "+").replace('_', "/") + "+"),
        ),
        ("space", format!("{h}.{p} .{s}")),
        ("newline", format!("{h}.{p}.{s}\n")),
        ("not base64", format!("{h}.{p}.***")),
        ("payload not base64", format!("{h}.{p}%.{s}")),
    ];
    for (name, token) in cases {
        assert!(
            matches!(kind_of(&v, &token), ErrorKind::Malformed(_)),
            "{name}"
        );
    }
    // Non-zero trailing bits: a 32-byte HMAC tag is 43 chars whose last char carries 2 bits.
    let last = s.chars().last().unwrap();
    let bumped = match last {
        'A' => 'B',
        c => {
            // Keep the 2 meaningful bits, set a trailing one.
            let idx = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                .find(c)
                .unwrap();
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                .chars()
                .nth(idx | 1)
                .unwrap()
        }
    };
    let trailing = format!("{h}.{p}.{}{bumped}", &s[..s.len() - 1]);
    assert!(
        matches!(kind_of(&v, &trailing), ErrorKind::Malformed(_)),
        "trailing bits"
    );
}

#[test]
fn header_must_be_a_strict_object() {
    let v = base().build().unwrap();
    let key = Key::hmac(SECRET).unwrap();
    for header in [
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"["HS256"]"#,
        r#"{"alg":"HS256""#,
        r#"{"alg":256}"#,
        r#"{"alg":"HS256","kid":7}"#,
    ] {
        let token = forge(header, &payload(), &key, Algorithm::HS256);
        assert!(
            matches!(kind_of(&v, &token), ErrorKind::Malformed(_)),
            "{header}"
        );
    }
}

#[test]
fn crit_and_b64() {
    let key = Key::hmac(SECRET).unwrap();
    let v = base().build().unwrap();
    let crit = forge(
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        &payload(),
        &key,
        Algorithm::HS256,
    );
    assert_eq!(kind_of(&v, &crit), ErrorKind::UnsupportedCrit);
    let understood = base().critical_extensions(["exp"]).build().unwrap();
    assert!(understood.verify::<Value>(&crit).is_ok());
    let empty = forge(
        r#"{"alg":"HS256","crit":[]}"#,
        &payload(),
        &key,
        Algorithm::HS256,
    );
    assert!(matches!(kind_of(&v, &empty), ErrorKind::Malformed(_)));
    let b64 = forge(
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        &payload(),
        &key,
        Algorithm::HS256,
    );
    assert_eq!(kind_of(&v, &b64), ErrorKind::UnsupportedCrit);
    let b64_alone = forge(
        r#"{"alg":"HS256","b64":false}"#,
        &payload(),
        &key,
        Algorithm::HS256,
    );
    assert_eq!(kind_of(&v, &b64_alone), ErrorKind::UnsupportedCrit);
}

#[test]
fn kid_selects_exactly_one_key() {
    let k1 = Key::hmac([1u8; 32]).unwrap().with_kid("k1");
    let k2 = Key::hmac([2u8; 32]).unwrap().with_kid("k2");
    let v = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .keys([k1.clone(), k2.clone()])
        .clock(clock())
        .build()
        .unwrap();
    let by_k2 = Signer::new(k2.clone(), Algorithm::HS256).unwrap();
    assert!(
        v.verify::<Value>(&by_k2.encode(&valid_claims()).unwrap())
            .is_ok()
    );
    // Signed by k2 but naming k1: only k1 is tried.
    let lying = Signer::new(k2.clone(), Algorithm::HS256)
        .unwrap()
        .with_kid("k1");
    assert_eq!(
        kind_of(&v, &lying.encode(&valid_claims()).unwrap()),
        ErrorKind::InvalidSignature
    );
    for kid in ["k3", "../../etc/passwd", "' OR 1=1 --", "", "k1\u{0}"] {
        let t = Signer::new(k2.clone(), Algorithm::HS256)
            .unwrap()
            .with_kid(kid);
        assert_eq!(
            kind_of(&v, &t.encode(&valid_claims()).unwrap()),
            ErrorKind::UnknownKey,
            "{kid:?}"
        );
    }
    // Without kid, every key allowed for the alg is tried.
    let anonymous = forge(
        r#"{"alg":"HS256"}"#,
        &payload(),
        &Key::hmac([2u8; 32]).unwrap(),
        Algorithm::HS256,
    );
    assert!(v.verify::<Value>(&anonymous).is_ok());
}

#[test]
fn keys_named_by_the_token_are_never_used() {
    let v = base().build().unwrap();
    let attacker = signing_key(Algorithm::ES256);
    let jwk = serde_json::to_string(&attacker.to_public_jwk().unwrap()).unwrap();
    let allow_es = Verifier::builder()
        .algorithms([Algorithm::HS256, Algorithm::ES256])
        .key(Key::hmac(SECRET).unwrap())
        .key(signing_key(Algorithm::ES256).with_kid("real")) // a different key (same cached DER!)
        .clock(clock())
        .build()
        .unwrap();
    let _ = allow_es;
    let own = Verifier::builder()
        .algorithms([Algorithm::HS256, Algorithm::ES256])
        .key(Key::hmac(SECRET).unwrap())
        .clock(clock())
        .build()
        .unwrap();
    for header in [
        format!(r#"{{"alg":"ES256","jwk":{jwk}}}"#),
        r#"{"alg":"ES256","jku":"http://127.0.0.1:1/jwks.json"}"#.to_owned(),
        r#"{"alg":"ES256","x5u":"http://127.0.0.1:1/cert.pem"}"#.to_owned(),
    ] {
        let token = forge(&header, &payload(), &attacker, Algorithm::ES256);
        assert_eq!(kind_of(&own, &token), ErrorKind::UnknownKey, "{header}");
        assert_eq!(kind_of(&v, &token), ErrorKind::InvalidAlgorithm, "{header}");
    }
    let hs = forge(
        r#"{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}"#,
        &payload(),
        &dangerous::hmac_key_unchecked([0u8; 3]).unwrap(),
        Algorithm::HS256,
    );
    assert_eq!(kind_of(&v, &hs), ErrorKind::InvalidSignature);
}

#[test]
fn signature_is_checked_before_claims() {
    let v = base().build().unwrap();
    let forged = Signer::new(Key::hmac([9u8; 32]).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&json!({"exp": 1, "iss": "evil", "aud": "x"}))
        .unwrap();
    assert_eq!(kind_of(&v, &forged), ErrorKind::InvalidSignature);
    let garbage_payload = forge(
        r#"{"alg":"HS256"}"#,
        "not json",
        &Key::hmac([9u8; 32]).unwrap(),
        Algorithm::HS256,
    );
    assert_eq!(kind_of(&v, &garbage_payload), ErrorKind::InvalidSignature);
}

#[test]
fn claims_must_be_a_strict_object() {
    let v = base().build().unwrap();
    let key = Key::hmac(SECRET).unwrap();
    for body in ["[1]", "\"s\"", "42", "null", "{", r#"{"exp":1}{}"#] {
        let token = forge(r#"{"alg":"HS256"}"#, body, &key, Algorithm::HS256);
        assert!(
            matches!(kind_of(&v, &token), ErrorKind::Malformed(_)),
            "{body}"
        );
    }
    let dup = format!(r#"{{"sub":"a","exp":{},"sub":"admin"}}"#, NOW + 60);
    let token = forge(r#"{"alg":"HS256"}"#, &dup, &key, Algorithm::HS256);
    assert!(matches!(kind_of(&v, &token), ErrorKind::Malformed(_)));
}

#[test]
fn exp_rules() {
    assert_eq!(
        claims_kind(base(), json!({"sub": "a"})),
        ErrorKind::MissingClaim("exp".into())
    );
    accepts(base().require_exp(false), json!({"sub": "a"}));
    // PyJWT: expired when exp <= now - leeway.
    assert_eq!(
        claims_kind(base(), json!({"exp": NOW - 60})),
        ErrorKind::Expired
    );
    accepts(base(), json!({"exp": NOW - 59}));
    assert_eq!(
        claims_kind(base().leeway(Duration::ZERO), json!({"exp": NOW})),
        ErrorKind::Expired
    );
    accepts(base().leeway(Duration::ZERO), json!({"exp": NOW + 1}));
    accepts(base(), json!({"exp": (NOW + 10) as f64 + 0.5}));
    for bad in [
        json!("1900000000"),
        Value::Null,
        json!(true),
        json!([NOW + 60]),
        json!({"t": 1}),
        json!(1e300),
        json!(18446744073709551615u64),
    ] {
        assert_eq!(
            claims_kind(base(), json!({ "exp": bad })),
            ErrorKind::InvalidClaim("exp".into()),
            "{bad}"
        );
    }
    // Even with exp optional, a wrong-typed exp is never treated as absent.
    assert_eq!(
        claims_kind(base().require_exp(false), json!({"exp": "never"})),
        ErrorKind::InvalidClaim("exp".into())
    );
}

#[test]
fn nbf_iat_and_max_age() {
    let exp = NOW + 600;
    assert_eq!(
        claims_kind(base(), json!({"exp": exp, "nbf": NOW + 61})),
        ErrorKind::Immature
    );
    accepts(base(), json!({"exp": exp, "nbf": NOW + 60}));
    assert_eq!(
        claims_kind(base(), json!({"exp": exp, "iat": NOW + 61})),
        ErrorKind::Immature
    );
    accepts(base(), json!({"exp": exp, "iat": NOW + 60}));
    assert_eq!(
        claims_kind(base(), json!({"exp": exp, "nbf": "soon"})),
        ErrorKind::InvalidClaim("nbf".into())
    );
    assert_eq!(
        claims_kind(base(), json!({"exp": exp, "iat": null})),
        ErrorKind::InvalidClaim("iat".into())
    );
    let aged = || base().max_age(Duration::from_secs(300));
    accepts(aged(), json!({"exp": exp, "iat": NOW - 300}));
    assert_eq!(
        claims_kind(aged(), json!({"exp": exp, "iat": NOW - 361})),
        ErrorKind::Expired
    );
    assert_eq!(
        claims_kind(aged(), json!({"exp": exp})),
        ErrorKind::MissingClaim("iat".into())
    );
}

/// A fractional `iat` is rounded toward the stricter side of each rule: up for "not issued in
/// the future", down for `max_age` (found by review of the `cache_admit` fuzz target, whose
/// oracle rounds down: `iat = now - 360.5` with max_age 300 and leeway 60 was accepted).
#[test]
fn a_fractional_iat_is_rounded_toward_the_stricter_side_of_each_rule() {
    let exp = NOW + 600;
    let aged = || base().max_age(Duration::from_secs(300));
    #[allow(clippy::cast_precision_loss)]
    let at = |offset: f64| json!({"exp": exp, "iat": NOW as f64 + offset});
    for (claims, expected) in [
        (at(-360.5), Some(ErrorKind::Expired)),
        (at(-360.0), None),
        (at(-359.5), None),
        (at(60.5), Some(ErrorKind::Immature)),
        (at(59.5), None),
    ] {
        let token = hs256().encode(&claims).unwrap();
        let verifier = aged().build().unwrap();
        // The typed path (the strict pass reads the dates) and the stored-JSON path (the
        // one-pass reader) decide alike.
        let typed = verifier
            .verify::<Value>(&token)
            .err()
            .map(|e| e.into_kind());
        let stored = verifier.verify_token(&token).err().map(|e| e.into_kind());
        assert_eq!(typed, expected, "verify::<Value> {claims}");
        assert_eq!(stored, expected, "verify_token {claims}");
    }
}

#[test]
fn issuer_rules() {
    let exp = NOW + 600;
    let b = || base().issuers(["https://a.example", "https://b.example"]);
    accepts(b(), json!({"exp": exp, "iss": "https://b.example"}));
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "iss": "https://c.example"})),
        ErrorKind::InvalidIssuer
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "iss": "https://a.example/"})),
        ErrorKind::InvalidIssuer
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp})),
        ErrorKind::MissingClaim("iss".into())
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "iss": ["https://a.example"]})),
        ErrorKind::InvalidClaim("iss".into())
    );
    accepts(base(), json!({"exp": exp, "iss": "anyone"}));
}

#[test]
fn audience_rules() {
    let exp = NOW + 600;
    let b = || base().audiences(["api", "admin"]);
    accepts(b(), json!({"exp": exp, "aud": "api"}));
    accepts(b(), json!({"exp": exp, "aud": ["other", "admin"]}));
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "aud": "other"})),
        ErrorKind::InvalidAudience
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "aud": []})),
        ErrorKind::InvalidAudience
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp})),
        ErrorKind::MissingClaim("aud".into())
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "aud": 1})),
        ErrorKind::InvalidClaim("aud".into())
    );
    assert_eq!(
        claims_kind(b(), json!({"exp": exp, "aud": ["api", null]})),
        ErrorKind::InvalidClaim("aud".into())
    );
    // aud present but none configured: rejected (RFC 7519 §4.1.3, PyJWT) unless opted out.
    assert_eq!(
        claims_kind(base(), json!({"exp": exp, "aud": "api"})),
        ErrorKind::InvalidAudience
    );
    accepts(
        base().skip_audience_check(),
        json!({"exp": exp, "aud": "api"}),
    );
}

#[test]
fn subject_required_claims_and_typ() {
    let exp = NOW + 600;
    accepts(base().subject("ada"), json!({"exp": exp, "sub": "ada"}));
    assert_eq!(
        claims_kind(base().subject("ada"), json!({"exp": exp, "sub": "bob"})),
        ErrorKind::InvalidSubject
    );
    assert_eq!(
        claims_kind(base().subject("ada"), json!({"exp": exp})),
        ErrorKind::MissingClaim("sub".into())
    );
    let req = || base().required_claims(["tenant", "jti"]);
    accepts(req(), json!({"exp": exp, "tenant": "t", "jti": "1"}));
    assert_eq!(
        claims_kind(req(), json!({"exp": exp, "jti": "1"})),
        ErrorKind::MissingClaim("tenant".into())
    );
    assert_eq!(
        claims_kind(req(), json!({"exp": exp, "tenant": null, "jti": "1"})),
        ErrorKind::MissingClaim("tenant".into())
    );
    assert_eq!(
        claims_kind(req(), json!({"exp": exp, "tenant": 1, "jti": 5})),
        ErrorKind::InvalidClaim("jti".into())
    );

    let key = Key::hmac(SECRET).unwrap();
    let at = base().typ("at+jwt").build().unwrap();
    for (typ, ok) in [
        ("at+jwt", true),
        ("application/at+jwt", true),
        ("AT+JWT", true),
        ("JWT", false),
    ] {
        let token = Signer::new(key.clone(), Algorithm::HS256)
            .unwrap()
            .with_typ(Some(typ))
            .encode(&valid_claims())
            .unwrap();
        assert_eq!(at.verify::<Value>(&token).is_ok(), ok, "{typ}");
        if !ok {
            assert_eq!(kind_of(&at, &token), ErrorKind::InvalidType);
        }
    }
    let untyped = Signer::new(key, Algorithm::HS256)
        .unwrap()
        .with_typ(None)
        .encode(&valid_claims())
        .unwrap();
    assert_eq!(kind_of(&at, &untyped), ErrorKind::InvalidType);
}

#[test]
fn typed_claims() {
    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Mine {
        #[serde(flatten)]
        registered: RegisteredClaims,
        role: String,
    }
    let v = base().audience("api").build().unwrap();
    let token = hs256()
        .encode(&json!({"exp": NOW + 60, "aud": ["api"], "role": "admin", "iat": 5.5}))
        .unwrap();
    let data = v.verify::<Mine>(&token).unwrap();
    assert_eq!(data.claims.role, "admin");
    assert_eq!(data.claims.registered.exp, Some(NOW + 60));
    assert_eq!(data.claims.registered.iat, Some(5));
    assert_eq!(
        data.claims.registered.aud,
        Some(Audience::Many(vec!["api".into()]))
    );
    let missing_role = hs256()
        .encode(&json!({"exp": NOW + 60, "aud": "api"}))
        .unwrap();
    assert_eq!(
        v.verify::<Mine>(&missing_role).unwrap_err().kind(),
        &ErrorKind::ClaimsMismatch
    );
    let verified = v.verify_token(&token).unwrap();
    assert_eq!(verified.registered().unwrap().exp, Some(NOW + 60));
    assert_eq!(verified.claims::<Value>().unwrap()["role"], "admin");
}

/// The single pass hands registered claims to the caller's type exactly as serde_json would:
/// into `Option`s, newtypes, enums, other integer widths, borrowed or escaped strings.
#[test]
fn typed_claims_of_every_shape() {
    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Subject(String);
    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Iss {
        Alpha,
    }
    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Shapes {
        sub: Option<Subject>,
        iss: Iss,
        exp: u64,
        iat: Option<f64>,
        nbf: Option<i32>,
        aud: Vec<String>,
        jti: Option<String>,
        missing: Option<String>,
    }
    let v = base().audience("api").issuer("alpha").build().unwrap();
    let token = hs256()
        .encode(
            &json!({"sub": "a\"d\u{e9}a", "iss": "alpha", "exp": NOW + 60, "iat": NOW - 1,
                         "nbf": NOW - 5, "aud": ["api", "x"], "jti": "j"}),
        )
        .unwrap();
    let data = v.verify::<Shapes>(&token).unwrap();
    assert_eq!(
        data.claims,
        Shapes {
            sub: Some(Subject("a\"déa".into())),
            iss: Iss::Alpha,
            exp: (NOW + 60) as u64,
            iat: Some((NOW - 1) as f64),
            nbf: Some((NOW - 5) as i32),
            aud: vec!["api".into(), "x".into()],
            jti: Some("j".into()),
            missing: None,
        }
    );
    let registered = v.verify::<RegisteredClaims>(&token).unwrap().claims;
    assert_eq!(registered.sub.as_deref(), Some("a\"déa"));
    assert_eq!(
        registered.aud,
        Some(Audience::Many(vec!["api".into(), "x".into()]))
    );
    let map = v
        .verify::<std::collections::BTreeMap<String, Value>>(&token)
        .unwrap()
        .claims;
    assert_eq!(map["exp"], json!(NOW + 60));
    assert_eq!(
        Value::Object(map.into_iter().collect()),
        v.verify::<Value>(&token).unwrap().claims
    );
    // A type that rejects the claims never hides a rule violation, and vice versa.
    let expired = hs256()
        .encode(&json!({"exp": NOW - 600, "aud": "api", "iss": "alpha"}))
        .unwrap();
    assert_eq!(
        v.verify::<Shapes>(&expired).unwrap_err().into_kind(),
        ErrorKind::Expired
    );
    assert_eq!(
        v.verify::<Vec<u8>>(&token).unwrap_err().into_kind(),
        ErrorKind::ClaimsMismatch
    );
    assert!(v.verify::<serde::de::IgnoredAny>(&token).is_ok());
    assert!(v.verify_token(&token).is_ok());
}

#[test]
fn weak_keys_are_refused_unless_dangerous() {
    assert!(matches!(
        Key::hmac([0u8; 31]).unwrap_err().kind(),
        ErrorKind::WeakKey(_)
    ));
    let k32 = Key::hmac([0u8; 32]).unwrap();
    assert_eq!(
        k32.algorithms().iter().collect::<Vec<_>>(),
        vec![Algorithm::HS256]
    );
    assert!(matches!(
        k32.with_algorithm(Algorithm::HS384).unwrap_err().kind(),
        ErrorKind::InvalidKey(_)
    ));
    assert_eq!(Key::hmac([0u8; 64]).unwrap().algorithms().iter().count(), 3);
    assert!(matches!(
        Key::from_pem(fixture("rsa1024.pub.pem"))
            .unwrap_err()
            .kind(),
        ErrorKind::WeakKey(_)
    ));
    let weak = dangerous::key_from_pem_allow_weak(fixture("rsa1024.pub.pem")).unwrap();
    assert_eq!(weak.rsa_bits(), Some(1024));
    assert_eq!(
        weak.algorithms().iter().collect::<Vec<_>>(),
        vec![Algorithm::RS256, Algorithm::RS512]
    );
    let short = dangerous::hmac_key_unchecked(b"short").unwrap();
    let token = Signer::new(short.clone(), Algorithm::HS256)
        .unwrap()
        .encode(&valid_claims())
        .unwrap();
    let v = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(short)
        .clock(clock())
        .build()
        .unwrap();
    assert!(v.verify::<Value>(&token).is_ok());
}

#[test]
fn key_formats() {
    // PKCS#1 private and public, SEC1 behind EC PARAMETERS, certificate public key.
    let pkcs1 = Key::from_pem(fixture("pkcs1_rsa2048.key.pem")).unwrap();
    assert!(pkcs1.can_sign());
    let pkcs1_pub = Key::from_pem(fixture("pkcs1_rsa2048.pub.pem")).unwrap();
    assert!(!pkcs1_pub.can_sign());
    let token = Signer::new(pkcs1, Algorithm::PS384)
        .unwrap()
        .encode(&valid_claims())
        .unwrap();
    let v = Verifier::builder()
        .algorithms([Algorithm::PS384])
        .key(pkcs1_pub)
        .clock(clock())
        .build()
        .unwrap();
    assert!(v.verify::<Value>(&token).is_ok());

    let sec1 = Key::from_pem(fixture("sec1_p384.key.pem")).unwrap();
    assert_eq!(sec1.family(), KeyFamily::Ec(jwt_guard_core::Curve::P384));
    assert!(sec1.can_sign());

    let cert_key = Key::from_pem(fixture("cert_p256.key.pem")).unwrap();
    let cert = Key::from_pem(fixture("cert_p256.crt.pem")).unwrap();
    assert!(!cert.can_sign());
    let token = Signer::new(cert_key, Algorithm::ES256)
        .unwrap()
        .encode(&valid_claims())
        .unwrap();
    let v = Verifier::builder()
        .algorithms([Algorithm::ES256])
        .key(cert)
        .clock(clock())
        .build()
        .unwrap();
    assert!(v.verify::<Value>(&token).is_ok());

    // DER forms go through Key::from_der.
    let der = pem::parse(fixture("pkcs1_rsa2048.pub.pem")).unwrap();
    assert_eq!(
        Key::from_der(der.contents()).unwrap().rsa_bits(),
        Some(2048)
    );
    assert!(matches!(
        Key::from_pem("not pem").unwrap_err().kind(),
        ErrorKind::InvalidKey(_)
    ));
    assert!(matches!(
        Key::from_der([0x30, 0x03, 0x02, 0x01, 0x01])
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidKey(_)
    ));
    assert!(matches!(
        Key::hmac_base64("!!!").unwrap_err().kind(),
        ErrorKind::InvalidKey(_)
    ));
    assert_eq!(
        Key::hmac_base64(&base64::engine::general_purpose::STANDARD.encode(SECRET))
            .unwrap()
            .algorithms()
            .iter()
            .count(),
        3
    );
}

#[test]
fn jwks_skips_unusable_keys() {
    let ec = signing_key(Algorithm::ES256);
    let mut good = ec.to_public_jwk().unwrap();
    good.kid = Some("ec".into());
    let doc = json!({"keys": [
        good,
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
        {"kty": "EC", "kid": "bad-point", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": "AAAA"},
        {"kty": "oct", "kid": "hs", "k": B64.encode(SECRET), "alg": "HS512"},
        {"kty": "EC", "kid": "es512-bound", "crv": "P-256", "alg": "ES512", "x": good_x(&ec), "y": good_y(&ec)},
        "not an object",
    ]});
    let set = KeySet::from_jwks_json(&doc.to_string()).unwrap();
    assert_eq!(set.len(), 2);
    let skipped: Vec<_> = set.skipped().iter().map(|s| s.kid.clone()).collect();
    assert_eq!(
        skipped,
        vec![
            Some("enc".into()),
            Some("bad-point".into()),
            Some("x25519".into()),
            Some("es512-bound".into()),
            None
        ]
    );
    assert_eq!(
        set.keys()[1].algorithms().iter().collect::<Vec<_>>(),
        vec![Algorithm::HS512]
    );
    assert!(matches!(
        KeySet::from_jwks_json(r#"{"keys":[]}"#).unwrap_err().kind(),
        ErrorKind::InvalidKey(_)
    ));
    assert!(matches!(
        KeySet::from_jwks_json("[]").unwrap_err().kind(),
        ErrorKind::InvalidKey(_)
    ));
}

fn good_x(key: &Key) -> String {
    key.to_public_jwk().unwrap().x.unwrap()
}

fn good_y(key: &Key) -> String {
    key.to_public_jwk().unwrap().y.unwrap()
}

#[test]
fn jwk_alg_binding_is_enforced() {
    let rsa = signing_key(Algorithm::RS256);
    let mut jwk = rsa.to_public_jwk().unwrap();
    jwk.alg = Some("RS256".into());
    jwk.kid = Some("r".into());
    let v = Verifier::builder()
        .algorithms([Algorithm::RS256, Algorithm::PS256])
        .key(Key::from_jwk(&jwk).unwrap())
        .clock(clock())
        .build()
        .unwrap();
    let ps = Signer::new(rsa.clone(), Algorithm::PS256)
        .unwrap()
        .with_kid("r")
        .encode(&valid_claims())
        .unwrap();
    assert_eq!(kind_of(&v, &ps), ErrorKind::InvalidAlgorithm);
    let rs = Signer::new(rsa, Algorithm::RS256)
        .unwrap()
        .with_kid("r")
        .encode(&valid_claims())
        .unwrap();
    assert!(v.verify::<Value>(&rs).is_ok());
}

#[test]
fn unverified_decode_is_explicit() {
    let forged = Signer::new(Key::hmac([9u8; 32]).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&json!({"sub": "mallory", "exp": 1}))
        .unwrap();
    let decoded = dangerous::decode_unverified::<RegisteredClaims>(&forged).unwrap();
    assert_eq!(decoded.claims.sub.as_deref(), Some("mallory"));
    assert_eq!(decoded.header["alg"], "HS256");
    assert!(matches!(
        dangerous::decode_unverified::<Value>("a.b")
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed(_)
    ));
}

#[test]
fn secrets_and_tokens_are_never_printed() {
    let key = Key::hmac(b"super-secret-value-0123456789abcdef").unwrap();
    let signer = Signer::new(key.clone(), Algorithm::HS256).unwrap();
    let token = signer.encode(&valid_claims()).unwrap();
    let v = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key.clone())
        .clock(clock())
        .build()
        .unwrap();
    let verified = v.verify_token(&token).unwrap();
    let config: jwt_guard_core::VerifierConfig = serde_json::from_value(json!({
        "algorithms": ["HS256"], "keys": [{"secret": "super-secret-value-0123456789abcdef"}]
    }))
    .unwrap();
    for shown in [
        format!("{key:?}"),
        format!("{signer:?}"),
        format!("{verified:?}"),
        format!("{v:?}"),
        format!("{config:?}"),
        format!("{:?}", signing_key(Algorithm::ES256)),
    ] {
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(!shown.contains(&token[..20]), "{shown}");
    }
}

#[test]
fn error_codes_are_stable() {
    let codes: Vec<&str> = [
        ErrorKind::Malformed("x"),
        ErrorKind::TokenTooLarge { len: 2, max: 1 },
        ErrorKind::InvalidAlgorithm,
        ErrorKind::UnknownKey,
        ErrorKind::InvalidSignature,
        ErrorKind::Expired,
        ErrorKind::Immature,
        ErrorKind::InvalidIssuer,
        ErrorKind::InvalidAudience,
        ErrorKind::InvalidSubject,
        ErrorKind::InvalidType,
        ErrorKind::MissingClaim("exp".into()),
        ErrorKind::InvalidClaim("exp".into()),
        ErrorKind::UnsupportedCrit,
        ErrorKind::KeyUnavailable,
    ]
    .iter()
    .map(ErrorKind::code)
    .collect();
    assert_eq!(
        codes,
        [
            "malformed",
            "token_too_large",
            "invalid_algorithm",
            "unknown_key",
            "invalid_signature",
            "expired",
            "immature",
            "invalid_issuer",
            "invalid_audience",
            "invalid_subject",
            "invalid_type",
            "missing_claim",
            "invalid_claim",
            "unsupported_crit",
            "key_unavailable"
        ]
    );
    let e: Error = ErrorKind::Expired.into();
    assert_eq!(
        jwt_guard_core::http::BearerError::for_error(e.kind()).map(|b| (b.as_str(), b.status())),
        Some(("invalid_token", 401))
    );
}

#[test]
fn verifier_is_shared_across_threads() {
    let v = base().build().unwrap();
    let token = hs256().encode(&valid_claims()).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..100 {
                    assert!(v.verify::<Value>(&token).is_ok());
                }
            });
        }
    });
}

/// The header memo (same header bytes → parsed once) must never change an answer: a memoized
/// header still needs a valid signature and valid claims, and many distinct headers (more than
/// the memo holds) all keep verifying correctly.
#[test]
fn header_memo_never_changes_an_answer() {
    let keys: Vec<Key> = (0..40u8)
        .map(|i| Key::hmac([i; 32]).unwrap().with_kid(format!("k{i}")))
        .collect();
    let v = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .keys(keys.clone())
        .clock(clock())
        .build()
        .unwrap();
    for round in 0..3 {
        for (i, key) in keys.iter().enumerate() {
            let signer = Signer::new(key.clone(), Algorithm::HS256).unwrap();
            let good = signer.encode(&json!({"exp": NOW + 60, "n": i})).unwrap();
            assert_eq!(
                v.verify::<Value>(&good).unwrap().claims["n"],
                i,
                "round {round}"
            );
            let expired = signer.encode(&json!({"exp": NOW - 600})).unwrap();
            assert_eq!(kind_of(&v, &expired), ErrorKind::Expired);
            // Same header bytes, wrong key: the memo only skips parsing, never the signature.
            let other = Signer::new(keys[(i + 1) % keys.len()].clone(), Algorithm::HS256)
                .unwrap()
                .with_kid(key.kid().unwrap());
            assert_eq!(
                kind_of(&v, &other.encode(&json!({"exp": NOW + 60})).unwrap()),
                ErrorKind::InvalidSignature
            );
        }
    }
    // A header refused by the rules stays refused however often it comes.
    let strict = base().typ("at+jwt").build().unwrap();
    let plain = hs256().encode(&valid_claims()).unwrap();
    for _ in 0..3 {
        assert_eq!(kind_of(&strict, &plain), ErrorKind::InvalidType);
    }
}
