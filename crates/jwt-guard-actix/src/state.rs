//! What a [`JwtMiddleware`](crate::JwtMiddleware) stores in a request, and how the extractors
//! and scope guards read it back: the adapter marker, the [`Context`] extension, [`Verified`].
//! A leaf module: the middleware, the extractors and the error all use it, and it uses none of
//! them.

use std::ops::Deref;
use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::dev::Extensions;
use jwt_guard_core::__private::{Adapter, Admitted, BearerGuard};
use jwt_guard_core::VerifiedToken;

/// This adapter, to the core: actix-web responses, and how the middleware is added.
pub(crate) enum Actix {}

impl Adapter for Actix {
    type Response = HttpResponse;
    const MIDDLEWARE: &'static str = "JwtMiddleware";
    const HOW_TO_ADD: &'static str =
        "`.wrap(JwtMiddleware::new(..))` to the app, scope, resource or route";
    const ORDER_HINT: &'static str = "in actix the last `.wrap` runs first";
}

/// The request extension every request under a [`JwtMiddleware`] gets (with or without a
/// token), so extractors can tell "optional middleware, anonymous" from "no middleware": the
/// middleware's guard and the token it verified as one value, which a nested middleware
/// replaces whole, so an outer middleware's token never pairs with an inner one's rules.
#[derive(Clone)]
pub(crate) struct Context(pub(crate) Admitted<Actix, Verified>);

/// The verified token a [`JwtMiddleware`](crate::JwtMiddleware) stored in the request
/// extensions (header and claims JSON); also an extractor, and what other middleware behind it
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

/// Stores what `guard` admitted: the verified token (also as [`Verified`], for services that
/// read it themselves), or nothing for an anonymous request, removing what an outer middleware
/// stored: under this middleware, the request is exactly what this middleware verified.
pub(crate) fn store(
    extensions: &mut Extensions,
    guard: BearerGuard<Actix>,
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
