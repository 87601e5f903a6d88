//! Browser sessions (issue 14): session cookies and the CSRF double-submit check, through the
//! middleware's own decision (`BearerGuard::admit`, what both adapters call). A request from the
//! fuzzer (method, header lines: `Cookie`, `X-CSRF-Token`, `Authorization`, ...) may also carry
//! the access cookie of a real login and its CSRF value, as two flag bits say. Properties: a
//! request passes only with a valid token; a token taken from the cookie on an unsafe method
//! (`POST`, `PUT`, `PATCH`, `DELETE`, or one the request does not name) passes only when exactly
//! one CSRF header equals the token's `csrf` claim, and is refused 403 `csrf_failed` otherwise;
//! a token in `Authorization` is never asked for one; every refusal's answer is RFC 6750-safe and
//! never echoes the token.
//!
//! Input: `flags method LF (name ':' value LF)*`.
#![no_main]

use std::sync::LazyLock;

use jwt_guard_core::__private::{Admission, BearerGuard};
use jwt_guard_core::http::{BearerAuth, Rejection};
use jwt_guard_core::sessions::TokenIssuer;
use jwt_guard_core::sessions::cookies::{CookieSettings, SessionCookies};
use jwt_guard_core::{Algorithm, Key, ManualClock};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

struct Setup {
    guard: BearerGuard<Fuzz>,
    /// The access cookie's name and value, and its CSRF value, from a real login.
    access: (String, String),
    csrf: String,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let issuer = TokenIssuer::builder(
        Key::hmac(HS256_SECRET.as_bytes()).unwrap(),
        Algorithm::HS256,
    )
    .issuer("https://fuzz.example")
    .audience("api")
    .clock(ManualClock::new(NOW))
    .build()
    .unwrap();
    let cookies = SessionCookies::new(issuer, CookieSettings::default()).unwrap();
    let set = cookies.login("ada", &serde_json::json!({})).unwrap();
    let pair = |i: usize| {
        let v = set.values()[i].to_str().unwrap();
        let (name, value) = v.split(';').next().unwrap().split_once('=').unwrap();
        (name.to_owned(), value.to_owned())
    };
    let access = pair(0);
    let csrf = pair(1).1;
    let auth = BearerAuth::new(cookies.issuer().access_verifier().clone())
        .with_token_locations(cookies.access_locations())
        .with_session_cookies(cookies.clone());
    Setup {
        guard: BearerGuard::new(auth),
        access,
        csrf,
    }
});

const UNSAFE: [&str; 4] = ["POST", "PUT", "PATCH", "DELETE"];

fn refused(rejection: &Rejection, token: &str) -> String {
    check_rejection(rejection, token);
    if rejection.error_code() == "csrf_failed" {
        assert_eq!(rejection.status(), 403);
    }
    rejection.error_code().to_owned()
}

fuzz_target!(|data: &[u8]| {
    let [flags, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let setup = &*SETUP;
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or("");
    let mut builder = http::Request::builder().uri("/");
    if !method.is_empty() {
        builder = builder.method(method);
    }
    let mut cookie_values: Vec<String> = Vec::new();
    let mut csrf_values: Vec<String> = Vec::new();
    let mut authorization = false;
    let mut add = |builder: http::request::Builder, name: &str, value: &str| {
        let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) else {
            return builder;
        };
        match n.as_str() {
            "cookie" => cookie_values.push(value.to_owned()),
            "x-csrf-token" => csrf_values.push(value.to_owned()),
            "authorization" => authorization = true,
            _ => {}
        }
        builder.header(n, v)
    };
    if flags & 1 != 0 {
        let cookie = format!("{}={}", setup.access.0, setup.access.1);
        builder = add(builder, "cookie", &cookie);
    }
    if flags & 2 != 0 {
        builder = add(builder, "x-csrf-token", &setup.csrf.clone());
    }
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            builder = add(builder, name, value.trim_matches(' '));
        }
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let (parts, ()) = request.into_parts();
    // What the request carries that could be the token (for the echo check).
    let token = setup.access.1.as_str();
    let outcome = match setup.guard.admit(&parts) {
        Admission::Refuse(refusal) => Err(refused(refusal.rejection(), token)),
        Admission::Anonymous => panic!("required mode never passes a request anonymous"),
        // The real login's token once the verified-token cache holds it (the guard lives
        // across inputs): answered without a future, by the same rules.
        Admission::Pass(passed) => Ok(passed),
        Admission::Verify(verification) => match block_on(verification) {
            Ok(passed) => Ok(passed),
            Err(refusal) => Err(refused(refusal.rejection(), token)),
        },
    };
    // The request the middleware saw: one cookie header holding exactly the real login's
    // access cookie, no Authorization, a method (or none: unsafe).
    let only_real_cookie = flags & 1 != 0 && cookie_values.len() == 1 && !authorization;
    let unsafe_method = parts.method.as_str().is_empty()
        || UNSAFE
            .iter()
            .any(|m| m.eq_ignore_ascii_case(parts.method.as_str()));
    let csrf_ok = csrf_values.len() == 1 && csrf_values[0] == setup.csrf;
    match &outcome {
        Ok(passed) => {
            // Whatever passed was a real token: the login's (the only valid one here).
            assert_eq!(
                passed.token.registered().unwrap().sub.as_deref(),
                Some("ada")
            );
            if only_real_cookie && unsafe_method {
                assert!(
                    csrf_ok,
                    "a cookie token passed an unsafe method without its CSRF value"
                );
            }
        }
        Err(code) => {
            if only_real_cookie {
                if !unsafe_method || csrf_ok {
                    panic!(
                        "the login's own cookie refused ({code}) on {:?}",
                        parts.method
                    );
                }
                assert_eq!(code, "csrf_failed");
            }
        }
    }
});
