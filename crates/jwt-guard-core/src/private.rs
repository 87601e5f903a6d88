//! How jwt-guard's own adapters are wired (`jwt-guard-axum`, `jwt-guard-actix`): not a public
//! API. A third-party adapter builds on [`BearerAuth`](crate::http::BearerAuth),
//! [`Rejection`](crate::http::Rejection) and [`TokenLocations`](crate::http::TokenLocations).
//! Nothing here follows semver; the adapters pin the exact core version.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::http::*;
use crate::sessions::cookies::{CsrfDemand, SessionCookies};
use crate::verifier::VerifiedToken;

mod stored;

pub use stored::{SetCookieValue, Stored, redeem, redeem_cookies};

/// What an adapter tells the core about its framework: the response type its `on_error` hook
/// returns, and how its middleware is named and added (for the error an extractor or a scope
/// guard reports on a route that no middleware covers). `jwt-guard-axum` and `jwt-guard-actix`
/// implement it on a private marker type; everything else about a request is decided here.
pub trait Adapter: 'static {
    /// The framework's response: what an `on_error` hook returns.
    type Response;
    /// The middleware's name: `JwtLayer`, `JwtMiddleware`.
    const MIDDLEWARE: &'static str;
    /// How to add it, as the error log says "add ...": `` `.layer(JwtLayer::new(..))` ``.
    const HOW_TO_ADD: &'static str;
    /// Which of two middlewares runs first, for the error log about one ordered inside a scope
    /// guard: "in axum the last `.layer`/`.route_layer` runs first".
    const ORDER_HINT: &'static str;
}

/// What an adapter's middleware shares with its services, extractors and scope guards: the
/// [`BearerAuth`] and the `on_error` hook making the framework's response for a refusal. Cheap to
/// clone (one `Arc`); the builder methods copy on write.
///
/// [`BearerGuard::admit`] decides what the middleware does with a request, [`Stored`] what an
/// extractor or scope guard answers, [`Refusal::respond`] which response a refusal gets.
pub struct BearerGuard<A: Adapter> {
    inner: Arc<GuardInner<A>>,
}

/// An `on_error` hook.
type ErrorHook<A> = Arc<dyn Fn(&Rejection) -> <A as Adapter>::Response + Send + Sync>;

struct GuardInner<A: Adapter> {
    auth: BearerAuth,
    on_error: Option<ErrorHook<A>>,
    check: Option<Check>,
}

impl<A: Adapter> Clone for GuardInner<A> {
    fn clone(&self) -> Self {
        GuardInner {
            auth: self.auth.clone(),
            on_error: self.on_error.clone(),
            check: self.check.clone(),
        }
    }
}

/// The future of an async custom check.
pub type CheckFuture = Pin<Box<dyn Future<Output = Result<(), Denial>> + Send>>;

/// A custom check on every verified token, run by the middleware after verification (and the
/// revocation check), before the request goes on.
#[derive(Clone)]
enum Check {
    Sync(Arc<SyncCheck>),
    Async(Arc<AsyncCheck>),
}

/// A synchronous custom check.
type SyncCheck = dyn Fn(&VerifiedToken) -> Result<(), Denial> + Send + Sync;
/// An async custom check.
type AsyncCheck = dyn Fn(Arc<VerifiedToken>) -> CheckFuture + Send + Sync;

impl<A: Adapter> Clone for BearerGuard<A> {
    fn clone(&self) -> Self {
        BearerGuard {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A: Adapter> fmt::Debug for BearerGuard<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerGuard")
            .field("auth", self.auth())
            .field("on_error", &self.has_error_hook())
            .field("check", &self.inner.check.is_some())
            .finish()
    }
}

impl<A: Adapter> BearerGuard<A> {
    /// A guard verifying with `auth` (a [`Verifier`] gives the [`BearerAuth`] defaults), no hook.
    pub fn new(auth: impl Into<BearerAuth>) -> BearerGuard<A> {
        BearerGuard {
            inner: Arc::new(GuardInner {
                auth: auth.into(),
                on_error: None,
                check: None,
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut GuardInner<A>)) -> BearerGuard<A> {
        f(Arc::make_mut(&mut self.inner));
        self
    }

    /// Optional mode ([`BearerAuth::optional`]).
    #[must_use]
    pub fn optional(self) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().optional())
    }

