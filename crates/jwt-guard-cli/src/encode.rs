//! `jwt-guard encode`: sign claims into a token.

use std::path::{Path, PathBuf};

use jwt_guard_core::{Algorithm, Key, KeyFamily, KeySet, MAX_NUMERIC_DATE, Signer};
use serde_json::{Map, Value};

use crate::failure::Failure;
use crate::io;
use crate::time;

/// Arguments of `jwt-guard encode`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("key_source").required(true).args(["key", "secret_base64", "secret_env"])))]
pub(crate) struct Args {
    /// The signing algorithm.
    #[arg(long, value_name = "ALG", value_parser = crate::parse_algorithm)]
    alg: Algorithm,
    /// The signing key: a PEM private key, a private JWK or a JWK Set (JSON), or for HS* a file
    /// of raw secret bytes (used as is, a trailing newline included).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// HS*: the secret in base64 (standard or URL-safe alphabet).
    #[arg(long, value_name = "B64")]
    secret_base64: Option<String>,
    /// HS*: the name of an environment variable holding the secret.
    #[arg(long, value_name = "NAME")]
    secret_env: Option<String>,
    /// The header `kid` (default: the JWK's `kid`, if the key is a JWK; else none). With a
    /// JWK Set, also selects the key.
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// The header `typ`; an empty value leaves it out.
    #[arg(long, value_name = "TYP", default_value = "JWT")]
    typ: String,
    /// Sets `exp` to now + DURATION (`30s`, `10m`, `1h`, `2d`, `1h30m`; negative for a token
    /// that has already expired: `-5m`).
    #[arg(long, value_name = "DURATION", value_parser = time::parse_duration, allow_hyphen_values = true)]
    exp: Option<i64>,
    /// Sets `nbf` to now + DURATION (may be negative).
    #[arg(long, value_name = "DURATION", value_parser = time::parse_duration, allow_hyphen_values = true)]
    nbf: Option<i64>,
    /// Sets `iat` to now.
    #[arg(long)]
    iat: bool,
    /// Use this as "now" for --exp, --nbf and --iat (seconds since the Unix epoch).
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The claims, a JSON object; absent or `-`: read from standard input (nothing there, or a
    /// terminal: `{}`). --exp, --nbf and --iat override the members of the same name.
    #[arg(value_name = "CLAIMS_JSON")]
    claims: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut key = signing_key(&args)?;
    if let Some(kid) = &args.kid {
        key = key.with_kid(kid.clone());
    }
    let key = key
        .with_algorithm(args.alg)
        .map_err(|e| Failure::setup(format!("{}: {e}", key_source(&args))))?;
    let signer = Signer::new(key, args.alg)
        .map_err(|e| Failure::setup(format!("{}: {e}", key_source(&args))))?
        .with_typ(Some(args.typ.as_str()).filter(|t| !t.is_empty()));

    let mut claims = read_claims(args.claims.as_deref())?;
    let now = time::now_or_system(args.now);
    let at = |offset: i64, flag: &str| -> Result<i64, Failure> {
        now.checked_add(offset)
            .filter(|t| (0..=MAX_NUMERIC_DATE).contains(t))
            .ok_or_else(|| {
                Failure::setup(format!(
                    "--{flag} puts the time outside 1970..9999 (now is {now})"
                ))
            })
    };
    if args.iat {
        claims.insert("iat".to_owned(), at(0, "iat")?.into());
    }
    if let Some(offset) = args.nbf {
        claims.insert("nbf".to_owned(), at(offset, "nbf")?.into());
    }
    if let Some(offset) = args.exp {
        claims.insert("exp".to_owned(), at(offset, "exp")?.into());
    }
    let token = signer
        .encode(&Value::Object(claims))
        .map_err(|e| Failure::setup(format!("cannot sign: {e}")))?;
    io::print_line(&token)
}

fn key_source(args: &Args) -> String {
    match (&args.key, &args.secret_env) {
        (Some(path), _) => format!("key {}", path.display()),
        (None, Some(var)) => format!("secret from ${var}"),
        (None, None) => "secret from --secret-base64".to_owned(),
    }
}

fn read_claims(arg: Option<&str>) -> Result<Map<String, Value>, Failure> {
    let text = match arg {
        Some(text) if text != "-" => text.to_owned(),
        Some(_) => io::read_stdin("claims")?,
        None if io::stdin_is_terminal() => String::new(),
        None => io::read_stdin("claims")?,
    };
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::setup("the claims must be a JSON object")),
        Err(e) => Err(Failure::setup(format!(
            "the claims are not valid JSON: {e}"
        ))),
    }
}

