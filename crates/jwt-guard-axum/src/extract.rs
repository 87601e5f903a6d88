//! Extractors: [`Claims<T>`]; [`Verified`](crate::Verified) lives in `state`, where the middleware stores it.

use std::ops::{Deref, DerefMut};

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::rejection::JwtRejection;
use crate::state::{Verified, stored};

/// The verified claims as `T`, from a route under [`JwtLayer`](crate::JwtLayer):
/// `async fn me(Claims(claims): Claims<MyClaims>)`.
///
/// The layer verifies the token once; each `Claims<T>` deserializes the verified claims JSON
/// into its `T` (so several types can be extracted from one request).
///
/// `T` is `Clone + Send + Sync + 'static` (as for axum's `Extension<T>`): for a token the
/// verified-token cache holds, the claims are parsed into `T` once and every later request with
/// that token gets a clone ([`VerifiedToken::claims_shared`](jwt_guard_core::VerifiedToken::claims_shared));
/// `T`'s `Deserialize` must give the same value for the same JSON, as a derived one does.
///
/// Typed claims: flatten [`RegisteredClaims`](jwt_guard_core::RegisteredClaims) into your own
/// type to have `sub`, `exp`, `aud`, ... beside your claims (the layer has already checked the
/// registered ones by its rules); make a claim `Option<..>` if a token may lack it.
///
/// ```
/// use axum::{Router, routing::get};
/// use jwt_guard_axum::{Claims, JwtLayer};
/// use jwt_guard_core::{Algorithm, Key, RegisteredClaims, Signer, Verifier};
/// use serde::Deserialize;
/// use tower::ServiceExt;
///
/// #[derive(Clone, Deserialize)]
/// struct MyClaims {
///     #[serde(flatten)]
///     registered: RegisteredClaims, // iss, sub, aud, exp, nbf, iat, jti
///     tenant: String,               // required: a token without it gets 401
///     roles: Option<Vec<String>>,   // optional
/// }
///
/// async fn me(Claims(claims): Claims<MyClaims>) -> String {
///     let roles = claims.roles.unwrap_or_default().join(",");
///     format!("{} of {} ({roles})", claims.registered.sub.unwrap_or_default(), claims.tenant)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let key = Key::hmac(b"an example secret of 32 bytes..!")?;
/// let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key.clone()).build()?;
/// let app = Router::new().route("/me", get(me)).layer(JwtLayer::new(verifier));
///
/// let signer = Signer::new(key, Algorithm::HS256)?;
/// let get_me = |claims: serde_json::Value| -> Result<_, Box<dyn std::error::Error>> {
///     let token = signer.encode(&claims)?;
///     Ok(http::Request::get("/me")
///         .header("authorization", format!("Bearer {token}"))
///         .body(axum::body::Body::empty())?)
/// };
/// let exp = 4_102_444_800u64;
/// let response = app
///     .clone()
///     .oneshot(get_me(serde_json::json!({"sub": "ada", "tenant": "acme", "exp": exp}))?)
///     .await?;
/// assert_eq!(response.status(), 200);
/// let body = axum::body::to_bytes(response.into_body(), 1024).await?;
/// assert_eq!(body, "ada of acme ()");
/// // No `tenant`: 401 "the token claims are invalid"; the debug event names the field.
/// let response = app.oneshot(get_me(serde_json::json!({"sub": "ada", "exp": exp}))?).await?;
/// assert_eq!(response.status(), 401);
/// # Ok(()) }
/// ```
///
/// # Rejections
/// - 401 `invalid_token` ("the token claims are invalid") when the claims do not deserialize
///   into `T` (the token lacks a member the handler needs), logged at debug level with where
///   and why (`field`, `problem`, `expected`; never a value of the claims);
/// - 401 with a bare `Bearer realm="..."` challenge when there is no token, which can only
///   happen under an optional layer (use `Option<Claims<T>>` there to accept anonymous requests);
/// - without a `JwtLayer` that ran before it (none on the route, or one ordered inside a
///   middleware that uses `Claims`): 401 as for no token, plus an error-level log naming both
///   causes ([`JwtRejection::is_missing_layer`]). It never verifies by itself.
///
/// `Option<Claims<T>>` is `None` for an anonymous request under an optional layer, and rejects
/// in the other cases above.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Claims<T>(pub T);

impl<T> Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Claims<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T, S> FromRequestParts<S> for Claims<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, JwtRejection> {
        stored(&parts.extensions, "Claims")
            .claims()
            .map(Claims)
            .map_err(JwtRejection)
    }
}

impl<T, S> OptionalFromRequestParts<S> for Claims<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = JwtRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, JwtRejection> {
        stored(&parts.extensions, "Option<Claims>")
            .optional_claims()
            .map(|claims| claims.map(Claims))
            .map_err(JwtRejection)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, JwtRejection> {
        stored(&parts.extensions, "Verified")
            .token()
            .cloned()
            .map_err(JwtRejection)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Verified {
    type Rejection = JwtRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, JwtRejection> {
        stored(&parts.extensions, "Option<Verified>")
            .optional_token()
            .map(Option::<&Verified>::cloned)
            .map_err(JwtRejection)
    }
}
