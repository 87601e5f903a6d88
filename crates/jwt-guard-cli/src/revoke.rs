//! `jwt-guard revoke` and `jwt-guard revocations`: an operator's writes to, and view of, the
//! shared revocation store a server's config names (`[revocation] redis_url`).
//!
//! - `revoke --config FILE TOKEN`: verifies the token with the server's rules (exit 1 if it
//!   does not verify, unless `--unverified`), then revokes its `jti` until its `exp` plus the
//!   config's leeway. A token without `jti` is refused with a clear error (revoke its subject).
//! - `revoke --config FILE --subject SUB [--before TIME]`: every token of `SUB` issued before
//!   `TIME` (default: now); `--clear` removes the subject's cutoff.
//! - `revocations --config FILE`: every live entry, one line each, then the counts.
//!
//! Full tokens are never printed, nor the store's URL.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use jwt_guard_core::revocation::{Revocation, RevocationClaims, RevocationStore, revoke_token};
use jwt_guard_core::{ErrorKind, dangerous};
use serde_json::Value;

use crate::failure::Failure;
use crate::io;
use crate::time;
use crate::verify::load_verifier;

/// Arguments of `jwt-guard revoke`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The server's configuration (TOML, or JSON by extension): its rules verify the token, its
    /// `[revocation]` table names the shared store (`redis_url`).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// Revoke the token without verifying it (a token from a log, signed by a key since
    /// rotated away): its `jti` and `exp` are read as they are.
    #[arg(long, conflicts_with = "subject")]
    unverified: bool,
    /// Revoke every token of this subject (`sub`) issued before `--before`, instead of one
    /// token.
    #[arg(long, value_name = "SUB", conflicts_with = "token")]
    subject: Option<String>,
    /// With `--subject`: the cutoff, as seconds since the Unix epoch, `now` (the default), or
    /// a duration relative to now (`-1h`, `+10m`). Tokens with `iat` before it are revoked.
    #[arg(
        long,
        value_name = "TIME",
        requires = "subject",
        allow_hyphen_values = true
    )]
    before: Option<String>,
    /// With `--subject`: remove the subject's cutoff instead of setting one.
    #[arg(long, requires = "subject", conflicts_with = "before")]
    clear: bool,
    /// The token to revoke (a leading `Bearer ` is accepted); absent or `-`: read from
    /// standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

/// Arguments of `jwt-guard revocations`.
#[derive(clap::Args)]
pub(crate) struct ListArgs {
    /// The server's configuration; its `[revocation]` table names the shared store.
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let loaded = load_verifier(&args.config, None, &[])?;
    let store = shared_store(loaded.revocation.as_ref())?;
    let now = time::now_or_system(None);
    if let Some(subject) = &args.subject {
        if args.clear {
            let removed = block_on(store.clear_subject(subject)).map_err(store_failure)?;
            let line = if removed {
                format!("cleared the cutoff of subject {}", quoted(subject))
            } else {
                format!("subject {} had no cutoff", quoted(subject))
            };
            return io::print_line(&line);
        }
        let cutoff = match args.before.as_deref() {
            None => now,
            Some(text) => parse_time(text, now).map_err(Failure::setup)?,
        };
        block_on(store.revoke_subject_before(subject, cutoff)).map_err(store_failure)?;
        return io::print_line(&format!(
            "revoked every token of subject {} issued before {} ({cutoff})",
            quoted(subject),
            time::rfc3339(cutoff)
        ));
    }
    let token = io::token_argument(args.token)?;
    let leeway = loaded.verifier.validation().leeway_secs;
    let (jti, until, how) = if args.unverified {
        let decoded = dangerous::decode_unverified::<Value>(&token)
            .map_err(|e| Failure::from_core(e, Vec::new()))?;
        let jti = decoded
            .claims
            .get("jti")
            .and_then(Value::as_str)
            .ok_or_else(no_jti)?
            .to_owned();
        let until = match decoded.claims.get("exp").and_then(Value::as_f64) {
            Some(exp) => (exp.ceil() as i64).saturating_add(leeway_i64(leeway)),
            None => i64::MAX,
        };
        block_on(store.revoke_jti(&jti, until)).map_err(store_failure)?;
        (jti, until, " (not verified: --unverified)")
    } else {
        let verified = loaded.verifier.verify_token(&token).map_err(|e| {
            Failure::from_core(
                e,
                vec![
                    "a token that does not verify is not revoked; --unverified revokes it as it is"
                        .to_owned(),
                ],
            )
        })?;
        let claims = RevocationClaims::from_token(&verified)
            .map_err(|e| Failure::from_core(e, Vec::new()))?;
        let jti = claims.jti.as_deref().ok_or_else(no_jti)?.to_owned();
        let until = claims
            .exp
            .map_or(i64::MAX, |exp| exp.saturating_add(leeway_i64(leeway)));
        block_on(revoke_token(store.as_ref(), &verified, leeway)).map_err(store_failure)?;
        (jti, until, "")
    };
    io::print_line(&format!(
        "revoked jti {} until {}{how}",
        quoted(&jti),
        until_text(until)
    ))
}

