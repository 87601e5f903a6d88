//! Key generation for the command line and tests.
//!
//! (Filled in by the command-line issue.)
