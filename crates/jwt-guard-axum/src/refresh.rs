//! [`RefreshToken`]: the extractor of a refresh route.

use std::fmt;

use axum_core::extract::FromRequestParts;
use http::request::Parts;
use jwt_guard_core::__private::{BearerGuard, redeem};
use jwt_guard_core::VerifiedToken;
use jwt_guard_core::sessions::cookies::{SessionCookies, SetCookies};
use jwt_guard_core::sessions::{TokenIssuer, TokenPair};
use serde::Serialize;

use crate::rejection::JwtRejection;
use crate::state::{Axum, Verified, stored};

/// The refresh token a refresh route's [`JwtLayer`](crate::JwtLayer) verified, ready to be
/// redeemed for a new pair. Put the route under a layer built from the issuer's refresh
/// verifier and a revocation store, so that it accepts refresh tokens only (an access token is
/// 401 `invalid_token`, "an access token was presented where a refresh token is required"):
///
/// ```
/// use std::sync::Arc;
/// use axum::{Json, Router, extract::State, routing::post};
/// use jwt_guard_axum::{JwtLayer, JwtRejection, RefreshToken};
/// use jwt_guard_core::revocation::MemoryStore;
/// use jwt_guard_core::sessions::{TokenIssuer, TokenPair};
///
/// async fn refresh(
///     State(issuer): State<TokenIssuer>,
///     token: RefreshToken,
/// ) -> Result<Json<TokenPair>, JwtRejection> {
///     Ok(Json(token.redeem(&issuer, &serde_json::json!({})).await?))
/// }
///
/// # fn app(issuer: TokenIssuer) -> Router {
/// let store = Arc::new(MemoryStore::default());
/// Router::new()
///     .route("/refresh", post(refresh))
///     .route_layer(JwtLayer::new(issuer.refresh_verifier().clone()).with_revocation(store))
///     .with_state(issuer)
/// # }
/// ```
///
/// # Rejections
/// As [`Verified`]; [`RefreshToken::redeem`] answers as every route does (401 `invalid_token`
/// for a used, revoked or wrong token, 503 when the store cannot tell).
#[derive(Clone)]
pub struct RefreshToken {
    token: Verified,
    guard: BearerGuard<Axum>,
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

    /// Redeems it with the layer's revocation store
    /// ([`TokenIssuer::redeem`]): a new pair of the same login, `claims` added to its access
    /// token; each refresh token is good once.
    ///
    /// # Errors
    /// 401 `invalid_token` (`refresh_reused`, `revoked`, `invalid_type`), 503 when the store
    /// cannot tell, 500 (logged) when the layer has no revocation store.
    pub async fn redeem<C: Serialize + ?Sized>(
        &self,
        issuer: &TokenIssuer,
        claims: &C,
    ) -> Result<TokenPair, JwtRejection> {
        redeem(&self.guard, &self.token, issuer, claims)
            .await
            .map_err(JwtRejection)
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
    ) -> Result<SetCookies, JwtRejection> {
        jwt_guard_core::__private::redeem_cookies(&self.guard, &self.token, cookies, claims)
            .await
            .map_err(JwtRejection)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RefreshToken {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, JwtRejection> {
        stored(&parts.extensions, "RefreshToken")
            .redeemable()
            .map(|(token, guard)| RefreshToken {
                token: token.clone(),
                guard,
            })
            .map_err(JwtRejection)
    }
}
