//! The outside-tool contract, on this binary's own PyJWT suite: the two PyJWT tests are run
//! again, as a child process, with a python that does not exist. With `JWT_GUARD_REQUIRE_ALL=1`
//! both fail and say what is missing and how to provision it; with `JWT_GUARD_REQUIRE_ALL=0`
//! they pass after ONE banner on stderr (not captured by the test harness) and one line in the
//! skip log.

use std::process::Output;

const SUITE: &str = "PyJWT interop (jwt-guard-cli)";
const BOGUS_PYTHON: &str = "/nonexistent/jwt-guard-tests/python";
const PYJWT_TESTS: [&str; 2] = [
    "pyjwt::tokens_from_encode_verify_in_pyjwt",
    "pyjwt::tokens_from_pyjwt_verify_with_jwt_guard",
];

fn run_pyjwt_tests_without_python(require_all: &str, skip_log: &std::path::Path) -> Output {
    jwt_guard_test_support::this_test_binary(&PYJWT_TESTS)
        .env("JWT_GUARD_PYTHON", BOGUS_PYTHON)
        .env("JWT_GUARD_REQUIRE_ALL", require_all)
        .env("JWT_GUARD_SKIP_LOG", skip_log)
        .output()
        .unwrap()
}

#[test]
fn a_missing_python_fails_the_pyjwt_suite_when_every_suite_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("skips.log");
    let out = run_pyjwt_tests_without_python("1", &log);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stdout}\n{stderr}");
    let failure = format!(
        "{SUITE} cannot run: `{BOGUS_PYTHON}` cannot start (No such file or directory (os error 2)). \
         It needs python3 with PyJWT and cryptography: run `scripts/test-all`"
    );
    assert_eq!(stdout.matches(&failure).count(), 2, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("test result: FAILED. 0 passed; 2 failed"),
        "{stdout}"
    );
    assert!(!stderr.contains("SKIPPED"), "{stderr}");
    assert!(!log.exists(), "a failure is not a skip");
}

#[test]
fn a_missing_python_skips_the_pyjwt_suite_with_one_uncaptured_banner_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("skips.log");
    let out = run_pyjwt_tests_without_python("0", &log);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("test result: ok. 2 passed"), "{stdout}");
    let banner = format!(
        "SKIPPED: {SUITE}: `{BOGUS_PYTHON}` cannot start (No such file or directory (os error 2))"
    );
    assert_eq!(stderr.matches(&banner).count(), 1, "{stderr}");
    assert_eq!(stderr.matches("SKIPPED").count(), 1, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!(
            "{SUITE}\t`{BOGUS_PYTHON}` cannot start (No such file or directory (os error 2))\n"
        )
    );
}
