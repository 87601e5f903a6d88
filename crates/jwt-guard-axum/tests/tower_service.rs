//! The layer around a plain `tower::service_fn` served by hyper: no axum router, body
//! `hyper::body::Incoming`, response body `Full<Bytes>`.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use jwt_guard_axum::{JwtLayer, RequireScopes, Verified};
use serde_json::json;
use tower::ServiceBuilder;

use crate::support::*;

async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let sub = request
        .extensions()
        .get::<Verified>()
        .and_then(|v| v.registered().ok())
        .and_then(|claims| claims.sub)
        .unwrap_or_else(|| "nobody".to_owned());
    Ok(Response::new(Full::new(Bytes::from(format!(
        "hello {sub}"
    )))))
}

/// Serves any tower service of `Request<Incoming>` with plain hyper (no axum involved).
async fn serve<S>(service: S) -> Server
where
    S: tower::Service<Request<Incoming>, Response = axum::response::Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    Server::spawn(|listener, mut stopped| async move {
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => {
                    let (stream, _) = accepted.unwrap();
                    let service = TowerToHyperService::new(service.clone());
                    tokio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn the_layer_serves_a_plain_tower_service() {
    let service = ServiceBuilder::new()
        .layer(JwtLayer::new(verifier()).with_realm(REALM))
        .service(tower::service_fn(hello));
    let server = serve(service).await;

    let reply = server
        .get("/", &[("authorization", &bearer(&token(json!({}))))])
        .await;
    assert_eq!(reply.answer(), (200, "hello ada"));
    server.get("/", &[]).await.assert_missing_in(REALM);
    server
        .get("/", &[("authorization", &bearer(&expired_token()))])
        .await
        .assert_rejected_in(REALM, 401, "invalid_token", "the token has expired");
    server
        .get("/", &[("authorization", "Bearer")])
        .await
        .assert_rejected_in(
            REALM,
            400,
            "invalid_request",
            "the Authorization header has no bearer token",
        );
}

#[tokio::test]
async fn optional_mode_and_scopes_on_a_plain_tower_service() {
    let service = ServiceBuilder::new()
        .layer(JwtLayer::new(verifier()).with_realm(REALM).optional())
        .service(tower::service_fn(hello));
    let server = serve(service).await;
    let reply = server.get("/", &[]).await;
    assert_eq!(reply.answer(), (200, "hello nobody"));

    let service = ServiceBuilder::new()
        .layer(JwtLayer::new(verifier()).with_realm(REALM))
        .layer(RequireScopes::all(["admin"]))
        .service(tower::service_fn(hello));
    let server = serve(service).await;
    let admin = bearer(&token(json!({"scope": "admin"})));
    let reply = server.get("/", &[("authorization", &admin)]).await;
    assert_eq!(reply.answer(), (200, "hello ada"));
    let read = bearer(&token(json!({"scope": "read"})));
    let reply = server.get("/", &[("authorization", &read)]).await;
    assert_eq!(reply.status, 403);
    assert!(
        reply
            .www_authenticate()
            .unwrap()
            .ends_with(", scope=\"admin\"")
    );
}

/// Nested layers over a plain service: an outer layer verifying a cookie with one key, an inner
/// optional one reading `Authorization` with another. A request carrying only the outer token is
/// anonymous under the inner layer, also for a service that reads `Verified` itself.
#[tokio::test]
async fn an_inner_optional_layer_hides_what_an_outer_one_verified() {
    use jwt_guard_core::http::{BearerAuth, TokenLocations};
    use jwt_guard_core::{Algorithm, Key, Verifier};

    let other = Key::hmac(b"another secret of at least 32 bytes").unwrap();
    let inner = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(other)
        .build()
        .unwrap();
    let outer =
        BearerAuth::new(verifier()).with_token_locations(TokenLocations::nowhere().cookie("s"));
    let service = ServiceBuilder::new()
        .layer(JwtLayer::new(outer).with_realm("outer"))
        .layer(JwtLayer::new(inner).with_realm("inner").optional())
        .service(tower::service_fn(hello));
    let server = serve(service).await;

    let cookie = format!("s={}", token(json!({})));
    let reply = server.get("/", &[("cookie", &cookie)]).await;
    assert_eq!(reply.answer(), (200, "hello nobody"));
    server.get("/", &[]).await.assert_missing_in("outer");
}
