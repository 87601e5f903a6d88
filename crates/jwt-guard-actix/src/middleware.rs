//! [`JwtMiddleware`] → [`JwtMiddlewareService<S>`] → [`ResponseFuture`]: verify once per
//! request, store the result.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::path::Path;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Poll, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::HeaderMap;
use actix_web::{HttpMessage, HttpResponse};
use jwt_guard_core::__private::{Admission, BearerGuard, Refusal, Verification};
use jwt_guard_core::http::{BearerAuth, Rejection, TokenLocations, TokenSource};
use jwt_guard_core::{Error, Verifier, VerifierConfig};
use pin_project_lite::pin_project;

use crate::error::JwtError;
use crate::state::{Actix, store};

/// An actix request as the core's token extraction sees it (actix-web 4 is on `http` 0.2, the
/// core on `http` 1, so the core reads it through [`TokenSource`]).
pub(crate) struct ActixRequest<'a> {
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    method: &'a str,
}

impl<'a> ActixRequest<'a> {
    pub(crate) fn new(request: &'a ServiceRequest) -> ActixRequest<'a> {
        ActixRequest {
            headers: request.headers(),
            query: request.uri().query(),
            method: request.method().as_str(),
        }
    }
}

impl<'a> TokenSource for ActixRequest<'a> {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, 'a> {
        self.headers.get_all(name).map(|value| value.as_bytes())
    }

    fn query(&self) -> Option<&str> {
        self.query
    }

    fn method(&self) -> Option<&str> {
        Some(self.method)
    }
}

/// An actix-web middleware ([`Transform`]) that verifies the request's bearer token once and
/// stores the result for [`Claims<T>`](crate::Claims), [`Verified`](crate::Verified) and
/// [`RequireScopes`](crate::RequireScopes). Put it on an `App`, a `web::scope`, a
/// `web::resource` or a single route with `.wrap(..)`.
///
/// - Required mode (the default): a request without a token gets 401 with a bare
///   `Bearer realm="..."` challenge. [`JwtMiddleware::optional`]: it passes, and
///   `Option<Claims<T>>` is `None`; an invalid token is still refused.
/// - Where the token is read: [`TokenLocations`] (`[token]` in a [`VerifierConfig`]); a token in
///   more than one place is 400 `invalid_request`.
/// - Every refusal is the core's RFC 6750 answer (see [`jwt_guard_core::http`]) as a
///   [`JwtError`], or what [`JwtMiddleware::on_error`] makes of it; never a 500 for a token
///   fault.
///
/// The answers are those of `jwt-guard-axum`'s `JwtLayer`, byte for byte (the root
/// `tests/conformance.rs` runs one case table against both).
///
/// Where it goes decides what it covers. On the `App`: every route, and also what routing would
/// answer (a request without a token to an unknown path gets 401, not 404). On a `web::scope`:
/// every path under it (unknown ones too); on a `web::resource`: every method of it. One
/// [`optional`](JwtMiddleware::optional) middleware on the `App`, with
/// [`Claims<T>`](crate::Claims) where a token is required, is the simplest mixed app. In actix
/// the last `.wrap` runs first, so [`RequireScopes`](crate::RequireScopes) is wrapped before
/// the `JwtMiddleware`.
///
/// ```
/// use actix_web::{App, web};
/// use jwt_guard_actix::{Claims, JwtMiddleware, RequireScopes};
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
/// let jwt = JwtMiddleware::new(verifier);
///
/// // All protected.
/// let all = App::new()
///     .wrap(jwt.clone())
///     .route("/me", web::get().to(me))
///     .service(web::resource("/admin").wrap(RequireScopes::all(["admin"])).get(|| async { "hi" }));
///
/// // Public and protected side by side.
/// let mixed = App::new()
///     .route("/", web::get().to(|| async { "public" }))
///     .service(web::scope("/api").wrap(jwt.clone()).route("/me", web::get().to(me)));
///
/// // Optional everywhere, `Claims<T>` where a token is required.
/// let optional = App::new()
///     .wrap(jwt.optional())
///     .route("/", web::get().to(|| async { "public" }))
///     .route("/maybe", web::get().to(|c: Option<Claims<MyClaims>>| async move { c.is_some().to_string() }))
///     .route("/me", web::get().to(me));
/// # let _ = (all, mixed, optional); Ok(()) }
/// ```
#[derive(Clone)]
pub struct JwtMiddleware {
    guard: BearerGuard<Actix>,
}

