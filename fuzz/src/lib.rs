//! Shared pieces of the fuzz targets: the test keys, signing fuzzer-supplied bytes, and the
//! properties every refusal must have (RFC 6750-safe description that never echoes the token, a
//! `WWW-Authenticate` value that is a valid header value). See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard_core::http::{BearerAuth, Rejection};
use jwt_guard_core::{Algorithm, Key};

/// The adapter type of the targets that go through the middleware's own decision
/// (`BearerGuard::admit`, what both framework adapters call): no response type of a framework.
pub enum Fuzz {}

impl jwt_guard_core::__private::Adapter for Fuzz {
    type Response = ();
    const MIDDLEWARE: &'static str = "FuzzMiddleware";
    const HOW_TO_ADD: &'static str = "fuzz";
    const ORDER_HINT: &'static str = "fuzz";
}

/// The fixed time every verifier's clock shows (2023-11-14T22:13:20Z), unless a target says.
pub const NOW: i64 = 1_700_000_000;
/// The issuer and audience the configured verifiers expect.
pub const ISSUER: &str = "https://issuer.example";
/// See [`ISSUER`].
pub const AUDIENCE: &str = "api";

macro_rules! fixture {
    ($file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/jwt-guard-core/tests/fixtures/keys/",
            $file
        ))
    };
}

/// The HMAC secret (32 bytes) of the test keys.
pub const HS256_SECRET: &str = fixture!("hs256.secret");
/// Test key PEMs (published test keys, never secret).
pub const RSA_PRIVATE: &str = fixture!("rsa2048.key.pem");
/// See [`RSA_PRIVATE`].
pub const RSA_PUBLIC: &str = fixture!("rsa2048.pub.pem");
/// See [`RSA_PRIVATE`].
pub const P256_PRIVATE: &str = fixture!("p256.key.pem");
/// See [`RSA_PRIVATE`].
pub const P256_PUBLIC: &str = fixture!("p256.pub.pem");
/// See [`RSA_PRIVATE`].
pub const P384_PUBLIC: &str = fixture!("p384.pub.pem");
/// See [`RSA_PRIVATE`].
pub const P521_PUBLIC: &str = fixture!("p521.pub.pem");
/// See [`RSA_PRIVATE`].
pub const ED25519_PRIVATE: &str = fixture!("ed25519.key.pem");
/// See [`RSA_PRIVATE`].
pub const ED25519_PUBLIC: &str = fixture!("ed25519.pub.pem");

/// A key from a PEM fixture.
pub fn pem_key(pem: &str) -> Key {
    Key::from_pem(pem).expect("test key fixture")
}

/// The HMAC test key.
pub fn hmac_key() -> Key {
    Key::hmac(HS256_SECRET.as_bytes()).expect("hmac test key")
}

/// base64url without padding (the `base64` crate; what a JWS segment must be).
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `b64(header).b64(payload).b64(signature)`, the signature made with `key` for `alg` over the
/// fuzzer-supplied bytes (so the token is validly signed whatever they are).
pub fn sign_compact(key: &Key, alg: Algorithm, header: &[u8], payload: &[u8]) -> String {
    let mut input = b64(header);
    input.push('.');
    input.push_str(&b64(payload));
    sign_input(key, alg, input)
}

/// `input.b64(signature over input)`: `input` is the signing input as it will appear.
pub fn sign_input(key: &Key, alg: Algorithm, mut input: String) -> String {
    let signature = key.sign(alg, input.as_bytes()).expect("test key signs");
    input.push('.');
    input.push_str(&b64(&signature));
    input
}

