//! OpenID Connect end to end, against a real OpenID provider: node's `oidc-provider`
//! (`tests/oidc/server.mjs`, installed by `npm ci` in `tests/oidc`) started on loopback. A JWT
//! access token it issues (client credentials grant with a resource indicator) is sent to the
//! axum example's own router (`examples/axum_quickstart.rs`), whose `JwtLayer` is built from a
//! config that names only the issuer as key source (`oidc_issuer`) and the audience: discovery,
//! the JWK Set fetch and verification all happen for real, over HTTP.
//!
//! When node or the npm modules are missing the test passes after one `SKIPPED` banner on
//! stderr, unless `JWT_GUARD_REQUIRE_ALL` (or `CI`) is set, where it fails: `scripts/test-all`
//! runs `npm ci` and every test (the `provisioning` tests below check both behaviours).
//!
//! Also here, because it needs the axum layer and a remote key set: a key set that was never
//! loaded answers 401 `invalid_token`, not 500.

// Tests fail by panicking. clippy.toml exempts `#[test]` functions and `#[cfg(test)]` modules
// from the workspace's no-panic lints, but not an integration test's helpers (rust-clippy#11119).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jwt_guard_axum::JwtLayer;
use jwt_guard_test_support::Suite;
use serde_json::Value;

#[allow(dead_code)]
#[path = "../examples/axum_quickstart.rs"]
mod quickstart;

const CLIENT_ID: &str = "e2e-client";
const CLIENT_SECRET: &str = "e2e-client-secret-for-loopback-tests-only";
const RESOURCE: &str = "https://api.jwt-guard.test";

fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// The suite of this file's provider test (see `jwt_guard_test_support` for what a missing tool
/// does).
const OIDC_SUITE: Suite = Suite {
    name: "OIDC end-to-end (node oidc-provider)",
    needs: jwt_guard_test_support::OIDC_PROVIDER,
};

/// Why the provider cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    let node = Path::new("node");
    match Command::new(node).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => return Some(format!("`node --version` failed: {}", out.status)),
        Err(e) => return Some(jwt_guard_test_support::cannot_start(node, &e)),
    }
    if !oidc_dir()
        .join("node_modules/oidc-provider/package.json")
        .is_file()
    {
        return Some("`npm ci` has not run in tests/oidc (no node_modules/oidc-provider)".into());
    }
    None
}

/// The provider process; killed (by its own handle) when dropped.
struct Provider {
    child: Child,
    issuer: String,
    stderr: Arc<Mutex<String>>,
}

impl Provider {
    fn start() -> Provider {
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(oidc_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start node tests/oidc/server.mjs");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err_pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(issuer) = line.strip_prefix("OIDC_PROVIDER_READY ") {
                    let _ = tx.send(issuer.to_owned());
                }
            }
        });
        let mut provider = Provider {
            child,
            issuer: String::new(),
            stderr,
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(issuer) => provider.issuer = issuer,
            Err(_) => panic!(
                "oidc-provider did not start within 30 s; its stderr:\n{}",
                provider.stderr.lock().unwrap()
            ),
        }
        provider
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A JWT access token from the provider's token endpoint.
async fn access_token(issuer: &str, scope: &str) -> String {
    let body = format!(
        "grant_type=client_credentials&resource={}&scope={}",
        RESOURCE.replace(':', "%3A").replace('/', "%2F"),
        scope.replace(' ', "%20")
    );
    let response = client()
        .post(format!("{issuer}/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["token_type"], "Bearer", "{json}");
    let token = json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token.split('.').count(), 3, "a JWT access token: {token}");
    token
}

/// The example's router with a layer from `config_text`, loaded through the example's own
/// config loader, served on loopback. Returns its base URL and the server task.
async fn serve_example(config_text: &str, name: &str) -> (String, tokio::task::JoinHandle<()>) {
    let dir =
        std::env::temp_dir().join(format!("jwt-guard-oidc-e2e-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, config_text).unwrap();
    let (config, _) = quickstart::common::load_config(Some(&path)).unwrap();
    let layer = JwtLayer::from_config(&config).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, quickstart::router(layer)).await;
    });
    (format!("http://{addr}"), task)
}

struct Reply {
    status: u16,
    www_authenticate: Option<String>,
    body: String,
}

