//! Browser sessions (issue 14) over real HTTP, without a browser: the cookie flavour of the
//! sessions examples (`POST /session/login`, `/session/refresh`, `/session/logout`, `GET /me`,
//! `POST /echo`, the page at `/`) on both frameworks at once. Every `Set-Cookie` is checked
//! exactly (attributes and order; the token values replaced by `<jwt>`, the CSRF values by
//! `<csrf>`), every refusal by status, challenge and body, and both frameworks must answer
//! alike. Implicit refresh runs on a second pair of servers whose `refresh_within_secs` covers
//! the whole access lifetime.
//!
//! Run it: `cargo test -p jwt-guard --test cookies_http`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;

use jwt_guard_core::VerifierConfig;
use jwt_guard_test_support::actix_server::ActixServer;
use jwt_guard_test_support::axum_server::AxumServer;
use jwt_guard_test_support::client::{Reply, request_with_body};
use serde_json::{Value, json};

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/axum_sessions.rs"]
mod axum_sessions;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/actix_sessions.rs"]
mod actix_sessions;

const ACCESS: &str = "access_token_cookie";
const REFRESH: &str = "refresh_token_cookie";
const CSRF_ACCESS: &str = "csrf_access_token";
const CSRF_REFRESH: &str = "csrf_refresh_token";

/// What one step answered, comparable across frameworks: status, challenge, body `error`,
/// and the `Set-Cookie` values with the secrets masked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    what: &'static str,
    status: u16,
    challenge: Option<String>,
    error: Option<String>,
    set_cookies: Vec<String>,
}

/// A cookie jar of one browser-like client (name → value), and its steps.
struct Client {
    addr: SocketAddr,
    jar: BTreeMap<String, String>,
    steps: Vec<Step>,
}

/// `name=value; attributes`, the value masked: `<jwt>` for a token, `<csrf>` for a CSRF value,
/// empty stays empty.
fn masked(set_cookie: &str) -> String {
    let (pair, rest) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
    let (name, value) = pair.split_once('=').unwrap();
    let shown = if value.is_empty() {
        ""
    } else if value.matches('.').count() == 2 {
        "<jwt>"
    } else {
        "<csrf>"
    };
    format!("{name}={shown};{rest}")
}

fn claims_of(jwt: &str) -> Value {
    jwt_guard_core::dangerous::decode_unverified::<Value>(jwt)
        .unwrap()
        .claims
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            jar: BTreeMap::new(),
            steps: Vec::new(),
        }
    }

    fn cookie_header(&self, names: &[&str]) -> String {
        self.jar
            .iter()
            .filter(|(name, value)| names.contains(&name.as_str()) && !value.is_empty())
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `method path`; `cookies` names the jar's cookies to send (as a browser would for that
    /// path), `extra` more headers.
    async fn call(
        &mut self,
        what: &'static str,
        method: &str,
        path: &str,
        cookies: &[&str],
        extra: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let cookie = self.cookie_header(cookies);
        let mut headers = vec![("content-type", "application/json")];
        if !cookie.is_empty() {
            headers.push(("cookie", &cookie));
        }
        headers.extend_from_slice(extra);
        let reply = request_with_body(self.addr, method, path, &headers, body).await;
        let set_cookies = reply.header_all("set-cookie");
        for set in &set_cookies {
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.jar.insert(name.to_owned(), value.to_owned());
        }
        let error = serde_json::from_str::<Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
        self.steps.push(Step {
            what,
            status: reply.status,
            challenge: reply.www_authenticate().map(str::to_owned),
            error,
            set_cookies: set_cookies.iter().map(|s| masked(s)).collect(),
        });
        reply
    }

    fn get(&self, name: &str) -> String {
        self.jar.get(name).cloned().unwrap_or_default()
    }

    async fn login(&mut self) -> Reply {
        let body = json!({"username": "ada", "password": "lovelace"}).to_string();
        self.call("login", "POST", "/session/login", &[], &[], &body)
            .await
    }
}

/// The four cookies of a login or a refresh, as the demo config sets them (`secure = false`:
/// plain-http development).
fn issued() -> Vec<String> {
    vec![
        format!("{ACCESS}=<jwt>; HttpOnly; SameSite=Lax; Path=/; Max-Age=900"),
        format!("{CSRF_ACCESS}=<csrf>; SameSite=Lax; Path=/; Max-Age=900"),
        format!("{REFRESH}=<jwt>; HttpOnly; SameSite=Strict; Path=/session/refresh; Max-Age=86400"),
        format!("{CSRF_REFRESH}=<csrf>; SameSite=Strict; Path=/; Max-Age=86400"),
    ]
}

/// The four cookies unset: the same attributes, empty, `Max-Age=0`.
fn unset() -> Vec<String> {
    vec![
        format!("{ACCESS}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"),
        format!("{CSRF_ACCESS}=; SameSite=Lax; Path=/; Max-Age=0"),
        format!("{REFRESH}=; HttpOnly; SameSite=Strict; Path=/session/refresh; Max-Age=0"),
        format!("{CSRF_REFRESH}=; SameSite=Strict; Path=/; Max-Age=0"),
    ]
}

