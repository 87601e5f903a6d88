//! The outside-tool contract, on this binary's own PyJWT suite: the two PyJWT tests are run
//! again, as a child process, with a python that does not exist. With `JWT_GUARD_REQUIRE_ALL=1`
//! both fail and say what is missing and how to provision it; with `JWT_GUARD_REQUIRE_ALL=0`
//! they pass after ONE banner on stderr (not captured by the test harness) and one line in the
//! skip log.

use jwt_guard_test_support::{check_missing_python_fails, check_missing_python_skips};

const SUITE: &str = "PyJWT interop (jwt-guard-core)";
const PYJWT_TESTS: [&str; 2] = [
    "interop::pyjwt_signs_jwt_guard_verifies",
    "interop::jwt_guard_signs_pyjwt_verifies",
];

#[test]
fn a_missing_python_fails_the_pyjwt_suite_when_every_suite_is_required() {
    check_missing_python_fails(SUITE, &PYJWT_TESTS);
}

#[test]
fn a_missing_python_skips_the_pyjwt_suite_with_one_uncaptured_banner_otherwise() {
    check_missing_python_skips(SUITE, &PYJWT_TESTS);
}
