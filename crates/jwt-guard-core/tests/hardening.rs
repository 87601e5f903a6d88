//! Bounds on what hostile input can cost, and the hardening rules that need no crypto to show:
//! the header segment cap, what routed mode reads from an unverified payload, the cap on keys
//! tried for a token without `kid` and `require_kid`, linear scope handling, empty scope
//! requirements, and ECDSA signature malleability (documented, not refused).
//!
//! No test here times anything: each shows the behaviour that bounds the cost (the error kind
//! before any crypto, the member never read); the costs are in BENCHMARKS.md ("Hostile
//! input"), measured as instruction counts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::http::{RequiredScopes, granted_scopes};
use jwt_guard_core::{
    Algorithm, ErrorKind, Key, ManualClock, Signer, Validation, Verifier, VerifierConfig,
};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;

fn key(n: u8) -> Key {
    Key::hmac([n; 32]).unwrap()
}

fn claims(iss: &str) -> Value {
    json!({"iss": iss, "sub": "ada", "exp": NOW + 600})
}

/// A token with this exact header and payload text, signed with `key` (HS256).
fn forge(header: &str, payload: &str, key: &Key) -> String {
    let input = format!("{}.{}", B64.encode(header), B64.encode(payload));
    let signature = key.sign(Algorithm::HS256, input.as_bytes()).unwrap();
    format!("{input}.{}", B64.encode(signature))
}

fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify::<Value>(token) {
        Ok(data) => panic!("accepted: {}", data.claims),
        Err(e) => e.into_kind(),
    }
}

fn hs256(keys: impl IntoIterator<Item = Key>) -> jwt_guard_core::VerifierBuilder {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .keys(keys)
        .clock(ManualClock::new(NOW))
}

/// A header with `members` extra members, `{"alg":"HS256","x0":0,...}`.
fn big_header(members: usize) -> String {
    let mut header = json!({"alg": "HS256"});
    for i in 0..members {
        header[format!("x{i}")] = json!(0);
    }
    header.to_string()
}

#[test]
fn the_header_segment_is_capped_before_decoding() {
    let k = key(1);
    let v = hs256([k.clone()]).build().unwrap();
    assert_eq!(Validation::default().max_header_bytes, 2048);
    let payload = claims("x").to_string();

    // A correctly signed token whose header segment is just within the cap verifies.
    let mut members = 0;
    while B64.encode(big_header(members + 1)).len() <= 2048 {
        members += 1;
    }
    let fits = forge(&big_header(members), &payload, &k);
    assert!(v.verify::<Value>(&fits).is_ok());

    // One member more and it is too large, signed or not: nothing of it is decoded or parsed.
    let over = forge(&big_header(members + 1), &payload, &k);
    let segment = over.split('.').next().unwrap().len();
    assert_eq!(
        kind(&v, &over),
        ErrorKind::TokenTooLarge {
            len: segment,
            max: 2048
        }
    );
    // The review's forged token: ~1,200 header members, a garbage signature.
    let forged = format!(
        "{}.{}.AAAA",
        B64.encode(big_header(1200)),
        B64.encode(&payload)
    );
    assert!(matches!(
        kind(&v, &forged),
        ErrorKind::TokenTooLarge { max: 2048, .. }
    ));
    // Not even base64 is looked at: a header of 3,000 '!' is too large, not malformed.
    let junk = format!("{}.{}.AAAA", "!".repeat(3000), B64.encode(&payload));
    assert!(matches!(
        kind(&v, &junk),
        ErrorKind::TokenTooLarge { max: 2048, .. }
    ));

    // The cap is a setting (builder and config); zero is refused.
    let v = hs256([k.clone()]).max_header_bytes(8192).build().unwrap();
    assert!(v.verify::<Value>(&over).is_ok());
    let err = hs256([k.clone()]).max_header_bytes(0).build().unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::InvalidConfig {
            field: "max_header_bytes".into(),
            reason: "must be greater than zero".into()
        }
    );
    let config: VerifierConfig = toml::from_str(
        r#"
        algorithms = ["HS256"]
        max_header_bytes = 4096
        [[keys]]
        secret = "a secret of at least thirty-two bytes!"
        "#,
    )
    .unwrap();
    assert_eq!(config.build().unwrap().validation().max_header_bytes, 4096);
}

/// Two providers routed by `iss`.
fn routed() -> (Verifier, Key) {
    let a = key(1);
    let b = key(2);
    let verifier = Verifier::routed([
        hs256([a.clone()]).issuer("https://a.test").build().unwrap(),
        hs256([b]).issuer("https://b.test").build().unwrap(),
    ])
    .unwrap();
    (verifier, a)
}

