//! Two app instances, an axum server and an actix-web server, each built by `from_config` from
//! a config whose `[revocation]` table names one real `redis-server` (its own on a free
//! loopback port): each instance has its own `RedisStore`, its own connections and replica.
//!
//! - a token revoked through one (its `POST /logout`) is refused by the other within 1 s;
//! - a subject cutoff refuses that subject's older tokens on both, a token issued at or after
//!   it still passes; entries expire with their tokens;
//! - Redis killed: after `max_staleness_secs` both answer 503 + `Retry-After` for valid tokens
//!   and never accept a revoked one; restarted with AOF, both resume without an app restart
//!   and the revocations still hold.
//!
//! Run it: `cargo test -p jwt-guard --test revocation_shared` (needs `redis-server`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jwt_guard_core::revocation::{RevocationStore, revoke_token};
use jwt_guard_core::{Algorithm, Key, Signer, VerifierConfig};
use jwt_guard_test_support::actix_server::ActixServer;
use jwt_guard_test_support::axum_server::AxumServer;
use jwt_guard_test_support::client::{self, Reply};
use jwt_guard_test_support::redis_server::RedisServer;
use jwt_guard_test_support::{REDIS_SERVER, Suite};
use serde_json::{Value, json};

const SUITE: Suite = Suite {
    name: "Redis revocation across instances (jwt-guard)",
    needs: REDIS_SERVER,
};

const SECRET: &str = "an example secret of 32 bytes..!";

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn config(redis: &RedisServer) -> VerifierConfig {
    VerifierConfig::from_toml(&format!(
        "algorithms = [\"HS256\"]\nleeway_secs = 0\n\n[[keys]]\nsecret = \"{SECRET}\"\n\n\
         [revocation]\nredis_url = \"{}\"\nmax_staleness_secs = 1\n",
        redis.url()
    ))
    .unwrap()
}

