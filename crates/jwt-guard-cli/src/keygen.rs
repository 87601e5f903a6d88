//! `jwt-guard keygen`: a private key, its public key (PEM) and its public JWK Set, or an HMAC
//! secret.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jwt_guard_core::keygen::{self, KeygenOptions};
use jwt_guard_core::{Algorithm, JwkSet};
use serde_json::json;

use crate::failure::Failure;
use crate::io;

/// Arguments of `jwt-guard keygen`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The algorithm the key is for (it is bound to this one algorithm).
    #[arg(long, value_name = "ALG", value_parser = crate::parse_algorithm)]
    alg: Algorithm,
    /// The key id (default: the RFC 7638 thumbprint of the public key; random for HS*).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// Where to write: PREFIX.key.pem, PREFIX.pub.pem and PREFIX.jwks.json (HS*: PREFIX.secret
    /// and PREFIX.secret.jwks.json).
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// RSA modulus size (RS*, PS*): 2048, 3072, 4096 or 8192.
    #[arg(long, value_name = "BITS", default_value_t = keygen::DEFAULT_RSA_BITS)]
    bits: usize,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
}

/// File permissions: private files are for the owner only.
#[derive(Clone, Copy)]
enum Access {
    Private,
    Public,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut generated = keygen::generate_with(args.alg, &KeygenOptions::new().rsa_bits(args.bits))
        .map_err(|e| Failure::setup(format!("cannot generate the key: {e}")))?;
    if let Some(kid) = &args.kid {
        generated = generated.with_kid(kid.clone());
    }
    let kid = generated.kid().unwrap_or_default().to_owned();
    let prefix = args.out.as_os_str().to_string_lossy().into_owned();

    let (files, summary) = if let Some(secret) = generated.secret() {
        let secret_path = format!("{prefix}.secret");
        let jwks_path = format!("{prefix}.secret.jwks.json");
        let jwks = keygen::jwk_set(generated.secret_jwk())
            .map_err(|e| Failure::setup(format!("cannot build the JWK Set: {e}")))?;
        let files = vec![
            (secret_path.clone(), secret.to_vec(), Access::Private),
            (jwks_path.clone(), jwks_bytes(&jwks), Access::Private),
        ];
        let summary = json!({
            "alg": args.alg.as_str(),
            "kid": kid,
            "secret": secret_path,
            "secret_jwks": jwks_path,
        });
        (files, summary)
    } else {
        let key_path = format!("{prefix}.key.pem");
        let pub_path = format!("{prefix}.pub.pem");
        let jwks_path = format!("{prefix}.jwks.json");
        let pem = |pem: Option<&str>| pem.unwrap_or_default().as_bytes().to_vec();
        let jwks = generated
            .public_jwk_set()
            .map_err(|e| Failure::setup(format!("cannot build the JWK Set: {e}")))?;
        let files = vec![
            (
                key_path.clone(),
                pem(generated.private_key_pem()),
                Access::Private,
            ),
            (
                pub_path.clone(),
                pem(generated.public_key_pem()),
                Access::Public,
            ),
            (jwks_path.clone(), jwks_bytes(&jwks), Access::Public),
        ];
        let summary = json!({
            "alg": args.alg.as_str(),
            "kid": kid,
            "private_key": key_path,
            "public_key": pub_path,
            "public_jwks": jwks_path,
        });
        (files, summary)
    };

    if !args.force {
        for (path, _, _) in &files {
            if Path::new(path).exists() {
                return Err(Failure::setup(format!(
                    "{path} already exists (use --force to overwrite it)"
                )));
            }
        }
    }
    for (path, contents, access) in &files {
        write_file(Path::new(path), contents, *access)?;
    }
    io::print_line(&io::json_line(summary))
}

fn jwks_bytes(jwks: &JwkSet) -> Vec<u8> {
    // A JWK Set of plain JSON values always serializes.
    let mut text = serde_json::to_string_pretty(jwks).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// Writes a new file (replacing an old one), owner-only (0600) for private material on Unix.
fn write_file(path: &Path, contents: &[u8], access: Access) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::setup(format!("cannot write {}: {e}", path.display()));
    // Remove first so that the mode below applies to a new file, never to an old one.
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(e)),
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(match access {
            Access::Private => 0o600,
            Access::Public => 0o644,
        });
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(contents).map_err(fail)?;
    file.sync_all().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_files_end_with_a_newline() {
        let bytes = jwks_bytes(&JwkSet::default());
        assert_eq!(String::from_utf8(bytes).unwrap(), "{\n  \"keys\": []\n}\n");
    }
}
