//! What a remote key set fetch reads from the network besides the JWK Set (which `jwk` covers):
//! the OpenID provider metadata document of OIDC discovery, and a redirect answer's `Location`.
//! Both are private (`jwt_guard_core::remote::__fuzz`, compiled only with `--cfg fuzzing`).
//!
//! Properties. Discovery: a `jwks_uri` is returned only when the document is a JSON object
//! whose `issuer` is exactly the configured one (OIDC Discovery §4.3) and whose `jwks_uri` is
//! that URL, `https` (or `http` to loopback, or anywhere with `allow_http`), with a host and no
//! credentials; a document with one `issuer` and one `jwks_uri` meeting that rule is not
//! refused. Redirects: followed only with the same-origin policy, fewer than five times, to the
//! `Location` resolved against the answering URL, on the origin first asked for, never from
//! `https` to `http`, never with credentials, and such a `Location` is followed.
//!
//! Input: `flags issuer LF body` (flags bit 0: `allow_http`; bit 1: the redirect case instead,
//! then `flags asked LF from LF location`, bits 2-4 the redirects followed so far, bit 5 the
//! same-origin policy).
#![no_main]

use jwt_guard_core::remote::__fuzz;
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;
use url::Url;

/// The fetch rule for a URL, written out independently of the crate's.
fn fetchable(url: &Url, allow_http: bool) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name
            .strip_suffix('.')
            .unwrap_or(name)
            .eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    };
    url.username().is_empty()
        && url.password().is_none()
        && url.host_str().is_some_and(|h| !h.is_empty())
        && (url.scheme() == "https" || (url.scheme() == "http" && (allow_http || loopback)))
}

fn discovery(issuer: &str, body: &[u8], allow_http: bool) {
    let answer = __fuzz::discovery_jwks_uri(body, issuer, allow_http);
    // The document as a JSON object, member by member (a member the crate does not read may
    // hold what a `Value` cannot, as for tokens: FUZZING.md, finding 3).
    let object = members(body);
    let text = |name: &str| {
        object
            .as_ref()
            .and_then(|o| o.get(name))
            .and_then(|v| v.as_ref())
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match &answer {
        Ok(url) => {
            assert_eq!(
                text("issuer").as_deref(),
                Some(issuer),
                "a document of another issuer was taken"
            );
            let named = text("jwks_uri").expect("a jwks_uri string");
            assert_eq!(Url::parse(&named).ok().as_ref(), Some(url));
            assert!(
                fetchable(url, allow_http),
                "jwks_uri {url} may not be fetched"
            );
        }
        Err(why) => {
            assert!(!why.is_empty());
            // A clean document meeting every rule is taken.
            let clean = has_duplicate_names(body) == Some(false)
                && std::str::from_utf8(body).is_ok()
                && serde_json::from_slice::<serde_json::Value>(body).is_ok();
            if clean
                && text("issuer").as_deref() == Some(issuer)
                && let Some(named) = text("jwks_uri")
                && let Ok(url) = Url::parse(&named)
                && fetchable(&url, allow_http)
            {
                panic!("a valid document was refused: {why}");
            }
        }
    }
}

fn redirect(flags: u8, asked: &str, from: &str, location: &[u8]) {
    let (Ok(asked), Ok(from)) = (Url::parse(asked), Url::parse(from)) else {
        return;
    };
    // Both were fetched, so both passed the fetch rule (`http` or `https`, a host). Other bases
    // reach a debug assertion of the `url` crate in `join` (a `file:` base whose last segment
    // looks like a drive letter, servo/rust-url#1114), which no fetch of this crate can meet.
    if !fetchable(&asked, true) || !fetchable(&from, true) {
        return;
    }
    let allow_http = flags & 1 != 0;
    let followed = usize::from((flags >> 2) & 7);
    let same_origin = flags & 0x20 != 0;
    let location = http::HeaderValue::from_bytes(location).ok();
    let answer = __fuzz::redirect_target(
        same_origin,
        &asked,
        &from,
        location.as_ref(),
        followed,
        allow_http,
    );
    let resolved = location
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| from.join(v).ok());
    match &answer {
        Ok(to) => {
            assert!(same_origin, "a redirect followed with redirects off");
            assert!(
                followed < __fuzz::MAX_REDIRECTS,
                "too many redirects followed"
            );
            assert_eq!(Some(to), resolved.as_ref(), "not where Location points");
            assert_eq!(to.origin(), asked.origin(), "a redirect to another origin");
            assert!(
                !(asked.scheme() == "https" && to.scheme() == "http"),
                "a downgrade"
            );
            assert!(
                fetchable(to, allow_http),
                "a redirect to {to} that may not be fetched"
            );
        }
        Err(why) => {
            assert!(!why.is_empty());
            if same_origin
                && followed < __fuzz::MAX_REDIRECTS
                && let Some(to) = &resolved
                && to.origin() == asked.origin()
                && !(asked.scheme() == "https" && to.scheme() == "http")
                && fetchable(to, allow_http)
            {
                panic!("a redirect within the rules was not followed: {why}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, rest @ ..] = data else {
        return;
    };
    let mut lines = rest.splitn(3, |b| *b == b'\n');
    let Ok(first) = std::str::from_utf8(lines.next().unwrap_or_default()) else {
        return;
    };
    if flags & 2 == 0 {
        let body = rest.get(first.len() + 1..).unwrap_or_default();
        discovery(first, body, flags & 1 != 0);
    } else {
        let Ok(second) = std::str::from_utf8(lines.next().unwrap_or_default()) else {
            return;
        };
        let location = lines.next().unwrap_or_default();
        redirect(*flags, first, second, location);
    }
});
