//! Required mode (the default): every answer of the middleware and of `Claims<T>`.

use actix_web::{App, HttpResponse, web};
use jwt_guard_actix::{Claims, JwtMiddleware, Verified};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::*;

#[derive(Deserialize)]
struct NeedsEmail {
    email: String,
}

async fn me(Claims(c): Claims<Value>) -> HttpResponse {
    HttpResponse::Ok().json(c)
}

async fn email(Claims(c): Claims<NeedsEmail>) -> String {
    c.email
}

async fn alg(v: Verified) -> String {
    format!("{:?}", v.header().alg)
}

fn server() -> Server {
    Server::app(|| {
        App::new()
            .route("/me", web::get().to(me))
            .route("/email", web::get().to(email))
            .route("/kid", web::get().to(alg))
            .wrap(JwtMiddleware::new(verifier()).realm(REALM))
    })
}

#[tokio::test]
async fn no_token_is_401_with_a_bare_challenge() {
    server().get("/me", &[]).await.assert_missing();
}

#[tokio::test]
async fn a_valid_token_gets_its_claims() {
    let server = server();
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
    let server = server();
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
    let server = server();
    let token = token(json!({}));
    for scheme in ["bearer", "BEARER", "bEaReR", "Bearer"] {
        let value = format!("{scheme} {token}");
        let reply = server.get("/me", &[("authorization", &value)]).await;
        assert_eq!(reply.status, 200, "{scheme}: {reply:?}");
    }
}

#[tokio::test]
async fn bearer_with_no_token_or_bad_syntax_is_400_invalid_request() {
    let server = server();
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
    server()
        .get("/me", &[("authorization", "Basic YWRhOnB3")])
        .await
        .assert_missing();
}

#[tokio::test]
async fn two_authorization_headers_are_400() {
    let value = bearer(&token(json!({})));
    server()
        .get(
            "/me",
            &[("authorization", &value), ("authorization", &value)],
        )
        .await
        .assert_invalid_request("the request carries more than one access token");
}

#[tokio::test]
async fn claims_that_do_not_fit_the_type_are_401() {
    let server = server();
    server
        .get("/email", &[("authorization", &bearer(&token(json!({}))))])
        .await
        .assert_invalid_token("the token claims are invalid");
    let with_email = bearer(&token(json!({"email": "ada@example.test"})));
    let reply = server
        .get("/email", &[("authorization", &with_email)])
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "ada@example.test")
    );
}

/// No request fault is ever a 500.
#[tokio::test]
async fn no_token_fault_is_a_500() {
    let server = server();
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
    ];
    for value in values {
        let reply = server.get("/me", &[("authorization", value)]).await;
        assert!([400, 401].contains(&reply.status), "{value:?}: {reply:?}");
        assert!(
            reply
                .www_authenticate()
                .unwrap()
                .starts_with("Bearer realm=")
        );
    }
    server
        .get("/me", &[("authorization", &format!("Bearer {long}"))])
        .await
        .assert_invalid_token("the token is too large");
}

/// The refusal is an actix error response: an outer middleware sees `response.error()`.
#[actix_web::test]
async fn the_refusal_carries_its_jwt_error() {
    use actix_web::test::{TestRequest, call_service, init_service};
    use jwt_guard_actix::JwtError;

    let app = init_service(
        App::new()
            .route("/me", web::get().to(me))
            .wrap(JwtMiddleware::new(verifier()).realm(REALM)),
    )
    .await;
    let request = TestRequest::get()
        .uri("/me")
        .insert_header(("authorization", bearer(&expired_token())))
        .to_request();
    let response = call_service(&app, request).await;
    assert_eq!(response.status(), 401);
    let error = response.response().error().unwrap();
    let jwt = error.as_error::<JwtError>().unwrap();
    assert_eq!(jwt.rejection().error().unwrap().code(), "expired");
    assert!(!jwt.is_missing_middleware());
    assert_eq!(jwt.to_string(), "invalid_token: the token has expired");
}
