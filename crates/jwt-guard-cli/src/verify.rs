//! `jwt-guard verify`: the server's own rules, from its `VerifierConfig` file: the verifier the
//! server builds from it (for a `[[providers]]` config, one that routes each token by its `iss`
//! to one provider), on the `--now` clock if given. No remote key set is fetched.
//!
//! The config's claim rules (`[[claims]]`) apply as in the server; a token failing one is
//! `claim_rejected`, and the notes say which rule (`claims[i]`, its claim and condition), what it
//! requires and what the token's claim is.
//!
//! What a config does not hold can be added: `--require-claims` (what a handler's claims type
//! needs, checked as the config's `required_claims` are) and `--scope` (what a route's
//! `RequireScopes::all` requires, checked as the server checks it, after verification).

use std::path::{Path, PathBuf};

use jwt_guard_core::http::{Rejection, RejectionKind, RequiredScopes, granted_scopes};
use jwt_guard_core::{
    ConfigFormat, ErrorKind, ManualClock, VerifiedToken, Verifier, VerifierConfig, dangerous,
};
use serde_json::Value;

use crate::failure::Failure;
use crate::io;
use crate::time;

/// Arguments of `jwt-guard verify`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The verifier configuration the server uses: TOML, or JSON when the name ends in `.json`.
    /// Relative key paths in it are resolved against the file's directory.
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// Check the token as if it were this time (seconds since the Unix epoch), to reproduce a
    /// past rejection.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Claims the handler's type needs (comma-separated, repeatable): each must be present and
    /// not null, as the config's `required_claims` are; a token without one is rejected with
    /// `missing_claim`. The config's rules do not know the handler's type: this checks its shape.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    require_claims: Vec<String>,
    /// A scope the route requires (repeatable, or space-separated): the token must grant all of
    /// them, as `RequireScopes::all` asks, in its `scope` claim (else `scp`); a token lacking one
    /// is rejected with `insufficient_scope`.
    #[arg(long, value_name = "SCOPE")]
    scope: Vec<String>,
    /// The token (a leading `Bearer ` is accepted); absent or `-`: read it from standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let required_claims = claim_names(&args.require_claims)?;
    let required_scopes = if args.scope.is_empty() {
        None
    } else {
        Some(
            RequiredScopes::try_all(&args.scope).map_err(|e| match e.kind() {
                ErrorKind::InvalidConfig { reason, .. } => {
                    Failure::setup(format!("--scope: {reason}"))
                }
                _ => Failure::setup(format!("--scope: {e}")),
            })?,
        )
    };
    let loaded = load_verifier(&args.config, args.now, &required_claims)?;
    let token = io::token_argument(args.token)?;
    match loaded.verifier.verify_token(&token) {
        Ok(verified) => {
            if let Some(required) = &required_scopes {
                check_scopes(&verified, required)?;
            }
            print_claims(&verified)
        }
        Err(error) => {
            let now = time::now_or_system(args.now);
            let notes = explain(&error, &token, &loaded, now);
            Err(Failure::from_core(error, notes))
        }
    }
}

/// The names of `--require-claims` (trimmed, empty ones dropped); an error if it was given
/// with none.
fn claim_names(given: &[String]) -> Result<Vec<String>, Failure> {
    let names: Vec<String> = given
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() && !given.is_empty() {
        return Err(Failure::setup("--require-claims: name at least one claim"));
    }
    Ok(names)
}

