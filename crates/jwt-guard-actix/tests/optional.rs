//! Optional mode: no token passes (`Option<Claims<T>>` is `None`); a bad token is still refused.

use actix_web::{App, web};
use jwt_guard_actix::{Claims, JwtMiddleware};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::*;

async fn hello(claims: Option<Claims<Value>>) -> String {
    match claims {
        Some(Claims(c)) => format!("hello {}", c["sub"].as_str().unwrap_or_default()),
        None => "hello anonymous".to_owned(),
    }
}

async fn strict(Claims(c): Claims<Value>) -> String {
    format!("strict {}", c["sub"].as_str().unwrap_or_default())
}

#[derive(Deserialize)]
struct NeedsEmail {
    email: String,
}

async fn email(claims: Option<Claims<NeedsEmail>>) -> String {
    match claims {
        Some(Claims(c)) => c.email,
        None => "anonymous".to_owned(),
    }
}

fn server() -> Server {
    Server::app(|| {
        App::new()
            .route("/", web::get().to(hello))
            .route("/strict", web::get().to(strict))
            .route("/email", web::get().to(email))
            .wrap(JwtMiddleware::new(verifier()).realm(REALM).optional())
    })
}

#[tokio::test]
async fn without_a_token_the_request_passes_anonymous() {
    let server = server();
    let reply = server.get("/", &[]).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "hello anonymous")
    );
    assert_eq!(reply.www_authenticate(), None);
    // Another scheme is not a bearer token: still anonymous.
    let reply = server
        .get("/", &[("authorization", "Basic YWRhOnB3")])
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "hello anonymous")
    );
}

#[tokio::test]
async fn with_a_token_the_claims_are_there() {
    let reply = server()
        .get("/", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "hello ada"));
}

#[tokio::test]
async fn an_invalid_token_is_still_refused() {
    let server = server();
    server
        .get("/", &[("authorization", &bearer(&expired_token()))])
        .await
        .assert_invalid_token("the token has expired");
    server
        .get("/", &[("authorization", &bearer(&forged_token()))])
        .await
        .assert_invalid_token("the token signature is invalid");
    server
        .get("/", &[("authorization", "Bearer")])
        .await
        .assert_invalid_request("the Authorization header has no bearer token");
}

/// A handler that needs `Claims<T>` (not `Option`) under an optional middleware answers 401
/// with the bare challenge for an anonymous request.
#[tokio::test]
async fn a_required_extractor_under_an_optional_middleware() {
    let server = server();
    server.get("/strict", &[]).await.assert_missing();
    let reply = server
        .get("/strict", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "strict ada"));
}

/// The one place actix-web answers differently from axum, pinned here so a change is noticed:
/// actix's blanket `impl FromRequest for Option<T>` turns every extractor error into `None`, so
/// a verified token whose claims do not fit `T` looks anonymous (axum: 401 `invalid_token`).
#[tokio::test]
async fn option_claims_that_do_not_fit_the_type_are_none_in_actix() {
    let server = server();
    let reply = server
        .get("/email", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "anonymous"));
    let with_email = bearer(&token(json!({"email": "ada@example.test"})));
    let reply = server
        .get("/email", &[("authorization", &with_email)])
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "ada@example.test")
    );
}
