//! [`JwtLayer`] → [`Jwt<S>`] → [`ResponseFuture`]: verify once per request, store the result.

use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use axum_core::BoxError;
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{Request, StatusCode};
use jwt_guard_core::__private::{Admission, BearerGuard, Verification};
use jwt_guard_core::http::{BearerAuth, Rejection, TokenLocations};
use jwt_guard_core::{Error, Verifier, VerifierConfig};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::rejection::JwtRejection;
use crate::state::{Axum, store};

/// A tower [`Layer`] that verifies the request's bearer token once and stores the result for
/// [`Claims<T>`](crate::Claims) and [`Verified`](crate::Verified). Works over any `http::Request<B>`: axum
/// routers, plain hyper or tonic services.
///
/// - Required mode (the default): a request without a token gets 401 with a bare
///   `Bearer realm="..."` challenge. [`JwtLayer::optional`]: it passes, and
///   `Option<Claims<T>>` is `None`; an invalid token is still refused.
/// - Where the token is read: [`TokenLocations`] (`[token]` in a [`VerifierConfig`]); a token in
///   more than one place is 400 `invalid_request`.
/// - Every refusal is the core's RFC 6750 answer (see [`jwt_guard_core::http`]), or what
///   [`JwtLayer::on_error`] makes of it; never a 500 for a token fault.
///
/// The service's response body is axum's [`Body`] (the inner body is wrapped, at no cost when it
/// already is one).
///
/// Where it goes decides what it covers. `.layer(..)` on the whole router: every route, and
/// also what routing would answer (a request without a token to an unknown path or a method
/// the route lacks gets 401, not 404 or 405). `.route_layer(..)` on a router of protected
/// routes, merged with the public ones: only those paths (an unknown path stays 404, but a
/// method a path lacks still gets 401: `get(h).route_layer(..)` on the method router keeps 405
/// too). One
/// [`optional`](JwtLayer::optional) layer on everything, with [`Claims<T>`](crate::Claims)
/// where a token is required, is the simplest mixed app. In axum the last `.layer` /
/// `.route_layer` runs first, so a [`RequireScopes`](crate::RequireScopes) goes on the route
/// (or is added) before the `JwtLayer`.
///
/// ```
/// use axum::{Router, routing::get};
/// use jwt_guard_axum::{Claims, JwtLayer, RequireScopes};
/// use jwt_guard_core::{Algorithm, Key, RegisteredClaims, Verifier};
/// use serde::Deserialize;
///
/// /// Typed claims: the registered ones flattened in, your own beside them.
/// #[derive(Clone, Deserialize)]
/// struct MyClaims {
///     #[serde(flatten)]
///     registered: RegisteredClaims,
///     tenant: String,
/// }
///
/// async fn me(Claims(claims): Claims<MyClaims>) -> String {
///     format!("{} of {}", claims.registered.sub.unwrap_or_default(), claims.tenant)
/// }
///
/// # fn main() -> Result<(), jwt_guard_core::Error> {
/// let key = Key::hmac(b"an example secret of 32 bytes..!")?;
/// let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key).build()?;
///
/// // All protected.
/// let all: Router = Router::new()
///     .route("/me", get(me))
///     .route("/admin", get(|| async { "hi" }).route_layer(RequireScopes::all(["admin"])))
///     .layer(JwtLayer::new(verifier.clone()));
///
/// // Public and protected side by side.
/// let protected = Router::new()
///     .route("/me", get(me))
///     .route_layer(JwtLayer::new(verifier.clone()));
/// let mixed: Router = Router::new().route("/", get(|| async { "public" })).merge(protected);
///
/// // Optional everywhere, `Claims<T>` where a token is required.
/// let optional: Router = Router::new()
///     .route("/", get(|| async { "public" }))
///     .route("/maybe", get(|c: Option<Claims<MyClaims>>| async move { c.is_some().to_string() }))
///     .route("/me", get(me))
///     .layer(JwtLayer::new(verifier).optional());
/// # let _ = (all, mixed, optional); Ok(()) }
/// ```
#[derive(Clone)]
pub struct JwtLayer {
    guard: BearerGuard<Axum>,
}

impl JwtLayer {
    /// A layer verifying with `verifier` (or a configured [`BearerAuth`]), required mode,
    /// `Authorization: Bearer` only, realm `"api"`.
    pub fn new(verifier: impl Into<BearerAuth>) -> JwtLayer {
        JwtLayer {
            guard: BearerGuard::new(verifier),
        }
    }

    /// A layer from a [`VerifierConfig`], including its `[token]` locations (relative paths
    /// against the current directory).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`], and a bad `[token]` table.
    pub fn from_config(config: &VerifierConfig) -> Result<JwtLayer, Error> {
        BearerAuth::from_config(config).map(JwtLayer::new)
    }

