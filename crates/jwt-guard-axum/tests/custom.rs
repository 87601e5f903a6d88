//! `JwtLayer::on_error` takes any `IntoResponse`: the hook may answer anything, even hide the
//! route. (That it answers for the layer, the extractors and `RequireScopes` is in the
//! conformance table, `/hook/*`.)

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use jwt_guard_axum::{JwtLayer, Rejection};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_hook_may_answer_anything() {
    let hidden = Router::new()
        .route("/secret", get(|| async { "secret" }))
        .layer(
            JwtLayer::new(verifier())
                .on_error(|_: &Rejection| (StatusCode::NOT_FOUND, "no such page")),
        );
    let server = Server::router(hidden).await;
    let reply = server.get("/secret", &[]).await;
    assert_eq!(reply.answer(), (404, "no such page"));
    assert_eq!(reply.www_authenticate(), None);
    let reply = server
        .get("/secret", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!(reply.answer(), (200, "secret"));
}
