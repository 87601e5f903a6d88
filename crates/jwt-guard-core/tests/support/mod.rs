//! Shared helpers for jwt-guard-core's integration tests: the committed key fixtures
//! (`tests/fixtures/keys/`, see its README), a token tamperer, a check collector, and the
//! PyJWT bridge (`pyjwt_tool.py`).

// Not every helper is used by every module of the test binary.
#![allow(dead_code)]

use std::fmt::{Debug, Display};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard_core::{Algorithm, Key, KeyFamily};
use jwt_guard_test_support::Suite;
use serde_json::{Value, json};

/// Which of the two committed key sets: the one tokens are signed with, or an unrelated one of
/// the same type (for "signed with the wrong key" cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    /// `rsa2048.key.pem`, `p256.pub.pem`, `hs256.secret`, ...
    Main,
    /// `rsa2048-other.key.pem`, `p256-other.pub.pem`, `hs256-other.secret`, ...
    Other,
}

impl Which {
    fn suffix(self) -> &'static str {
        match self {
            Which::Main => "",
            Which::Other => "-other",
        }
    }
}

/// The directory of the committed test keys.
pub(crate) fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys")
}

/// The bytes of a file in `tests/fixtures/keys/`.
pub(crate) fn fixture(file: &str) -> Vec<u8> {
    let path = keys_dir().join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The fixture name for `alg`'s keys: `hs256`, `hs384`, `hs512`, `rsa2048` (all RS*/PS*),
/// `p256`, `p384`, `p521`, `ed25519`.
pub(crate) fn key_stem(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "hs256",
        Algorithm::HS384 => "hs384",
        Algorithm::HS512 => "hs512",
        Algorithm::ES256 => "p256",
        Algorithm::ES384 => "p384",
        Algorithm::ES512 => "p521",
        Algorithm::EdDSA => "ed25519",
        _ => "rsa2048",
    }
}

/// Whether `alg` is an HMAC algorithm (its key is a shared secret, not a PEM pair).
pub(crate) fn is_hmac(alg: Algorithm) -> bool {
    alg.family() == KeyFamily::Hmac
}

/// The HMAC secret for an HS* algorithm: the exact bytes of `hsNNN.secret` (ASCII, no newline;
/// as long as the hash output).
pub(crate) fn secret(alg: Algorithm, set: Which) -> Vec<u8> {
    assert!(is_hmac(alg), "{alg} has no secret");
    fixture(&format!("{}{}.secret", key_stem(alg), set.suffix()))
}

/// The PKCS#8 `PRIVATE KEY` PEM for an asymmetric algorithm.
pub(crate) fn private_pem(alg: Algorithm, set: Which) -> String {
    assert!(!is_hmac(alg), "{alg} has no PEM key");
    pem_text(&format!("{}{}.key.pem", key_stem(alg), set.suffix()))
}

/// The SPKI `PUBLIC KEY` PEM for an asymmetric algorithm.
pub(crate) fn public_pem(alg: Algorithm, set: Which) -> String {
    assert!(!is_hmac(alg), "{alg} has no PEM key");
    pem_text(&format!("{}{}.pub.pem", key_stem(alg), set.suffix()))
}

fn pem_text(file: &str) -> String {
    String::from_utf8(fixture(file)).unwrap_or_else(|e| panic!("{file} is not UTF-8: {e}"))
}

/// A jwt-guard key that can sign `alg`: the private PEM, or the secret.
pub(crate) fn signing_key(alg: Algorithm, set: Which) -> Key {
    if is_hmac(alg) {
        Key::hmac(secret(alg, set)).unwrap()
    } else {
        Key::from_pem(private_pem(alg, set)).unwrap()
    }
}

/// A jwt-guard key that verifies `alg`: the public PEM, or the secret.
pub(crate) fn verifying_key(alg: Algorithm, set: Which) -> Key {
    if is_hmac(alg) {
        Key::hmac(secret(alg, set)).unwrap()
    } else {
        Key::from_pem(public_pem(alg, set)).unwrap()
    }
}

