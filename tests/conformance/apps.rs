//! One setup, two apps: the axum router and the actix-web app serve the same routes with the
//! same core settings ([`BearerAuth`] values built once, here) and handlers that answer the
//! same JSON. Only framework glue differs.

use std::sync::Arc;

use jwt_guard_core::http::{BearerAuth, Rejection, TokenLocations};
use jwt_guard_core::{Verifier, VerifierConfig};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::keys::*;

/// The core settings every route uses.
pub(crate) struct Setup {
    /// All 13 algorithms, the fixture keys, issuer and audience, realm `conformance`.
    pub(crate) main: BearerAuth,
    /// As `main` without an audience.
    pub(crate) noaud: BearerAuth,
    /// The `/everywhere` config (TOML, with a `[token]` table).
    pub(crate) everywhere: VerifierConfig,
    /// As `main`, reading the `x-api-token` header only.
    pub(crate) custom: BearerAuth,
}

impl Setup {
    pub(crate) fn new() -> Arc<Setup> {
        let verifier = |audience: bool| {
            let mut builder = Verifier::builder()
                .algorithms(ALGORITHMS)
                .keys(server_keys())
                .issuer(ISSUER);
            if audience {
                builder = builder.audience(AUDIENCE);
            }
            builder.build().unwrap()
        };
        let main = BearerAuth::new(verifier(true)).with_realm(REALM);
        let everywhere: VerifierConfig = toml::from_str(&format!(
            r#"
            algorithms = ["HS256", "ES256"]
            issuers = ["{ISSUER}"]
            audiences = ["{AUDIENCE}"]

            [[keys]]
            kid = "hs256"
            secret = "{HS256_SECRET}"

            [[keys]]
            kid = "p256"
            pem_file = "p256.pub.pem"

            [token]
            header = "authorization"
            cookie = "session"
            query = true
            "#
        ))
        .unwrap();
        Arc::new(Setup {
            custom: main
                .clone()
                .with_locations(TokenLocations::nowhere().header("x-api-token")),
            noaud: BearerAuth::new(verifier(false)).with_realm(REALM),
            main,
            everywhere,
        })
    }
}

/// What `/me` extracts: `sub` must be there.
#[derive(Deserialize)]
pub(crate) struct Sub {
    pub(crate) sub: String,
}

/// What `/email` extracts.
#[derive(Deserialize)]
pub(crate) struct NeedsEmail {
    pub(crate) email: String,
}

pub(crate) fn me_body(sub: &str, alg: &str) -> Value {
    json!({"sub": sub, "alg": alg})
}

pub(crate) fn optional_body(sub: Option<&str>) -> Value {
    json!({"sub": sub})
}

pub(crate) fn email_body(email: &str) -> Value {
    json!({"email": email})
}

pub(crate) fn admin_body() -> Value {
    json!({"admin": true})
}

pub(crate) fn public_body() -> Value {
    json!({"public": true})
}

/// The `/hook/me` answer: status, `WWW-Authenticate`, `{"problem", "detail", "status"}`.
pub(crate) fn problem(rejection: &Rejection) -> (u16, Option<String>, Value) {
    let status = rejection.status().as_u16();
    let body = json!({
        "problem": rejection.error_code(),
        "detail": rejection.description(),
        "status": status,
    });
    (status, rejection.www_authenticate(), body)
}

// ---------------------------------------------------------------------------------------------
// axum
// ---------------------------------------------------------------------------------------------

pub(crate) mod axum_app {
    use axum::response::IntoResponse;
    use axum::routing::get;
    use axum::{Json, Router};
    use jwt_guard_axum::{Claims, JwtLayer, Rejection, RequireScopes, Verified};

    use super::*;

    async fn me(token: Verified, Claims(c): Claims<Sub>) -> Json<Value> {
        Json(me_body(&c.sub, token.header().alg.as_str()))
    }

    async fn email(Claims(c): Claims<NeedsEmail>) -> Json<Value> {
        Json(email_body(&c.email))
    }

    async fn admin() -> Json<Value> {
        Json(admin_body())
    }

    async fn optional(claims: Option<Claims<Sub>>) -> Json<Value> {
        Json(optional_body(claims.as_ref().map(|c| c.sub.as_str())))
    }

    async fn public() -> Json<Value> {
        Json(public_body())
    }

    fn hook(rejection: &Rejection) -> axum::response::Response {
        let (status, www_authenticate, body) = problem(rejection);
        let status = http::StatusCode::from_u16(status).unwrap();
        let mut response = (status, Json(body)).into_response();
        if let Some(value) = www_authenticate {
            response
                .headers_mut()
                .insert("www-authenticate", value.parse().unwrap());
        }
        response
    }

