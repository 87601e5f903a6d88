//! `CurrentUser<U>` (`/user/*`, see `apps::AppUsers`): the loader maps `sub` to a user (`ghost`
//! has none, `broken` makes it fail), at most once per request.
//!
//! | path | setup |
//! |---|---|
//! | `/user/me` | as `/me`; the handler takes `CurrentUser<AppUser>` twice and answers `{"name", "same_load"}` (`same_load`: both are the one load of this request) |
//! | `/user/optional` | as `/optional/me`, the same handler |

use serde_json::json;

use super::{Carry, Case, Expect, case, invalid_token, missing, ok};
use crate::keys::*;

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    t.push(case(
        "current user: loaded once per request",
        "/user/me",
        vec![Bearer(token(json!({})))],
        ok(json!({"name": "ada", "same_load": true})),
    ));
    t.push(case(
        "current user: no user for the token",
        "/user/me",
        vec![Bearer(token(json!({"sub": "ghost"})))],
        invalid_token("no user matches the token"),
    ));
    t.push(case(
        "current user: the loader fails",
        "/user/me",
        vec![Bearer(token(json!({"sub": "broken"})))],
        Expect {
            status: 500,
            www_authenticate: None,
            body: json!({"error": "server_error", "error_description": "the user could not be loaded"}),
        },
    ));
    t.push(case(
        "current user: an invalid token never reaches the loader",
        "/user/me",
        vec![Bearer(token(
            json!({"sub": "broken", "exp": 1_000_000_000}),
        ))],
        invalid_token("the token has expired"),
    ));
    t.push(case(
        "current user: anonymous under an optional middleware",
        "/user/optional",
        vec![],
        missing(),
    ));
    t.push(case(
        "current user: a token under an optional middleware",
        "/user/optional",
        vec![Bearer(token(json!({})))],
        ok(json!({"name": "ada", "same_load": true})),
    ));
}
