//! facade
#[cfg(feature = "axum")]
pub use jwt_guard_axum as axum;
#[cfg(feature = "actix")]
pub use jwt_guard_actix as actix;
pub use jwt_guard_core::*;
