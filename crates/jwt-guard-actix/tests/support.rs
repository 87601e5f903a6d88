//! The HTTP harness shared with the conformance suite and jwt-guard-axum's tests (the client,
//! the actix-web server, the adapter suites' tokens), from the `jwt-guard-test-support` crate.

pub(crate) use jwt_guard_test_support::actix_server::ActixServer as Server;
pub(crate) use jwt_guard_test_support::tokens::*;
