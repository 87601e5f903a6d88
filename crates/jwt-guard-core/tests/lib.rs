//! jwt-guard-core's integration tests: one binary, a module per topic.
//!
//! `cargo test -p jwt-guard-core --test lib [MODULE::]` (add `--features remote` for `remote`).

mod config;
mod ed25519;
mod hardening;
mod hostile;
mod interop;
mod provisioning;
#[cfg(feature = "remote")]
mod remote;
mod rules;
mod sources;
mod support;
mod vectors;
