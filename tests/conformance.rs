//! The cross-framework conformance suite: ONE table of cases (`conformance/cases.rs`), each a
//! request and its exact answer (status, `WWW-Authenticate`, JSON body), run against an axum
//! server (`jwt-guard-axum`) and an actix-web server (`jwt-guard-actix`), both on `127.0.0.1:0`
//! over real HTTP/1.1. A case fails when either server's answer differs from the table, or when
//! the two servers' answers differ from each other in anything the contract covers (status,
//! every `WWW-Authenticate` value, `Content-Type`, the body byte for byte); the report names the
//! case and shows both answers.
//!
//! The two quick-start examples run here too, driven by one set of checks
//! (`conformance/quickstart.rs`). The HTTP harness (servers and client) is the
//! `jwt-guard-test-support` crate, shared with the adapters' own suites.
//!
//! Run it: `cargo test -p jwt-guard --test conformance`.

// Tests fail by panicking. clippy.toml exempts `#[test]` functions and `#[cfg(test)]` modules
// from the workspace's no-panic lints, but not an integration test's helpers (rust-clippy#11119).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

mod conformance {
    pub(crate) mod apps;
    pub(crate) mod cases;
    mod events;
    pub(crate) mod harness;
    pub(crate) mod keys;
    mod quickstart;
}

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

use conformance::{apps, cases, harness, keys};
use serde_json::{Value, json};

use crate::cases::{Case, Expect};
use crate::harness::Answer;
use crate::harness::actix_server::ActixServer;
use crate::harness::axum_server::AxumServer;
use crate::harness::client;

/// How `answer` differs from `case`'s row: its expected answer and its `Set-Cookie`s.
fn row_mismatches(case: &Case, answer: &Answer) -> Vec<String> {
    let mut out = Vec::new();
    if answer.set_cookies != case.set_cookies {
        out.push(format!(
            "Set-Cookie {:?} (expected {:?})",
            answer.set_cookies, case.set_cookies
        ));
    }
    out.extend(mismatches(&case.expect, answer));
    out
}

/// How `answer` differs from `expect` (empty if it does not).
fn mismatches(expect: &Expect, answer: &Answer) -> Vec<String> {
    let mut out = Vec::new();
    if answer.status != expect.status {
        out.push(format!(
            "status {} (expected {})",
            answer.status, expect.status
        ));
    }
    let www: Vec<String> = expect.www_authenticate.iter().cloned().collect();
    if answer.www_authenticate != www {
        out.push(format!(
            "WWW-Authenticate {:?} (expected {www:?})",
            answer.www_authenticate
        ));
    }
    // Every 503 (a revocation store that cannot tell, whose max_staleness is the default 5 s)
    // says when to retry; no other answer carries Retry-After.
    let retry_after: Vec<String> = if expect.status == 503 {
        vec!["5".to_owned()]
    } else {
        Vec::new()
    };
    if answer.retry_after != retry_after {
        out.push(format!(
            "Retry-After {:?} (expected {retry_after:?})",
            answer.retry_after
        ));
    }
    // A 204 (a cookie login) has no body at all.
    if expect.status == 204 {
        if !answer.body.is_empty() {
            out.push(format!("body {} (expected none)", answer.body));
        }
        return out;
    }
    if answer.content_type.as_deref() != Some("application/json") {
        out.push(format!(
            "Content-Type {:?} (expected \"application/json\")",
            answer.content_type
        ));
    }
    match serde_json::from_str::<Value>(&answer.body) {
        Ok(body) if body == expect.body => {}
        Ok(_) | Err(_) => out.push(format!("body {} (expected {})", answer.body, expect.body)),
    }
    out
}

/// Runs `case` against both servers; `Err` is the report.
async fn run(case: &Case, axum: &AxumServer, actix: &ActixServer) -> Result<(), String> {
    let (target, headers) = case.request();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let from_axum =
        Answer::from(client::request(axum.addr(), case.method, &target, &headers).await);
    let from_actix =
        Answer::from(client::request(actix.addr(), case.method, &target, &headers).await);
    let axum_wrong = row_mismatches(case, &from_axum);
    let actix_wrong = row_mismatches(case, &from_actix);
    if axum_wrong.is_empty() && actix_wrong.is_empty() && from_axum == from_actix {
        return Ok(());
    }
    let mut report = format!(
        "case {:?}: {} {} {:?}\n  expected: {} | WWW-Authenticate: {:?} | {}\n",
        case.name,
        case.method,
        case.path,
        case.carry,
        case.expect.status,
        case.expect.www_authenticate,
        case.expect.body
    );
    let _ = writeln!(report, "  axum:     {from_axum:?}");
    let _ = writeln!(report, "  actix:    {from_actix:?}");
    for (who, wrong) in [("axum", &axum_wrong), ("actix", &actix_wrong)] {
        for w in wrong.iter() {
            let _ = writeln!(report, "  {who} differs from the table: {w}");
        }
    }
    if from_axum != from_actix {
        let _ = writeln!(report, "  the frameworks answer differently");
    }
    Err(report)
}

/// The axum and the actix-web app of one setup.
async fn servers() -> (AxumServer, ActixServer) {
    let (_, axum, actix) = servers_with(jwt_guard_core::cache::CacheConfig::default()).await;
    (axum, actix)
}