fn signing_key(args: &Args) -> Result<Key, Failure> {
    let hmac_only = |flag: &str| -> Result<(), Failure> {
        if args.alg.family() == KeyFamily::Hmac {
            Ok(())
        } else {
            Err(Failure::setup(format!(
                "--{flag} is for HS256, HS384 and HS512 only; give --key FILE for {}",
                args.alg
            )))
        }
    };
    if let Some(b64) = &args.secret_base64 {
        hmac_only("secret-base64")?;
        return Key::hmac_base64(b64).map_err(|e| Failure::setup(format!("--secret-base64: {e}")));
    }
    if let Some(var) = &args.secret_env {
        hmac_only("secret-env")?;
        let secret = std::env::var_os(var).ok_or_else(|| {
            Failure::setup(format!(
                "--secret-env: environment variable {var} is not set"
            ))
        })?;
        return Key::hmac(secret.as_encoded_bytes())
            .map_err(|e| Failure::setup(format!("--secret-env {var}: {e}")));
    }
    let Some(path) = &args.key else {
        return Err(Failure::setup(
            "give one of --key, --secret-base64, --secret-env",
        ));
    };
    let bytes = io::read_file(path, "key")?;
    key_from_file(&bytes, path, args.alg, args.kid.as_deref())
}

/// A signing key from a file: JSON (a JWK or a JWK Set), PEM, or (HS* only) raw secret bytes.
fn key_from_file(
    bytes: &[u8],
    path: &Path,
    alg: Algorithm,
    kid: Option<&str>,
) -> Result<Key, Failure> {
    let shown = path.display();
    let fail = |e: jwt_guard_core::Error| Failure::setup(format!("key {shown}: {e}"));
    if let Ok(json) = serde_json::from_slice::<Value>(bytes) {
        if json.get("keys").is_some() {
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            let set = KeySet::from_jwks_json(text).map_err(fail)?;
            return pick_from_set(&set, alg, kid)
                .map_err(|why| Failure::setup(format!("key {shown}: {why}")));
        }
        let jwk = serde_json::from_value(json)
            .map_err(|e| Failure::setup(format!("key {shown}: not a JWK: {e}")))?;
        return Key::from_jwk(&jwk).map_err(fail);
    }
    let is_pem = std::str::from_utf8(bytes).is_ok_and(|text| text.contains("-----BEGIN "));
    if is_pem {
        return Key::from_pem(bytes).map_err(fail);
    }
    if alg.family() == KeyFamily::Hmac {
        return Key::hmac(bytes).map_err(fail);
    }
    Err(Failure::setup(format!(
        "key {shown}: not a PEM, JWK or JWK Set file (raw secret bytes are for HS256, HS384 and HS512 only)"
    )))
}

fn pick_from_set(set: &KeySet, alg: Algorithm, kid: Option<&str>) -> Result<Key, String> {
    let candidates: Vec<&Key> = set
        .keys()
        .iter()
        .filter(|k| k.can_sign() && k.allows(alg))
        .filter(|k| kid.is_none_or(|kid| k.kid() == Some(kid)))
        .collect();
    match candidates.as_slice() {
        [key] => Ok((*key).clone()),
        [] => Err(format!(
            "the JWK Set holds no private key for {alg}{}",
            kid.map(|k| format!(" with kid `{k}`")).unwrap_or_default()
        )),
        _ => Err(format!(
            "the JWK Set holds {} private keys for {alg}; choose one with --kid",
            candidates.len()
        )),
    }
}
