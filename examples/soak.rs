//! The soak run (`scripts/soak [SECS]`, 60 s by default): both quickstart servers at once, as
//! processes of their own, under a fixed mix of requests while their keys rotate, their key set
//! goes down, tokens get revoked and Redis restarts; every response must be the one its token
//! deserves, and each server's open file descriptors (and, in runs of 60 s or more, its RSS
//! after warm-up) must stay flat. Loopback only; bounded in time. Results: RELIABILITY.md.
//!
//! - **Keys**: a JWK Set served here (`Cache-Control: max-age=2`), one ES256, EdDSA and RS256
//!   key per generation. Every `SECS / 6` a new generation is published; tokens use it five
//!   seconds later (the servers' config has `ttl_secs = 2`, `cooldown_secs = 2`, so they have
//!   fetched it by then), and the previous one is withdrawn after that.
//! - **The key set goes down** (503) for `SECS / 6` in the middle of the run: the servers keep
//!   serving the keys they have (no rotation is published around it).
//! - **Clients**: valid requests send the tokens of eight clients per algorithm and generation,
//!   each again and again, so the servers' verified-token caches (on by default) answer most of
//!   them; the run fails unless each server reports cache hits (`GET /metrics`).
//! - **Revocations**: every `SECS / 10` a client token in use (cached by both servers) is
//!   revoked in Redis; it is no longer sent as valid from half a second before its revocation,
//!   and is sent from 1.5 s after it (the replicas see a revocation within milliseconds; the
//!   margins keep one right answer per request) and must be `revoked`: a cache never hides a
//!   revocation. Once the keys have rotated, the revoked `jti` is sent under the current key.
//! - **Redis restarts once** (with AOF) at three quarters of the run: the replicas reconnect,
//!   reload, and the revocations hold (the restart is shorter than `max_staleness_secs`, so no
//!   503 is expected).
//! - **The mix**, per ten requests: six valid client tokens (ES256, EdDSA, RS256 in turn), one expired,
//!   one forged (the right `kid`, another key), one malformed, one oversized (20 KB), and,
//!   once a revocation is in force, one revoked token instead of a valid one.
//!
//! Not an example to copy: a test driver, built with the examples so that it finds the
//! quickstart binaries beside itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test driver: a failed step ends the run"
)]

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use jwt_guard_core::keygen::{self, GeneratedKey};
use jwt_guard_core::revocation::{RedisOptions, RedisStore, RevocationStore};
use jwt_guard_core::{Algorithm, Key, Signer};
use jwt_guard_test_support::redis_server::RedisServer;
use jwt_guard_test_support::{REDIS_SERVER, Suite};
use serde_json::{Value, json};

const ISSUER: &str = "https://soak.jwt-guard.invalid";
const AUDIENCE: &str = "soak";
const ALGS: [Algorithm; 3] = [Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256];
const WORKERS_PER_SERVER: usize = 4;
/// Client tokens per algorithm and key generation.
const CLIENTS: usize = 8;

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One generation of keys (one per algorithm), and the tokens its clients send.
struct Generation {
    n: usize,
    keys: Vec<GeneratedKey>,
    /// Per algorithm, [`CLIENTS`] tokens (`jti`, token) that valid requests send again and again,
    /// as clients do: the servers' verified-token caches hold them.
    clients: Vec<Vec<(String, String)>>,
}

impl Generation {
    fn new(n: usize, exp: i64) -> Generation {
        let keys: Vec<GeneratedKey> = ALGS
            .iter()
            .map(|&alg| {
                keygen::generate(alg)
                    .unwrap()
                    .with_kid(format!("g{n}-{}", alg.as_str()))
            })
            .collect();
        let clients = keys
            .iter()
            .zip(ALGS)
            .map(|(key, alg)| {
                (0..CLIENTS)
                    .map(|c| {
                        let jti = format!("g{n}-{}-c{c}", alg.as_str());
                        let token = sign(key.key(), alg, &claims(&jti, exp));
                        (jti, token)
                    })
                    .collect()
            })
            .collect();
        Generation { n, keys, clients }
    }

    fn jwks(&self) -> Vec<Value> {
        self.keys
            .iter()
            .map(|k| serde_json::to_value(k.public_jwk().unwrap()).unwrap())
            .collect()
    }
}

/// The JWK Set server's state: what it publishes, and whether it is down.
#[derive(Default)]
struct Jwks {
    published: Mutex<Vec<Value>>,
    down: AtomicBool,
    fetches: AtomicU64,
}

