//! actix adapter for jwt-guard: not implemented yet (see the open issue).
#![forbid(unsafe_code)]

pub use jwt_guard_core as core;