    /// Reads the token from `locations` ([`BearerAuth::with_token_locations`]).
    #[must_use]
    pub fn with_token_locations(self, locations: TokenLocations) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_token_locations(locations))
    }

    /// The challenge realm ([`BearerAuth::with_realm`]).
    #[must_use]
    pub fn with_realm(self, realm: &str) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_realm(realm))
    }

    /// Checks every verified token against `store` ([`BearerAuth::with_revocation`]).
    #[must_use]
    pub fn with_revocation(
        self,
        store: Arc<dyn crate::revocation::RevocationStore>,
    ) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_revocation(store))
    }

    /// Reads tokens' roles from `sources` ([`BearerAuth::with_roles`]).
    #[must_use]
    pub fn with_roles(
        self,
        sources: impl IntoIterator<Item = crate::rules::RoleSource>,
    ) -> BearerGuard<A> {
        let sources: Vec<_> = sources.into_iter().collect();
        self.edit(|g| g.auth = g.auth.clone().with_roles(sources))
    }

    /// Browser sessions ([`BearerAuth::with_session_cookies`]).
    #[must_use]
    pub fn with_session_cookies(
        self,
        cookies: crate::sessions::cookies::SessionCookies,
    ) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_session_cookies(cookies))
    }

    /// RFC 9728 metadata ([`BearerAuth::with_resource_metadata`]).
    #[must_use]
    pub fn with_resource_metadata(self, metadata: ResourceMetadata) -> BearerGuard<A> {
        self.edit(|g| g.auth = g.auth.clone().with_resource_metadata(metadata))
    }

    /// Runs `check` on every verified token (a synchronous closure over it); its [`Denial`]
    /// refuses the request. Replaces any check set before.
    #[must_use]
    pub fn check(
        self,
        check: impl Fn(&VerifiedToken) -> Result<(), Denial> + Send + Sync + 'static,
    ) -> BearerGuard<A> {
        let check = Check::Sync(Arc::new(check));
        self.edit(|g| g.check = Some(check))
    }

    /// As [`BearerGuard::check`], with an async check (a database lookup, ...).
    #[must_use]
    pub fn check_async(
        self,
        check: impl Fn(Arc<VerifiedToken>) -> CheckFuture + Send + Sync + 'static,
    ) -> BearerGuard<A> {
        let check = Check::Async(Arc::new(check));
        self.edit(|g| g.check = Some(check))
    }

    /// What `CurrentUser<U>` answers after the loader ran: the user, or a refusal (no user:
    /// 401; the loader's error: 500, the error logged at error level, never answered).
    ///
    /// # Errors
    /// As above.
    pub fn loaded_user<U>(
        &self,
        loaded: std::result::Result<Option<U>, LoadError>,
    ) -> std::result::Result<U, Refusal<A>> {
        match loaded {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(self.refuse(RejectionKind::UnknownUser)),
            Err(error) => {
                tracing::error!(
                    target: crate::LOG_TARGET,
                    error = %error,
                    "request refused: the user loader failed"
                );
                Err(self.refuse(RejectionKind::UserUnavailable))
            }
        }
    }

    /// A refusal of `kind` under this guard (logged; answered by its `on_error` hook if set).
    pub fn refuse(&self, kind: RejectionKind) -> Refusal<A> {
        Refusal::new(self.auth().reject(kind), self)
    }

    /// Every refusal under this guard answers `hook(&rejection)` instead of the default response.
    #[must_use]
    pub fn on_error(
        self,
        hook: impl Fn(&Rejection) -> A::Response + Send + Sync + 'static,
    ) -> BearerGuard<A> {
        let hook: ErrorHook<A> = Arc::new(hook);
        self.edit(|g| g.on_error = Some(hook))
    }

    /// The core settings: verifier, token locations, realm, mode.
    pub fn auth(&self) -> &BearerAuth {
        &self.inner.auth
    }

    /// Whether an `on_error` hook is set.
    pub fn has_error_hook(&self) -> bool {
        self.inner.on_error.is_some()
    }

    /// What the middleware does with `request`: refuse it (malformed, or no token in required
    /// mode), pass it on anonymous (optional mode, no token), pass it on with a token the
    /// verified-token cache answered for (no future, no copy of the token), or verify its
    /// token first. The verification owns the token and a clone of this guard, so the adapter's
    /// future can hold it; one small allocation per request that needs one.
    pub fn admit<R: TokenSource + ?Sized>(&self, request: &R) -> Admission<A> {
        // The token as found, its RFC 6750 syntax not checked yet: a token the verified-token
        // cache holds passed that check (the cache keeps nothing else), so a hit skips it and
        // a miss checks it before anything else reads the token.
        let found = match self.auth().token_locations().find(request) {
            Ok(Some(found)) => found,
            // No token or a malformed request: the checked extraction answers (the first
            // fault in request order; `TokenLocations::find`).
            Ok(None) | Err(_) => match self.auth().extract(request) {
                Err(rejection) => return Admission::Refuse(Refusal::new(rejection, self)),
                Ok(None) => return Admission::Anonymous,
                Ok(Some(token)) => RawToken::from(token),
            },
        };
        let location = found.location();
        // Browser sessions: what the CSRF check needs from the request, read now (the
        // verification owns no request).
        let csrf = self
            .auth()
            .session_cookies()
            .map_or(CsrfDemand::None, |c| c.csrf_demand(request, location));
        let pending = match self.auth().verify_quick(found.bytes()) {
            Quick::Done(Err(rejection)) => return Admission::Refuse(Refusal::new(rejection, self)),
            Quick::Done(Ok(verified)) => {
                if let Some(Check::Async(_)) = &self.inner.check {
                    let guard = self.clone();
                    return Admission::Verify(Box::pin(async move {
                        guard.after_verify(verified, &csrf, location).await
                    }));
                }
                // No check, or a synchronous one: the whole answer now.
                return match self.after_verify_now(verified, &csrf, location) {
                    Ok(passed) => Admission::Pass(passed),
                    Err(refusal) => Admission::Refuse(refusal),
                };
            }
            Quick::Pending(pending) => pending,
        };
        let token = match found.check() {
            Ok(token) => token.into_string(),
            Err(why) => return Admission::Refuse(self.refuse(RejectionKind::InvalidRequest(why))),
        };
        let guard = self.clone();
        Admission::Verify(Box::pin(async move {
            let verified = match guard.auth().verify_pending(&token, pending).await {
                Ok(verified) => Arc::new(verified),
                Err(rejection) => return Err(Refusal::new(rejection, &guard)),
            };
            guard.after_verify(verified, &csrf, location).await
        }))
    }

    /// What follows a verification: the CSRF rule of browser sessions, the custom check, and
    /// the cookies of an implicit refresh. Waits only in an async custom check.
    async fn after_verify(
        &self,
        verified: Arc<VerifiedToken>,
        csrf: &CsrfDemand,
        location: TokenLocation,
    ) -> std::result::Result<Passed, Refusal<A>> {
        let Some(Check::Async(check)) = &self.inner.check else {
            return self.after_verify_now(verified, csrf, location);
        };
        self.check_csrf(&verified, csrf)?;
        check(Arc::clone(&verified))
            .await
            .map_err(|denial| self.refuse(RejectionKind::Denied(denial)))?;
        Ok(self.passed(verified, location))
    }

    /// [`BearerGuard::after_verify`] for a guard with no async check: without a future.
    fn after_verify_now(
        &self,
        verified: Arc<VerifiedToken>,
        csrf: &CsrfDemand,
        location: TokenLocation,
    ) -> std::result::Result<Passed, Refusal<A>> {
        self.check_csrf(&verified, csrf)?;
        if let Some(Check::Sync(check)) = &self.inner.check {
            check(&verified).map_err(|denial| self.refuse(RejectionKind::Denied(denial)))?;
        }
        Ok(self.passed(verified, location))
    }

    /// The CSRF rule of browser sessions (nothing to check for a header token).
    fn check_csrf(
        &self,
        verified: &VerifiedToken,
        csrf: &CsrfDemand,
    ) -> std::result::Result<(), Refusal<A>> {
        if SessionCookies::csrf_satisfied(csrf, verified) {
            Ok(())
        } else {
            Err(self.refuse(RejectionKind::CsrfFailed))
        }
    }

    /// A passed request: the token, and the cookies of an implicit refresh if one applies.
    fn passed(&self, verified: Arc<VerifiedToken>, location: TokenLocation) -> Passed {
        let set_cookies = self
            .auth()
            .session_cookies()
            .and_then(|c| c.implicit_refresh(&verified, location))
            .map(|set| set.values().to_vec())
            .unwrap_or_default();
        Passed {
            token: verified,
            set_cookies,
        }
    }
}

