//! Framework-free HTTP helpers shared by the adapters: where a request carries its access token,
//! what a Bearer credential looks like, which status and `WWW-Authenticate` answer each failure
//! gets (RFC 6750), and scope checks. Depends on the `http` crate only; a framework on another
//! `http` version (actix-web) implements [`TokenSource`] for its request and reads a
//! [`Rejection`]'s parts ([`Rejection::status`], [`Rejection::www_authenticate`],
//! [`Rejection::json_body`]).
//!
//! Every decision an adapter needs is one call: [`BearerAuth::extract`] finds the token (or says
//! why the request is malformed), [`BearerAuth::verify`] checks it, [`BearerAuth::claims`] and
//! [`BearerAuth::check_scopes`] serve the handler ([`BearerAuth::required_claims`],
//! [`BearerAuth::optional_claims`] and [`BearerAuth::require_scopes`] take the token a middleware
//! stored, `None` for an anonymous request, so every adapter's extractors answer alike), and each
//! failure is a [`Rejection`] that knows its answer:
//!
//! | case | status | `WWW-Authenticate` | body `error` |
//! |---|---|---|---|
//! | no token anywhere | 401 | `Bearer realm="api"` | `missing_token` |
//! | token in two places, repeated, `Bearer` with no token, not b64token syntax | 400 | `Bearer realm="api", error="invalid_request", error_description="..."` | `invalid_request` |
//! | the token fails verification (any [`ErrorKind`] token fault) | 401 | `Bearer realm="api", error="invalid_token", error_description="..."` | `invalid_token` |
//! | a required scope is missing | 403 | `Bearer realm="api", error="insufficient_scope", error_description="...", scope="..."` | `insufficient_scope` |
//! | server misconfiguration (never a token fault) | 500 | (none) | `server_error` |
//!
//! The body is `{"error": "...", "error_description": "..."}`. Descriptions are fixed text in
//! RFC 6750's allowed characters and never echo the token.
//!
//! A framework adapter (`jwt-guard-axum`, `jwt-guard-actix`) builds on [`BearerGuard`], so that
//! it only converts its framework's request into a core call and the core's answer into its
//! framework's response: [`BearerGuard::admit`] decides what the middleware does with a request
//! ([`Admission`]: refuse, pass on anonymous, or verify first), [`Stored`] what each extractor
//! and scope guard answers from what the middleware stored (failing closed where no middleware
//! covers the route), and [`Refusal::respond`] whether the `on_error` hook or the default RFC
//! 6750 response answers a refusal. [`Adapter`] is what the adapter says about its framework.
//!
//! ```
//! use jwt_guard_core::http::{BearerAuth, TokenLocations};
//! use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = Key::hmac(b"an example secret of 32 bytes..!")?;
//! let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key.clone()).build()?;
//! let auth = BearerAuth::new(verifier)
//!     .with_locations(TokenLocations::new().cookie("session"))
//!     .with_realm("example");
//!
//! let token = Signer::new(key, Algorithm::HS256)?
//!     .encode(&serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}))?;
//! let request = http::Request::get("/me")
//!     .header("authorization", format!("Bearer {token}"))
//!     .body(())?;
//! let verified = block_on(auth.authenticate(&request))?.ok_or("no token")?;
//! let claims: serde_json::Value = auth.claims(&verified)?;
//! assert_eq!(claims["sub"], "ada");
//!
//! // The same token in the cookie too: RFC 6750 §2 says that is a malformed request.
//! let request = http::Request::get("/me")
//!     .header("authorization", format!("Bearer {token}"))
//!     .header("cookie", format!("session={token}"))
//!     .body(())?;
//! let rejection = auth.extract(&request).unwrap_err();
//! assert_eq!(rejection.status(), http::StatusCode::BAD_REQUEST);
//! assert_eq!(
//!     rejection.www_authenticate().as_deref(),
//!     Some(r#"Bearer realm="example", error="invalid_request", error_description="the request carries the access token in more than one place""#)
//! );
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use ::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use ::http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::config::VerifierConfig;
use crate::error::{BearerError, Error, ErrorKind, Result};
use crate::verifier::{VerifiedToken, Verifier};

/// The header read by default: `Authorization`, with the `Bearer` scheme (RFC 6750 §2.1).
pub const DEFAULT_HEADER: &str = "authorization";
/// The query parameter RFC 6750 §2.3 names, used for `query = true` in the `[token]` table.
pub const DEFAULT_QUERY_PARAM: &str = "access_token";
/// The `realm` of the `WWW-Authenticate` challenge unless one is set.
pub const DEFAULT_REALM: &str = "api";

// ---------------------------------------------------------------------------------------------
// Where the request comes from
// ---------------------------------------------------------------------------------------------

/// A request as token extraction sees it: header values by name and the raw query string.
///
/// Implemented for `http` 1.x's [`Request`], [`request::Parts`](::http::request::Parts) and
/// [`HeaderMap`] (no query). A framework on another `http` version implements it for a wrapper
/// around its own request type.
pub trait TokenSource {
    /// Every value of the header `name` (header names are case-insensitive), in order.
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, Self>;

    /// The raw query string (after `?`, without `#`), if the request has one.
    fn query(&self) -> Option<&str>;
}

impl TokenSource for HeaderMap {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s> {
        self.get_all(name).iter().map(HeaderValue::as_bytes)
    }

    fn query(&self) -> Option<&str> {
        None
    }
}

impl TokenSource for ::http::request::Parts {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s> {
        self.headers.header_values(name)
    }

    fn query(&self) -> Option<&str> {
        self.uri.query()
    }
}

impl<B> TokenSource for Request<B> {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, B> {
        self.headers().header_values(name)
    }

    fn query(&self) -> Option<&str> {
        self.uri().query()
    }
}

/// A header map and a query string, for callers that hold them apart.
#[derive(Debug, Clone, Copy)]
pub struct HeadersAndQuery<'a> {
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The raw query string, if any.
    pub query: Option<&'a str>,
}

impl<'a> TokenSource for HeadersAndQuery<'a> {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, 'a> {
        self.headers.header_values(name)
    }

    fn query(&self) -> Option<&str> {
        self.query
    }
}

// ---------------------------------------------------------------------------------------------
// Where the token may be
// ---------------------------------------------------------------------------------------------

/// Where requests may carry the access token: a header, a cookie, a query parameter (each
/// optional). The `[token]` table of a [`VerifierConfig`]:
///
/// ```toml
/// [token]
/// header = "authorization"   # the default; "Bearer <token>" (scheme case-insensitive)
/// # header = "x-access-token" # any other header carries the bare token ("Bearer " allowed)
/// # header = false           # no header at all
/// cookie = "access_token"    # a cookie of this name (off by default)
/// query = true               # `?access_token=...` (or a name; off by default: URLs get logged)
/// ```
///
/// Rules, all from RFC 6750:
/// - `Authorization` must hold `Bearer <b64token>` (§2.1): the scheme is case-insensitive, one
///   or more spaces, then `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
///   Another scheme (`Basic ...`) is not an access token: the request counts as having none.
///   `Bearer` with no token, or a token outside that syntax, is a malformed request (400
///   `invalid_request`), since the header is then not a valid Bearer credential.
/// - A custom header, cookie or query parameter holds the token itself, in the same syntax.
///   An empty cookie counts as absent (logging out often leaves one); an empty header or query
///   parameter is malformed.
/// - A token in more than one place, or a location repeated (two `Authorization` headers, two
///   cookies or parameters of the name) is `invalid_request` (§2: "MUST NOT use more than one
///   method").
///
/// Names that are not valid (an empty name, a header or cookie name with characters outside
/// RFC 9110's `token`) are refused when deserializing and by [`TokenLocations::check`]; the
/// builder methods do not check, and such a name never matches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawTokenLocations")]
pub struct TokenLocations {
    header: Option<String>,
    cookie: Option<String>,
    query: Option<String>,
}

impl Default for TokenLocations {
    fn default() -> Self {
        TokenLocations::new()
    }
}

impl TokenLocations {
    /// The default: the `Authorization: Bearer` header only.
    pub fn new() -> TokenLocations {
        TokenLocations {
            header: Some(DEFAULT_HEADER.to_owned()),
            cookie: None,
            query: None,
        }
    }

    /// No location at all, to add to (`TokenLocations::nowhere().cookie("session")`).
    pub fn nowhere() -> TokenLocations {
        TokenLocations {
            header: None,
            cookie: None,
            query: None,
        }
    }

