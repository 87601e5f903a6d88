//! The answers (RFC 6750 §3): [`Rejection`], its status, `WWW-Authenticate` challenge and
//! JSON body, and [`BearerError`].

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use ::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use ::http::{HeaderValue, Response, StatusCode};
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::http::*;

/// The RFC 6750 §3.1 error code for a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BearerError {
    /// `invalid_request`: 400.
    InvalidRequest,
    /// `invalid_token`: 401.
    InvalidToken,
    /// `insufficient_scope`: 403.
    InsufficientScope,
    /// `insufficient_user_authentication` (RFC 9470 §3): 401. The token is valid, the
    /// authentication behind it is not recent enough (a fresh login is required; a refresh
    /// does not help).
    InsufficientUserAuthentication,
}

impl BearerError {
    /// The answer to a request refused for `error`: every token fault is `invalid_token` (401);
    /// a configuration error has none (`None`: the server answers 500). The one place this
    /// mapping is made ([`RejectionKind::from`] builds on it).
    pub fn for_error(error: &ErrorKind) -> Option<BearerError> {
        error.is_token_error().then_some(BearerError::InvalidToken)
    }

    /// The RFC 6750 error code.
    pub fn as_str(self) -> &'static str {
        match self {
            BearerError::InvalidRequest => "invalid_request",
            BearerError::InvalidToken => "invalid_token",
            BearerError::InsufficientScope => "insufficient_scope",
            BearerError::InsufficientUserAuthentication => "insufficient_user_authentication",
        }
    }

    /// The HTTP status code RFC 6750 §3.1 gives for it.
    pub fn status(self) -> u16 {
        match self {
            BearerError::InvalidRequest => 400,
            BearerError::InvalidToken => 401,
            BearerError::InsufficientScope => 403,
            BearerError::InsufficientUserAuthentication => 401,
        }
    }
}

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
    /// The token is valid but not fresh where a fresh login is required (`RequireFresh`): 401
    /// `insufficient_user_authentication` (RFC 9470 §3), "a fresh login is required".
    InsufficientUserAuthentication,
    /// The token lacks a required role: 403, challenge `insufficient_scope` (RFC 6750 defines
    /// no other 403 code) with no `scope` attribute, body `insufficient_role`.
    InsufficientRole(RequiredRoles),
    /// The token fails a route's claim rule ([`RequiredClaims`]; the error is the
    /// [`ErrorKind::ClaimRejected`] saying which): answered as [`RejectionKind::InsufficientRole`]
    /// with the description "a required claim is missing".
    InsufficientClaims(Error),
    /// A custom check on the middleware refused the token ([`Denial`]): 401 `invalid_token`
    /// or 403 `insufficient_scope` (no `scope` attribute), with the check's description.
    Denied(Denial),
    /// `CurrentUser<U>`: the [`UserLoader`] found no user for the token: 401 `invalid_token`,
    /// "no user matches the token".
    UnknownUser,
    /// `CurrentUser<U>`: the [`UserLoader`] failed: 500 `server_error`, "the user could not be
    /// loaded" (its error is logged, never answered).
    UserUnavailable,
    /// A server-side fault (configuration), never a token fault: 500 with no challenge.
    Server(Error),
    /// Browser sessions ([`crate::sessions::cookies`]): the token came from a cookie, the method
    /// is unsafe, and the request does not carry the token's `csrf` value in the CSRF header:
    /// 403, body `csrf_failed`, no `WWW-Authenticate` challenge (the token is valid; new
    /// credentials would not help, the request did not prove it came from the page).
    CsrfFailed,
    /// A shared store this request depends on cannot answer
    /// ([`ErrorKind::RevocationUnavailable`]: the revocation replica is too stale and the
    /// config fails closed): 503 with `Retry-After`, body error `temporarily_unavailable`, no
    /// challenge (the token was fine as far as it was checked).
    Unavailable(Error),
}

/// A core error refusing a request: `InvalidToken` for a token fault, `Server` otherwise
/// ([`BearerError::for_error`]).
impl From<Error> for RejectionKind {
    fn from(error: Error) -> RejectionKind {
        if let ErrorKind::RevocationUnavailable { .. } = error.kind() {
            return RejectionKind::Unavailable(error);
        }
        match BearerError::for_error(error.kind()) {
            Some(_) => RejectionKind::InvalidToken(error),
            None => RejectionKind::Server(error),
        }
    }
}