/// A token verification in flight ([`Admission::Verify`]): the verified token to store in the
/// request, or the refusal. Boxed: the verifier's async call borrows the verifier and the token,
/// which this future owns, so its state cannot be named.
pub type Verification<A> = Pin<Box<dyn Future<Output = Result<Passed, Refusal<A>>> + Send>>;

/// A request that passed its middleware ([`Verification`]): the verified token to store, and
/// the `Set-Cookie` value of an implicit refresh (browser sessions) the adapter appends to the
/// response.
pub struct Passed {
    /// The verified token.
    pub token: Arc<VerifiedToken>,
    /// `Set-Cookie` values for the response: the new access cookie and its CSRF cookie when
    /// implicit refresh applies, else none.
    pub set_cookies: Vec<::http::HeaderValue>,
}

impl fmt::Debug for Passed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passed")
            .field("token", &"[verified]")
            .field("set_cookies", &self.set_cookies.len())
            .finish()
    }
}

/// What a middleware does with a request ([`BearerGuard::admit`]).
pub enum Admission<A: Adapter> {
    /// Refuse it: a malformed request (400), or no token in required mode (401).
    Refuse(Refusal<A>),
    /// Pass it on with no token (optional mode, no token anywhere); the extractors then find
    /// the guard and no token.
    Anonymous,
    /// Pass it on with this verified token stored: the verified-token cache answered at once.
    Pass(Passed),
    /// Pass it on once this verification succeeds, with the verified token stored; refuse it
    /// otherwise.
    Verify(Verification<A>),
}