    /// Reads the token from header `name` instead of `Authorization` (any other header holds
    /// the bare token; a `Bearer ` prefix is allowed).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>) -> TokenLocations {
        self.header = Some(name.into().to_ascii_lowercase());
        self
    }

    /// Reads no header.
    #[must_use]
    pub fn without_header(mut self) -> TokenLocations {
        self.header = None;
        self
    }

    /// Also reads the cookie `name`.
    #[must_use]
    pub fn cookie(mut self, name: impl Into<String>) -> TokenLocations {
        self.cookie = Some(name.into());
        self
    }

    /// Also reads the query parameter `name` (RFC 6750 §2.3 names it [`DEFAULT_QUERY_PARAM`];
    /// §5.3 advises against it: URLs end up in logs and browser history).
    #[must_use]
    pub fn query(mut self, name: impl Into<String>) -> TokenLocations {
        self.query = Some(name.into());
        self
    }

    /// The header read, lowercase, if any.
    pub fn header_name(&self) -> Option<&str> {
        self.header.as_deref()
    }

    /// The cookie read, if any.
    pub fn cookie_name(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// The query parameter read, if any.
    pub fn query_param(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Checks the names (what deserializing checks).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] naming `token.header`, `token.cookie` or `token.query`, or
    /// `token` when no location is left.
    pub fn check(&self) -> Result<()> {
        if let Some(name) = &self.header
            && !is_token(name)
        {
            return Err(Error::config(
                "token.header",
                "not a valid header name (RFC 9110 token characters only)",
            ));
        }
        if let Some(name) = &self.cookie
            && !is_token(name)
        {
            return Err(Error::config(
                "token.cookie",
                "not a valid cookie name (RFC 9110 token characters only)",
            ));
        }
        if let Some(name) = &self.query
            && (name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'&' | b'=' | b'#' | b'+')))
        {
            return Err(Error::config(
                "token.query",
                "not a usable query parameter name (visible ASCII other than & = # +)",
            ));
        }
        if self.header.is_none() && self.cookie.is_none() && self.query.is_none() {
            return Err(Error::config(
                "token",
                "at least one of header, cookie, query is needed",
            ));
        }
        Ok(())
    }

    /// Finds the access token in `request`.
    ///
    /// `Ok(None)` means the request carries no token at all (nor a `Bearer` credential).
    ///
    /// # Errors
    /// The [`InvalidRequest`] reason when the request is malformed: token in more than one
    /// place, a location repeated, `Bearer` with no token, a token outside b64token syntax, an
    /// empty header or query value.
    pub fn extract<'r, R: TokenSource + ?Sized>(
        &self,
        request: &'r R,
    ) -> Result<Option<BearerToken<'r>>, InvalidRequest> {
        let mut found = None;
        if let Some(name) = &self.header {
            let bearer_scheme = name.eq_ignore_ascii_case(DEFAULT_HEADER);
            if let Some(token) = header_token(request, name, bearer_scheme)? {
                place(&mut found, token)?;
            }
        }
        if let Some(name) = &self.cookie
            && let Some(token) = cookie_token(request, name)?
        {
            place(&mut found, token)?;
        }
        if let Some(name) = &self.query
            && let Some(query) = request.query()
            && let Some(token) = query_token(query, name)?
        {
            place(&mut found, token)?;
        }
        Ok(found)
    }
}

fn place<'r>(
    found: &mut Option<BearerToken<'r>>,
    token: BearerToken<'r>,
) -> Result<(), InvalidRequest> {
    if found.is_some() {
        return Err(InvalidRequest::MultipleLocations);
    }
    *found = Some(token);
    Ok(())
}

/// RFC 9110 `token` (header names, cookie names): `1*tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 6750 §2.1 `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn b64token(bytes: &[u8]) -> Result<&str, InvalidRequest> {
    if bytes.is_empty() {
        return Err(InvalidRequest::EmptyToken);
    }
    let body_len = bytes.len() - bytes.iter().rev().take_while(|b| **b == b'=').count();
    let (body, _padding) = bytes
        .split_at_checked(body_len)
        .ok_or(InvalidRequest::InvalidSyntax)?;
    let ok = !body.is_empty()
        && body.iter().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    if !ok {
        return Err(InvalidRequest::InvalidSyntax);
    }
    std::str::from_utf8(bytes).map_err(|_| InvalidRequest::InvalidSyntax)
}

/// Splits `Bearer <token>`: `Ok(None)` for another scheme (or an empty value).
fn parse_authorization(value: &[u8]) -> Result<Option<&str>, InvalidRequest> {
    let value = trim_ows(value);
    let (scheme, rest) = match value.iter().position(|b| *b == b' ') {
        Some(i) => value.split_at_checked(i).unwrap_or((value, &[])),
        None => (value, &[][..]),
    };
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Ok(None);
    }
    let token = trim_ows(rest);
    if token.is_empty() {
        return Err(InvalidRequest::EmptyBearer);
    }
    b64token(token).map(Some)
}

fn header_token<'r, R: TokenSource + ?Sized>(
    request: &'r R,
    name: &str,
    bearer_scheme: bool,
) -> Result<Option<BearerToken<'r>>, InvalidRequest> {
    let mut found = None;
    for value in request.header_values(name) {
        let token = if bearer_scheme {
            match parse_authorization(value)? {
                Some(token) => token,
                None => continue,
            }
        } else {
            let value = trim_ows(value);
            let value = match value.split_at_checked(7) {
                Some((prefix, rest)) if prefix.eq_ignore_ascii_case(b"bearer ") => trim_ows(rest),
                _ => value,
            };
            b64token(value)?
        };
        if found.is_some() {
            return Err(InvalidRequest::Repeated);
        }
        found = Some(BearerToken {
            token: Cow::Borrowed(token),
            location: TokenLocation::Header,
        });
    }
    Ok(found)
}

fn cookie_token<'r, R: TokenSource + ?Sized>(
    request: &'r R,
    name: &str,
) -> Result<Option<BearerToken<'r>>, InvalidRequest> {
    let mut found = None;
    for header in request.header_values("cookie") {
        for pair in header.split(|b| *b == b';') {
            let pair = trim_ows(pair);
            let Some(eq) = pair.iter().position(|b| *b == b'=') else {
                continue;
            };
            let (cookie_name, value) = pair.split_at_checked(eq).unwrap_or((pair, &[]));
            if trim_ows(cookie_name) != name.as_bytes() {
                continue;
            }
            let value = trim_ows(value.get(1..).unwrap_or_default());
            let value = match value {
                [b'"', inner @ .., b'"'] => inner,
                _ => value,
            };
            if value.is_empty() {
                continue;
            }
            let token = b64token(value)?;
            if found.is_some() {
                return Err(InvalidRequest::Repeated);
            }
            found = Some(BearerToken {
                token: Cow::Borrowed(token),
                location: TokenLocation::Cookie,
            });
        }
    }
    Ok(found)
}

fn query_token<'r>(query: &'r str, name: &str) -> Result<Option<BearerToken<'r>>, InvalidRequest> {
    let mut found = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if form_decode(key).ok().as_deref() != Some(name) {
            continue;
        }
        let value = form_decode(value).map_err(|()| InvalidRequest::InvalidSyntax)?;
        b64token(value.as_bytes())?;
        if found.is_some() {
            return Err(InvalidRequest::Repeated);
        }
        found = Some(BearerToken {
            token: value,
            location: TokenLocation::Query,
        });
    }
    Ok(found)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; the result must
/// be UTF-8. Borrows when there is nothing to decode.
fn form_decode(s: &str) -> Result<Cow<'_, str>, ()> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(|h| (h as char).to_digit(16));
                let lo = bytes.next().and_then(|l| (l as char).to_digit(16));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(u8::try_from(hi * 16 + lo).map_err(|_| ())?),
                    _ => return Err(()),
                }
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).map(Cow::Owned).map_err(|_| ())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTokenLocations {
    #[serde(default)]
    header: Option<NameOrFlag>,
    #[serde(default)]
    cookie: Option<NameOrFlag>,
    #[serde(default)]
    query: Option<NameOrFlag>,
}

/// `"name"`, `true` (the standard name) or `false` (off).
enum NameOrFlag {
    Name(String),
    Flag(bool),
}

