//! What a [`JwtMiddleware`](crate::JwtMiddleware) stores in a request, and how the extractors
//! and scope guards read it back: the adapter marker, the [`Context`] extension, [`Verified`].
//! A leaf module: the middleware, the extractors and the error all use it, and it uses none of
//! them.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::dev::Extensions;
use jwt_guard_core::__private::{Adapter, BearerGuard, Stored};
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

/// The request extension of a request a [`JwtMiddleware`](crate::JwtMiddleware) let through without a token
/// (optional mode): its guard, so extractors can tell "optional middleware, anonymous" from "no
/// middleware". A verified request has [`Verified`] instead, which carries the guard.
#[derive(Clone)]
pub(crate) struct Context(pub(crate) BearerGuard<Actix>);

/// The verified token a [`JwtMiddleware`](crate::JwtMiddleware) stored in the request
/// extensions (header and claims JSON); also an extractor, and what other middleware behind it
/// reads with `request.extensions().get::<Verified>()`.
///
/// Rejects as [`Claims`](crate::Claims) does, but never for the claims' shape.
#[derive(Clone)]
pub struct Verified {
    token: Arc<VerifiedToken>,
    /// The guard of the middleware that verified it (its rules answer the extractors' refusals).
    guard: BearerGuard<Actix>,
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

/// Stores what `guard` admitted, replacing what an outer middleware stored (under this middleware, the
/// request is exactly what this middleware verified, [`Stored`]): the verified token with its guard as
/// one [`Verified`] extension (one allocation; services read it themselves too), or the guard
/// alone as [`Context`] for an anonymous request.
pub(crate) fn store(
    extensions: &mut Extensions,
    guard: BearerGuard<Actix>,
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

/// What the middleware stored in the request, for the core to decide on.
pub(crate) fn stored<'r>(
    extensions: &'r Extensions,
    what: &'static str,
) -> Stored<'r, Actix, Verified> {
    match extensions.get::<Verified>() {
        Some(verified) => Stored::verified(&verified.guard, verified, what),
        None => Stored::anonymous(extensions.get::<Context>().map(|c| &c.0), what),
    }
}