impl<A: Adapter> fmt::Debug for Admission<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Admission::Refuse(refusal) => f.debug_tuple("Refuse").field(refusal).finish(),
            Admission::Anonymous => f.write_str("Anonymous"),
            Admission::Pass(passed) => f.debug_tuple("Pass").field(passed).finish(),
            Admission::Verify(_) => f.write_str("Verify(..)"),
        }
    }
}

/// A refused request as an adapter's error type carries it: the core [`Rejection`] and the
/// [`BearerGuard`] whose `on_error` hook answers it, or none for an extractor or scope guard on
/// a route that no middleware covers ([`Refusal::is_unguarded`]: a programming error, answered
/// as for a request with no token). Made by [`BearerGuard::admit`] and [`Stored`].
pub struct Refusal<A: Adapter> {
    rejection: Rejection,
    guard: Option<BearerGuard<A>>,
}

impl<A: Adapter> Refusal<A> {
    fn new(rejection: Rejection, guard: &BearerGuard<A>) -> Refusal<A> {
        Refusal {
            rejection,
            guard: Some(guard.clone()),
        }
    }

    /// The refusal of an extractor or scope guard (`what`) that found nothing stored: no
    /// middleware ran before it, because there is none or because it runs after `what` (a
    /// scope guard added after it, so outside it). From the request alone these two cannot be
    /// told apart, so the log names both, and the fix of each.
    fn unguarded(what: &'static str) -> Refusal<A> {
        tracing::error!(
            target: crate::LOG_TARGET,
            extractor = what,
            "no {m} ran before {what}: it is missing, or ordered inside {what}. Missing: add \
             {how}. Misordered: {order}, so add the {m} after {what}. Refusing the request as \
             unauthenticated.",
            m = A::MIDDLEWARE,
            how = A::HOW_TO_ADD,
            order = A::ORDER_HINT,
        );
        Refusal {
            rejection: Rejection::new(RejectionKind::MissingToken),
            guard: None,
        }
    }

