//! Where the token may be: `Authorization`, a custom header, a cookie, a query parameter, set in
//! code or in the config's `[token]` table; and the token in two places at once.

use actix_web::{App, web};
use jwt_guard_actix::{Claims, JwtMiddleware, TokenLocations};
use jwt_guard_core::VerifierConfig;
use serde_json::{Value, json};

use crate::support::*;

async fn sub(Claims(c): Claims<Value>) -> String {
    c["sub"].as_str().unwrap_or_default().to_owned()
}

fn app(middleware: JwtMiddleware) -> Server {
    Server::app(move || {
        App::new()
            .route("/me", web::get().to(sub))
            .wrap(middleware.clone().realm(REALM))
    })
}

fn with(locations: TokenLocations) -> Server {
    app(JwtMiddleware::new(verifier()).token_locations(locations))
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
    let server = with(TokenLocations::default());
    let token = token(json!({}));
    assert_ok(
        &server
            .get("/me", &[("authorization", &bearer(&token))])
            .await,
    );
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
    let server = with(TokenLocations::nowhere().header("X-Api-Token"));
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
    let server = with(TokenLocations::nowhere().cookie("session"));
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
    let server = with(TokenLocations::nowhere().query("access_token"));
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
    let server = with(
        TokenLocations::new()
            .cookie("session")
            .query("access_token"),
    );
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
    assert_ok(&server.get("/me", &[("authorization", &header)]).await);
    assert_ok(&server.get("/me", &[("cookie", &cookie)]).await);
    assert_ok(&server.get(&query, &[]).await);
}

#[tokio::test]
async fn the_token_table_of_the_config() {
    let secret = std::str::from_utf8(SECRET).unwrap();
    let config: VerifierConfig = serde_json::from_value(json!({
        "algorithms": ["HS256"],
        "issuers": [ISSUER],
        "audiences": [AUDIENCE],
        "keys": [{"secret": secret}],
        "token": {"header": "x-token", "cookie": "session", "query": true},
    }))
    .unwrap();
    let server = app(JwtMiddleware::from_config(&config).unwrap());
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
