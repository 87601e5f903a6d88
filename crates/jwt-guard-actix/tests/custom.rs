//! A custom error response: `JwtMiddleware::on_error` replaces every refusal's response,
//! including the extractors' and `RequireScopes`'.

use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, web};
use jwt_guard_actix::{Claims, JwtMiddleware, Rejection, RequireScopes};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::*;

#[derive(Deserialize)]
struct NeedsEmail {
    email: String,
}

fn problem(rejection: &Rejection) -> HttpResponse {
    let status = StatusCode::from_u16(rejection.status().as_u16()).unwrap();
    let mut response = HttpResponse::build(status);
    response.insert_header(("x-auth-problem", "1"));
    if let Some(value) = rejection.www_authenticate() {
        response.insert_header(("www-authenticate", value));
    }
    response.json(json!({
        "status": rejection.status().as_u16(),
        "title": rejection.error_code(),
        "detail": rejection.description(),
        "code": rejection.error().map(|e| e.code()),
    }))
}

fn server() -> Server {
    Server::app(|| {
        App::new()
            .route(
                "/me",
                web::get().to(|Claims(c): Claims<Value>| async move { HttpResponse::Ok().json(c) }),
            )
            .route(
                "/email",
                web::get().to(|Claims(c): Claims<NeedsEmail>| async move { c.email }),
            )
            .service(
                web::resource("/admin")
                    .wrap(RequireScopes::all(["admin"]))
                    .to(|| async { "admin" }),
            )
            .wrap(
                JwtMiddleware::new(verifier())
                    .realm(REALM)
                    .on_error(problem),
            )
    })
}

#[track_caller]
fn assert_problem(reply: &Reply, status: u16, title: &str, detail: &str, code: Value) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.header("x-auth-problem"), Some("1"));
    assert_eq!(
        reply.json(),
        json!({"status": status, "title": title, "detail": detail, "code": code})
    );
}

#[tokio::test]
async fn the_hook_answers_for_the_middleware() {
    let server = server();
    let reply = server
        .get("/me", &[("authorization", &bearer(&expired_token()))])
        .await;
    assert_problem(
        &reply,
        401,
        "invalid_token",
        "the token has expired",
        json!("expired"),
    );
    assert_eq!(
        reply.www_authenticate(),
        Some(challenge("invalid_token", "the token has expired").as_str())
    );
    let reply = server.get("/me", &[]).await;
    assert_problem(
        &reply,
        401,
        "missing_token",
        "an access token is required",
        Value::Null,
    );
    assert_eq!(
        reply.www_authenticate(),
        Some(format!("Bearer realm=\"{REALM}\"").as_str())
    );
    let reply = server.get("/me", &[("authorization", "Bearer")]).await;
    assert_problem(
        &reply,
        400,
        "invalid_request",
        "the Authorization header has no bearer token",
        Value::Null,
    );
}

#[tokio::test]
async fn the_hook_answers_for_extractors_and_scopes() {
    let server = server();
    let read = bearer(&token(json!({"scope": "read"})));
    let reply = server.get("/email", &[("authorization", &read)]).await;
    assert_problem(
        &reply,
        401,
        "invalid_token",
        "the token claims are invalid",
        json!("invalid_claims"),
    );
    let reply = server.get("/admin", &[("authorization", &read)]).await;
    assert_problem(
        &reply,
        403,
        "insufficient_scope",
        "the token lacks a required scope",
        Value::Null,
    );
    let reply = server.get("/me", &[("authorization", &read)]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-auth-problem"), None);
}

#[tokio::test]
async fn the_hook_may_answer_anything() {
    let server = Server::app(|| {
        App::new()
            .route("/secret", web::get().to(|| async { "secret" }))
            .wrap(
                JwtMiddleware::new(verifier())
                    .on_error(|_: &Rejection| HttpResponse::NotFound().body("no such page")),
            )
    });
    let reply = server.get("/secret", &[]).await;
    assert_eq!((reply.status, reply.body.as_str()), (404, "no such page"));
    assert_eq!(reply.www_authenticate(), None);
    let reply = server
        .get("/secret", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "secret"));
}
