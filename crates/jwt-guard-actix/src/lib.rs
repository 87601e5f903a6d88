//! # jwt-guard-actix
//!
//! The actix-web adapter of jwt-guard: [`JwtMiddleware`] verifies the bearer token once per
//! request, [`Claims<T>`] hands the handler its claims, [`RequireScopes`] guards routes by
//! scope, and every refusal is a [`JwtError`] whose response is the RFC 6750 answer (400
//! `invalid_request`, 401 `invalid_token` or a bare challenge, 403 `insufficient_scope`) decided
//! in [`jwt_guard_core::http`]. Same names and the same answers as `jwt-guard-axum` (the root
//! `tests/conformance.rs` runs one case table against both over real HTTP).
//!
//! ```
//! use actix_web::{App, HttpResponse, test, web};
//! use jwt_guard_actix::{Claims, JwtMiddleware, RequireScopes};
//! use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
//! use serde::Deserialize;
//!
//! #[derive(Clone, Deserialize)]
//! struct User { sub: String }
//!
//! async fn me(Claims(user): Claims<User>) -> String { user.sub }
//!
//! # #[actix_web::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = Key::hmac(b"an example secret of 32 bytes..!")?;
//! let verifier = Verifier::builder().algorithms([Algorithm::HS256]).key(key.clone()).build()?;
//! let app = test::init_service(
//!     App::new()
//!         .route("/me", web::get().to(me))
//!         .service(
//!             web::resource("/admin")
//!                 .wrap(RequireScopes::all(["admin"]))
//!                 .to(|| async { HttpResponse::Ok().body("admin") }),
//!         )
//!         .wrap(JwtMiddleware::new(verifier)),
//! )
//! .await;
//!
//! let token = Signer::new(key, Algorithm::HS256)?
//!     .encode(&serde_json::json!({"sub": "ada", "scope": "read", "exp": 4_102_444_800u64}))?;
//! let get = |path: &str, token: Option<&str>| {
//!     let mut request = test::TestRequest::get().uri(path);
//!     if let Some(token) = token {
//!         request = request.insert_header(("authorization", format!("Bearer {token}")));
//!     }
//!     request.to_request()
//! };
//! let response = test::call_service(&app, get("/me", Some(&token))).await;
//! assert_eq!(response.status(), 200);
//! let response = test::call_service(&app, get("/me", None)).await;
//! assert_eq!(response.status(), 401);
//! let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok());
//! assert_eq!(challenge, Some(r#"Bearer realm="api""#));
//! let response = test::call_service(&app, get("/admin", Some(&token))).await;
//! assert_eq!(response.status(), 403);
//! # Ok(()) }
//! ```
//!
//! Where the middleware goes: `App::wrap` (every route), `web::scope(..).wrap` or
//! `web::resource(..).wrap` (a group or one resource), `web::get().to(h).wrap` (one route), or
//! `#[get("/me", wrap = "JwtMiddleware::new(verifier())")]`.

mod cookies;
mod error;
mod extract;
mod middleware;
mod refresh;
mod roles;
mod scope;
mod state;
mod user;

pub use cookies::WithCookies;
pub use error::JwtError;
pub use extract::Claims;
pub use jwt_guard_core as core;
pub use jwt_guard_core::http::{
    BearerAuth, Denial, Rejection, RejectionKind, RequiredClaims, RequiredRoles, RequiredScopes,
    TokenLocations,
};
pub use middleware::{JwtMiddleware, JwtMiddlewareService, ResponseFuture};
pub use refresh::RefreshToken;
pub use roles::{
    RequireClaims, RequireClaimsFuture, RequireClaimsService, RequireFresh, RequireFreshFuture,
    RequireFreshService, RequireRoles, RequireRolesFuture, RequireRolesService,
};
pub use scope::{RequireScopes, RequireScopesFuture, RequireScopesService};
pub use state::Verified;
pub use user::CurrentUser;
