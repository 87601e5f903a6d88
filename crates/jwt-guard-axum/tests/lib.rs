//! Integration tests of what is axum's own in jwt-guard-axum: the layer over a plain tower
//! service, axum's `Option<Claims<T>>`, extractors and `RequireScopes` without the layer, the
//! `on_error` hook taking any `IntoResponse`, the `tracing` events of rejections. Each HTTP
//! test starts a real server on `127.0.0.1:0` and talks to it with a real HTTP/1.1 client
//! (hyper); servers stop when their handle drops.
//!
//! Every answer both adapters share (statuses, `WWW-Authenticate` values, bodies, token
//! locations, scopes, optional mode, the hook) is in the workspace's cross-framework table, the
//! root `tests/conformance.rs`, which also drives `examples/axum_quickstart.rs`.

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
mod events;
mod extractors;
mod shapes;
mod support;
mod tower_service;
