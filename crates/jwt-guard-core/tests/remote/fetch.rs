//! One remote JWK Set against a server whose behaviour each test sets: the exact outcome and
//! the exact number of requests for each case.

use std::time::{Duration, Instant};

use jwt_guard_core::remote::RemoteJwks;
use jwt_guard_core::{Algorithm, ErrorKind, KeySource};
use serde_json::json;

use crate::remote::support::{
    Behaviour, ISS, Server, builder, chain, check, check_sync, closed_url, events, events_for,
    eventually, jwks, signing_key, signing_key_for, verifier,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lazy_build_fetches_on_first_use_then_serves_from_the_cache() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let source = builder(&server.jwks_url()).build().unwrap();
    let v = verifier(&source);
    assert_eq!(server.jwks_hits(), 0, "building makes no request");
    assert!(source.current().is_none());
    let token = k1.token();

    assert_eq!(check_sync(&v, &token), Err(ErrorKind::KeyUnavailable));
    assert_eq!(server.jwks_hits(), 0, "the sync path never fetches");
    assert!(matches!(
        check_sync(&v, "not.a.token"),
        Err(ErrorKind::Malformed(_))
    ));
    assert!(matches!(
        check(&v, "junk").await,
        Err(ErrorKind::Malformed(_))
    ));
    assert_eq!(server.jwks_hits(), 0, "a malformed token makes no fetch");

    assert_eq!(check(&v, &token).await, Ok(()));
    assert_eq!(server.jwks_hits(), 1);
    for _ in 0..20 {
        assert_eq!(check(&v, &token).await, Ok(()));
        assert_eq!(check_sync(&v, &token), Ok(()));
    }
    assert_eq!(server.jwks_hits(), 1, "served from the cache");

    let status = source.status();
    assert_eq!(status.fetches, 1);
    assert_eq!(status.failures, 0);
    assert_eq!(status.keys, 1);
    assert_eq!(status.ttl, Some(Duration::from_secs(600)));
    assert!(status.fresh && status.usable);
    assert_eq!(status.last_error, None);
    assert_eq!(status.jwks_uri.as_deref(), Some(server.jwks_url().as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_loads_in_the_background() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let source = builder(&server.jwks_url()).build().unwrap();
    source.prefetch();
    assert!(eventually(Duration::from_secs(3), || source.current().is_some()).await);
    source.prefetch();
    assert_eq!(check_sync(&verifier(&source), &k1.token()), Ok(()));
    assert_eq!(server.jwks_hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eager_load_returns_the_keys_or_fails_fast() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let source = builder(&server.jwks_url()).load().await.unwrap();
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(check_sync(&verifier(&source), &k1.token()), Ok(()));

    let started = Instant::now();
    let err = builder(&closed_url()).load().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::KeyUnavailable);
    assert!(
        chain(&err).starts_with("key set unavailable: request failed: "),
        "{}",
        chain(&err)
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    server.set(Behaviour::Status(500));
    let err = builder(&server.jwks_url()).load().await.unwrap_err();
    assert_eq!(chain(&err), "key set unavailable: HTTP status 500");
    assert_eq!(server.jwks_hits(), 2);

    // A bad setting is a configuration error before any request.
    let err = RemoteJwks::builder("http://idp.example/jwks")
        .load()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_a_new_kid_appears_and_the_old_one_is_removed() {
    let (k1, k2) = (signing_key("k1"), signing_key("k2"));
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let cooldown = Duration::from_millis(300);
    let source = builder(&server.jwks_url())
        .cooldown(cooldown)
        .load()
        .await
        .unwrap();
    let loaded = Instant::now();
    let v = verifier(&source);
    assert_eq!(check(&v, &k1.token()).await, Ok(()));

    server.set(Behaviour::serve(jwks(&[&k2.jwk])));
    // Within the cooldown of the last fetch: unknown_key at once, no request.
    assert_eq!(check(&v, &k2.token()).await, Err(ErrorKind::UnknownKey));
    assert!(
        loaded.elapsed() < cooldown,
        "the machine is too slow for this test"
    );
    assert_eq!(server.jwks_hits(), 1);

    tokio::time::sleep(cooldown.saturating_sub(loaded.elapsed()) + Duration::from_millis(20)).await;
    assert_eq!(
        check(&v, &k2.token()).await,
        Ok(()),
        "the unknown kid refreshed the set"
    );
    assert_eq!(server.jwks_hits(), 2);
    assert_eq!(
        check(&v, &k1.token()).await,
        Err(ErrorKind::UnknownKey),
        "k1 is gone"
    );
    assert_eq!(check_sync(&v, &k2.token()), Ok(()));
    assert_eq!(server.jwks_hits(), 2, "k1's miss came within the cooldown");
    assert_eq!(source.status().keys, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_down_never_loaded_is_key_unavailable_and_asked_once_per_cooldown() {
    events();
    let url = closed_url();
    let source = builder(&url).build().unwrap();
    let v = verifier(&source);
    let token = signing_key("k1").token();
    let started = Instant::now();
    assert_eq!(check(&v, &token).await, Err(ErrorKind::KeyUnavailable));
    assert_eq!(check(&v, &token).await, Err(ErrorKind::KeyUnavailable));
    assert!(started.elapsed() < Duration::from_secs(2));
    let status = source.status();
    assert_eq!((status.fetches, status.failures, status.keys), (1, 1, 0));
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("request failed: ")
    );
    let logged = events_for(&url);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].level, tracing::Level::WARN);
    assert_eq!(
        logged[0].message,
        "JWK Set fetch failed; no keys loaded yet (tokens get key_unavailable)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_500_is_key_unavailable() {
    let server = Server::start(Behaviour::Status(500)).await;
    let source = builder(&server.jwks_url()).build().unwrap();
    let v = verifier(&source);
    let token = signing_key("k1").token();
    assert_eq!(check(&v, &token).await, Err(ErrorKind::KeyUnavailable));
    assert_eq!(check(&v, &token).await, Err(ErrorKind::KeyUnavailable));
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(
        source.status().last_error.as_deref(),
        Some("HTTP status 500")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_past_the_timeout_is_key_unavailable_after_the_timeout() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::Slow {
        delay: Duration::from_secs(3),
        body: jwks(&[&k1.jwk]),
    })
    .await;
    let timeout = Duration::from_millis(300);
    let source = builder(&server.jwks_url())
        .timeout(timeout)
        .build()
        .unwrap();
    let v = verifier(&source);
    let started = Instant::now();
    assert_eq!(check(&v, &k1.token()).await, Err(ErrorKind::KeyUnavailable));
    let waited = started.elapsed();
    assert!(
        waited >= timeout && waited < Duration::from_millis(1500),
        "{waited:?}"
    );
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(
        source.status().last_error.as_deref(),
        Some("no complete answer within 0.3 s")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_refused_and_keeps_the_last_good_keys() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve("{\"keys\": [")).await;
    let cooldown = Duration::from_millis(100);
    let source = builder(&server.jwks_url())
        .cooldown(cooldown)
        .build()
        .unwrap();
    let v = verifier(&source);
    assert_eq!(check(&v, &k1.token()).await, Err(ErrorKind::KeyUnavailable));
    assert_eq!(server.jwks_hits(), 1);
    let error = source.status().last_error.unwrap();
    assert!(
        error.starts_with("not a usable JWK Set: invalid key: not a JWK Set"),
        "{error}"
    );

    server.set(Behaviour::serve(jwks(&[&k1.jwk])));
    tokio::time::sleep(cooldown).await;
    assert_eq!(check(&v, &k1.token()).await, Ok(()));
    assert_eq!(server.jwks_hits(), 2);

    for body in [
        "<html>oops</html>",
        "{\"keys\": \"none\"}",
        "{\"keys\": []}",
    ] {
        server.set(Behaviour::serve(body));
        let err = source.load().await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::KeyUnavailable, "{body}");
        assert_eq!(
            check_sync(&v, &k1.token()),
            Ok(()),
            "{body}: the last good keys stay"
        );
    }
    assert_eq!(server.jwks_hits(), 5);
    assert_eq!(source.status().failures, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_while_streaming() {
    let k1 = signing_key("k1");
    let body = jwks(&[&k1.jwk]);
    let server = Server::start(Behaviour::serve(body.clone())).await;

    // Exactly at the cap: accepted; one byte under the body size: refused (Content-Length).
    let at_cap = builder(&server.jwks_url())
        .max_body_bytes(body.len())
        .load()
        .await;
    assert!(at_cap.is_ok());
    let under = builder(&server.jwks_url())
        .max_body_bytes(body.len() - 1)
        .load()
        .await;
    let err = under.unwrap_err();
    assert_eq!(
        chain(&err),
        format!(
            "key set unavailable: the response body is over {} bytes",
            body.len() - 1
        )
    );
    assert_eq!(server.jwks_hits(), 2);

    // A chunked body with no length that never ends: dropped once past the cap.
    server.set(Behaviour::Endless);
    let source = builder(&server.jwks_url())
        .max_body_bytes(64 * 1024)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = source.load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "key set unavailable: the response body is over 65536 bytes"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.jwks_hits(), 3);
    // The server stops producing soon after the client hangs up (socket buffers aside).
    let produced_at_cut = server.streamed_bytes();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        server.streamed_bytes() < 32 * 1024 * 1024,
        "{produced_at_cut}"
    );

    // The default cap is 1 MiB.
    let err = builder(&server.jwks_url()).load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "key set unavailable: the response body is over 1048576 bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_key_among_good_ones_is_skipped() {
    events();
    let es = signing_key("es");
    let ed = signing_key_for(Algorithm::EdDSA, "ed");
    let mut ed_without_alg = ed.jwk.clone();
    ed_without_alg.as_object_mut().unwrap().remove("alg");
    let mut broken = es.jwk.clone();
    broken["kid"] = json!("broken");
    broken["x"] = json!("AAAA");
    let mut for_encryption = signing_key("enc").jwk;
    for_encryption["use"] = json!("enc");
    let secp256k1 =
        json!({"kty": "EC", "kid": "k1curve", "crv": "secp256k1", "x": "AA", "y": "AA"});
    let unknown_kty = json!({"kty": "XYZ", "kid": "xyz"});
    let body = jwks(&[
        &es.jwk,
        &broken,
        &for_encryption,
        &secp256k1,
        &unknown_kty,
        &ed_without_alg,
    ]);
    let server = Server::start(Behaviour::serve(body)).await;
    let url = server.jwks_url();
    let source = builder(&url).build().unwrap();
    let v = verifier(&source);

    assert_eq!(check(&v, &es.token()).await, Ok(()));
    assert_eq!(
        check(&v, &ed.token()).await,
        Ok(()),
        "a key without alg serves its kty/crv"
    );
    assert_eq!(server.jwks_hits(), 1);
    let keys = source.current().unwrap();
    assert_eq!(keys.len(), 2);
    let skipped: Vec<(usize, Option<&str>)> = keys
        .skipped()
        .iter()
        .map(|s| (s.index, s.kid.as_deref()))
        .collect();
    assert_eq!(
        skipped,
        [
            (1, Some("broken")),
            (2, Some("enc")),
            (3, Some("k1curve")),
            (4, Some("xyz"))
        ]
    );
    let warned: Vec<String> = events_for(&url)
        .iter()
        .filter(|e| e.message == "skipped a JWK that cannot be used; the other keys serve")
        .map(|e| e.field("kid").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(warned, ["broken", "enc", "k1curve", "xyz"]);
    // The encryption key's kid is not a signing key: unknown_key, and no extra fetch within
    // the cooldown.
    assert_eq!(
        check(&v, &signing_key("enc").token()).await,
        Err(ErrorKind::UnknownKey)
    );
    assert_eq!(server.jwks_hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_sets_the_lifetime_within_bounds() {
    let k1 = signing_key("k1");
    let body = jwks(&[&k1.jwk]);
    let server = Server::start(Behaviour::serve(body.clone())).await;
    let source = RemoteJwks::builder(server.jwks_url())
        .max_ttl(Duration::from_secs(3600))
        .build()
        .unwrap();
    let cases = [
        (None, 600),
        (Some("public, max-age=120"), 120),
        (Some("max-age=999999"), 3600),
        (Some("max-age=5"), 60),
        (Some("no-store"), 60),
    ];
    for (i, (cache_control, ttl)) in cases.into_iter().enumerate() {
        server.set(Behaviour::Serve {
            body: body.clone(),
            cache_control,
        });
        source.load().await.unwrap();
        assert_eq!(
            source.status().ttl,
            Some(Duration::from_secs(ttl)),
            "{cache_control:?}"
        );
        assert_eq!(server.jwks_hits(), i + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_refreshed_in_the_background_before_they_expire() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::Serve {
        body: jwks(&[&k1.jwk]),
        cache_control: Some("max-age=2"),
    })
    .await;
    let source = builder(&server.jwks_url())
        .min_ttl(Duration::from_secs(1))
        .cooldown(Duration::from_millis(100))
        .load()
        .await
        .unwrap();
    let v = verifier(&source);
    assert_eq!(source.status().ttl, Some(Duration::from_secs(2)));
    // Refresh at 80 % of 2 s; poll past the first expiry without any verification.
    let started = Instant::now();
    let mut always_fresh = true;
    while started.elapsed() < Duration::from_millis(2500) {
        always_fresh &= source.status().fresh;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        always_fresh,
        "the set never expired: refreshed ahead of time"
    );
    assert_eq!(server.jwks_hits(), 2, "one refresh at about 1.6 s");
    assert_eq!(check_sync(&v, &k1.token()), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_if_error_then_key_unavailable_past_max_stale() {
    events();
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let url = server.jwks_url();
    let cooldown = Duration::from_millis(200);
    // The keys' age counts from their fetch, which lies between these two instants.
    let before_load = Instant::now();
    let source = builder(&url)
        .ttl(Duration::from_millis(400))
        .cooldown(cooldown)
        .max_stale(Duration::from_millis(1000))
        .load()
        .await
        .unwrap();
    let loaded = Instant::now();
    let v = verifier(&source);
    let token = k1.token();
    server.set(Behaviour::Status(503));

    // Past the lifetime, refreshes fail, the last good keys still serve.
    assert!(eventually(Duration::from_secs(3), || source.status().failures >= 1).await);
    assert!(eventually(Duration::from_secs(3), || !source.status().fresh).await);
    assert!(
        loaded.elapsed() < Duration::from_millis(1300),
        "too slow for this test"
    );
    assert_eq!(check_sync(&v, &token), Ok(()));
    assert_eq!(check(&v, &token).await, Ok(()));
    let status = source.status();
    assert!(status.usable);
    assert_eq!(status.last_error.as_deref(), Some("HTTP status 503"));
    let warned = events_for(&url);
    assert!(
        warned.iter().any(|e| e.level == tracing::Level::WARN
            && e.message == "JWK Set refresh failed; still using the last good keys"),
        "{warned:?}"
    );

    // Past lifetime + max_stale (1.4 s): dropped.
    assert!(eventually(Duration::from_secs(4), || !source.status().usable).await);
    assert!(before_load.elapsed() >= Duration::from_millis(1400));
    assert_eq!(check_sync(&v, &token), Err(ErrorKind::KeyUnavailable));
    assert!(
        eventually(Duration::from_secs(3), || events_for(&url)
            .iter()
            .any(|e| e.level == tracing::Level::ERROR))
        .await
    );

    // The provider recovers: the next fetch (a retry or the request's refresh) brings keys back.
    server.set(Behaviour::serve(jwks(&[&k1.jwk])));
    assert!(
        eventually(Duration::from_secs(3), || source.current().is_some()).await
            || check(&v, &token).await.is_ok()
    );
    assert_eq!(check(&v, &token).await, Ok(()));
    let status = source.status();
    assert_eq!(status.last_error, None);
    // Every request was one fetch, and retries came at most once per cooldown.
    let hits = server.jwks_hits() as u64;
    assert_eq!(hits, status.fetches);
    let windows = loaded.elapsed().as_millis() / cooldown.as_millis();
    assert!(
        hits <= 2 + windows as u64,
        "{hits} fetches in {windows} cooldown windows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_discovery_finds_the_jwks_uri_and_checks_the_issuer() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let issuer = server.base_url();
    server.set_discovery(json!({"issuer": issuer, "jwks_uri": server.jwks_url()}));
    let source = RemoteJwks::discover(&issuer).build().unwrap();
    assert_eq!(source.status().jwks_uri, None);
    let v = jwt_guard_core::Verifier::builder()
        .algorithms([Algorithm::ES256])
        .issuer(&issuer)
        .audience("api")
        .key_source(std::sync::Arc::new(source.clone()))
        .build()
        .unwrap();
    assert_eq!(check(&v, &k1.token_for(&issuer, "api")).await, Ok(()));
    assert_eq!((server.discovery_hits(), server.jwks_hits()), (1, 1));
    assert_eq!(
        source.status().jwks_uri.as_deref(),
        Some(server.jwks_url().as_str())
    );
    source.load().await.unwrap();
    assert_eq!(
        (server.discovery_hits(), server.jwks_hits()),
        (1, 2),
        "jwks_uri is kept"
    );
    assert_eq!(check(&v, &k1.token()).await, Err(ErrorKind::InvalidIssuer));

    // The document must name the configured issuer exactly.
    for named in [ISS.to_owned(), format!("{issuer}/")] {
        server.set_discovery(json!({"issuer": named, "jwks_uri": server.jwks_url()}));
        let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
        assert_eq!(
            chain(&err),
            format!(
                "key set unavailable: OpenID Connect discovery failed: the document names the \
                 issuer {named:?}, not {issuer:?}"
            )
        );
    }
    server.set_discovery(json!({"issuer": issuer}));
    let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
    assert!(chain(&err).ends_with("the document has no jwks_uri"));
    server.set_discovery(json!({"issuer": issuer, "jwks_uri": "http://idp.example/jwks"}));
    let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
    assert!(
        chain(&err).contains("jwks_uri: plain http is refused"),
        "{}",
        chain(&err)
    );
    // UTF-8 and a JSON object (fuzzing finding 5: bytes that are not UTF-8 in a member nobody
    // reads were accepted; an array was read as the two members).
    let mut document = format!(
        r#"{{"issuer": "{issuer}", "jwks_uri": "{}", "service_documentation": "x"#,
        server.jwks_url()
    )
    .into_bytes();
    document.extend_from_slice(b"\xd0\xd0\"}");
    server.set_discovery_bytes(document);
    let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
    assert!(
        chain(&err).ends_with("the document is not UTF-8 text"),
        "{}",
        chain(&err)
    );
    server.set_discovery(json!([issuer, server.jwks_url()]));
    let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
    assert!(
        chain(&err).ends_with("the document is not a JSON object"),
        "{}",
        chain(&err)
    );
    assert_eq!((server.discovery_hits(), server.jwks_hits()), (7, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_an_outage_the_cache_rides_out() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let source = builder(&server.jwks_url())
        .cooldown(Duration::from_millis(50))
        .load()
        .await
        .unwrap();
    let v = verifier(&source);
    server.stop();
    tokio::time::sleep(Duration::from_millis(60)).await;
    let err = source.load().await.unwrap_err();
    assert!(
        chain(&err).starts_with("key set unavailable: request failed"),
        "{}",
        chain(&err)
    );
    assert_eq!(
        check(&v, &k1.token()).await,
        Ok(()),
        "the cached keys still serve"
    );
    assert_eq!(server.jwks_hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn your_own_client_is_used() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    builder(&server.jwks_url()).load().await.unwrap();
    assert_eq!(
        server.user_agent().as_deref(),
        Some(concat!("jwt-guard/", env!("CARGO_PKG_VERSION")))
    );
    let client = reqwest::Client::builder()
        .user_agent("my-service/1.0")
        .build()
        .unwrap();
    builder(&server.jwks_url())
        .client(client)
        .load()
        .await
        .unwrap();
    assert_eq!(server.user_agent().as_deref(), Some("my-service/1.0"));
    // Redirects (with jwt-guard's client or yours): tests/remote/redirects.rs.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_never_wait_for_a_fetch_in_flight_unless_their_kid_is_unknown() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let cooldown = Duration::from_millis(50);
    let source = builder(&server.jwks_url())
        .cooldown(cooldown)
        .load()
        .await
        .unwrap();
    let v = std::sync::Arc::new(verifier(&source));
    server.set(Behaviour::Slow {
        delay: Duration::from_millis(800),
        body: jwks(&[&k1.jwk]),
    });
    tokio::time::sleep(cooldown).await;
    let unknown = {
        let v = v.clone();
        let token = k1.token_with_kid("rotated");
        tokio::spawn(async move {
            let started = Instant::now();
            (check(&v, &token).await, started.elapsed())
        })
    };
    assert!(eventually(Duration::from_secs(2), || server.jwks_hits() == 2).await);
    // The fetch is in flight for 800 ms: known keys answer at once meanwhile.
    let token = k1.token();
    for _ in 0..50 {
        let started = Instant::now();
        assert_eq!(check(&v, &token).await, Ok(()));
        assert_eq!(check_sync(&v, &token), Ok(()));
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "{:?}",
            started.elapsed()
        );
    }
    let (outcome, waited) = unknown.await.unwrap();
    assert_eq!(outcome, Err(ErrorKind::UnknownKey));
    assert!(
        waited >= Duration::from_millis(700),
        "it waited for the one fetch: {waited:?}"
    );
    assert_eq!(server.jwks_hits(), 2);
}