    /// `/me`, `/email` and `/admin` share one layer (`route_layer`: unknown paths stay 404).
    pub(crate) fn router(setup: &Setup) -> Router {
        let main = Router::new()
            .route("/me", get(me))
            .route("/email", get(email))
            .route(
                "/admin",
                get(admin).route_layer(RequireScopes::all(["admin"])),
            )
            .route_layer(JwtLayer::new(setup.main.clone()));
        let in_one = |path: &str, handler, layer: JwtLayer| {
            Router::new().route(path, handler).route_layer(layer)
        };
        let base = fixture_dir();
        let everywhere = JwtLayer::from_config_in(&setup.everywhere, &base)
            .unwrap()
            .realm(REALM);
        Router::new()
            .route("/public", get(public))
            .merge(main)
            .merge(in_one(
                "/hook/me",
                get(me),
                JwtLayer::new(setup.main.clone()).on_error(hook),
            ))
            .merge(in_one(
                "/optional/me",
                get(optional),
                JwtLayer::new(setup.main.clone()).optional(),
            ))
            .merge(in_one(
                "/noaud/me",
                get(me),
                JwtLayer::new(setup.noaud.clone()),
            ))
            .merge(in_one("/everywhere/me", get(me), everywhere))
            .merge(in_one(
                "/custom/me",
                get(me),
                JwtLayer::new(setup.custom.clone()),
            ))
    }
}

// ---------------------------------------------------------------------------------------------
// actix-web
// ---------------------------------------------------------------------------------------------

pub(crate) mod actix_app {
    use actix_web::http::StatusCode;
    use actix_web::{HttpResponse, web};
    use jwt_guard_actix::{Claims, JwtMiddleware, Rejection, RequireScopes, Verified};

    use super::*;

    async fn me(token: Verified, Claims(c): Claims<Sub>) -> HttpResponse {
        HttpResponse::Ok().json(me_body(&c.sub, token.header().alg.as_str()))
    }

    async fn email(Claims(c): Claims<NeedsEmail>) -> HttpResponse {
        HttpResponse::Ok().json(email_body(&c.email))
    }

    async fn admin() -> HttpResponse {
        HttpResponse::Ok().json(admin_body())
    }

    async fn optional(claims: Option<Claims<Sub>>) -> HttpResponse {
        HttpResponse::Ok().json(optional_body(claims.as_ref().map(|c| c.sub.as_str())))
    }

    async fn public() -> HttpResponse {
        HttpResponse::Ok().json(public_body())
    }

    fn hook(rejection: &Rejection) -> HttpResponse {
        let (status, www_authenticate, body) = problem(rejection);
        let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap());
        if let Some(value) = www_authenticate {
            response.insert_header(("www-authenticate", value));
        }
        response.json(body)
    }

    /// Every placement actix offers: per resource (`/me`, `/admin`, `/hook/me`), per route
    /// (`/email`), per scope (the rest).
    pub(crate) fn routes(setup: Arc<Setup>) -> impl FnOnce(&mut web::ServiceConfig) {
        move |config| {
            let main = || JwtMiddleware::new(setup.main.clone());
            let everywhere = JwtMiddleware::from_config_in(&setup.everywhere, &fixture_dir())
                .unwrap()
                .realm(REALM);
            config
                .route("/public", web::get().to(public))
                .service(web::resource("/me").wrap(main()).route(web::get().to(me)))
                .route("/email", web::get().to(email).wrap(main()))
                .service(
                    web::resource("/admin")
                        .wrap(RequireScopes::all(["admin"]))
                        .wrap(main())
                        .route(web::get().to(admin)),
                )
                .service(
                    web::resource("/hook/me")
                        .wrap(main().on_error(hook))
                        .route(web::get().to(me)),
                )
                .service(
                    web::scope("/optional")
                        .wrap(main().optional())
                        .route("/me", web::get().to(optional)),
                )
                .service(
                    web::scope("/noaud")
                        .wrap(JwtMiddleware::new(setup.noaud.clone()))
                        .route("/me", web::get().to(me)),
                )
                .service(
                    web::scope("/everywhere")
                        .wrap(everywhere)
                        .route("/me", web::get().to(me)),
                )
                .service(
                    web::scope("/custom")
                        .wrap(JwtMiddleware::new(setup.custom.clone()))
                        .route("/me", web::get().to(me)),
                );
        }
    }
}