impl<'de> Deserialize<'de> for NameOrFlag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NameOrFlag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<NameOrFlag, E> {
                Ok(NameOrFlag::Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NameOrFlag, E> {
                Ok(NameOrFlag::Name(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<NameOrFlag, E> {
                Ok(NameOrFlag::Name(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl TryFrom<RawTokenLocations> for TokenLocations {
    type Error = Error;

    fn try_from(raw: RawTokenLocations) -> Result<TokenLocations> {
        let header = match raw.header {
            None | Some(NameOrFlag::Flag(true)) => Some(DEFAULT_HEADER.to_owned()),
            Some(NameOrFlag::Flag(false)) => None,
            Some(NameOrFlag::Name(name)) => Some(name.to_ascii_lowercase()),
        };
        let cookie = match raw.cookie {
            None | Some(NameOrFlag::Flag(false)) => None,
            Some(NameOrFlag::Flag(true)) => {
                return Err(Error::config(
                    "token.cookie",
                    "give the cookie name, not `true`",
                ));
            }
            Some(NameOrFlag::Name(name)) => Some(name),
        };
        let query = match raw.query {
            None | Some(NameOrFlag::Flag(false)) => None,
            Some(NameOrFlag::Flag(true)) => Some(DEFAULT_QUERY_PARAM.to_owned()),
            Some(NameOrFlag::Name(name)) => Some(name),
        };
        let locations = TokenLocations {
            header,
            cookie,
            query,
        };
        locations.check()?;
        Ok(locations)
    }
}

/// Where a [`BearerToken`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenLocation {
    /// The configured header (`Authorization: Bearer` or a custom one).
    Header,
    /// The configured cookie.
    Cookie,
    /// The configured query parameter.
    Query,
}

/// An access token as found in a request (not verified). Its `Debug` prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken<'r> {
    token: Cow<'r, str>,
    location: TokenLocation,
}

impl<'r> BearerToken<'r> {
    /// The token text.
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// Where it was found.
    pub fn location(&self) -> TokenLocation {
        self.location
    }

    /// The token text, owned.
    pub fn into_string(self) -> String {
        self.token.into_owned()
    }

    /// A copy that does not borrow the request.
    pub fn into_owned(self) -> BearerToken<'static> {
        BearerToken {
            token: Cow::Owned(self.token.into_owned()),
            location: self.location,
        }
    }
}

impl fmt::Debug for BearerToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"[redacted]")
            .field("location", &self.location)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/// Why a request is malformed (400 `invalid_request`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidRequest {
    /// The token is in more than one configured location (RFC 6750 §2).
    MultipleLocations,
    /// One location is repeated (two `Authorization` headers, two cookies or query parameters
    /// of the configured name).
    Repeated,
    /// `Authorization: Bearer` with no token after it.
    EmptyBearer,
    /// A header or query parameter that is present but empty.
    EmptyToken,
    /// The token has characters RFC 6750's `b64token` does not allow (or bad `%` escapes).
    InvalidSyntax,
}

impl InvalidRequest {
    /// The `error_description` (RFC 6750-safe, fixed text).
    pub fn description(self) -> &'static str {
        match self {
            InvalidRequest::MultipleLocations => {
                "the request carries the access token in more than one place"
            }
            InvalidRequest::Repeated => "the request carries more than one access token",
            InvalidRequest::EmptyBearer => "the Authorization header has no bearer token",
            InvalidRequest::EmptyToken => "the access token is empty",
            InvalidRequest::InvalidSyntax => {
                "the access token has characters b64token does not allow"
            }
        }
    }
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// What a [`Rejection`] is about.
#[derive(Debug)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The request carries no access token: 401 with a bare `Bearer realm="..."` challenge
    /// (RFC 6750 §3.1: no error code when the client sent no credentials).
    MissingToken,
    /// The request is malformed: 400 `invalid_request`.
    InvalidRequest(InvalidRequest),
    /// The token failed verification (or its claims do not fit the handler's type): 401
    /// `invalid_token`.
    InvalidToken(Error),
    /// The token lacks a required scope: 403 `insufficient_scope`, with `scope="..."`.
    InsufficientScope(RequiredScopes),
    /// A server-side fault (configuration), never a token fault: 500 with no challenge.
    Server(Error),
}

/// A refused request and its RFC 6750 answer: status, `WWW-Authenticate` value, JSON body.
///
/// Build one with [`BearerAuth`] (which sets its realm), or [`Rejection::new`].
#[derive(Debug)]
pub struct Rejection {
    kind: RejectionKind,
    realm: Arc<str>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: &'a str,
}

impl Rejection {
    /// A rejection with the [`DEFAULT_REALM`].
    pub fn new(kind: RejectionKind) -> Rejection {
        Rejection {
            kind,
            realm: Arc::from(DEFAULT_REALM),
        }
    }

    /// Sets the realm (characters RFC 6750 does not allow in a quoted value become `?`).
    #[must_use]
    pub fn with_realm(mut self, realm: &str) -> Rejection {
        self.realm = Arc::from(quoted_safe(realm).as_ref());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &RejectionKind {
        &self.kind
    }

    /// Consumes the rejection, returning its kind.
    pub fn into_kind(self) -> RejectionKind {
        self.kind
    }

    /// The realm of the challenge.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The core error behind an `invalid_token` or server rejection.
    pub fn error(&self) -> Option<&Error> {
        match &self.kind {
            RejectionKind::InvalidToken(e) | RejectionKind::Server(e) => Some(e),
            _ => None,
        }
    }

    /// The RFC 6750 error code, if the answer carries one (not for a missing token, nor a
    /// server fault).
    pub fn bearer_error(&self) -> Option<BearerError> {
        match &self.kind {
            RejectionKind::MissingToken | RejectionKind::Server(_) => None,
            RejectionKind::InvalidRequest(_) => Some(BearerError::InvalidRequest),
            RejectionKind::InvalidToken(_) => Some(BearerError::InvalidToken),
            RejectionKind::InsufficientScope(_) => Some(BearerError::InsufficientScope),
        }
    }

    /// The HTTP status: 400, 401, 403 (500 only for a server fault).
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            RejectionKind::MissingToken | RejectionKind::InvalidToken(_) => {
                StatusCode::UNAUTHORIZED
            }
            RejectionKind::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            RejectionKind::InsufficientScope(_) => StatusCode::FORBIDDEN,
            RejectionKind::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body's `error`: the RFC 6750 code, `missing_token` or `server_error`.
    pub fn error_code(&self) -> &'static str {
        match &self.kind {
            RejectionKind::MissingToken => "missing_token",
            RejectionKind::Server(_) => "server_error",
            _ => self
                .bearer_error()
                .map_or("server_error", BearerError::as_str),
        }
    }

    /// The `error_description`: fixed text in RFC 6750's characters, never the token.
    pub fn description(&self) -> Cow<'static, str> {
        match &self.kind {
            RejectionKind::MissingToken => Cow::Borrowed("an access token is required"),
            RejectionKind::InvalidRequest(why) => Cow::Borrowed(why.description()),
            RejectionKind::InvalidToken(e) | RejectionKind::Server(e) => e.description(),
            RejectionKind::InsufficientScope(_) => {
                Cow::Borrowed("the token lacks a required scope")
            }
        }
    }

    /// The `WWW-Authenticate` value, e.g. `Bearer realm="api", error="invalid_token",
    /// error_description="the token has expired"`; just `Bearer realm="api"` for a missing token;
    /// `None` for a server fault.
    pub fn www_authenticate(&self) -> Option<String> {
        let realm = &self.realm;
        match &self.kind {
            RejectionKind::MissingToken => Some(format!("Bearer realm=\"{realm}\"")),
            RejectionKind::Server(_) => None,
            kind => {
                let mut value = format!(
                    "Bearer realm=\"{realm}\", error=\"{}\", error_description=\"{}\"",
                    self.error_code(),
                    quoted_safe(&self.description()),
                );
                if let RejectionKind::InsufficientScope(required) = kind {
                    value.push_str(", scope=\"");
                    value.push_str(&quoted_safe(&required.scopes.join(" ")));
                    value.push('"');
                }
                Some(value)
            }
        }
    }

    /// The `WWW-Authenticate` value as a header value.
    pub fn www_authenticate_header(&self) -> Option<HeaderValue> {
        // Only visible ASCII and spaces go in, so this cannot fail; never panic if it did.
        self.www_authenticate()
            .map(|v| HeaderValue::try_from(v).unwrap_or(HeaderValue::from_static("Bearer")))
    }

    /// The body: `{"error":"...","error_description":"..."}`.
    pub fn json_body(&self) -> String {
        let description = self.description();
        serde_json::to_string(&Body {
            error: self.error_code(),
            error_description: &description,
        })
        .unwrap_or_else(|_| String::from(r#"{"error":"server_error"}"#))
    }

    /// The whole answer: status, `WWW-Authenticate`, `Content-Type: application/json`, body.
    pub fn to_response(&self) -> Response<String> {
        let mut response = Response::new(self.json_body());
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(value) = self.www_authenticate_header() {
            headers.insert(WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_code(), self.description())
    }
}

impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Keeps the characters RFC 6750 allows in a quoted attribute value (`%x20-21 / %x23-5B /
/// %x5D-7E`), replacing others with `?`.
fn quoted_safe(s: &str) -> Cow<'_, str> {
    let ok = |c: char| matches!(c, ' ' | '!' | '#'..='[' | ']'..='~');
    if s.chars().all(ok) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().map(|c| if ok(c) { c } else { '?' }).collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

/// Scopes a route requires: all of them, or any one. Granted scopes come from the token's
/// `scope` claim (a space-separated string, RFC 8693 §4.2, or an array) or, when it has none,
/// `scp` (an array, or a space-separated string). A requirement names at least one scope: an
/// empty one would pass any token, so it is refused when made ([`RequiredScopes::try_all`]
/// returns the error, [`RequiredScopes::all`] panics with it, as a route table with a mistake
/// does when the app starts).
///
/// ```
/// use jwt_guard_core::http::RequiredScopes;
/// let admin = RequiredScopes::all(["admin"]);
/// assert!(admin.is_satisfied_by(["read", "admin"]));
/// assert!(!admin.is_satisfied_by(["read"]));
/// assert!(RequiredScopes::any(["read", "write"]).is_satisfied_by(["write"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredScopes {
    scopes: Vec<String>,
    all: bool,
}

impl RequiredScopes {
    /// Requires every scope listed (a string with spaces counts as several scopes).
    ///
    /// # Panics
    /// If no scope is named (`[]`, `[""]`, `[" "]`): see [`RequiredScopes::try_all`].
    #[allow(clippy::panic)]
    pub fn all<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> RequiredScopes {
        match RequiredScopes::try_all(scopes) {
            Ok(required) => required,
            Err(error) => panic!("RequiredScopes::all: {error}"),
        }
    }

    /// Requires at least one of the scopes listed.
    ///
    /// # Panics
    /// If no scope is named: see [`RequiredScopes::try_any`].
    #[allow(clippy::panic)]
    pub fn any<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> RequiredScopes {
        match RequiredScopes::try_any(scopes) {
            Ok(required) => required,
            Err(error) => panic!("RequiredScopes::any: {error}"),
        }
    }

    /// As [`RequiredScopes::all`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] (field `scopes`) if no scope is named.
    pub fn try_all<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> Result<RequiredScopes> {
        RequiredScopes::named(scopes, true)
    }

    /// As [`RequiredScopes::any`], returning the error instead of panicking.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] (field `scopes`) if no scope is named.
    pub fn try_any<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> Result<RequiredScopes> {
        RequiredScopes::named(scopes, false)
    }

    fn named<I: IntoIterator<Item = S>, S: AsRef<str>>(
        scopes: I,
        all: bool,
    ) -> Result<RequiredScopes> {
        let mut seen = HashSet::new();
        let mut named = Vec::new();
        for s in scopes {
            for scope in split_scopes(s.as_ref()) {
                if seen.insert(scope.to_owned()) {
                    named.push(scope.to_owned());
                }
            }
        }
        if named.is_empty() {
            return Err(Error::config(
                "scopes",
                "name at least one scope (an empty requirement would pass any token)",
            ));
        }
        Ok(RequiredScopes { scopes: named, all })
    }

    /// The scopes named.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether every scope is required (else any one).
    pub fn requires_all(&self) -> bool {
        self.all
    }

    /// Whether `granted` meets the requirement.
    pub fn is_satisfied_by<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, granted: I) -> bool {
        if self.scopes.is_empty() {
            return true;
        }
        let granted: Vec<S> = granted.into_iter().collect();
        let has = |scope: &String| granted.iter().any(|g| g.as_ref() == scope);
        if self.all {
            self.scopes.iter().all(has)
        } else {
            self.scopes.iter().any(has)
        }
    }
}

/// The scopes of a space-separated list (RFC 6749 §3.3), in order. Linear: granted scopes are
/// not de-duplicated (they are only searched), so a token with thousands of them costs what
/// reading them costs.
fn split_scopes(list: &str) -> impl Iterator<Item = &str> {
    list.split(' ').filter(|s| !s.is_empty())
}

/// The scopes a verified token grants: `scope` (string or array), else `scp`; none if neither.
///
/// # Errors
/// [`ErrorKind::InvalidClaim`] (`scope` or `scp`) if the claim is neither a string nor an array
/// of strings.
pub fn granted_scopes(token: &VerifiedToken) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct ScopeClaims {
        #[serde(default)]
        scope: Option<serde_json::Value>,
        #[serde(default)]
        scp: Option<serde_json::Value>,
    }
    let claims: ScopeClaims = serde_json::from_slice(token.payload_json())
        .map_err(|e| Error::with_source(ErrorKind::InvalidClaims, e))?;
    let (name, value) = match (claims.scope, claims.scp) {
        (Some(value), _) => ("scope", value),
        (None, Some(value)) => ("scp", value),
        (None, None) => return Ok(Vec::new()),
    };
    let invalid = || Error::new(ErrorKind::InvalidClaim(Cow::Borrowed(name)));
    match value {
        serde_json::Value::String(s) => Ok(split_scopes(&s).map(str::to_owned).collect()),
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(s) => Ok(s),
                _ => Err(invalid()),
            })
            .collect(),
        _ => Err(invalid()),
    }
}

