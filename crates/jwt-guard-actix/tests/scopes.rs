//! `RequireScopes`: 403 `insufficient_scope` with `scope="..."`, from `scope` or `scp`.

use actix_web::middleware::Condition;
use actix_web::{App, HttpResponse, web};
use jwt_guard_actix::{JwtMiddleware, RequireScopes};
use serde_json::{Value, json};

use crate::support::*;

fn ok(body: &'static str) -> impl Fn() -> std::future::Ready<HttpResponse> + Clone {
    move || std::future::ready(HttpResponse::Ok().body(body))
}

/// The three guarded resources, under `middleware` if any.
fn server(middleware: Option<JwtMiddleware>) -> Server {
    Server::app(move || {
        let routes = web::scope("")
            .service(
                web::resource("/admin")
                    .wrap(RequireScopes::all(["admin"]))
                    .to(ok("admin")),
            )
            .service(
                web::resource("/read-write")
                    .wrap(RequireScopes::all(["read", "write"]))
                    .to(ok("rw")),
            )
            .service(
                web::resource("/write-or-admin")
                    .wrap(RequireScopes::any(["write", "admin"]))
                    .to(ok("w|a")),
            );
        // `Condition` keeps one app type with or without the middleware.
        let enabled = middleware.is_some();
        let middleware = middleware
            .clone()
            .unwrap_or_else(|| JwtMiddleware::new(verifier()));
        App::new().service(routes.wrap(Condition::new(enabled, middleware)))
    })
}

fn app() -> Server {
    server(Some(JwtMiddleware::new(verifier()).realm(REALM)))
}

fn scoped(extra: Value) -> String {
    bearer(&token(extra))
}

#[track_caller]
fn assert_forbidden(reply: &Reply, scope: &str) {
    let description = "the token lacks a required scope";
    assert_eq!(reply.status, 403, "{reply:?}");
    assert_eq!(
        reply.www_authenticate(),
        Some(
            format!(
                "{}, scope=\"{scope}\"",
                challenge("insufficient_scope", description)
            )
            .as_str()
        )
    );
    assert_eq!(
        reply.json(),
        json!({"error": "insufficient_scope", "error_description": description})
    );
}

#[tokio::test]
async fn a_missing_scope_is_403_insufficient_scope() {
    let server = app();
    let read = scoped(json!({"scope": "read"}));
    assert_forbidden(
        &server.get("/admin", &[("authorization", &read)]).await,
        "admin",
    );
    assert_forbidden(
        &server.get("/read-write", &[("authorization", &read)]).await,
        "read write",
    );
    assert_forbidden(
        &server
            .get("/write-or-admin", &[("authorization", &read)])
            .await,
        "write admin",
    );
    let none = scoped(json!({}));
    assert_forbidden(
        &server.get("/admin", &[("authorization", &none)]).await,
        "admin",
    );
}

#[tokio::test]
async fn scope_string_and_scp_array_both_grant() {
    let server = app();
    for extra in [
        json!({"scope": "read admin"}),
        json!({"scope": ["admin"]}),
        json!({"scp": ["read", "admin"]}),
        json!({"scp": "admin"}),
    ] {
        let reply = server
            .get("/admin", &[("authorization", &scoped(extra.clone()))])
            .await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (200, "admin"),
            "{extra}"
        );
    }
    let rw = scoped(json!({"scope": "write read"}));
    let reply = server.get("/read-write", &[("authorization", &rw)]).await;
    assert_eq!(reply.status, 200);
    let w = scoped(json!({"scp": ["write"]}));
    let reply = server
        .get("/write-or-admin", &[("authorization", &w)])
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn a_malformed_scope_claim_is_invalid_token() {
    let server = app();
    server
        .get("/admin", &[("authorization", &scoped(json!({"scope": 7})))])
        .await
        .assert_invalid_token("the token scope claim is invalid");
    server
        .get(
            "/admin",
            &[("authorization", &scoped(json!({"scp": ["admin", 1]})))],
        )
        .await
        .assert_invalid_token("the token scp claim is invalid");
}

#[tokio::test]
async fn no_token_is_still_a_bare_401() {
    app().get("/admin", &[]).await.assert_missing();
    // Under an optional middleware too: the scope guard refuses the anonymous request.
    let server = server(Some(JwtMiddleware::new(verifier()).realm(REALM).optional()));
    server.get("/admin", &[]).await.assert_missing();
    let admin = scoped(json!({"scope": "admin"}));
    let reply = server.get("/admin", &[("authorization", &admin)]).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn without_a_jwt_middleware_the_scope_guard_fails_closed() {
    let admin = scoped(json!({"scope": "admin"}));
    server(None)
        .get("/admin", &[("authorization", &admin)])
        .await
        .assert_missing_in("api");
}
