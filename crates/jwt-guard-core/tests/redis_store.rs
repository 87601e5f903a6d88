//! The Redis revocation store against a real `redis-server` per test (free loopback port,
//! temporary directory; `jwt_guard_test_support::redis_server`): sharing between instances
//! within 1 s, the load at start, each kind of entry and its expiry, `mark_used` across
//! instances, fail-closed and fail-open outages with a kill and an AOF restart, a paused Redis
//! that never stalls a check, and an empty Redis after a restart without persistence.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::revocation::{
    FailMode, RedisOptions, RedisStore, Revocation, RevocationClaims, RevocationCounts,
    RevocationStore,
};
use jwt_guard_core::{Algorithm, ErrorKind, Key, Signer, Verifier};
use jwt_guard_test_support::redis_server::RedisServer;
use jwt_guard_test_support::{REDIS_SERVER, Suite};
use serde_json::json;

const SUITE: Suite = Suite {
    name: "Redis revocation store (jwt-guard-core)",
    needs: REDIS_SERVER,
};

const SECRET: &[u8] = b"an example secret of 32 bytes..!";

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn options(redis: &RedisServer) -> RedisOptions {
    RedisOptions::new(redis.url())
}

async fn store(options: RedisOptions) -> Arc<RedisStore> {
    Arc::new(RedisStore::connect(options).await.expect("connect"))
}

fn jti(id: &str) -> RevocationClaims<'_> {
    RevocationClaims::new(Some(id), None, Some("ada"), Some(now()), None)
}

fn kind(store: &RedisStore, claims: &RevocationClaims<'_>) -> Result<(), ErrorKind> {
    store.check(claims).map_err(|e| e.kind().clone())
}

/// Polls `f` every millisecond until it is true; the time it took, or `None` after `limit`.
async fn within(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_reaches_every_instance_within_a_second() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let a = store(options(&redis)).await;
    let b = store(options(&redis)).await;
    let mut seen = Vec::new();
    for i in 0..50 {
        let id = format!("t-{i}");
        let claims = jti(&id);
        assert_eq!(kind(&b, &claims), Ok(()));
        a.revoke_jti(&id, now() + 3600).await.unwrap();
        // The writer sees it as soon as Redis confirmed it.
        assert_eq!(kind(&a, &claims), Err(ErrorKind::Revoked));
        let took = within(Duration::from_secs(1), || kind(&b, &claims).is_err())
            .await
            .unwrap_or_else(|| panic!("instance b did not see {id} within 1 s"));
        seen.push(took);
    }
    seen.sort();
    let p99 = seen[seen.len() * 99 / 100 - 1];
    assert!(p99 < Duration::from_secs(1), "p99 {p99:?}");
    // For the README's number (`-- --nocapture`); the assertion above is the test.
    eprintln!(
        "revocation seen by another instance: p50 {:?}, p99 {p99:?}, max {:?} (50 writes)",
        seen[seen.len() / 2],
        seen[seen.len() - 1]
    );
    assert_eq!(
        a.counts().await.unwrap(),
        b.counts().await.unwrap(),
        "both read Redis"
    );
    assert_eq!(a.counts().await.unwrap().jti, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_instance_loads_the_list_at_start() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let a = store(options(&redis)).await;
    let t = now();
    a.revoke_jti("old", t + 3600).await.unwrap();
    a.revoke_sid("login-1", t + 3600).await.unwrap();
    a.revoke_subject_before("bob", t).await.unwrap();
    // Expired already: neither loaded nor listed.
    a.revoke_jti("gone", t - 10).await.unwrap();

    let late = store(options(&redis)).await;
    assert_eq!(late.loads(), 1);
    assert_eq!(kind(&late, &jti("old")), Err(ErrorKind::Revoked));
    assert_eq!(kind(&late, &jti("gone")), Ok(()));
    let sid = RevocationClaims::new(Some("x"), Some("login-1"), None, Some(t), None);
    assert_eq!(kind(&late, &sid), Err(ErrorKind::Revoked));
    let bob = RevocationClaims::new(None, None, Some("bob"), Some(t - 1), None);
    assert_eq!(kind(&late, &bob), Err(ErrorKind::Revoked));

    let mut listed = late.list().await.unwrap();
    listed.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(
        listed,
        vec![
            Revocation::Jti {
                jti: "old".into(),
                until: t + 3600
            },
            Revocation::Sid {
                sid: "login-1".into(),
                until: t + 3600
            },
            Revocation::Subject {
                sub: "bob".into(),
                cutoff: t
            },
        ]
    );
    // Another prefix is another list.
    let other = store(options(&redis).key_prefix("other:")).await;
    assert_eq!(kind(&other, &jti("old")), Ok(()));
    assert_eq!(other.counts().await.unwrap(), RevocationCounts::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_cutoffs_and_expiry_across_instances() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let a = store(options(&redis)).await;
    let b = store(options(&redis)).await;
    let t = now();
    a.revoke_subject_before("ada", t).await.unwrap();
    let at = |iat: Option<i64>| RevocationClaims::new(None, None, Some("ada"), iat, None);
    within(Duration::from_secs(1), || {
        kind(&b, &at(Some(t - 1))).is_err()
    })
    .await
    .expect("cutoff reached b");
    // The boundary second: iat == cutoff passes; iat < cutoff and no iat are revoked.
    assert_eq!(kind(&b, &at(Some(t))), Ok(()));
    assert_eq!(kind(&b, &at(None)), Err(ErrorKind::Revoked));
    // An earlier cutoff does not replace a later one; a later one does.
    a.revoke_subject_before("ada", t - 100).await.unwrap();
    a.revoke_subject_before("ada", t + 10).await.unwrap();
    within(Duration::from_secs(1), || {
        kind(&b, &at(Some(t + 5))).is_err()
    })
    .await
    .expect("later cutoff reached b");
    assert_eq!(kind(&b, &at(Some(t + 10))), Ok(()));
    // Cleared by an operator: gone everywhere.
    assert!(a.clear_subject("ada").await.unwrap());
    assert!(!a.clear_subject("ada").await.unwrap());
    within(Duration::from_secs(1), || kind(&b, &at(None)).is_ok())
        .await
        .expect("clear reached b");

    // A jti entry lives until its `until`, then the token passes again on every instance.
    a.revoke_jti("short", now() + 2).await.unwrap();
    within(Duration::from_secs(1), || kind(&b, &jti("short")).is_err())
        .await
        .expect("jti reached b");
    within(Duration::from_secs(4), || {
        kind(&a, &jti("short")).is_ok() && kind(&b, &jti("short")).is_ok()
    })
    .await
    .expect("the entry expired with its token");
    assert_eq!(a.counts().await.unwrap().jti, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_used_is_true_for_one_caller_across_instances() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let a = store(options(&redis)).await;
    let b = store(options(&redis)).await;
    let until = now() + 60;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            s.mark_used("r-1", until).await.unwrap()
        }));
    }
    let mut firsts = 0;
    for task in tasks {
        firsts += usize::from(task.await.unwrap());
    }
    assert_eq!(firsts, 1);
    assert!(!a.mark_used("r-1", until).await.unwrap());
    // An expired mark is free again.
    assert!(a.mark_used("r-2", now() - 1).await.unwrap());
    assert!(b.mark_used("r-2", until).await.unwrap());
    assert_eq!(a.counts().await.unwrap().used, 2);
}

