//! What a [`JwtLayer`](crate::JwtLayer) stores in a request, and how the extractors and scope
//! guards read it back: the adapter marker, the [`Context`] extension, [`Verified`]. A leaf
//! module: the layer, the extractors and the rejection all use it, and it uses none of them.

use std::ops::Deref;
use std::sync::Arc;

use axum_core::response::Response;
use http::Extensions;
use jwt_guard_core::__private::{Adapter, Admitted, BearerGuard, Stored};
use jwt_guard_core::VerifiedToken;

/// This adapter, to the core: axum responses, and how the layer is added.
pub(crate) enum Axum {}

impl Adapter for Axum {
    type Response = Response;
    const MIDDLEWARE: &'static str = "JwtLayer";
    const HOW_TO_ADD: &'static str = "`.layer(JwtLayer::new(..))` (or `.route_layer`)";
    const ORDER_HINT: &'static str = "in axum the last `.layer`/`.route_layer` runs first";
}

/// The request extension every request under a [`JwtLayer`] gets (with or without a token), so
/// extractors can tell "optional layer, anonymous" from "no layer": the layer's guard and the
/// token it verified as one value, which a nested layer replaces whole, so an outer layer's
/// token never pairs with an inner layer's rules.
#[derive(Clone)]
pub(crate) struct Context(pub(crate) Admitted<Axum, Verified>);

/// The verified token a [`JwtLayer`](crate::JwtLayer) stored in the request extensions
/// (header and claims JSON); also an extractor, and what a non-axum service behind the layer
/// reads with `request.extensions().get::<Verified>()`.
///
/// Rejects as [`Claims`](crate::Claims) does, but never for the claims' shape.
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

/// What the layer stored in the request, for the core to decide on.
pub(crate) fn stored<'r>(
    extensions: &'r Extensions,
    what: &'static str,
) -> Stored<'r, Axum, Verified> {
    Stored::new(extensions.get::<Context>().map(|c| &c.0), what)
}

/// Stores what `guard` admitted: the verified token (also as [`Verified`], for services that
/// read it themselves), or nothing for an anonymous request, removing what an outer layer
/// stored: under this layer, the request is exactly what this layer verified.
pub(crate) fn store(
    extensions: &mut Extensions,
    guard: BearerGuard<Axum>,
    token: Option<Arc<VerifiedToken>>,
) {
    match token {
        Some(token) => {
            let verified = Verified(token);
            extensions.insert(verified.clone());
            extensions.insert(Context(Admitted::verified(guard, verified)));
        }
        None => {
            extensions.remove::<Verified>();
            extensions.insert(Context(Admitted::anonymous(guard)));
        }
    }
}
