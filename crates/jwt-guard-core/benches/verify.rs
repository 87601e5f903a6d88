//! Criterion benchmarks: see BENCHMARKS.md.
fn main() {}
