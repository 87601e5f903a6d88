//! Where the token may be: `Authorization`, a custom header, a cookie, a query parameter, set in
//! code or in the config's `[token]` table; and the token in two places at once.

use axum::Router;
use axum::routing::get;
use jwt_guard_axum::{Claims, JwtLayer, TokenLocations};
use jwt_guard_core::VerifierConfig;
use serde_json::{Value, json};

use crate::support::*;

async fn sub(Claims(c): Claims<Value>) -> String {
    c["sub"].as_str().unwrap_or_default().to_owned()
}

fn app(layer: JwtLayer) -> Router {
    Router::new()
        .route("/me", get(sub))
        .layer(layer.realm(REALM))
}

fn with(locations: TokenLocations) -> Router {
    app(JwtLayer::new(verifier()).token_locations(locations))
}

#[track_caller]
fn assert_ok(reply: &Reply) {
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "ada"),
        "{reply:?}"
    );
}

const TWO_PLACES: &str = "the request carries the access token in more than one place";

#[tokio::test]
async fn authorization_header_by_default() {
    let server = Server::router(with(TokenLocations::default())).await;
    let token = token(json!({}));
    assert_ok(
        &server
            .get("/me", &[("authorization", &bearer(&token))])
            .await,
    );
    // Other places are not read unless configured.
    let cookie = format!("access_token={token}");
    server
        .get("/me", &[("cookie", &cookie)])
        .await
        .assert_missing();
    let path = format!("/me?access_token={token}");
    server.get(&path, &[]).await.assert_missing();
}

#[tokio::test]
async fn a_custom_header() {
    let server = Server::router(with(TokenLocations::nowhere().header("X-Api-Token"))).await;
    let token = token(json!({}));
    assert_ok(&server.get("/me", &[("x-api-token", &token)]).await);
    assert_ok(&server.get("/me", &[("x-api-token", &bearer(&token))]).await);
    server
        .get("/me", &[("authorization", &bearer(&token))])
        .await
        .assert_missing();
    server
        .get("/me", &[("x-api-token", &expired_token())])
        .await
        .assert_invalid_token("the token has expired");
}

#[tokio::test]
async fn a_cookie() {
    let server = Server::router(with(TokenLocations::nowhere().cookie("session"))).await;
    let token = token(json!({}));
    let cookie = format!("theme=dark; session={token}; lang=en");
    assert_ok(&server.get("/me", &[("cookie", &cookie)]).await);
    server
        .get("/me", &[("cookie", "theme=dark; session=")])
        .await
        .assert_missing();
    let forged = format!("session={}", forged_token());
    server
        .get("/me", &[("cookie", &forged)])
        .await
        .assert_invalid_token("the token signature is invalid");
}

#[tokio::test]
async fn a_query_parameter() {
    let locations = TokenLocations::nowhere().query(jwt_guard_core::http::DEFAULT_QUERY_PARAM);
    let server = Server::router(with(locations)).await;
    let token = token(json!({}));
    assert_ok(
        &server
            .get(&format!("/me?x=1&access_token={token}"), &[])
            .await,
    );
    server
        .get("/me?access_token=", &[])
        .await
        .assert_invalid_request("the access token is empty");
    server.get("/me?x=1", &[]).await.assert_missing();
}

#[tokio::test]
async fn the_token_in_two_places_is_400_invalid_request() {
    let locations = TokenLocations::new()
        .cookie("session")
        .query("access_token");
    let server = Server::router(with(locations)).await;
    let token = token(json!({}));
    let (header, cookie, query) = (
        bearer(&token),
        format!("session={token}"),
        format!("/me?access_token={token}"),
    );
    for (path, headers) in [
        (
            "/me",
            vec![
                ("authorization", header.as_str()),
                ("cookie", cookie.as_str()),
            ],
        ),
        (query.as_str(), vec![("authorization", header.as_str())]),
        (query.as_str(), vec![("cookie", cookie.as_str())]),
    ] {
        server
            .get(path, &headers)
            .await
            .assert_invalid_request(TWO_PLACES);
    }
    // Each alone is fine.
    assert_ok(&server.get("/me", &[("authorization", &header)]).await);
    assert_ok(&server.get("/me", &[("cookie", &cookie)]).await);
    assert_ok(&server.get(&query, &[]).await);
}

#[tokio::test]
async fn the_token_table_of_the_config() {
    let secret = std::str::from_utf8(SECRET).unwrap();
    let config: VerifierConfig = toml::from_str(&format!(
        r#"
        algorithms = ["HS256"]
        issuers = ["{ISSUER}"]
        audiences = ["{AUDIENCE}"]
        [[keys]]
        secret = "{secret}"
        [token]
        header = "x-token"
        cookie = "session"
        query = true
        "#
    ))
    .unwrap();
    let server = Server::router(app(JwtLayer::from_config(&config).unwrap())).await;
    let token = token(json!({}));
    assert_ok(&server.get("/me", &[("x-token", &token)]).await);
    assert_ok(
        &server
            .get("/me", &[("cookie", &format!("session={token}"))])
            .await,
    );
    assert_ok(&server.get(&format!("/me?access_token={token}"), &[]).await);
    server
        .get("/me", &[("authorization", &bearer(&token))])
        .await
        .assert_missing();
    server
        .get(&format!("/me?access_token={token}"), &[("x-token", &token)])
        .await
        .assert_invalid_request(TWO_PLACES);
}
