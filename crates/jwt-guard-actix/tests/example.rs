//! Drives `examples/actix_quickstart.rs`'s own routes, config loading and demo tokens.

use actix_web::App;
use jwt_guard_actix::JwtMiddleware;
use serde_json::json;

use crate::quickstart::common::{demo_tokens, load_config};
use crate::quickstart::routes;
use crate::support::Server;

#[tokio::test]
async fn the_quickstart_routes_with_the_demo_config() {
    let (config, base_dir) = load_config(None).unwrap();
    let tokens = demo_tokens(&config, &base_dir).unwrap();
    let middleware = JwtMiddleware::from_config_in(&config, &base_dir).unwrap();
    let server = Server::app(move || App::new().configure(routes(middleware.clone())));
    let me = format!("Bearer {}", tokens.me);
    let admin = format!("Bearer {}", tokens.admin);

    let reply = server.get("/public", &[]).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "public: no token needed\n")
    );

    let reply = server.get("/me", &[("authorization", &me)]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let claims = reply.json();
    assert_eq!(claims["sub"], "demo-user");
    assert_eq!(claims["scope"], "read");
    assert_eq!(claims["iss"], "https://demo.jwt-guard.invalid");
    assert_eq!(claims["aud"], "jwt-guard-quickstart");

    let reply = server.get("/me", &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.www_authenticate(), Some("Bearer realm=\"api\""));

    let reply = server.get("/admin", &[("authorization", &me)]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.www_authenticate(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"the token lacks a required scope\", scope=\"admin\""
        )
    );

    let reply = server.get("/admin", &[("authorization", &admin)]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"admin": true, "sub": "demo-user"}));

    // /public stays open even with a bad token: the middleware covers /me and /admin only.
    let reply = server
        .get("/public", &[("authorization", "Bearer x")])
        .await;
    assert_eq!(reply.status, 200);
    // Unknown paths stay 404 (the middleware is on resources, not on a catch-all scope).
    assert_eq!(server.get("/nope", &[]).await.status, 404);
}