// ---------------------------------------------------------------------------------------------
// The whole decision
// ---------------------------------------------------------------------------------------------

/// A [`Verifier`] plus what an HTTP adapter needs around it: the [`TokenLocations`], the
/// challenge realm, and whether a request without a token passes (optional mode). Cheap to
/// clone (the verifier is an `Arc`), but adapters keep one behind an `Arc`.
///
/// Every rejection it returns is logged with `tracing` at debug level (the code, never the
/// token); a server fault at error level.
#[derive(Debug, Clone)]
pub struct BearerAuth {
    verifier: Verifier,
    locations: TokenLocations,
    realm: Arc<str>,
    optional: bool,
}

impl BearerAuth {
    /// Required mode, the default [`TokenLocations`], realm [`DEFAULT_REALM`].
    pub fn new(verifier: Verifier) -> BearerAuth {
        BearerAuth {
            verifier,
            locations: TokenLocations::new(),
            realm: Arc::from(DEFAULT_REALM),
            optional: false,
        }
    }

    /// The verifier and the `[token]` locations a config describes (relative paths against the
    /// current directory).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`], and [`ErrorKind::InvalidConfig`] for a bad `[token]` table.
    pub fn from_config(config: &VerifierConfig) -> Result<BearerAuth> {
        BearerAuth::from_config_in(config, Path::new("."))
    }

    /// As [`BearerAuth::from_config`], resolving relative paths against `base_dir`.
    ///
    /// # Errors
    /// As [`BearerAuth::from_config`].
    pub fn from_config_in(config: &VerifierConfig, base_dir: &Path) -> Result<BearerAuth> {
        config.token.check()?;
        Ok(BearerAuth::new(config.build_in(base_dir)?).with_locations(config.token.clone()))
    }

    /// Reads the token from these locations.
    #[must_use]
    pub fn with_locations(mut self, locations: TokenLocations) -> BearerAuth {
        self.locations = locations;
        self
    }

    /// Sets the challenge realm (characters RFC 6750 does not allow become `?`).
    #[must_use]
    pub fn with_realm(mut self, realm: &str) -> BearerAuth {
        self.realm = Arc::from(quoted_safe(realm).as_ref());
        self
    }

    /// Optional mode: a request with no token at all passes unauthenticated (a bad token is
    /// still rejected).
    #[must_use]
    pub fn optional(mut self, optional: bool) -> BearerAuth {
        self.optional = optional;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Where tokens are read.
    pub fn locations(&self) -> &TokenLocations {
        &self.locations
    }

    /// The challenge realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Whether a request without a token passes.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// A rejection of `kind` with this realm, logged.
    pub fn reject(&self, kind: RejectionKind) -> Rejection {
        let rejection = Rejection {
            kind,
            realm: Arc::clone(&self.realm),
        };
        match rejection.kind() {
            RejectionKind::Server(e) => {
                tracing::error!(code = e.code(), error = %e, "request refused: server misconfigured");
            }
            RejectionKind::InvalidToken(e) => {
                tracing::debug!(
                    status = rejection.status().as_u16(),
                    error = rejection.error_code(),
                    code = e.code(),
                    "bearer token rejected"
                );
            }
            _ => {
                tracing::debug!(
                    status = rejection.status().as_u16(),
                    error = rejection.error_code(),
                    "bearer request rejected"
                );
            }
        }
        rejection
    }

    /// The rejection for a request that has no token (for an extractor that needs one on a
    /// route in optional mode).
    pub fn missing_token(&self) -> Rejection {
        self.reject(RejectionKind::MissingToken)
    }

    /// Finds the token in `request`. `Ok(None)` only in optional mode, for a request with no
    /// token at all.
    ///
    /// # Errors
    /// 400 `invalid_request` for a malformed request ([`TokenLocations::extract`]); 401 with a
    /// bare challenge for no token in required mode.
    pub fn extract<'r, R: TokenSource + ?Sized>(
        &self,
        request: &'r R,
    ) -> Result<Option<BearerToken<'r>>, Rejection> {
        match self.locations.extract(request) {
            Ok(Some(token)) => Ok(Some(token)),
            Ok(None) if self.optional => Ok(None),
            Ok(None) => Err(self.missing_token()),
            Err(why) => Err(self.reject(RejectionKind::InvalidRequest(why))),
        }
    }

    /// Verifies `token` with [`Verifier::verify_token_async`].
    ///
    /// # Errors
    /// 401 `invalid_token` with the [`ErrorKind`]'s description for every token fault; a
    /// server rejection (500) for a configuration error, which verification never returns.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, Rejection> {
        self.verifier
            .verify_token_async(token)
            .await
            .map_err(|e| self.reject_error(e))
    }

    /// [`BearerAuth::extract`] then [`BearerAuth::verify`]: `Ok(None)` only in optional mode
    /// for a request with no token.
    ///
    /// # Errors
    /// As those two.
    pub async fn authenticate<R: TokenSource + ?Sized>(
        &self,
        request: &R,
    ) -> Result<Option<VerifiedToken>, Rejection> {
        match self.extract(request)? {
            Some(token) => self.verify(token.as_str()).await.map(Some),
            None => Ok(None),
        }
    }

    /// What an extractor that needs a token gets from the token its middleware stored (a
    /// [`VerifiedToken`], or the adapter's handle of one): the token, or, for an anonymous
    /// request under an optional middleware (`None`), the missing-token rejection (401, bare
    /// challenge). One decision for every adapter's `Claims<T>`, `Verified` and scope guard.
    ///
    /// # Errors
    /// [`RejectionKind::MissingToken`] when `token` is `None`.
    pub fn require_token<'t, T: ?Sized>(&self, token: Option<&'t T>) -> Result<&'t T, Rejection> {
        token.ok_or_else(|| self.missing_token())
    }

    /// [`BearerAuth::require_token`] then [`BearerAuth::claims`]: what `Claims<T>` answers.
    ///
    /// # Errors
    /// As those two.
    pub fn required_claims<T: DeserializeOwned>(
        &self,
        token: Option<&VerifiedToken>,
    ) -> Result<T, Rejection> {
        self.claims(self.require_token(token)?)
    }

    /// What `Option<Claims<T>>` answers: `None` for an anonymous request, the claims as `T`
    /// otherwise.
    ///
    /// # Errors
    /// As [`BearerAuth::claims`] when there is a token.
    pub fn optional_claims<T: DeserializeOwned>(
        &self,
        token: Option<&VerifiedToken>,
    ) -> Result<Option<T>, Rejection> {
        token.map(|token| self.claims(token)).transpose()
    }

    /// [`BearerAuth::require_token`] then [`BearerAuth::check_scopes`]: what a scope guard
    /// answers.
    ///
    /// # Errors
    /// As those two.
    pub fn require_scopes(
        &self,
        token: Option<&VerifiedToken>,
        required: &RequiredScopes,
    ) -> Result<(), Rejection> {
        self.check_scopes(self.require_token(token)?, required)
    }

    /// The verified claims as `T`.
    ///
    /// # Errors
    /// 401 `invalid_token` ("the token claims are invalid") when they do not fit `T`: the token
    /// lacks what the handler needs.
    pub fn claims<T: DeserializeOwned>(&self, token: &VerifiedToken) -> Result<T, Rejection> {
        token.claims().map_err(|e| self.reject_error(e))
    }

    /// Checks that `token` grants `required`.
    ///
    /// # Errors
    /// 403 `insufficient_scope` naming the required scopes; 401 `invalid_token` if the scope
    /// claim is neither a string nor an array of strings.
    pub fn check_scopes(
        &self,
        token: &VerifiedToken,
        required: &RequiredScopes,
    ) -> Result<(), Rejection> {
        if required.scopes.is_empty() {
            return Ok(());
        }
        let granted = granted_scopes(token).map_err(|e| self.reject_error(e))?;
        if required.is_satisfied_by(&granted) {
            Ok(())
        } else {
            Err(self.reject(RejectionKind::InsufficientScope(required.clone())))
        }
    }

    /// The rejection for a core error: `invalid_token` for a token fault, else a server fault.
    pub fn reject_error(&self, error: Error) -> Rejection {
        if error.bearer_error().is_some() {
            self.reject(RejectionKind::InvalidToken(error))
        } else {
            self.reject(RejectionKind::Server(error))
        }
    }
}

