//! The servers, one per process, each on a single thread: `GET /` answers `hello <sub>` (the
//! bare servers answer the same bytes without looking at the token); `GET /stats` answers the
//! verified-token cache's hits and misses (`- -` without a cache).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use jwt_guard_core::VerifierConfig;
use jwt_guard_core::http::BearerAuth;
use serde::Deserialize;

use crate::tokens::{AUD, ISS};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Kind {
    /// axum, no authentication.
    BareAxum,
    /// actix-web, no authentication.
    BareActix,
    /// axum with `JwtLayer` and `Claims<T>`.
    Axum,
    /// actix-web with `JwtMiddleware` and `Claims<T>`.
    Actix,
    /// axum with a hand-written jsonwebtoken middleware (the baseline of the issue).
    Jsonwebtoken,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    #[arg(long, value_enum)]
    pub(crate) kind: Kind,
    /// jwt-guard's config file (`axum`, `actix`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The algorithm and verification key file of the jsonwebtoken server.
    #[arg(long)]
    alg: Option<String>,
    #[arg(long)]
    key: Option<PathBuf>,
    #[arg(long)]
    port: u16,
}

/// What the handlers read from the claims.
#[derive(Debug, Clone, Deserialize)]
struct BenchClaims {
    sub: String,
}

/// The bare servers answer what an authenticated one answers for the first token.
const BARE_SUB: &str = "user-00000000";

pub(crate) fn serve(args: &ServeArgs) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    match args.kind {
        Kind::BareAxum | Kind::Axum | Kind::Jsonwebtoken => axum_serve(addr, axum_router(args)?),
        Kind::BareActix => actix_serve(addr, None),
        Kind::Actix => {
            let middleware = jwt_guard_actix::JwtMiddleware::from_config(&config(args)?)
                .map_err(|e| e.to_string())?;
            actix_serve(addr, Some(middleware))
        }
    }
}

/// The axum server of `args.kind` (`bare-axum`, `axum`, `jsonwebtoken`; the others: bare).
pub(crate) fn axum_router(args: &ServeArgs) -> Result<Router, String> {
    Ok(match args.kind {
        Kind::Axum => {
            let layer =
                jwt_guard_axum::JwtLayer::from_config(&config(args)?).map_err(|e| e.to_string())?;
            let auth = layer.auth().clone();
            Router::new()
                .route("/", get(claims_axum))
                .route_layer(layer)
                .route("/stats", get(move || async move { stats(Some(&auth)) }))
        }
        Kind::Jsonwebtoken => {
            let state = Arc::new(JwtState::new(args)?);
            Router::new()
                .route("/", get(extension_axum))
                .route_layer(axum::middleware::from_fn_with_state(state, jsonwebtoken_mw))
                .route("/stats", get(|| async { stats(None) }))
        }
        Kind::BareAxum | Kind::BareActix | Kind::Actix => Router::new().route("/", get(bare_axum)),
    })
}

fn config(args: &ServeArgs) -> Result<VerifierConfig, String> {
    let path = args.config.as_ref().ok_or("--config is required")?;
    VerifierConfig::from_file(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn stats(auth: Option<&BearerAuth>) -> String {
    match auth.and_then(BearerAuth::cache_stats) {
        Some(s) => format!("{} {}", s.hits, s.misses),
        None => "- -".to_owned(),
    }
}

fn axum_serve(addr: SocketAddr, router: Router) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("{addr}: {e}"))?;
        axum::serve(listener, router)
            .await
            .map_err(|e| e.to_string())
    })
}

/// Builds its body as the authenticated handlers do (`format!`), so the difference between the
/// servers is the authentication alone.
async fn bare_axum() -> String {
    format!("hello {}", BARE_SUB)
}

async fn claims_axum(
    jwt_guard_axum::Claims(claims): jwt_guard_axum::Claims<BenchClaims>,
) -> String {
    format!("hello {}", claims.sub)
}

async fn extension_axum(Extension(claims): Extension<BenchClaims>) -> String {
    format!("hello {}", claims.sub)
}

/// The jsonwebtoken baseline: the key parsed once, `decode` per request, the claims handed to
/// the handler in the request extensions.
struct JwtState {
    key: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

impl JwtState {
    fn new(args: &ServeArgs) -> Result<JwtState, String> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation};
        let alg: Algorithm = args
            .alg
            .as_deref()
            .ok_or("--alg is required")?
            .parse()
            .map_err(|e| format!("--alg: {e}"))?;
        let path = args.key.as_ref().ok_or("--key is required")?;
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let key = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                DecodingKey::from_base64_secret(String::from_utf8_lossy(&text).trim())
            }
            Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(&text),
            _ => DecodingKey::from_rsa_pem(&text),
        }
        .map_err(|e| e.to_string())?;
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[ISS]);
        validation.set_audience(&[AUD]);
        Ok(JwtState { key, validation })
    }
}

async fn jsonwebtoken_mw(
    State(state): State<Arc<JwtState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    };
    match jsonwebtoken::decode::<BenchClaims>(token, &state.key, &state.validation) {
        Ok(data) => {
            req.extensions_mut().insert(data.claims);
            next.run(req).await
        }
        Err(_) => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response(),
    }
}

fn actix_serve(
    addr: SocketAddr,
    middleware: Option<jwt_guard_actix::JwtMiddleware>,
) -> Result<(), String> {
    use actix_web::{App, HttpServer, web};
    actix_web::rt::System::new()
        .block_on(async move {
            match middleware {
                None => {
                    HttpServer::new(|| App::new().route("/", web::get().to(bare_actix)))
                        .workers(1)
                        .bind(addr)?
                        .run()
                        .await
                }
                Some(middleware) => {
                    let auth = middleware.auth().clone();
                    HttpServer::new(move || {
                        let auth = auth.clone();
                        App::new()
                            .route(
                                "/stats",
                                web::get().to(move || {
                                    let body = stats(Some(&auth));
                                    async move { body }
                                }),
                            )
                            .service(
                                web::resource("/")
                                    .wrap(middleware.clone())
                                    .route(web::get().to(claims_actix)),
                            )
                    })
                    .workers(1)
                    .bind(addr)?
                    .run()
                    .await
                }
            }
        })
        .map_err(|e| format!("{addr}: {e}"))
}

async fn bare_actix() -> String {
    format!("hello {}", BARE_SUB)
}

async fn claims_actix(
    jwt_guard_actix::Claims(claims): jwt_guard_actix::Claims<BenchClaims>,
) -> String {
    format!("hello {}", claims.sub)
}