    /// The core rejection: status, `WWW-Authenticate`, body, and the core error if any.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }

    /// Consumes it, returning the core rejection.
    pub fn into_rejection(self) -> Rejection {
        self.rejection
    }

    /// Whether this comes from an extractor or scope guard that no middleware covers.
    pub fn is_unguarded(&self) -> bool {
        self.guard.is_none()
    }

    /// The response: the guard's `on_error` hook's, else `default(rejection)` (the core's RFC
    /// 6750 answer, [`Rejection::to_response`], in the framework's types).
    pub fn respond(&self, default: impl FnOnce(&Rejection) -> A::Response) -> A::Response {
        match self.guard.as_ref().and_then(|g| g.inner.on_error.as_ref()) {
            Some(hook) => hook(&self.rejection),
            None => default(&self.rejection),
        }
    }
}

impl<A: Adapter> fmt::Debug for Refusal<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refusal")
            .field("rejection", &self.rejection)
            .field("unguarded", &self.is_unguarded())
            .finish()
    }
}

/// The rejection's `Display`, or, unguarded, that no middleware ran before.
impl<A: Adapter> fmt::Display for Refusal<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unguarded() {
            write!(
                f,
                "no {} ran before this extractor or guard (it is missing, or misordered), so no \
                 verified token: the request is refused as unauthenticated",
                A::MIDDLEWARE
            )
        } else {
            fmt::Display::fmt(&self.rejection, f)
        }
    }
}

