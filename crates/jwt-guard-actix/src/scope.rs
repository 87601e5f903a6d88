//! [`RequireScopes`]: a middleware that requires scopes of the verified token.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use jwt_guard_core::http::RequiredScopes;
use pin_project_lite::pin_project;

use crate::extract::with_stored;
use crate::middleware::polled_after_completion;

/// A middleware that requires scopes of the token a [`JwtMiddleware`](crate::JwtMiddleware)
/// verified, read from its `scope` claim (space-separated string) or `scp` (array). It must run
/// after the `JwtMiddleware`: in actix-web the last `.wrap` runs first, so wrap it before.
///
/// ```
/// use actix_web::{App, HttpResponse, web};
/// use jwt_guard_actix::{JwtMiddleware, RequireScopes};
/// # fn app(verifier: jwt_guard_core::Verifier) {
/// let app = App::new().service(
///     web::resource("/admin")
///         .wrap(RequireScopes::all(["admin"]))      // runs second
///         .wrap(JwtMiddleware::new(verifier))       // runs first
///         .to(|| async { HttpResponse::Ok().body("hi") }),
/// );
/// # }
/// ```
///
/// # Rejections
/// - 403 `insufficient_scope`, with `scope="..."` naming the required scopes;
/// - 401 `invalid_token` if the scope claim is neither a string nor an array of strings;
/// - 401 with a bare challenge if there is no token (an optional `JwtMiddleware`, anonymous
///   request), or no `JwtMiddleware` ran before it: there is none, or it is wrapped before
///   `RequireScopes` (so it runs after it: in actix the last `.wrap` runs first). Both are
///   logged at error level, with the fix of each.
#[derive(Debug, Clone)]
pub struct RequireScopes {
    required: Arc<RequiredScopes>,
}

impl RequireScopes {
    /// Requires every one of `scopes`.
    ///
    /// # Panics
    /// If no scope is named (`[]`, `[""]`): an empty requirement would pass any token. For
    /// scopes read at run time, use `RequireScopes::new(RequiredScopes::try_all(scopes)?)`.
    pub fn all<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> RequireScopes {
        RequireScopes::new(RequiredScopes::all(scopes))
    }

    /// Requires at least one of `scopes`.
    ///
    /// # Panics
    /// If no scope is named, as [`RequireScopes::all`].
    pub fn any<I: IntoIterator<Item = S>, S: AsRef<str>>(scopes: I) -> RequireScopes {
        RequireScopes::new(RequiredScopes::any(scopes))
    }

    /// Requires `required`.
    pub fn new(required: RequiredScopes) -> RequireScopes {
        RequireScopes {
            required: Arc::new(required),
        }
    }

    /// The requirement.
    pub fn required(&self) -> &RequiredScopes {
        &self.required
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequireScopes
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = RequireScopesService<S>;
    type InitError = ();
    type Future = Ready<Result<RequireScopesService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireScopesService {
            service,
            required: Arc::clone(&self.required),
        }))
    }
}

/// The service [`RequireScopes`] makes.
#[derive(Debug)]
pub struct RequireScopesService<S> {
    service: S,
    required: Arc<RequiredScopes>,
}

impl<S, B> Service<ServiceRequest> for RequireScopesService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = RequireScopesFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> RequireScopesFuture<S::Future, B> {
        let checked = with_stored(request.request(), "RequireScopes", |stored| {
            stored.scopes(&self.required)
        });
        let state = match checked {
            Ok(()) => ScopeState::Inner {
                future: self.service.call(request),
            },
            Err(error) => ScopeState::Rejected {
                response: Some(request.error_response(error).map_into_right_body()),
            },
        };
        RequireScopesFuture { state }
    }
}

pin_project! {
    /// The future of [`RequireScopesService`].
    pub struct RequireScopesFuture<F, B> {
        #[pin]
        state: ScopeState<F, B>,
    }
}

pin_project! {
    #[project = ScopeStateProj]
    enum ScopeState<F, B> {
        Inner {
            #[pin]
            future: F,
        },
        Rejected {
            response: Option<ServiceResponse<EitherBody<B>>>,
        },
    }
}

impl<F, B> fmt::Debug for RequireScopesFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            ScopeState::Inner { .. } => "inner",
            ScopeState::Rejected { .. } => "rejected",
        };
        f.debug_struct("RequireScopesFuture")
            .field("state", &state)
            .finish()
    }
}

impl<F, B> Future for RequireScopesFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            ScopeStateProj::Inner { future } => {
                let response = ready!(future.poll(cx))?;
                Poll::Ready(Ok(response.map_into_left_body()))
            }
            ScopeStateProj::Rejected { response } => {
                Poll::Ready(response.take().ok_or_else(polled_after_completion))
            }
        }
    }
}
