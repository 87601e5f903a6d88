//! `cargo run --example actix_sessions`: an actix-web server that issues its own tokens, the
//! same contract as `axum_sessions.rs` (shared demo code in `examples/sessions/mod.rs`).
//!
//! - `POST /login` (JSON `{"username","password"}`; demo users `ada`/`lovelace` and
//!   `grace`/`hopper`, argon2 hashes): an RFC 6749 §5.1 token pair, or 400 `invalid_grant`.
//! - `GET /me` (access token): the verified claims.
//! - `POST /refresh` (refresh token in `Authorization`): a new pair; each refresh token is good
//!   once (rotation with reuse detection).
//! - `POST /logout` (access token): ends its login (`sid`); 204.
//! - `POST /admin/rotate-password` (a fresh access token: from a login, not a refresh).
//!
//! `JWT_GUARD_CONFIG` and `JWT_GUARD_ADDR` as in `axum_sessions.rs` (default `127.0.0.1:3001`).

use actix_web::{App, HttpResponse, HttpServer, web};
use jwt_guard_actix::{
    Claims, JwtError, JwtMiddleware, RefreshToken, RequireFresh, Verified, WithCookies,
};
use serde_json::{Value, json};

/// The demo config and users, the login check and the printed curl commands, shared with
/// `axum_sessions.rs`.
#[path = "sessions/mod.rs"]
pub(crate) mod sessions;

use sessions::{Demo, Login};

/// The app (`App::new().configure(routes(demo))`): `/`, `/login` and `/session/login` open;
/// `/me`, `/echo`, `/logout`, `/session/logout` and `/admin/rotate-password` behind the access
/// middleware (header or access cookie; the last also needs a fresh login); `/refresh` behind
/// the refresh middleware (header); `/session/refresh` behind the cookie refresh middleware
/// (header or refresh cookie).
pub(crate) fn routes(demo: Demo) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        let access = JwtMiddleware::new(demo.issuer.access_verifier().clone())
            .with_revocation(demo.store.clone())
            .with_token_locations(demo.cookies.access_locations())
            .with_session_cookies(demo.cookies.clone());
        let refresh = JwtMiddleware::new(demo.issuer.refresh_verifier().clone())
            .with_revocation(demo.store.clone());
        let cookie_refresh = JwtMiddleware::new(demo.issuer.refresh_verifier().clone())
            .with_revocation(demo.store.clone())
            .with_token_locations(demo.cookies.refresh_locations())
            .with_session_cookies(demo.cookies.clone());
        config
            .app_data(web::Data::new(demo))
            .route("/", web::get().to(page))
            .route("/login", web::post().to(login))
            .route("/session/login", web::post().to(session_login))
            .service(
                web::resource("/me")
                    .wrap(access.clone())
                    .route(web::get().to(me)),
            )
            .service(
                web::resource("/echo")
                    .wrap(access.clone())
                    .route(web::post().to(echo)),
            )
            .service(
                web::resource("/session/logout")
                    .wrap(access.clone())
                    .route(web::post().to(session_logout)),
            )
            .service(
                web::resource("/session/refresh")
                    .wrap(cookie_refresh)
                    .route(web::post().to(session_refresh)),
            )
            .service(
                web::resource("/logout")
                    .wrap(access.clone())
                    .route(web::post().to(logout)),
            )
            .service(
                web::resource("/admin/rotate-password")
                    .wrap(RequireFresh::default()) // runs after the middleware below
                    .wrap(access)
                    .route(web::post().to(rotate_password)),
            )
            .service(
                web::resource("/refresh")
                    .wrap(refresh)
                    .route(web::post().to(refresh_pair)),
            );
    }
}

async fn login(demo: web::Data<Demo>, web::Json(login): web::Json<Login>) -> HttpResponse {
    if !sessions::check_password(&login) {
        return HttpResponse::BadRequest().json(sessions::login_refused());
    }
    match demo
        .issuer
        .login(&login.username, &Demo::claims_of(&login.username))
    {
        Ok(pair) => HttpResponse::Ok().json(pair),
        Err(e) => HttpResponse::InternalServerError()
            .json(json!({"error": "server_error", "error_description": e.code()})),
    }
}

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(sessions::PAGE)
}

async fn session_login(demo: web::Data<Demo>, web::Json(login): web::Json<Login>) -> HttpResponse {
    if !sessions::check_password(&login) {
        return HttpResponse::BadRequest().json(sessions::login_refused());
    }
    match demo
        .cookies
        .login(&login.username, &Demo::claims_of(&login.username))
    {
        Ok(cookies) => {
            let mut response = HttpResponse::NoContent().finish();
            WithCookies(cookies).apply(&mut response);
            response
        }
        Err(e) => HttpResponse::InternalServerError()
            .json(json!({"error": "server_error", "error_description": e.code()})),
    }
}

async fn session_refresh(
    demo: web::Data<Demo>,
    token: RefreshToken,
) -> Result<WithCookies, JwtError> {
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

async fn session_logout(demo: web::Data<Demo>, token: Verified) -> HttpResponse {
    match demo.issuer.logout(demo.store.as_ref(), &token).await {
        Ok(()) => {
            let mut response = HttpResponse::NoContent().finish();
            WithCookies(demo.cookies.unset()).apply(&mut response);
            response
        }
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

async fn echo(web::Json(body): web::Json<Value>) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

async fn me(Claims(claims): Claims<Value>) -> HttpResponse {
    HttpResponse::Ok().json(claims)
}

async fn refresh_pair(
    demo: web::Data<Demo>,
    token: RefreshToken,
) -> Result<HttpResponse, JwtError> {
    let sub = token
        .token()
        .registered()
        .ok()
        .and_then(|r| r.sub)
        .unwrap_or_default();
    let pair = token.redeem(&demo.issuer, &Demo::claims_of(&sub)).await?;
    Ok(HttpResponse::Ok().json(pair))
}

async fn logout(demo: web::Data<Demo>, token: Verified) -> HttpResponse {
    match demo.issuer.logout(demo.store.as_ref(), &token).await {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

async fn rotate_password(Claims(claims): Claims<Value>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"rotated": true, "sub": claims.get("sub")}))
}

#[actix_web::main]
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
    sessions::warn_if_insecure(&demo);
    // Ctrl-C (SIGINT) and SIGTERM stop it gracefully: actix-web handles the signals.
    let server = HttpServer::new(move || App::new().configure(routes(demo.clone()))).bind(addr)?;
    let addr = server.addrs().first().copied().unwrap_or(addr);
    sessions::print_banner("actix-web", addr);
    server.run().await?;
    Ok(())
}
