//! RFC 9728 protected resource metadata (`/rm/*`, see `apps::Claims::metadata`): a middleware
//! built from a config with a `[resource_metadata]` table names the metadata URL in every
//! challenge it sends (`resource_metadata="..."`), and the adapters' helper serves the document
//! at the resource's well-known path, outside the middleware.
//!
//! | path | setup |
//! |---|---|
//! | `/rm/me`, `/rm/admin` | from a TOML config (`from_config`): HS256, issuer and audience, `[resource_metadata]` with `resource = "https://api.conformance.test/rm"`; `/rm/admin` with `RequireScopes::all(["admin"])` |
//! | `/.well-known/oauth-protected-resource/rm` | `resource_metadata_service()` of that middleware |

use serde_json::json;

use super::{Carry, Case, Expect, case, ok};
use crate::keys::*;

/// The metadata URL the challenges name.
const URL: &str = "https://api.conformance.test/.well-known/oauth-protected-resource/rm";

/// The `[resource_metadata]` table of the `/rm` config.
pub(crate) const TABLE: &str = r#"
[resource_metadata]
resource = "https://api.conformance.test/rm"
authorization_servers = ["https://issuer.conformance.test"]
scopes_supported = ["admin", "read"]
resource_name = "Conformance API"
"#;

fn challenge(rest: &str) -> Option<String> {
    Some(format!(
        "Bearer realm=\"{REALM}\"{rest}, resource_metadata=\"{URL}\""
    ))
}

pub(super) fn cases(t: &mut Vec<Case>) {
    use Carry::*;
    t.push(case(
        "resource metadata: the document at the well-known path",
        "/.well-known/oauth-protected-resource/rm",
        vec![],
        ok(json!({
            "resource": "https://api.conformance.test/rm",
            "authorization_servers": ["https://issuer.conformance.test"],
            "scopes_supported": ["admin", "read"],
            "bearer_methods_supported": ["header"],
            "resource_name": "Conformance API",
        })),
    ));
    t.push(case(
        "resource metadata: the document needs no token (an expired one is ignored)",
        "/.well-known/oauth-protected-resource/rm",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        ok(json!({
            "resource": "https://api.conformance.test/rm",
            "authorization_servers": ["https://issuer.conformance.test"],
            "scopes_supported": ["admin", "read"],
            "bearer_methods_supported": ["header"],
            "resource_name": "Conformance API",
        })),
    ));
    t.push(case(
        "resource metadata: a valid token",
        "/rm/me",
        vec![Bearer(token(json!({})))],
        ok(json!({"sub": "ada", "alg": "HS256"})),
    ));
    t.push(case(
        "resource metadata: no token, the bare challenge names the metadata",
        "/rm/me",
        vec![],
        Expect {
            status: 401,
            www_authenticate: challenge(""),
            body: json!({"error": "missing_token", "error_description": "an access token is required"}),
        },
    ));
    t.push(case(
        "resource metadata: an expired token",
        "/rm/me",
        vec![Bearer(token(json!({"exp": 1_000_000_000})))],
        Expect {
            status: 401,
            www_authenticate: challenge(
                ", error=\"invalid_token\", error_description=\"the token has expired\"",
            ),
            body: json!({"error": "invalid_token", "error_description": "the token has expired"}),
        },
    ));
    t.push(case(
        "resource metadata: a malformed request",
        "/rm/me",
        vec![Authorization("Bearer".into())],
        Expect {
            status: 400,
            www_authenticate: challenge(
                ", error=\"invalid_request\", error_description=\"the Authorization header has no bearer token\"",
            ),
            body: json!({"error": "invalid_request", "error_description": "the Authorization header has no bearer token"}),
        },
    ));
    t.push(case(
        "resource metadata: a missing scope",
        "/rm/admin",
        vec![Bearer(token(json!({"scope": "read"})))],
        Expect {
            status: 403,
            www_authenticate: challenge(
                ", error=\"insufficient_scope\", error_description=\"the token lacks a required scope\", scope=\"admin\"",
            ),
            body: json!({"error": "insufficient_scope", "error_description": "the token lacks a required scope"}),
        },
    ));
    t.push(case(
        "resource metadata: a route without it has none",
        "/me",
        vec![],
        Expect {
            status: 401,
            www_authenticate: Some(format!("Bearer realm=\"{REALM}\"")),
            body: json!({"error": "missing_token", "error_description": "an access token is required"}),
        },
    ));
}
