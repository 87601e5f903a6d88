//! # jwt-guard-axum
//!
//! The axum adapter of jwt-guard: [`JwtLayer`] verifies the bearer token once per request,
//! [`Claims<T>`] hands the handler its claims, [`RequireScopes`] guards routes by scope, and
//! every refusal is an RFC 6750 answer (400 `invalid_request`, 401 `invalid_token` or a bare
//! challenge, 403 `insufficient_scope`) decided in [`jwt_guard_core::http`]. The layer is a
//! plain tower layer over any `http::Request<B>`: it serves hyper and tonic services too.
//!
//! ```
//! use axum::{Json, Router, routing::get};
//! use jwt_guard_axum::{Claims, JwtLayer, RequireScopes};
//! use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
//! use serde::Deserialize;
//! use tower::ServiceExt;
//!
//! #[derive(Clone, Deserialize)]
//! struct User { sub: String }
//!
//! async fn me(Claims(user): Claims<User>) -> String { user.sub }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = Key::hmac(b"an example secret of 32 bytes..!")?;
//! let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key.clone()).build()?;
//! let app = Router::new()
//!     .route("/me", get(me))
//!     .route("/admin", get(|| async { "admin" }).route_layer(RequireScopes::all(["admin"])))
//!     .layer(JwtLayer::new(verifier));
//!
//! let token = Signer::new(key, Algorithm::HS256)?
//!     .encode(&serde_json::json!({"sub": "ada", "scope": "read", "exp": 4_102_444_800u64}))?;
//! let get = |path: &str, token: Option<&str>| {
//!     let mut request = http::Request::get(path);
//!     if let Some(token) = token {
//!         request = request.header("authorization", format!("Bearer {token}"));
//!     }
//!     request.body(axum::body::Body::empty())
//! };
//! let response = app.clone().oneshot(get("/me", Some(&token))?).await?;
//! assert_eq!(response.status(), 200);
//! let response = app.clone().oneshot(get("/me", None)?).await?;
//! assert_eq!(response.status(), 401);
//! assert_eq!(response.headers()["www-authenticate"], r#"Bearer realm="api""#);
//! let response = app.oneshot(get("/admin", Some(&token))?).await?;
//! assert_eq!(response.status(), 403);
//! # Ok(()) }
//! ```

mod cookies;
mod extract;
mod layer;
mod metadata;
mod refresh;
mod rejection;
mod roles;
mod scope;
mod state;
mod user;

pub use cookies::WithCookies;
pub use extract::Claims;
pub use jwt_guard_core as core;
pub use jwt_guard_core::http::{
    BearerAuth, Denial, Rejection, RejectionKind, RequiredClaims, RequiredRoles, RequiredScopes,
    TokenLocations,
};
pub use layer::{Jwt, JwtLayer, ResponseFuture};
pub use metadata::ResourceMetadataService;
pub use refresh::RefreshToken;
pub use rejection::JwtRejection;
pub use roles::{
    RequireClaims, RequireClaimsFuture, RequireClaimsService, RequireFresh, RequireFreshFuture,
    RequireFreshService, RequireRoles, RequireRolesFuture, RequireRolesService,
};
pub use scope::{RequireScopes, RequireScopesFuture, RequireScopesService};
pub use state::Verified;
pub use user::CurrentUser;