impl JwtMiddleware {
    /// A middleware verifying with `verifier` (or a configured [`BearerAuth`]), required mode,
    /// `Authorization: Bearer` only, realm `"api"`.
    pub fn new(verifier: impl Into<BearerAuth>) -> JwtMiddleware {
        JwtMiddleware {
            guard: BearerGuard::new(verifier),
        }
    }

    /// A middleware from a [`VerifierConfig`], including its `[token]` locations (relative
    /// paths against the current directory).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`], and a bad `[token]` table.
    pub fn from_config(config: &VerifierConfig) -> Result<JwtMiddleware, Error> {
        BearerAuth::from_config(config).map(JwtMiddleware::new)
    }

    /// As [`JwtMiddleware::from_config`], resolving relative paths against `base_dir` (for
    /// example the config file's directory).
    ///
    /// # Errors
    /// As [`JwtMiddleware::from_config`].
    pub fn from_config_in(
        config: &VerifierConfig,
        base_dir: &Path,
    ) -> Result<JwtMiddleware, Error> {
        BearerAuth::from_config_in(config, base_dir).map(JwtMiddleware::new)
    }

    /// Optional mode: a request with no token at all passes (extract `Option<Claims<T>>`); a
    /// request with a bad token is still refused.
    #[must_use]
    pub fn optional(self) -> JwtMiddleware {
        JwtMiddleware {
            guard: self.guard.optional(),
        }
    }

