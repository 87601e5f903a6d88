//! Integration tests of jwt-guard-axum: each test starts a real server on `127.0.0.1:0` and
//! talks to it with a real HTTP/1.1 client (hyper), asserting exact statuses,
//! `WWW-Authenticate` values and JSON bodies. Servers stop when their handle drops.

mod custom;
mod example;
mod locations;
mod optional;
mod required;
mod scopes;
mod support;
mod tower_service;

/// The example's own code (`examples/axum_quickstart.rs`), driven by `example.rs`.
#[allow(dead_code)]
#[path = "../../../examples/axum_quickstart.rs"]
mod quickstart;
