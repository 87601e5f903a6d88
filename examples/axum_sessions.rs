//! `cargo run --example axum_sessions`: an axum server that issues its own tokens (the
//! lifecycle of `jwt_guard_core::sessions`, Flask-JWT-Extended style).
//!
//! - `POST /login` (JSON `{"username","password"}`; demo users `ada`/`lovelace` and
//!   `grace`/`hopper`, argon2 hashes): an RFC 6749 §5.1 token pair, or 400 `invalid_grant`.
//! - `GET /me` (access token): the verified claims.
//! - `POST /refresh` (refresh token in `Authorization`): a new pair; each refresh token is good
//!   once (rotation with reuse detection).
//! - `POST /logout` (access token): ends its login (`sid`); 204.
//! - `POST /admin/rotate-password` (a fresh access token: from a login, not a refresh).
//!
//! The cookie flavour (browser sessions, `jwt_guard_core::sessions::cookies`):
//!
//! - `GET /`: a small page (plain HTML and JavaScript) driving the endpoints below.
//! - `POST /session/login` (the same JSON body): 204 with the access and refresh cookies
//!   (`HttpOnly`) and their readable CSRF cookies.
//! - `POST /session/refresh` (the refresh cookie and `X-CSRF-Token`): 204 with new cookies.
//! - `POST /session/logout` (the access cookie and `X-CSRF-Token`): ends the login, 204 with
//!   the cookies unset.
//! - `GET /me` and `POST /echo` (returns the JSON body it got) take the access token from the
//!   `Authorization` header or the access cookie; with the cookie, `POST` needs `X-CSRF-Token`
//!   (403 `csrf_failed` otherwise).
//!
//! With no setup it uses [`sessions::DEMO_CONFIG`] (shared with `actix_sessions.rs`), whose
//! secret is public: a demo, never a deployment. `JWT_GUARD_CONFIG=path.toml` names a config
//! with a `[sessions]` table (and a `[revocation]` table: memory, or Redis to share between
//! instances); `JWT_GUARD_ADDR` overrides `127.0.0.1:3001`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jwt_guard_axum::{
    Claims, JwtLayer, JwtRejection, RefreshToken, RequireFresh, Verified, WithCookies,
};
use jwt_guard_core::sessions::TokenPair;
use serde_json::{Value, json};

/// The demo config and users, the login check and the printed curl commands, shared with
/// `actix_sessions.rs`.
#[path = "sessions/mod.rs"]
pub(crate) mod sessions;

use sessions::{Demo, Login};

/// The app: `/`, `/login` and `/session/login` open; `/me`, `/echo`, `/logout`,
/// `/session/logout` and `/admin/rotate-password` under the access layer (header or access
/// cookie; the last also needs a fresh login); `/refresh` under the refresh layer (header);
/// `/session/refresh` under the cookie refresh layer (header or refresh cookie).
pub(crate) fn router(demo: Demo) -> Router {
    let access = JwtLayer::new(demo.issuer.access_verifier().clone())
        .with_revocation(demo.store.clone())
        .with_token_locations(demo.cookies.access_locations())
        .with_session_cookies(demo.cookies.clone());
    let refresh =
        JwtLayer::new(demo.issuer.refresh_verifier().clone()).with_revocation(demo.store.clone());
    let cookie_refresh = JwtLayer::new(demo.issuer.refresh_verifier().clone())
        .with_revocation(demo.store.clone())
        .with_token_locations(demo.cookies.refresh_locations())
        .with_session_cookies(demo.cookies.clone());
    Router::new()
        .route("/", get(page))
        .route("/login", post(login))
        .route("/session/login", post(session_login))
        .merge(
            Router::new()
                .route("/me", get(me))
                .route("/echo", post(echo))
                .route("/logout", post(logout))
                .route("/session/logout", post(session_logout))
                .route(
                    "/admin/rotate-password",
                    post(rotate_password).route_layer(RequireFresh::default()),
                )
                .route_layer(access),
        )
        .merge(
            Router::new()
                .route("/refresh", post(refresh_pair))
                .route_layer(refresh),
        )
        .merge(
            Router::new()
                .route("/session/refresh", post(session_refresh))
                .route_layer(cookie_refresh),
        )
        .with_state(demo)
}

async fn login(State(demo): State<Demo>, Json(login): Json<Login>) -> Response {
    if !sessions::check_password(&login) {
        return (StatusCode::BAD_REQUEST, Json(sessions::login_refused())).into_response();
    }
    match demo
        .issuer
        .login(&login.username, &Demo::claims_of(&login.username))
    {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "server_error", "error_description": e.code()})),
        )
            .into_response(),
    }
}

async fn page() -> Html<&'static str> {
    Html(sessions::PAGE)
}

async fn session_login(State(demo): State<Demo>, Json(login): Json<Login>) -> Response {
    if !sessions::check_password(&login) {
        return (StatusCode::BAD_REQUEST, Json(sessions::login_refused())).into_response();
    }
    match demo
        .cookies
        .login(&login.username, &Demo::claims_of(&login.username))
    {
        Ok(cookies) => WithCookies(cookies).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "server_error", "error_description": e.code()})),
        )
            .into_response(),
    }
}

async fn session_refresh(
    State(demo): State<Demo>,
    token: RefreshToken,
) -> Result<WithCookies, JwtRejection> {
    let sub = token
        .token()
        .registered()
        .ok()
        .and_then(|r| r.sub)
        .unwrap_or_default();
    let cookies = token
        .redeem_cookies(&demo.cookies, &Demo::claims_of(&sub))
        .await?;
    Ok(WithCookies(cookies))
}

async fn session_logout(State(demo): State<Demo>, token: Verified) -> Response {
    match demo.issuer.logout(demo.store.as_ref(), &token).await {
        Ok(()) => WithCookies(demo.cookies.unset()).into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn echo(Json(body): Json<Value>) -> Json<Value> {
    Json(body)
}

async fn me(Claims(claims): Claims<Value>) -> Json<Value> {
    Json(claims)
}

async fn refresh_pair(
    State(demo): State<Demo>,
    token: RefreshToken,
) -> Result<Json<TokenPair>, JwtRejection> {
    let sub = token
        .token()
        .registered()
        .ok()
        .and_then(|r| r.sub)
        .unwrap_or_default();
    Ok(Json(
        token.redeem(&demo.issuer, &Demo::claims_of(&sub)).await?,
    ))
}

async fn logout(State(demo): State<Demo>, token: Verified) -> StatusCode {
    match demo.issuer.logout(demo.store.as_ref(), &token).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn rotate_password(Claims(claims): Claims<Value>) -> Json<Value> {
    Json(json!({"rotated": true, "sub": claims.get("sub")}))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (config, addr) = sessions::settings()?;
    let demo = Demo::from_config(&config)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    sessions::print_banner("axum", listener.local_addr()?);
    sessions::warn_if_insecure(&demo);
    axum::serve(listener, router(demo))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