    /// Reads the token from `locations` instead.
    #[must_use]
    pub fn with_token_locations(self, locations: TokenLocations) -> JwtMiddleware {
        JwtMiddleware {
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
    ) -> JwtMiddleware {
        JwtMiddleware {
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
    ) -> JwtMiddleware {
        JwtMiddleware {
            guard: self.guard.with_roles(sources),
        }
    }

    /// RFC 9728 protected resource metadata (the config's `[resource_metadata]`; `from_config`
    /// sets it): every challenge of this middleware then names its URL
    /// (`resource_metadata="..."`), and [`JwtMiddleware::resource_metadata_service`] serves the
    /// document.
    #[must_use]
    pub fn with_resource_metadata(
        self,
        metadata: jwt_guard_core::http::ResourceMetadata,
    ) -> JwtMiddleware {
        JwtMiddleware {
            guard: self.guard.with_resource_metadata(metadata),
        }
    }

    /// Browser sessions (`jwt_guard_core::sessions::cookies`): a token this middleware takes
    /// from a cookie must pass the CSRF double-submit check on unsafe methods (403
    /// `csrf_failed` otherwise; the `Authorization` header is exempt), and with
    /// `refresh_within_secs` a cookie-borne access token close to expiry gets a new access
    /// cookie on the response. Set the locations too:
    /// `.with_token_locations(cookies.access_locations())`.
    #[must_use]
    pub fn with_session_cookies(
        self,
        cookies: jwt_guard_core::sessions::cookies::SessionCookies,
    ) -> JwtMiddleware {
        JwtMiddleware {
            guard: self.guard.with_session_cookies(cookies),
        }
    }

    /// A resource serving this middleware's RFC 9728 document (200, `application/json`) at its
    /// well-known path, to register outside the middleware (`App::service`); `None` without
    /// metadata.
    ///
    /// ```
    /// use actix_web::App;
    /// use jwt_guard_actix::JwtMiddleware;
    /// use jwt_guard_core::http::ResourceMetadata;
    /// # fn app(verifier: jwt_guard_core::Verifier) -> Option<()> {
    /// let middleware = JwtMiddleware::new(verifier)
    ///     .with_resource_metadata(ResourceMetadata::new("https://api.example.com"));
    /// let app = App::new().service(middleware.resource_metadata_service()?);
    /// # let _ = app; Some(()) }
    /// ```
    pub fn resource_metadata_service(&self) -> Option<actix_web::Resource> {
        let auth = self.guard.auth();
        let metadata = auth.resource_metadata()?;
        let document = metadata.document(auth.token_locations());
        Some(
            actix_web::web::resource(metadata.path()).route(actix_web::web::get().to(move || {
                let document = document.clone();
                async move {
                    actix_web::HttpResponse::Ok()
                        .content_type("application/json")
                        .body(document)
                }
            })),
        )
    }

    /// A custom check on every token this middleware verifies (after the signature, the claims and
    /// the revocation check; not for anonymous requests in optional mode): a synchronous closure
    /// over the verified token (read its claims with `token.claims::<T>()`), whose
    /// [`Denial`](jwt_guard_core::http::Denial) refuses the request with 401 or 403 and its
    /// description. Replaces any check set before.
    #[must_use]
    pub fn check<F>(self, check: F) -> JwtMiddleware
    where
        F: Fn(&jwt_guard_core::VerifiedToken) -> Result<(), jwt_guard_core::http::Denial>
            + Send
            + Sync
            + 'static,
    {
        JwtMiddleware {
            guard: self.guard.check(check),
        }
    }

    /// As [`JwtMiddleware::check`], with an async check (a database lookup, ...).
    #[must_use]
    pub fn check_async<F, Fut>(self, check: F) -> JwtMiddleware
    where
        F: Fn(std::sync::Arc<jwt_guard_core::VerifiedToken>) -> Fut + Send + Sync + 'static,
        Fut:
            std::future::Future<Output = Result<(), jwt_guard_core::http::Denial>> + Send + 'static,
    {
        JwtMiddleware {
            guard: self
                .guard
                .check_async(move |token| -> jwt_guard_core::__private::CheckFuture {
                    Box::pin(check(token))
                }),
        }
    }

    /// The `realm` of the `WWW-Authenticate` challenge.
    #[must_use]
    pub fn with_realm(self, realm: &str) -> JwtMiddleware {
        JwtMiddleware {
            guard: self.guard.with_realm(realm),
        }
    }

    /// Replaces the response for every refusal (of this middleware, of the extractors and of
    /// [`RequireScopes`](crate::RequireScopes) under it) with `f(&rejection)`. The
    /// [`Rejection`] has the status, the `WWW-Authenticate` value and the core error. Give a
    /// closure's argument its type: `.on_error(|r: &Rejection| HttpResponse::NotFound())`.
    #[must_use]
    pub fn on_error<F, R>(self, f: F) -> JwtMiddleware
    where
        F: Fn(&Rejection) -> R + Send + Sync + 'static,
        R: Into<HttpResponse>,
    {
        JwtMiddleware {
            guard: self.guard.on_error(move |r| f(r).into()),
        }
    }

    /// The core settings: verifier, token locations, realm, mode.
    pub fn auth(&self) -> &BearerAuth {
        self.guard.auth()
    }
}

impl From<Verifier> for JwtMiddleware {
    fn from(verifier: Verifier) -> JwtMiddleware {
        JwtMiddleware::new(verifier)
    }
}

impl TryFrom<&VerifierConfig> for JwtMiddleware {
    type Error = Error;

    fn try_from(config: &VerifierConfig) -> Result<JwtMiddleware, Error> {
        JwtMiddleware::from_config(config)
    }
}

impl fmt::Debug for JwtMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtMiddleware")
            .field("auth", self.guard.auth())
            .field("on_error", &self.guard.has_error_hook())
            .finish()
    }
}

impl<S, B> Transform<S, ServiceRequest> for JwtMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = JwtMiddlewareService<S>;
    type InitError = ();
    type Future = Ready<Result<JwtMiddlewareService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(JwtMiddlewareService {
            service: Rc::new(service),
            guard: self.guard.clone(),
        }))
    }
}

/// The service [`JwtMiddleware`] makes: verifies, then calls `S` with the verified token in the
/// request extensions.
pub struct JwtMiddlewareService<S> {
    service: Rc<S>,
    guard: BearerGuard<Actix>,
}

