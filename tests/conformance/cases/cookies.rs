//! Browser sessions in cookies (`/cookies/*`, see `apps::Setup::cookies`): the cookie login's
//! four `Set-Cookie`s with their exact attributes, the CSRF double-submit rule (403
//! `csrf_failed` for a cookie-borne token on `POST` without the right header; safe methods and
//! `Authorization` tokens exempt), RFC 6750 strictness (header and cookie: 400), and implicit
//! refresh on the response. The stateful flows (refresh, logout) run in
//! `tests/cookies_http.rs`; the page in a browser in `tests/browser_sessions.rs`.
//!
//! | path | setup |
//! |---|---|
//! | `POST /cookies/login` | `SessionCookies::login("ada")`: 204 and the cookies |
//! | `/cookies/me` (GET and POST) | the issuer's access verifier, the header or the access cookie, `with_session_cookies` (default settings) |
//! | `/cookies/refreshing/me` | the same with an issuer of 60 s access tokens and `refresh_within` 300 s: every cookie-borne token is refreshed on the response |

use jwt_guard_core::Algorithm;
use jwt_guard_core::sessions::TokenIssuer;
use jwt_guard_core::sessions::cookies::{CookieSettings, SessionCookies};
use serde_json::json;

use super::{Carry, Case, Expect, case, ok};
use crate::keys::*;

/// The two cookie setups both apps serve: default settings, and implicit refresh on every
/// cookie-borne token.
pub(crate) fn setups() -> (SessionCookies, SessionCookies) {
    let issuer = |ttl: u64| {
        TokenIssuer::builder(signing_key(Algorithm::HS256), Algorithm::HS256)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .access_ttl(std::time::Duration::from_secs(ttl))
            .build()
            .unwrap()
    };
    (
        SessionCookies::new(issuer(900), CookieSettings::default()).unwrap(),
        SessionCookies::new(
            issuer(60),
            CookieSettings::default().with_refresh_within(std::time::Duration::from_secs(300)),
        )
        .unwrap(),
    )
}

/// A cookie login's access token and its CSRF value.
fn login(cookies: &SessionCookies) -> (String, String) {
    let set = cookies.login("ada", &json!({})).unwrap();
    let value = |name: &str| {
        set.values()
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned()
    };
    (value("access_token_cookie"), value("csrf_access_token"))
}

fn csrf_failed() -> Expect {
    Expect {
        status: 403,
        www_authenticate: None,
        body: json!({
            "error": "csrf_failed",
            "error_description": "the request does not carry the CSRF token of its session cookie"
        }),
    }
}

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    let (plain, refreshing) = setups();
    let (access, csrf) = login(&plain);
    let me = || ok(json!({"sub": "ada", "alg": "HS256"}));
    let cookie = || Cookie(format!("access_token_cookie={access}"));
    t.push(
        case(
            "cookies: login sets the four cookies",
            "/cookies/login",
            vec![],
            Expect {
                status: 204,
                www_authenticate: None,
                body: json!(null),
            },
        )
        .with_method("POST")
        .with_set_cookies(vec![
            "access_token_cookie=<jwt>; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=900".into(),
            "csrf_access_token=<csrf>; SameSite=Lax; Secure; Path=/; Max-Age=900".into(),
            "refresh_token_cookie=<jwt>; HttpOnly; SameSite=Strict; Secure; Path=/session/refresh; Max-Age=2592000".into(),
            "csrf_refresh_token=<csrf>; SameSite=Strict; Secure; Path=/; Max-Age=2592000".into(),
        ]),
    );
    t.push(case(
        "cookies: GET with the access cookie, no CSRF header",
        "/cookies/me",
        vec![cookie()],
        me(),
    ));
    t.push(
        case(
            "cookies: POST with the access cookie, no CSRF header",
            "/cookies/me",
            vec![cookie()],
            csrf_failed(),
        )
        .with_method("POST"),
    );
    t.push(
        case(
            "cookies: POST with the access cookie, a wrong CSRF header",
            "/cookies/me",
            vec![cookie(), Header("x-csrf-token", "not-the-value".into())],
            csrf_failed(),
        )
        .with_method("POST"),
    );
    t.push(
        case(
            "cookies: POST with the access cookie and its CSRF header",
            "/cookies/me",
            vec![cookie(), Header("x-csrf-token", csrf.clone())],
            me(),
        )
        .with_method("POST"),
    );
    t.push(
        case(
            "cookies: POST with the Authorization header needs no CSRF header",
            "/cookies/me",
            vec![Bearer(access.clone())],
            me(),
        )
        .with_method("POST"),
    );
    t.push(case(
        "cookies: token in the header and the cookie",
        "/cookies/me",
        vec![Bearer(access.clone()), cookie()],
        super::invalid_request("the request carries the access token in more than one place"),
    ));
    let (near, _) = login(&refreshing);
    t.push(
        case(
            "cookies: implicit refresh of a cookie token near its expiry",
            "/cookies/refreshing/me",
            vec![Cookie(format!("access_token_cookie={near}"))],
            me(),
        )
        .with_set_cookies(vec![
            "access_token_cookie=<jwt>; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=60".into(),
            "csrf_access_token=<csrf>; SameSite=Lax; Secure; Path=/; Max-Age=60".into(),
        ]),
    );
    t.push(case(
        "cookies: no implicit refresh for a header token",
        "/cookies/refreshing/me",
        vec![Bearer(near)],
        me(),
    ));
}