impl From<Verifier> for BearerAuth {
    fn from(verifier: Verifier) -> BearerAuth {
        BearerAuth::new(verifier)
    }
}

// ---------------------------------------------------------------------------------------------
// What an adapter builds on
// ---------------------------------------------------------------------------------------------

/// What an adapter tells the core about its framework: the response type its `on_error` hook
/// returns, and how its middleware is named and added (for the error an extractor or a scope
/// guard reports on a route that no middleware covers). `jwt-guard-axum` and `jwt-guard-actix`
/// implement it on a private marker type; everything else about a request is decided here.
pub trait Adapter: 'static {
    /// The framework's response: what an `on_error` hook returns.
    type Response;
    /// The middleware's name: `JwtLayer`, `JwtMiddleware`.
    const MIDDLEWARE: &'static str;
    /// How to add it, as the error log says "add ...": `` `.layer(JwtLayer::new(..))` ``.
    const HOW_TO_ADD: &'static str;
}

/// What an adapter's middleware shares with its services, extractors and scope guards: the
/// [`BearerAuth`] and the `on_error` hook making the framework's response for a refusal. Cheap to
/// clone (one `Arc`); the builder methods copy on write.
///
/// [`BearerGuard::admit`] decides what the middleware does with a request, [`Stored`] what an
/// extractor or scope guard answers, [`Refusal::respond`] which response a refusal gets.
pub struct BearerGuard<A: Adapter> {
    inner: Arc<GuardInner<A>>,
}

/// An `on_error` hook.
type ErrorHook<A> = Arc<dyn Fn(&Rejection) -> <A as Adapter>::Response + Send + Sync>;

struct GuardInner<A: Adapter> {
    auth: BearerAuth,
    on_error: Option<ErrorHook<A>>,
}

impl<A: Adapter> Clone for GuardInner<A> {
    fn clone(&self) -> Self {
        GuardInner {
            auth: self.auth.clone(),
            on_error: self.on_error.clone(),
        }
    }
}

impl<A: Adapter> Clone for BearerGuard<A> {
    fn clone(&self) -> Self {
        BearerGuard {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A: Adapter> fmt::Debug for BearerGuard<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerGuard")
            .field("auth", self.auth())
            .field("on_error", &self.has_error_hook())
            .finish()
    }
}

impl<A: Adapter> BearerGuard<A> {
    /// A guard verifying with `auth` (a [`Verifier`] gives the [`BearerAuth`] defaults), no hook.
    pub fn new(auth: impl Into<BearerAuth>) -> BearerGuard<A> {
        BearerGuard {
            inner: Arc::new(GuardInner {
                auth: auth.into(),
                on_error: None,
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut GuardInner<A>)) -> BearerGuard<A> {
        f(Arc::make_mut(&mut self.inner));
        self
    }

    /// Optional mode ([`BearerAuth::optional`]).
    #[must_use]
    pub fn optional(self) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().optional(true))
    }

    /// Reads the token from `locations` ([`BearerAuth::with_locations`]).
    #[must_use]
    pub fn with_locations(self, locations: TokenLocations) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_locations(locations))
    }

    /// The challenge realm ([`BearerAuth::with_realm`]).
    #[must_use]
    pub fn with_realm(self, realm: &str) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_realm(realm))
    }

    /// Every refusal under this guard answers `hook(&rejection)` instead of the default response.
    #[must_use]
    pub fn on_error(
        self,
        hook: impl Fn(&Rejection) -> A::Response + Send + Sync + 'static,
    ) -> BearerGuard<A> {
        let hook: ErrorHook<A> = Arc::new(hook);
        self.edit(|g| g.on_error = Some(hook))
    }

    /// The core settings: verifier, token locations, realm, mode.
    pub fn auth(&self) -> &BearerAuth {
        &self.inner.auth
    }

    /// Whether an `on_error` hook is set.
    pub fn has_error_hook(&self) -> bool {
        self.inner.on_error.is_some()
    }

    /// What the middleware does with `request`: refuse it (malformed, or no token in required
    /// mode), pass it on anonymous (optional mode, no token), or verify its token first. The
    /// verification owns the token and a clone of this guard, so the adapter's future can hold
    /// it; one small allocation per request that carries a token.
    pub fn admit<R: TokenSource + ?Sized>(&self, request: &R) -> Admission<A> {
        match self.auth().extract(request) {
            Err(rejection) => Admission::Refuse(Refusal::new(rejection, self)),
            Ok(None) => Admission::Anonymous,
            Ok(Some(token)) => {
                let token = token.into_string();
                let guard = self.clone();
                Admission::Verify(Box::pin(async move {
                    match guard.auth().verify(&token).await {
                        Ok(verified) => Ok(Arc::new(verified)),
                        Err(rejection) => Err(Refusal::new(rejection, &guard)),
                    }
                }))
            }
        }
    }
}

/// A token verification in flight ([`Admission::Verify`]): the verified token to store in the
/// request, or the refusal. Boxed: the verifier's async call borrows the verifier and the token,
/// which this future owns, so its state cannot be named.
pub type Verification<A> =
    Pin<Box<dyn Future<Output = Result<Arc<VerifiedToken>, Refusal<A>>> + Send>>;

/// What a middleware does with a request ([`BearerGuard::admit`]).
pub enum Admission<A: Adapter> {
    /// Refuse it: a malformed request (400), or no token in required mode (401).
    Refuse(Refusal<A>),
    /// Pass it on with no token (optional mode, no token anywhere); the extractors then find
    /// the guard and no token.
    Anonymous,
    /// Pass it on once this verification succeeds, with the verified token stored; refuse it
    /// otherwise.
    Verify(Verification<A>),
}

impl<A: Adapter> fmt::Debug for Admission<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Admission::Refuse(refusal) => f.debug_tuple("Refuse").field(refusal).finish(),
            Admission::Anonymous => f.write_str("Anonymous"),
            Admission::Verify(_) => f.write_str("Verify(..)"),
        }
    }
}

/// What a middleware stores in a request for the extractors and scope guards behind it: its
/// [`BearerGuard`] and the token it verified, `None` for an anonymous request (optional mode,
/// no token). `V` is the adapter's handle of the token (its `Verified`).
///
/// The guard and the token are one value on purpose: a nested middleware replaces both at once,
/// so what a handler or a scope guard sees is exactly what the innermost middleware covering the
/// route verified, or nothing. An outer middleware's token never pairs with an inner
/// middleware's rules (its key, audience, location or realm). An adapter that also exposes the
/// token as a request extension of its own must remove it when it stores an anonymous
/// `Admitted`, for the same reason.
pub struct Admitted<A: Adapter, V> {
    guard: BearerGuard<A>,
    token: Option<V>,
}

impl<A: Adapter, V> Admitted<A, V> {
    /// `guard` let the request through without a token ([`Admission::Anonymous`]).
    pub fn anonymous(guard: BearerGuard<A>) -> Admitted<A, V> {
        Admitted { guard, token: None }
    }

    /// `guard` verified `token` ([`Admission::Verify`]).
    pub fn verified(guard: BearerGuard<A>, token: V) -> Admitted<A, V> {
        Admitted {
            guard,
            token: Some(token),
        }
    }

    /// The guard of the middleware that admitted the request.
    pub fn guard(&self) -> &BearerGuard<A> {
        &self.guard
    }

    /// The token it verified; `None` for an anonymous request.
    pub fn token(&self) -> Option<&V> {
        self.token.as_ref()
    }
}

impl<A: Adapter, V: Clone> Clone for Admitted<A, V> {
    fn clone(&self) -> Self {
        Admitted {
            guard: self.guard.clone(),
            token: self.token.clone(),
        }
    }
}

impl<A: Adapter, V> fmt::Debug for Admitted<A, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admitted")
            .field("guard", &self.guard)
            .field("token", &self.token.as_ref().map(|_| "[verified]"))
            .finish()
    }
}

/// What a middleware stored in a request ([`Admitted`]), as an extractor or a scope guard finds
/// it: `None` when no middleware covers the route. Each method is what one extractor answers,
/// so every adapter answers alike.
///
/// Without a guard every method fails closed: a [`Refusal::is_unguarded`] answered as for a
/// request with no token (401, bare challenge, [`DEFAULT_REALM`]; never a 500), logged at error
/// level naming `what` and how to add the middleware. It never verifies by itself.
pub struct Stored<'r, A: Adapter, V> {
    admitted: Option<&'r Admitted<A, V>>,
    what: &'static str,
}

impl<A: Adapter, V> fmt::Debug for Stored<'_, A, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stored")
            .field("admitted", &self.admitted)
            .field("what", &self.what)
            .finish()
    }
}

