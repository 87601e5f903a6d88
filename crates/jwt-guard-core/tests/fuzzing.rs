//! Regressions found by the fuzz targets (`fuzz/`, FUZZING.md): each test is the minimized
//! input of a finding, in the normal suite so a regression shows without a fuzzing run.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::{
    Algorithm, ErrorKind, Key, ManualClock, RegisteredClaims, Verifier, dangerous,
};
use serde::de::IgnoredAny;

const NOW: i64 = 1_700_000_000;

fn key() -> Key {
    Key::hmac([7u8; 32]).unwrap()
}

fn verifier() -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key())
        .skip_audience_check()
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap()
}

/// A token with these exact header and payload bytes, validly signed (HS256).
fn signed(header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", B64.encode(header), B64.encode(payload));
    let signature = key().sign(Algorithm::HS256, input.as_bytes()).unwrap();
    format!("{input}.{}", B64.encode(signature))
}

fn malformed(result: Result<impl std::fmt::Debug, jwt_guard_core::Error>, what: &str) {
    match result {
        Ok(accepted) => panic!("{what}: accepted {accepted:?}"),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::Malformed(_)),
            "{what}: {:?}",
            e.kind()
        ),
    }
}

/// fuzz target `signed_claims`: a validly signed header whose unknown member holds a string that
/// is not UTF-8 was accepted (serde_json skips an ignored string without checking its bytes).
/// RFC 7515 §5.2: the header must be a "completely valid JSON object" in UTF-8.
#[test]
fn header_with_invalid_utf8_in_an_ignored_member_is_malformed() {
    let token = signed(
        b"{\"alg{\":\"H\xb3256\",\"alg\":\"HS256\"}",
        br#"{"exp":4102444800}"#,
    );
    malformed(verifier().verify_token(&token), "verify_token");
    malformed(
        verifier().verify::<IgnoredAny>(&token),
        "verify::<IgnoredAny>",
    );
    malformed(verifier().verify_jws(&token), "verify_jws");
}

/// The same in the claims (RFC 7519 §7.2: the claims set must be valid JSON): an unknown claim
/// whose string is not UTF-8, read into a type that ignores it.
#[test]
fn payload_with_invalid_utf8_in_an_ignored_claim_is_malformed() {
    let token = signed(
        br#"{"alg":"HS256"}"#,
        b"{\"exp\":4102444800,\"note\":\"caf\xe9\"}",
    );
    malformed(verifier().verify_token(&token), "verify_token");
    malformed(
        verifier().verify::<IgnoredAny>(&token),
        "verify::<IgnoredAny>",
    );
    malformed(
        verifier().verify::<RegisteredClaims>(&token),
        "verify::<RegisteredClaims>",
    );
    malformed(
        dangerous::decode_unverified::<RegisteredClaims>(&token),
        "decode_unverified",
    );
}

/// Found by `signed_claims`, kept as documented behaviour (FUZZING.md): an unpaired surrogate
/// escape is valid JSON grammar (RFC 8259 §8.2). In a member jwt-guard does not read it is
/// accepted; in one it reads (`kid`, `iss`) it is refused, never turned into text.
#[test]
fn unpaired_surrogate_escapes_are_refused_where_read() {
    let ignored = signed(
        br#"{"alg":"HS256","x":"\ud800"}"#,
        br#"{"exp":4102444800,"note":"\udfff"}"#,
    );
    assert!(verifier().verify_token(&ignored).is_ok());
    let kid = signed(
        br#"{"alg":"HS256","kid":"\ud800"}"#,
        br#"{"exp":4102444800}"#,
    );
    malformed(verifier().verify_token(&kid), "kid");
    let iss = signed(
        br#"{"alg":"HS256"}"#,
        br#"{"exp":4102444800,"iss":"\ud800"}"#,
    );
    match verifier().verify_token(&iss) {
        Ok(_) => panic!("iss with an unpaired surrogate accepted"),
        Err(e) => assert_eq!(e.kind(), &ErrorKind::InvalidClaim("iss".into())),
    }
}