/// What a scope guard decides after verification (the core's rule, `RequiredScopes`): a scope
/// claim of the wrong type is the token error a server answers with 401, a missing scope the
/// 403 `insufficient_scope`, with notes naming the missing scopes and the granted ones.
fn check_scopes(verified: &VerifiedToken, required: &RequiredScopes) -> Result<(), Failure> {
    let granted = granted_scopes(verified).map_err(|e| Failure::from_core(e, Vec::new()))?;
    if required.is_satisfied_by(&granted) {
        return Ok(());
    }
    let quoted = |names: &[&String]| {
        names
            .iter()
            .map(|name| Value::String((*name).clone()).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let missing: Vec<&String> = required
        .scopes()
        .iter()
        .filter(|scope| !granted.contains(scope))
        .collect();
    let all: Vec<&String> = required.scopes().iter().collect();
    let mut notes = vec![format!(
        "missing scope{}: {} (--scope requires all of {})",
        if missing.len() == 1 { "" } else { "s" },
        quoted(&missing),
        quoted(&all)
    )];
    let has_claim = serde_json::from_slice::<Value>(verified.payload_json())
        .ok()
        .is_some_and(|claims| {
            ["scope", "scp"]
                .iter()
                .any(|name| claims.get(name).is_some_and(|v| !v.is_null()))
        });
    notes.push(match (granted.is_empty(), has_claim) {
        (true, false) => {
            "the token grants no scope (it has neither a scope nor an scp claim)".to_owned()
        }
        (true, true) => "the token grants no scope".to_owned(),
        (false, _) => format!(
            "the token grants: {}",
            quoted(&granted.iter().collect::<Vec<_>>())
        ),
    });
    // The server's own words for it: code and description of the 403.
    let rejection = Rejection::new(RejectionKind::InsufficientScope(required.clone()));
    Err(Failure::Refused {
        code: rejection.error_code(),
        message: rejection.description().into_owned(),
        notes,
    })
}

/// Prints verified claims as one sorted JSON line.
fn print_claims(verified: &VerifiedToken) -> Result<(), Failure> {
    match serde_json::from_slice::<Value>(verified.payload_json()) {
        Ok(claims) => io::print_line(&io::json_line(claims)),
        Err(_) => {
            // The verifier checked the claims' syntax but skips the members it does not
            // need without a depth limit, while serde_json builds no value nested deeper
            // than 128 levels. The token is verified (exit 0, as a server would accept it):
            // its claims text is printed as received, on one line.
            io::eprint_line(
                "note: the claims nest deeper than 128 levels: printed as received, not sorted",
            );
            io::print_line(&one_line(verified.payload_json()))
        }
    }
}

/// The verifier a server builds from a config file, and what the notes need from the file.
pub(crate) struct Loaded {
    pub(crate) verifier: Verifier,
    /// The `[revocation]` table (`jwt-guard revoke` and `revocations` write and read its store).
    pub(crate) revocation: Option<jwt_guard_core::RevocationConfig>,
    /// With `[[providers]]`: the issuer of each provider, in file order (`providers[i]`).
    provider_issuers: Vec<String>,
    /// The names `--require-claims` added to the rules.
    cli_required_claims: Vec<String>,
}

/// Verified claims JSON on one line: the only raw control characters valid JSON holds are the
/// whitespace between its tokens (inside strings they must be escaped), so they become spaces.
fn one_line(json: &[u8]) -> String {
    String::from_utf8_lossy(json)
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Loads the config and builds the verifier the server would build (`build_in`, which the HTTP
/// adapters' `from_config_in` call; for a `[[providers]]` config a verifier routing by `iss`),
/// with `now` as the clock of every provider and `required_claims` added to the
/// `required_claims` of every provider.
pub(crate) fn load_verifier(
    path: &Path,
    now: Option<i64>,
    required_claims: &[String],
) -> Result<Loaded, Failure> {
    let shown = path.display();
    let bytes = io::read_file(path, "config")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::setup(format!("config {shown} is not UTF-8 text")))?;
    // The core's reader: its errors give line, column and field, never the text (secrets).
    let mut config = VerifierConfig::from_text(&text, ConfigFormat::for_path(path))
        .map_err(|e| Failure::setup(format!("config {shown}: {e}")))?;
    let add = |names: &mut Vec<String>| {
        for name in required_claims {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    };
    if config.providers.is_empty() {
        add(&mut config.required_claims);
    } else {
        config
            .providers
            .iter_mut()
            .for_each(|p| add(&mut p.required_claims));
    }
    let base_dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let verifier = match now {
        Some(now) => config.build_in_with_clock(base_dir, ManualClock::new(now)),
        None => config.build_in(base_dir),
    }
    .map_err(|e| Failure::setup(format!("config {shown}: {e}")))?;
    let provider_issuers = config
        .providers
        .iter()
        // The core requires one of them and refuses two that differ.
        .map(|p| p.issuer.clone().or_else(|| p.oidc_issuer.clone()))
        .map(Option::unwrap_or_default)
        .collect();
    Ok(Loaded {
        verifier,
        revocation: config.revocation.clone(),
        provider_issuers,
        cli_required_claims: required_claims.to_vec(),
    })
}

/// Notes that say why, from the token (decoded again, without verification) and the rules (for
/// a `[[providers]]` config, those of the provider its `iss` routes to). Values are quoted as
/// JSON; the token is the developer's own, so echoing it here is fine (what does not print is
/// escaped on output).
fn explain(error: &jwt_guard_core::Error, token: &str, loaded: &Loaded, now: i64) -> Vec<String> {
    let Ok(decoded) = dangerous::decode_unverified::<Value>(token) else {
        return Vec::new();
    };
    let header = |name: &str| {
        decoded
            .header
            .get(name)
            .map_or("(none)".to_owned(), Value::to_string)
    };
    let claim = |name: &str| {
        decoded
            .claims
            .get(name)
            .map_or("(none)".to_owned(), Value::to_string)
    };
    let date = |name: &str| decoded.claims.get(name).and_then(numeric_date);
    let list = |items: &[String]| {
        if items.is_empty() {
            "(none configured)".to_owned()
        } else {
            items
                .iter()
                .map(|s| Value::String(s.clone()).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut notes = Vec::new();
    let verifier = match loaded.verifier.route(token) {
        Ok(route) => {
            let iss = decoded.claims.get("iss").and_then(Value::as_str);
            if let Some(i) = loaded
                .provider_issuers
                .iter()
                .position(|issuer| Some(issuer.as_str()) == iss)
            {
                notes.push(format!(
                    "token iss is {} (unverified): routed to providers[{i}]",
                    claim("iss")
                ));
            }
            route
        }
        // The errors of routing itself (a config with [[providers]]).
        Err(e) => {
            match e.kind() {
                ErrorKind::InvalidIssuer => notes.push(format!(
                    "token iss is {}; no [[providers]] entry has it; their issuers: {}",
                    claim("iss"),
                    list(&loaded.provider_issuers)
                )),
                ErrorKind::MissingClaim(_) => notes.push(
                    "with [[providers]], a token is routed by its iss, and this one has none"
                        .to_owned(),
                ),
                _ => {}
            }
            return notes;
        }
    };
    let rules = verifier.validation();
    let leeway = rules.leeway_secs;
    let now_text = format!("now is {}", time::rfc3339(now));
    match error.kind() {
        ErrorKind::Expired => {
            if let Some(exp) = date("exp") {
                notes.push(format!(
                    "exp is {}; {now_text}; leeway {leeway}s",
                    time::describe(exp, now)
                ));
            }
            if let (Some(max_age), Some(iat)) = (rules.max_age_secs, date("iat")) {
                notes.push(format!(
                    "iat is {}; max_age_secs is {max_age}; leeway {leeway}s",
                    time::describe(iat, now)
                ));
            }
        }
        ErrorKind::Immature => {
            for name in ["nbf", "iat"] {
                if let Some(at) = date(name) {
                    notes.push(format!("{name} is {}", time::describe(at, now)));
                }
            }
            notes.push(format!("{now_text}; leeway {leeway}s"));
        }
        ErrorKind::InvalidIssuer => notes.push(format!(
            "token iss is {}; accepted issuers: {}",
            claim("iss"),
            list(&rules.issuers)
        )),
        ErrorKind::InvalidAudience => notes.push(format!(
            "token aud is {}; accepted audiences: {}",
            claim("aud"),
            list(&rules.audiences)
        )),
        ErrorKind::InvalidSubject => notes.push(format!(
            "token sub is {}; required subject: {}",
            claim("sub"),
            list(rules.subject.as_slice())
        )),
        ErrorKind::InvalidType => notes.push(format!(
            "token typ is {}; required typ: {}",
            header("typ"),
            list(rules.typ.as_slice())
        )),
        ErrorKind::InvalidAlgorithm => {
            let allowed: Vec<String> = rules.algorithms.iter().map(|a| a.to_string()).collect();
            notes.push(format!(
                "token alg is {} (unverified); allowed algorithms: {}",
                header("alg"),
                allowed.join(", ")
            ));
            if let Some(kid) = decoded.header.get("kid").and_then(Value::as_str)
                && let Some(key) = verifier.keys().keys().iter().find(|k| k.kid() == Some(kid))
            {
                let algs: Vec<String> = key.algorithms().iter().map(|a| a.to_string()).collect();
                notes.push(format!(
                    "the key {} serves {}",
                    header("kid"),
                    algs.join(", ")
                ));
            }
        }
        ErrorKind::UnknownKey => {
            let kids: Vec<String> = verifier
                .keys()
                .keys()
                .iter()
                .filter_map(|k| k.kid().map(str::to_owned))
                .collect();
            notes.push(format!(
                "token kid is {} and alg is {} (unverified); configured kids: {}",
                header("kid"),
                header("alg"),
                list(&kids)
            ));
        }
        ErrorKind::InvalidSignature => notes.push(format!(
            "no configured key for kid {} and alg {} verifies the signature: the token was signed \
             with another key, or altered",
            header("kid"),
            header("alg")
        )),
        ErrorKind::MissingClaim(name)
            if loaded
                .cli_required_claims
                .iter()
                .any(|n| n == name.as_ref()) =>
        {
            notes.push(format!(
                "{name} is required by --require-claims (present and not null)"
            ));
        }
        ErrorKind::ClaimRejected(_) => {
            if let Some(failure) = error.claim_rule_failure() {
                notes.push(format!("rule {failure}"));
                if let Some(rule) = rules.claims.get(failure.index()) {
                    let found = match (&rule.name, &rule.pointer) {
                        (Some(name), _) => decoded.claims.get(name),
                        (None, Some(pointer)) => decoded.claims.pointer(pointer),
                        (None, None) => None,
                    };
                    notes.push(format!(
                        "the rule requires {}; the token's `{}` is {}",
                        describe_rule(rule),
                        failure.claim(),
                        found.map_or("absent".to_owned(), Value::to_string)
                    ));
                }
            }
        }
        ErrorKind::KeyUnavailable => notes.push(
            "jwt-guard verify fetches no remote key set (jwks_url, oidc_issuer): it checks \
             with fixed keys only"
                .to_owned(),
        ),
        _ => {}
    }
    notes
}

/// A claim rule's condition in words, its values as JSON: `one_of ["web-app","cli"]`.
fn describe_rule(rule: &jwt_guard_core::ClaimRule) -> String {
    let list = |values: &[Value]| Value::Array(values.to_vec()).to_string();
    if let Some(v) = &rule.equals {
        format!("equals {v}")
    } else if let Some(all) = &rule.one_of {
        format!("one_of {}", list(all))
    } else if let Some(v) = &rule.contains {
        format!("contains {v}")
    } else if let Some(all) = &rule.contains_any {
        format!("contains_any {}", list(all))
    } else if let Some(all) = &rule.contains_all {
        format!("contains_all {}", list(all))
    } else if let Some(present) = rule.present {
        format!("present = {present}")
    } else {
        "(no condition)".to_owned()
    }
}

/// A NumericDate as the verifier reads it (integers, or floats truncated toward the past).
pub(crate) fn numeric_date(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e17)
            // In range: the filter above keeps it far below i64::MAX.
            .map(|f| f.floor() as i64)
    })
}
