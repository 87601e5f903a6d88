//! [`Stored`]: what an extractor or a scope guard answers from what a middleware stored, and
//! [`redeem`].

use super::*;

/// What a middleware stored in a request, as an extractor or a scope guard finds it: the
/// [`BearerGuard`] of the middleware and the token it verified ([`Stored::verified`]), the
/// guard alone for an anonymous request ([`Stored::anonymous`]), or nothing when no middleware
/// covers the route. Each method is what one extractor answers, so every adapter answers alike.
///
/// An adapter stores the guard and the token together, so a nested middleware replaces both at
/// once: what a handler or a scope guard sees is exactly what the innermost middleware covering
/// the route verified, or nothing. An outer middleware's token never pairs with an inner
/// middleware's rules (its key, audience, location or realm). Both adapters keep the guard in
/// their `Verified` extension (one extension per verified request) and, for an anonymous
/// request, in a `Context` extension, removing the other.
///
/// Without a guard every method fails closed: a [`Refusal::is_unguarded`] answered as for a
/// request with no token (401, bare challenge, [`DEFAULT_REALM`]; never a 500), logged at error
/// level naming `what`, the two causes (no middleware, or one ordered inside `what`) and the
/// fix of each. It never verifies by itself.
pub struct Stored<'r, A: Adapter, V> {
    admitted: Option<(&'r BearerGuard<A>, Option<&'r V>)>,
    what: &'static str,
}

impl<A: Adapter, V> fmt::Debug for Stored<'_, A, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stored")
            .field("guard", &self.admitted.map(|(guard, _)| guard))
            .field(
                "token",
                &self.admitted.map(|(_, token)| token.map(|_| "[verified]")),
            )
            .field("what", &self.what)
            .finish()
    }
}

impl<'r, A, V> Stored<'r, A, V>
where
    A: Adapter,
    V: std::ops::Deref<Target = VerifiedToken>,
{
    /// A request `guard` verified `token` in; `what` names the extractor for the log
    /// (`"Claims"`).
    pub fn verified(guard: &'r BearerGuard<A>, token: &'r V, what: &'static str) -> Self {
        Stored {
            admitted: Some((guard, Some(token))),
            what,
        }
    }

    /// A request `guard` let through without a token (optional mode), or, for `None`, one no
    /// middleware stored anything in.
    pub fn anonymous(guard: Option<&'r BearerGuard<A>>, what: &'static str) -> Self {
        Stored {
            admitted: guard.map(|guard| (guard, None)),
            what,
        }
    }

    fn decide<T>(
        self,
        decide: impl FnOnce(&BearerAuth, Option<&'r V>) -> Result<T, Rejection>,
    ) -> Result<T, Refusal<A>> {
        let Some((guard, token)) = self.admitted else {
            return Err(Refusal::unguarded(self.what));
        };
        decide(guard.auth(), token).map_err(|rejection| Refusal::new(rejection, guard))
    }

    /// What `Claims<T>` answers: the claims as `T` ([`VerifiedToken::claims_shared`]: parsed
    /// once per token the verified-token cache holds).
    ///
    /// # Errors
    /// No token: the missing-token rejection; claims that do not fit `T`: 401 `invalid_token`.
    pub fn claims<T>(self) -> Result<T, Refusal<A>>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        self.decide(|auth, token| shared_claims(auth, required_token(auth, token)?))
    }

    /// What `Option<Claims<T>>` answers where the framework lets it refuse
    /// `None` for an anonymous request.
    ///
    /// # Errors
    /// Claims that do not fit `T`: 401 `invalid_token`.
    pub fn optional_claims<T>(self) -> Result<Option<T>, Refusal<A>>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        self.decide(|auth, token| token.map(|t| shared_claims(auth, t)).transpose())
    }

    /// What `Verified` answers: the token.
    ///
    /// # Errors
    /// No token: the missing-token rejection.
    pub fn token(self) -> Result<&'r V, Refusal<A>> {
        self.decide(|auth, token| required(auth, token))
    }

    /// What `CurrentUser<U>` needs first: the token and the guard that verified it (for the
    /// refusals of the loader: [`BearerGuard::refuse`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection.
    pub fn token_and_guard(self) -> Result<(&'r V, &'r BearerGuard<A>), Refusal<A>> {
        let Some((guard, token)) = self.admitted else {
            return Err(Refusal::unguarded(self.what));
        };
        match token {
            Some(token) => Ok((token, guard)),
            None => Err(Refusal::new(guard.auth().missing_token(), guard)),
        }
    }

    /// What `Option<Verified>` answers where the framework lets it refuse: `None` for an
    /// anonymous request.
    ///
    /// # Errors
    /// Only without a guard.
    pub fn optional_token(self) -> Result<Option<&'r V>, Refusal<A>> {
        self.decide(|_, token| Ok(token))
    }

    /// What a freshness guard answers ([`BearerAuth::check_fresh`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection; not fresh: 401 `insufficient_user_authentication`.
    pub fn fresh(self, _required: &crate::http::RequiredFreshness) -> Result<(), Refusal<A>> {
        self.decide(|auth, token| auth.check_fresh(required_token(auth, token)?))
    }

    /// What a refresh-token extractor answers: the token and the guard that verified it (its
    /// store redeems it, [`redeem`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection.
    pub fn redeemable(self) -> Result<(&'r V, BearerGuard<A>), Refusal<A>> {
        let Some((guard, token)) = self.admitted else {
            return Err(Refusal::unguarded(self.what));
        };
        match token {
            Some(token) => Ok((token, guard.clone())),
            None => Err(Refusal::new(guard.auth().missing_token(), guard)),
        }
    }

    /// What a scope guard answers ([`BearerAuth::check_scopes`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection; a scope missing: 403 `insufficient_scope`; a
    /// scope claim of the wrong type: 401 `invalid_token`.
    pub fn scopes(self, scopes: &RequiredScopes) -> Result<(), Refusal<A>> {
        self.decide(|auth, token| auth.check_scopes(required_token(auth, token)?, scopes))
    }

    /// What a role guard answers ([`BearerAuth::check_roles`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection; a role missing: 403; a role claim of the wrong
    /// type: 401 `invalid_token`; no role source configured: 500.
    pub fn roles(self, roles: &RequiredRoles) -> Result<(), Refusal<A>> {
        self.decide(|auth, token| auth.check_roles(required_token(auth, token)?, roles))
    }

    /// What a claims guard answers ([`BearerAuth::check_claim_rules`]).
    ///
    /// # Errors
    /// No token: the missing-token rejection; a rule failing: 403.
    pub fn claim_rules(self, claims: &RequiredClaims) -> Result<(), Refusal<A>> {
        self.decide(|auth, token| auth.check_claim_rules(required_token(auth, token)?, claims))
    }
}