async fn serve_jwks(State(jwks): State<Arc<Jwks>>) -> axum::response::Response {
    jwks.fetches.fetch_add(1, Ordering::Relaxed);
    if jwks.down.load(Ordering::Relaxed) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let keys = jwks.published.lock().unwrap().clone();
    (
        [(header::CACHE_CONTROL, "max-age=2")],
        axum::Json(json!({ "keys": keys })),
    )
        .into_response()
}

/// What the driver signs with now: the generation in use.
struct Signing {
    current: Mutex<Arc<Generation>>,
    /// Client tokens revoked: `jti`, the token, its generation, and when it may be sent as
    /// revoked (1.5 s after the revocation). From the moment one is chosen it is no longer sent
    /// as valid.
    revoked: Mutex<Vec<Revoked>>,
}

struct Revoked {
    jti: String,
    token: String,
    generation: usize,
    from: Instant,
}

/// What a request carries, and what it deserves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Valid(usize),
    Expired,
    Forged,
    Malformed,
    Oversized,
    Revoked,
}

impl Kind {
    fn label(self) -> String {
        match self {
            Kind::Valid(i) => format!("valid {}", ALGS[i].as_str()),
            other => format!("{other:?}").to_lowercase(),
        }
    }

    /// Status and `error_description` deserved.
    fn expected(self) -> (u16, Option<&'static str>) {
        match self {
            Kind::Valid(_) => (200, None),
            Kind::Expired => (401, Some("the token has expired")),
            Kind::Forged => (401, Some("the token signature is invalid")),
            Kind::Malformed => (401, Some("the token is malformed")),
            Kind::Oversized => (401, Some("the token is too large")),
            Kind::Revoked => (401, Some("the token has been revoked")),
        }
    }
}

fn sign(key: &Key, alg: Algorithm, claims: &Value) -> String {
    Signer::new(key.clone(), alg)
        .unwrap()
        .encode(claims)
        .unwrap()
}

fn claims(jti: &str, exp: i64) -> Value {
    json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "soak", "jti": jti, "iat": now() - 5, "exp": exp})
}

/// The token of the `n`th request and what it deserves.
fn next_token(signing: &Signing, n: u64, forgers: &Generation) -> (Kind, String) {
    let generation = Arc::clone(&signing.current.lock().unwrap());
    let i = usize::try_from(n % 3).unwrap();
    let key = &generation.keys[i];
    let jti = format!("t-{n}");
    // A client token of this generation, unless it was revoked; then a new token (a client
    // that logged in again).
    let client = |i: usize| {
        let revoked = signing.revoked.lock().unwrap();
        let c = usize::try_from(n / 10).unwrap() % CLIENTS;
        let (id, token) = &generation.clients[i][c];
        if revoked.iter().any(|r| &r.jti == id) {
            sign(key.key(), ALGS[i], &claims(&jti, now() + 600))
        } else {
            token.clone()
        }
    };
    match n % 10 {
        6 => (
            Kind::Expired,
            sign(key.key(), ALGS[i], &claims(&jti, now() - 3_600)),
        ),
        7 => {
            // The current key's kid and algorithm, another key of that kind.
            let forged = forgers.keys[i].key().clone().with_kid(key.kid().unwrap());
            (
                Kind::Forged,
                sign(&forged, ALGS[i], &claims(&jti, now() + 600)),
            )
        }
        8 => (Kind::Malformed, "abc.def".to_owned()),
        9 => (Kind::Oversized, format!("{}.{}.x", "a".repeat(20_000), "b")),
        5 => {
            // The latest revocation in force: the revoked client token itself while its
            // generation signs (the servers verified and cached it before it was revoked),
            // else its `jti` under the current key.
            let in_force = signing
                .revoked
                .lock()
                .unwrap()
                .iter()
                .filter(|r| Instant::now() >= r.from)
                .map(|r| (r.jti.clone(), r.token.clone(), r.generation))
                .next_back();
            match in_force {
                Some((_, token, g)) if g == generation.n => (Kind::Revoked, token),
                Some((id, _, _)) => (
                    Kind::Revoked,
                    sign(key.key(), ALGS[i], &claims(&id, now() + 600)),
                ),
                None => (Kind::Valid(i), client(i)),
            }
        }
        _ => (Kind::Valid(i), client(i)),
    }
}