pub(crate) fn list(args: ListArgs) -> Result<(), Failure> {
    let loaded = load_verifier(&args.config, None, &[])?;
    let store = shared_store(loaded.revocation.as_ref())?;
    let mut entries = block_on(store.list()).map_err(store_failure)?;
    entries.sort_by_key(|e| match e {
        Revocation::Jti { until, .. } => (0, *until),
        Revocation::Sid { until, .. } => (1, *until),
        Revocation::Subject { cutoff, .. } => (2, *cutoff),
        Revocation::Used { until, .. } => (3, *until),
        _ => (4, 0),
    });
    let (mut jti, mut sid, mut subjects, mut used) = (0, 0, 0, 0);
    for entry in &entries {
        let line = match entry {
            Revocation::Jti { jti: id, until } => {
                jti += 1;
                format!("jti {} until {}", quoted(id), until_text(*until))
            }
            Revocation::Sid { sid: id, until } => {
                sid += 1;
                format!("sid {} until {}", quoted(id), until_text(*until))
            }
            Revocation::Subject { sub, cutoff } => {
                subjects += 1;
                format!(
                    "subject {} issued before {} ({cutoff})",
                    quoted(sub),
                    time::rfc3339(*cutoff)
                )
            }
            Revocation::Used { jti: id, until } => {
                used += 1;
                format!("used {} until {}", quoted(id), until_text(*until))
            }
            _ => continue,
        };
        io::print_line(&line)?;
    }
    io::print_line(&format!(
        "{} entries: {jti} jti, {sid} sid, {subjects} subject cutoffs, {used} used refresh tokens",
        entries.len()
    ))
}

/// The store of the `[revocation]` table, which must be a shared one.
fn shared_store(
    table: Option<&jwt_guard_core::RevocationConfig>,
) -> Result<Arc<dyn RevocationStore>, Failure> {
    let Some(table) = table else {
        return Err(Failure::setup(
            "the config has no [revocation] table: nothing to revoke into",
        ));
    };
    if table.redis_url.is_none() {
        return Err(Failure::setup(
            "the config's [revocation] store is in each server's memory (memory = true): only a \
             shared store (redis_url) can be written from here",
        ));
    }
    table
        .store()
        .map_err(|e| Failure::setup(format!("[revocation]: {e}")))
}

fn no_jti() -> Failure {
    Failure::setup(
        "the token has no jti, so it cannot be revoked alone: revoke its subject (--subject SUB) \
         instead",
    )
}

fn store_failure(error: jwt_guard_core::Error) -> Failure {
    match error.kind() {
        ErrorKind::Revocation(_) => Failure::setup(format!("revocation store: {error}")),
        _ => Failure::setup(error),
    }
}

fn leeway_i64(leeway: u64) -> i64 {
    i64::try_from(leeway).unwrap_or(i64::MAX)
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn until_text(until: i64) -> String {
    if until == i64::MAX {
        "it is cleared (the token has no exp)".to_owned()
    } else {
        format!("{} ({until})", time::rfc3339(until))
    }
}

/// `--before`: seconds since the epoch, `now`, or a signed duration from now.
fn parse_time(text: &str, now: i64) -> Result<i64, String> {
    if text == "now" {
        return Ok(now);
    }
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(secs);
    }
    let offset = time::parse_duration(text).map_err(|_| {
        format!(
            "--before: `{text}` is neither seconds since the epoch, `now`, nor a duration from now \
             (-1h, +10m)"
        )
    })?;
    now.checked_add(offset)
        .ok_or_else(|| format!("--before: `{text}` is out of range"))
}

/// Runs a store future to completion on this thread (the store's own thread does the I/O).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_times() {
        assert_eq!(parse_time("now", 100), Ok(100));
        assert_eq!(parse_time("1700000000", 100), Ok(1_700_000_000));
        assert_eq!(parse_time("-1h", 10_000), Ok(6_400));
        assert_eq!(parse_time("+10m", 0), Ok(600));
        assert!(parse_time("yesterday", 0).unwrap_err().contains("--before"));
    }
}
