//! Integration tests of what is actix-web's own in jwt-guard-actix: every placement of the
//! middleware, extractors without it, actix's `Option<Claims<T>>`, the `JwtError` attached to
//! the response, the `on_error` hook taking any `Into<HttpResponse>`. Each HTTP test starts a
//! real actix-web server on `127.0.0.1:0` (its own thread and `System`) and talks to it with a
//! real HTTP/1.1 client (hyper); servers stop when their handle drops.
//!
//! Every answer both adapters share (statuses, `WWW-Authenticate` values, bodies, token
//! locations, scopes, optional mode, the hook) is in the workspace's cross-framework table, the
//! root `tests/conformance.rs`, which also drives `examples/actix_quickstart.rs`.

// Tests fail by panicking. clippy.toml exempts `#[test]` functions and `#[cfg(test)]` modules
// from the workspace's no-panic lints, but not an integration test's helpers (rust-clippy#11119).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed step panics the test"
)]

mod custom;
mod extractors;
mod placement;
mod shapes;
mod support;
