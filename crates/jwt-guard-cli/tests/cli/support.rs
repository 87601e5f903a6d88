//! Running the binary, fixtures, and a key ring of all 13 algorithms.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jwt_guard_core::{Algorithm, Signer};
use jwt_guard_test_support::Suite;

/// The time the fixed-time tests pretend it is: 2023-11-14T22:13:20Z.
pub(crate) const NOW: i64 = 1_700_000_000;
/// The HMAC secret of `tests/fixtures/hs256.toml` (kid `k1`).
pub(crate) const SECRET: &[u8] = b"an example secret of 32 bytes..!";
pub(crate) const ISSUER: &str = "https://issuer.example";

/// A fixture file.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What a run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Asserts exit code 0 and returns stdout.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        &self.stdout
    }

    /// Asserts the exit code and an empty stdout; returns stderr.
    #[track_caller]
    pub(crate) fn fails(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "expected exit code {code}: {self:#?}");
        assert_eq!(self.stdout, "", "nothing on stdout when failing: {self:#?}");
        &self.stderr
    }

    /// The first line of stderr.
    pub(crate) fn first_error_line(&self) -> &str {
        self.stderr.lines().next().unwrap_or_default()
    }
}

/// A command line for the binary.
pub(crate) struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
}

/// `jwt-guard ARGS...`.
pub(crate) fn jwt_guard<I, S>(args: I) -> Cmd
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_jwt-guard"));
    command.args(args).env_remove("JWT_GUARD_TEST_SECRET");
    Cmd {
        command,
        stdin: None,
    }
}

impl Cmd {
    pub(crate) fn stdin(mut self, input: impl AsRef<[u8]>) -> Cmd {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    pub(crate) fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    pub(crate) fn run(mut self) -> Run {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn jwt-guard");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            pipe.write_all(&input).expect("write stdin");
        }
        let output = child.wait_with_output().expect("wait for jwt-guard");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// A token signed with [`SECRET`] and kid `k1` by the core signer (independent of `encode`).
pub(crate) fn hs256_token(claims: serde_json::Value) -> String {
    signed(SECRET, Algorithm::HS256, Some("k1"), claims)
}

/// A token signed by the core signer with an HMAC secret.
pub(crate) fn signed(
    secret: &[u8],
    alg: Algorithm,
    kid: Option<&str>,
    claims: serde_json::Value,
) -> String {
    // Unchecked: the tests also sign HS384 with a 32-byte secret, to be rejected.
    let mut key = jwt_guard_core::dangerous::hmac_key_unchecked(secret).expect("secret");
    if let Some(kid) = kid {
        key = key.with_kid(kid);
    }
    Signer::new(key, alg)
        .expect("signer")
        .encode(&claims)
        .expect("encode")
}

/// Asserts that `text` is lines of printable ASCII only: what the CLI makes of a token carrying
/// controls (C0, DEL, C1 such as U+009B CSI), bidi overrides and isolates, zero-width and tag
/// characters, which a terminal would act on or hide.
#[track_caller]
pub(crate) fn assert_printable_ascii(text: &str) {
    if let Some(c) = text
        .chars()
        .find(|&c| c != '\n' && !(' '..='~').contains(&c))
    {
        panic!(
            "raw {:?} (U+{:04X}) in the output: {text:?}",
            c,
            u32::from(c)
        );
    }
}

/// The fixture config `hs256.toml`.
pub(crate) fn hs256_config() -> PathBuf {
    fixture("hs256.toml")
}

/// A fresh temporary directory.
pub(crate) fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// One generated key of a [`KeyRing`].
#[derive(Debug, Clone)]
pub(crate) struct RingKey {
    pub(crate) alg: Algorithm,
    pub(crate) kid: String,
    /// What `encode --key` takes: the PEM private key, or the raw HMAC secret.
    pub(crate) signing_key: PathBuf,
    /// The JWK Set the verifier loads: public for asymmetric keys, the `oct` secret for HS*.
    pub(crate) jwks: PathBuf,
}

/// One key per algorithm made with `jwt-guard keygen`, and a verifier config
/// (`verifier.toml`, in the same directory, with relative paths) that accepts all of them.
#[derive(Debug)]
pub(crate) struct KeyRing {
    /// Keeps the directory (and the files in it) until the ring is dropped.
    _dir: tempfile::TempDir,
    pub(crate) keys: Vec<RingKey>,
    pub(crate) config: PathBuf,
}

pub(crate) const AUDIENCE: &str = "api";

impl KeyRing {
    pub(crate) fn new() -> KeyRing {
        let dir = temp_dir();
        let mut keys = Vec::new();
        let mut config = String::from("algorithms = [");
        config.push_str(
            &Algorithm::ALL
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", "),
        );
        config.push_str(&format!("]\naudiences = [\"{AUDIENCE}\"]\n"));
        for alg in Algorithm::ALL {
            let kid = format!("kid-{alg}");
            let prefix = dir.path().join(alg.as_str());
            let out = jwt_guard(["keygen", "--alg", alg.as_str(), "--kid", &kid, "--out"])
                .command_arg(&prefix)
                .run();
            let summary: serde_json::Value =
                serde_json::from_str(out.ok()).expect("keygen prints JSON");
            assert_eq!(summary["kid"], kid.as_str());
            let (signing, jwks) = if alg.as_str().starts_with("HS") {
                (
                    summary["secret"].as_str().unwrap(),
                    summary["secret_jwks"].as_str().unwrap(),
                )
            } else {
                (
                    summary["private_key"].as_str().unwrap(),
                    summary["public_jwks"].as_str().unwrap(),
                )
            };
            let jwks = PathBuf::from(jwks);
            let file_name = jwks.file_name().unwrap().to_string_lossy().into_owned();
            config.push_str(&format!("\n[[keys]]\njwks_file = \"{file_name}\"\n"));
            keys.push(RingKey {
                alg,
                kid,
                signing_key: PathBuf::from(signing),
                jwks,
            });
        }
        let config_path = dir.path().join("verifier.toml");
        std::fs::write(&config_path, config).expect("write config");
        KeyRing {
            _dir: dir,
            keys,
            config: config_path,
        }
    }
}

impl Cmd {
    /// Appends arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Appends one argument (a path, say).
    pub(crate) fn command_arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.command.arg(arg);
        self
    }
}

