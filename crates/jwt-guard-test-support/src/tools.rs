//! Test suites that need a tool from outside Rust: where a test finds the tool, and what the
//! suite does when it is missing. One place for the rule, used by every such suite in the
//! workspace (`jwt-guard-core`'s and `jwt-guard-cli`'s PyJWT interop tests, the OIDC end-to-end
//! test of the facade).
//!
//! # Provisioning
//!
//! [`TEST_ALL`] (`scripts/test-all`, the README's test command) provisions what every suite
//! needs and then runs `cargo test --workspace --all-features` with `JWT_GUARD_REQUIRE_ALL=1`:
//!
//! - python3 with PyJWT and cryptography: a venv, `<target dir>/test-venv`, whose python the
//!   script exports as `JWT_GUARD_PYTHON`. A test finds it through [`python`] without anyone
//!   activating anything, also under plain `cargo test` after the script ran once.
//! - node with `oidc-provider`: `npm ci` in `tests/oidc`, found there by path.
//! - `redis-server`: the Debian package, installed with apt-get when the script runs as root.
//!
//! # A missing tool
//!
//! A test that finds its tool missing calls [`Suite::missing`] and returns. That:
//!
//! - panics, failing the test with a message that names the suite, what is missing and how to
//!   provision it, when [`required`]: `JWT_GUARD_REQUIRE_ALL` is set to anything but `0`,
//!   `false`, `no` or `off`, or, when `JWT_GUARD_REQUIRE_ALL` is unset or empty, `CI` is (so
//!   `JWT_GUARD_REQUIRE_ALL=0` lets a CI job skip);
//! - otherwise writes ONE banner per suite and test binary to the stderr handle, and appends
//!   `<suite>\t<reason>` to the file named by `JWT_GUARD_SKIP_LOG`, if set (the script prints
//!   its end-of-run summary from it). The banner goes to the handle because the test harness
//!   captures `print!`/`eprint!` (and so `println!`/`eprintln!`) of a passing test and shows
//!   nothing of it, while a write to `std::io::stderr()` is not captured: it reaches the
//!   terminal, or the log when stderr is redirected (which `/dev/tty` would not).
//!
//! Plain `cargo test` has no end-of-run hook, so it shows the banners where the skips happen;
//! the one-line summary of every skipped suite is the script's.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, PoisonError};

/// The command that provisions every outside tool and runs every test (workspace-relative).
pub const TEST_ALL: &str = "scripts/test-all";

/// Set to anything but `0`, `false`, `no`, `off` (or empty): a suite that cannot run fails.
pub const REQUIRE_ALL_VAR: &str = "JWT_GUARD_REQUIRE_ALL";

/// The python that has PyJWT and cryptography (the script sets it to its venv's python).
pub const PYTHON_VAR: &str = "JWT_GUARD_PYTHON";

/// A file each skip appends `<suite>\t<reason>\n` to (set by the script).
pub const SKIP_LOG_VAR: &str = "JWT_GUARD_SKIP_LOG";

/// The venv `scripts/test-all` makes, in the target directory.
pub const VENV_DIR: &str = "test-venv";

#[cfg(not(windows))]
const VENV_PYTHON: &str = "bin/python";
#[cfg(windows)]
const VENV_PYTHON: &str = "Scripts/python.exe";

/// A tool from outside Rust that a suite needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// What it is, as a reader would name it: `python3 with PyJWT and cryptography`.
    pub what: &'static str,
    /// How to provide it by hand, instead of [`TEST_ALL`].
    pub by_hand: &'static str,
}

/// python3 with PyJWT (the reference JWT implementation) and cryptography: the interop suites.
pub const PYJWT: Tool = Tool {
    what: "python3 with PyJWT and cryptography",
    by_hand: "`pip install -r scripts/pyjwt-requirements.txt` and set JWT_GUARD_PYTHON to that \
              python if it is not `python3`",
};

/// node with `oidc-provider` (pinned by `tests/oidc/package-lock.json`): the OIDC end-to-end
/// test.
pub const OIDC_PROVIDER: Tool = Tool {
    what: "node with the npm modules of tests/oidc",
    by_hand: "`(cd tests/oidc && npm ci --no-audit --no-fund)`",
};

/// `redis-server` (Debian package `redis-server`): the Redis revocation store's suites start
/// their own on a free loopback port ([`crate::redis_server::RedisServer`]).
pub const REDIS_SERVER: Tool = Tool {
    what: "redis-server (and redis-cli)",
    by_hand: "`apt-get install redis-server` (Debian), or put `redis-server` on PATH (or set \
              JWT_GUARD_REDIS_SERVER to it)",
};

