//! [`RequireRoles`] and [`RequireClaims`]: per-route layers that require roles, or claim rules,
//! of the verified token. Built as [`RequireScopes`](crate::RequireScopes) is (one layer, its
//! service, a hand-written future), stamped out once per requirement by `route_guard!`.

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
use jwt_guard_core::ClaimRule;
use jwt_guard_core::http::{RequiredClaims, RequiredFreshness, RequiredRoles};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::layer::polled_after_completion;
use crate::rejection::JwtRejection;
use crate::state::stored;

/// A route guard layer `$name` requiring a `$required`, checked by `Stored::$check`, with its
/// service `$service` and future `$future`.
macro_rules! route_guard {
    (
        $(#[$attr:meta])*
        pub struct $name:ident($required:ty) checked by $check:ident;
        service $service:ident;
        future $future:ident;
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone)]
        pub struct $name {
            required: Arc<$required>,
        }

        impl $name {
            /// Requires `required`.
            pub fn new(required: $required) -> $name {
                $name {
                    required: Arc::new(required),
                }
            }

            /// The requirement.
            pub fn required(&self) -> &$required {
                &self.required
            }
        }

        impl<S> Layer<S> for $name {
            type Service = $service<S>;

            fn layer(&self, inner: S) -> $service<S> {
                $service {
                    inner,
                    required: Arc::clone(&self.required),
                }
            }
        }

        #[doc = concat!("The service [`", stringify!($name), "`] makes.")]
        #[derive(Debug, Clone)]
        pub struct $service<S> {
            inner: S,
            required: Arc<$required>,
        }

        impl<S, B, ResBody> Service<Request<B>> for $service<S>
        where
            S: Service<Request<B>, Response = http::Response<ResBody>>,
            ResBody: http_body::Body<Data = Bytes> + Send + 'static,
            ResBody::Error: Into<BoxError>,
        {
            type Response = Response;
            type Error = S::Error;
            type Future = $future<S::Future>;

            fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
                self.inner.poll_ready(cx)
            }

            fn call(&mut self, request: Request<B>) -> $future<S::Future> {
                let checked = stored(request.extensions(), stringify!($name))
                    .$check(&self.required)
                    .map_err(JwtRejection);
                let state = match checked {
                    Ok(()) => GuardState::Inner {
                        future: self.inner.call(request),
                    },
                    Err(rejection) => GuardState::Rejected {
                        response: Some(rejection.into_response()),
                    },
                };
                $future { state }
            }
        }

        pin_project! {
            #[doc = concat!("The future of [`", stringify!($service), "`].")]
            pub struct $future<F> {
                #[pin]
                state: GuardState<F>,
            }
        }

        impl<F> fmt::Debug for $future<F> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let state = match &self.state {
                    GuardState::Inner { .. } => "inner",
                    GuardState::Rejected { .. } => "rejected",
                };
                f.debug_struct(stringify!($future))
                    .field("state", &state)
                    .finish()
            }
        }

        impl<F, ResBody, E> Future for $future<F>
        where
            F: Future<Output = Result<http::Response<ResBody>, E>>,
            ResBody: http_body::Body<Data = Bytes> + Send + 'static,
            ResBody::Error: Into<BoxError>,
        {
            type Output = Result<Response, E>;

            fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
                match self.project().state.project() {
                    GuardStateProj::Inner { future } => {
                        let response = ready!(future.poll(cx))?;
                        Poll::Ready(Ok(response.map(Body::new)))
                    }
                    GuardStateProj::Rejected { response } => {
                        Poll::Ready(Ok(response.take().unwrap_or_else(polled_after_completion)))
                    }
                }
            }
        }
    };
}

pin_project! {
    #[project = GuardStateProj]
    enum GuardState<F> {
        Inner {
            #[pin]
            future: F,
        },
        Rejected {
            response: Option<Response>,
        },
    }
}