/// Splits `data` at its first NUL: (header bytes, payload bytes). No NUL: all header.
pub fn split_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// RFC 6750 §3: `error_description` values are `%x20-21 / %x23-5B / %x5D-7E`.
pub fn rfc6750_safe(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// The properties of every refusal: the status fits the kind; the description is RFC 6750-safe
/// and does not echo the token (text built at run time must not contain it; fixed `'static` text
/// cannot hold it, whatever a fuzzer makes the token equal to); the `WWW-Authenticate` value is
/// exactly `Bearer realm="..", error="..", error_description=".."` (plus `scope` for
/// insufficient_scope) built from those parts, so it cannot echo the token either, and it parses
/// as an `http::HeaderValue` on its own (not through the crate's fallback); the body is the JSON
/// object of the same code and description.
pub fn check_rejection(rejection: &Rejection, token: &str) {
    let description = rejection.description();
    assert!(
        rfc6750_safe(&description),
        "description not RFC 6750-safe: {description:?}"
    );
    if let std::borrow::Cow::Owned(text) = &description {
        assert!(
            token.len() < 8 || !text.contains(token),
            "description echoes the token: {text:?}"
        );
    }
    let status = rejection.status().as_u16();
    assert!(
        matches!(status, 400 | 401 | 403 | 500),
        "unexpected status {status}"
    );
    let realm = rejection.realm();
    assert!(rfc6750_safe(realm), "realm not RFC 6750-safe: {realm:?}");
    match rejection.www_authenticate() {
        Some(value) => {
            assert!(
                http::HeaderValue::from_str(&value).is_ok(),
                "WWW-Authenticate is not a header value: {value:?}"
            );
            let bare = format!("Bearer realm=\"{realm}\"");
            if rejection.bearer_error().is_none() {
                assert_eq!(value, bare, "a missing token gets the bare challenge");
                assert_eq!(status, 401);
            } else {
                let expected = format!(
                    "{bare}, error=\"{}\", error_description=\"{description}\"",
                    rejection.error_code()
                );
                assert!(
                    value == expected
                        || (status == 403 && value.starts_with(&format!("{expected}, scope=\""))),
                    "WWW-Authenticate {value:?} is not {expected:?}"
                );
            }
        }
        // A server fault has no challenge, nor does a failed CSRF check (403 `csrf_failed`:
        // the token was fine, the request was not; README, browser sessions).
        None => assert!(
            status == 500 || (status == 403 && rejection.error_code() == "csrf_failed"),
            "only a server fault and a CSRF refusal have no challenge: {status}"
        ),
    }
    assert!(
        rejection.www_authenticate_header().is_some()
            || status == 500
            || rejection.error_code() == "csrf_failed"
    );
    let body: serde_json::Value =
        serde_json::from_str(&rejection.json_body()).expect("the body is JSON");
    assert_eq!(
        body["error"].as_str(),
        Some(rejection.error_code()),
        "body: {body}"
    );
    assert_eq!(
        body["error_description"].as_str(),
        Some(&*description),
        "body: {body}"
    );
}

/// The top-level members of a JSON object, each as `serde_json::Value` reads it on its own:
/// `None` for a member that is valid JSON text but that a `Value` cannot hold (a number outside
/// f64's range, an unpaired surrogate escape: RFC 8259 §6 and §8.2 leave both to the
/// implementation; jwt-guard accepts them in members it does not read, FUZZING.md). `None` for
/// the whole when the text is not a JSON object.
pub fn members(json: &[u8]) -> Option<BTreeMap<String, Option<serde_json::Value>>> {
    let raw: BTreeMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_slice(json).ok()?;
    Some(
        raw.into_iter()
            .map(|(name, value)| (name, serde_json::from_str(value.get()).ok()))
            .collect(),
    )
}

/// Whether the text is a JSON object that `serde_json::Value` can hold whole.
pub fn representable(json: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(json).is_ok()
}

/// [`check_rejection`] on the answer `auth` gives for a verification error.
pub fn check_error(auth: &BearerAuth, error: jwt_guard_core::Error, token: &str) {
    let code = error.kind().code();
    assert!(!code.is_empty());
    check_rejection(&auth.reject_error(error), token);
}

/// Polls a future that never waits (no remote source here) to completion.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The rules a verifier was configured with, to check an accepted token's claims against
/// independently of jwt-guard (read from the payload with `serde_json`).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// The clock.
    pub now: i64,
    /// Leeway in seconds.
    pub leeway: i64,
    /// Accepted issuers (empty: not checked).
    pub issuers: Vec<String>,
    /// Accepted audiences (empty: a token with `aud` must be refused, unless `skip_aud`).
    pub audiences: Vec<String>,
    /// `aud` not checked.
    pub skip_aud: bool,
    /// Exact `sub`.
    pub subject: Option<String>,
    /// `exp` required.
    pub require_exp: bool,
    /// Claims that must be present and not null.
    pub required: Vec<String>,
    /// Maximum age from `iat`.
    pub max_age: Option<i64>,
}

/// A NumericDate as an integer, a float rounded down: what `exp` and `max_age` read (jwt-guard
/// rounds `nbf` and `iat` up for their own rules, the stricter side, which the checks below
/// accept either way).
fn numeric_date(value: &serde_json::Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    let f = value.as_f64()?;
    Some(f.floor() as i64)
}

