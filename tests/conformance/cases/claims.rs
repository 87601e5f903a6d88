//! Claim rules and roles (`/claims/*`, `/roles/*`, see `apps::Claims`): a verifier-level claim
//! rule refuses with 401 `invalid_token` (`claim_rejected`); a route's `RequireRoles` or
//! `RequireClaims` refuses an authenticated token with 403, challenge `insufficient_scope`
//! without a `scope` attribute, body `insufficient_role`.
//!
//! | path | setup |
//! |---|---|
//! | `/claims/me` | as `/me`, the verifier with the rule `token_use = "access"` |
//! | `/roles/any` | as `/me`, role sources `/realm_access/roles` and `cognito:groups`, `RequireRoles::any(["admin", "editor"])`; answers `{"admin": true}` |
//! | `/roles/all` | as `/roles/any`, `RequireRoles::all(["admin", "auditor"])` |
//! | `/roles/nosource` | as `/me` (no role source), `RequireRoles::any(["admin"])`: a deployment mistake, 500 |
//! | `/roles/verified` | as `/me`, `RequireClaims::rules([email_verified = true])` |

use serde_json::json;

use super::{Carry, Case, Expect, case, invalid_token, missing, ok};
use crate::keys::*;

const CLAIM_REJECTED: &str = "the token is not accepted by a claim rule";

/// The 403 of a route guard: challenge `insufficient_scope` without `scope`, body
/// `insufficient_role`.
fn forbidden(description: &str) -> Expect {
    Expect {
        status: 403,
        www_authenticate: Some(format!(
            "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", error_description=\"{description}\""
        )),
        body: json!({"error": "insufficient_role", "error_description": description}),
    }
}

const ROLE_MISSING: &str = "a required role is missing";
const CLAIM_MISSING: &str = "a required claim is missing";

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    let me = || ok(json!({"sub": "ada", "alg": "HS256"}));
    let admin = || ok(json!({"admin": true}));

    // --- Verifier-level rule: 401 claim_rejected.
    t.push(case(
        "claim rule: token_use = access passes",
        "/claims/me",
        vec![Bearer(token(json!({"token_use": "access"})))],
        me(),
    ));
    t.push(case(
        "claim rule: token_use = id is claim_rejected",
        "/claims/me",
        vec![Bearer(token(json!({"token_use": "id"})))],
        invalid_token(CLAIM_REJECTED),
    ));
    t.push(case(
        "claim rule: no token_use is claim_rejected",
        "/claims/me",
        vec![Bearer(token(json!({})))],
        invalid_token(CLAIM_REJECTED),
    ));
    t.push(case(
        "claim rule: the rule does not apply to other routes",
        "/me",
        vec![Bearer(token(json!({"token_use": "id"})))],
        me(),
    ));

    // --- RequireRoles::any over two sources (their union).
    t.push(case(
        "roles any: a realm role",
        "/roles/any",
        vec![Bearer(token(
            json!({"realm_access": {"roles": ["user", "editor"]}}),
        ))],
        admin(),
    ));
    t.push(case(
        "roles any: a group in a space-separated string",
        "/roles/any",
        vec![Bearer(token(json!({"cognito:groups": "staff admin"})))],
        admin(),
    ));
    t.push(case(
        "roles any: none of them",
        "/roles/any",
        vec![Bearer(token(
            json!({"realm_access": {"roles": ["user"]}, "cognito:groups": ["staff"]}),
        ))],
        forbidden(ROLE_MISSING),
    ));
    t.push(case(
        "roles any: no role claim at all",
        "/roles/any",
        vec![Bearer(token(json!({"scope": "admin"})))],
        forbidden(ROLE_MISSING),
    ));
    t.push(case(
        "roles any: a role named like another source's path is not a role",
        "/roles/any",
        vec![Bearer(token(json!({"roles": ["admin"]})))],
        forbidden(ROLE_MISSING),
    ));
    t.push(case(
        "roles any: a role claim of the wrong type",
        "/roles/any",
        vec![Bearer(token(json!({"cognito:groups": 7})))],
        invalid_token("the token cognito:groups claim is invalid"),
    ));
    t.push(case("roles any: no token", "/roles/any", vec![], missing()));
    t.push(case(
        "roles any: an expired token is 401 before the guard",
        "/roles/any",
        vec![Bearer(token(
            json!({"exp": 1_000_000_000, "cognito:groups": ["admin"]}),
        ))],
        invalid_token("the token has expired"),
    ));

    // --- RequireRoles::all.
    t.push(case(
        "roles all: both, from two sources",
        "/roles/all",
        vec![Bearer(token(
            json!({"realm_access": {"roles": ["admin"]}, "cognito:groups": ["auditor"]}),
        ))],
        admin(),
    ));
    t.push(case(
        "roles all: one missing",
        "/roles/all",
        vec![Bearer(token(json!({"realm_access": {"roles": ["admin"]}})))],
        forbidden(ROLE_MISSING),
    ));

    // --- No role source: a deployment mistake.
    t.push(case(
        "roles: a guard under a middleware without role sources",
        "/roles/nosource",
        vec![Bearer(token(json!({"roles": ["admin"]})))],
        Expect {
            status: 500,
            www_authenticate: None,
            body: json!({"error": "server_error", "error_description": "the server is misconfigured"}),
        },
    ));

    // --- RequireClaims.
    t.push(case(
        "require claims: email_verified = true",
        "/roles/verified",
        vec![Bearer(token(json!({"email_verified": true})))],
        admin(),
    ));
    t.push(case(
        "require claims: email_verified = false",
        "/roles/verified",
        vec![Bearer(token(json!({"email_verified": false})))],
        forbidden(CLAIM_MISSING),
    ));
    t.push(case(
        "require claims: email_verified = \"true\" (no coercion)",
        "/roles/verified",
        vec![Bearer(token(json!({"email_verified": "true"})))],
        forbidden(CLAIM_MISSING),
    ));
    t.push(case(
        "require claims: no email_verified",
        "/roles/verified",
        vec![Bearer(token(json!({})))],
        forbidden(CLAIM_MISSING),
    ));
    t.push(case(
        "require claims: no token",
        "/roles/verified",
        vec![],
        missing(),
    ));
}
