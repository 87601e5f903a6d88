//! The extractors' actix-specific side: a refusal is a `JwtError` attached to the response, and
//! a missing middleware is `JwtError::is_missing_middleware`. (actix-web's `Option<Claims<T>>`,
//! `None` for claims that do not fit `T`, is pinned next to axum's in the conformance suite,
//! `the_two_documented_differences`; without a middleware, in `placement.rs`.)

use actix_web::dev::Payload;
use actix_web::test::{TestRequest, call_service, init_service};
use actix_web::{App, FromRequest, HttpResponse, web};
use jwt_guard_actix::{Claims, JwtError, JwtMiddleware};
use serde_json::Value;

use crate::support::*;

/// The refusal is an actix error response: an outer middleware sees `response.error()`.
#[actix_web::test]
async fn the_refusal_carries_its_jwt_error() {
    let app = init_service(
        App::new()
            .route(
                "/me",
                web::get().to(|Claims(c): Claims<Value>| async move { HttpResponse::Ok().json(c) }),
            )
            .wrap(JwtMiddleware::new(verifier()).with_realm(REALM)),
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

/// The error says that the middleware is missing (a programming error, not the client's).
#[actix_web::test]
async fn the_error_tells_a_missing_middleware_apart() {
    let request = TestRequest::get().uri("/").to_http_request();
    let error = Claims::<Value>::from_request(&request, &mut Payload::None)
        .await
        .unwrap_err();
    assert!(error.is_missing_middleware());
    assert_eq!(
        error.to_string(),
        "no JwtMiddleware ran before this extractor or guard (it is missing, or misordered), so \
         no verified token: the request is refused as unauthenticated"
    );
}

/// An empty scope requirement would pass any token: it is refused when the app is built.
#[test]
fn an_empty_scope_requirement_is_refused() {
    use jwt_guard_actix::RequireScopes;
    for (what, make) in [
        (
            "any([])",
            (|| drop(RequireScopes::any::<[&str; 0], &str>([]))) as fn(),
        ),
        ("all([])", || {
            drop(RequireScopes::all::<[&str; 0], &str>([]))
        }),
        ("all([\"\"])", || drop(RequireScopes::all([""]))),
        ("any([\" \"])", || drop(RequireScopes::any([" "]))),
    ] {
        let panic = std::panic::catch_unwind(make).expect_err(what);
        let message = panic.downcast_ref::<String>().expect(what);
        assert!(
            message.ends_with(
                "`scopes`: name at least one scope (an empty requirement would pass any token)"
            ),
            "{what}: {message}"
        );
    }
    assert_eq!(RequireScopes::all(["admin"]).required().scopes(), ["admin"]);
}
