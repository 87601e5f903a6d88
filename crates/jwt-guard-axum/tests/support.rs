//! The HTTP harness shared with the conformance suite and jwt-guard-actix's tests (the client,
//! the axum server, the adapter suites' tokens), included from `tests/conformance/harness/`.

#[path = "../../jwt-guard-core/tests/support/capture.rs"]
pub(crate) mod capture;

#[path = "../../../tests/conformance/harness/client.rs"]
pub(crate) mod client;

#[path = "../../../tests/conformance/harness/axum_server.rs"]
pub(crate) mod server;

#[path = "../../../tests/conformance/harness/tokens.rs"]
pub(crate) mod tokens;

pub(crate) use server::AxumServer as Server;
pub(crate) use tokens::*;
