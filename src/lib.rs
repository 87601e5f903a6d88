//! facade
pub use jwt_guard_core::*;
