//! `RequireScopes`: 403 `insufficient_scope` with `scope="..."`, from `scope` or `scp`.

use axum::Router;
use axum::routing::get;
use jwt_guard_axum::{JwtLayer, RequireScopes};
use serde_json::{Value, json};

use crate::support::*;

fn routes() -> Router {
    Router::new()
        .route(
            "/admin",
            get(|| async { "admin" }).route_layer(RequireScopes::all(["admin"])),
        )
        .route(
            "/read-write",
            get(|| async { "rw" }).route_layer(RequireScopes::all(["read", "write"])),
        )
        .route(
            "/write-or-admin",
            get(|| async { "w|a" }).route_layer(RequireScopes::any(["write", "admin"])),
        )
}

fn app() -> Router {
    routes().layer(JwtLayer::new(verifier()).realm(REALM))
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
    let server = Server::router(app()).await;
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
    let server = Server::router(app()).await;
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
    assert_eq!(
        server
            .get("/read-write", &[("authorization", &rw)])
            .await
            .status,
        200
    );
    let w = scoped(json!({"scp": ["write"]}));
    assert_eq!(
        server
            .get("/write-or-admin", &[("authorization", &w)])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_malformed_scope_claim_is_invalid_token() {
    let server = Server::router(app()).await;
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
    let server = Server::router(app()).await;
    server.get("/admin", &[]).await.assert_missing();
    // Under an optional layer too: the scope layer refuses the anonymous request.
    let optional = routes().layer(JwtLayer::new(verifier()).realm(REALM).optional());
    let server = Server::router(optional).await;
    server.get("/admin", &[]).await.assert_missing();
    let admin = scoped(json!({"scope": "admin"}));
    assert_eq!(
        server
            .get("/admin", &[("authorization", &admin)])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn without_a_jwt_layer_the_scope_layer_fails_closed() {
    let server = Server::router(routes()).await;
    let admin = scoped(json!({"scope": "admin"}));
    server
        .get("/admin", &[("authorization", &admin)])
        .await
        .assert_missing_in("api");
}
