//! Framework-free HTTP helpers shared by the adapters: token extraction, RFC 6750 answers, scopes.
//!
//! (Filled in by the axum adapter issue.)
