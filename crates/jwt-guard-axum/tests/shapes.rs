//! The three app shapes the README shows, over real HTTP: everything protected (`.layer` on the
//! whole router), public and protected routes side by side (`route_layer` on the protected
//! group, merged), and one optional layer with `Claims<T>` where a token is required. Also what
//! the README says about routing: a whole-router `.layer` runs before routing, so `POST /me`
//! and an unknown path answer 401 to a request without a token (405 and 404 with one);
//! `Router::route_layer` keeps 404 but still turns `POST /me` into 401 (it layers each path's
//! whole method router); `get(..).route_layer(..)` keeps 405 too.

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard_axum::{Claims, JwtLayer, RequireScopes};
use jwt_guard_test_support::client;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::support::*;

#[derive(Clone, Deserialize)]
struct User {
    sub: String,
}

async fn me(Claims(user): Claims<User>) -> String {
    user.sub
}

async fn maybe(user: Option<Claims<User>>) -> Json<Value> {
    Json(json!({"sub": user.map(|Claims(u)| u.sub)}))
}

async fn public() -> &'static str {
    "public"
}

async fn admin() -> &'static str {
    "admin"
}

fn layer() -> JwtLayer {
    JwtLayer::new(verifier()).with_realm(REALM)
}

/// `method path` with the token, if any; the status.
async fn status(server: &Server, method: &str, path: &str, token: Option<&str>) -> u16 {
    let header = token.map(bearer);
    let headers: Vec<(&str, &str)> = header
        .iter()
        .map(|h| ("authorization", h.as_str()))
        .collect();
    client::request(server.addr(), method, path, &headers)
        .await
        .status
}

#[tokio::test]
async fn all_protected_a_whole_router_layer_runs_before_routing() {
    let app = Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(RequireScopes::all(["admin"])),
        )
        .layer(layer());
    let server = Server::router(app).await;
    let user = token(json!({"scope": "read"}));

    server.get("/me", &[]).await.assert_missing_in(REALM);
    assert_eq!(
        server
            .get("/me", &[("authorization", &bearer(&user))])
            .await
            .answer(),
        (200, "ada")
    );
    assert_eq!(status(&server, "GET", "/admin", Some(&user)).await, 403);
    // Without a token, the layer answers first: 401, not 405 or 404.
    assert_eq!(status(&server, "POST", "/me", None).await, 401);
    assert_eq!(status(&server, "GET", "/nowhere", None).await, 401);
    // With one, routing answers.
    assert_eq!(status(&server, "POST", "/me", Some(&user)).await, 405);
    assert_eq!(status(&server, "GET", "/nowhere", Some(&user)).await, 404);
    server.stop().await;
}

#[tokio::test]
async fn mixed_route_layer_keeps_404_and_a_method_route_layer_405() {
    let protected = Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(RequireScopes::all(["admin"])),
        )
        .route_layer(layer());
    let app = Router::new()
        .route("/public", get(public))
        .route("/one", get(me).route_layer(layer()))
        .merge(protected);
    let server = Server::router(app).await;
    let user = token(json!({"scope": "read"}));

    assert_eq!(server.get("/public", &[]).await.answer(), (200, "public"));
    for path in ["/me", "/one"] {
        server.get(path, &[]).await.assert_missing_in(REALM);
        assert_eq!(status(&server, "GET", path, Some(&user)).await, 200);
    }
    assert_eq!(status(&server, "GET", "/admin", Some(&user)).await, 403);
    // `Router::route_layer` runs for matched paths only: an unknown path is 404 as without it.
    assert_eq!(status(&server, "GET", "/nowhere", None).await, 404);
    // But it layers each path's whole method router, 405 fallback included: `POST /me` without
    // a token is 401 (405 with one).
    assert_eq!(status(&server, "POST", "/me", None).await, 401);
    assert_eq!(status(&server, "POST", "/me", Some(&user)).await, 405);
    // A method router's own `route_layer` runs for its methods only: 405 as without it.
    assert_eq!(status(&server, "POST", "/one", None).await, 405);
    assert_eq!(status(&server, "POST", "/public", None).await, 405);
    server.stop().await;
}

#[tokio::test]
async fn optional_everywhere_claims_where_required() {
    let app = Router::new()
        .route("/public", get(public))
        .route("/maybe", get(maybe))
        .route("/me", get(me))
        .layer(layer().optional());
    let server = Server::router(app).await;
    let user = token(json!({}));
    let with_user = [("authorization", bearer(&user))];
    let with_user: Vec<(&str, &str)> = with_user.iter().map(|(n, v)| (*n, v.as_str())).collect();

    assert_eq!(server.get("/public", &[]).await.answer(), (200, "public"));
    assert_eq!(server.get("/maybe", &[]).await.json(), json!({"sub": null}));
    assert_eq!(
        server.get("/maybe", &with_user).await.json(),
        json!({"sub": "ada"})
    );
    server.get("/me", &[]).await.assert_missing_in(REALM);
    assert_eq!(server.get("/me", &with_user).await.answer(), (200, "ada"));
    // A bad token is refused everywhere, public routes included.
    let expired = bearer(&expired_token());
    server
        .get("/public", &[("authorization", &expired)])
        .await
        .assert_rejected_in(REALM, 401, "invalid_token", "the token has expired");
    server.stop().await;
}