    /// As [`JwtLayer::from_config`], resolving relative paths against `base_dir` (for example the
    /// config file's directory).
    ///
    /// # Errors
    /// As [`JwtLayer::from_config`].
    pub fn from_config_in(config: &VerifierConfig, base_dir: &Path) -> Result<JwtLayer, Error> {
        BearerAuth::from_config_in(config, base_dir).map(JwtLayer::new)
    }

    /// Optional mode: a request with no token at all passes (extract `Option<Claims<T>>`); a
    /// request with a bad token is still refused.
    #[must_use]
    pub fn optional(self) -> JwtLayer {
        JwtLayer {
            guard: self.guard.optional(),
        }
    }

    /// Reads the token from `locations` instead.
    #[must_use]
    pub fn with_token_locations(self, locations: TokenLocations) -> JwtLayer {
        JwtLayer {
            guard: self.guard.with_token_locations(locations),
        }
    }

    /// Checks every verified token against `store` (see `jwt_guard_core::revocation`): after
    /// the signature and the claims, before the handler; a revoked token is refused 401
    /// `invalid_token` ("the token has been revoked"), also in optional mode.
    #[must_use]
    pub fn with_revocation(
        self,
        store: std::sync::Arc<dyn jwt_guard_core::revocation::RevocationStore>,
    ) -> JwtLayer {
        JwtLayer {
            guard: self.guard.with_revocation(store),
        }
    }

    /// Where tokens carry their roles, for the `RequireRoles` guards under this middleware
    /// (the config's `roles`; `from_config` sets them). The roles of all sources form one set:
    /// list only sources that mean the same thing.
    #[must_use]
    pub fn with_roles(
        self,
        sources: impl IntoIterator<Item = jwt_guard_core::RoleSource>,
    ) -> JwtLayer {
        JwtLayer {
            guard: self.guard.with_roles(sources),
        }
    }

    /// RFC 9728 protected resource metadata (the config's `[resource_metadata]`; `from_config`
    /// sets it): every challenge of this layer then names its URL (`resource_metadata="..."`),
    /// and [`JwtLayer::resource_metadata_service`] serves the document.
    #[must_use]
    pub fn with_resource_metadata(
        self,
        metadata: jwt_guard_core::http::ResourceMetadata,
    ) -> JwtLayer {
        JwtLayer {
            guard: self.guard.with_resource_metadata(metadata),
        }
    }

    /// Browser sessions (`jwt_guard_core::sessions::cookies`): a token this layer takes from a
    /// cookie must pass the CSRF double-submit check on unsafe methods (403 `csrf_failed`
    /// otherwise; the `Authorization` header is exempt), and with `refresh_within_secs` a
    /// cookie-borne access token close to expiry gets a new access cookie on the response.
    /// Set the locations too: `.with_token_locations(cookies.access_locations())`.
    #[must_use]
    pub fn with_session_cookies(
        self,
        cookies: jwt_guard_core::sessions::cookies::SessionCookies,
    ) -> JwtLayer {
        JwtLayer {
            guard: self.guard.with_session_cookies(cookies),
        }
    }

    /// The service serving this layer's RFC 9728 document at its well-known path; `None`
    /// without metadata.
    pub fn resource_metadata_service(&self) -> Option<crate::ResourceMetadataService> {
        crate::ResourceMetadataService::new(self.guard.auth())
    }

    /// A custom check on every token this layer verifies (after the signature, the claims and
    /// the revocation check; not for anonymous requests in optional mode): a synchronous closure
    /// over the verified token (read its claims with `token.claims::<T>()`), whose
    /// [`Denial`](jwt_guard_core::http::Denial) refuses the request with 401 or 403 and its
    /// description. Replaces any check set before.
    #[must_use]
    pub fn check<F>(self, check: F) -> JwtLayer
    where
        F: Fn(&jwt_guard_core::VerifiedToken) -> Result<(), jwt_guard_core::http::Denial>
            + Send
            + Sync
            + 'static,
    {
        JwtLayer {
            guard: self.guard.check(check),
        }
    }

    /// As [`JwtLayer::check`], with an async check (a database lookup, ...).
    #[must_use]
    pub fn check_async<F, Fut>(self, check: F) -> JwtLayer
    where
        F: Fn(std::sync::Arc<jwt_guard_core::VerifiedToken>) -> Fut + Send + Sync + 'static,
        Fut:
            std::future::Future<Output = Result<(), jwt_guard_core::http::Denial>> + Send + 'static,
    {
        JwtLayer {
            guard: self
                .guard
                .check_async(move |token| -> jwt_guard_core::__private::CheckFuture {
                    Box::pin(check(token))
                }),
        }
    }

    /// The `realm` of the `WWW-Authenticate` challenge.
    #[must_use]
    pub fn with_realm(self, realm: &str) -> JwtLayer {
        JwtLayer {
            guard: self.guard.with_realm(realm),
        }
    }