/// Redeems the refresh `token` that `guard` verified, with `guard`'s revocation store
/// ([`TokenIssuer::redeem`](crate::sessions::TokenIssuer::redeem)): the new pair, or the
/// refusal as every other route answers it (401 `invalid_token` for a used, revoked or wrong
/// token; 503 when the store cannot tell; 500, logged, when the route has no store).
///
/// # Errors
/// As above.
pub async fn redeem<A: Adapter, C: serde::Serialize + ?Sized>(
    guard: &BearerGuard<A>,
    token: &VerifiedToken,
    issuer: &crate::sessions::TokenIssuer,
    claims: &C,
) -> Result<crate::sessions::TokenPair, Refusal<A>> {
    let Some(store) = guard.auth().revocation() else {
        let error = crate::Error::config(
            "revocation",
            "the refresh route's middleware has no revocation store (with_revocation): refresh \
             tokens cannot be rotated without one",
        );
        return Err(Refusal::new(guard.auth().reject_error(error), guard));
    };
    issuer
        .redeem(store.as_ref(), token, claims)
        .await
        .map_err(|e| Refusal::new(guard.auth().reject_error(e), guard))
}

/// As [`redeem`], for browser sessions: the new pair in cookies
/// ([`SessionCookies::redeem`]).
///
/// # Errors
/// As [`redeem`].
pub async fn redeem_cookies<A: Adapter, C: serde::Serialize + ?Sized>(
    guard: &BearerGuard<A>,
    token: &VerifiedToken,
    cookies: &SessionCookies,
    claims: &C,
) -> Result<crate::sessions::cookies::SetCookies, Refusal<A>> {
    let Some(store) = guard.auth().revocation() else {
        let error = crate::Error::config(
            "revocation",
            "the refresh route's middleware has no revocation store (with_revocation): refresh \
             tokens cannot be rotated without one",
        );
        return Err(Refusal::new(guard.auth().reject_error(error), guard));
    };
    cookies
        .redeem(store.as_ref(), token, claims)
        .await
        .map_err(|e| Refusal::new(guard.auth().reject_error(e), guard))
}

/// The `Set-Cookie` value type of [`Passed::set_cookies`] (`http` 1.x), for adapters on
/// another `http` version.
pub type SetCookieValue = ::http::HeaderValue;

/// The token an extractor or scope guard needs, or, for an anonymous request under an optional
/// middleware, the missing-token rejection (401, bare challenge).
pub(super) fn required<'t, T>(auth: &BearerAuth, token: Option<&'t T>) -> Result<&'t T, Rejection> {
    token.ok_or_else(|| auth.missing_token())
}

/// As [`required`], as the core's token.
pub(super) fn required_token<'t, V: std::ops::Deref<Target = VerifiedToken>>(
    auth: &BearerAuth,
    token: Option<&'t V>,
) -> Result<&'t VerifiedToken, Rejection> {
    required(auth, token).map(|t| &**t)
}

/// The claims of `token` as `T`, parsed once per cached token, refused as
/// [`BearerAuth::claims`] refuses.
fn shared_claims<T>(auth: &BearerAuth, token: &VerifiedToken) -> Result<T, Rejection>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    token.claims_shared().map_err(|e| auth.reject_error(e))
}
