//! Extractors: [`Claims<T>`] and [`Verified`].

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use jwt_guard_core::VerifiedToken;
use serde::de::DeserializeOwned;

use crate::layer::Context;
use crate::rejection::JwtRejection;

/// The verified token a [`JwtLayer`](crate::JwtLayer) stored in the request extensions
/// (header and claims JSON); also an extractor, and what a non-axum service behind the layer
/// reads with `request.extensions().get::<Verified>()`.
///
/// Rejects as [`Claims`] does, but never for the claims' shape.
#[derive(Debug, Clone)]
pub struct Verified(pub(crate) Arc<VerifiedToken>);

impl Verified {
    /// The verified token.
    pub fn token(&self) -> &Arc<VerifiedToken> {
        &self.0
    }
}

impl Deref for Verified {
    type Target = VerifiedToken;

    fn deref(&self) -> &VerifiedToken {
        &self.0
    }
}

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
/// - without a `JwtLayer` on the route: 401 as for no token, plus an error-level log that the
///   layer is missing ([`JwtRejection::is_missing_layer`]). It never verifies by itself.
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

/// The layer's context and the verified token, if any.
fn lookup<'p>(
    parts: &'p Parts,
    what: &'static str,
) -> Result<(&'p Context, Option<&'p Verified>), JwtRejection> {
    let context = parts
        .extensions
        .get::<Context>()
        .ok_or_else(|| JwtRejection::missing_layer(what))?;
    Ok((context, parts.extensions.get::<Verified>()))
}

fn claims<T: DeserializeOwned>(
    context: &Context,
    token: &Verified,
) -> Result<Claims<T>, JwtRejection> {
    context
        .0
        .auth
        .claims(token)
        .map(Claims)
        .map_err(|r| JwtRejection::new(r, &context.0))
}

impl<T, S> FromRequestParts<S> for Claims<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, JwtRejection> {
        match lookup(parts, "Claims")? {
            (context, Some(token)) => claims(context, token),
            (context, None) => Err(JwtRejection::new(
                context.0.auth.missing_token(),
                &context.0,
            )),
        }
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
        match lookup(parts, "Option<Claims>")? {
            (context, Some(token)) => claims(context, token).map(Some),
            (_, None) => Ok(None),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, JwtRejection> {
        match lookup(parts, "Verified")? {
            (_, Some(token)) => Ok(token.clone()),
            (context, None) => Err(JwtRejection::new(
                context.0.auth.missing_token(),
                &context.0,
            )),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Verified {
    type Rejection = JwtRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, JwtRejection> {
        Ok(lookup(parts, "Option<Verified>")?.1.cloned())
    }
}
