//! Where the middleware goes: the whole `App`, a `web::scope`, one `web::resource`, one route,
//! the `#[get(.., wrap = "..")]` macro; and extractors with no middleware at all.

use actix_web::{App, HttpResponse, get, web};
use jwt_guard_actix::{Claims, JwtMiddleware, Verified};
use serde_json::{Value, json};

use crate::support::*;

async fn sub(Claims(c): Claims<Value>) -> String {
    c["sub"].as_str().unwrap_or_default().to_owned()
}

fn middleware() -> JwtMiddleware {
    JwtMiddleware::new(verifier()).with_realm(REALM)
}

#[get("/macro", wrap = "middleware()")]
async fn by_macro(Claims(c): Claims<Value>) -> String {
    c["sub"].as_str().unwrap_or_default().to_owned()
}

fn server() -> Server {
    Server::app(|| {
        App::new()
            .route("/public", web::get().to(|| async { "public" }))
            .service(
                web::scope("/scope")
                    .route("/me", web::get().to(sub))
                    .wrap(middleware()),
            )
            .service(web::resource("/resource").wrap(middleware()).to(sub))
            .route("/route", web::get().to(sub).wrap(middleware()))
            .service(by_macro)
            .route("/bare", web::get().to(sub))
            .route(
                "/bare-verified",
                web::get().to(|v: Verified| async move { format!("{:?}", v.header().alg) }),
            )
            .route(
                "/bare-optional",
                web::get().to(|c: Option<Claims<Value>>| async move {
                    HttpResponse::Ok().body(if c.is_some() { "claims" } else { "none" })
                }),
            )
    })
}

#[tokio::test]
async fn every_placement_verifies_the_same_way() {
    let server = server();
    let good = bearer(&token(json!({})));
    let expired = bearer(&expired_token());
    for path in ["/scope/me", "/resource", "/route", "/macro"] {
        let reply = server.get(path, &[("authorization", &good)]).await;
        assert_eq!(reply.answer(), (200, "ada"), "{path}");
        server.get(path, &[]).await.assert_missing_in(REALM);
        server
            .get(path, &[("authorization", &expired)])
            .await
            .assert_rejected_in(REALM, 401, "invalid_token", "the token has expired");
    }
    // Outside the middleware nothing is checked.
    let reply = server.get("/public", &[("authorization", &expired)]).await;
    assert_eq!(reply.answer(), (200, "public"));
}

/// `Claims<T>` and `Verified` never verify by themselves: without a `JwtMiddleware` they fail
/// closed (401 as for no token, default realm), whatever the request carries. actix-web's
/// `Option<T>` makes that `None`.
#[tokio::test]
async fn extractors_without_the_middleware_fail_closed() {
    let server = server();
    let good = bearer(&token(json!({})));
    for path in ["/bare", "/bare-verified"] {
        server.get(path, &[]).await.assert_missing_in("api");
        server
            .get(path, &[("authorization", &good)])
            .await
            .assert_missing_in("api");
    }
    let reply = server
        .get("/bare-optional", &[("authorization", &good)])
        .await;
    assert_eq!(reply.answer(), (200, "none"));
}

/// Nested middlewares: an outer one verifying a cookie with one key, an inner optional one
/// reading `Authorization` with another. A request carrying only the outer token is anonymous
/// under the inner one, also for a handler that reads `Verified` from the extensions itself.
#[tokio::test]
async fn an_inner_optional_middleware_hides_what_an_outer_one_verified() {
    use actix_web::{HttpMessage, HttpRequest};
    use jwt_guard_core::http::{BearerAuth, TokenLocations};
    use jwt_guard_core::{Algorithm, Key, Verifier};

    let server = Server::app(|| {
        let other = Key::hmac(b"another secret of at least 32 bytes").unwrap();
        let inner = Verifier::builder()
            .algorithms([Algorithm::HS256])
            .key(other)
            .build()
            .unwrap();
        let outer =
            BearerAuth::new(verifier()).with_token_locations(TokenLocations::nowhere().cookie("s"));
        App::new().service(
            web::scope("/outer")
                .wrap(JwtMiddleware::new(outer).with_realm("outer"))
                .service(
                    web::scope("/inner")
                        .wrap(JwtMiddleware::new(inner).with_realm("inner").optional())
                        .route(
                            "/raw",
                            web::get().to(|request: HttpRequest| async move {
                                let seen = request.extensions().get::<Verified>().is_some();
                                if seen { "verified" } else { "nobody" }
                            }),
                        ),
                ),
        )
    });
    let cookie = format!("s={}", token(json!({})));
    let reply = server.get("/outer/inner/raw", &[("cookie", &cookie)]).await;
    assert_eq!(reply.answer(), (200, "nobody"));
    server
        .get("/outer/inner/raw", &[])
        .await
        .assert_missing_in("outer");
}
