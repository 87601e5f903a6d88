//! Required mode (the default): every answer of the layer and of `Claims<T>`.

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard_axum::{Claims, JwtLayer, Verified};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::*;

#[derive(Deserialize)]
struct NeedsEmail {
    email: String,
}

fn app() -> Router {
    Router::new()
        .route(
            "/me",
            get(|Claims(c): Claims<Value>| async move { Json(c) }),
        )
        .route(
            "/email",
            get(|Claims(c): Claims<NeedsEmail>| async move { c.email }),
        )
        .route(
            "/kid",
            get(|v: Verified| async move { format!("{:?}", v.header().alg) }),
        )
        .layer(JwtLayer::new(verifier()).realm(REALM))
}

#[tokio::test]
async fn no_token_is_401_with_a_bare_challenge() {
    let server = Server::router(app()).await;
    server.get("/me", &[]).await.assert_missing();
}

#[tokio::test]
async fn a_valid_token_gets_its_claims() {
    let server = Server::router(app()).await;
    let reply = server
        .get(
            "/me",
            &[("authorization", &bearer(&token(json!({"scope": "read"}))))],
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.www_authenticate(), None);
    assert_eq!(reply.json(), claims(json!({"scope": "read"})));

    let reply = server
        .get("/kid", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "HS256"));
}

#[tokio::test]
async fn token_faults_are_401_invalid_token_with_a_description() {
    let server = Server::router(app()).await;
    let cases = [
        (expired_token(), "the token has expired"),
        (forged_token(), "the token signature is invalid"),
        ("not-a-jwt".to_owned(), "the token is malformed"),
        (
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.".to_owned(),
            "the token algorithm is not allowed",
        ),
        (
            token(json!({"aud": "someone-else"})),
            "the token audience is not accepted",
        ),
        (
            token(json!({"iss": "https://evil.test"})),
            "the token issuer is not accepted",
        ),
        (
            token(json!({"nbf": FAR_FUTURE})),
            "the token is not valid yet",
        ),
    ];
    for (token, description) in cases {
        let reply = server
            .get("/me", &[("authorization", &bearer(&token))])
            .await;
        reply.assert_invalid_token(description);
        assert!(!reply.body.contains(&token));
        assert!(!reply.www_authenticate().unwrap().contains(&token));
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let server = Server::router(app()).await;
    let token = token(json!({}));
    for scheme in ["bearer", "BEARER", "bEaReR", "Bearer"] {
        let value = format!("{scheme} {token}");
        let reply = server.get("/me", &[("authorization", &value)]).await;
        assert_eq!(reply.status, 200, "{scheme}: {reply:?}");
    }
}

/// RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`. `Bearer` with no token, or a value
/// outside b64token, is not a valid Bearer credential: a malformed request, 400
/// `invalid_request` (§3.1), rather than 401.
#[tokio::test]
async fn bearer_with_no_token_or_bad_syntax_is_400_invalid_request() {
    let server = Server::router(app()).await;
    server
        .get("/me", &[("authorization", "Bearer")])
        .await
        .assert_invalid_request("the Authorization header has no bearer token");
    for value in ["Bearer a b", "Bearer a,b", "Bearer =abc", "Bearer a\"b"] {
        server
            .get("/me", &[("authorization", value)])
            .await
            .assert_invalid_request("the access token has characters b64token does not allow");
    }
}

#[tokio::test]
async fn another_scheme_counts_as_no_token() {
    let server = Server::router(app()).await;
    server
        .get("/me", &[("authorization", "Basic YWRhOnB3")])
        .await
        .assert_missing();
}

#[tokio::test]
async fn two_authorization_headers_are_400() {
    let server = Server::router(app()).await;
    let value = bearer(&token(json!({})));
    server
        .get(
            "/me",
            &[("authorization", &value), ("authorization", &value)],
        )
        .await
        .assert_invalid_request("the request carries more than one access token");
}

#[tokio::test]
async fn claims_that_do_not_fit_the_type_are_401() {
    let server = Server::router(app()).await;
    let reply = server
        .get("/email", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    reply.assert_invalid_token("the token claims are invalid");
    let reply = server
        .get(
            "/email",
            &[(
                "authorization",
                &bearer(&token(json!({"email": "ada@example.test"}))),
            )],
        )
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "ada@example.test")
    );
}

/// `Claims<T>` never verifies by itself: without a `JwtLayer` it fails closed (401 as for no
/// token, default realm), whatever the request carries.
#[tokio::test]
async fn claims_without_the_layer_fail_closed() {
    let app = Router::new().route(
        "/me",
        get(|Claims(c): Claims<Value>| async move { Json(c) }),
    );
    let server = Server::router(app).await;
    server.get("/me", &[]).await.assert_missing_in("api");
    server
        .get("/me", &[("authorization", &bearer(&token(json!({}))))])
        .await
        .assert_missing_in("api");
}

/// No request fault is ever a 500.
#[tokio::test]
async fn no_token_fault_is_a_500() {
    let server = Server::router(app()).await;
    let long = "a".repeat(20_000);
    let values = [
        "",
        "Bearer",
        "Bearer ",
        "Bearer .",
        "Bearer ..",
        "Bearer a.b.c",
        "Bearer e30.e30.e30",
        "Bearer eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.",
        "Bearer ~~~~",
        "Bearer a==",
        "Bearer\ttoken",
        "Negotiate abc",
        long.as_str(),
    ];
    for value in values {
        let header = if value.len() > 100 {
            format!("Bearer {value}")
        } else {
            value.to_owned()
        };
        let reply = server.get("/me", &[("authorization", &header)]).await;
        assert!([400, 401].contains(&reply.status), "{value:?}: {reply:?}");
        assert!(
            reply
                .www_authenticate()
                .unwrap()
                .starts_with("Bearer realm=")
        );
    }
    let reply = server
        .get("/me", &[("authorization", &format!("Bearer {long}"))])
        .await;
    reply.assert_invalid_token("the token is too large");
}
