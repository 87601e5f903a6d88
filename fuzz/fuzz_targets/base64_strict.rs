//! jwt-guard's base64url against the `base64` crate's strict `URL_SAFE_NO_PAD` engine (no
//! padding, URL-safe alphabet only, no whitespace, zero trailing bits). jwt-guard's decoder is
//! private, so this tests what the token parser accepts: the target takes the header and payload
//! segment *text* from the fuzzer, signs `header.payload` as it stands (HS256), optionally edits
//! the signature segment (replace its last character, append one, add `=`), and checks: a
//! segment the strict engine refuses makes the token refused (by the verifier and by
//! `decode_unverified`), and so does a signature segment that does not strictly decode to the
//! signature; an accepted token's three segments all decode strictly.
//!
//! Input: `mode char header_text '.' payload_text`.
#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard_core::{Algorithm, Key, ManualClock, Verifier, dangerous};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

static SETUP: LazyLock<(Key, Verifier)> = LazyLock::new(|| {
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(hmac_key())
        .require_exp(false)
        .skip_audience_check()
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap();
    (hmac_key(), verifier)
});

fuzz_target!(|data: &[u8]| {
    let [mode, extra, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Some((header, payload)) = text.split_once('.') else {
        return;
    };
    let (key, verifier) = &*SETUP;
    let signed = sign_input(key, Algorithm::HS256, text.to_owned());
    let signature = key.sign(Algorithm::HS256, text.as_bytes()).unwrap();
    let (input, sig_text) = signed.rsplit_once('.').unwrap();
    let mut sig_text = sig_text.to_owned();
    let extra = char::from(*extra);
    match mode % 4 {
        1 => {
            sig_text.pop();
            sig_text.push(extra);
        }
        2 => sig_text.push(extra),
        3 => sig_text.push('='),
        _ => {}
    }
    let token = format!("{input}.{sig_text}");
    let strict = |s: &str| URL_SAFE_NO_PAD.decode(s);
    let header_ok = strict(header).is_ok();
    let payload_ok = !payload.contains('.') && strict(payload).is_ok();
    let signature_ok = strict(&sig_text).is_ok_and(|s| s == signature);

    let verified = verifier.verify_token(&token);
    if !(header_ok && payload_ok && signature_ok) {
        assert!(
            verified.is_err(),
            "accepted a segment base64 strict refuses: header {header_ok}, payload {payload_ok}, signature {signature_ok}"
        );
    }
    if let Ok(verified) = &verified {
        assert_eq!(strict(payload).unwrap(), verified.payload_json());
        assert!(strict(header).is_ok());
    }
    let unverified = dangerous::decode_unverified::<serde_json::Value>(&token);
    if !(header_ok && payload_ok) {
        let e = unverified.expect_err("decode_unverified accepted a segment base64 strict refuses");
        assert_eq!(e.kind().code(), "malformed");
    }
});
