//! Keys, server configs and token pools, made once under the output directory and reused by
//! later runs (an RS256 pool takes a while to sign).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jwt_guard_core::{Algorithm, Key, Signer, keygen};
use serde_json::json;

/// What every token carries and every server checks.
pub(crate) const ISS: &str = "https://bench.jwt-guard.invalid";
pub(crate) const AUD: &str = "bench";
const KID: &str = "bench";

/// The files of one algorithm.
#[derive(Debug, Clone)]
pub(crate) struct Material {
    /// jwt-guard's config with the verified-token cache on (the default) and off.
    pub(crate) config_cache_on: PathBuf,
    pub(crate) config_cache_off: PathBuf,
    /// The verification key for the jsonwebtoken server: the HMAC secret in base64, or the
    /// public key PEM.
    pub(crate) verify_key: PathBuf,
    /// One token per line, each with its own `sub` and `jti`.
    pub(crate) tokens: PathBuf,
}

fn name(alg: Algorithm) -> String {
    alg.to_string().to_lowercase()
}

/// Makes (or reuses) the key, configs and a pool of at least `pool` tokens for `alg`.
pub(crate) fn prepare(dir: &Path, alg: Algorithm, pool: usize) -> Result<Material, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let n = name(alg);
    let hmac = matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512);
    let (signing, verify_key, key_line) = if hmac {
        let path = dir.join(format!("{n}.secret.b64"));
        if !path.exists() {
            let generated = keygen::generate(alg).map_err(|e| e.to_string())?;
            let secret = generated.secret().ok_or("no secret generated")?;
            write(&path, &STANDARD.encode(secret))?;
        }
        let b64 = read(&path)?;
        let key = Key::hmac_base64(b64.trim()).map_err(|e| e.to_string())?;
        (key, path, format!("secret_base64 = \"{}\"", b64.trim()))
    } else {
        let private = dir.join(format!("{n}.private.pem"));
        let public = dir.join(format!("{n}.public.pem"));
        if !private.exists() || !public.exists() {
            let generated = keygen::generate(alg).map_err(|e| e.to_string())?;
            write(
                &private,
                generated.private_key_pem().ok_or("no private key")?,
            )?;
            write(&public, generated.public_key_pem().ok_or("no public key")?)?;
        }
        let key = Key::from_pem(read(&private)?).map_err(|e| e.to_string())?;
        (key, public, format!("pem_file = \"{n}.public.pem\""))
    };
    let config = |cache: &str| {
        format!(
            "algorithms = [\"{alg}\"]\nissuers = [\"{ISS}\"]\naudiences = [\"{AUD}\"]\n\n\
             [[keys]]\nkid = \"{KID}\"\n{key_line}\n\n[cache]\n{cache}\n"
        )
    };
    let config_cache_on = dir.join(format!("{n}-cache-on.toml"));
    let config_cache_off = dir.join(format!("{n}-cache-off.toml"));
    write(
        &config_cache_on,
        &config("# the defaults: on, 10,000 entries"),
    )?;
    write(&config_cache_off, &config("max_entries = 0"))?;

    let tokens = dir.join(format!("{n}.tokens"));
    let have = std::fs::read_to_string(&tokens)
        .map(|t| t.lines().count())
        .unwrap_or(0);
    if have < pool {
        eprintln!(
            "signing {pool} {alg} tokens (once; kept in {})",
            tokens.display()
        );
        let signer = Signer::new(signing, alg)
            .map_err(|e| e.to_string())?
            .with_kid(KID);
        write(&tokens, &sign_pool(&signer, pool)?)?;
    }
    Ok(Material {
        config_cache_on,
        config_cache_off,
        verify_key,
        tokens,
    })
}

/// `count` tokens, signed on every core. About 500 bytes each for HS256 (the size the issue
/// measured with): registered claims plus what an identity provider adds.
fn sign_pool(signer: &Signer, count: usize) -> Result<String, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = count.div_ceil(threads);
    let parts: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut out = String::new();
                    for i in t * chunk..((t + 1) * chunk).min(count) {
                        let claims = json!({
                            "iss": ISS,
                            "aud": AUD,
                            "sub": format!("user-{i:08}"),
                            "jti": format!("bench-token-{i:08}"),
                            "iat": 1_764_547_200_i64,
                            "exp": 4_102_444_800_i64,
                            "scope": "openid profile email items:read items:write",
                            "name": "Ada Lovelace",
                            "email": "ada.lovelace@example.com",
                            "email_verified": true,
                            "roles": ["reader", "writer", "reviewer"],
                            "azp": "jwt-guard-bench-client",
                            "sid": format!("session-{i:08}"),
                        });
                        let token = signer.encode(&claims).map_err(|e| e.to_string())?;
                        let _ = writeln!(out, "{token}");
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a signing thread panicked".into()))
            })
            .collect()
    });
    parts.into_iter().collect()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}