route_guard! {
    /// A layer that requires roles of the token a [`JwtLayer`](crate::JwtLayer) verified, read
    /// from the role sources the layer was given (`roles` in the config,
    /// [`JwtLayer::with_roles`](crate::JwtLayer::with_roles)): put it inside the `JwtLayer`,
    /// typically per route.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use jwt_guard_axum::RequireRoles;
    /// let app: Router = Router::new()
    ///     .route("/admin", get(|| async { "hi" }).route_layer(RequireRoles::any(["admin"])));
    /// // ... .layer(JwtLayer::new(verifier).with_roles([RoleSource::claim("roles")])) around it
    /// ```
    ///
    /// # Rejections
    /// - 403 with `WWW-Authenticate: Bearer realm="...", error="insufficient_scope",
    ///   error_description="a required role is missing"` (no `scope` attribute) and the body
    ///   `{"error":"insufficient_role",...}`;
    /// - 401 `invalid_token` if a role source's claim is neither a string nor an array of
    ///   strings;
    /// - 500 if the layer has no role source (the route could never be reached), logged;
    /// - 401 with a bare challenge if there is no token, or no `JwtLayer` ran before it, as
    ///   [`RequireScopes`](crate::RequireScopes).
    pub struct RequireRoles(RequiredRoles) checked by roles;
    service RequireRolesService;
    future RequireRolesFuture;
}

impl RequireRoles {
    /// Requires every one of `roles`.
    ///
    /// # Panics
    /// If no role is named (`[]`, `[""]`): an empty requirement would pass any token. For roles
    /// read at run time, use `RequireRoles::new(RequiredRoles::try_all(roles)?)`.
    pub fn all<I: IntoIterator<Item = S>, S: AsRef<str>>(roles: I) -> RequireRoles {
        RequireRoles::new(RequiredRoles::all(roles))
    }

    /// Requires at least one of `roles`.
    ///
    /// # Panics
    /// If no role is named, as [`RequireRoles::all`].
    pub fn any<I: IntoIterator<Item = S>, S: AsRef<str>>(roles: I) -> RequireRoles {
        RequireRoles::new(RequiredRoles::any(roles))
    }
}

route_guard! {
    /// A layer that requires claim rules ([`ClaimRule`], the verifier's `[[claims]]` rules) of
    /// the token a [`JwtLayer`](crate::JwtLayer) verified: a route can demand
    /// `email_verified = true` where the verifier accepts any authentic token.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use jwt_guard_axum::RequireClaims;
    /// use jwt_guard_core::ClaimRule;
    /// let app: Router = Router::new().route(
    ///     "/billing",
    ///     get(|| async { "hi" })
    ///         .route_layer(RequireClaims::rules([ClaimRule::claim("email_verified").equals(true)])),
    /// );
    /// ```
    ///
    /// # Rejections
    /// - 403 as [`RequireRoles`], with `error_description="a required claim is missing"`;
    /// - 401 with a bare challenge if there is no token, or no `JwtLayer` ran before it.
    pub struct RequireClaims(RequiredClaims) checked by claim_rules;
    service RequireClaimsService;
    future RequireClaimsFuture;
}

impl RequireClaims {
    /// Requires every rule.
    ///
    /// # Panics
    /// If no rule is given or one is malformed; for rules read at run time, use
    /// `RequireClaims::new(RequiredClaims::try_new(rules)?)`.
    pub fn rules(rules: impl IntoIterator<Item = ClaimRule>) -> RequireClaims {
        RequireClaims::new(RequiredClaims::new(rules))
    }
}

route_guard! {
    /// A layer that requires a fresh login ([`RequiredFreshness`]): the access token's `fresh`
    /// claim is `true` (a token issued at login) or a NumericDate still ahead, as
    /// [`TokenIssuer`](jwt_guard_core::sessions::TokenIssuer) issues it. For sensitive actions
    /// (changing a password): a refreshed token is not fresh.
    ///
    /// ```
    /// use axum::{Router, routing::post};
    /// use jwt_guard_axum::RequireFresh;
    /// let app: Router = Router::new().route(
    ///     "/admin/rotate-password",
    ///     post(|| async { "rotated" }).route_layer(RequireFresh::default()),
    /// );
    /// // ... .layer(JwtLayer::new(issuer.access_verifier().clone())) around it
    /// ```
    ///
    /// # Rejections
    /// - 401 with `WWW-Authenticate: Bearer realm="...", error="insufficient_user_authentication",
    ///   error_description="a fresh login is required"` and the body
    ///   `{"error":"insufficient_user_authentication",...}` (RFC 9470 §3: the token is fine,
    ///   the authentication behind it is too old; a client must log in again, not refresh);
    /// - 401 with a bare challenge if there is no token, or no `JwtLayer` ran before it, as
    ///   [`RequireScopes`](crate::RequireScopes).
    pub struct RequireFresh(RequiredFreshness) checked by fresh;
    service RequireFreshService;
    future RequireFreshFuture;
}

impl Default for RequireFresh {
    /// Requires a fresh login.
    fn default() -> RequireFresh {
        RequireFresh::new(RequiredFreshness::new())
    }
}
