//! [`RefreshToken`]: the extractor of a refresh route.

use std::fmt;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use jwt_guard_core::__private::{BearerGuard, redeem};
use jwt_guard_core::VerifiedToken;
use jwt_guard_core::sessions::cookies::{SessionCookies, SetCookies};
use jwt_guard_core::sessions::{TokenIssuer, TokenPair};
use serde::Serialize;

use crate::error::JwtError;
use crate::extract::with_stored;
use crate::state::{Actix, Verified};

/// The refresh token a refresh route's [`JwtMiddleware`](crate::JwtMiddleware) verified, ready
/// to be redeemed for a new pair. Wrap the route in a middleware built from the issuer's
/// refresh verifier and a revocation store, so that it accepts refresh tokens only (an access
/// token is 401 `invalid_token`):
///
/// ```
/// use std::sync::Arc;
/// use actix_web::{App, HttpResponse, web};
/// use jwt_guard_actix::{JwtError, JwtMiddleware, RefreshToken};
/// use jwt_guard_core::revocation::MemoryStore;
/// use jwt_guard_core::sessions::TokenIssuer;
///
/// async fn refresh(
///     issuer: web::Data<TokenIssuer>,
///     token: RefreshToken,
/// ) -> Result<HttpResponse, JwtError> {
///     let pair = token.redeem(&issuer, &serde_json::json!({})).await?;
///     Ok(HttpResponse::Ok().json(pair))
/// }
///
/// # fn app(issuer: TokenIssuer) {
/// let store = Arc::new(MemoryStore::default());
/// let refresh_only = JwtMiddleware::new(issuer.refresh_verifier().clone()).with_revocation(store);
/// let app = App::new()
///     .app_data(web::Data::new(issuer))
///     .service(web::resource("/refresh").wrap(refresh_only).route(web::post().to(refresh)));
/// # }
/// ```
///
/// # Rejections
/// As [`Verified`]; [`RefreshToken::redeem`] answers as every route does.
#[derive(Clone)]
pub struct RefreshToken {
    token: Verified,
    guard: BearerGuard<Actix>,
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshToken")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl RefreshToken {
    /// The verified refresh token.
    pub fn token(&self) -> &VerifiedToken {
        &self.token
    }

    /// Redeems it with the middleware's revocation store ([`TokenIssuer::redeem`]): a new pair
    /// of the same login, `claims` added to its access token; each refresh token is good once.
    ///
    /// # Errors
    /// 401 `invalid_token` (`refresh_reused`, `revoked`, `invalid_type`), 503 when the store
    /// cannot tell, 500 (logged) when the middleware has no revocation store.
    pub async fn redeem<C: Serialize + ?Sized>(
        &self,
        issuer: &TokenIssuer,
        claims: &C,
    ) -> Result<TokenPair, JwtError> {
        redeem(&self.guard, &self.token, issuer, claims)
            .await
            .map_err(JwtError)
    }

    /// As [`RefreshToken::redeem`], for browser sessions: the new pair in cookies, with new
    /// CSRF values ([`SessionCookies::redeem`]); answer it with
    /// [`WithCookies`](crate::WithCookies).
    ///
    /// # Errors
    /// As [`RefreshToken::redeem`].
    pub async fn redeem_cookies<C: Serialize + ?Sized>(
        &self,
        cookies: &SessionCookies,
        claims: &C,
    ) -> Result<SetCookies, JwtError> {
        jwt_guard_core::__private::redeem_cookies(&self.guard, &self.token, cookies, claims)
            .await
            .map_err(JwtError)
    }
}

impl FromRequest for RefreshToken {
    type Error = JwtError;
    type Future = Ready<Result<RefreshToken, JwtError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(with_stored(request, "RefreshToken", |stored| {
            stored.redeemable().map(|(token, guard)| RefreshToken {
                token: token.clone(),
                guard,
            })
        }))
    }
}
