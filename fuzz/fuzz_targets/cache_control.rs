//! `Cache-Control` (and `Age`) of a JWK Set response, read by the remote key set's fetch policy
//! (through the core's `--cfg fuzzing` entry point `remote::__fuzz::ttl_for`; the parser is
//! private and only reachable through a real HTTP fetch otherwise). Properties: no panic; the
//! lifetime is the configured TTL without a `Cache-Control` header, and always within
//! `min_ttl..=max_ttl` or equal to the TTL; `no-store`/`no-cache` give `min_ttl`; a single plain
//! `max-age=N` without `Age` gives `N` clamped to the bounds.
//!
//! Input: `min max ttl (name ':' value LF)*` (three bytes: seconds scaled by 60).
#![no_main]

use std::time::Duration;

use http::HeaderMap;
use jwt_guard_core::remote::__fuzz::ttl_for;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, c, rest @ ..] = data else {
        return;
    };
    let mut bounds = [u64::from(*a) * 60, u64::from(*b) * 60, u64::from(*c) * 60];
    bounds.sort_unstable();
    let [min, ttl, max] = bounds.map(Duration::from_secs);
    let mut headers = HeaderMap::new();
    for line in rest.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = match &line[..colon] {
            b"c" | b"cache-control" => http::header::CACHE_CONTROL,
            b"a" | b"age" => http::header::AGE,
            other => match http::HeaderName::from_bytes(other) {
                Ok(name) => name,
                Err(_) => continue,
            },
        };
        if let Ok(value) = http::HeaderValue::from_bytes(&line[colon + 1..]) {
            headers.append(name, value);
        }
    }
    let lifetime = ttl_for(&headers, ttl, min, max);
    assert!(
        lifetime == ttl || (min..=max).contains(&lifetime),
        "lifetime {lifetime:?} outside {min:?}..={max:?} (ttl {ttl:?})"
    );
    let controls: Vec<&[u8]> = headers
        .get_all(http::header::CACHE_CONTROL)
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    if controls.is_empty() {
        assert_eq!(lifetime, ttl, "no Cache-Control: the TTL");
    }
    if controls
        .iter()
        .any(|v| matches!(v.to_ascii_lowercase().as_slice(), b"no-store" | b"no-cache"))
    {
        assert_eq!(lifetime, min, "no-store/no-cache: the shortest lifetime");
    }
    if let [only] = controls.as_slice()
        && headers.get(http::header::AGE).is_none()
        && let Some(n) = only
            .strip_prefix(b"max-age=")
            .and_then(|n| std::str::from_utf8(n).ok())
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u64>().ok())
    {
        assert_eq!(
            lifetime,
            Duration::from_secs(n).clamp(min, max),
            "max-age={n}"
        );
    }
});