/// Headless Chromium and its WebDriver (Debian packages `chromium` and `chromium-driver`):
/// the browser sessions test drives the sessions examples' page with it.
pub const CHROMIUM: Tool = Tool {
    what: "chromium and chromedriver",
    by_hand: "`apt-get install chromium chromium-driver` (Debian), or put `chromedriver` and \
              `chromium` on PATH (or set JWT_GUARD_CHROMEDRIVER and JWT_GUARD_CHROMIUM to them)",
};

/// A test suite that needs a [`Tool`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// Its name in banners, failures and the skip summary: `PyJWT interop (jwt-guard-core)`.
    pub name: &'static str,
    /// What it needs.
    pub needs: Tool,
}

/// The suites that already printed their banner in this test binary.
static SHOWN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

impl Suite {
    /// The suite's tool is missing (`reason` says how it showed: "`python3` cannot start (...)").
    /// Fails the test when [`required`]; otherwise prints the skip banner (once per suite and
    /// test binary) and logs the skip, and the caller returns early.
    ///
    /// # Panics
    ///
    /// When [`required`]: that is the failure. Also when the skip log cannot be written.
    #[track_caller]
    pub fn missing(&self, reason: &str) {
        let reason = one_line(reason);
        if let Some(why) = required_by(&process_env) {
            panic!("{}", self.failure(&reason, why));
        }
        let mut shown = SHOWN.lock().unwrap_or_else(PoisonError::into_inner);
        if shown.contains(&self.name) {
            return;
        }
        shown.push(self.name);
        drop(shown);
        // One write of the whole banner, so that banners of tests running in parallel do not
        // interleave. Not `eprintln!`: the test harness would capture it (see the module doc).
        let _ = std::io::stderr()
            .lock()
            .write_all(self.banner(&reason).as_bytes());
        if let Some(log) = process_env(SKIP_LOG_VAR).filter(|v| !v.is_empty()) {
            let line = format!("{}\t{reason}\n", self.name);
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .and_then(|mut file| file.write_all(line.as_bytes()));
            if let Err(e) = written {
                panic!("cannot append to {SKIP_LOG_VAR}={}: {e}", log.display());
            }
        }
    }

    /// The message a required suite fails with.
    fn failure(&self, reason: &str, why: &str) -> String {
        format!(
            "{} cannot run: {reason}. It needs {}: run `{TEST_ALL}` (it provisions what every \
             suite needs, then runs every test), or {}. This is a failure, not a skip, because \
             {why}.",
            self.name, self.needs.what, self.needs.by_hand
        )
    }

    /// The banner of a skipped suite.
    fn banner(&self, reason: &str) -> String {
        let rule = "*".repeat(78);
        format!(
            "\n{rule}\nSKIPPED: {}: {reason}.\nIt needs {}: run `{TEST_ALL}` (it provisions what \
             every suite needs, then runs every test), or {}.\n{rule}\n",
            self.name, self.needs.what, self.needs.by_hand
        )
    }
}

/// Whether a suite that cannot run fails ([`REQUIRE_ALL_VAR`], else `CI`; see the module doc).
pub fn required() -> bool {
    required_by(&process_env).is_some()
}

/// The python for PyJWT: [`PYTHON_VAR`] if set, else the venv `scripts/test-all` made in the
/// target directory this test binary was built in, else `python3` from `PATH`.
pub fn python() -> PathBuf {
    python_by(&process_env, std::env::current_exe().ok().as_deref())
}

/// The reason for [`Suite::missing`] when `program` does not start: "`node` cannot start
/// (No such file or directory (os error 2))".
pub fn cannot_start(program: &Path, error: &std::io::Error) -> String {
    format!("`{}` cannot start ({error})", program.display())
}

/// This test binary as a command that runs exactly `tests`, inheriting none of the variables this
/// crate reads (`CI`, `JWT_GUARD_REQUIRE_ALL`, `JWT_GUARD_PYTHON`, `JWT_GUARD_SKIP_LOG`): for
/// tests of what a suite does when its tool is missing.
///
/// # Panics
///
/// When the path of the running test binary is unknown.
pub fn this_test_binary(tests: &[&str]) -> Command {
    let exe = std::env::current_exe().expect("the path of this test binary");
    let mut command = Command::new(exe);
    command.arg("--exact").args(tests);
    for var in ["CI", REQUIRE_ALL_VAR, PYTHON_VAR, SKIP_LOG_VAR] {
        command.env_remove(var);
    }
    command
}

/// The python a provisioning check points its suite at: one that does not exist.
const BOGUS_PYTHON: &str = "/nonexistent/jwt-guard-tests/python";

