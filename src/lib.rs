//! facade
#[cfg(feature = "axum")]
pub use jwt_guard_axum as axum;
pub use jwt_guard_core::*;
