//! `jwt-guard jwks`: public keys of PEM files as a JWK Set.

use std::collections::HashSet;
use std::path::PathBuf;

use jwt_guard_core::keygen;
use jwt_guard_core::{Algorithm, Key};

use crate::failure::Failure;
use crate::io;

/// Arguments of `jwt-guard jwks`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// PEM files: public keys, private keys (only their public part is printed) or
    /// certificates.
    #[arg(value_name = "PEM_FILE", required = true)]
    files: Vec<PathBuf>,
    /// Key ids, one per file in the same order (default: each key's RFC 7638 thumbprint).
    #[arg(long, value_name = "KID")]
    kid: Vec<String>,
    /// Algorithms, one per file in the same order, to bind each key to (and set `alg`).
    /// Without it, `alg` is set only for keys that serve one algorithm (EC, Ed25519).
    #[arg(long, value_name = "ALG", value_parser = crate::parse_algorithm)]
    alg: Vec<Algorithm>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    for (flag, count) in [("--kid", args.kid.len()), ("--alg", args.alg.len())] {
        if count != 0 && count != args.files.len() {
            return Err(Failure::setup(format!(
                "give {flag} once per PEM file ({} files, {count} {flag})",
                args.files.len()
            )));
        }
    }
    let mut jwks = Vec::with_capacity(args.files.len());
    let mut seen = HashSet::new();
    for (i, path) in args.files.iter().enumerate() {
        let shown = path.display();
        let fail = |e: jwt_guard_core::Error| Failure::setup(format!("{shown}: {e}"));
        let mut key = Key::from_pem(io::read_file(path, "PEM file")?).map_err(fail)?;
        if let Some(alg) = args.alg.get(i) {
            key = key.with_algorithm(*alg).map_err(fail)?;
        }
        let kid = match args.kid.get(i) {
            Some(kid) => kid.clone(),
            None => keygen::jwk_thumbprint(&key.to_public_jwk().map_err(fail)?).map_err(fail)?,
        };
        if !seen.insert(kid.clone()) {
            return Err(Failure::setup(format!(
                "{shown}: kid `{kid}` is already used by another key (the same key twice?)"
            )));
        }
        jwks.push(key.with_kid(kid).to_public_jwk().map_err(fail)?);
    }
    let set = keygen::jwk_set(jwks).map_err(|e| Failure::setup(e.to_string()))?;
    let text = serde_json::to_string_pretty(&set)
        .map_err(|e| Failure::setup(format!("cannot write the JWK Set: {e}")))?;
    io::print_line(&text)
}