/// Runs `tests` (this binary's PyJWT tests) again as a child process with a python that does not
/// exist, `JWT_GUARD_REQUIRE_ALL` = `require_all` and a skip log in a temporary directory.
fn run_without_python(tests: &[&str], require_all: &str) -> (Output, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("skips.log");
    let out = this_test_binary(tests)
        .env(PYTHON_VAR, BOGUS_PYTHON)
        .env(REQUIRE_ALL_VAR, require_all)
        .env(SKIP_LOG_VAR, &log)
        .output()
        .unwrap();
    (out, std::fs::read_to_string(&log).ok())
}

/// The outside-tool contract with every suite required: `tests` (the two PyJWT tests of
/// `suite`), run without python under `JWT_GUARD_REQUIRE_ALL=1`, both fail, each saying what is
/// missing and how to provision it, with no banner and nothing in the skip log.
///
/// # Panics
/// When the contract does not hold (this is a test's body).
pub fn check_missing_python_fails(suite: &str, tests: &[&str; 2]) {
    let (out, log) = run_without_python(tests, "1");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stdout}\n{stderr}");
    let failure = format!(
        "{suite} cannot run: `{BOGUS_PYTHON}` cannot start (No such file or directory (os error 2)). \
         It needs python3 with PyJWT and cryptography: run `scripts/test-all`"
    );
    assert_eq!(stdout.matches(&failure).count(), 2, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("test result: FAILED. 0 passed; 2 failed"),
        "{stdout}"
    );
    assert!(!stderr.contains("SKIPPED"), "{stderr}");
    assert!(log.is_none(), "a failure is not a skip");
}

/// The outside-tool contract otherwise: under `JWT_GUARD_REQUIRE_ALL=0` the two tests pass after
/// ONE banner on stderr (not captured by the test harness) and one line in the skip log.
///
/// # Panics
/// When the contract does not hold (this is a test's body).
pub fn check_missing_python_skips(suite: &str, tests: &[&str; 2]) {
    let (out, log) = run_without_python(tests, "0");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("test result: ok. 2 passed"), "{stdout}");
    let banner = format!(
        "SKIPPED: {suite}: `{BOGUS_PYTHON}` cannot start (No such file or directory (os error 2))"
    );
    assert_eq!(stderr.matches(&banner).count(), 1, "{stderr}");
    assert_eq!(stderr.matches("SKIPPED").count(), 1, "{stderr}");
    assert_eq!(
        log.as_deref(),
        Some(
            format!(
                "{suite}\t`{BOGUS_PYTHON}` cannot start (No such file or directory (os error 2))\n"
            )
            .as_str()
        )
    );
}

fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

fn truthy(value: &OsString) -> bool {
    let value = value.to_string_lossy();
    let value = value.trim();
    !(value.is_empty()
        || ["0", "false", "no", "off"]
            .iter()
            .any(|f| value.eq_ignore_ascii_case(f)))
}

/// Why a suite that cannot run must fail, if it must.
fn required_by(env: &dyn Fn(&str) -> Option<OsString>) -> Option<&'static str> {
    match env(REQUIRE_ALL_VAR).filter(|v| !v.is_empty()) {
        Some(value) => truthy(&value).then_some("JWT_GUARD_REQUIRE_ALL is set"),
        None => env("CI")
            .is_some_and(|v| truthy(&v))
            .then_some("CI is set (JWT_GUARD_REQUIRE_ALL=0 would allow the skip)"),
    }
}

