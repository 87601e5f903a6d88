//! `JwtMiddleware::on_error` takes any `Into<HttpResponse>`: the hook may answer anything, even
//! hide the route. (That it answers for the middleware, the extractors and `RequireScopes` is
//! in the conformance table, `/hook/*`.)

use actix_web::{App, HttpResponse, web};
use jwt_guard_actix::{JwtMiddleware, Rejection};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_hook_may_answer_anything() {
    let server = Server::app(|| {
        App::new()
            .route("/secret", web::get().to(|| async { "secret" }))
            .wrap(
                JwtMiddleware::new(verifier())
                    .on_error(|_: &Rejection| HttpResponse::NotFound().body("no such page")),
            )
    });
    let reply = server.get("/secret", &[]).await;
    assert_eq!(reply.answer(), (404, "no such page"));
    assert_eq!(reply.www_authenticate(), None);
    let reply = server
        .get("/secret", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!(reply.answer(), (200, "secret"));
}
