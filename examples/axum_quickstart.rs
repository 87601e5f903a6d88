//! `cargo run --example axum_quickstart`: an axum server with one public and two protected routes.
//!
//! - `GET /public`: no token needed.
//! - `GET /me`: needs a valid token; answers with its verified claims as JSON.
//! - `GET /admin`: also needs the `admin` scope (403 `insufficient_scope` otherwise).
//! - `GET /metrics`: jwt-guard's metrics (accepted and refused tokens, cache, verification
//!   time) in Prometheus text.
//!
//! With no setup it uses [`common::DEMO_CONFIG`] (shared with `actix_quickstart.rs`), whose HS256
//! secret is written in `examples/common/mod.rs`, and prints curl commands with demo tokens minted
//! at start. That secret is public: a demo, never a deployment. `JWT_GUARD_CONFIG=path.toml`
//! replaces it with a `VerifierConfig` file (a demo token is then minted only if the file's key
//! can sign); `JWT_GUARD_ADDR` overrides `127.0.0.1:3000`.

use axum::routing::get;
use axum::{Json, Router};
use jwt_guard_axum::{Claims, JwtLayer, RequireScopes};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::{Value, json};

/// The demo config, `JWT_GUARD_CONFIG`/`JWT_GUARD_ADDR`, demo tokens and the printed curl
/// commands, shared with `actix_quickstart.rs`.
#[path = "common/mod.rs"]
pub(crate) mod common;

/// The app: `/public` open, `/me` and `/admin` behind `layer`, `/admin` also needing `admin`.
pub(crate) fn router(layer: JwtLayer) -> Router {
    let protected = Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(RequireScopes::all(["admin"])),
        )
        .route_layer(layer);
    Router::new().route("/public", get(public)).merge(protected)
}

/// `router` plus `GET /metrics`, rendered by `metrics` (see [`common::install_metrics`]).
pub(crate) fn with_metrics(router: Router, metrics: PrometheusHandle) -> Router {
    router.route("/metrics", get(move || async move { metrics.render() }))
}

async fn public() -> &'static str {
    "public: no token needed\n"
}

async fn me(Claims(claims): Claims<Value>) -> Json<Value> {
    Json(claims)
}

async fn admin(Claims(claims): Claims<Value>) -> Json<Value> {
    Json(json!({"admin": true, "sub": claims.get("sub")}))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (config, base_dir, addr) = common::settings()?;
    let metrics = common::install_metrics()?;
    let layer = JwtLayer::from_config(&config)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    common::print_banner("axum", listener.local_addr()?, &config, &base_dir);

    axum::serve(listener, with_metrics(router(layer), metrics))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