/// fuzz target `signed_claims`: JSON that breaks right after a registered claim's name was
/// `invalid_claim` (the failed read of the claim's value was taken for a wrongly typed value),
/// and which answer came depended on the claims type: `verify_token` said `malformed` (a
/// duplicate name, seen first), `verify::<Value>` said `invalid_claim` (`1e400` is out of range
/// for a `Value`, so the strict pass decided). A payload that is not JSON is `malformed`,
/// whatever the type.
#[test]
fn a_payload_that_is_not_json_is_malformed_whatever_the_claims_type() {
    let fuzzed = signed(br#"{"alg":"HS256"}"#, br#"{"iss":"a","x":1e400,"iss"b":1}"#);
    malformed(verifier().verify_token(&fuzzed), "verify_token");
    malformed(
        verifier().verify::<serde_json::Value>(&fuzzed),
        "verify::<Value>",
    );
    let missing_colon = signed(br#"{"alg":"HS256"}"#, br#"{"exp":4102444800,"iss" "a"}"#);
    malformed(verifier().verify_token(&missing_colon), "verify_token");
    malformed(
        verifier().verify::<RegisteredClaims>(&missing_colon),
        "verify::<RegisteredClaims>",
    );
    malformed(
        dangerous::decode_unverified::<serde_json::Value>(&missing_colon),
        "decode_unverified",
    );
    let header = signed(br#"{"alg" "HS256"}"#, br#"{"exp":4102444800}"#);
    malformed(verifier().verify_token(&header), "header");
}

/// Finding 4 of FUZZING.md (`signed_claims`, third round): a registered claim repeated with a
/// value of the wrong type the second time. The one-pass reader checks names before values
/// (`malformed`, a duplicate); the strict pass, which decides when the claims type stops early
/// or fails (here a `Value`, on a number out of its range), read the value first
/// (`invalid_claim`). Now both check the name first: the code does not depend on the type.
#[test]
fn a_repeated_claim_is_malformed_whatever_its_second_value_and_the_claims_type() {
    let token = signed(
        br#"{"alg":"HS256"}"#,
        br#"{"exp":4102444000,"iat":1600000000,"cty":1699994e950,"iat":"ada"}"#,
    );
    malformed(verifier().verify_token(&token), "verify_token");
    malformed(
        verifier().verify::<serde_json::Value>(&token),
        "verify::<Value>",
    );
    malformed(
        verifier().verify::<RegisteredClaims>(&token),
        "verify::<RegisteredClaims>",
    );
    malformed(
        verifier().verify::<IgnoredAny>(&token),
        "verify::<IgnoredAny>",
    );
    malformed(
        dangerous::decode_unverified::<serde_json::Value>(&token),
        "decode_unverified",
    );
}

/// Finding 3 of FUZZING.md, kept as documented behaviour: a number outside f64's range is valid
/// JSON text (RFC 8259 §6 leaves the range to the implementation). In a claim jwt-guard does not
/// read it is accepted, as an unpaired surrogate escape is; a claims type that reads it refuses
/// the token as a claims mismatch, never accepting what it cannot represent; in a claim
/// jwt-guard reads (a NumericDate) it is an invalid claim.
#[test]
fn a_number_outside_f64_is_accepted_where_unread_and_refused_where_read() {
    let token = signed(
        br#"{"alg":"HS256"}"#,
        br#"{"exp":4102444000,"nbd":17001e3081}"#,
    );
    assert!(verifier().verify_token(&token).is_ok());
    let err = verifier().verify::<serde_json::Value>(&token).unwrap_err();
    assert_eq!(err.code(), "claims_mismatch", "{err}");
    let err = dangerous::decode_unverified::<serde_json::Value>(&token).unwrap_err();
    assert_eq!(err.code(), "claims_mismatch", "{err}");
    let exp = signed(br#"{"alg":"HS256"}"#, br#"{"exp":17001e3081}"#);
    let err = verifier().verify_token(&exp).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidClaim("exp".into()), "{err}");
    let err = verifier().verify::<serde_json::Value>(&exp).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidClaim("exp".into()), "{err}");
}
