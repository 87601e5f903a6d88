//! Optional mode: no token passes (`Option<Claims<T>>` is `None`); a bad token is still refused.

use axum::Router;
use axum::routing::get;
use jwt_guard_axum::{Claims, JwtLayer};
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

fn app() -> Router {
    Router::new()
        .route("/", get(hello))
        .route("/strict", get(strict))
        .layer(JwtLayer::new(verifier()).realm(REALM).optional())
}

#[tokio::test]
async fn without_a_token_the_request_passes_anonymous() {
    let server = Server::router(app()).await;
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
    let server = Server::router(app()).await;
    let reply = server
        .get("/", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "hello ada"));
}

#[tokio::test]
async fn an_invalid_token_is_still_refused() {
    let server = Server::router(app()).await;
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

/// A handler that needs `Claims<T>` (not `Option`) under an optional layer answers 401 with the
/// bare challenge for an anonymous request.
#[tokio::test]
async fn a_required_extractor_under_an_optional_layer() {
    let server = Server::router(app()).await;
    server.get("/strict", &[]).await.assert_missing();
    let reply = server
        .get("/strict", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "strict ada"));
}