impl Rules {
    /// Panics unless the payload of an accepted token meets every rule.
    pub fn check_accepted(&self, payload: &[u8]) {
        let obj = members(payload).expect("an accepted payload is a JSON object");
        // A member jwt-guard reads must be one a `Value` holds; other members may not be.
        let get = |name: &str| {
            obj.get(name).map(|v| {
                v.as_ref()
                    .unwrap_or_else(|| panic!("accepted unrepresentable {name}"))
            })
        };
        let date = |name: &str| get(name).map(|v| numeric_date(v).expect("a number"));
        match date("exp") {
            Some(exp) => assert!(exp > self.now - self.leeway, "accepted expired: {exp}"),
            None => assert!(!self.require_exp, "accepted without exp"),
        }
        if let Some(nbf) = date("nbf") {
            assert!(nbf <= self.now + self.leeway, "accepted before nbf: {nbf}");
        }
        if let Some(iat) = date("iat") {
            assert!(
                iat <= self.now + self.leeway,
                "accepted iat in the future: {iat}"
            );
        }
        if let Some(max_age) = self.max_age {
            let iat = date("iat").expect("max_age needs iat");
            assert!(self.now - iat <= max_age + self.leeway, "accepted too old");
        }
        if !self.issuers.is_empty() {
            let iss = get("iss").and_then(|v| v.as_str()).expect("iss string");
            assert!(
                self.issuers.iter().any(|i| i == iss),
                "accepted issuer {iss:?}"
            );
        }
        if !self.skip_aud {
            match get("aud") {
                None => assert!(self.audiences.is_empty(), "accepted without aud"),
                Some(aud) => {
                    let names: Vec<&str> = match aud {
                        serde_json::Value::String(s) => vec![s.as_str()],
                        serde_json::Value::Array(a) => {
                            a.iter().map(|v| v.as_str().expect("aud strings")).collect()
                        }
                        other => panic!("accepted aud {other}"),
                    };
                    assert!(
                        names.iter().any(|n| self.audiences.iter().any(|a| a == n)),
                        "accepted audience {names:?}"
                    );
                }
            }
        }
        if let Some(sub) = &self.subject {
            assert_eq!(get("sub").and_then(|v| v.as_str()), Some(sub.as_str()));
        }
        for name in &self.required {
            assert!(
                obj.get(name)
                    .is_some_and(|v| v.as_ref().is_none_or(|v| !v.is_null())),
                "accepted without required {name}"
            );
        }
    }
}

/// Whether a JSON object (top level) repeats a member name: `Some(true)`/`Some(false)`, or
/// `None` if the text is not a JSON object at all.
pub fn has_duplicate_names(json: &[u8]) -> Option<bool> {
    use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut seen = HashSet::new();
            let mut dup = false;
            while let Some(key) = map.next_key::<String>()? {
                dup |= !seen.insert(key);
                map.next_value::<IgnoredAny>()?;
            }
            Ok(dup)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    let dup = de.deserialize_map(V).ok()?;
    de.end().ok()?;
    Some(dup)
}

/// Every string member of every object in a JSON text, at any depth, duplicates included, as
/// `(name, value)` in document order (`serde_json::Value` keeps only the last of a repeated
/// name; a reader that keeps the first sees another value). Empty if the text is not JSON.
pub fn string_members(json: &str) -> Vec<(String, String)> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Collect<'v>(&'v mut Vec<(String, String)>);
    impl<'de> DeserializeSeed<'de> for Collect<'_> {
        type Value = Option<String>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Collect<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_str<E>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
            while seq.next_element_seed(Collect(&mut *self.0))?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            while let Some(name) = map.next_key::<String>()? {
                if let Some(value) = map.next_value_seed(Collect(&mut *self.0))? {
                    self.0.push((name, value));
                }
            }
            Ok(None)
        }
    }
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(json);
    if Collect(&mut out).deserialize(&mut de).is_err() {
        out.clear();
    }
    out
}

/// A key source like a remote JWK Set: the keys come from a JWKS document and are read through
/// [`jwt_guard_core::KeySource`] (snapshot per verification, never refreshed here).
#[derive(Debug)]
pub struct FixedSource(pub Arc<jwt_guard_core::KeySet>);

impl jwt_guard_core::KeySource for FixedSource {
    fn current(&self) -> Option<Arc<jwt_guard_core::KeySet>> {
        Some(Arc::clone(&self.0))
    }

    fn refresh(
        &self,
    ) -> std::pin::Pin<Box<dyn Future<Output = Option<Arc<jwt_guard_core::KeySet>>> + Send + '_>>
    {
        let keys = Arc::clone(&self.0);
        Box::pin(async move { Some(keys) })
    }
}

/// `shown` with every one of `public` taken out, longest first (taking out a short one first
/// could break up a longer one), each both as written and as `Debug` escapes it (`\u{7f}` for
/// DEL): what is left is what `shown` says on its own, for a search for secrets. A fuzzer can
/// put a secret inside a public value (a `kid`, a file path), which may be shown by design.
pub fn without_public<S: AsRef<str>>(shown: &str, public: &[S]) -> String {
    let mut forms: Vec<String> = public
        .iter()
        .map(AsRef::as_ref)
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            let debug = format!("{p:?}");
            [p.to_owned(), debug[1..debug.len() - 1].to_owned()]
        })
        .collect();
    forms.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut scrubbed = shown.to_owned();
    for p in forms {
        scrubbed = scrubbed.replace(p.as_str(), "");
    }
    scrubbed
}
