//! The quick-start examples (`examples/axum_quickstart.rs`, `examples/actix_quickstart.rs`),
//! each serving its own routes with its own config loading and demo tokens, checked by one set
//! of requests: they promise the same contract.

use std::net::SocketAddr;
use std::path::Path;

use jwt_guard_actix::JwtMiddleware;
use jwt_guard_axum::JwtLayer;
use serde_json::json;

use super::harness::actix_server::ActixServer;
use super::harness::axum_server::AxumServer;
use super::harness::client::get;

// Each example includes `examples/common/mod.rs` as its own `common` (one copy each here).
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../examples/axum_quickstart.rs"]
mod axum_quickstart;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../examples/actix_quickstart.rs"]
mod actix_quickstart;

use axum_quickstart::common::{DEMO_CONFIG, demo_tokens, load_config};

/// What a quick start at `addr` answers, given the demo tokens `me` (scope `read`) and `admin`.
async fn check(addr: SocketAddr, me: &str, admin: &str) {
    let me = format!("Bearer {me}");
    let admin = format!("Bearer {admin}");

    let reply = get(addr, "/public", &[]).await;
    assert_eq!(reply.answer(), (200, "public: no token needed\n"));

    let reply = get(addr, "/me", &[("authorization", &me)]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let claims = reply.json();
    assert_eq!(claims["sub"], "demo-user");
    assert_eq!(claims["scope"], "read");
    assert_eq!(claims["iss"], "https://demo.jwt-guard.invalid");
    assert_eq!(claims["aud"], "jwt-guard-quickstart");

    let reply = get(addr, "/me", &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.www_authenticate(), Some("Bearer realm=\"api\""));

    let reply = get(addr, "/admin", &[("authorization", &me)]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.www_authenticate(),
        Some(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"the token lacks a required scope\", scope=\"admin\""
        )
    );

    let reply = get(addr, "/admin", &[("authorization", &admin)]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"admin": true, "sub": "demo-user"}));

    // /public stays open even with a bad token: the middleware covers /me and /admin only.
    let reply = get(addr, "/public", &[("authorization", "Bearer x")]).await;
    assert_eq!(reply.status, 200);
    // Unknown paths stay 404 (the middleware is on the routes, not on a catch-all).
    assert_eq!(get(addr, "/nope", &[]).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_quickstarts_with_their_demo_config() {
    let (config, base_dir) = load_config(None).unwrap();
    let tokens = demo_tokens(&config, &base_dir).unwrap();
    assert!(DEMO_CONFIG.contains("HS256"));

    let layer = JwtLayer::from_config_in(&config, &base_dir).unwrap();
    let axum = AxumServer::router(axum_quickstart::router(layer)).await;
    let middleware = JwtMiddleware::from_config_in(&config, &base_dir).unwrap();
    let actix = ActixServer::app(move || {
        actix_web::App::new().configure(actix_quickstart::routes(middleware.clone()))
    });

    for addr in [axum.addr(), actix.addr()] {
        check(addr, &tokens.me, &tokens.admin).await;
    }
    axum.stop().await;
    actix.stop().await;
}

#[test]
fn a_config_file_without_a_signing_key_gets_no_demo_token() {
    let dir = std::env::temp_dir().join(format!("jwt-guard-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("public-only.toml");
    std::fs::write(
        &path,
        r#"
algorithms = ["EdDSA"]
[[keys]]
pem = """
-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAtFPjFBtYgtI9UNZU9EULiCcr1VksgqHfZ3go5airRq8=
-----END PUBLIC KEY-----
"""
[token]
cookie = "session"
"#,
    )
    .unwrap();
    let (config, base_dir) = load_config(Some(&path)).unwrap();
    assert_eq!(base_dir, dir);
    assert!(JwtLayer::from_config_in(&config, &base_dir).is_ok());
    assert!(JwtMiddleware::from_config_in(&config, &base_dir).is_ok());
    let why = demo_tokens(&config, &base_dir).unwrap_err();
    assert!(why.contains("no key that can sign"), "{why}");
    assert!(load_config(Some(Path::new("/nonexistent/jwt-guard.toml"))).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_config_file_is_reported_without_its_secret() {
    // Security review, issue 10: the examples printed the TOML source line, secret included.
    let dir = std::env::temp_dir().join(format!("jwt-guard-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = "Qm7vT2xLk9Pw4RzBn8Jd3FyHc6Gs1Ua5";
    for (name, text, message) in [
        (
            "wrong-type.toml",
            "algorithms = [\"HS256\"]\n[[keys]]\nsecret = 918273645546372819\n".to_owned(),
            "invalid configuration at `keys[0].secret` (line 3, column 10): expected a string, \
             found an integer",
        ),
        (
            "unterminated.toml",
            format!("algorithms = [\"HS256\"]\n[[keys]]\nsecret = \"{secret}\n"),
            "TOML syntax error at line 3, column 43",
        ),
        (
            "misspelled.json",
            format!("{{\"algorithms\": [\"HS256\"], \"keys\": [{{\"secrte\": \"{secret}\"}}]}}"),
            "invalid configuration at `keys[0]` (line 1, column 44): unknown field `secrte`, did \
             you mean `secret`?",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &text).unwrap();
        let why = load_config(Some(&path)).unwrap_err();
        assert!(!why.contains(&secret[..8]), "{why}");
        assert!(!why.contains("918273645546372819"), "{why}");
        assert_eq!(why, format!("{}: {message}", path.display()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// With `JWT_GUARD_CONFIG` naming a config with a `[revocation]` table for a real Redis, both
/// quick starts (built from it as their `main` builds them) check every token against it: a
/// cutoff for the demo subject, written by another instance's store, refuses the demo tokens on
/// both within 1 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_quickstarts_honour_a_redis_revocation_table() {
    use jwt_guard_core::revocation::{RedisOptions, RedisStore, RevocationStore};
    use jwt_guard_test_support::redis_server::RedisServer;
    use jwt_guard_test_support::{REDIS_SERVER, Suite};
    const SUITE: Suite = Suite {
        name: "Redis revocation in the quick starts (jwt-guard)",
        needs: REDIS_SERVER,
    };
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(
        &path,
        format!(
            "{DEMO_CONFIG}\n[revocation]\nredis_url = \"{}\"\nmax_staleness_secs = 2\n",
            redis.url()
        ),
    )
    .unwrap();
    let (config, base_dir) = load_config(Some(&path)).unwrap();
    let tokens = demo_tokens(&config, &base_dir).unwrap();
    let layer = JwtLayer::from_config_in(&config, &base_dir).unwrap();
    let axum = AxumServer::router(axum_quickstart::router(layer)).await;
    let middleware = JwtMiddleware::from_config_in(&config, &base_dir).unwrap();
    let actix = ActixServer::app(move || {
        actix_web::App::new().configure(actix_quickstart::routes(middleware.clone()))
    });
    let me = format!("Bearer {}", tokens.me);
    let answers = || async {
        [
            get(axum.addr(), "/me", &[("authorization", &me)]).await,
            get(actix.addr(), "/me", &[("authorization", &me)]).await,
        ]
    };
    // 503 until each replica has loaded, then the demo contract holds.
    let start = std::time::Instant::now();
    while answers().await.iter().any(|r| r.status != 200) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "not loaded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    for addr in [axum.addr(), actix.addr()] {
        check(addr, &tokens.me, &tokens.admin).await;
    }

    let operator = RedisStore::connect(RedisOptions::new(redis.url()))
        .await
        .unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    operator
        .revoke_subject_before("demo-user", now + 60)
        .await
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let replies = answers().await;
        if replies.iter().all(|r| r.status == 401) {
            for reply in &replies {
                reply.assert_rejected_in("api", 401, "invalid_token", "the token has been revoked");
            }
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(1),
            "not refused by both within 1 s: {replies:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    axum.stop().await;
    actix.stop().await;
}

/// The metrics recorder of this test binary (one per process), installed by the examples' own
/// function.
fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| axum_quickstart::common::install_metrics().unwrap())
        .clone()
}

/// The value of the one sample of `name` whose labels include `labels` (0 when absent).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let matching: Vec<f64> = text
        .lines()
        .filter(|line| {
            line.starts_with(name)
                && line[name.len()..].starts_with(['{', ' '])
                && labels
                    .iter()
                    .all(|(k, v)| line.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|line| line.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(matching.len() <= 1, "{name} {labels:?}: {matching:?}");
    matching.first().copied().unwrap_or(0.0)
}

/// `GET /metrics` on both quick starts counts known traffic exactly (issue 16). The config is
/// the demo one with an issuer of its own: the `provider` label then counts this test's
/// requests only, whatever other tests of this binary send meanwhile (the cache counters have
/// no label: at least this test's hits and misses).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_known_traffic() {
    const ISS: &str = "https://metrics.jwt-guard.invalid";
    let handle = metrics_handle();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metrics.toml");
    assert!(DEMO_CONFIG.contains("https://demo.jwt-guard.invalid"));
    std::fs::write(
        &path,
        DEMO_CONFIG.replace("https://demo.jwt-guard.invalid", ISS),
    )
    .unwrap();
    let (config, base_dir) = load_config(Some(&path)).unwrap();
    let tokens = demo_tokens(&config, &base_dir).unwrap();
    let layer = JwtLayer::from_config_in(&config, &base_dir).unwrap();
    let axum = AxumServer::router(axum_quickstart::with_metrics(
        axum_quickstart::router(layer),
        handle.clone(),
    ))
    .await;
    let middleware = JwtMiddleware::from_config_in(&config, &base_dir).unwrap();
    let actix_handle = handle.clone();
    let actix = ActixServer::app(move || {
        actix_web::App::new()
            .configure(actix_quickstart::routes(middleware.clone()))
            .configure(actix_quickstart::metrics_route(actix_handle.clone()))
    });
    let me = format!("Bearer {}", tokens.me);
    let accepted = |t: &str| sample(t, "jwt_guard_requests_accepted_total", &[("provider", ISS)]);
    let refused = |t: &str, code: &str| {
        sample(
            t,
            "jwt_guard_requests_refused_total",
            &[("code", code), ("provider", ISS)],
        )
    };
    for addr in [axum.addr(), actix.addr()] {
        let before = get(addr, "/metrics", &[]).await;
        assert_eq!(before.status, 200);
        let before = before.body.clone();
        for _ in 0..3 {
            assert_eq!(
                get(addr, "/me", &[("authorization", &me)]).await.status,
                200
            );
        }
        assert_eq!(
            get(addr, "/admin", &[("authorization", &me)]).await.status,
            403
        );
        for _ in 0..2 {
            assert_eq!(get(addr, "/me", &[]).await.status, 401);
        }
        let bad = get(addr, "/me", &[("authorization", "Bearer a.b.c")]).await;
        assert_eq!(bad.status, 401);
        let after = get(addr, "/metrics", &[]).await.body.clone();

        assert_eq!(accepted(&after) - accepted(&before), 4.0, "{after}");
        assert_eq!(
            refused(&after, "missing_token") - refused(&before, "missing_token"),
            2.0
        );
        assert_eq!(
            refused(&after, "malformed") - refused(&before, "malformed"),
            1.0
        );
        assert_eq!(
            refused(&after, "insufficient_scope") - refused(&before, "insufficient_scope"),
            1.0
        );
        // Each server has its own cache: the token's first verification marks it, the second
        // keeps it (two misses), then hits (the third `/me` and `/admin`).
        let delta = |name: &str| sample(&after, name, &[]) - sample(&before, name, &[]);
        assert!(delta("jwt_guard_cache_hits_total") >= 2.0, "{after}");
        assert!(delta("jwt_guard_cache_misses_total") >= 2.0, "{after}");
        assert!(
            sample(
                &after,
                "jwt_guard_verify_seconds_count",
                &[("cache", "hit")]
            ) >= 2.0,
            "{after}"
        );
        // Never a token or a claim value.
        assert!(!after.contains(&tokens.me) && !after.contains("demo-user"));
    }
    axum.stop().await;
    actix.stop().await;
}