/// The axum and the actix-web app of one setup with `cache` on every route, and the setup.
async fn servers_with(
    cache: jwt_guard_core::cache::CacheConfig,
) -> (Arc<apps::Setup>, AxumServer, ActixServer) {
    let setup = apps::Setup::with_cache(cache);
    let shared = Arc::clone(&setup);
    let axum = AxumServer::router(apps::axum_app::router(&setup)).await;
    let actix = ActixServer::app(move || {
        actix_web::App::new().configure(apps::actix_app::routes(Arc::clone(&setup)))
    });
    (shared, axum, actix)
}

/// The table with the verified-token cache on (the default): the cases that present a token
/// another case presented before are answered from the cache, and must answer the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_table_two_frameworks() {
    let (setup, axum, actix) = servers_with(jwt_guard_core::cache::CacheConfig::default()).await;
    run_table(axum, actix).await;
    let stats = setup.main.cache_stats().unwrap();
    assert!(
        stats.hits > 0 && stats.misses > 0,
        "the table exercised both paths of the cache: {stats:?}"
    );
}

/// The same table with the cache off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_table_two_frameworks_cache_off() {
    let (setup, axum, actix) = servers_with(jwt_guard_core::cache::CacheConfig::off()).await;
    assert_eq!(setup.main.cache_stats(), None);
    run_table(axum, actix).await;
}

async fn run_table(axum: AxumServer, actix: ActixServer) {
    let table = cases::table();

    let mut failures = Vec::new();
    for case in &table {
        if let Err(report) = run(case, &axum, &actix).await {
            failures.push(report);
        }
    }
    axum.stop().await;
    actix.stop().await;

    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed:\n\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
    println!(
        "{} conformance cases: axum and actix-web agree with the table",
        table.len()
    );
}

/// The table covers what issue 5 lists.
#[test]
fn the_table_covers_the_issue() {
    let table = cases::table();
    assert!(table.len() >= 40, "{} cases", table.len());
    let mut names = HashSet::new();
    for case in &table {
        assert!(
            names.insert(case.name.as_str()),
            "duplicate case name {:?}",
            case.name
        );
    }
    for alg in keys::ALGORITHMS {
        let name = format!("valid {alg}");
        let case = table.iter().find(|c| c.name == name);
        assert_eq!(
            case.map(|c| c.expect.status),
            Some(200),
            "no valid-token case for {alg}"
        );
    }
    for needle in [
        "expired",
        "nbf in the future",
        "iat in the future",
        "wrong issuer",
        "wrong audience",
        "aud present but none configured",
        "bad signature",
        "truncated",
        "alg \"none\"",
        "alg \"None\"",
        "alg \"NONE\"",
        "HS256 signed with the RSA public key PEM",
        "unknown kid",
        "kid with path junk",
        "kid with SQL junk",
        "jku header",
        "jwk header",
        "unknown crit",
        "duplicate claim names",
        "padded base64",
        "exp as a string",
        "location: Authorization header",
        "location: cookie",
        "location: query parameter",
        "location: custom header",
        "two locations",
        "lowercase bearer",
        "Bearer with no token",
        "oversized token",
        "missing scope",
        "optional mode without a token",
        "optional mode with a token",
        "revocation: revoked by jti",
        "revocation: revoked by sid",
        "revocation: subject cutoff, iat one second before",
        "revocation: subject cutoff, iat at the cutoff",
        "revocation: subject cutoff, token without iat",
        "revocation: forged revoked token is a bad signature",
        "revocation: optional route, revoked token",
        "revocation: store unavailable, valid token",
        "revocation: store unavailable, forged token is still a bad signature",
    ] {
        assert!(
            table.iter().any(|c| c.name.contains(needle)),
            "no case for {needle:?}"
        );
    }
}

/// The two places where the frameworks answer differently, by design (documented on actix's
/// `Claims` and in the README), pinned side by side so that a change on either side is noticed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_documented_differences() {
    let (axum, actix) = servers().await;
    let check = |who: &str, expect: &Expect, answer: Answer| {
        let wrong = mismatches(expect, &answer);
        assert!(wrong.is_empty(), "{who}: {answer:?}: {wrong:?}");
    };

    // `Option<Claims<T>>` for a verified token whose claims do not fit `T`: axum refuses as
    // `Claims<T>` does; actix's blanket `impl FromRequest for Option<T>` turns every extractor
    // error into `None`, so the request looks anonymous.
    let token = format!("Bearer {}", keys::token(json!({})));
    let headers = [("authorization", token.as_str())];
    let claims_invalid = cases::invalid_token("the token claims are invalid");
    check(
        "axum",
        &claims_invalid,
        Answer::from(axum.get("/optional/email", &headers).await),
    );
    check(
        "actix",
        &cases::ok(json!({"email": null})),
        Answer::from(actix.get("/optional/email", &headers).await),
    );

    // A header section over 128 KiB: actix-web answers 431 before any middleware runs; hyper
    // lets it through to the layer, which finds the token too large.
    let huge = format!("Bearer {}", "a".repeat(129 * 1024));
    let headers = [("authorization", huge.as_str())];
    check(
        "axum",
        &cases::invalid_token("the token is too large"),
        Answer::from(axum.get("/me", &headers).await),
    );
    let answer = actix.get("/me", &headers).await;
    assert_eq!(answer.status, 431, "{answer:?}");
    assert_eq!(answer.www_authenticate(), None);

    axum.stop().await;
    actix.stop().await;
}
