//! Framework-free HTTP helpers shared by the adapters: where a request carries its access token,
//! what a Bearer credential looks like, which status and `WWW-Authenticate` answer each failure
//! gets (RFC 6750), and scope checks. Depends on the `http` crate only; a framework on another
//! `http` version (actix-web) implements [`TokenSource`] for its request and reads a
//! [`Rejection`]'s parts ([`Rejection::status`], [`Rejection::www_authenticate`],
//! [`Rejection::json_body`]).
//!
//! This is the API for an adapter of your own (poem, a tonic interceptor, a hand-written hyper
//! service). Every decision it needs is one call: [`BearerAuth::extract`] finds the token (or
//! says why the request is malformed), [`BearerAuth::verify`] checks it
//! ([`BearerAuth::authenticate`] does both), [`BearerAuth::claims`] and
//! [`BearerAuth::check_scopes`] serve the handler, [`BearerAuth::missing_token`] answers a
//! request that has none where one is needed, and each failure is a [`Rejection`] that knows its
//! answer:
//!
//! | case | status | `WWW-Authenticate` | body `error` |
//! |---|---|---|---|
//! | no token anywhere | 401 | `Bearer realm="api"` | `missing_token` |
//! | token in two places, repeated, `Bearer` with no token, not b64token syntax | 400 | `Bearer realm="api", error="invalid_request", error_description="..."` | `invalid_request` |
//! | the token fails verification (any [`ErrorKind`](crate::ErrorKind) token fault) | 401 | `Bearer realm="api", error="invalid_token", error_description="..."` | `invalid_token` |
//! | a required scope is missing | 403 | `Bearer realm="api", error="insufficient_scope", error_description="...", scope="..."` | `insufficient_scope` |
//! | a required role is missing ([`RequiredRoles`]) | 403 | `Bearer realm="api", error="insufficient_scope", error_description="a required role is missing"` (no `scope`) | `insufficient_role` |
//! | a route's claim rule fails ([`RequiredClaims`]) | 403 | `Bearer realm="api", error="insufficient_scope", error_description="a required claim is missing"` (no `scope`) | `insufficient_role` |
//! | server misconfiguration (never a token fault) | 500 | (none) | `server_error` |
//!
//! With [`ResourceMetadata`] (the `[resource_metadata]` table, RFC 9728), every challenge also
//! carries `resource_metadata="<the metadata URL>"`.
//!
//! The body is `{"error": "...", "error_description": "..."}`. Descriptions are fixed text in
//! RFC 6750's allowed characters and never echo the token.
//!
//! The source files follow the seams: [`TokenSource`] (what a request looks like), the token
//! locations and their `[token]` table, credential syntax, the answers, scopes, and
//! [`BearerAuth`]. How jwt-guard's own adapters are wired on top of these is not public API
//! (`jwt_guard_core::__private`).
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
//!     .with_token_locations(TokenLocations::new().cookie("session"))
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

mod answers;
mod auth;
mod credentials;
mod denial;
mod locations;
mod metadata;
mod roles;
mod scopes;
mod source;
mod user;

pub use answers::{BearerError, InvalidRequest, Rejection, RejectionKind};
pub use auth::{BearerAuth, RequiredFreshness};
pub use denial::Denial;
pub use locations::{BearerToken, TokenLocation, TokenLocations};
pub use metadata::{ResourceMetadata, WELL_KNOWN_PATH};
pub use roles::{RequiredClaims, RequiredRoles, granted_roles};
pub use scopes::{RequiredScopes, granted_scopes};
pub use source::{HeadersAndQuery, TokenSource};
pub use user::{LoadError, LoadedUser, UserLoader, Users};

pub(crate) use auth::Quick;
pub(crate) use credentials::RawToken;
pub(crate) use credentials::is_token as is_token_name;

/// The header read by default: `Authorization`, with the `Bearer` scheme (RFC 6750 §2.1).
pub const DEFAULT_HEADER: &str = "authorization";
/// The query parameter RFC 6750 §2.3 names, used for `query = true` in the `[token]` table.
pub const DEFAULT_QUERY_PARAM: &str = "access_token";
/// The `realm` of the `WWW-Authenticate` challenge unless one is set.
pub const DEFAULT_REALM: &str = "api";

/// Shared helpers of the `http` unit tests.
#[cfg(test)]
pub(crate) mod test_support {

    pub(crate) use ::http::{HeaderValue, Request, StatusCode};

    pub(crate) use crate::http::*;
    pub(crate) use crate::{Algorithm, ErrorKind, Key, Signer, Verifier, VerifierConfig};

    pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    pub(crate) const SECRET: &[u8] = b"an example secret of 32 bytes..!";

    pub(crate) fn auth() -> BearerAuth {
        let key = Key::hmac(SECRET).unwrap();
        let verifier = Verifier::builder()
            .algorithms([Algorithm::HS256])
            .key(key)
            .build()
            .unwrap();
        BearerAuth::new(verifier).with_realm("test")
    }

    pub(crate) fn sign(claims: serde_json::Value) -> String {
        Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256)
            .unwrap()
            .encode(&claims)
            .unwrap()
    }

    pub(crate) fn request(uri: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::get(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    pub(crate) fn all_locations() -> TokenLocations {
        TokenLocations::new()
            .cookie("tok")
            .query(DEFAULT_QUERY_PARAM)
    }

    pub(crate) fn found(
        locations: &TokenLocations,
        req: &Request<()>,
    ) -> Result<Option<String>, InvalidRequest> {
        locations
            .extract(req)
            .map(|t| t.map(|t| format!("{:?}:{}", t.location(), t.as_str())))
    }
}
