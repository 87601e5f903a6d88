//! [`RequireScopes`]: a per-route layer that requires scopes of the verified token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use axum_core::BoxError;
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use http::Request;
use jwt_guard_core::http::RequiredScopes;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::layer::polled_after_completion;
use crate::rejection::JwtRejection;
use crate::state::stored;

/// A layer that requires scopes of the token a [`JwtLayer`](crate::JwtLayer) verified, read
/// from its `scope` claim (space-separated string) or `scp` (array): put it inside the
/// `JwtLayer`, typically per route.
///
/// ```
/// use axum::{Router, routing::get};
/// use jwt_guard_axum::RequireScopes;
/// let app: Router = Router::new()
///     .route("/admin", get(|| async { "hi" }).route_layer(RequireScopes::all(["admin"])));
/// // ... .layer(JwtLayer::new(verifier)) around it
/// ```
///
/// # Rejections
/// - 403 `insufficient_scope`, with `scope="..."` naming the required scopes;
/// - 401 `invalid_token` if the scope claim is neither a string nor an array of strings;
/// - 401 with a bare challenge if there is no token (an optional `JwtLayer`, anonymous request),
///   or no `JwtLayer` ran before it: there is none, or it is added before `RequireScopes` (so it
///   runs after it: in axum the last `.layer`/`.route_layer` runs first). Both are logged at
///   error level, with the fix of each.
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

impl<S> Layer<S> for RequireScopes {
    type Service = RequireScopesService<S>;

    fn layer(&self, inner: S) -> RequireScopesService<S> {
        RequireScopesService {
            inner,
            required: Arc::clone(&self.required),
        }
    }
}

/// The service [`RequireScopes`] makes.
#[derive(Debug, Clone)]
pub struct RequireScopesService<S> {
    inner: S,
    required: Arc<RequiredScopes>,
}

impl<S, B, ResBody> Service<Request<B>> for RequireScopesService<S>
where
    S: Service<Request<B>, Response = http::Response<ResBody>>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = RequireScopesFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> RequireScopesFuture<S::Future> {
        let checked = stored(request.extensions(), "RequireScopes")
            .scopes(&self.required)
            .map_err(JwtRejection);
        let state = match checked {
            Ok(()) => ScopeState::Inner {
                future: self.inner.call(request),
            },
            Err(rejection) => ScopeState::Rejected {
                response: Some(rejection.into_response()),
            },
        };
        RequireScopesFuture { state }
    }
}

pin_project! {
    /// The future of [`RequireScopesService`].
    pub struct RequireScopesFuture<F> {
        #[pin]
        state: ScopeState<F>,
    }
}

pin_project! {
    #[project = ScopeStateProj]
    enum ScopeState<F> {
        Inner {
            #[pin]
            future: F,
        },
        Rejected {
            response: Option<Response>,
        },
    }
}

impl<F> fmt::Debug for RequireScopesFuture<F> {
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

impl<F, ResBody, E> Future for RequireScopesFuture<F>
where
    F: Future<Output = Result<http::Response<ResBody>, E>>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            ScopeStateProj::Inner { future } => {
                let response = ready!(future.poll(cx))?;
                Poll::Ready(Ok(response.map(Body::new)))
            }
            ScopeStateProj::Rejected { response } => {
                Poll::Ready(Ok(response.take().unwrap_or_else(polled_after_completion)))
            }
        }
    }
}
