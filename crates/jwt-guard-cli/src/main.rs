//! `jwt-guard`: the jwt-guard command line, built on `jwt-guard-core` only.
//!
//! - `verify --config FILE [TOKEN]`: verify with the server's own `VerifierConfig` (with
//!   `[[providers]]`, routed by `iss` as the server routes it); `--require-claims` and `--scope`
//!   add what the handler's type and the route's scope guard require.
//! - `decode [TOKEN]`: show header and claims **without** verifying anything.
//! - `encode --alg ALG --key FILE [CLAIMS_JSON]`: mint a token.
//! - `keygen --alg ALG --out PREFIX`: make a key pair (or an HMAC secret).
//! - `jwks PEM_FILE...`: public keys as a JWK Set.
//! - `revoke --config FILE TOKEN` (or `--subject SUB [--before TIME]`): revoke in the shared
//!   store the config's `[revocation]` table names; `revocations --config FILE` lists it.
//!
//! Exit codes: 0 success; 1 the token was rejected (`verify`) or could not be decoded
//! (`decode`), with `error: <code>: <message>` on stderr; 2 usage, configuration, key or file
//! problems, with `error: <message>` on stderr. See the crate README for the output formats.
//! Whatever does not print (controls, bidi and zero-width characters, ...) is written as a JSON
//! `\uXXXX` escape in all output (`io::escape_hidden`).

mod decode;
mod encode;
mod failure;
mod io;
mod jwks;
mod keygen;
mod revoke;
mod time;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jwt_guard_core::Algorithm;

/// Verify, decode and mint JSON Web Tokens; make keys.
///
/// Exit codes: 0 success, 1 token rejected (or undecodable), 2 usage, configuration or file
/// error.
#[derive(Parser)]
#[command(name = "jwt-guard", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a token with the rules of a server's VerifierConfig file (TOML, or JSON by
    /// extension; with `[[providers]]`, routed by its iss as the server routes it) and print its
    /// claims as one JSON line.
    Verify(verify::Args),
    /// Print a token's header and claims WITHOUT verifying anything.
    Decode(decode::Args),
    /// Sign claims into a token.
    Encode(encode::Args),
    /// Generate a private key, its public key (PEM) and its public JWK Set (or an HMAC secret).
    Keygen(keygen::Args),
    /// Print the public keys of PEM files as a JWK Set.
    Jwks(jwks::Args),
    /// Revoke a token (verified with the config's rules first), or every token of a subject
    /// issued before a time, in the shared store of the config's [revocation] table (Redis).
    Revoke(revoke::Args),
    /// List the entries of the shared store of the config's [revocation] table.
    Revocations(revoke::ListArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(args) => verify::run(args),
        Command::Decode(args) => decode::run(args),
        Command::Encode(args) => encode::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Jwks(args) => jwks::run(args),
        Command::Revoke(args) => revoke::run(args),
        Command::Revocations(args) => revoke::list(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Parses an algorithm name for clap (case-sensitive, as RFC 7515 has it; `none` never).
fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    Algorithm::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.as_str()).collect();
        format!(
            "unknown algorithm `{name}` (expected one of {})",
            names.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(parse_algorithm("EdDSA"), Ok(Algorithm::EdDSA));
        let err = parse_algorithm("none").unwrap_err();
        assert!(err.contains("unknown algorithm `none`"), "{err}");
        assert!(parse_algorithm("hs256").is_err());
    }
}