/// A refused request and its RFC 6750 answer: status, `WWW-Authenticate` value, JSON body.
///
/// Build one with [`BearerAuth`] (which sets its realm), or [`Rejection::new`].
#[derive(Debug)]
pub struct Rejection {
    pub(super) kind: RejectionKind,
    pub(super) realm: Arc<str>,
    /// The RFC 9728 metadata URL every challenge names, if any.
    pub(super) resource_metadata: Option<Arc<str>>,
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
            resource_metadata: None,
        }
    }

    /// Names the RFC 9728 metadata URL in the challenge (`resource_metadata="..."`;
    /// characters RFC 6750 does not allow in a quoted value become `?`).
    #[must_use]
    pub fn with_resource_metadata(mut self, url: &str) -> Rejection {
        self.resource_metadata = Some(Arc::from(quoted_safe(url).as_ref()));
        self
    }

    /// The RFC 9728 metadata URL the challenge names, if any.
    pub fn resource_metadata(&self) -> Option<&str> {
        self.resource_metadata.as_deref()
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

    /// The core error behind an `invalid_token`, server or unavailable rejection.
    pub fn error(&self) -> Option<&Error> {
        match &self.kind {
            RejectionKind::InvalidToken(e)
            | RejectionKind::Server(e)
            | RejectionKind::Unavailable(e)
            | RejectionKind::InsufficientClaims(e) => Some(e),
            _ => None,
        }
    }

    /// The RFC 6750 error code, if the answer carries one (not for a missing token, a server
    /// fault or an unavailable store).
    pub fn bearer_error(&self) -> Option<BearerError> {
        match &self.kind {
            RejectionKind::MissingToken
            | RejectionKind::Server(_)
            | RejectionKind::Unavailable(_)
            | RejectionKind::UserUnavailable
            | RejectionKind::CsrfFailed => None,
            RejectionKind::UnknownUser => Some(BearerError::InvalidToken),
            RejectionKind::InvalidRequest(_) => Some(BearerError::InvalidRequest),
            RejectionKind::InvalidToken(e) => BearerError::for_error(e.kind()),
            RejectionKind::InsufficientScope(_)
            | RejectionKind::InsufficientRole(_)
            | RejectionKind::InsufficientClaims(_) => Some(BearerError::InsufficientScope),
            RejectionKind::Denied(denial) => Some(denial.bearer_error()),
            RejectionKind::InsufficientUserAuthentication => {
                Some(BearerError::InsufficientUserAuthentication)
            }
        }
    }

    /// The HTTP status: 400, 401, 403 (500 only for a server fault; 503 for an unavailable
    /// shared store).
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            RejectionKind::MissingToken
            | RejectionKind::InvalidToken(_)
            | RejectionKind::InsufficientUserAuthentication
            | RejectionKind::UnknownUser => StatusCode::UNAUTHORIZED,
            RejectionKind::UserUnavailable => StatusCode::INTERNAL_SERVER_ERROR,
            RejectionKind::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            RejectionKind::InsufficientScope(_)
            | RejectionKind::InsufficientRole(_)
            | RejectionKind::InsufficientClaims(_)
            | RejectionKind::CsrfFailed => StatusCode::FORBIDDEN,
            RejectionKind::Denied(denial) => {
                StatusCode::from_u16(denial.status()).unwrap_or(StatusCode::FORBIDDEN)
            }
            RejectionKind::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
            RejectionKind::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The `Retry-After` seconds of a 503 ([`RejectionKind::Unavailable`]), else `None`.
    pub fn retry_after(&self) -> Option<u64> {
        match self.error().map(Error::kind) {
            Some(ErrorKind::RevocationUnavailable { retry_after_secs }) => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The body's `error`: the RFC 6750 code, `missing_token`, `insufficient_role` (a role or
    /// a route's claim rule), `server_error` or `temporarily_unavailable` (RFC 6749
    /// §4.1.2.1's code for a 503).
    pub fn error_code(&self) -> &'static str {
        match &self.kind {
            RejectionKind::MissingToken => "missing_token",
            RejectionKind::InsufficientRole(_) | RejectionKind::InsufficientClaims(_) => {
                "insufficient_role"
            }
            RejectionKind::Server(_) | RejectionKind::UserUnavailable => "server_error",
            RejectionKind::Unavailable(_) => "temporarily_unavailable",
            RejectionKind::CsrfFailed => "csrf_failed",
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
            RejectionKind::InvalidToken(e)
            | RejectionKind::Server(e)
            | RejectionKind::Unavailable(e) => e.description(),
            RejectionKind::InsufficientScope(_) => {
                Cow::Borrowed("the token lacks a required scope")
            }
            RejectionKind::InsufficientUserAuthentication => {
                Cow::Borrowed("a fresh login is required")
            }
            RejectionKind::InsufficientRole(_) => Cow::Borrowed("a required role is missing"),
            RejectionKind::InsufficientClaims(_) => Cow::Borrowed("a required claim is missing"),
            RejectionKind::Denied(denial) => Cow::Owned(denial.description().to_owned()),
            RejectionKind::UnknownUser => Cow::Borrowed("no user matches the token"),
            RejectionKind::UserUnavailable => Cow::Borrowed("the user could not be loaded"),
            RejectionKind::CsrfFailed => {
                Cow::Borrowed("the request does not carry the CSRF token of its session cookie")
            }
        }
    }

    /// The `WWW-Authenticate` value, e.g. `Bearer realm="api", error="invalid_token",
    /// error_description="the token has expired"`; just `Bearer realm="api"` for a missing token;
    /// `None` for a server fault, an unavailable store or a CSRF refusal.
    pub fn www_authenticate(&self) -> Option<String> {
        let mut value = self.challenge()?;
        if let Some(url) = &self.resource_metadata {
            value.push_str(", resource_metadata=\"");
            value.push_str(url);
            value.push('"');
        }
        Some(value)
    }

    /// The challenge without `resource_metadata`.
    fn challenge(&self) -> Option<String> {
        let realm = &self.realm;
        match &self.kind {
            RejectionKind::MissingToken => Some(format!("Bearer realm=\"{realm}\"")),
            RejectionKind::Server(_)
            | RejectionKind::Unavailable(_)
            | RejectionKind::UserUnavailable
            | RejectionKind::CsrfFailed => None,
            kind => {
                // The RFC 6750 code (for a role: `insufficient_scope`, not the body's code).
                let code = self
                    .bearer_error()
                    .map_or_else(|| self.error_code(), BearerError::as_str);
                let mut value = format!(
                    "Bearer realm=\"{realm}\", error=\"{code}\", error_description=\"{}\"",
                    quoted_safe(&self.description()),
                );
                if let RejectionKind::InsufficientScope(required) = kind {
                    value.push_str(", scope=\"");
                    value.push_str(&quoted_safe(&required.scopes().join(" ")));
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

    /// The whole answer: status, `WWW-Authenticate`, `Content-Type: application/json`, body;
    /// `Retry-After` on a 503.
    pub fn to_response(&self) -> Response<String> {
        let mut response = Response::new(self.json_body());
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(value) = self.www_authenticate_header() {
            headers.insert(WWW_AUTHENTICATE, value);
        }
        if let Some(secs) = self.retry_after() {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
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

/// Keeps the characters RFC 6750 allows in a quoted attribute value, replacing others with
/// `?` (no length cap: the realm and the scope list are the server's own text).
pub(super) fn quoted_safe(s: &str) -> Cow<'_, str> {
    crate::error::rfc6750_safe(s, usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;

    #[test]
    fn bearer_statuses() {
        assert_eq!(BearerError::InvalidRequest.status(), 400);
        assert_eq!(BearerError::InvalidToken.status(), 401);
        assert_eq!(BearerError::InsufficientScope.status(), 403);
        assert_eq!(
            BearerError::InsufficientScope.as_str(),
            "insufficient_scope"
        );
        let config = Error::config("algorithms", "empty");
        assert_eq!(BearerError::for_error(config.kind()), None);
        assert!(matches!(
            RejectionKind::from(config),
            RejectionKind::Server(_)
        ));
        let token = Error::new(ErrorKind::Expired);
        assert_eq!(
            BearerError::for_error(token.kind()),
            Some(BearerError::InvalidToken)
        );
        assert!(matches!(
            RejectionKind::from(token),
            RejectionKind::InvalidToken(_)
        ));
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
}
