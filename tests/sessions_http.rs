//! The sessions examples (`examples/axum_sessions.rs`, `examples/actix_sessions.rs`) over real
//! HTTP: one scenario, run against both frameworks at once, whose every answer (status,
//! `WWW-Authenticate`, body error) must be the expected one and the same on both: login, access,
//! type confusion both ways, rotation, reuse within and after the grace window (which ends the
//! login), eight concurrent redemptions, freshness, logout. With Redis, an axum and an actix
//! instance share one list and see all of it.
//!
//! Run it: `cargo test -p jwt-guard --test sessions_http` (the Redis test needs `redis-server`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use jwt_guard_test_support::actix_server::ActixServer;
use jwt_guard_test_support::axum_server::AxumServer;
use jwt_guard_test_support::client::{Reply, request_with_body};
use jwt_guard_test_support::redis_server::RedisServer;
use jwt_guard_test_support::{REDIS_SERVER, Suite};
use serde_json::{Value, json};

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/axum_sessions.rs"]
mod axum_sessions;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/actix_sessions.rs"]
mod actix_sessions;

use jwt_guard_core::VerifierConfig;

/// What one step answered, without the tokens: status, `WWW-Authenticate`, body `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    what: &'static str,
    status: u16,
    challenge: Option<String>,
    error: Option<String>,
}

