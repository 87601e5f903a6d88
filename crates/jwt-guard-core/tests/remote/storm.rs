//! An unknown-`kid` storm: 1,000 concurrent requests with random `kid`s cost the provider at
//! most one request per cooldown window, and valid tokens keep passing meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jwt_guard_core::ErrorKind;

use crate::remote::support::{Behaviour, Server, builder, check, jwks, signing_key, verifier};

/// A small xorshift generator: random-looking `kid`s without a dependency.
struct Random(u64);

impl Random {
    fn kid(&mut self) -> String {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        format!("{:016x}", self.0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_storm_costs_one_fetch_per_cooldown() {
    let good = signing_key("good");
    let attacker = signing_key("attacker");
    // Each JWKS answer takes 50 ms, so a burst has a fetch in flight to join.
    let server = Server::start(Behaviour::Slow {
        delay: Duration::from_millis(50),
        body: jwks(&[&good.jwk]),
    })
    .await;
    let cooldown = Duration::from_millis(250);
    let source = builder(&server.jwks_url())
        .cooldown(cooldown)
        .load()
        .await
        .unwrap();
    let verifier = Arc::new(verifier(&source));
    let valid = Arc::new(good.token());
    let mut random = Random(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1,
    );
    let storm: Vec<String> = (0..1000)
        .map(|_| attacker.token_with_kid(&random.kid()))
        .collect();
    assert_eq!(server.jwks_hits(), 1);

    // Phase 1: one burst of 1,000 after the cooldown of the load: exactly one fetch, shared.
    tokio::time::sleep(cooldown + Duration::from_millis(20)).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, token) in storm.iter().enumerate() {
        let (v, token, valid) = (verifier.clone(), token.clone(), valid.clone());
        tasks.push(tokio::spawn(async move {
            let unknown = check(&v, &token).await;
            // Every tenth task also presents a valid token while the storm runs.
            let good = if i % 10 == 0 {
                Some(check(&v, &valid).await)
            } else {
                None
            };
            (unknown, good)
        }));
    }
    let (mut unknown, mut passed) = (0, 0);
    for task in tasks {
        let (bad, good) = task.await.unwrap();
        assert_eq!(bad, Err(ErrorKind::UnknownKey));
        unknown += 1;
        if let Some(good) = good {
            assert_eq!(good, Ok(()));
            passed += 1;
        }
    }
    let burst = started.elapsed();
    let burst_fetches = server.jwks_hits() - 1;
    assert_eq!((unknown, passed), (1000, 100));
    assert_eq!(
        burst_fetches, 1,
        "1,000 concurrent unknown kids share one fetch"
    );
    assert!(burst < Duration::from_secs(5), "{burst:?}");

    // Phase 2: 1,000 more spread over about 1 s (20 waves of 50, 50 ms apart): at most one
    // fetch per cooldown window, and valid tokens pass between the waves.
    let before = server.jwks_hits();
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut valid_latencies = Vec::new();
    for wave in storm.chunks(50) {
        for token in wave {
            let (v, token) = (verifier.clone(), token.clone());
            tasks.push(tokio::spawn(async move { check(&v, &token).await }));
        }
        let t = Instant::now();
        assert_eq!(check(&verifier, &valid).await, Ok(()));
        valid_latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), Err(ErrorKind::UnknownKey));
    }
    let spread = started.elapsed();
    let spread_fetches = server.jwks_hits() - before;
    let windows = spread.as_millis().div_ceil(cooldown.as_millis()) as usize;
    assert!(
        spread_fetches >= 1 && spread_fetches <= windows,
        "{spread_fetches} fetches in {spread:?} ({windows} cooldown windows)"
    );
    assert!(spread < Duration::from_secs(5), "{spread:?}");
    let slowest_valid = valid_latencies.iter().max().copied().unwrap_or_default();
    assert!(slowest_valid < Duration::from_secs(1), "{slowest_valid:?}");
    assert_eq!(source.status().failures, 0);
    println!(
        "storm: burst of 1000 in {burst:?} -> {burst_fetches} fetch; 1000 over {spread:?} \
         ({windows} windows of {cooldown:?}) -> {spread_fetches} fetches; \
         slowest valid token {slowest_valid:?}; total fetches {}",
        server.jwks_hits()
    );
}