fn python_by(env: &dyn Fn(&str) -> Option<OsString>, test_binary: Option<&Path>) -> PathBuf {
    if let Some(python) = env(PYTHON_VAR).filter(|v| !v.is_empty()) {
        return PathBuf::from(python);
    }
    test_binary
        .and_then(provisioned_python)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// The venv's python in the target directory of `test_binary`, if it is there. A test binary is
/// `<target>/<profile>/deps/<name>`, or `<target>/<triple>/<profile>/deps/<name>` with
/// `--target`.
fn provisioned_python(test_binary: &Path) -> Option<PathBuf> {
    test_binary
        .ancestors()
        .skip(3)
        .take(2)
        .map(|dir| dir.join(VENV_DIR).join(VENV_PYTHON))
        .find(|python| python.is_file())
}

/// `reason` on one line (it goes into a tab-separated log line and a one-line banner).
fn one_line(reason: &str) -> String {
    reason.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, OsString)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    const SUITE: Suite = Suite {
        name: "PyJWT interop (example)",
        needs: PYJWT,
    };

    /// Some variables, and why a suite must fail under them (`None`: it may skip).
    type Case = (
        &'static [(&'static str, &'static str)],
        Option<&'static str>,
    );

    #[test]
    fn require_all_decides_and_ci_decides_only_when_it_is_unset() {
        let cases: [Case; 12] = [
            (&[], None),
            (
                &[("CI", "true")],
                Some("CI is set (JWT_GUARD_REQUIRE_ALL=0 would allow the skip)"),
            ),
            (
                &[("CI", "1")],
                Some("CI is set (JWT_GUARD_REQUIRE_ALL=0 would allow the skip)"),
            ),
            (&[("CI", "")], None),
            (&[("CI", "false")], None),
            (
                &[("JWT_GUARD_REQUIRE_ALL", "1")],
                Some("JWT_GUARD_REQUIRE_ALL is set"),
            ),
            (
                &[("JWT_GUARD_REQUIRE_ALL", "yes")],
                Some("JWT_GUARD_REQUIRE_ALL is set"),
            ),
            (&[("JWT_GUARD_REQUIRE_ALL", "0")], None),
            (&[("JWT_GUARD_REQUIRE_ALL", "FALSE")], None),
            (&[("JWT_GUARD_REQUIRE_ALL", " off ")], None),
            (&[("JWT_GUARD_REQUIRE_ALL", "0"), ("CI", "true")], None),
            (
                &[("JWT_GUARD_REQUIRE_ALL", ""), ("CI", "true")],
                Some("CI is set (JWT_GUARD_REQUIRE_ALL=0 would allow the skip)"),
            ),
        ];
        for (vars, expected) in cases {
            assert_eq!(required_by(&env_of(vars)), expected, "{vars:?}");
        }
    }

    #[test]
    fn the_failure_names_the_suite_the_reason_the_tool_and_the_script() {
        assert_eq!(
            SUITE.failure(
                "`/x/python` cannot start (gone)",
                "JWT_GUARD_REQUIRE_ALL is set"
            ),
            "PyJWT interop (example) cannot run: `/x/python` cannot start (gone). It needs \
             python3 with PyJWT and cryptography: run `scripts/test-all` (it provisions what \
             every suite needs, then runs every test), or `pip install -r \
             scripts/pyjwt-requirements.txt` and set JWT_GUARD_PYTHON to that python if it is \
             not `python3`. This is a failure, not a skip, because JWT_GUARD_REQUIRE_ALL is set."
        );
    }

    #[test]
    fn the_banner_is_one_block_starting_on_a_fresh_line() {
        let banner = SUITE.banner("`/x/python` cannot start (gone)");
        let rule = "*".repeat(78);
        assert_eq!(
            banner,
            format!(
                "\n{rule}\nSKIPPED: PyJWT interop (example): `/x/python` cannot start (gone).\n\
                 It needs python3 with PyJWT and cryptography: run `scripts/test-all` (it \
                 provisions what every suite needs, then runs every test), or `pip install -r \
                 scripts/pyjwt-requirements.txt` and set JWT_GUARD_PYTHON to that python if it \
                 is not `python3`.\n{rule}\n"
            )
        );
    }

    #[test]
    fn python_prefers_jwt_guard_python_then_the_venv_in_the_target_dir_then_python3() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let binary = target.join("debug/deps/lib-0123");
        let cross_binary = target.join("x86_64-unknown-linux-gnu/debug/deps/lib-0123");
        let venv_python = target.join(VENV_DIR).join(VENV_PYTHON);
        let set = env_of(&[("JWT_GUARD_PYTHON", "/opt/py/bin/python3")]);
        let empty = env_of(&[("JWT_GUARD_PYTHON", "")]);
        let unset = env_of(&[]);

        // No venv yet.
        assert_eq!(
            python_by(&set, Some(&binary)),
            PathBuf::from("/opt/py/bin/python3")
        );
        assert_eq!(python_by(&unset, Some(&binary)), PathBuf::from("python3"));
        assert_eq!(python_by(&unset, None), PathBuf::from("python3"));

        std::fs::create_dir_all(venv_python.parent().unwrap()).unwrap();
        std::fs::write(&venv_python, "").unwrap();
        assert_eq!(
            python_by(&set, Some(&binary)),
            PathBuf::from("/opt/py/bin/python3")
        );
        assert_eq!(python_by(&unset, Some(&binary)), venv_python);
        assert_eq!(python_by(&empty, Some(&binary)), venv_python);
        assert_eq!(python_by(&unset, Some(&cross_binary)), venv_python);
        // A venv elsewhere (here: above the target dir) is not this build's.
        let other = dir.path().join("elsewhere/debug/deps/lib-0123");
        assert_eq!(python_by(&unset, Some(&other)), PathBuf::from("python3"));
    }

    #[test]
    fn a_reason_is_one_line() {
        assert_eq!(
            one_line("cannot import\n  No module named 'jwt'\n"),
            "cannot import No module named 'jwt'"
        );
    }

    #[test]
    fn cannot_start_names_the_program_and_the_error() {
        let error = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(
            cannot_start(Path::new("node"), &error),
            "`node` cannot start (entity not found)"
        );
    }
}