/// One server of a scenario, recording every step.
struct Client {
    addr: SocketAddr,
    steps: Vec<Step>,
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            steps: Vec::new(),
        }
    }

    async fn call(
        &mut self,
        what: &'static str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> Reply {
        let auth = token.map(bearer);
        let mut headers = vec![("content-type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        let reply = request_with_body(self.addr, method, path, &headers, body).await;
        let error = serde_json::from_str::<Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
        self.steps.push(Step {
            what,
            status: reply.status,
            challenge: reply.www_authenticate().map(str::to_owned),
            error,
        });
        reply
    }

    async fn login(&mut self, user: &str, password: &str) -> (String, String) {
        let body = json!({"username": user, "password": password}).to_string();
        let reply = self.call("login", "POST", "/login", None, &body).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let pair = reply.json();
        assert_eq!(pair["token_type"], "Bearer");
        assert_eq!(pair["expires_in"], 900);
        (
            pair["access_token"].as_str().unwrap().to_owned(),
            pair["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    async fn refresh(&mut self, what: &'static str, refresh: &str) -> Reply {
        self.call(what, "POST", "/refresh", Some(refresh), "").await
    }

    async fn me(&mut self, what: &'static str, access: &str) -> Reply {
        self.call(what, "GET", "/me", Some(access), "").await
    }
}

fn pair_of(reply: &Reply) -> (String, String) {
    assert_eq!(reply.status, 200, "{reply:?}");
    let pair = reply.json();
    (
        pair["access_token"].as_str().unwrap().to_owned(),
        pair["refresh_token"].as_str().unwrap().to_owned(),
    )
}

#[track_caller]
fn assert_refused(reply: &Reply, description: &str) {
    reply.assert_rejected_in("api", 401, "invalid_token", description);
}

const REVOKED: &str = "the token has been revoked";
const REUSED: &str = "the refresh token has already been used";

/// The whole lifecycle against the server at `addr`; returns its steps.
async fn lifecycle(addr: SocketAddr) -> Vec<Step> {
    let mut c = Client::new(addr);
    let wrong = json!({"username": "ada", "password": "wrong"}).to_string();
    let reply = c
        .call("wrong password", "POST", "/login", None, &wrong)
        .await;
    assert_eq!(
        (reply.status, reply.json()),
        (
            400,
            json!({"error": "invalid_grant", "error_description": "unknown user or wrong password"})
        )
    );

    let (access, refresh) = c.login("ada", "lovelace").await;
    let reply = c.me("me", &access).await;
    assert_eq!(reply.status, 200);
    let claims = reply.json();
    assert_eq!(
        (claims["sub"].clone(), claims["fresh"].clone()),
        (json!("ada"), json!(true))
    );

    // Type confusion, both ways.
    assert_refused(
        &c.me("refresh token on /me", &refresh).await,
        "a refresh token was presented where an access token is required",
    );
    assert_refused(
        &c.refresh("access token on /refresh", &access).await,
        "an access token was presented where a refresh token is required",
    );

    // A fresh login may rotate the password.
    let reply = c
        .call("fresh", "POST", "/admin/rotate-password", Some(&access), "")
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // Rotation: a new pair; the old access token stays valid until its exp.
    let (access2, refresh2) = pair_of(&c.refresh("refresh", &refresh).await);
    assert_eq!(c.me("old access after refresh", &access).await.status, 200);
    assert_eq!(c.me("new access", &access2).await.status, 200);
    let reply = c
        .call(
            "not fresh",
            "POST",
            "/admin/rotate-password",
            Some(&access2),
            "",
        )
        .await;
    reply.assert_rejected_in(
        "api",
        401,
        "insufficient_user_authentication",
        "a fresh login is required",
    );

    // The old refresh token again within the grace window: refused, nothing else.
    assert_refused(&c.refresh("reuse within grace", &refresh).await, REUSED);
    assert_eq!(
        c.me("new pair after reuse within grace", &access2)
            .await
            .status,
        200
    );
    // After it: refused, and the login ends (the newest pair of that sid too).
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert_refused(&c.refresh("reuse after grace", &refresh).await, REUSED);
    assert_refused(&c.me("newest access after theft", &access2).await, REVOKED);
    assert_refused(
        &c.refresh("newest refresh after theft", &refresh2).await,
        REVOKED,
    );

    // Eight concurrent redemptions of one refresh token: exactly one new pair, which stays
    // valid (the others come within the grace window).
    let (_, refresh3) = c.login("ada", "lovelace").await;
    let replies = futures_join_all(
        (0..8)
            .map(|_| {
                let auth = bearer(&refresh3);
                async move {
                    request_with_body(addr, "POST", "/refresh", &[("authorization", &auth)], "")
                        .await
                }
            })
            .collect(),
    )
    .await;
    let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{replies:?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_refused(reply, REUSED);
    }
    let (access4, refresh4) = pair_of(winners[0]);
    assert_eq!(c.me("the winner's access", &access4).await.status, 200);

    // Logout ends the login: its access and refresh tokens are refused.
    let reply = c
        .call("logout", "POST", "/logout", Some(&access4), "")
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_refused(&c.me("access after logout", &access4).await, REVOKED);
    assert_refused(&c.refresh("refresh after logout", &refresh4).await, REVOKED);
    // Another user is untouched.
    let (grace, _) = c.login("grace", "hopper").await;
    assert_eq!(c.me("another user", &grace).await.status, 200);
    c.steps
}

/// Runs the futures concurrently (spawned tasks), in order of the input.
async fn futures_join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect::<Vec<_>>();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

fn demo_config(revocation: &str) -> VerifierConfig {
    let text = axum_sessions::sessions::DEMO_CONFIG.replace(
        "[revocation]\nmemory = true      # one process; redis_url = \"redis://...\" shares it between instances\n",
        revocation,
    );
    assert_ne!(
        text,
        axum_sessions::sessions::DEMO_CONFIG,
        "the demo config changed"
    );
    VerifierConfig::from_toml(&text).unwrap()
}

fn servers(config: &VerifierConfig) -> (AxumServer, ActixServer) {
    let axum_demo = axum_sessions::sessions::Demo::from_config(config).unwrap();
    let actix_demo = actix_sessions::sessions::Demo::from_config(config).unwrap();
    let axum = futures_block(AxumServer::router(axum_sessions::router(axum_demo)));
    let actix = ActixServer::app(move || {
        actix_web::App::new().configure(actix_sessions::routes(actix_demo.clone()))
    });
    (axum, actix)
}

fn futures_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_lifecycle_answers_alike_on_both_frameworks() {
    let config = demo_config("[revocation]\nmemory = true\n");
    let (axum, actix) = servers(&config);
    let (a, b) = tokio::join!(
        tokio::spawn(lifecycle(axum.addr())),
        tokio::spawn(lifecycle(actix.addr()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "axum and actix-web answered differently");
    assert_eq!(a.len(), 22, "{a:#?}");
    axum.stop().await;
    actix.stop().await;
}

const SUITE: Suite = Suite {
    name: "sessions over Redis (jwt-guard)",
    needs: REDIS_SERVER,
};

/// Polls until `check` holds, at most `limit`.
async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_redis_a_second_instance_sees_it_all() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let config = demo_config(&format!(
        "[revocation]\nredis_url = \"{}\"\nmax_staleness_secs = 2\n",
        redis.url()
    ));
    let (axum, actix) = servers(&config);
    let mut on_axum = Client::new(axum.addr());
    let mut on_actix = Client::new(actix.addr());
    // Until each replica has loaded, requests fail closed (503).
    let (probe, _) = on_axum.login("ada", "lovelace").await;
    within(Duration::from_secs(5), async || {
        on_axum.me("probe", &probe).await.status == 200
            && on_actix.me("probe", &probe).await.status == 200
    })
    .await;

    // Logged in on axum, refreshed on actix; the old refresh token replayed on axum after the
    // grace window ends the login on both.
    let (access, refresh) = on_axum.login("ada", "lovelace").await;
    let (access2, refresh2) = pair_of(&on_actix.refresh("refresh on actix", &refresh).await);
    assert_refused(
        &on_axum
            .refresh("reuse on axum within grace", &refresh)
            .await,
        REUSED,
    );
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert_refused(
        &on_axum.refresh("reuse on axum after grace", &refresh).await,
        REUSED,
    );
    within(Duration::from_secs(1), async || {
        on_actix.me("newest access on actix", &access2).await.status == 401
    })
    .await;
    assert_refused(
        &on_actix.me("newest access on actix", &access2).await,
        REVOKED,
    );
    assert_refused(
        &on_actix.refresh("newest refresh on actix", &refresh2).await,
        REVOKED,
    );
    assert_refused(&on_axum.me("first access on axum", &access).await, REVOKED);

    // Concurrent redemptions across the two instances: exactly one pair.
    let (_, refresh3) = on_actix.login("grace", "hopper").await;
    let addrs = [axum.addr(), actix.addr()];
    let replies = futures_join_all(
        (0..8)
            .map(|i| {
                let auth = bearer(&refresh3);
                let addr = addrs[i % 2];
                async move {
                    request_with_body(addr, "POST", "/refresh", &[("authorization", &auth)], "")
                        .await
                }
            })
            .collect(),
    )
    .await;
    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "{replies:?}"
    );

    // Logout on actix: refused on axum within 1 s.
    let (access5, _) = on_actix.login("grace", "hopper").await;
    assert_eq!(on_axum.me("access on axum", &access5).await.status, 200);
    let reply = on_actix
        .call("logout", "POST", "/logout", Some(&access5), "")
        .await;
    assert_eq!(reply.status, 204);
    within(Duration::from_secs(1), async || {
        on_axum.me("after logout on axum", &access5).await.status == 401
    })
    .await;
    axum.stop().await;
    actix.stop().await;
}
