//! Drives `examples/axum_quickstart.rs`'s own router, config loading and demo tokens.

use std::path::Path;

use jwt_guard_axum::JwtLayer;
use serde_json::json;

use crate::quickstart::common::{DEMO_CONFIG, demo_tokens, load_config};
use crate::quickstart::router;
use crate::support::{Reply, Server};

#[tokio::test]
async fn the_quickstart_router_with_its_demo_config() {
    let (config, base_dir) = load_config(None).unwrap();
    let tokens = demo_tokens(&config, &base_dir).unwrap();
    let layer = JwtLayer::from_config_in(&config, &base_dir).unwrap();
    let server = Server::router(router(layer)).await;
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

    let reply: Reply = server.get("/admin", &[("authorization", &me)]).await;
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

    // /public stays open even with a bad token: the layer covers /me and /admin only.
    let reply = server
        .get("/public", &[("authorization", "Bearer x")])
        .await;
    assert_eq!(reply.status, 200);
    assert!(DEMO_CONFIG.contains("HS256"));
}

#[test]
fn a_config_file_without_a_signing_key_gets_no_demo_token() {
    let dir = std::env::temp_dir().join(format!("jwt-guard-axum-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("public-only.toml");
    std::fs::write(
        &path,
        r#"
algorithms = ["EdDSA"]
[[keys]]
pem = """
-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAtFPjFBtYgtI9UNZU9EULiCcr1VksgqHfZ3go5airRq8=
-----END PUBLIC KEY-----
"""
[token]
cookie = "session"
"#,
    )
    .unwrap();
    let (config, base_dir) = load_config(Some(&path)).unwrap();
    assert_eq!(base_dir, dir);
    assert!(JwtLayer::from_config_in(&config, &base_dir).is_ok());
    let why = demo_tokens(&config, &base_dir).unwrap_err();
    assert!(why.contains("no key that can sign"), "{why}");
    assert!(load_config(Some(Path::new("/nonexistent/jwt-guard.toml"))).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
