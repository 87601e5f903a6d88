//! facade
#[cfg(feature = "actix")]
pub use jwt_guard_actix as actix;
#[cfg(feature = "axum")]
pub use jwt_guard_axum as axum;
pub use jwt_guard_core::*;
