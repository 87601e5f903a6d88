//! Integration tests of jwt-guard-actix: each test starts a real actix-web server on
//! `127.0.0.1:0` (its own thread and `System`) and talks to it with a real HTTP/1.1 client
//! (hyper), asserting exact statuses, `WWW-Authenticate` values and JSON bodies. Servers stop
//! when their handle drops. The cross-framework conformance suite is the workspace's root
//! `tests/conformance.rs`.

mod custom;
mod example;
mod locations;
mod optional;
mod placement;
mod required;
mod scopes;
mod support;

/// The example's own code (`examples/actix_quickstart.rs`), driven by `example.rs`.
#[allow(dead_code)]
#[path = "../../../examples/actix_quickstart.rs"]
mod quickstart;
