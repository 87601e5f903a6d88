//! Browser sessions in a real browser: headless Chromium (through `chromedriver`, the W3C
//! WebDriver protocol) drives the page the sessions examples serve at `/`, against the axum and
//! the actix-web example in turn, each on a free loopback port and in a fresh browser profile.
//! Cookie rules are browser behaviour, so this is where they are proven:
//!
//! log in → the access and refresh cookies are `HttpOnly` (absent from `document.cookie`), the
//! CSRF cookies readable; the API call (with the CSRF header read from the cookie) succeeds; a
//! `fetch` without the header and a plain HTML form `POST` are refused (403 `csrf_failed`);
//! refresh rotates the cookies; log out → the cookies are gone and the API call is refused.
//! Screenshots of the logged-in and logged-out page go to `target/browser-sessions/`.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` (`scripts/test-all` installs
//! them); without them the test skips, or fails under `JWT_GUARD_REQUIRE_ALL=1`
//! ([`Suite::missing`]). `JWT_GUARD_CHROMEDRIVER` / `JWT_GUARD_CHROMIUM` name other binaries.
//!
//! Run it: `cargo test -p jwt-guard --test browser_sessions`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use jwt_guard_core::VerifierConfig;
use jwt_guard_test_support::actix_server::ActixServer;
use jwt_guard_test_support::axum_server::AxumServer;
use jwt_guard_test_support::{CHROMIUM, Suite};
use serde_json::{Value, json};

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/axum_sessions.rs"]
mod axum_sessions;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/actix_sessions.rs"]
mod actix_sessions;

const SUITE: Suite = Suite {
    name: "browser sessions in headless Chromium (jwt-guard)",
    needs: CHROMIUM,
};

fn program(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `chromedriver` this test started; killed when dropped.
struct Driver {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts `chromedriver` on a free port; `Err` says why it cannot run.
    async fn start() -> Result<Driver, String> {
        let port = free_port();
        let path = program("JWT_GUARD_CHROMEDRIVER", "chromedriver");
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("`{}` cannot start ({e})", path.display()))?;
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let start = Instant::now();
        loop {
            let ready = driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .ok()
                .map(|r| r.status().is_success());
            if ready == Some(true) {
                return Ok(driver);
            }
            if start.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not answer within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = reply["value"].get("error") {
            panic!("WebDriver {path}: {error}: {}", reply["value"]["message"]);
        }
        reply["value"].clone()
    }

    /// A new browser (a fresh profile: an empty cookie jar).
    async fn browser(&self) -> Result<Browser<'_>, String> {
        let binary = program("JWT_GUARD_CHROMIUM", "chromium");
        let binary = which(&binary).ok_or_else(|| format!("`{}` not found", binary.display()))?;
        let reply: Value = self
            .http
            .post(format!("{}/session", self.url))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": binary,
                    "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                             "--disable-gpu", "--window-size=900,1000"],
                },
            }}}))
            .send()
            .await
            .map_err(|e| format!("chromedriver: {e}"))?
            .json()
            .await
            .map_err(|e| format!("chromedriver: {e}"))?;
        let id = reply["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("chromium did not start: {}", reply["value"]["message"]))?;
        Ok(Browser {
            driver: self,
            session: format!("/session/{id}"),
        })
    }
}

/// `name` as found on `PATH` (or as given, when it has a directory).
fn which(name: &PathBuf) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return name.exists().then(|| name.clone());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.exists())
}

/// One WebDriver session.
struct Browser<'d> {
    driver: &'d Driver,
    session: String,
}

impl Browser<'_> {
    async fn post(&self, path: &str, body: Value) -> Value {
        let path = format!("{}{path}", self.session);
        self.driver
            .call(reqwest::Method::POST, &path, Some(body))
            .await
    }

    async fn get(&self, path: &str) -> Value {
        let path = format!("{}{path}", self.session);
        self.driver.call(reqwest::Method::GET, &path, None).await
    }

    async fn open(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    async fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Runs the page's `window.session.<action>()`; returns the HTTP status it showed.
    async fn action(&self, action: &str) -> u16 {
        let script = format!(
            "const done = arguments[arguments.length - 1];\
             window.session.{action}().then(done, (e) => done('failed: ' + e));"
        );
        let status = self
            .post("/execute/async", json!({"script": script, "args": []}))
            .await;
        u16::try_from(
            status
                .as_u64()
                .unwrap_or_else(|| panic!("{action}: {status}")),
        )
        .unwrap()
    }

    async fn text(&self, selector: &str) -> String {
        let script = format!("return document.querySelector('{selector}').textContent;");
        self.script(&script).await.as_str().unwrap().to_owned()
    }

    /// Every cookie the browser holds for the page (`HttpOnly` ones too): name → (value,
    /// httpOnly).
    async fn cookies(&self) -> Vec<(String, String, bool)> {
        let mut all: Vec<_> = self
            .get("/cookie")
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["value"].as_str().unwrap().to_owned(),
                    c["httpOnly"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        all.sort();
        all
    }

    async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.get("/screenshot").await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap()
            .join("browser-sessions");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    async fn close(self) {
        let path = self.session.clone();
        self.driver.call(reqwest::Method::DELETE, &path, None).await;
    }
}

fn value_of<'c>(cookies: &'c [(String, String, bool)], name: &str) -> Option<&'c str> {
    cookies
        .iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, v, _)| v.as_str())
}

