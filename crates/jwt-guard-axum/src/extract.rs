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
/// # Rejections
/// - 401 `invalid_token` ("the token claims are invalid") when the claims do not deserialize
///   into `T` (the token lacks a member the handler needs);
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
    T: DeserializeOwned,
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
    T: DeserializeOwned,
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
