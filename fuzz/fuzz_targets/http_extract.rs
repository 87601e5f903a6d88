//! HTTP credential extraction and the RFC 6750 answer: a request built from the fuzzer's query
//! string and header lines (Authorization, Cookie, custom headers, repeated headers), read by
//! one of four `TokenLocations` (the default `Authorization: Bearer`; cookie + query; a custom
//! header; custom header + cookie + query, so a token can be in two places), required or
//! optional, with a fuzzed realm; the token found is then verified. Properties: the same answer
//! from the `Request`, its `Parts` and `HeadersAndQuery`; a token found is RFC 6750 `b64token`
//! syntax and one of the request's values; every rejection (missing, invalid request, invalid
//! token, insufficient scope with fuzzed scope names) has an RFC 6750-safe description that
//! does not echo the token and a `WWW-Authenticate` value that is a valid header value. And the
//! middleware's own decision (`BearerGuard::admit`, what both adapters call: it scans for the
//! token without the syntax check, looks it up in the verified-token cache, and checks it only
//! on a miss) is the answer of extracting and then verifying: the same claims, or the same
//! status, code and description, three times over (the third a hit for a valid token). Its
//! guards also live across inputs, so their caches hold the valid tokens the fuzzer repeats and
//! hits meet every request shape around them.
//!
//! Input: `flags query LF realm LF scope LF (name ':' value LF)*`.
#![no_main]

use std::sync::LazyLock;

use jwt_guard_core::__private::{Admission, BearerGuard};
use jwt_guard_core::http::{
    BearerAuth, HeadersAndQuery, Rejection, RejectionKind, RequiredScopes, TokenLocations,
};
use jwt_guard_core::{Algorithm, ManualClock, Verifier};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(hmac_key())
        .skip_audience_check()
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap()
});

fn locations(which: u8) -> TokenLocations {
    match which % 4 {
        0 => TokenLocations::new(),
        1 => TokenLocations::nowhere()
            .cookie("tok")
            .query("access_token"),
        2 => TokenLocations::new().header("X-Token"),
        _ => TokenLocations::new()
            .header("x-token")
            .cookie("session")
            .query("at"),
    }
}

/// One guard per `TokenLocations` and mode (flags bits 0-2), each with the verified-token cache
/// on (the default), kept across inputs.
static GUARDS: LazyLock<Vec<BearerGuard<Fuzz>>> = LazyLock::new(|| {
    (0..8u8)
        .map(|i| {
            let auth = BearerAuth::new(VERIFIER.clone()).with_token_locations(locations(i & 3));
            BearerGuard::new(if i & 4 != 0 { auth.optional() } else { auth })
        })
        .collect()
});

/// What a request gets: none (anonymous), the claims, or the status, code and description.
type Decision = Option<Result<Vec<u8>, (u16, String, String)>>;

fn refused(rejection: &Rejection) -> (u16, String, String) {
    (
        rejection.status().as_u16(),
        rejection.error_code().to_owned(),
        rejection.description().into_owned(),
    )
}

fn b64token(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

fuzz_target!(|data: &[u8]| {
    let [flags, rest @ ..] = data else {
        return;
    };
    let mut lines = rest.split(|b| *b == b'\n');
    let query = lines.next().unwrap_or_default();
    let realm = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let scope = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let Ok(query) = std::str::from_utf8(query) else {
        return;
    };
    let mut builder = http::Request::get("/");
    if !query.is_empty() {
        let Ok(uri) = http::Uri::try_from(format!("/p?{query}")) else {
            return;
        };
        builder = builder.uri(uri);
    }
    let mut values: Vec<&[u8]> = Vec::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name),
            http::HeaderValue::from_bytes(value),
        ) else {
            continue;
        };
        values.push(&line[colon + 1..]);
        builder = builder.header(name, value);
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let mut auth = BearerAuth::new(VERIFIER.clone())
        .with_token_locations(locations(flags & 3))
        .with_realm(&realm);
    if flags & 4 != 0 {
        auth = auth.optional();
    }
    let extracted = auth.extract(&request);
    let (parts, ()) = request.clone().into_parts();
    let from_parts = auth.extract(&parts).map(|t| t.map(|t| t.into_string()));
    let guard = &GUARDS[usize::from(flags & 7)];
    let decide = || -> Decision {
        match guard.admit(&parts) {
            Admission::Refuse(refusal) => Some(Err(refused(refusal.rejection()))),
            Admission::Anonymous => None,
            Admission::Pass(passed) => Some(Ok(passed.token.payload_json().to_vec())),
            Admission::Verify(verification) => Some(
                block_on(verification)
                    .map(|passed| passed.token.payload_json().to_vec())
                    .map_err(|refusal| refused(refusal.rejection())),
            ),
        }
    };
    let split = HeadersAndQuery {
        headers: request.headers(),
        query: request.uri().query(),
    };
    let from_split = auth.extract(&split).map(|t| t.map(|t| t.into_string()));
    let summary = |r: &Result<Option<String>, jwt_guard_core::http::Rejection>| match r {
        Ok(t) => Ok(t.clone()),
        Err(e) => Err((e.status(), e.description())),
    };
    let ours = extracted
        .as_ref()
        .map(|t| t.as_ref().map(|t| t.as_str().to_owned()));
    let ours = match &ours {
        Ok(t) => Ok(t.clone()),
        Err(e) => Err((e.status(), e.description())),
    };
    assert_eq!(ours, summary(&from_parts), "Request and Parts disagree");
    assert_eq!(
        ours,
        summary(&from_split),
        "Request and HeadersAndQuery disagree"
    );

    let longest = values
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .chain(std::iter::once(query.to_owned()))
        .max_by_key(String::len)
        .unwrap_or_default();
    let expected: Decision = match &extracted {
        Err(rejection) => Some(Err(refused(rejection))),
        Ok(None) => None,
        Ok(Some(token)) => Some(
            block_on(auth.verify(token.as_str()))
                .map(|verified| verified.payload_json().to_vec())
                .map_err(|rejection| refused(&rejection)),
        ),
    };
    // Three times: a valid token is kept at its second verification, so the third is a hit
    // within this input (a crash on the hit path replays from its input alone).
    for _ in 0..3 {
        assert_eq!(
            decide(),
            expected,
            "the middleware and extract-then-verify disagree"
        );
    }
    match extracted {
        Ok(Some(token)) => {
            let token = token.as_str();
            assert!(
                b64token(token),
                "extracted a token outside b64token: {token:?}"
            );
            let in_request = values
                .iter()
                .any(|v| String::from_utf8_lossy(v).contains(token))
                || query.contains(token)
                || form_decoded_contains(query, token);
            assert!(in_request, "extracted a token the request does not carry");
            match block_on(auth.verify(token)) {
                Ok(verified) => {
                    if let Ok(required) = RequiredScopes::try_all(scope.split(' '))
                        && let Err(rejection) = auth.check_scopes(&verified, &required)
                    {
                        check_rejection(&rejection, token);
                    }
                }
                Err(rejection) => check_rejection(&rejection, token),
            }
        }
        Ok(None) => assert!(auth.is_optional(), "no token, required mode, but Ok(None)"),
        Err(rejection) => check_rejection(&rejection, &longest),
    }
    if let Ok(required) = RequiredScopes::try_any(scope.split(',')) {
        check_rejection(&auth.reject(RejectionKind::InsufficientScope(required)), "");
    }
    check_rejection(&auth.missing_token(), "");
});

fn form_decoded_contains(query: &str, token: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(_, v)| v.contains(token))
}