/// `token` with one bit flipped in the middle byte of its decoded signature (re-encoded, so the
/// token stays syntactically valid and only the signature check can catch it).
pub(crate) fn flip_signature_bit(token: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let middle = signature.len() / 2;
    signature[middle] ^= 0x01;
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Collects every failed check of a test matrix, so one run reports all broken cases instead of
/// the first; [`Failures::finish`] panics with the list.
#[derive(Debug, Default)]
pub(crate) struct Failures {
    failed: Vec<String>,
    checks: usize,
}

impl Failures {
    /// Records whether `actual == expected`.
    pub(crate) fn eq<T: PartialEq + Debug>(&mut self, what: impl Display, actual: T, expected: T) {
        self.checks += 1;
        if actual != expected {
            self.failed.push(format!(
                "{what}\n      actual:   {actual:?}\n      expected: {expected:?}"
            ));
        }
    }

    /// Records a failure.
    pub(crate) fn fail(&mut self, what: impl Display) {
        self.checks += 1;
        self.failed.push(what.to_string());
    }

    /// Panics if any check failed, or if fewer than `min_checks` ran (a matrix that silently
    /// ran nothing must not pass).
    pub(crate) fn finish(self, test: &str, min_checks: usize) {
        assert!(
            self.failed.is_empty(),
            "{test}: {} of {} checks failed:\n  - {}",
            self.failed.len(),
            self.checks,
            self.failed.join("\n  - ")
        );
        assert!(
            self.checks >= min_checks,
            "{test}: only {} checks ran, expected at least {min_checks}",
            self.checks
        );
    }
}

/// The outcome of one run of `pyjwt_tool.py`.
#[derive(Debug)]
pub(crate) struct PyJwtRun {
    /// PyJWT's version.
    pub(crate) pyjwt: String,
    /// cryptography's version.
    pub(crate) cryptography: String,
    results: Vec<Value>,
}

impl PyJwtRun {
    /// The result of the job with this `id`.
    pub(crate) fn result(&self, id: &str) -> &Value {
        self.results
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("pyjwt_tool.py returned no result for job {id}"))
    }
}

const PYJWT_MISSING_EXIT: i32 = 3;

/// The suite `run_pyjwt` serves (see `jwt_guard_test_support` for what a missing tool does).
pub(crate) const PYJWT_SUITE: Suite = Suite {
    name: "PyJWT interop (jwt-guard-core)",
    needs: jwt_guard_test_support::PYJWT,
};

/// A key for a PyJWT job: PEM text, or an HMAC secret (sent as hex).
pub(crate) fn py_key_pem_or_secret(alg: Algorithm, set: Which, private: bool) -> Value {
    if is_hmac(alg) {
        let hex: String = secret(alg, set)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        json!({ "secret_hex": hex })
    } else if private {
        json!({ "pem": private_pem(alg, set) })
    } else {
        json!({ "pem": public_pem(alg, set) })
    }
}

/// Runs `jobs` through `pyjwt_tool.py` in ONE python process (`jwt_guard_test_support::python`:
/// `JWT_GUARD_PYTHON`, else the venv `scripts/test-all` made, else `python3`; see the script's
/// docstring for the job and result shapes). Returns `None` if that python, PyJWT or
/// cryptography is missing, after `PYJWT_SUITE.missing(..)` (which fails the test instead when
/// every suite is required).
pub(crate) fn run_pyjwt(jobs: Vec<Value>) -> Option<PyJwtRun> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/pyjwt_tool.py");
    let python = jwt_guard_test_support::python();
    let child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return pyjwt_missing(&jwt_guard_test_support::cannot_start(&python, &e)),
    };
    let job_count = jobs.len();
    let input = serde_json::to_vec(&json!({ "jobs": jobs })).unwrap();
    // The script reads all of stdin before writing anything, so this cannot deadlock. It exits
    // without reading when PyJWT is missing: a broken pipe then is judged by the exit status.
    let written = child.stdin.take().unwrap().write_all(&input);
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(PYJWT_MISSING_EXIT) {
        let reason = serde_json::from_str::<Value>(&stdout)
            .ok()
            .and_then(|v| v["missing"].as_str().map(str::to_owned))
            .unwrap_or_else(|| stdout.trim().to_owned());
        return pyjwt_missing(&format!("`{}`: {reason}", python.display()));
    }
    if let Err(e) = written {
        panic!("cannot send the jobs to pyjwt_tool.py ({e}):\nstderr:\n{stderr}");
    }
    assert!(
        output.status.success(),
        "pyjwt_tool.py failed ({}):\nstderr:\n{stderr}\nstdout:\n{stdout}",
        output.status
    );
    let value: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("pyjwt_tool.py printed no JSON ({e}):\n{stdout}\n{stderr}"));
    let run = PyJwtRun {
        pyjwt: value["pyjwt"].as_str().unwrap_or_default().to_owned(),
        cryptography: value["cryptography"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        results: value["results"].as_array().cloned().unwrap_or_default(),
    };
    assert_eq!(
        run.results.len(),
        job_count,
        "pyjwt_tool.py answered {} of {job_count} jobs",
        run.results.len()
    );
    eprintln!(
        "PyJWT {} (cryptography {}): {} jobs",
        run.pyjwt,
        run.cryptography,
        run.results.len()
    );
    Some(run)
}

fn pyjwt_missing(reason: &str) -> Option<PyJwtRun> {
    PYJWT_SUITE.missing(reason);
    None
}

/// Polls a future that never waits (fixed keys, in-memory stores) to its end.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
