//! The `jwt-guard` command line (not implemented yet).
fn main() {}
