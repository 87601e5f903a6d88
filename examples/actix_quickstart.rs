//! `cargo run --example actix_quickstart`: an actix-web server with one public and two protected
//! routes, the same contract as `axum_quickstart.rs`.
//!
//! - `GET /public`: no token needed.
//! - `GET /me`: needs a valid token; answers with its verified claims as JSON.
//! - `GET /admin`: also needs the `admin` scope (403 `insufficient_scope` otherwise).
//! - `GET /metrics`: jwt-guard's metrics (accepted and refused tokens, cache, verification
//!   time) in Prometheus text.
//!
//! With no setup it uses [`common::DEMO_CONFIG`] (shared with `axum_quickstart.rs`, so a demo
//! token works on both), whose HS256 secret is written in `examples/common/mod.rs`, and prints
//! curl commands with demo tokens minted at start. That secret is public: a demo, never a
//! deployment. `JWT_GUARD_CONFIG=path.toml` replaces it with a `VerifierConfig` file (a demo token
//! is then minted only if the file's key can sign); `JWT_GUARD_ADDR` overrides `127.0.0.1:3000`.

use actix_web::{App, HttpResponse, HttpServer, web};
use jwt_guard_actix::{Claims, JwtMiddleware, RequireScopes};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::{Value, json};

/// The demo config, `JWT_GUARD_CONFIG`/`JWT_GUARD_ADDR`, demo tokens and the printed curl
/// commands, shared with `axum_quickstart.rs`.
#[path = "common/mod.rs"]
pub(crate) mod common;

/// The app: `/public` open, `/me` and `/admin` behind `middleware`, `/admin` also needing
/// `admin` (`App::new().configure(routes(middleware))`).
pub(crate) fn routes(middleware: JwtMiddleware) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config
            .route("/public", web::get().to(public))
            .service(
                web::resource("/me")
                    .wrap(middleware.clone())
                    .route(web::get().to(me)),
            )
            .service(
                web::resource("/admin")
                    .wrap(RequireScopes::all(["admin"])) // runs after the middleware below
                    .wrap(middleware)
                    .route(web::get().to(admin)),
            );
    }
}

/// `GET /metrics`, rendered by `metrics` (see [`common::install_metrics`]).
pub(crate) fn metrics_route(metrics: PrometheusHandle) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config.route(
            "/metrics",
            web::get().to(move || {
                let text = metrics.render();
                async move { text }
            }),
        );
    }
}

async fn public() -> &'static str {
    "public: no token needed\n"
}

async fn me(Claims(claims): Claims<Value>) -> HttpResponse {
    HttpResponse::Ok().json(claims)
}

async fn admin(Claims(claims): Claims<Value>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"admin": true, "sub": claims.get("sub")}))
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    common::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (config, base_dir, addr) = common::settings()?;
    let metrics = common::install_metrics()?;
    let middleware = JwtMiddleware::from_config(&config)?;
    // Ctrl-C (SIGINT) and SIGTERM stop it gracefully: actix-web handles the signals.
    let server = HttpServer::new(move || {
        App::new()
            .configure(routes(middleware.clone()))
            .configure(metrics_route(metrics.clone()))
    })
    .bind(addr)?;
    let addr = server.addrs().first().copied().unwrap_or(addr);
    common::print_banner("actix-web", addr, &config, &base_dir);
    server.run().await?;
    Ok(())
}