async fn get(url: &str, token: Option<&str>) -> Reply {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    Reply {
        status: response.status().as_u16(),
        www_authenticate: response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: response.text().await.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_provider_token_passes_the_axum_example_configured_by_issuer_only() {
    if let Some(why) = missing_prerequisite() {
        OIDC_SUITE.missing(&why);
        return;
    }
    let provider = Provider::start();
    let issuer = provider.issuer.clone();

    // The key source is named by the issuer alone: discovery finds the JWK Set. Plain http is
    // accepted because the provider is on loopback.
    let config = format!("oidc_issuer = \"{issuer}\"\naudiences = [\"{RESOURCE}\"]\n");
    let (app, server) = serve_example(&config, "issuer-only").await;

    let token = access_token(&issuer, "read admin").await;
    let me = get(&format!("{app}/me"), Some(&token)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let claims: Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(claims["iss"], issuer.as_str());
    assert_eq!(claims["aud"], RESOURCE);
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["scope"], "read admin");

    let admin = get(&format!("{app}/admin"), Some(&token)).await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(
        serde_json::from_str::<Value>(&admin.body).unwrap(),
        serde_json::json!({"admin": true, "sub": CLIENT_ID})
    );

    // A token with only `read` is refused at /admin by scope, not by signature.
    let reader = access_token(&issuer, "read").await;
    let refused = get(&format!("{app}/admin"), Some(&reader)).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .www_authenticate
            .as_deref()
            .unwrap()
            .contains("error=\"insufficient_scope\"")
    );

    // A forged token (payload swapped, provider's signature kept) and no token at all.
    let mut parts: Vec<&str> = token.split('.').collect();
    let reader_parts: Vec<&str> = reader.split('.').collect();
    parts[1] = reader_parts[1];
    let forged = parts.join(".");
    let forged_reply = get(&format!("{app}/me"), Some(&forged)).await;
    assert_eq!(forged_reply.status, 401);
    assert_eq!(
        forged_reply.www_authenticate.as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_token\", \
             error_description=\"the token signature is invalid\""
        )
    );
    let anonymous = get(&format!("{app}/me"), None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.www_authenticate.as_deref(),
        Some("Bearer realm=\"api\"")
    );

    // The same provider through [[providers]], next to an issuer it does not serve.
    let routed = format!(
        "[[providers]]\noidc_issuer = \"{issuer}\"\naudiences = [\"{RESOURCE}\"]\n\
         [[providers]]\nissuer = \"https://other.test\"\njwks_url = \"https://other.test/jwks\"\n"
    );
    let (routed_app, routed_server) = serve_example(&routed, "providers").await;
    assert_eq!(
        get(&format!("{routed_app}/me"), Some(&token)).await.status,
        200
    );
    routed_server.abort();

    server.abort();
    drop(provider);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_never_loaded_is_401_invalid_token_not_500() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = format!(
        "jwks_url = \"http://127.0.0.1:{closed}/jwks\"\nissuers = [\"https://issuer.test\"]\n\
         audiences = [\"api\"]\n[remote]\ntimeout_secs = 2\n"
    );
    let (app, server) = serve_example(&config, "down").await;
    let key = jwt_guard_core::keygen::generate(jwt_guard_core::Algorithm::ES256).unwrap();
    let token = jwt_guard_core::Signer::new(key.key().clone(), jwt_guard_core::Algorithm::ES256)
        .unwrap()
        .encode(&serde_json::json!({"iss": "https://issuer.test", "aud": "api", "exp": 4_102_444_800u64}))
        .unwrap();
    for _ in 0..2 {
        let reply = get(&format!("{app}/me"), Some(&token)).await;
        assert_eq!(reply.status, 401, "{}", reply.body);
        assert_eq!(
            reply.www_authenticate.as_deref(),
            Some(
                "Bearer realm=\"api\", error=\"invalid_token\", \
                 error_description=\"the verification keys are unavailable\""
            )
        );
    }
    server.abort();
}

/// The outside-tool contract, on this test: it is run again, as a child process, with a `PATH`
/// that has no `node`. With `JWT_GUARD_REQUIRE_ALL=1` it fails and says what is missing and how
/// to provision it; with `JWT_GUARD_REQUIRE_ALL=0` it passes after ONE banner on stderr (not
/// captured by the test harness) and one line in the skip log.
mod provisioning {
    use std::path::PathBuf;
    use std::process::Output;

    const SUITE: &str = "OIDC end-to-end (node oidc-provider)";
    const E2E_TEST: &str = "oidc_provider_token_passes_the_axum_example_configured_by_issuer_only";
    const REASON: &str = "`node` cannot start (No such file or directory (os error 2))";

    fn skip_log(name: &str) -> PathBuf {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("oidc-e2e-{name}-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    fn run_e2e_without_node(require_all: &str, skip_log: &std::path::Path) -> Output {
        jwt_guard_test_support::this_test_binary(&[E2E_TEST])
            .env("PATH", "/nonexistent/jwt-guard-tests/bin")
            .env("JWT_GUARD_REQUIRE_ALL", require_all)
            .env("JWT_GUARD_SKIP_LOG", skip_log)
            .output()
            .unwrap()
    }

    #[test]
    fn a_missing_node_fails_the_e2e_test_when_every_suite_is_required() {
        let log = skip_log("required");
        let out = run_e2e_without_node("1", &log);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(101), "{stdout}\n{stderr}");
        let failure = format!(
            "{SUITE} cannot run: {REASON}. It needs node with the npm modules of tests/oidc: \
             run `scripts/test-all`"
        );
        assert_eq!(stdout.matches(&failure).count(), 1, "{stdout}\n{stderr}");
        assert!(!stderr.contains("SKIPPED"), "{stderr}");
        assert!(!log.exists(), "a failure is not a skip");
    }

    #[test]
    fn a_missing_node_skips_the_e2e_test_with_one_uncaptured_banner_otherwise() {
        let log = skip_log("skipped");
        let out = run_e2e_without_node("0", &log);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("test result: ok. 1 passed"), "{stdout}");
        let banner = format!("SKIPPED: {SUITE}: {REASON}");
        assert_eq!(stderr.matches(&banner).count(), 1, "{stderr}");
        assert_eq!(stderr.matches("SKIPPED").count(), 1, "{stderr}");
        assert!(!stdout.contains("SKIPPED"), "{stdout}");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            format!("{SUITE}\t{REASON}\n")
        );
        std::fs::remove_file(&log).unwrap();
    }
}