impl<A: Adapter> std::error::Error for Refusal<A> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.rejection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_support::*;
    use serde::Deserialize;

    /// A framework whose responses are strings, for the adapter building blocks.
    enum Plain {}

    impl Adapter for Plain {
        type Response = String;
        const MIDDLEWARE: &'static str = "PlainMiddleware";
        const HOW_TO_ADD: &'static str = "`.wrap(PlainMiddleware)`";
        const ORDER_HINT: &'static str = "the last `.wrap` runs first";
    }

    fn default_answer(rejection: &Rejection) -> String {
        format!("default {}", rejection.status().as_u16())
    }

    fn hooked(rejection: &Rejection) -> String {
        format!("hook {}", rejection.error_code())
    }

    #[test]
    fn a_guard_admits_refuses_or_verifies() {
        let guard = BearerGuard::<Plain>::new(auth());
        let good = sign(serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}));
        let bearer = format!("Bearer {good}");

        let Admission::Refuse(refusal) = guard.admit(&request("/", &[])) else {
            panic!("no token in required mode must be refused");
        };
        assert!(matches!(
            refusal.rejection().kind(),
            RejectionKind::MissingToken
        ));
        assert_eq!(refusal.rejection().realm(), "test");
        assert!(!refusal.is_unguarded());
        assert_eq!(refusal.respond(default_answer), "default 401");

        let malformed = request("/", &[("authorization", "Bearer")]);
        let Admission::Refuse(refusal) = guard.admit(&malformed) else {
            panic!("a malformed request must be refused");
        };
        assert_eq!(refusal.rejection().status(), StatusCode::BAD_REQUEST);

        let Admission::Verify(verify) = guard.admit(&request("/", &[("authorization", &bearer)]))
        else {
            panic!("a token must be verified");
        };
        let token = block_on(verify).unwrap().token;
        assert_eq!(token.claims::<serde_json::Value>().unwrap()["sub"], "ada");

        let expired = format!("Bearer {}", sign(serde_json::json!({"exp": 1_000_000_000})));
        let hooked_guard = guard.clone().on_error(hooked);
        let Admission::Verify(verify) =
            hooked_guard.admit(&request("/", &[("authorization", &expired)]))
        else {
            panic!("a token must be verified");
        };
        let refusal = block_on(verify).unwrap_err();
        assert_eq!(refusal.to_string(), "invalid_token: the token has expired");
        assert_eq!(refusal.respond(default_answer), "hook invalid_token");

        let optional = guard.clone().optional();
        assert!(matches!(
            optional.admit(&request("/", &[])),
            Admission::Anonymous
        ));
        assert!(matches!(optional.admit(&malformed), Admission::Refuse(_)));
        // Copy on write: the guard it came from is unchanged.
        assert!(!guard.auth().is_optional());
        assert!(!guard.has_error_hook());
        assert!(hooked_guard.has_error_hook());

        let cookie = guard
            .clone()
            .with_token_locations(TokenLocations::nowhere().cookie("tok"))
            .with_realm("other");
        let by_cookie = format!("tok={good}");
        assert!(matches!(
            cookie.admit(&request("/", &[("cookie", &by_cookie)])),
            Admission::Verify(_)
        ));
        let Admission::Refuse(refusal) = cookie.admit(&request("/", &[("authorization", &bearer)]))
        else {
            panic!("the Authorization header is not read");
        };
        assert_eq!(refusal.rejection().realm(), "other");
    }

    /// Admits `bearer` under `guard` until the verified-token cache answers for it (the
    /// doorkeeper keeps a token at its second verification), checking each verification.
    fn admit_until_cached(guard: &BearerGuard<Plain>, bearer: &str) -> Admission<Plain> {
        let request = request("/", &[("authorization", bearer)]);
        for _ in 0..2 {
            let Admission::Verify(verify) = guard.admit(&request) else {
                panic!("a token the cache does not hold is verified in full");
            };
            drop(block_on(verify));
        }
        guard.admit(&request)
    }

    #[test]
    fn a_cached_token_passes_without_a_future_and_still_meets_every_check() {
        let exp = 4_102_444_800u64;
        let bearer = |sub: &str| {
            format!(
                "Bearer {}",
                sign(serde_json::json!({"sub": sub, "exp": exp}))
            )
        };
        let not_eve = |token: &VerifiedToken| match token.claims::<serde_json::Value>() {
            Ok(claims) if claims["sub"] == "eve" => Err(Denial::forbidden("not eve")),
            _ => Ok(()),
        };

        // No check, or a synchronous one: the cache's answer is the whole answer.
        let guard = BearerGuard::<Plain>::new(auth()).check(not_eve);
        let Admission::Pass(passed) = admit_until_cached(&guard, &bearer("ada")) else {
            panic!("a cached token passes at once");
        };
        assert_eq!(
            passed.token.claims::<serde_json::Value>().unwrap()["sub"],
            "ada"
        );
        assert!(passed.set_cookies.is_empty());
        assert_eq!(guard.auth().cache_stats().unwrap().hits, 1);
        let Admission::Refuse(refusal) = admit_until_cached(&guard, &bearer("eve")) else {
            panic!("the synchronous check still runs on a cached token");
        };
        assert_eq!(refusal.rejection().status(), StatusCode::FORBIDDEN);
        assert_eq!(refusal.rejection().description(), "not eve");

        // An async check: a future, which still runs it.
        let async_guard = BearerGuard::<Plain>::new(auth()).check_async(move |token| {
            let answer = not_eve(&token);
            Box::pin(async move { answer })
        });
        let Admission::Verify(verify) = admit_until_cached(&async_guard, &bearer("eve")) else {
            panic!("an async check needs a future");
        };
        let refusal = block_on(verify).unwrap_err();
        assert_eq!(refusal.rejection().status(), StatusCode::FORBIDDEN);
        assert_eq!(async_guard.auth().cache_stats().unwrap().hits, 1);

        // A cached token refused by the cache itself (revoked, expired) is refused at once.
        let store = Arc::new(crate::revocation::MemoryStore::default());
        let revoking = BearerGuard::<Plain>::new(auth()).with_revocation(Arc::clone(&store) as _);
        let token = sign(serde_json::json!({"sub": "ada", "exp": exp, "jti": "j-1"}));
        let cached = format!("Bearer {token}");
        assert!(matches!(
            admit_until_cached(&revoking, &cached),
            Admission::Pass(_)
        ));
        let until = i64::try_from(exp).unwrap();
        block_on(crate::revocation::RevocationStore::revoke_jti(
            &*store, "j-1", until,
        ))
        .unwrap();
        let Admission::Refuse(refusal) =
            revoking.admit(&request("/", &[("authorization", &cached)]))
        else {
            panic!("a revoked cached token is refused");
        };
        assert_eq!(
            refusal.to_string(),
            "invalid_token: the token has been revoked"
        );
    }

    /// A hit skips the RFC 6750 syntax check (a cached token passed it); a miss still makes
    /// it before the token is verified or counted as a miss; a fault elsewhere in the request
    /// wins over a cached token, as the checked extraction finds it.
    #[test]
    fn only_a_cached_token_skips_the_syntax_check() {
        let guard = BearerGuard::<Plain>::new(auth());
        let token = sign(serde_json::json!({"sub": "ada", "exp": 4_102_444_800u64}));
        let cached = format!("Bearer {token}");
        assert!(matches!(
            admit_until_cached(&guard, &cached),
            Admission::Pass(_)
        ));
        let counts = |guard: &BearerGuard<Plain>| {
            let stats = guard.auth().cache_stats().unwrap();
            (stats.entries, stats.hits, stats.misses)
        };
        assert_eq!(counts(&guard), (1, 1, 2));
        let invalid_request = |headers: &[(&str, &str)]| match guard.admit(&request("/", headers)) {
            Admission::Refuse(refusal) => {
                assert_eq!(refusal.rejection().status(), StatusCode::BAD_REQUEST);
                match refusal.rejection().kind() {
                    RejectionKind::InvalidRequest(why) => *why,
                    other => panic!("{other:?}"),
                }
            }
            _ => panic!("a malformed request is refused at once"),
        };
        for bad in [
            format!("{cached}\""),
            format!("{cached}=x"),
            format!("Bearer {}", token.replacen('.', ",", 1)),
            "Bearer a\"b".to_owned(),
        ] {
            assert_eq!(
                invalid_request(&[("authorization", &bad)]),
                InvalidRequest::InvalidSyntax,
                "{bad}"
            );
        }
        // Refused before the lookup counted them: still one hit, two misses.
        assert_eq!(counts(&guard), (1, 1, 2));
        assert_eq!(
            invalid_request(&[("authorization", &cached), ("authorization", &cached)]),
            InvalidRequest::Repeated
        );
        assert_eq!(
            invalid_request(&[("authorization", "Bearer a\"b"), ("authorization", &cached)]),
            InvalidRequest::InvalidSyntax
        );
        // The checked extraction reads the second value's syntax before it sees a repetition.
        assert_eq!(
            invalid_request(&[("authorization", &cached), ("authorization", "Bearer a\"b")]),
            InvalidRequest::InvalidSyntax
        );
        assert_eq!(counts(&guard), (1, 1, 2));
        assert!(matches!(
            guard.admit(&request("/", &[("authorization", &cached)])),
            Admission::Pass(_)
        ));
        assert_eq!(counts(&guard), (1, 2, 2));
    }

    #[test]
    fn what_stored_tokens_answer() {
        let guard = BearerGuard::<Plain>::new(auth()).on_error(hooked);
        let exp = 4_102_444_800u64;
        let verified = |claims| Arc::new(auth().verifier().verify_token(&sign(claims)).unwrap());
        let token = verified(serde_json::json!({"sub": "ada", "exp": exp, "scope": "read"}));
        let with_token = || Stored::verified(&guard, &token, "Claims");
        let anonymous = || Stored::<_, Arc<VerifiedToken>>::anonymous(Some(&guard), "Claims");

        let claims: serde_json::Value = with_token().claims().unwrap();
        assert_eq!(claims["sub"], "ada");
        let refusal = anonymous().claims::<serde_json::Value>().unwrap_err();
        assert!(matches!(
            refusal.rejection().kind(),
            RejectionKind::MissingToken
        ));
        assert_eq!(refusal.rejection().realm(), "test");
        assert_eq!(refusal.respond(default_answer), "hook missing_token");

        #[derive(Clone, Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsEmail {
            email: String,
        }
        let refusal = with_token().claims::<NeedsEmail>().unwrap_err();
        assert_eq!(
            refusal.rejection().description(),
            "the token claims are invalid"
        );
        let refusal = with_token().optional_claims::<NeedsEmail>().unwrap_err();
        assert_eq!(refusal.rejection().status(), StatusCode::UNAUTHORIZED);
        assert!(
            anonymous()
                .optional_claims::<NeedsEmail>()
                .unwrap()
                .is_none()
        );

        assert!(Arc::ptr_eq(with_token().token().unwrap(), &token));
        assert!(anonymous().token().is_err());
        assert!(anonymous().optional_token().unwrap().is_none());
        assert!(with_token().optional_token().unwrap().is_some());

        let read = RequiredScopes::all(["read"]);
        let admin = RequiredScopes::all(["admin"]);
        assert!(with_token().scopes(&read).is_ok());
        let refusal = with_token().scopes(&admin).unwrap_err();
        assert_eq!(refusal.rejection().status(), StatusCode::FORBIDDEN);
        let refusal = anonymous().scopes(&admin).unwrap_err();
        assert!(matches!(
            refusal.rejection().kind(),
            RejectionKind::MissingToken
        ));
    }

    #[test]
    fn without_a_guard_everything_fails_closed() {
        let unguarded = || Stored::<Plain, Arc<VerifiedToken>>::anonymous(None, "Claims");
        let refusals = [
            unguarded().claims::<serde_json::Value>().unwrap_err(),
            unguarded()
                .optional_claims::<serde_json::Value>()
                .unwrap_err(),
            unguarded().token().unwrap_err(),
            unguarded().optional_token().unwrap_err(),
            unguarded()
                .scopes(&RequiredScopes::all(["admin"]))
                .unwrap_err(),
        ];
        for refusal in refusals {
            assert!(refusal.is_unguarded());
            assert!(matches!(
                refusal.rejection().kind(),
                RejectionKind::MissingToken
            ));
            assert_eq!(refusal.rejection().realm(), DEFAULT_REALM);
            assert_eq!(refusal.respond(default_answer), "default 401");
            assert_eq!(
                refusal.to_string(),
                "no PlainMiddleware ran before this extractor or guard (it is missing, or \
                 misordered), so no verified token: the request is refused as unauthenticated"
            );
            assert!(std::error::Error::source(&refusal).is_some());
            assert_eq!(refusal.into_rejection().status(), StatusCode::UNAUTHORIZED);
        }
    }
}
