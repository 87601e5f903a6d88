//! Refresh-token redemption (issue 13) behind a valid signature: the target signs the fuzzer's
//! claims as a refresh token (`typ: refresh+jwt`, or an access token's `at+jwt` when a flag bit
//! says) with the issuer's key and redeems it twice through `TokenIssuer::refresh` against a
//! fresh in-memory store. Properties: a redemption that succeeds had `sub`, `sid`, `jti` as
//! strings and `exp`, and its new access token verifies with the same `sub` and `sid`; the same
//! token redeemed again is `refresh_reused` (and the login is not revoked within the grace
//! window: the new refresh token still redeems); an access token is never redeemed
//! (`invalid_type`); every error is one the docs list, and its description is RFC 6750-safe.
//!
//! Input: `flags payload`.
#![no_main]

use std::sync::LazyLock;

use jwt_guard_core::revocation::MemoryStore;
use jwt_guard_core::sessions::TokenIssuer;
use jwt_guard_core::{Algorithm, Key, ManualClock, RegisteredClaims};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static KEY: LazyLock<Key> = LazyLock::new(|| Key::hmac(HS256_SECRET.as_bytes()).unwrap());

static ISSUER: LazyLock<TokenIssuer> = LazyLock::new(|| {
    TokenIssuer::builder(KEY.clone(), Algorithm::HS256)
        .issuer("https://fuzz.example")
        .audience("api")
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap()
});

/// What a refusal may be (the errors `TokenIssuer::refresh` documents: the verifier's, then
/// redemption's).
const CODES: &[&str] = &[
    "malformed",
    "invalid_signature",
    "invalid_algorithm",
    "unknown_key",
    "expired",
    "immature",
    "invalid_claim",
    "missing_claim",
    "invalid_issuer",
    "invalid_audience",
    "invalid_type",
    "token_too_large",
    "revoked",
    "refresh_reused",
    "claims_mismatch",
    "claim_rejected",
];

fuzz_target!(|data: &[u8]| {
    let [flags, payload @ ..] = data else {
        return;
    };
    let header: &[u8] = if flags & 1 == 0 {
        br#"{"alg":"HS256","typ":"refresh+jwt"}"#
    } else {
        br#"{"alg":"HS256","typ":"at+jwt"}"#
    };
    let token = sign_compact(&KEY, Algorithm::HS256, header, payload);
    let store = MemoryStore::new(64).with_clock(ManualClock::new(NOW));
    let no_claims = serde_json::json!({});
    let first = block_on(ISSUER.refresh(&store, &token, &no_claims));
    match first {
        Ok(pair) => {
            assert_eq!(flags & 1, 0, "an access token was redeemed");
            // Member by member: an unread member may be valid JSON a `Value` cannot hold
            // (FUZZING.md, finding 3); the members redemption reads must be ordinary.
            let claims = members(payload).expect("redeemed claims are a JSON object");
            let get = |name: &str| claims.get(name).and_then(Option::as_ref);
            for name in ["sub", "sid", "jti"] {
                assert!(
                    get(name).is_some_and(Value::is_string),
                    "redeemed without a string {name}"
                );
            }
            assert!(
                get("exp").is_some_and(Value::is_number),
                "redeemed without exp"
            );
            let access = block_on(
                ISSUER
                    .access_verifier()
                    .verify_token_async(&pair.access_token),
            )
            .expect("the new access token verifies");
            let registered: RegisteredClaims = access.registered().unwrap();
            assert_eq!(
                registered.sub.as_deref(),
                get("sub").and_then(Value::as_str)
            );
            let new: Value = access.claims().unwrap();
            assert_eq!(Some(&new["sid"]), get("sid"), "the login goes on");
            // Redeemed again: reused; within the grace window the login is not revoked, so the
            // new refresh token still redeems.
            let again = block_on(ISSUER.refresh(&store, &token, &no_claims));
            let err = again
                .map(|_| ())
                .expect_err("a refresh token redeemed twice");
            assert_eq!(err.code(), "refresh_reused");
            block_on(ISSUER.refresh(&store, &pair.refresh_token, &no_claims))
                .expect("the login's new refresh token redeems");
        }
        Err(err) => {
            let code = err.code();
            assert!(CODES.contains(&code), "unexpected error {code}: {err}");
            if flags & 1 != 0 && code != "malformed" {
                // An access token: refused as one (or for what its claims are first).
                assert_ne!(code, "refresh_reused");
            }
            let description = err.kind().to_string();
            assert!(
                token.len() < 8 || !description.contains(&token),
                "an error echoes the token"
            );
        }
    }
});
