//! Where a request may carry its access token ([`TokenLocations`], the `[token]` table) and
//! what was found there ([`BearerToken`]).

use std::borrow::Cow;
use std::fmt;

use ::http::HeaderName;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::{Error, Result};
use crate::http::credentials::*;
use crate::http::*;

// ---------------------------------------------------------------------------------------------
// Where the token may be
// ---------------------------------------------------------------------------------------------

/// Where requests may carry the access token: a header, a cookie, a query parameter (each
/// optional). The `[token]` table of a [`VerifierConfig`](crate::VerifierConfig):
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
    /// `header` parsed once (`None` when it is not a valid header name, which never matches).
    header_name: Option<HeaderName>,
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
            header_name: Some(::http::header::AUTHORIZATION),
            cookie: None,
            query: None,
        }
    }

    /// No location at all, to add to (`TokenLocations::nowhere().cookie("session")`).
    pub fn nowhere() -> TokenLocations {
        TokenLocations {
            header: None,
            header_name: None,
            cookie: None,
            query: None,
        }
    }

    /// Reads the token from header `name` instead of `Authorization` (any other header holds
    /// the bare token; a `Bearer ` prefix is allowed).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>) -> TokenLocations {
        let name = name.into().to_ascii_lowercase();
        self.header_name = HeaderName::from_bytes(name.as_bytes()).ok();
        self.header = Some(name);
        self
    }

    /// Reads no header.
    #[must_use]
    pub fn without_header(mut self) -> TokenLocations {
        self.header = None;
        self.header_name = None;
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
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) naming `token.header`, `token.cookie` or `token.query`, or
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
        self.scan(request, RawToken::check)
    }

    /// [`TokenLocations::extract`] without the syntax check of the token found: what
    /// [`BearerGuard::admit`](crate::__private::BearerGuard::admit) looks up in the
    /// verified-token cache first (a cached token passed that check).
    ///
    /// When this finds exactly one token and no fault, `extract` gives that token's
    /// [`RawToken::check`]: the two scans differ only in the check of what they find, and
    /// `extract` would have stopped at this one token's check or returned it. Otherwise (no
    /// token, a fault) the caller asks `extract` for the answer, which may be an earlier token's
    /// syntax fault where this one saw a repeated location.
    pub(crate) fn find<'r, R: TokenSource + ?Sized>(
        &self,
        request: &'r R,
    ) -> Result<Option<RawToken<'r>>, InvalidRequest> {
        self.scan(request, Ok)
    }

    /// Every configured location in order, each token found passed through `found_as`.
    #[inline]
    fn scan<'r, R: TokenSource + ?Sized, T>(
        &self,
        request: &'r R,
        found_as: impl Fn(RawToken<'r>) -> Result<T, InvalidRequest> + Copy,
    ) -> Result<Option<T>, InvalidRequest> {
        let mut found = None;
        if let Some(name) = &self.header_name {
            let values = request.header_values_named(name);
            let bearer_scheme = name == ::http::header::AUTHORIZATION;
            if let Some(token) = header_token(values, bearer_scheme, found_as)? {
                place(&mut found, token)?;
            }
        }
        if let Some(name) = &self.cookie
            && let Some(token) = cookie_token(request, name, found_as)?
        {
            place(&mut found, token)?;
        }
        if let Some(name) = &self.query
            && let Some(query) = request.query()
            && let Some(token) = query_token(query, name, found_as)?
        {
            place(&mut found, token)?;
        }
        Ok(found)
    }
}

fn place<T>(found: &mut Option<T>, token: T) -> Result<(), InvalidRequest> {
    if found.is_some() {
        return Err(InvalidRequest::MultipleLocations);
    }
    *found = Some(token);
    Ok(())
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
    pub(super) token: Cow<'r, str>,
    pub(super) location: TokenLocation,
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
        let locations = match raw.header {
            None | Some(NameOrFlag::Flag(true)) => TokenLocations::new(),
            Some(NameOrFlag::Flag(false)) => TokenLocations::nowhere(),
            Some(NameOrFlag::Name(name)) => TokenLocations::nowhere().header(name),
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
            cookie,
            query,
            ..locations
        };
        locations.check()?;
        Ok(locations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;

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
        assert_eq!(
            auth.token_locations(),
            &TokenLocations::new().cookie("session")
        );
        assert_eq!(VerifierConfig::default().token, TokenLocations::new());
    }

    #[test]
    fn bearer_token_debug_is_redacted() {
        let r = request("/", &[("authorization", "Bearer s3cr3t")]);
        let token = TokenLocations::new().extract(&r).unwrap().unwrap();
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert_eq!(token.clone().into_owned().into_string(), "s3cr3t");
    }
}