impl<'r, A, V> Stored<'r, A, V>
where
    A: Adapter,
    V: std::ops::Deref<Target = VerifiedToken>,
{
    /// What the request holds (`None`: no middleware stored anything); `what` names the
    /// extractor for the log (`"Claims"`).
    pub fn new(admitted: Option<&'r Admitted<A, V>>, what: &'static str) -> Stored<'r, A, V> {
        Stored { admitted, what }
    }

    fn decide<T>(
        self,
        decide: impl FnOnce(&BearerAuth, Option<&'r V>) -> Result<T, Rejection>,
    ) -> Result<T, Refusal<A>> {
        let Some(admitted) = self.admitted else {
            return Err(Refusal::unguarded(self.what));
        };
        decide(admitted.guard.auth(), admitted.token.as_ref())
            .map_err(|rejection| Refusal::new(rejection, &admitted.guard))
    }

    /// What `Claims<T>` answers ([`BearerAuth::required_claims`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection; claims that do not fit `T`: 401 `invalid_token`.
    pub fn claims<T: DeserializeOwned>(self) -> Result<T, Refusal<A>> {
        self.decide(|auth, token| auth.required_claims(token.map(|t| &**t)))
    }

    /// What `Option<Claims<T>>` answers where the framework lets it refuse
    /// ([`BearerAuth::optional_claims`]): `None` for an anonymous request.
    ///
    /// # Errors
    /// Claims that do not fit `T`: 401 `invalid_token`.
    pub fn optional_claims<T: DeserializeOwned>(self) -> Result<Option<T>, Refusal<A>> {
        self.decide(|auth, token| auth.optional_claims(token.map(|t| &**t)))
    }

    /// What `Verified` answers ([`BearerAuth::require_token`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection.
    pub fn token(self) -> Result<&'r V, Refusal<A>> {
        self.decide(|auth, token| auth.require_token(token))
    }

    /// What `Option<Verified>` answers where the framework lets it refuse: `None` for an
    /// anonymous request.
    ///
    /// # Errors
    /// Only without a guard.
    pub fn optional_token(self) -> Result<Option<&'r V>, Refusal<A>> {
        self.decide(|_, token| Ok(token))
    }

    /// What a scope guard answers ([`BearerAuth::require_scopes`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection; a scope missing: 403 `insufficient_scope`; a
    /// scope claim of the wrong type: 401 `invalid_token`.
    pub fn scopes(self, required: &RequiredScopes) -> Result<(), Refusal<A>> {
        self.decide(|auth, token| auth.require_scopes(token.map(|t| &**t), required))
    }
}

/// A refused request as an adapter's error type carries it: the core [`Rejection`] and the
/// [`BearerGuard`] whose `on_error` hook answers it, or none for an extractor or scope guard on
/// a route that no middleware covers ([`Refusal::is_unguarded`]: a programming error, answered
/// as for a request with no token). Made by [`BearerGuard::admit`] and [`Stored`].
pub struct Refusal<A: Adapter> {
    rejection: Rejection,
    guard: Option<BearerGuard<A>>,
}

impl<A: Adapter> Refusal<A> {
    fn new(rejection: Rejection, guard: &BearerGuard<A>) -> Refusal<A> {
        Refusal {
            rejection,
            guard: Some(guard.clone()),
        }
    }

    fn unguarded(what: &'static str) -> Refusal<A> {
        tracing::error!(
            extractor = what,
            "no {} on this route: add {}; refusing the request as unauthenticated",
            A::MIDDLEWARE,
            A::HOW_TO_ADD,
        );
        Refusal {
            rejection: Rejection::new(RejectionKind::MissingToken),
            guard: None,
        }
    }

    /// The core rejection: status, `WWW-Authenticate`, body, and the core error if any.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }

    /// Consumes it, returning the core rejection.
    pub fn into_rejection(self) -> Rejection {
        self.rejection
    }

    /// Whether this comes from an extractor or scope guard that no middleware covers.
    pub fn is_unguarded(&self) -> bool {
        self.guard.is_none()
    }

    /// The response: the guard's `on_error` hook's, else `default(rejection)` (the core's RFC
    /// 6750 answer, [`Rejection::to_response`], in the framework's types).
    pub fn respond(&self, default: impl FnOnce(&Rejection) -> A::Response) -> A::Response {
        match self.guard.as_ref().and_then(|g| g.inner.on_error.as_ref()) {
            Some(hook) => hook(&self.rejection),
            None => default(&self.rejection),
        }
    }
}

impl<A: Adapter> fmt::Debug for Refusal<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refusal")
            .field("rejection", &self.rejection)
            .field("unguarded", &self.is_unguarded())
            .finish()
    }
}

/// The rejection's `Display`, or, unguarded, that the middleware is missing.
impl<A: Adapter> fmt::Display for Refusal<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unguarded() {
            write!(
                f,
                "no {} on this route, so no verified token: the request is refused as unauthenticated",
                A::MIDDLEWARE
            )
        } else {
            fmt::Display::fmt(&self.rejection, f)
        }
    }
}

