//! What `axum_quickstart.rs` and `actix_quickstart.rs` share: the embedded demo config, loading
//! `JWT_GUARD_CONFIG`, the listen address, demo tokens, the printed curl commands and the exit
//! code. Each example includes it with `mod common;` (it is not an example of its own).

use std::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use jwt_guard_core::{Signer, TimeClaims, VerifierConfig};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;

/// The embedded default config. DEMO ONLY: the secret below is in a public source file, so
/// anyone can mint tokens this server accepts. Use `JWT_GUARD_CONFIG` with your own keys.
pub(crate) const DEMO_CONFIG: &str = r#"
algorithms = ["HS256"]
issuers = ["https://demo.jwt-guard.invalid"]
audiences = ["jwt-guard-quickstart"]

[[keys]]
kid = "demo"
secret = "jwt-guard demo secret: public, never use it for real"

[token]
header = "authorization"   # Authorization: Bearer <token>
# cookie = "access_token"  # also read a cookie
# query = true             # also read ?access_token=... (URLs get logged: avoid)

[metrics]
verify_time = true         # jwt_guard_verify_seconds at GET /metrics (two clock reads a request)
"#;

/// The listen address unless `JWT_GUARD_ADDR` says otherwise.
pub(crate) const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// The config from `path` (TOML, or JSON for a `.json` name; relative key paths resolve
/// against its directory), or the demo one. Errors give the line, column and field, never the
/// text (it holds secrets).
pub(crate) fn load_config(path: Option<&Path>) -> Result<(VerifierConfig, PathBuf), String> {
    let Some(path) = path else {
        let config =
            VerifierConfig::from_toml(DEMO_CONFIG).map_err(|e| format!("demo config: {e}"))?;
        return Ok((config, PathBuf::from(".")));
    };
    // The one rule: a config read from a file resolves its relative paths against the file's
    // directory, wherever it is built (`JwtLayer::from_config` too).
    let config = VerifierConfig::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let base_dir = config.resolve_dir().to_path_buf();
    Ok((config, base_dir))
}

/// What the environment asks for: the config (`JWT_GUARD_CONFIG`, else the demo one, with a
/// warning on stderr), the directory its relative paths resolve against, and the address
/// (`JWT_GUARD_ADDR`, else [`DEFAULT_ADDR`]).
pub(crate) fn settings() -> Result<(VerifierConfig, PathBuf, SocketAddr), Box<dyn Error>> {
    let config_path = std::env::var_os("JWT_GUARD_CONFIG").map(PathBuf::from);
    let (config, base_dir) = load_config(config_path.as_deref())?;
    match &config_path {
        None => eprintln!(
            "WARNING: using the embedded DEMO config: its HS256 secret is public, so anyone can \
             mint tokens for this server. Set JWT_GUARD_CONFIG=path.toml for real keys."
        ),
        Some(path) => eprintln!("using the config {}", path.display()),
    }
    let addr: SocketAddr = std::env::var("JWT_GUARD_ADDR")
        .unwrap_or_else(|_| DEFAULT_ADDR.to_owned())
        .parse()
        .map_err(|e| format!("JWT_GUARD_ADDR: {e}"))?;
    Ok((config, base_dir, addr))
}

/// Two demo tokens, valid for an hour: `scope: "read"` (for `/me`) and `scope: "admin read"`.
#[derive(Debug)]
pub(crate) struct DemoTokens {
    pub(crate) me: String,
    pub(crate) admin: String,
}

/// Mints the demo tokens with the config's first key that can sign, and checks that the
/// config's own rules accept them. `Err` says why there are none (public keys only, ...).
pub(crate) fn demo_tokens(config: &VerifierConfig, base_dir: &Path) -> Result<DemoTokens, String> {
    let verifier = config.build_in(base_dir).map_err(|e| e.to_string())?;
    let mut signer = None;
    for key_config in &config.keys {
        for key in key_config.load(base_dir).map_err(|e| e.to_string())? {
            let alg = config
                .algorithms
                .iter()
                .copied()
                .find(|alg| key.allows(*alg));
            if let (true, Some(alg)) = (key.can_sign(), alg) {
                signer = Signer::new(key, alg).ok();
                break;
            }
        }
        if signer.is_some() {
            break;
        }
    }
    let Some(mut signer) = signer else {
        return Err("the config has no key that can sign (public keys only?)".into());
    };
    if let Some(typ) = &config.typ {
        signer = signer.with_typ(Some(typ));
    }
    #[allow(
        clippy::indexing_slicing,
        reason = "`claims` is a JSON object: indexing inserts"
    )]
    let mint = |scope: &str| {
        let mut claims = json!({"sub": "demo-user", "scope": scope});
        if let Some(iss) = config.issuers.first() {
            claims["iss"] = json!(iss);
        }
        if let Some(aud) = config.audiences.first() {
            claims["aud"] = json!(aud);
        }
        if let Some(sub) = &config.subject {
            claims["sub"] = json!(sub);
        }
        let times = TimeClaims::new()
            .issued_now()
            .expires_in(Duration::from_secs(3600));
        let token = signer
            .encode_with_times(&claims, &times)
            .map_err(|e| e.to_string())?;
        match verifier.verify_token(&token) {
            Ok(_) => Ok(token),
            Err(e) => Err(format!(
                "the config's rules refuse a demo token ({}): mint your own",
                e.code()
            )),
        }
    };
    Ok(DemoTokens {
        me: mint("read")?,
        admin: mint("admin read")?,
    })
}

/// Prints where the server listens and curl commands to try, with demo tokens if the config's
/// key can mint them.
pub(crate) fn print_banner(
    framework: &str,
    addr: SocketAddr,
    config: &VerifierConfig,
    base_dir: &Path,
) {
    println!("jwt-guard {framework} quickstart listening on http://{addr} (Ctrl-C stops it)\n");
    println!("  curl -i http://{addr}/public");
    println!("  curl -s http://{addr}/metrics          # Prometheus text");
    println!("  curl -i http://{addr}/me                 # 401: no token");
    match demo_tokens(config, base_dir) {
        Ok(tokens) => {
            let (me, admin) = (&tokens.me, &tokens.admin);
            println!("  curl -i -H 'Authorization: Bearer {me}' http://{addr}/me");
            println!(
                "  curl -i -H 'Authorization: Bearer {me}' http://{addr}/admin   # 403: no admin scope"
            );
            println!("  curl -i -H 'Authorization: Bearer {admin}' http://{addr}/admin");
        }
        Err(why) => {
            println!("  (no demo token: {why})");
            println!("  curl -i -H 'Authorization: Bearer <your token>' http://{addr}/me");
        }
    }
    println!();
}

/// Installs the process's metrics recorder (Prometheus text, rendered by `GET /metrics`): what
/// jwt-guard records through the `metrics` facade (`jwt_guard_core::metrics` lists the names)
/// then shows there.
///
/// # Errors
/// When a recorder is already installed.
pub(crate) fn install_metrics() -> Result<PrometheusHandle, Box<dyn Error>> {
    Ok(PrometheusBuilder::new().install_recorder()?)
}

/// The process's exit code for what the server's `run` returned (an error is printed).
pub(crate) fn exit_code(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
