//! Custom checks on the middleware (`/check/*`, see `apps::sync_check` and `apps::async_check`):
//! after verification, the check's `Denial` answers 401 `invalid_token` or 403
//! `insufficient_scope` (no `scope` attribute) with the check's description; an anonymous
//! request in optional mode is not checked.
//!
//! | path | setup |
//! |---|---|
//! | `/check/me` | as `/me`, `.check(sync_check)`: `suspended = true` → 403 "the account is suspended"; a `tenant` other than `acme` → 401 "the token is for another tenant" |
//! | `/check/async` | as `/me`, `.check_async(async_check)`: subject `mallory` (looked up after a yield) → 403 "the user is blocked" |
//! | `/check/optional` | as `/optional/me`, `.check(sync_check)` |

use serde_json::json;

use super::{Carry, Case, Expect, case, invalid_token, ok};
use crate::keys::*;

fn forbidden(description: &str) -> Expect {
    Expect {
        status: 403,
        www_authenticate: Some(format!(
            "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", error_description=\"{description}\""
        )),
        body: json!({"error": "insufficient_scope", "error_description": description}),
    }
}

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    let me = |sub: &str| ok(json!({"sub": sub, "alg": "HS256"}));
    t.push(case(
        "check: a token the check accepts",
        "/check/me",
        vec![Bearer(token(json!({"tenant": "acme"})))],
        me("ada"),
    ));
    t.push(case(
        "check: 403 of the check",
        "/check/me",
        vec![Bearer(token(json!({"suspended": true})))],
        forbidden("the account is suspended"),
    ));
    t.push(case(
        "check: 401 of the check",
        "/check/me",
        vec![Bearer(token(json!({"tenant": "globex"})))],
        invalid_token("the token is for another tenant"),
    ));
    t.push(case(
        "check: an expired token never reaches the check",
        "/check/me",
        vec![Bearer(token(
            json!({"exp": 1_000_000_000, "suspended": true}),
        ))],
        invalid_token("the token has expired"),
    ));
    t.push(case(
        "check async: a user it finds",
        "/check/async",
        vec![Bearer(token(json!({})))],
        me("ada"),
    ));
    t.push(case(
        "check async: 403 of the async check",
        "/check/async",
        vec![Bearer(token(json!({"sub": "mallory"})))],
        forbidden("the user is blocked"),
    ));
    t.push(case(
        "check optional: anonymous requests are not checked",
        "/check/optional",
        vec![],
        ok(json!({"sub": null})),
    ));
    t.push(case(
        "check optional: a token is",
        "/check/optional",
        vec![Bearer(token(json!({"suspended": true})))],
        forbidden("the account is suspended"),
    ));
}