/// The answer `auth` gives `token`: status, `Retry-After`, body error.
async fn answer(auth: &BearerAuth, token: &str) -> (u16, Option<String>, String) {
    match auth.verify(token).await {
        Ok(_) => (200, None, String::new()),
        Err(rejection) => {
            let response = rejection.to_response();
            let retry = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
            (
                response.status().as_u16(),
                retry,
                body["error"].as_str().unwrap().to_owned(),
            )
        }
    }
}

fn auth_with(store: Arc<RedisStore>) -> (BearerAuth, Signer) {
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(Key::hmac(SECRET).unwrap())
        .build()
        .unwrap();
    let signer = Signer::new(Key::hmac(SECRET).unwrap(), Algorithm::HS256).unwrap();
    (BearerAuth::new(verifier).with_revocation(store), signer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_fails_closed_and_an_aof_restart_resumes() {
    let Some(mut redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let store = store(options(&redis).max_staleness(Duration::from_secs(1))).await;
    let (auth, signer) = auth_with(store.clone());
    let exp = now() + 3600;
    let valid = signer
        .encode(&json!({"sub": "ada", "jti": "ok", "iat": now(), "exp": exp}))
        .unwrap();
    let revoked = signer
        .encode(&json!({"sub": "ada", "jti": "bad", "iat": now(), "exp": exp}))
        .unwrap();
    let forged = format!("{}x", &valid[..valid.len() - 1]);
    store.revoke_jti("bad", exp).await.unwrap();
    assert_eq!(answer(&auth, &valid).await.0, 200);

    redis.kill();
    // Through the outage: the revoked token is refused at every moment; the valid one passes
    // until the replica is stale, then gets 503 with Retry-After; a forged one stays 401.
    let start = Instant::now();
    let mut went_stale = None;
    while start.elapsed() < Duration::from_millis(2_500) {
        assert_eq!(
            answer(&auth, &revoked).await,
            (401, None, "invalid_token".into())
        );
        assert_eq!(
            answer(&auth, &forged).await,
            (401, None, "invalid_token".into())
        );
        match answer(&auth, &valid).await {
            (200, ..) => assert!(went_stale.is_none(), "fresh again while Redis is down"),
            (503, Some(retry), error) => {
                assert_eq!(
                    (retry.as_str(), error.as_str()),
                    ("1", "temporarily_unavailable")
                );
                went_stale.get_or_insert(start.elapsed());
            }
            other => panic!("unexpected answer {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let went_stale = went_stale.expect("503 after max_staleness");
    assert!(
        went_stale >= Duration::from_millis(500),
        "stale too early: {went_stale:?}"
    );
    assert!(!store.is_fresh());

    // Restarted with AOF, on the same port: the replica reconnects, reloads, and the
    // revocation written before the crash still holds. No restart of the app.
    redis.restart();
    within(Duration::from_secs(5), || store.is_fresh())
        .await
        .expect("fresh again after the restart");
    assert!(store.loads() >= 2, "reloaded after reconnecting");
    assert_eq!(answer(&auth, &valid).await.0, 200);
    assert_eq!(
        answer(&auth, &revoked).await,
        (401, None, "invalid_token".into())
    );
    // And writes work again.
    store.revoke_jti("ok", exp).await.unwrap();
    assert_eq!(answer(&auth, &valid).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_open_lets_unknown_tokens_pass_and_warns_per_interval() {
    let Some(mut redis) = RedisServer::start(&SUITE) else {
        return;
    };
    jwt_guard_test_support::capture::install();
    let store = store(
        options(&redis)
            .max_staleness(Duration::from_secs(1))
            .fail(FailMode::Open),
    )
    .await;
    store.revoke_jti("bad", now() + 3600).await.unwrap();
    redis.kill();
    within(Duration::from_secs(3), || !store.is_fresh())
        .await
        .expect("stale");
    let start = Instant::now();
    let mut checks = 0;
    while start.elapsed() < Duration::from_millis(2_200) {
        assert_eq!(kind(&store, &jti("fine")), Ok(()));
        assert_eq!(kind(&store, &jti("bad")), Err(ErrorKind::Revoked));
        checks += 1;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Only this test fails open: its warnings are the only ones in the binary.
    let warnings = jwt_guard_test_support::capture::events()
        .into_iter()
        .filter(|e| e.message.contains("failing open"))
        .count();
    assert!(checks > 200, "{checks}");
    assert!(
        (2..=4).contains(&warnings),
        "one warning per interval (1 s) over 2.2 s, not per request: {warnings} for {checks} checks"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_redis_never_stalls_a_check() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let store = store(options(&redis)).await;
    store.revoke_jti("bad", now() + 3600).await.unwrap();
    let (auth, signer) = auth_with(store.clone());
    let valid = signer
        .encode(&json!({"sub": "ada", "jti": "ok", "exp": now() + 3600}))
        .unwrap();
    let revoked = signer
        .encode(&json!({"sub": "ada", "jti": "bad", "exp": now() + 3600}))
        .unwrap();
    for pause in [
        vec!["CLIENT", "PAUSE", "2000", "ALL"],
        vec!["DEBUG", "SLEEP", "2"],
    ] {
        // DEBUG SLEEP blocks redis-cli for its duration: run it beside the checks.
        let cli = {
            let port = redis.port();
            let args: Vec<String> = pause.iter().map(|s| (*s).to_owned()).collect();
            std::thread::spawn(move || {
                std::process::Command::new("redis-cli")
                    .args(["-h", "127.0.0.1", "-p", &port.to_string()])
                    .args(&args)
                    .output()
                    .unwrap()
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let start = Instant::now();
        let mut slowest = Duration::ZERO;
        let mut checks = 0;
        while start.elapsed() < Duration::from_millis(1_500) {
            let t = Instant::now();
            assert_eq!(answer(&auth, &valid).await.0, 200, "{pause:?}");
            assert_eq!(answer(&auth, &revoked).await.0, 401, "{pause:?}");
            slowest = slowest.max(t.elapsed());
            checks += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(checks > 100, "{pause:?}: {checks}");
        assert!(
            slowest < Duration::from_millis(50),
            "{pause:?}: a check waited {slowest:?}"
        );
        assert!(cli.join().unwrap().status.success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_forgets_every_revocation() {
    let Some(mut redis) = RedisServer::start_with(&SUITE, false) else {
        return;
    };
    let store = store(options(&redis)).await;
    store.revoke_jti("bad", now() + 3600).await.unwrap();
    assert_eq!(kind(&store, &jti("bad")), Err(ErrorKind::Revoked));
    redis.restart();
    within(Duration::from_secs(5), || {
        store.loads() >= 2 && store.is_fresh()
    })
    .await
    .expect("reloaded");
    // Without persistence Redis came back empty, and the replica follows it: documented.
    assert_eq!(kind(&store, &jti("bad")), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_at_start() {
    // A port nothing listens on: connect fails with a typed error naming no URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = RedisStore::connect(RedisOptions::new(format!(
        "redis://:hunter2@127.0.0.1:{port}/0"
    )))
    .await
    .unwrap_err();
    assert_eq!(err.code(), "revocation");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // Started without waiting: not fresh, so it fails closed with 503.
    let store = RedisStore::new(RedisOptions::new(format!("redis://127.0.0.1:{port}/0"))).unwrap();
    assert_eq!(store.staleness(), None);
    assert_eq!(
        kind(&store, &jti("any")),
        Err(ErrorKind::RevocationUnavailable {
            retry_after_secs: 5
        })
    );
    // Writes fail with a typed error, quickly (2 s timeouts), never hang.
    let started = Instant::now();
    let err = store.revoke_jti("x", now() + 60).await.unwrap_err();
    assert_eq!(err.code(), "revocation");
    assert!(started.elapsed() < Duration::from_secs(10));
}