    /// Replaces the response for every refusal (of this layer, of the extractors and of
    /// [`RequireScopes`](crate::RequireScopes) under it) with `f(&rejection)`. The
    /// [`Rejection`] has the status, the `WWW-Authenticate` value and the core error. Give a
    /// closure's argument its type: `.on_error(|r: &Rejection| (r.status(), r.json_body()))`.
    #[must_use]
    pub fn on_error<F, R>(self, f: F) -> JwtLayer
    where
        F: Fn(&Rejection) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        JwtLayer {
            guard: self.guard.on_error(move |r| f(r).into_response()),
        }
    }

    /// The core settings: verifier, token locations, realm, mode.
    pub fn auth(&self) -> &BearerAuth {
        self.guard.auth()
    }
}

impl From<Verifier> for JwtLayer {
    fn from(verifier: Verifier) -> JwtLayer {
        JwtLayer::new(verifier)
    }
}

impl TryFrom<&VerifierConfig> for JwtLayer {
    type Error = Error;

    fn try_from(config: &VerifierConfig) -> Result<JwtLayer, Error> {
        JwtLayer::from_config(config)
    }
}

impl fmt::Debug for JwtLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtLayer")
            .field("auth", self.guard.auth())
            .field("on_error", &self.guard.has_error_hook())
            .finish()
    }
}

impl<S> Layer<S> for JwtLayer {
    type Service = Jwt<S>;

    fn layer(&self, inner: S) -> Jwt<S> {
        Jwt {
            inner,
            guard: self.guard.clone(),
        }
    }
}

/// The service [`JwtLayer`] makes: verifies, then calls `S` with the verified token in the
/// request extensions.
#[derive(Clone)]
pub struct Jwt<S> {
    inner: S,
    guard: BearerGuard<Axum>,
}

impl<S> Jwt<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Consumes it, returning the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug> fmt::Debug for Jwt<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("inner", &self.inner)
            .field("auth", self.guard.auth())
            .finish()
    }
}

impl<S, B, ResBody> Service<Request<B>> for Jwt<S>
where
    S: Service<Request<B>, Response = http::Response<ResBody>> + Clone,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> ResponseFuture<S, B> {
        let state = match self.guard.admit(&request) {
            Admission::Refuse(refusal) => State::Rejected {
                response: Some(JwtRejection(refusal).into_response()),
            },
            Admission::Anonymous => {
                store(request.extensions_mut(), self.guard.clone(), None);
                State::Inner {
                    future: self.inner.call(request),
                    set_cookies: Vec::new(),
                }
            }
            Admission::Pass(passed) => {
                store(
                    request.extensions_mut(),
                    self.guard.clone(),
                    Some(passed.token),
                );
                State::Inner {
                    future: self.inner.call(request),
                    set_cookies: passed.set_cookies,
                }
            }
            Admission::Verify(verify) => {
                // The ready service goes with the request; a clone stays for the next call.
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                State::Verifying {
                    verify,
                    pending: Some((request, inner)),
                    guard: self.guard.clone(),
                }
            }
        };
        ResponseFuture { state }
    }
}

pin_project! {
    /// The future of [`Jwt<S>`].
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S::Future, S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, S, B> {
        Verifying {
            verify: Verification<Axum>,
            pending: Option<(Request<B>, S)>,
            guard: BearerGuard<Axum>,
        },
        Inner {
            #[pin]
            future: F,
            // Implicit refresh (browser sessions): cookies for the response.
            set_cookies: Vec<http::HeaderValue>,
        },
        Rejected {
            response: Option<Response>,
        },
    }
}

impl<S, B> fmt::Debug for ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Verifying { .. } => "verifying",
            State::Inner { .. } => "inner",
            State::Rejected { .. } => "rejected",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}

/// What a future polled again after completing gets (a contract violation; never a panic).
pub(crate) fn polled_after_completion() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = http::Response<ResBody>>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Result<Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Verifying {
                    verify,
                    pending,
                    guard,
                } => {
                    let result = ready!(verify.as_mut().poll(cx));
                    let Some((mut request, mut inner)) = pending.take() else {
                        return Poll::Ready(Ok(polled_after_completion()));
                    };
                    match result {
                        Ok(passed) => {
                            store(request.extensions_mut(), guard.clone(), Some(passed.token));
                            let future = inner.call(request);
                            this.state.set(State::Inner {
                                future,
                                set_cookies: passed.set_cookies,
                            });
                        }
                        Err(refusal) => {
                            this.state.set(State::Rejected { response: None });
                            return Poll::Ready(Ok(JwtRejection(refusal).into_response()));
                        }
                    }
                }
                StateProj::Inner {
                    future,
                    set_cookies,
                } => {
                    let mut response = ready!(future.poll(cx))?;
                    for cookie in std::mem::take(set_cookies) {
                        response
                            .headers_mut()
                            .append(http::header::SET_COOKIE, cookie);
                    }
                    return Poll::Ready(Ok(response.map(Body::new)));
                }
                StateProj::Rejected { response } => {
                    return Poll::Ready(Ok(response
                        .take()
                        .unwrap_or_else(polled_after_completion)));
                }
            }
        }
    }
}