impl<S> JwtMiddlewareService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.service
    }
}

impl<S> fmt::Debug for JwtMiddlewareService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtMiddlewareService")
            .field("auth", self.guard.auth())
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for JwtMiddlewareService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ResponseFuture<S, B>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> ResponseFuture<S, B> {
        let state = match self.guard.admit(&ActixRequest::new(&request)) {
            Admission::Refuse(refusal) => State::Rejected {
                response: Some(reject(request, refusal)),
            },
            Admission::Anonymous => {
                // What an outer middleware verified is not this one's: the request is anonymous
                // here, for the extractors and for services reading `Verified` themselves.
                store(&mut request.extensions_mut(), self.guard.clone(), None);
                State::Inner {
                    future: self.service.call(request),
                    set_cookies: Vec::new(),
                }
            }
            Admission::Pass(passed) => {
                store(
                    &mut request.extensions_mut(),
                    self.guard.clone(),
                    Some(passed.token),
                );
                State::Inner {
                    future: self.service.call(request),
                    set_cookies: passed.set_cookies,
                }
            }
            Admission::Verify(verify) => State::Verifying {
                verify,
                pending: Some((request, Rc::clone(&self.service))),
                guard: self.guard.clone(),
            },
        };
        ResponseFuture { state }
    }
}

/// The refusal as a response: the [`JwtError`] stays attached to it (`response.error()`), so an
/// outer `Logger` sees it.
fn reject<B>(request: ServiceRequest, refusal: Refusal<Actix>) -> ServiceResponse<EitherBody<B>> {
    request
        .error_response(JwtError(refusal))
        .map_into_right_body()
}

pin_project! {
    /// The future of [`JwtMiddlewareService<S>`].
    pub struct ResponseFuture<S, B>
    where
        S: Service<ServiceRequest>,
    {
        #[pin]
        state: State<S::Future, S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, S, B> {
        Verifying {
            verify: Verification<Actix>,
            pending: Option<(ServiceRequest, Rc<S>)>,
            guard: BearerGuard<Actix>,
        },
        Inner {
            #[pin]
            future: F,
            // Implicit refresh (browser sessions): cookies for the response.
            set_cookies: Vec<jwt_guard_core::__private::SetCookieValue>,
        },
        Rejected {
            response: Option<ServiceResponse<EitherBody<B>>>,
        },
    }
}

impl<S, B> fmt::Debug for ResponseFuture<S, B>
where
    S: Service<ServiceRequest>,
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
pub(crate) fn polled_after_completion() -> actix_web::Error {
    actix_web::error::ErrorInternalServerError("a jwt-guard future was polled after completion")
}

impl<S, B> Future for ResponseFuture<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

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
                    let Some((request, service)) = pending.take() else {
                        return Poll::Ready(Err(polled_after_completion()));
                    };
                    match result {
                        Ok(passed) => {
                            store(
                                &mut request.extensions_mut(),
                                guard.clone(),
                                Some(passed.token),
                            );
                            let future = service.call(request);
                            this.state.set(State::Inner {
                                future,
                                set_cookies: passed.set_cookies,
                            });
                        }
                        Err(refusal) => {
                            this.state.set(State::Rejected { response: None });
                            return Poll::Ready(Ok(reject(request, refusal)));
                        }
                    }
                }
                StateProj::Inner {
                    future,
                    set_cookies,
                } => {
                    let mut response = ready!(future.poll(cx))?;
                    for cookie in std::mem::take(set_cookies) {
                        crate::cookies::append(response.headers_mut(), &cookie);
                    }
                    return Poll::Ready(Ok(response.map_into_left_body()));
                }
                StateProj::Rejected { response } => {
                    return Poll::Ready(response.take().ok_or_else(polled_after_completion));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RequireScopes;

    /// `HttpServer::new` runs its factory on every worker: what goes in must be
    /// `Send + Clone + 'static`.
    #[test]
    fn the_middlewares_can_go_into_an_http_server_factory() {
        fn factory_safe<T: Send + Sync + Clone + 'static>() {}
        factory_safe::<JwtMiddleware>();
        factory_safe::<RequireScopes>();
    }
}
