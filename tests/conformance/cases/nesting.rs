//! Nested layers (`/nest/<combo>/*`, see `apps::Nesting`): an outer layer over
//! `/nest/<combo>/me` and the nested `/nest/<combo>/api/*`, an inner layer over the latter. What
//! a handler or a scope guard under the inner layer sees is exactly what the inner layer
//! verified, or nothing: never a token only the outer layer verified (with another key,
//! audience or location). The realm of each answer names the layer that gave it.
//!
//! | combo | outer | inner |
//! |---|---|---|
//! | `oo` | optional, key A, aud `web`, cookie `session`, realm `outer` | optional, key B, aud `partner-api`, `Authorization`, realm `inner` |
//! | `ro` | required, as above | optional, as above |
//! | `or` | optional | required |
//! | `rr` | required | required |
//! | `same` | optional, as above | optional, key A, aud `partner-api`, the same cookie `session` |

use serde_json::json;

use super::{Carry, Case, Expect, case, ok};
use crate::keys::*;
use jwt_guard_core::{Algorithm, Key, Signer};
use serde_json::Value;

/// A token for the outer layer (key A, aud `web`, `sub` `ada`) with `extra` claims.
fn token_a(extra: Value) -> String {
    mint(
        nest_key_a(),
        json!({"aud": NEST_AUDIENCE_A, "sub": "ada"}),
        extra,
    )
}

/// A token for the inner layer (key B, aud `partner-api`, `sub` `bea`) with `extra` claims.
fn token_b(extra: Value) -> String {
    mint(
        nest_key_b(),
        json!({"aud": NEST_AUDIENCE_B, "sub": "bea"}),
        extra,
    )
}

fn mint(key: Key, base: Value, extra: Value) -> String {
    let mut claims = claims(base);
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        map.extend(extra);
    }
    Signer::new(key, Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

fn sub(sub: Option<&str>) -> Expect {
    ok(json!({ "sub": sub }))
}

fn missing(realm: &str) -> Expect {
    Expect {
        status: 401,
        www_authenticate: Some(format!("Bearer realm=\"{realm}\"")),
        body: json!({"error": "missing_token", "error_description": "an access token is required"}),
    }
}

fn invalid_token(realm: &str, description: &str) -> Expect {
    Expect {
        status: 401,
        www_authenticate: Some(format!(
            "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{description}\""
        )),
        body: json!({"error": "invalid_token", "error_description": description}),
    }
}

fn insufficient_scope(realm: &str, scope: &str) -> Expect {
    let description = "the token lacks a required scope";
    Expect {
        status: 403,
        www_authenticate: Some(format!(
            "Bearer realm=\"{realm}\", error=\"insufficient_scope\", error_description=\"{description}\", scope=\"{scope}\""
        )),
        body: json!({"error": "insufficient_scope", "error_description": description}),
    }
}

pub(crate) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    let admin_a = || Cookie(format!("session={}", token_a(json!({"scope": "admin"}))));
    let plain_b = || Bearer(token_b(json!({"scope": "read"})));
    let admin_b = || Bearer(token_b(json!({"scope": "admin"})));

    // --- Optional inside optional, different locations: the report.
    t.push(case(
        "nest oo: outer token, outer route sees it",
        "/nest/oo/me",
        vec![admin_a()],
        sub(Some("ada")),
    ));
    t.push(case(
        "nest oo: outer token only, inner Option<Claims> is None",
        "/nest/oo/api/me",
        vec![admin_a()],
        sub(None),
    ));
    t.push(case(
        "nest oo: outer token only, inner Claims is missing",
        "/nest/oo/api/claims",
        vec![admin_a()],
        missing("inner"),
    ));
    t.push(case(
        "nest oo: outer token with admin scope, inner scope guard refuses as missing",
        "/nest/oo/api/admin",
        vec![admin_a()],
        missing("inner"),
    ));
    t.push(case(
        "nest oo: both tokens, inner sees its own",
        "/nest/oo/api/me",
        vec![admin_a(), plain_b()],
        sub(Some("bea")),
    ));
    t.push(case(
        "nest oo: both tokens, inner scope guard checks the inner token's scope",
        "/nest/oo/api/admin",
        vec![admin_a(), plain_b()],
        insufficient_scope("inner", "admin"),
    ));
    t.push(case(
        "nest oo: inner token with admin scope",
        "/nest/oo/api/admin",
        vec![admin_b()],
        ok(json!({"admin": true})),
    ));
    t.push(case(
        "nest oo: no token",
        "/nest/oo/api/me",
        vec![],
        sub(None),
    ));
    t.push(case(
        "nest oo: inner token in the outer location is the outer layer's to refuse",
        "/nest/oo/api/me",
        vec![Cookie(format!("session={}", token_b(json!({}))))],
        invalid_token("outer", "no key matches the token"),
    ));

    // --- Optional inside required.
    t.push(case(
        "nest ro: outer token only, inner Option<Claims> is None",
        "/nest/ro/api/me",
        vec![admin_a()],
        sub(None),
    ));
    t.push(case(
        "nest ro: outer token with admin scope, inner scope guard refuses as missing",
        "/nest/ro/api/admin",
        vec![admin_a()],
        missing("inner"),
    ));
    t.push(case(
        "nest ro: inner token without the outer one is refused by the outer layer",
        "/nest/ro/api/me",
        vec![plain_b()],
        missing("outer"),
    ));
    t.push(case(
        "nest ro: both tokens, inner sees its own",
        "/nest/ro/api/me",
        vec![admin_a(), plain_b()],
        sub(Some("bea")),
    ));

    // --- Required inside optional.
    t.push(case(
        "nest or: outer token only, the inner layer requires its own",
        "/nest/or/api/me",
        vec![admin_a()],
        missing("inner"),
    ));
    t.push(case(
        "nest or: inner token only",
        "/nest/or/api/claims",
        vec![plain_b()],
        sub(Some("bea")),
    ));

    // --- Required inside required.
    t.push(case(
        "nest rr: both tokens, inner scope guard checks the inner token's scope",
        "/nest/rr/api/admin",
        vec![admin_a(), plain_b()],
        insufficient_scope("inner", "admin"),
    ));
    t.push(case(
        "nest rr: both tokens, inner sees its own",
        "/nest/rr/api/claims",
        vec![admin_a(), plain_b()],
        sub(Some("bea")),
    ));
    t.push(case(
        "nest rr: outer token only",
        "/nest/rr/api/claims",
        vec![admin_a()],
        missing("inner"),
    ));

    // --- Same location, both optional: the inner layer verifies the token again by its own
    // rules (audience `partner-api`), so a token only the outer layer accepts is refused.
    let both_audiences = Cookie(format!(
        "session={}",
        token_a(json!({"aud": [NEST_AUDIENCE_A, NEST_AUDIENCE_B], "sub": "cy"}))
    ));
    t.push(case(
        "nest same: a token both layers accept",
        "/nest/same/api/me",
        vec![both_audiences],
        sub(Some("cy")),
    ));
    t.push(case(
        "nest same: outer route accepts the outer token",
        "/nest/same/me",
        vec![admin_a()],
        sub(Some("ada")),
    ));
    t.push(case(
        "nest same: the inner layer refuses a token only the outer one accepts",
        "/nest/same/api/me",
        vec![admin_a()],
        invalid_token("inner", "the token audience is not accepted"),
    ));
    t.push(case(
        "nest same: no token",
        "/nest/same/api/admin",
        vec![],
        missing("inner"),
    ));
}