fn token(claims: Value) -> String {
    Signer::new(Key::hmac(SECRET.as_bytes()).unwrap(), Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

/// Both apps: `GET /me` answers the claims, `POST /logout` revokes the caller's token in the
/// instance's own store (the one its `from_config` made).
struct Apps {
    axum: AxumServer,
    actix: ActixServer,
}

impl Apps {
    async fn start(redis: &RedisServer) -> Apps {
        use axum::extract::State;
        use axum::routing::{get, post};

        let layer = jwt_guard_axum::JwtLayer::from_config(&config(redis)).unwrap();
        let store: Arc<dyn RevocationStore> = layer.auth().revocation().unwrap().clone();
        async fn me(jwt_guard_axum::Claims(claims): jwt_guard_axum::Claims<Value>) -> String {
            claims.to_string()
        }
        async fn logout(
            State(store): State<Arc<dyn RevocationStore>>,
            verified: jwt_guard_axum::Verified,
        ) -> axum::http::StatusCode {
            revoke_token(store.as_ref(), &verified, 0).await.unwrap();
            axum::http::StatusCode::NO_CONTENT
        }
        let router = axum::Router::new()
            .route("/me", get(me))
            .route("/logout", post(logout))
            .route_layer(layer)
            .with_state(store);
        let axum = AxumServer::router(router).await;

        let middleware = jwt_guard_actix::JwtMiddleware::from_config(&config(redis)).unwrap();
        let store: Arc<dyn RevocationStore> = middleware.auth().revocation().unwrap().clone();
        let actix = ActixServer::app(move || {
            use actix_web::{HttpResponse, web};
            async fn me(jwt_guard_actix::Claims(claims): jwt_guard_actix::Claims<Value>) -> String {
                claims.to_string()
            }
            async fn logout(
                store: web::Data<Arc<dyn RevocationStore>>,
                verified: jwt_guard_actix::Verified,
            ) -> HttpResponse {
                revoke_token(store.get_ref().as_ref(), &verified, 0)
                    .await
                    .unwrap();
                HttpResponse::NoContent().finish()
            }
            actix_web::App::new()
                .app_data(web::Data::new(store.clone()))
                .wrap(middleware.clone())
                .route("/me", web::get().to(me))
                .route("/logout", web::post().to(logout))
        });
        Apps { axum, actix }
    }

    async fn me(&self, token: &str) -> [Reply; 2] {
        let bearer = format!("Bearer {token}");
        let headers = [("authorization", bearer.as_str())];
        [
            self.axum.get("/me", &headers).await,
            self.actix.get("/me", &headers).await,
        ]
    }

    async fn logout_axum(&self, token: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        client::request(
            self.axum.addr(),
            "POST",
            "/logout",
            &[("authorization", &bearer)],
        )
        .await
    }

    async fn logout_actix(&self, token: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        client::request(
            self.actix.addr(),
            "POST",
            "/logout",
            &[("authorization", &bearer)],
        )
        .await
    }

    async fn stop(self) {
        self.axum.stop().await;
        self.actix.stop().await;
    }
}

/// Polls until both instances answer `status` for `token`; how long it took.
async fn both_answer(apps: &Apps, token: &str, status: u16, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let [a, b] = apps.me(token).await;
        if a.status == status && b.status == status {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "not {status} on both within {limit:?}: axum {} {}, actix {} {}",
            a.status,
            a.body,
            b.status,
            b.body
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn assert_revoked(reply: &Reply) {
    reply.assert_rejected_in(
        jwt_guard_core::http::DEFAULT_REALM,
        401,
        "invalid_token",
        "the token has been revoked",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_list() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let apps = Apps::start(&redis).await;
    let exp = now() + 600;
    let t1 = token(json!({"sub": "ada", "jti": "t1", "iat": now(), "exp": exp}));
    let t2 = token(json!({"sub": "ada", "jti": "t2", "iat": now(), "exp": exp}));
    // Both load the list in the background (503 until then), then accept.
    both_answer(&apps, &t1, 200, Duration::from_secs(5)).await;

    // Revoked through axum: refused by axum at once, by actix within 1 s.
    assert_eq!(apps.logout_axum(&t1).await.status, 204);
    let [from_axum, _] = apps.me(&t1).await;
    assert_revoked(&from_axum);
    let took = both_answer(&apps, &t1, 401, Duration::from_secs(1)).await;
    for reply in apps.me(&t1).await {
        assert_revoked(&reply);
    }
    // And the other way round.
    assert_eq!(apps.logout_actix(&t2).await.status, 204);
    let took_back = both_answer(&apps, &t2, 401, Duration::from_secs(1)).await;
    eprintln!("revocation seen by the other instance after {took:?} and {took_back:?}");

    // A subject cutoff (an operator's, through a store of its own): older tokens of `bob`
    // are refused on both, one issued at the cutoff passes.
    let store = jwt_guard_core::revocation::RedisStore::connect(
        jwt_guard_core::revocation::RedisOptions::new(redis.url()),
    )
    .await
    .unwrap();
    let cutoff = now();
    store.revoke_subject_before("bob", cutoff).await.unwrap();
    let old = token(json!({"sub": "bob", "iat": cutoff - 10, "exp": exp}));
    let fresh = token(json!({"sub": "bob", "iat": cutoff, "exp": exp}));
    both_answer(&apps, &old, 401, Duration::from_secs(1)).await;
    for reply in apps.me(&fresh).await {
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    // An entry expires with its token: afterwards the token is refused as expired, and the
    // entry is gone from Redis.
    let short_exp = now() + 2;
    let short = token(json!({"sub": "ada", "jti": "short", "iat": now(), "exp": short_exp}));
    assert_eq!(apps.logout_axum(&short).await.status, 204);
    both_answer(&apps, &short, 401, Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(
        u64::try_from((short_exp + 1 - now()).max(0) * 1000).unwrap() + 100,
    ))
    .await;
    for reply in apps.me(&short).await {
        reply.assert_rejected_in(
            jwt_guard_core::http::DEFAULT_REALM,
            401,
            "invalid_token",
            "the token has expired",
        );
    }
    assert_eq!(store.counts().await.unwrap().jti, 2, "t1 and t2 only");
    apps.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_fails_closed_on_both_and_a_restart_resumes() {
    let Some(mut redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let apps = Apps::start(&redis).await;
    let exp = now() + 600;
    let valid = token(json!({"sub": "ada", "jti": "ok", "iat": now(), "exp": exp}));
    let revoked = token(json!({"sub": "ada", "jti": "bad", "iat": now(), "exp": exp}));
    both_answer(&apps, &valid, 200, Duration::from_secs(5)).await;
    assert_eq!(apps.logout_axum(&revoked).await.status, 204);
    both_answer(&apps, &revoked, 401, Duration::from_secs(1)).await;

    redis.kill();
    let start = Instant::now();
    let mut saw_503 = [false, false];
    while start.elapsed() < Duration::from_millis(2_500) {
        for reply in apps.me(&revoked).await {
            assert_revoked(&reply);
        }
        for (i, reply) in apps.me(&valid).await.iter().enumerate() {
            match reply.status {
                200 => assert!(!saw_503[i], "accepted again while Redis is down"),
                503 => {
                    assert_eq!(reply.header("retry-after"), Some("1"));
                    assert_eq!(reply.www_authenticate(), None);
                    assert_eq!(
                        reply.json(),
                        json!({
                            "error": "temporarily_unavailable",
                            "error_description": "the revocation list is temporarily unavailable"
                        })
                    );
                    saw_503[i] = true;
                }
                other => panic!("unexpected {other}: {}", reply.body),
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        saw_503,
        [true, true],
        "both fail closed after max_staleness"
    );

    redis.restart();
    both_answer(&apps, &valid, 200, Duration::from_secs(5)).await;
    for reply in apps.me(&revoked).await {
        assert_revoked(&reply);
    }
    apps.stop().await;
}
