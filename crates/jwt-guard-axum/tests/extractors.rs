//! The extractors without a `JwtLayer`: every extractor, axum's `Option` of it (which refuses,
//! where actix-web's is `None`), and `RequireScopes` fail closed with a
//! `JwtRejection::is_missing_layer`. (axum's `Option<Claims<T>>` under a layer is pinned next to
//! actix-web's in the conformance suite, `the_two_documented_differences`.)

use axum::routing::get;
use axum::{Json, Router};
use axum_core::extract::FromRequestParts;
use jwt_guard_axum::{Claims, RequireScopes, Verified};
use serde_json::{Value, json};

use crate::support::*;

/// Without a `JwtLayer` nothing verifies by itself: 401 as for no token, default realm,
/// whatever the request carries; axum's `Option<..>` of an extractor refuses too.
#[tokio::test]
async fn extractors_without_the_layer_fail_closed() {
    let app = Router::new()
        .route(
            "/claims",
            get(|Claims(c): Claims<Value>| async move { Json(c) }),
        )
        .route("/verified", get(|_: Verified| async { "verified" }))
        .route(
            "/option-claims",
            get(|_: Option<Claims<Value>>| async { "option" }),
        )
        .route(
            "/option-verified",
            get(|_: Option<Verified>| async { "option" }),
        )
        .route(
            "/admin",
            get(|| async { "admin" }).route_layer(RequireScopes::all(["admin"])),
        );
    let server = Server::router(app).await;
    let admin = bearer(&token(json!({"scope": "admin"})));
    for path in [
        "/claims",
        "/verified",
        "/option-claims",
        "/option-verified",
        "/admin",
    ] {
        server.get(path, &[]).await.assert_missing_in("api");
        server
            .get(path, &[("authorization", &admin)])
            .await
            .assert_missing_in("api");
    }
}

/// The rejection says that the layer is missing (a programming error, not the client's).
#[tokio::test]
async fn the_rejection_tells_a_missing_layer_apart() {
    let (mut parts, ()) = http::Request::get("/").body(()).unwrap().into_parts();
    let rejection = Claims::<Value>::from_request_parts(&mut parts, &())
        .await
        .unwrap_err();
    assert!(rejection.is_missing_layer());
    assert_eq!(
        rejection.to_string(),
        "no JwtLayer ran before this extractor or guard (it is missing, or misordered), so no \
         verified token: the request is refused as unauthenticated"
    );
}

/// An empty scope requirement would pass any token: it is refused when the app is built.
#[test]
fn an_empty_scope_requirement_is_refused() {
    use jwt_guard_axum::RequireScopes;
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