/// The suite of `pyjwt.rs` (see `jwt_guard_test_support` for what a missing tool does).
const PYJWT_SUITE: Suite = Suite {
    name: "PyJWT interop (jwt-guard-cli)",
    needs: jwt_guard_test_support::PYJWT,
};

/// Whether the python for PyJWT (`jwt_guard_test_support::python`: `JWT_GUARD_PYTHON`, else the
/// venv `scripts/test-all` made, else `python3`) imports PyJWT and cryptography. If not, the
/// caller returns early after `PYJWT_SUITE.missing(..)`: one `SKIPPED` banner on stderr, or a
/// failure when `JWT_GUARD_REQUIRE_ALL` (or `CI`) is set.
pub(crate) fn pyjwt_available() -> bool {
    let python = jwt_guard_test_support::python();
    let output = Command::new(&python)
        .args(["-c", "import jwt, cryptography"])
        .stdin(Stdio::null())
        .output();
    let reason = match output {
        Ok(out) if out.status.success() => return true,
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
            format!(
                "`{}`: cannot import PyJWT/cryptography: {}",
                python.display(),
                last.trim()
            )
        }
        Err(e) => jwt_guard_test_support::cannot_start(&python, &e),
    };
    PYJWT_SUITE.missing(&reason);
    false
}

/// Runs a Python script with `input` on stdin (with the python `pyjwt_available` checked);
/// returns its stdout as JSON.
pub(crate) fn python_json(script: &str, input: &serde_json::Value) -> serde_json::Value {
    let mut child = Command::new(jwt_guard_test_support::python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    pipe.write_all(input.to_string().as_bytes())
        .expect("write stdin");
    drop(pipe);
    let output = child.wait_with_output().expect("wait for python");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("python prints JSON")
}

/// Unix permission bits of a file.
#[cfg(unix)]
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}
