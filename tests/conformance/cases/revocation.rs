//! Revocation (`/revocation/*`, see `apps::Setup::revocations`): the routes check every token
//! against one in-memory store, shared by both apps and filled in the setup with a revoked
//! `jti`, a revoked `sid` and a cutoff for the subject `cut`. The check runs after the signature
//! and the claims (a forged revoked token is `invalid_signature`), and an optional route treats
//! a revoked token as invalid, not as anonymous.
//!
//! | path | setup |
//! |---|---|
//! | `/revocation/me` | as `/me`, `with_revocation(store)` |
//! | `/revocation/optional` | as `/optional/me`, `with_revocation(store)` |
//! | `/revocation/unavailable` | as `/me`, against a `RedisStore` whose Redis never answers |
//! | `/revocation/unavailable-optional` | the same, optional |
//!
//! A store that cannot tell (its replica never loaded, or stale) fails closed: 503,
//! `temporarily_unavailable`, `Retry-After` (checked for every 503 by the runner), no
//! challenge; but a token fault is still the 401 it deserves, checked first.

use jwt_guard_core::{Algorithm, Signer};
use serde_json::json;

use super::{Carry, Case, Expect, case, invalid_token, missing, ok};
use crate::keys::*;

/// The `jti` the setup revokes.
pub(crate) const REVOKED_JTI: &str = "revoked-jti";
/// The `sid` the setup revokes.
pub(crate) const REVOKED_SID: &str = "revoked-sid";
/// The subject the setup gives a cutoff.
pub(crate) const CUT_SUBJECT: &str = "cut";
/// Its cutoff: tokens of `cut` with `iat` before it are revoked.
pub(crate) const CUTOFF: i64 = 1_700_000_000;

const REVOKED: &str = "the token has been revoked";

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    let me = |sub: &str| ok(json!({"sub": sub, "alg": "HS256"}));
    t.push(case(
        "revocation: revoked by jti",
        "/revocation/me",
        vec![Bearer(token(json!({"jti": REVOKED_JTI})))],
        invalid_token(REVOKED),
    ));
    t.push(case(
        "revocation: another jti passes",
        "/revocation/me",
        vec![Bearer(token(json!({"jti": "another-jti"})))],
        me("ada"),
    ));
    t.push(case(
        "revocation: revoked jti on a route without a store",
        "/me",
        vec![Bearer(token(json!({"jti": REVOKED_JTI})))],
        me("ada"),
    ));
    t.push(case(
        "revocation: revoked by sid",
        "/revocation/me",
        vec![Bearer(token(json!({"sid": REVOKED_SID, "jti": "j-sid"})))],
        invalid_token(REVOKED),
    ));
    t.push(case(
        "revocation: subject cutoff, iat one second before",
        "/revocation/me",
        vec![Bearer(token(
            json!({"sub": CUT_SUBJECT, "iat": CUTOFF - 1}),
        ))],
        invalid_token(REVOKED),
    ));
    t.push(case(
        "revocation: subject cutoff, iat at the cutoff",
        "/revocation/me",
        vec![Bearer(token(json!({"sub": CUT_SUBJECT, "iat": CUTOFF})))],
        me(CUT_SUBJECT),
    ));
    t.push(case(
        "revocation: subject cutoff, iat after",
        "/revocation/me",
        vec![Bearer(token(
            json!({"sub": CUT_SUBJECT, "iat": CUTOFF + 1}),
        ))],
        me(CUT_SUBJECT),
    ));
    t.push(case(
        "revocation: subject cutoff, token without iat",
        "/revocation/me",
        vec![Bearer(token(json!({"sub": CUT_SUBJECT})))],
        invalid_token(REVOKED),
    ));
    t.push(case(
        "revocation: another subject without iat passes",
        "/revocation/me",
        vec![Bearer(token(json!({})))],
        me("ada"),
    ));
    let hs = Algorithm::HS256;
    let forged = Signer::new(other_key(hs).with_kid("hs256"), hs)
        .unwrap()
        .encode(&claims(json!({"jti": REVOKED_JTI})))
        .unwrap();
    t.push(case(
        "revocation: forged revoked token is a bad signature",
        "/revocation/me",
        vec![Bearer(forged)],
        invalid_token("the token signature is invalid"),
    ));
    t.push(case(
        "revocation: expired revoked token is expired",
        "/revocation/me",
        vec![Bearer(token(
            json!({"jti": REVOKED_JTI, "exp": 1_000_000_000}),
        ))],
        invalid_token("the token has expired"),
    ));
    t.push(case(
        "revocation: optional route, revoked token",
        "/revocation/optional",
        vec![Bearer(token(json!({"jti": REVOKED_JTI})))],
        invalid_token(REVOKED),
    ));
    t.push(case(
        "revocation: optional route, no token",
        "/revocation/optional",
        vec![],
        ok(json!({"sub": null})),
    ));
    t.push(case(
        "revocation: optional route, valid token",
        "/revocation/optional",
        vec![Bearer(token(json!({"jti": "another-jti"})))],
        ok(json!({"sub": "ada"})),
    ));
    unavailable(t);
}

/// What a route answers while its store cannot tell.
fn temporarily_unavailable() -> Expect {
    Expect {
        status: 503,
        www_authenticate: None,
        body: json!({
            "error": "temporarily_unavailable",
            "error_description": "the revocation list is temporarily unavailable"
        }),
    }
}

fn unavailable(t: &mut Vec<Case>) {
    use Carry::*;
    t.push(case(
        "revocation: store unavailable, valid token",
        "/revocation/unavailable",
        vec![Bearer(token(json!({"jti": "another-jti"})))],
        temporarily_unavailable(),
    ));
    let hs = Algorithm::HS256;
    let forged = Signer::new(other_key(hs).with_kid("hs256"), hs)
        .unwrap()
        .encode(&claims(json!({})))
        .unwrap();
    t.push(case(
        "revocation: store unavailable, forged token is still a bad signature",
        "/revocation/unavailable",
        vec![Bearer(forged)],
        invalid_token("the token signature is invalid"),
    ));
    t.push(case(
        "revocation: store unavailable, expired token is still expired",
        "/revocation/unavailable",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        invalid_token("the token has expired"),
    ));
    t.push(case(
        "revocation: store unavailable, no token",
        "/revocation/unavailable",
        vec![],
        missing(),
    ));
    t.push(case(
        "revocation: store unavailable, optional route, no token",
        "/revocation/unavailable-optional",
        vec![],
        ok(json!({"sub": null})),
    ));
    t.push(case(
        "revocation: store unavailable, optional route, valid token",
        "/revocation/unavailable-optional",
        vec![Bearer(token(json!({})))],
        temporarily_unavailable(),
    ));
}
