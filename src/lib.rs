//! facade
pub use jwt_guard_core::*;
#[cfg(feature = "axum")]
pub use jwt_guard_axum as axum;
