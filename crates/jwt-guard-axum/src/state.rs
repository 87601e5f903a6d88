//! What a [`JwtLayer`](crate::JwtLayer) stores in a request, and how the extractors and scope
//! guards read it back: the adapter marker, the [`Context`] extension, [`Verified`]. A leaf
//! module: the layer, the extractors and the rejection all use it, and it uses none of them.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use axum_core::response::Response;
use http::Extensions;
use jwt_guard_core::__private::{Adapter, BearerGuard, Stored};
use jwt_guard_core::VerifiedToken;

/// This adapter, to the core: axum responses, and how the layer is added.
pub(crate) enum Axum {}

impl Adapter for Axum {
    type Response = Response;
    const MIDDLEWARE: &'static str = "JwtLayer";
    const HOW_TO_ADD: &'static str = "`.layer(JwtLayer::new(..))` (or `.route_layer`)";
    const ORDER_HINT: &'static str = "in axum the last `.layer`/`.route_layer` runs first";
}

/// The request extension of a request a [`JwtLayer`](crate::JwtLayer) let through without a token
/// (optional mode): its guard, so extractors can tell "optional layer, anonymous" from "no
/// layer". A verified request has [`Verified`] instead, which carries the guard.
#[derive(Clone)]
pub(crate) struct Context(pub(crate) BearerGuard<Axum>);

/// The verified token a [`JwtLayer`](crate::JwtLayer) stored in the request extensions
/// (header and claims JSON); also an extractor, and what a non-axum service behind the layer
/// reads with `request.extensions().get::<Verified>()`.
///
/// Rejects as [`Claims`](crate::Claims) does, but never for the claims' shape.
#[derive(Clone)]
pub struct Verified {
    token: Arc<VerifiedToken>,
    /// The guard of the layer that verified it (its rules answer the extractors' refusals).
    guard: BearerGuard<Axum>,
}

impl Verified {
    /// The verified token.
    pub fn token(&self) -> &Arc<VerifiedToken> {
        &self.token
    }
}

impl Deref for Verified {
    type Target = VerifiedToken;

    fn deref(&self) -> &VerifiedToken {
        &self.token
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Verified").field(&self.token).finish()
    }
}

/// Stores what `guard` admitted, replacing what an outer layer stored (under this layer, the
/// request is exactly what this layer verified, [`Stored`]): the verified token with its guard as
/// one [`Verified`] extension (one allocation; services read it themselves too), or the guard
/// alone as [`Context`] for an anonymous request.
pub(crate) fn store(
    extensions: &mut Extensions,
    guard: BearerGuard<Axum>,
    token: Option<Arc<VerifiedToken>>,
) {
    match token {
        Some(token) => {
            extensions.remove::<Context>();
            extensions.insert(Verified { token, guard });
        }
        None => {
            extensions.remove::<Verified>();
            extensions.insert(Context(guard));
        }
    }
}

/// What the layer stored in the request, for the core to decide on.
pub(crate) fn stored<'r>(
    extensions: &'r Extensions,
    what: &'static str,
) -> Stored<'r, Axum, Verified> {
    match extensions.get::<Verified>() {
        Some(verified) => Stored::verified(&verified.guard, verified, what),
        None => Stored::anonymous(extensions.get::<Context>().map(|c| &c.0), what),
    }
}
