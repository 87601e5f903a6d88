//! [`RequireRoles`] and [`RequireClaims`]: middlewares that require roles, or claim rules,
//! of the verified token. Built as [`RequireScopes`](crate::RequireScopes) is (a `Transform`,
//! its service, a hand-written future), stamped out once per requirement by `route_guard!`.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use jwt_guard_core::ClaimRule;
use jwt_guard_core::http::{RequiredClaims, RequiredFreshness, RequiredRoles};
use pin_project_lite::pin_project;

use crate::extract::with_stored;
use crate::middleware::polled_after_completion;

/// A route guard middleware `$name` requiring a `$required`, checked by `Stored::$check`, with
/// its service `$service` and future `$future`.
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

        impl<S, B> Transform<S, ServiceRequest> for $name
        where
            S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
            B: MessageBody,
        {
            type Response = ServiceResponse<EitherBody<B>>;
            type Error = actix_web::Error;
            type Transform = $service<S>;
            type InitError = ();
            type Future = Ready<Result<$service<S>, ()>>;

            fn new_transform(&self, service: S) -> Self::Future {
                ready(Ok($service {
                    service,
                    required: Arc::clone(&self.required),
                }))
            }
        }

        #[doc = concat!("The service [`", stringify!($name), "`] makes.")]
        #[derive(Debug)]
        pub struct $service<S> {
            service: S,
            required: Arc<$required>,
        }

        impl<S, B> Service<ServiceRequest> for $service<S>
        where
            S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
            B: MessageBody,
        {
            type Response = ServiceResponse<EitherBody<B>>;
            type Error = actix_web::Error;
            type Future = $future<S::Future, B>;

            forward_ready!(service);

            fn call(&self, request: ServiceRequest) -> $future<S::Future, B> {
                let checked = with_stored(request.request(), stringify!($name), |stored| {
                    stored.$check(&self.required)
                });
                let state = match checked {
                    Ok(()) => GuardState::Inner {
                        future: self.service.call(request),
                    },
                    Err(error) => GuardState::Rejected {
                        response: Some(request.error_response(error).map_into_right_body()),
                    },
                };
                $future { state }
            }
        }

        pin_project! {
            #[doc = concat!("The future of [`", stringify!($service), "`].")]
            pub struct $future<F, B> {
                #[pin]
                state: GuardState<F, B>,
            }
        }

        impl<F, B> fmt::Debug for $future<F, B> {
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

        impl<F, B> Future for $future<F, B>
        where
            F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
        {
            type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

            fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
                match self.project().state.project() {
                    GuardStateProj::Inner { future } => {
                        let response = ready!(future.poll(cx))?;
                        Poll::Ready(Ok(response.map_into_left_body()))
                    }
                    GuardStateProj::Rejected { response } => {
                        Poll::Ready(response.take().ok_or_else(polled_after_completion))
                    }
                }
            }
        }
    };
}

pin_project! {
    #[project = GuardStateProj]
    enum GuardState<F, B> {
        Inner {
            #[pin]
            future: F,
        },
        Rejected {
            response: Option<ServiceResponse<EitherBody<B>>>,
        },
    }
}

route_guard! {
    /// A middleware that requires roles of the token a [`JwtMiddleware`](crate::JwtMiddleware)
    /// verified, read from the role sources the middleware was given (`roles` in the config,
    /// [`JwtMiddleware::with_roles`](crate::JwtMiddleware::with_roles)). It must run after the
    /// `JwtMiddleware`: in actix-web the last `.wrap` runs first, so wrap it before.
    ///
    /// ```
    /// use actix_web::{App, HttpResponse, web};
    /// use jwt_guard_actix::{JwtMiddleware, RequireRoles};
    /// use jwt_guard_core::RoleSource;
    /// # fn app(verifier: jwt_guard_core::Verifier) {
    /// let app = App::new().service(
    ///     web::resource("/admin")
    ///         .wrap(RequireRoles::any(["admin"]))        // runs second
    ///         .wrap(JwtMiddleware::new(verifier).with_roles([RoleSource::claim("roles")]))
    ///         .to(|| async { HttpResponse::Ok().body("hi") }),
    /// );
    /// # }
    /// ```
    ///
    /// # Rejections
    /// - 403 with `WWW-Authenticate: Bearer realm="...", error="insufficient_scope",
    ///   error_description="a required role is missing"` (no `scope` attribute) and the body
    ///   `{"error":"insufficient_role",...}`;
    /// - 401 `invalid_token` if a role source's claim is neither a string nor an array of
    ///   strings;
    /// - 500 if the middleware has no role source (the route could never be reached), logged;
    /// - 401 with a bare challenge if there is no token, or no `JwtMiddleware` ran before it, as
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
    /// A middleware that requires claim rules ([`ClaimRule`], the verifier's `[[claims]]`
    /// rules) of the token a [`JwtMiddleware`](crate::JwtMiddleware) verified: a route can
    /// demand `email_verified = true` where the verifier accepts any authentic token. Wrap it
    /// before the `JwtMiddleware` (so it runs after).
    ///
    /// ```
    /// use actix_web::{App, HttpResponse, web};
    /// use jwt_guard_actix::{JwtMiddleware, RequireClaims};
    /// use jwt_guard_core::ClaimRule;
    /// # fn app(verifier: jwt_guard_core::Verifier) {
    /// let app = App::new().service(
    ///     web::resource("/billing")
    ///         .wrap(RequireClaims::rules([ClaimRule::claim("email_verified").equals(true)]))
    ///         .wrap(JwtMiddleware::new(verifier))
    ///         .to(|| async { HttpResponse::Ok().body("hi") }),
    /// );
    /// # }
    /// ```
    ///
    /// # Rejections
    /// - 403 as [`RequireRoles`], with `error_description="a required claim is missing"`;
    /// - 401 with a bare challenge if there is no token, or no `JwtMiddleware` ran before it.
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
    /// A middleware that requires a fresh login ([`RequiredFreshness`]): the access token's `fresh`
    /// claim is `true` (a token issued at login) or a NumericDate still ahead, as
    /// [`TokenIssuer`](jwt_guard_core::sessions::TokenIssuer) issues it. For sensitive actions
    /// (changing a password): a refreshed token is not fresh.
    ///
    /// ```
    /// use actix_web::{App, HttpResponse, web};
    /// use jwt_guard_actix::{JwtMiddleware, RequireFresh};
    /// # fn app(verifier: jwt_guard_core::Verifier) {
    /// let app = App::new().service(
    ///     web::resource("/admin/rotate-password")
    ///         .wrap(RequireFresh::default())      // runs second
    ///         .wrap(JwtMiddleware::new(verifier)) // runs first
    ///         .to(|| async { HttpResponse::Ok().body("rotated") }),
    /// );
    /// # }
    /// ```
    ///
    /// # Rejections
    /// - 401 with `WWW-Authenticate: Bearer realm="...", error="insufficient_user_authentication",
    ///   error_description="a fresh login is required"` and the body
    ///   `{"error":"insufficient_user_authentication",...}` (RFC 9470 §3: the token is fine,
    ///   the authentication behind it is too old; a client must log in again, not refresh);
    /// - 401 with a bare challenge if there is no token, or no `JwtMiddleware` ran before it, as
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
