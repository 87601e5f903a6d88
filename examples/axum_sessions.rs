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
//! With no setup it uses [`sessions::DEMO_CONFIG`] (shared with `actix_sessions.rs`), whose
//! secret is public: a demo, never a deployment. `JWT_GUARD_CONFIG=path.toml` names a config
//! with a `[sessions]` table (and a `[revocation]` table: memory, or Redis to share between
//! instances); `JWT_GUARD_ADDR` overrides `127.0.0.1:3001`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jwt_guard_axum::{Claims, JwtLayer, JwtRejection, RefreshToken, RequireFresh, Verified};
use jwt_guard_core::sessions::TokenPair;
use serde_json::{Value, json};

/// The demo config and users, the login check and the printed curl commands, shared with
/// `actix_sessions.rs`.
#[path = "sessions/mod.rs"]
pub(crate) mod sessions;

use sessions::{Demo, Login};

/// The app: `/login` open; `/me`, `/logout` and `/admin/rotate-password` under the access
/// layer (the last also needs a fresh login); `/refresh` under the refresh layer.
pub(crate) fn router(demo: Demo) -> Router {
    let access =
        JwtLayer::new(demo.issuer.access_verifier().clone()).with_revocation(demo.store.clone());
    let refresh =
        JwtLayer::new(demo.issuer.refresh_verifier().clone()).with_revocation(demo.store.clone());
    Router::new()
        .route("/login", post(login))
        .merge(
            Router::new()
                .route("/me", get(me))
                .route("/logout", post(logout))
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
    axum::serve(listener, router(demo))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