#[track_caller]
fn assert_csrf_refused(reply: &Reply) {
    assert_eq!(
        (reply.status, reply.www_authenticate(), reply.json()),
        (
            403,
            None,
            json!({"error": "csrf_failed", "error_description": "the request does not carry the CSRF token of its session cookie"})
        ),
        "{reply:?}"
    );
}

/// The cookie flow against the server at `addr`; returns its steps.
async fn cookie_flow(addr: SocketAddr) -> Vec<Step> {
    let mut c = Client::new(addr);
    let page = c.call("page", "GET", "/", &[], &[], "").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("X-CSRF-Token"), "{}", page.body);

    let wrong = json!({"username": "ada", "password": "nope"}).to_string();
    let reply = c
        .call("wrong password", "POST", "/session/login", &[], &[], &wrong)
        .await;
    assert_eq!(
        (reply.status, reply.header_all("set-cookie").len()),
        (400, 0)
    );

    let reply = c.login().await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(c.steps.last().unwrap().set_cookies, issued());
    let access = c.get(ACCESS);
    let claims = claims_of(&access);
    assert_eq!(claims["csrf"].as_str(), Some(c.get(CSRF_ACCESS).as_str()));
    assert_eq!(
        claims_of(&c.get(REFRESH))["csrf"].as_str(),
        Some(c.get(CSRF_REFRESH).as_str())
    );

    // A safe method needs no CSRF header.
    let reply = c.call("me", "GET", "/me", &[ACCESS], &[], "").await;
    assert_eq!(
        (reply.status, reply.json()["sub"].clone()),
        (200, json!("ada"))
    );
    assert!(
        reply.header_all("set-cookie").is_empty(),
        "implicit refresh is off by default"
    );

    // An unsafe one needs the header equal to the token's csrf claim.
    let csrf = c.get(CSRF_ACCESS);
    let reply = c
        .call(
            "echo",
            "POST",
            "/echo",
            &[ACCESS],
            &[("x-csrf-token", &csrf)],
            r#"{"a":1}"#,
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({"a": 1})),
        "{reply:?}"
    );
    assert_csrf_refused(
        &c.call("echo without csrf", "POST", "/echo", &[ACCESS], &[], "{}")
            .await,
    );
    assert_csrf_refused(
        &c.call(
            "echo wrong csrf",
            "POST",
            "/echo",
            &[ACCESS],
            &[("x-csrf-token", "nope")],
            "{}",
        )
        .await,
    );
    let refresh_csrf = c.get(CSRF_REFRESH);
    assert_csrf_refused(
        &c.call(
            "echo with the refresh csrf",
            "POST",
            "/echo",
            &[ACCESS],
            &[("x-csrf-token", &refresh_csrf)],
            "{}",
        )
        .await,
    );
    // A plain HTML form post: a cookie and no header.
    let reply = c
        .call(
            "form post",
            "POST",
            "/echo",
            &[ACCESS],
            &[("content-type", "application/x-www-form-urlencoded")],
            "a=1",
        )
        .await;
    assert_csrf_refused(&reply);

    // The Authorization header is exempt; header and cookie together stay invalid_request.
    let bearer = format!("Bearer {access}");
    let reply = c
        .call(
            "echo by header",
            "POST",
            "/echo",
            &[],
            &[("authorization", &bearer)],
            r#"{"b":2}"#,
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({"b": 2})),
        "{reply:?}"
    );
    let reply = c
        .call(
            "header and cookie",
            "GET",
            "/me",
            &[ACCESS],
            &[("authorization", &bearer)],
            "",
        )
        .await;
    reply.assert_rejected_in(
        "api",
        400,
        "invalid_request",
        "the request carries the access token in more than one place",
    );

    // Refresh: the refresh cookie and its CSRF value; the cookies rotate.
    assert_csrf_refused(
        &c.call(
            "refresh without csrf",
            "POST",
            "/session/refresh",
            &[REFRESH],
            &[],
            "",
        )
        .await,
    );
    let old_refresh = c.get(REFRESH);
    let reply = c
        .call(
            "refresh",
            "POST",
            "/session/refresh",
            &[REFRESH],
            &[("x-csrf-token", &refresh_csrf)],
            "",
        )
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(c.steps.last().unwrap().set_cookies, issued());
    assert_ne!(c.get(ACCESS), access);
    assert_ne!(c.get(REFRESH), old_refresh);
    assert_ne!(c.get(CSRF_ACCESS), csrf);
    assert_eq!(claims_of(&c.get(ACCESS))["fresh"], json!(false));
    // The used refresh cookie again: refused.
    let mut thief = Client::new(addr);
    thief.jar.insert(REFRESH.to_owned(), old_refresh);
    let reply = thief
        .call(
            "reuse",
            "POST",
            "/session/refresh",
            &[REFRESH],
            &[("x-csrf-token", &refresh_csrf)],
            "",
        )
        .await;
    reply.assert_rejected_in(
        "api",
        401,
        "invalid_token",
        "the refresh token has already been used",
    );

    // Logout: CSRF applies; the cookies are unset and the login ends.
    assert_csrf_refused(
        &c.call(
            "logout without csrf",
            "POST",
            "/session/logout",
            &[ACCESS],
            &[],
            "",
        )
        .await,
    );
    let access = c.get(ACCESS);
    let csrf = c.get(CSRF_ACCESS);
    let reply = c
        .call(
            "logout",
            "POST",
            "/session/logout",
            &[ACCESS],
            &[("x-csrf-token", &csrf)],
            "",
        )
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(c.steps.last().unwrap().set_cookies, unset());
    assert!(
        c.cookie_header(&[ACCESS, REFRESH, CSRF_ACCESS, CSRF_REFRESH])
            .is_empty()
    );
    c.jar.insert(ACCESS.to_owned(), access);
    c.call("me after logout", "GET", "/me", &[ACCESS], &[], "")
        .await
        .assert_rejected_in("api", 401, "invalid_token", "the token has been revoked");
    c.steps.extend(thief.steps);
    c.steps
}