/// One server process under test.
struct Server {
    name: &'static str,
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(name: &'static str, binary: &str, config: &std::path::Path) -> Server {
        let exe = std::env::current_exe().unwrap();
        let path = exe.parent().unwrap().join(binary);
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let child = Command::new(&path)
            .env("JWT_GUARD_CONFIG", config)
            .env("JWT_GUARD_ADDR", addr.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run scripts/soak, which builds it)",
                    path.display()
                )
            });
        Server { name, child, addr }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident set size in KiB and open descriptors, from /proc.
    fn sample(&self) -> (u64, usize) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let rss = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        let fds = std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count();
        (rss, fds)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts per (server, kind, outcome).
#[derive(Default)]
struct Tally {
    by_kind: BTreeMap<(String, String), u64>,
    unexpected: Vec<String>,
    server_errors: u64,
    total: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let secs: u64 = std::env::args()
        .skip_while(|a| a != "--secs")
        .nth(1)
        .map_or(60, |s| s.parse().expect("--secs SECONDS"));
    let report = run(secs).await;
    println!("{report}");
    if report.contains("RESULT: FAIL") {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

async fn run(secs: u64) -> String {
    let d = Duration::from_secs(secs);
    let suite = Suite {
        name: "soak (scripts/soak)",
        needs: REDIS_SERVER,
    };
    let mut redis =
        RedisServer::start(&suite).expect("redis-server (scripts/test-all installs it)");

    // The key set, on loopback.
    let jwks = Arc::new(Jwks::default());
    // Client tokens outlive the run.
    let exp = now() + i64::try_from(secs).unwrap() + 600;
    let mut generations = vec![Arc::new(Generation::new(0, exp))];
    *jwks.published.lock().unwrap() = generations[0].jwks();
    let jwks_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_addr = jwks_listener.local_addr().unwrap();
    let app = Router::new()
        .route("/jwks.json", get(serve_jwks))
        .with_state(Arc::clone(&jwks));
    tokio::spawn(async move { axum::serve(jwks_listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("soak.toml");
    std::fs::write(
        &config,
        format!(
            "issuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\n\
             jwks_url = \"http://{jwks_addr}/jwks.json\"\n\n[remote]\nttl_secs = 2\nmin_ttl_secs = 1\n\
             cooldown_secs = 2\n\n[revocation]\nredis_url = \"{}\"\nmax_staleness_secs = 5\n",
            redis.url()
        ),
    )
    .unwrap();
    let servers = Arc::new(vec![
        Server::start("axum", "axum_quickstart", &config),
        Server::start("actix", "actix_quickstart", &config),
    ]);
    let signing = Arc::new(Signing {
        current: Mutex::new(Arc::clone(&generations[0])),
        revoked: Mutex::new(Vec::new()),
    });
    let forgers = Arc::new(Generation::new(9_999, exp));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(WORKERS_PER_SERVER)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    // Ready: both answer a valid token with 200 (their replicas loaded, their keys fetched).
    let start = Instant::now();
    for server in servers.iter() {
        loop {
            let (_, token) = next_token(&signing, 0, &forgers);
            let ok = client
                .get(format!("http://{}/me", server.addr))
                .bearer_auth(&token)
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ok {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{} did not start",
                server.name
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let store = RedisStore::connect(RedisOptions::new(redis.url()))
        .await
        .unwrap();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let counter = Arc::new(AtomicU64::new(1));
    let stop = Arc::new(AtomicBool::new(false));
    let began = Instant::now();
    let mut workers = Vec::new();
    for s in 0..servers.len() {
        for _ in 0..WORKERS_PER_SERVER {
            let (servers, signing, forgers, client, tally, counter, stop) = (
                Arc::clone(&servers),
                Arc::clone(&signing),
                Arc::clone(&forgers),
                client.clone(),
                Arc::clone(&tally),
                Arc::clone(&counter),
                Arc::clone(&stop),
            );
            workers.push(tokio::spawn(async move {
                let server = &servers[s];
                let url = format!("http://{}/me", server.addr);
                while !stop.load(Ordering::Relaxed) {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let (kind, token) = next_token(&signing, n, &forgers);
                    let sent = client.get(&url).bearer_auth(&token).send().await;
                    let (status, description) = match sent {
                        Ok(reply) => {
                            let status = reply.status().as_u16();
                            let body: Value = reply.json().await.unwrap_or(Value::Null);
                            let description = body
                                .get("error_description")
                                .and_then(Value::as_str)
                                .map(str::to_owned);
                            (status, description)
                        }
                        Err(e) => (0, Some(format!("transport error: {e}"))),
                    };
                    let (want_status, want_description) = kind.expected();
                    let mut t = tally.lock().unwrap();
                    t.total += 1;
                    if status >= 500 || status == 0 {
                        t.server_errors += 1;
                    }
                    let mut right = status == want_status
                        && want_description.is_none_or(|d| description.as_deref() == Some(d));
                    let mut outcome = if right { "as expected" } else { "UNEXPECTED" };
                    // A client token chosen as valid just before it was taken out of the mix,
                    // whose request was still in flight half a second later when Redis
                    // revoked it: both answers are right for it.
                    if !right
                        && matches!(kind, Kind::Valid(_))
                        && (status, description.as_deref()) == (401, Kind::Revoked.expected().1)
                        && signing
                            .revoked
                            .lock()
                            .unwrap()
                            .iter()
                            .any(|r| r.token == token)
                    {
                        right = true;
                        outcome = "revoked while in flight";
                    }
                    *t.by_kind
                        .entry((
                            server.name.to_owned(),
                            format!("{} {outcome}", kind.label()),
                        ))
                        .or_default() += 1;
                    if !right && t.unexpected.len() < 20 {
                        t.unexpected.push(format!(
                            "{} at {:.1}s: {} got {status} {description:?}",
                            server.name,
                            began.elapsed().as_secs_f64(),
                            kind.label()
                        ));
                    }
                }
            }));
        }
    }

    // The schedule, once a second: rotations, the key set outage, revocations, the restart.
    let period = (d / 6).max(Duration::from_secs(3));
    let (down_from, down_until) = (d * 5 / 12, d * 5 / 12 + d / 6);
    let restart_at = d * 3 / 4;
    let mut next_publish = period;
    let mut pending_use: Option<(Instant, Arc<Generation>)> = None;
    let mut next_revocation = d / 10;
    let mut restarted = false;
    let mut samples: Vec<(u64, Vec<(u64, usize)>)> = Vec::new();
    let mut revocations = 0;
    let mut tick = 0u64;
    while began.elapsed() < d {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let t = began.elapsed();
        jwks.down
            .store(t >= down_from && t < down_until, Ordering::Relaxed);
        // Publish a new generation unless its use (5 s later) would fall in or near the outage.
        let use_at = next_publish + Duration::from_secs(5);
        if t >= next_publish {
            let quiet = use_at + Duration::from_secs(1) < down_from || next_publish > down_until;
            if quiet && use_at + Duration::from_secs(1) < d && pending_use.is_none() {
                let generation = Arc::new(Generation::new(generations.len(), exp));
                let mut published = generations.last().unwrap().jwks();
                published.extend(generation.jwks());
                *jwks.published.lock().unwrap() = published;
                generations.push(Arc::clone(&generation));
                pending_use = Some((Instant::now() + Duration::from_secs(5), generation));
            }
            next_publish += period;
        }
        if let Some((when, generation)) = &pending_use
            && Instant::now() >= *when
        {
            *signing.current.lock().unwrap() = Arc::clone(generation);
            pending_use = None;
        }
        if t >= next_revocation {
            // A client token in use (each client's token is sent every few milliseconds, so
            // both servers hold it in their caches): no longer sent as valid from now on;
            // revoked in Redis half a second later (requests that chose it as valid have been
            // answered by then), and sent as revoked from 1.5 s after that.
            let generation = Arc::clone(&signing.current.lock().unwrap());
            let i = revocations % ALGS.len();
            let c = (revocations / ALGS.len()) % CLIENTS;
            let (jti, token) = generation.clients[i][c].clone();
            signing.revoked.lock().unwrap().push(Revoked {
                jti: jti.clone(),
                token,
                generation: generation.n,
                // Not sent as revoked before Redis has it (set below).
                from: Instant::now() + Duration::from_secs(3_600),
            });
            tokio::time::sleep(Duration::from_millis(500)).await;
            store.revoke_jti(&jti, now() + 3_600).await.unwrap();
            if let Some(r) = signing
                .revoked
                .lock()
                .unwrap()
                .iter_mut()
                .find(|r| r.jti == jti)
            {
                r.from = Instant::now() + Duration::from_millis(1_500);
            }
            revocations += 1;
            next_revocation += (d / 10).max(Duration::from_secs(1));
        }
        if !restarted && t >= restart_at {
            redis.restart();
            restarted = true;
        }
        if t.as_secs() >= tick {
            samples.push((tick, servers.iter().map(Server::sample).collect()));
            tick += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let final_samples: Vec<(u64, usize)> = servers.iter().map(Server::sample).collect();
    // What each server's verified-token cache did (its `GET /metrics`).
    let mut cache = Vec::new();
    for server in servers.iter() {
        let text = client
            .get(format!("http://{}/metrics", server.addr))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        cache.push((
            counter_total(&text, "jwt_guard_cache_hits_total"),
            counter_total(&text, "jwt_guard_cache_misses_total"),
        ));
    }
    drop(store);
    report(
        secs,
        &tally.lock().unwrap(),
        &samples,
        &final_samples,
        &cache,
        &servers,
        revocations,
        generations.len(),
        jwks.fetches.load(Ordering::Relaxed),
    )
}

/// The sum of a Prometheus counter's samples (every label set) in `text`.
fn counter_total(text: &str, name: &str) -> u64 {
    text.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with([' ', '{']))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

#[allow(clippy::too_many_arguments)]
fn report(
    secs: u64,
    tally: &Tally,
    samples: &[(u64, Vec<(u64, usize)>)],
    final_samples: &[(u64, usize)],
    cache: &[(u64, u64)],
    servers: &[Server],
    revocations: usize,
    generations: usize,
    fetches: u64,
) -> String {
    let mut out = String::new();
    let mut failures = Vec::new();
    out.push_str(&format!(
        "soak: {secs} s, {} requests ({:.0}/s), {generations} key generations, {revocations} revocations, \
         {fetches} key set fetches, Redis restarted once\n\n",
        tally.total,
        tally.total as f64 / secs as f64
    ));
    out.push_str("| server | request | count |\n|---|---|---|\n");
    for ((server, kind), count) in &tally.by_kind {
        out.push_str(&format!("| {server} | {kind} | {count} |\n"));
    }
    if !tally.unexpected.is_empty() {
        failures.push(format!(
            "{} unexpected answers, first: {:#?}",
            tally
                .by_kind
                .iter()
                .filter(|((_, k), _)| k.ends_with("UNEXPECTED"))
                .map(|(_, c)| c)
                .sum::<u64>(),
            tally.unexpected
        ));
    }
    out.push('\n');
    for (s, (hits, misses)) in servers.iter().zip(cache) {
        out.push_str(&format!(
            "{}: verified-token cache {hits} hits, {misses} misses\n",
            s.name
        ));
        // The client tokens repeat: a run without hits did not test the cache.
        if *hits == 0 {
            failures.push(format!("{}: no cache hit", s.name));
        }
    }
    if tally.server_errors > 0 {
        failures.push(format!("{} 5xx or transport errors", tally.server_errors));
    }
    // Resources: after warm-up (a fifth of the run, at least 5 s).
    let warm = (secs / 5).max(5);
    out.push_str("\n| t (s) |");
    for s in servers {
        out.push_str(&format!(" {} RSS (KiB) | {} fds |", s.name, s.name));
    }
    out.push_str("\n|---|");
    for _ in servers {
        out.push_str("---|---|");
    }
    out.push('\n');
    let step = (secs / 12).max(1);
    for (t, per) in samples.iter().filter(|(t, _)| t % step == 0) {
        out.push_str(&format!("| {t} |"));
        for (rss, fds) in per {
            out.push_str(&format!(" {rss} | {fds} |"));
        }
        out.push('\n');
    }
    for (i, s) in servers.iter().enumerate() {
        let after: Vec<(u64, usize)> = samples
            .iter()
            .filter(|(t, _)| *t >= warm)
            .map(|(_, per)| per[i])
            .chain(std::iter::once(final_samples[i]))
            .collect();
        let (fd_min, fd_max) = (
            after.iter().map(|x| x.1).min().unwrap_or(0),
            after.iter().map(|x| x.1).max().unwrap_or(0),
        );
        let rss_first = after.first().map_or(0, |x| x.0);
        let rss_last = after.last().map_or(0, |x| x.0);
        let growth = if rss_first == 0 {
            0.0
        } else {
            (rss_last as f64 - rss_first as f64) * 100.0 / rss_first as f64
        };
        out.push_str(&format!(
            "\n{}: descriptors {fd_min}..{fd_max} after warm-up; RSS {rss_first} KiB at {warm} s, {rss_last} KiB at the end ({growth:+.1} %)",
            s.name
        ));
        if fd_max > fd_min + 4 {
            failures.push(format!("{}: descriptors grew {fd_min} -> {fd_max}", s.name));
        }
        if secs >= 60 && growth >= 5.0 {
            failures.push(format!("{}: RSS grew {growth:.1} % after warm-up", s.name));
        }
    }
    if failures.is_empty() {
        out.push_str("\n\nRESULT: PASS\n");
    } else {
        out.push_str(&format!("\n\nRESULT: FAIL\n{}\n", failures.join("\n")));
    }
    out
}
