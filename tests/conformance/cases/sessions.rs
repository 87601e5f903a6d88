//! Issued tokens (`/sessions/*`, see `apps::Setup::sessions`): the answers that do not depend
//! on state (the stateful lifecycle runs in `tests/sessions_http.rs`): type confusion both
//! ways (and Flask-JWT-Extended's `type` claim on any route), refused refresh tokens, and
//! `RequireFresh`.
//!
//! | path | setup |
//! |---|---|
//! | `/sessions/me` | as `/me`, `JwtLayer::new(issuer.access_verifier())` with a memory store |
//! | `/sessions/fresh` | as `/sessions/me`, plus `RequireFresh` |
//! | `/sessions/refresh` | `JwtLayer::new(issuer.refresh_verifier())`, the handler redeems with `RefreshToken` (only refusals are rows: a redemption changes the store) |

use jwt_guard_core::sessions::TokenIssuer;
use jwt_guard_core::{Algorithm, Key, Signer};
use serde_json::{Value, json};

use super::{Carry, Case, Expect, case, invalid_token, missing, ok};
use crate::keys::*;

/// The issuer both apps verify with (the HS256 fixture key, kid `hs256`).
pub(crate) fn issuer() -> TokenIssuer {
    TokenIssuer::builder(signing_key(Algorithm::HS256), Algorithm::HS256)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap()
}

/// A token with this header `typ` and these claims over the usual ones, signed with `key`
/// (which carries its `kid`).
fn typed(key: Key, typ: &str, extra: Value) -> String {
    Signer::new(key, Algorithm::HS256)
        .unwrap()
        .with_typ(Some(typ))
        .encode(&claims(extra))
        .unwrap()
}

fn server_key() -> Key {
    signing_key(Algorithm::HS256)
}

fn not_fresh() -> Expect {
    let description = "a fresh login is required";
    Expect {
        status: 401,
        www_authenticate: Some(format!(
            "Bearer realm=\"{REALM}\", error=\"insufficient_user_authentication\", error_description=\"{description}\""
        )),
        body: json!({"error": "insufficient_user_authentication", "error_description": description}),
    }
}

const REFRESH_AT_ACCESS: &str = "a refresh token was presented where an access token is required";
const ACCESS_AT_REFRESH: &str = "an access token was presented where a refresh token is required";

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    let pair = issuer().login("ada", &json!({})).unwrap();
    let me = || ok(json!({"sub": "ada", "alg": "HS256"}));
    t.push(case(
        "sessions: issued access token on an access route",
        "/sessions/me",
        vec![Bearer(pair.access_token.clone())],
        me(),
    ));
    t.push(case(
        "sessions: issued refresh token on an access route",
        "/sessions/me",
        vec![Bearer(pair.refresh_token.clone())],
        invalid_token(REFRESH_AT_ACCESS),
    ));
    t.push(case(
        "sessions: refresh+jwt token on a plain route",
        "/me",
        vec![Bearer(typed(server_key(), "refresh+jwt", json!({})))],
        invalid_token(REFRESH_AT_ACCESS),
    ));
    t.push(case(
        "sessions: Flask-JWT-Extended refresh token (type claim) on a plain route",
        "/me",
        vec![Bearer(token(
            json!({"type": "refresh", "fresh": false, "jti": "j"}),
        ))],
        invalid_token(REFRESH_AT_ACCESS),
    ));
    t.push(case(
        "sessions: Flask-JWT-Extended access token (type claim) on a plain route",
        "/me",
        vec![Bearer(token(
            json!({"type": "access", "fresh": false, "jti": "j"}),
        ))],
        me(),
    ));
    t.push(case(
        "sessions: access token on the refresh route",
        "/sessions/refresh",
        vec![Bearer(pair.access_token.clone())],
        invalid_token(ACCESS_AT_REFRESH),
    ));
    t.push(case(
        "sessions: expired refresh token",
        "/sessions/refresh",
        vec![Bearer(typed(
            server_key(),
            "refresh+jwt",
            json!({"exp": 1_000_000_000, "jti": "r", "sid": "s"}),
        ))],
        invalid_token("the token has expired"),
    ));
    t.push(case(
        "sessions: refresh token signed by another key",
        "/sessions/refresh",
        vec![Bearer(typed(
            other_key(Algorithm::HS256).with_kid(kid(Algorithm::HS256)),
            "refresh+jwt",
            json!({"jti": "r", "sid": "s"}),
        ))],
        invalid_token("the token signature is invalid"),
    ));
    t.push(case(
        "sessions: no token on the refresh route",
        "/sessions/refresh",
        vec![],
        missing(),
    ));
    t.push(case(
        "sessions: fresh token on a fresh route",
        "/sessions/fresh",
        vec![Bearer(pair.access_token)],
        me(),
    ));
    t.push(case(
        "sessions: refreshed (fresh: false) token on a fresh route",
        "/sessions/fresh",
        vec![Bearer(typed(
            server_key(),
            "at+jwt",
            json!({"fresh": false}),
        ))],
        not_fresh(),
    ));
    t.push(case(
        "sessions: token fresh until a past time on a fresh route",
        "/sessions/fresh",
        vec![Bearer(typed(
            server_key(),
            "at+jwt",
            json!({"fresh": 1_000_000_000}),
        ))],
        not_fresh(),
    ));
    t.push(case(
        "sessions: token without fresh on a fresh route",
        "/sessions/fresh",
        vec![Bearer(typed(server_key(), "at+jwt", json!({})))],
        not_fresh(),
    ));
    t.push(case(
        "sessions: no token on a fresh route",
        "/sessions/fresh",
        vec![],
        missing(),
    ));
}
