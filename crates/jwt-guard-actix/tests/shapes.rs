//! The three app shapes the README shows, over real HTTP: everything protected (`.wrap` on the
//! `App`), public and protected routes side by side (the middleware on a `web::scope` or a
//! `web::resource`), and one optional middleware with `Claims<T>` where a token is required.
//! Also what the README says about routing: a middleware runs before the routing below it, so
//! under it `POST /me` (a resource without that method) and an unknown path answer 401 to a
//! request without a token (405 and 404 with one); outside it, 405 and 404.

use actix_web::{App, HttpResponse, web};
use jwt_guard_actix::{Claims, JwtMiddleware, RequireScopes};
use jwt_guard_test_support::client;
use serde::Deserialize;
use serde_json::json;

use crate::support::*;

#[derive(Clone, Deserialize)]
struct User {
    sub: String,
}

async fn me(Claims(user): Claims<User>) -> String {
    user.sub
}

async fn maybe(user: Option<Claims<User>>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"sub": user.map(|Claims(u)| u.sub)}))
}

async fn public() -> &'static str {
    "public"
}

async fn admin() -> &'static str {
    "admin"
}

fn jwt() -> JwtMiddleware {
    JwtMiddleware::new(verifier()).with_realm(REALM)
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
async fn all_protected_an_app_middleware_runs_before_routing() {
    let server = Server::app(|| {
        App::new()
            .wrap(jwt())
            .route("/me", web::get().to(me))
            .service(
                web::resource("/admin")
                    .wrap(RequireScopes::all(["admin"]))
                    .get(admin),
            )
    });
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
    // Without a token, the middleware answers first: 401, not 405 or 404.
    assert_eq!(status(&server, "POST", "/me", None).await, 401);
    assert_eq!(status(&server, "GET", "/nowhere", None).await, 401);
    // With one, routing answers (`.route(path, web::get()..)` makes the method part of the
    // match: no route, 404).
    assert_eq!(status(&server, "POST", "/me", Some(&user)).await, 404);
    assert_eq!(status(&server, "GET", "/nowhere", Some(&user)).await, 404);
}

#[tokio::test]
async fn mixed_by_scope_or_by_resource() {
    let server = Server::app(|| {
        App::new()
            .route("/public", web::get().to(public))
            .service(web::resource("/me").wrap(jwt()).get(me))
            .service(
                web::scope("/api")
                    .wrap(jwt())
                    .route("/me", web::get().to(me))
                    .service(
                        web::resource("/admin")
                            .wrap(RequireScopes::all(["admin"]))
                            .get(admin),
                    ),
            )
    });
    let user = token(json!({"scope": "read"}));

    assert_eq!(server.get("/public", &[]).await.answer(), (200, "public"));
    for path in ["/me", "/api/me"] {
        server.get(path, &[]).await.assert_missing_in(REALM);
        assert_eq!(status(&server, "GET", path, Some(&user)).await, 200);
    }
    assert_eq!(status(&server, "GET", "/api/admin", Some(&user)).await, 403);
    // Outside every middleware: 404 as without one.
    assert_eq!(status(&server, "POST", "/public", None).await, 404);
    assert_eq!(status(&server, "GET", "/nowhere", None).await, 404);
    // A resource's middleware covers all its methods, a scope's all its paths.
    assert_eq!(status(&server, "POST", "/me", None).await, 401);
    assert_eq!(status(&server, "POST", "/me", Some(&user)).await, 405);
    assert_eq!(status(&server, "POST", "/api/me", None).await, 401);
    assert_eq!(status(&server, "GET", "/api/nowhere", None).await, 401);
    assert_eq!(
        status(&server, "GET", "/api/nowhere", Some(&user)).await,
        404
    );
}

#[tokio::test]
async fn optional_everywhere_claims_where_required() {
    let server = Server::app(|| {
        App::new()
            .wrap(jwt().optional())
            .route("/public", web::get().to(public))
            .route("/maybe", web::get().to(maybe))
            .route("/me", web::get().to(me))
    });
    let user = bearer(&token(json!({})));
    let with_user = [("authorization", user.as_str())];

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
}