/// The whole flow in a fresh browser against the example at `addr`.
async fn drive(driver: &Driver, framework: &str, addr: SocketAddr) {
    let browser = driver.browser().await.unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{addr}/");
    browser.open(&base).await;
    assert_eq!(browser.text("#status").await, "logged out");

    // Log in: the tokens are HttpOnly, the CSRF cookies readable.
    assert_eq!(browser.action("login").await, 204, "{framework}: login");
    let seen = browser.script("return document.cookie;").await;
    let seen = seen.as_str().unwrap();
    assert!(
        seen.contains("csrf_access_token=") && seen.contains("csrf_refresh_token="),
        "{framework}: {seen}"
    );
    assert!(
        !seen.contains("access_token_cookie") && !seen.contains("refresh_token_cookie"),
        "{framework}: the page can read a token: {seen}"
    );
    let cookies = browser.cookies().await;
    let flags: Vec<(&str, bool)> = cookies.iter().map(|(n, _, h)| (n.as_str(), *h)).collect();
    // The refresh cookie has Path=/session/refresh: the page at / does not get it.
    assert_eq!(
        flags,
        [
            ("access_token_cookie", true),
            ("csrf_access_token", false),
            ("csrf_refresh_token", false)
        ],
        "{framework}"
    );
    assert_eq!(browser.text("#status").await, "logged in");

    // The API call with the CSRF header succeeds.
    assert_eq!(browser.action("call").await, 200, "{framework}: call");
    assert!(browser.text("#result").await.contains("from the page"));
    assert_eq!(browser.action("me").await, 200, "{framework}: me");
    assert!(browser.text("#result").await.contains("\"sub\":\"ada\""));
    browser.screenshot(&format!("{framework}-logged-in")).await;

    // A fetch without the header is refused.
    assert_eq!(browser.action("noCsrf").await, 403, "{framework}: no csrf");
    assert!(browser.text("#result").await.contains("csrf_failed"));

    // Refresh rotates the cookies.
    let before = browser.cookies().await;
    assert_eq!(browser.action("refresh").await, 204, "{framework}: refresh");
    let after = browser.cookies().await;
    for name in [
        "access_token_cookie",
        "csrf_access_token",
        "csrf_refresh_token",
    ] {
        assert_ne!(
            value_of(&before, name),
            value_of(&after, name),
            "{framework}: {name} did not rotate"
        );
        assert!(value_of(&after, name).is_some(), "{framework}: {name}");
    }
    assert_eq!(
        browser.action("call").await,
        200,
        "{framework}: call after refresh"
    );

    // A plain HTML form POST (cookies, no header): refused.
    browser
        .script("document.getElementById('form-post').click(); return null;")
        .await;
    let start = Instant::now();
    let body = loop {
        let body = browser
            .script("return document.body ? document.body.innerText : '';")
            .await;
        let body = body.as_str().unwrap_or_default().to_owned();
        if body.contains("csrf_failed") || start.elapsed() > Duration::from_secs(10) {
            break body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        body.contains("csrf_failed"),
        "{framework}: form post answered {body}"
    );
    browser.open(&base).await;

    // Log out: the cookies are gone, the API call is refused.
    assert_eq!(browser.action("logout").await, 204, "{framework}: logout");
    assert_eq!(browser.cookies().await, [], "{framework}: cookies left");
    assert_eq!(browser.script("return document.cookie;").await, json!(""));
    assert_eq!(
        browser.action("call").await,
        401,
        "{framework}: call after logout"
    );
    assert!(browser.text("#result").await.contains("missing_token"));
    assert_eq!(browser.text("#status").await, "logged out");
    browser.screenshot(&format!("{framework}-logged-out")).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_page_works_in_headless_chromium_on_both_frameworks() {
    let driver = match Driver::start().await {
        Ok(driver) => driver,
        Err(reason) => return SUITE.missing(&reason),
    };
    // Chromium itself: a missing binary skips (or fails) the same way.
    match driver.browser().await {
        Ok(probe) => probe.close().await,
        Err(reason) => return SUITE.missing(&reason),
    }
    let config = VerifierConfig::from_toml(axum_sessions::sessions::DEMO_CONFIG).unwrap();
    let axum = AxumServer::router(axum_sessions::router(
        axum_sessions::sessions::Demo::from_config(&config).unwrap(),
    ))
    .await;
    let actix_demo = actix_sessions::sessions::Demo::from_config(&config).unwrap();
    let actix = ActixServer::app(move || {
        actix_web::App::new().configure(actix_sessions::routes(actix_demo.clone()))
    });
    drive(&driver, "axum", axum.addr()).await;
    drive(&driver, "actix", actix.addr()).await;
    axum.stop().await;
    actix.stop().await;
}
