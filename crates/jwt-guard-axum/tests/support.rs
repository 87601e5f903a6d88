//! The HTTP harness shared with the conformance suite and jwt-guard-actix's tests (the client,
//! the axum server, the adapter suites' tokens) and the tracing capture shared with the core's
//! tests, from the `jwt-guard-test-support` crate.

pub(crate) use jwt_guard_test_support::axum_server::AxumServer as Server;
pub(crate) use jwt_guard_test_support::capture;
pub(crate) use jwt_guard_test_support::tokens::*;