impl<A: Adapter> std::error::Error for Refusal<A> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.rejection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, Key, Signer};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    const SECRET: &[u8] = b"an example secret of 32 bytes..!";

    fn auth() -> BearerAuth {
        let key = Key::hmac(SECRET).unwrap();
        let verifier = Verifier::builder()
            .algorithms([Algorithm::HS256])
            .key(key)
            .build()
            .unwrap();
        BearerAuth::new(verifier).with_realm("test")
    }

    fn sign(claims: serde_json::Value) -> String {
        Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
            .unwrap()
            .encode(&claims)
            .unwrap()
    }

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::get(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    fn all_locations() -> TokenLocations {
        TokenLocations::new()
            .cookie("tok")
            .query(DEFAULT_QUERY_PARAM)
    }

    fn found(
        locations: &TokenLocations,
        req: &Request<()>,
    ) -> Result<Option<String>, InvalidRequest> {
        locations
            .extract(req)
            .map(|t| t.map(|t| format!("{:?}:{}", t.location(), t.as_str())))
    }

    #[test]
    fn authorization_header() {
        let l = TokenLocations::new();
        let ok = |v: &str| found(&l, &request("/", &[("authorization", v)]));
        assert_eq!(
            ok("Bearer abc.def.ghi"),
            Ok(Some("Header:abc.def.ghi".into()))
        );
        assert_eq!(ok("bearer abc"), Ok(Some("Header:abc".into())));
        assert_eq!(ok("BEARER   abc==  "), Ok(Some("Header:abc==".into())));
        assert_eq!(
            ok("Bearer a-b_c~d+e/f.g="),
            Ok(Some("Header:a-b_c~d+e/f.g=".into()))
        );
        assert_eq!(ok("Basic dXNlcjpwYXNz"), Ok(None));
        assert_eq!(ok("Bearerabc"), Ok(None));
        assert_eq!(ok(""), Ok(None));
        assert_eq!(ok("Bearer"), Err(InvalidRequest::EmptyBearer));
        assert_eq!(ok("Bearer   "), Err(InvalidRequest::EmptyBearer));
        assert_eq!(ok("Bearer a b"), Err(InvalidRequest::InvalidSyntax));
        assert_eq!(ok("Bearer a=b"), Err(InvalidRequest::InvalidSyntax));
        assert_eq!(ok("Bearer ="), Err(InvalidRequest::InvalidSyntax));
        assert_eq!(ok("Bearer a\"b"), Err(InvalidRequest::InvalidSyntax));
        let two = request(
            "/",
            &[("authorization", "Bearer a"), ("authorization", "Bearer b")],
        );
        assert_eq!(found(&l, &two), Err(InvalidRequest::Repeated));
        let basic_and_bearer = request(
            "/",
            &[("authorization", "Basic x"), ("authorization", "Bearer b")],
        );
        assert_eq!(found(&l, &basic_and_bearer), Ok(Some("Header:b".into())));
        let mut non_ascii = request("/", &[]);
        non_ascii.headers_mut().insert(
            "authorization",
            HeaderValue::from_bytes(b"Bearer \xe9t\xe9").unwrap(),
        );
        assert_eq!(found(&l, &non_ascii), Err(InvalidRequest::InvalidSyntax));
    }

    #[test]
    fn custom_header_cookie_query() {
        let l = TokenLocations::nowhere().header("X-Access-Token");
        assert_eq!(l.header_name(), Some("x-access-token"));
        let r = request("/", &[("x-access-token", "abc")]);
        assert_eq!(found(&l, &r), Ok(Some("Header:abc".into())));
        let r = request("/", &[("x-access-token", "Bearer abc")]);
        assert_eq!(found(&l, &r), Ok(Some("Header:abc".into())));
        let r = request("/", &[("x-access-token", "")]);
        assert_eq!(found(&l, &r), Err(InvalidRequest::EmptyToken));
        let r = request("/", &[("authorization", "Bearer abc")]);
        assert_eq!(found(&l, &r), Ok(None));

        let l = TokenLocations::nowhere().cookie("tok");
        let cookie = |v: &str| found(&l, &request("/", &[("cookie", v)]));
        assert_eq!(cookie("tok=abc"), Ok(Some("Cookie:abc".into())));
        assert_eq!(cookie("a=1; tok=abc; b=2"), Ok(Some("Cookie:abc".into())));
        assert_eq!(cookie("tok=\"abc\""), Ok(Some("Cookie:abc".into())));
        assert_eq!(cookie("xtok=abc; tokx=abc"), Ok(None));
        assert_eq!(cookie("tok="), Ok(None));
        assert_eq!(cookie("tok=abc; tok=def"), Err(InvalidRequest::Repeated));
        assert_eq!(cookie("tok=a%20b"), Err(InvalidRequest::InvalidSyntax));
        let split = request("/", &[("cookie", "a=1"), ("cookie", "tok=abc")]);
        assert_eq!(found(&l, &split), Ok(Some("Cookie:abc".into())));

        let l = TokenLocations::nowhere().query(DEFAULT_QUERY_PARAM);
        let query = |uri: &str| found(&l, &request(uri, &[]));
        assert_eq!(query("/?access_token=abc"), Ok(Some("Query:abc".into())));
        assert_eq!(
            query("/?x=1&access_token=abc&y"),
            Ok(Some("Query:abc".into()))
        );
        assert_eq!(
            query("/?access%5Ftoken=a%2Bb%3D"),
            Ok(Some("Query:a+b=".into()))
        );
        assert_eq!(
            query("/?access_token=a+b"),
            Err(InvalidRequest::InvalidSyntax)
        );
        assert_eq!(
            query("/?access_token=a%zz"),
            Err(InvalidRequest::InvalidSyntax)
        );
        assert_eq!(query("/?access_token="), Err(InvalidRequest::EmptyToken));
        assert_eq!(query("/?access_token"), Err(InvalidRequest::EmptyToken));
        assert_eq!(
            query("/?access_token=a&access_token=a"),
            Err(InvalidRequest::Repeated)
        );
        assert_eq!(query("/?token=abc"), Ok(None));
        assert_eq!(query("/"), Ok(None));
    }

    #[test]
    fn more_than_one_place_is_invalid_request() {
        let l = all_locations();
        let cases = [
            request("/?access_token=a", &[("authorization", "Bearer a")]),
            request("/", &[("authorization", "Bearer a"), ("cookie", "tok=a")]),
            request("/?access_token=a", &[("cookie", "tok=b")]),
        ];
        for r in &cases {
            assert_eq!(found(&l, r), Err(InvalidRequest::MultipleLocations));
        }
        // Only the configured locations count.
        let r = request("/?access_token=a", &[("authorization", "Bearer a")]);
        assert_eq!(
            found(&TokenLocations::new(), &r),
            Ok(Some("Header:a".into()))
        );
        // Parts, a bare header map and headers + query see the same.
        let (parts, ()) = cases[0].clone().into_parts();
        assert_eq!(l.extract(&parts), Err(InvalidRequest::MultipleLocations));
        assert_eq!(l.extract(&parts.headers).map(|t| t.is_some()), Ok(true));
        let hq = HeadersAndQuery {
            headers: &parts.headers,
            query: parts.uri.query(),
        };
        assert_eq!(l.extract(&hq), Err(InvalidRequest::MultipleLocations));
    }

    #[test]
    fn token_table_from_toml() {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default)]
            token: TokenLocations,
        }
        let parse = |s: &str| toml::from_str::<Doc>(s).map(|d| d.token);
        assert_eq!(parse("").unwrap(), TokenLocations::new());
        assert_eq!(parse("[token]").unwrap(), TokenLocations::new());
        assert_eq!(
            parse("[token]\ncookie = \"session\"\nquery = true").unwrap(),
            TokenLocations::new()
                .cookie("session")
                .query("access_token")
        );
        assert_eq!(
            parse("[token]\nheader = \"X-Token\"\nquery = \"t\"").unwrap(),
            TokenLocations::nowhere().header("x-token").query("t")
        );
        assert_eq!(
            parse("[token]\nheader = false\ncookie = \"c\"").unwrap(),
            TokenLocations::nowhere().cookie("c")
        );
        for bad in [
            "[token]\nheader = false",
            "[token]\nheader = \"bad header\"",
            "[token]\ncookie = true",
            "[token]\ncookie = \"a;b\"",
            "[token]\nquery = \"\"",
            "[token]\nquery = \"a&b\"",
            "[token]\nquery = 3",
            "[token]\nheaders = \"x\"",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let err = parse("[token]\ncookie = \"a;b\"").unwrap_err().to_string();
        assert!(err.contains("token.cookie"), "{err}");
    }

    #[test]
    fn verifier_config_has_the_token_table() {
        let config: VerifierConfig = toml::from_str(
            "algorithms = [\"HS256\"]\n[[keys]]\nsecret = \"an example secret of 32 bytes..!\"\n[token]\ncookie = \"session\"\n",
        )
        .unwrap();
        let auth = BearerAuth::from_config(&config).unwrap();
        assert_eq!(auth.locations(), &TokenLocations::new().cookie("session"));
        assert_eq!(VerifierConfig::default().token, TokenLocations::new());
    }

    #[test]
    fn answers() {
        let auth = auth();
        let missing = auth.missing_token();
        assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            missing.www_authenticate().as_deref(),
            Some(r#"Bearer realm="test""#)
        );
        assert_eq!(
            missing.json_body(),
            r#"{"error":"missing_token","error_description":"an access token is required"}"#
        );

        let bad = auth.reject(RejectionKind::InvalidRequest(InvalidRequest::EmptyBearer));
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            bad.www_authenticate().as_deref(),
            Some(
                r#"Bearer realm="test", error="invalid_request", error_description="the Authorization header has no bearer token""#
            )
        );

        let expired = auth.reject_error(Error::new(ErrorKind::Expired));
        assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(expired.bearer_error(), Some(BearerError::InvalidToken));
        assert_eq!(
            expired.www_authenticate().as_deref(),
            Some(
                r#"Bearer realm="test", error="invalid_token", error_description="the token has expired""#
            )
        );
        assert_eq!(
            expired.json_body(),
            r#"{"error":"invalid_token","error_description":"the token has expired"}"#
        );
        assert_eq!(expired.to_string(), "invalid_token: the token has expired");

        let scope = auth.reject(RejectionKind::InsufficientScope(RequiredScopes::all([
            "admin", "write",
        ])));
        assert_eq!(scope.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            scope.www_authenticate().as_deref(),
            Some(
                r#"Bearer realm="test", error="insufficient_scope", error_description="the token lacks a required scope", scope="admin write""#
            )
        );

        let server = auth.reject_error(Error::config("keys", "none"));
        assert_eq!(server.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(server.www_authenticate(), None);
        assert_eq!(server.error_code(), "server_error");

        let response = expired.to_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert!(
            response.headers()[WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer realm=\"test\", error=\"invalid_token\"")
        );

        let odd = Rejection::new(RejectionKind::MissingToken).with_realm("a \"quoted\" \\ réalm");
        assert_eq!(
            odd.www_authenticate().as_deref(),
            Some(r#"Bearer realm="a ?quoted? ? r?alm""#)
        );
        assert_eq!(
            Rejection::new(RejectionKind::MissingToken).realm(),
            DEFAULT_REALM
        );
    }

    #[test]
    fn authenticate_required_and_optional() {
        let auth = auth();
        let good = sign(serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}));
        let header = format!("Bearer {good}");
        let ok = request("/", &[("authorization", &header)]);
        let verified = block_on(auth.authenticate(&ok)).unwrap().unwrap();
        let claims: serde_json::Value = auth.claims(&verified).unwrap();
        assert_eq!(claims["sub"], "ada");

        let none = request("/", &[]);
        let err = block_on(auth.authenticate(&none)).unwrap_err();
        assert!(matches!(err.kind(), RejectionKind::MissingToken));

        let expired = sign(serde_json::json!({"exp": 1_000_000_000}));
        let header = format!("Bearer {expired}");
        let stale = request("/", &[("authorization", &header)]);
        let err = block_on(auth.authenticate(&stale)).unwrap_err();
        assert_eq!(err.error().map(Error::kind), Some(&ErrorKind::Expired));
        assert!(!err.to_string().contains(&expired));

        let optional = auth.clone().optional(true);
        assert!(block_on(optional.authenticate(&none)).unwrap().is_none());
        assert!(block_on(optional.authenticate(&stale)).is_err());
        assert!(block_on(optional.authenticate(&ok)).unwrap().is_some());

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsEmail {
            email: String,
        }
        let err = auth.claims::<NeedsEmail>(&verified).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(err.description(), "the token claims are invalid");
    }

    #[test]
    fn scopes() {
        let auth = auth();
        let verified =
            |claims: serde_json::Value| auth.verifier().verify_token(&sign(claims)).unwrap();
        let exp = 4_102_444_800u64;
        let t = verified(serde_json::json!({"exp": exp, "scope": "read admin"}));
        assert_eq!(granted_scopes(&t).unwrap(), ["read", "admin"]);
        assert!(
            auth.check_scopes(&t, &RequiredScopes::all(["admin"]))
                .is_ok()
        );
        assert!(
            auth.check_scopes(&t, &RequiredScopes::all(["admin read"]))
                .is_ok()
        );
        let err = auth
            .check_scopes(&t, &RequiredScopes::all(["admin", "write"]))
            .unwrap_err();
        assert_eq!(err.status(), StatusCode::FORBIDDEN);
        assert!(
            auth.check_scopes(&t, &RequiredScopes::any(["write", "read"]))
                .is_ok()
        );

        let t = verified(serde_json::json!({"exp": exp, "scp": ["admin", "read"]}));
        assert_eq!(granted_scopes(&t).unwrap(), ["admin", "read"]);
        let t = verified(serde_json::json!({"exp": exp, "scp": "a b"}));
        assert_eq!(granted_scopes(&t).unwrap(), ["a", "b"]);
        let t = verified(serde_json::json!({"exp": exp, "scope": ["x"], "scp": ["y"]}));
        assert_eq!(granted_scopes(&t).unwrap(), ["x"]);
        let t = verified(serde_json::json!({"exp": exp}));
        assert!(granted_scopes(&t).unwrap().is_empty());
        let err = auth
            .check_scopes(&t, &RequiredScopes::any(["a"]))
            .unwrap_err();
        assert!(matches!(err.kind(), RejectionKind::InsufficientScope(_)));

        let t = verified(serde_json::json!({"exp": exp, "scope": 7}));
        let err = auth
            .check_scopes(&t, &RequiredScopes::all(["a"]))
            .unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(err.description(), "the token scope claim is invalid");
        let t = verified(serde_json::json!({"exp": exp, "scp": ["a", 1]}));
        assert!(granted_scopes(&t).is_err());
    }

    #[test]
    fn what_extractors_and_scope_guards_answer() {
        let auth = auth();
        let exp = 4_102_444_800u64;
        let token = auth
            .verifier()
            .verify_token(&sign(
                serde_json::json!({"sub": "ada", "exp": exp, "scope": "read"}),
            ))
            .unwrap();
        let sub = |v: serde_json::Value| v["sub"].clone();

        let missing = auth.require_token::<VerifiedToken>(None).unwrap_err();
        assert!(matches!(missing.kind(), RejectionKind::MissingToken));
        assert_eq!(missing.realm(), "test");
        assert!(auth.require_token(Some(&token)).is_ok());

        let claims: serde_json::Value = auth.required_claims(Some(&token)).unwrap();
        assert_eq!(sub(claims), "ada");
        let err = auth.required_claims::<serde_json::Value>(None).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(err.error_code(), "missing_token");

        assert!(
            auth.optional_claims::<serde_json::Value>(None)
                .unwrap()
                .is_none()
        );
        let some: Option<serde_json::Value> = auth.optional_claims(Some(&token)).unwrap();
        assert_eq!(some.map(sub), Some(serde_json::json!("ada")));
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsEmail {
            email: String,
        }
        let err = auth
            .optional_claims::<NeedsEmail>(Some(&token))
            .unwrap_err();
        assert_eq!(err.description(), "the token claims are invalid");

        let admin = RequiredScopes::all(["admin"]);
        assert!(
            auth.require_scopes(Some(&token), &RequiredScopes::all(["read"]))
                .is_ok()
        );
        let err = auth.require_scopes(Some(&token), &admin).unwrap_err();
        assert_eq!(err.status(), StatusCode::FORBIDDEN);
        let err = auth.require_scopes(None, &admin).unwrap_err();
        assert!(matches!(err.kind(), RejectionKind::MissingToken));
    }

    /// A framework whose responses are strings, for the adapter building blocks.
    enum Plain {}

    impl Adapter for Plain {
        type Response = String;
        const MIDDLEWARE: &'static str = "PlainMiddleware";
        const HOW_TO_ADD: &'static str = "`.wrap(PlainMiddleware)`";
    }

    fn default_answer(rejection: &Rejection) -> String {
        format!("default {}", rejection.status().as_u16())
    }

    fn hooked(rejection: &Rejection) -> String {
        format!("hook {}", rejection.error_code())
    }

    #[test]
    fn a_guard_admits_refuses_or_verifies() {
        let guard = BearerGuard::<Plain>::new(auth());
        let good = sign(serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}));
        let bearer = format!("Bearer {good}");

        let Admission::Refuse(refusal) = guard.admit(&request("/", &[])) else {
            panic!("no token in required mode must be refused");
        };
        assert!(matches!(
            refusal.rejection().kind(),
            RejectionKind::MissingToken
        ));
        assert_eq!(refusal.rejection().realm(), "test");
        assert!(!refusal.is_unguarded());
        assert_eq!(refusal.respond(default_answer), "default 401");

        let malformed = request("/", &[("authorization", "Bearer")]);
        let Admission::Refuse(refusal) = guard.admit(&malformed) else {
            panic!("a malformed request must be refused");
        };
        assert_eq!(refusal.rejection().status(), StatusCode::BAD_REQUEST);

        let Admission::Verify(verify) = guard.admit(&request("/", &[("authorization", &bearer)]))
        else {
            panic!("a token must be verified");
        };
        let token = block_on(verify).unwrap();
        assert_eq!(token.claims::<serde_json::Value>().unwrap()["sub"], "ada");

        let expired = format!("Bearer {}", sign(serde_json::json!({"exp": 1_000_000_000})));
        let hooked_guard = guard.clone().on_error(hooked);
        let Admission::Verify(verify) =
            hooked_guard.admit(&request("/", &[("authorization", &expired)]))
        else {
            panic!("a token must be verified");
        };
        let refusal = block_on(verify).unwrap_err();
        assert_eq!(refusal.to_string(), "invalid_token: the token has expired");
        assert_eq!(refusal.respond(default_answer), "hook invalid_token");

        let optional = guard.clone().optional();
        assert!(matches!(
            optional.admit(&request("/", &[])),
            Admission::Anonymous
        ));
        assert!(matches!(optional.admit(&malformed), Admission::Refuse(_)));
        // Copy on write: the guard it came from is unchanged.
        assert!(!guard.auth().is_optional());
        assert!(!guard.has_error_hook());
        assert!(hooked_guard.has_error_hook());

        let cookie = guard
            .clone()
            .with_locations(TokenLocations::nowhere().cookie("tok"))
            .with_realm("other");
        let by_cookie = format!("tok={good}");
        assert!(matches!(
            cookie.admit(&request("/", &[("cookie", &by_cookie)])),
            Admission::Verify(_)
        ));
        let Admission::Refuse(refusal) = cookie.admit(&request("/", &[("authorization", &bearer)]))
        else {
            panic!("the Authorization header is not read");
        };
        assert_eq!(refusal.rejection().realm(), "other");
    }

    #[test]
    fn what_stored_tokens_answer() {
        let guard = BearerGuard::<Plain>::new(auth()).on_error(hooked);
        let exp = 4_102_444_800u64;
        let verified = |claims| Arc::new(auth().verifier().verify_token(&sign(claims)).unwrap());
        let token = verified(serde_json::json!({"sub": "ada", "exp": exp, "scope": "read"}));
        let with_token = Admitted::verified(guard.clone(), Arc::clone(&token));
        let anonymous = Admitted::anonymous(guard.clone());
        let stored = |admitted| Stored::new(Some(admitted), "Claims");

        let claims: serde_json::Value = stored(&with_token).claims().unwrap();
        assert_eq!(claims["sub"], "ada");
        let refusal = stored(&anonymous)
            .claims::<serde_json::Value>()
            .unwrap_err();
        assert!(matches!(
            refusal.rejection().kind(),
            RejectionKind::MissingToken
        ));
        assert_eq!(refusal.rejection().realm(), "test");
        assert_eq!(refusal.respond(default_answer), "hook missing_token");

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsEmail {
            email: String,
        }
        let refusal = stored(&with_token).claims::<NeedsEmail>().unwrap_err();
        assert_eq!(
            refusal.rejection().description(),
            "the token claims are invalid"
        );
        let refusal = stored(&with_token)
            .optional_claims::<NeedsEmail>()
            .unwrap_err();
        assert_eq!(refusal.rejection().status(), StatusCode::UNAUTHORIZED);
        assert!(
            stored(&anonymous)
                .optional_claims::<NeedsEmail>()
                .unwrap()
                .is_none()
        );

        assert!(Arc::ptr_eq(stored(&with_token).token().unwrap(), &token));
        assert!(stored(&anonymous).token().is_err());
        assert!(stored(&anonymous).optional_token().unwrap().is_none());
        assert!(stored(&with_token).optional_token().unwrap().is_some());

        let read = RequiredScopes::all(["read"]);
        let admin = RequiredScopes::all(["admin"]);
        assert!(stored(&with_token).scopes(&read).is_ok());
        let refusal = stored(&with_token).scopes(&admin).unwrap_err();
        assert_eq!(refusal.rejection().status(), StatusCode::FORBIDDEN);
        let refusal = stored(&anonymous).scopes(&admin).unwrap_err();
        assert!(matches!(
            refusal.rejection().kind(),
            RejectionKind::MissingToken
        ));
    }

    #[test]
    fn without_a_guard_everything_fails_closed() {
        let unguarded = || Stored::<Plain, Arc<VerifiedToken>>::new(None, "Claims");
        let refusals = [
            unguarded().claims::<serde_json::Value>().unwrap_err(),
            unguarded()
                .optional_claims::<serde_json::Value>()
                .unwrap_err(),
            unguarded().token().unwrap_err(),
            unguarded().optional_token().unwrap_err(),
            unguarded()
                .scopes(&RequiredScopes::all(["admin"]))
                .unwrap_err(),
        ];
        for refusal in refusals {
            assert!(refusal.is_unguarded());
            assert!(matches!(
                refusal.rejection().kind(),
                RejectionKind::MissingToken
            ));
            assert_eq!(refusal.rejection().realm(), DEFAULT_REALM);
            assert_eq!(refusal.respond(default_answer), "default 401");
            assert_eq!(
                refusal.to_string(),
                "no PlainMiddleware on this route, so no verified token: the request is refused as unauthenticated"
            );
            assert!(std::error::Error::source(&refusal).is_some());
            assert_eq!(refusal.into_rejection().status(), StatusCode::UNAUTHORIZED);
        }
    }

    #[test]
    fn bearer_token_debug_is_redacted() {
        let r = request("/", &[("authorization", "Bearer s3cr3t")]);
        let token = TokenLocations::new().extract(&r).unwrap().unwrap();
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert_eq!(token.clone().into_owned().into_string(), "s3cr3t");
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a+b%2f").unwrap(), "a b/");
        assert!(form_decode("%").is_err());
        assert!(form_decode("%e9").is_err());
        assert!(matches!(form_decode("plain").unwrap(), Cow::Borrowed(_)));
    }
}