#[test]
fn routed_mode_reads_only_iss_from_the_unverified_payload() {
    let (v, a) = routed();
    let good = Signer::new(a.clone(), Algorithm::HS256)
        .unwrap()
        .encode(&claims("https://a.test"))
        .unwrap();
    assert!(v.verify::<Value>(&good).is_ok());

    // Routing stops at `iss`: what follows it is not read before the signature is checked, so
    // a forged payload that is not even JSON after `iss` is the route's to refuse, by its
    // signature (before: `malformed`, after parsing the whole unverified payload).
    let forged = format!(
        "{}.{}.{}",
        B64.encode(r#"{"alg":"HS256"}"#),
        B64.encode(r#"{"iss":"https://a.test","x":[[[[[[[[ not json"#),
        B64.encode([0u8; 32])
    );
    assert_eq!(kind(&v, &forged), ErrorKind::InvalidSignature);

    // Members before `iss` are skipped without being kept; `iss` anywhere still routes.
    let mut late = json!({});
    for i in 0..200 {
        late[format!("m{i}")] = json!({"nested": [i, "text"]});
    }
    late["iss"] = json!("https://b.test");
    late["exp"] = json!(NOW + 600);
    let token = Signer::new(key(2), Algorithm::HS256)
        .unwrap()
        .encode(&late)
        .unwrap();
    assert!(v.verify::<Value>(&token).is_ok());

    // What routing itself refuses, unchanged.
    let no_iss = forge(r#"{"alg":"HS256"}"#, r#"{"sub":"ada"}"#, &a);
    assert_eq!(kind(&v, &no_iss), ErrorKind::MissingClaim("iss".into()));
    let unknown = forge(r#"{"alg":"HS256"}"#, r#"{"iss":"https://c.test"}"#, &a);
    assert_eq!(kind(&v, &unknown), ErrorKind::InvalidIssuer);
    let not_string = forge(r#"{"alg":"HS256"}"#, r#"{"iss":7}"#, &a);
    assert_eq!(kind(&v, &not_string), ErrorKind::InvalidClaim("iss".into()));
    let not_object = forge(r#"{"alg":"HS256"}"#, r#"["iss"]"#, &a);
    assert!(matches!(kind(&v, &not_object), ErrorKind::Malformed(_)));
}

#[test]
fn tokens_without_kid_try_at_most_max_keys_without_kid() {
    assert_eq!(Validation::default().max_keys_without_kid, 4);
    assert!(!Validation::default().require_kid);
    let payload = claims("x").to_string();
    let by = |n: u8| forge(r#"{"alg":"HS256"}"#, &payload, &key(n));

    // Four keys for HS256: a token without kid is tried against each.
    let four = hs256((1..=4).map(key)).build().unwrap();
    assert!(four.verify::<Value>(&by(4)).is_ok());
    assert_eq!(kind(&four, &by(9)), ErrorKind::InvalidSignature);

    // Five: more than the cap, so no key is tried at all (the answer does not depend on key
    // order): unknown_key, even for a token the first key signed.
    let five = hs256((1..=5).map(key)).build().unwrap();
    assert_eq!(kind(&five, &by(1)), ErrorKind::UnknownKey);
    assert_eq!(kind(&five, &by(5)), ErrorKind::UnknownKey);
    // With kid, the cap does not apply.
    let named = hs256((1..=5).map(|n| key(n).with_kid(format!("k{n}"))))
        .build()
        .unwrap();
    let with_kid = Signer::new(key(5).with_kid("k5"), Algorithm::HS256)
        .unwrap()
        .encode(&claims("x"))
        .unwrap();
    assert!(named.verify::<Value>(&with_kid).is_ok());

    // The cap is a setting.
    let raised = hs256((1..=5).map(key))
        .max_keys_without_kid(5)
        .build()
        .unwrap();
    assert!(raised.verify::<Value>(&by(5)).is_ok());
    let err = hs256([key(1)]).max_keys_without_kid(0).build().unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::InvalidConfig {
            field: "max_keys_without_kid".into(),
            reason: "must be greater than zero (use require_kid to refuse tokens without kid)"
                .into()
        }
    );

    // require_kid: a token without kid is unknown_key, whatever the keys.
    let strict = hs256([key(1).with_kid("k1")])
        .require_kid(true)
        .build()
        .unwrap();
    assert_eq!(kind(&strict, &by(1)), ErrorKind::UnknownKey);
    let k1 = Signer::new(key(1).with_kid("k1"), Algorithm::HS256)
        .unwrap()
        .encode(&claims("x"))
        .unwrap();
    assert!(strict.verify::<Value>(&k1).is_ok());

    // Both in the config, top level and per provider.
    let config: VerifierConfig = toml::from_str(
        r#"
        algorithms = ["HS256"]
        max_keys_without_kid = 8
        require_kid = true
        [[keys]]
        secret = "a secret of at least thirty-two bytes!"
        "#,
    )
    .unwrap();
    let rules = config.build().unwrap().validation().clone();
    assert_eq!((rules.max_keys_without_kid, rules.require_kid), (8, true));
    let config: VerifierConfig = toml::from_str(
        r#"
        [[providers]]
        issuer = "https://a.test"
        algorithms = ["HS256"]
        require_kid = true
        max_keys_without_kid = 2
        max_header_bytes = 1024
        [[providers.keys]]
        secret = "a secret of at least thirty-two bytes!"
        "#,
    )
    .unwrap();
    let v = config.build().unwrap();
    let token = forge(
        r#"{"alg":"HS256"}"#,
        &claims("https://a.test").to_string(),
        &Key::hmac("a secret of at least thirty-two bytes!").unwrap(),
    );
    assert_eq!(kind(&v, &token), ErrorKind::UnknownKey);
    let rules = v.route(&token).unwrap().validation();
    assert_eq!(rules.max_keys_without_kid, 2);
    assert_eq!(rules.max_header_bytes, 1024);
}

#[test]
fn granted_scopes_are_split_linearly_not_deduplicated() {
    let k = key(1);
    let v = hs256([k.clone()])
        .max_token_bytes(64 * 1024)
        .build()
        .unwrap();
    let token = |scope: Value| {
        let mut c = claims("x");
        c["scope"] = scope;
        v.verify_token(
            &Signer::new(k.clone(), Algorithm::HS256)
                .unwrap()
                .encode(&c)
                .unwrap(),
        )
        .unwrap()
    };
    // The string form and the array form give the same list, in token order, repeats kept:
    // granted scopes are only ever searched, so de-duplicating them (quadratic before) buys
    // nothing.
    assert_eq!(
        granted_scopes(&token(json!("a  b a"))).unwrap(),
        ["a", "b", "a"]
    );
    assert_eq!(
        granted_scopes(&token(json!(["a", "b", "a"]))).unwrap(),
        ["a", "b", "a"]
    );
    // 2,400 distinct scopes (the review's case) still answer exactly.
    let many: Vec<String> = (0..2400).map(|i| format!("s{i}")).collect();
    let t = token(json!(many.join(" ")));
    assert_eq!(granted_scopes(&t).unwrap().len(), 2400);
    assert!(RequiredScopes::all(["s2399", "s0"]).is_satisfied_by(granted_scopes(&t).unwrap()));
    assert!(!RequiredScopes::all(["s2400"]).is_satisfied_by(granted_scopes(&t).unwrap()));
}

#[test]
fn an_empty_scope_requirement_is_refused_at_construction() {
    for (what, result) in [
        ("any([])", RequiredScopes::try_any::<[&str; 0], &str>([])),
        ("all([])", RequiredScopes::try_all::<[&str; 0], &str>([])),
        ("all([\"\"])", RequiredScopes::try_all([""])),
        ("any([\" \", \"\"])", RequiredScopes::try_any([" ", ""])),
    ] {
        let err = result.expect_err(what);
        assert_eq!(
            err.kind(),
            &ErrorKind::InvalidConfig {
                field: "scopes".into(),
                reason: "name at least one scope (an empty requirement would pass any token)"
                    .into()
            },
            "{what}"
        );
    }
    assert_eq!(
        RequiredScopes::try_all(["read write", "read"])
            .unwrap()
            .scopes(),
        ["read", "write"]
    );
    let panicked = std::panic::catch_unwind(|| RequiredScopes::any::<[&str; 0], &str>([]));
    assert!(panicked.is_err());
    let panicked = std::panic::catch_unwind(|| RequiredScopes::all([""]));
    assert!(panicked.is_err());
}

/// `n - s` of a big-endian scalar (both as long as the curve order).
fn negate_mod_n(n: &[u8], s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; n.len()];
    let mut borrow = 0i16;
    for i in (0..n.len()).rev() {
        let mut d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

/// ECDSA signatures are malleable: `(r, n - s)` verifies wherever `(r, s)` does, so one set of
/// claims has two token strings. jwt-guard accepts both (requiring low-S would refuse about half
/// the tokens other libraries sign); nothing in it keys a decision on the token text or the
/// signature bytes alone (a deny-list keys on `jti`/`sub`, the header memo on the header
/// segment after the signature verified). This pins the behaviour the README documents.
#[test]
fn ecdsa_twins_verify_and_carry_the_same_claims() {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
    const P256_N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key = Key::from_der(der.as_ref()).unwrap();
    let v = Verifier::builder()
        .algorithms([Algorithm::ES256])
        .key(key.clone())
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap();
    let token = Signer::new(key, Algorithm::ES256)
        .unwrap()
        .encode(&claims("x"))
        .unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = B64.decode(signature).unwrap();
    let (r, s) = signature.split_at(32);
    let twin = format!(
        "{input}.{}",
        B64.encode([r, &negate_mod_n(&P256_N, s)].concat())
    );
    assert_ne!(twin, token);
    let a = v.verify::<Value>(&token).unwrap();
    let b = v.verify::<Value>(&twin).unwrap();
    assert_eq!(a.claims, b.claims);
}