/// With `refresh_within_secs` covering the whole access lifetime, every request with the
/// access cookie gets a fresh one keeping the `csrf` value; a header-borne token does not.
async fn implicit_refresh(addr: SocketAddr) -> Vec<Step> {
    let mut c = Client::new(addr);
    assert_eq!(c.login().await.status, 204);
    let first = c.get(ACCESS);
    let csrf = c.get(CSRF_ACCESS);
    let reply = c.call("me", "GET", "/me", &[ACCESS], &[], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        c.steps.last().unwrap().set_cookies,
        vec![
            format!("{ACCESS}=<jwt>; HttpOnly; SameSite=Lax; Path=/; Max-Age=900"),
            format!("{CSRF_ACCESS}=<csrf>; SameSite=Lax; Path=/; Max-Age=900"),
        ]
    );
    assert_eq!(c.get(CSRF_ACCESS), csrf, "the CSRF value stays");
    let second = c.get(ACCESS);
    assert_ne!(second, first);
    let (a, b) = (claims_of(&first), claims_of(&second));
    assert_eq!(b["csrf"].as_str(), Some(csrf.as_str()));
    assert_eq!(
        (b["sid"].clone(), b["sub"].clone()),
        (a["sid"].clone(), a["sub"].clone())
    );
    assert_ne!(a["jti"], b["jti"]);
    assert_eq!(b["fresh"], json!(false));
    // The old cookie still works (it expires soon), with the same CSRF header.
    c.jar.insert(ACCESS.to_owned(), first.clone());
    let reply = c
        .call(
            "echo old cookie",
            "POST",
            "/echo",
            &[ACCESS],
            &[("x-csrf-token", &csrf)],
            "{}",
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // A refused request gets no new cookie.
    let reply = c
        .call("refused", "POST", "/echo", &[ACCESS], &[], "{}")
        .await;
    assert_csrf_refused(&reply);
    assert!(reply.header_all("set-cookie").is_empty());
    // A header-borne token is not refreshed.
    let bearer = format!("Bearer {first}");
    let reply = c
        .call(
            "by header",
            "GET",
            "/me",
            &[],
            &[("authorization", &bearer)],
            "",
        )
        .await;
    assert_eq!(
        (reply.status, reply.header_all("set-cookie").len()),
        (200, 0)
    );
    c.steps
}

fn config(extra: &str) -> VerifierConfig {
    let text = axum_sessions::sessions::DEMO_CONFIG
        .replace("secure = false", &format!("secure = false\n{extra}"));
    VerifierConfig::from_toml(&text).unwrap()
}

fn servers(config: &VerifierConfig) -> (AxumServer, ActixServer) {
    let axum_demo = axum_sessions::sessions::Demo::from_config(config).unwrap();
    let actix_demo = actix_sessions::sessions::Demo::from_config(config).unwrap();
    let axum = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current()
            .block_on(AxumServer::router(axum_sessions::router(axum_demo)))
    });
    let actix = ActixServer::app(move || {
        actix_web::App::new().configure(actix_sessions::routes(actix_demo.clone()))
    });
    (axum, actix)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cookie_sessions_answer_alike_on_both_frameworks() {
    let (axum, actix) = servers(&config(""));
    let (a, b) = tokio::join!(
        tokio::spawn(cookie_flow(axum.addr())),
        tokio::spawn(cookie_flow(actix.addr()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "axum and actix-web answered differently");
    assert_eq!(a.len(), 17, "{a:#?}");
    axum.stop().await;
    actix.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn implicit_refresh_answers_alike_on_both_frameworks() {
    let (axum, actix) = servers(&config("refresh_within_secs = 901"));
    let (a, b) = tokio::join!(
        tokio::spawn(implicit_refresh(axum.addr())),
        tokio::spawn(implicit_refresh(actix.addr()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "axum and actix-web answered differently");
    axum.stop().await;
    actix.stop().await;
}
