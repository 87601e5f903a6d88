//! `jwt-guard revoke` and `jwt-guard revocations` against a real `redis-server` (one per test),
//! checked through a `RedisStore` of the test's own, as a server would see it.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use jwt_guard_core::ErrorKind;
use jwt_guard_core::revocation::{RedisOptions, RedisStore, RevocationClaims, RevocationStore};
use jwt_guard_test_support::redis_server::RedisServer;
use jwt_guard_test_support::{REDIS_SERVER, Suite};
use serde_json::json;

use crate::support::{ISSUER, SECRET, hs256_token, jwt_guard, signed, temp_dir};

const SUITE: Suite = Suite {
    name: "Redis revocation CLI (jwt-guard-cli)",
    needs: REDIS_SERVER,
};

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// A server config with the test secret and `[revocation]` as given.
fn config(dir: &tempfile::TempDir, revocation: &str) -> PathBuf {
    let path = dir.path().join("server.toml");
    std::fs::write(
        &path,
        format!(
            "algorithms = [\"HS256\"]\nissuers = [\"{ISSUER}\"]\naudiences = [\"api\"]\n\
             leeway_secs = 30\n\n[[keys]]\nkid = \"k1\"\nsecret = \"{}\"\n\n{revocation}",
            std::str::from_utf8(SECRET).unwrap()
        ),
    )
    .unwrap();
    path
}

fn claims(jti: Option<&str>, exp: i64) -> serde_json::Value {
    let mut claims = json!({"sub": "ada", "iss": ISSUER, "aud": "api", "iat": now(), "exp": exp});
    if let Some(jti) = jti {
        claims["jti"] = json!(jti);
    }
    claims
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn revoke_a_verified_token_and_list_it() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let dir = temp_dir();
    let config = config(
        &dir,
        &format!("[revocation]\nredis_url = \"{}\"\n", redis.url()),
    );
    let exp = now() + 600;
    let token = hs256_token(claims(Some("t-1"), exp));

    let run = jwt_guard(["revoke", "--config"])
        .command_arg(&config)
        .command_arg(&token)
        .run();
    let until = exp + 30; // exp plus the config's leeway
    assert_eq!(
        run.ok(),
        format!(
            "revoked jti \"t-1\" until {} ({until})\n",
            rfc3339_of(until)
        )
    );
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));

    // A server's store sees it.
    let rt = runtime();
    let store = rt
        .block_on(RedisStore::connect(RedisOptions::new(redis.url())))
        .unwrap();
    let revoked = RevocationClaims::new(Some("t-1"), None, Some("ada"), Some(now()), Some(exp));
    assert_eq!(
        store.check(&revoked).map_err(|e| e.kind().clone()),
        Err(ErrorKind::Revoked)
    );

    // A subject cutoff, then the list: one line per entry, then the counts.
    let run = jwt_guard([
        "revoke",
        "--subject",
        "bob",
        "--before",
        "1700000000",
        "--config",
    ])
    .command_arg(&config)
    .run();
    assert_eq!(
        run.ok(),
        "revoked every token of subject \"bob\" issued before 2023-11-14T22:13:20Z (1700000000)\n"
    );
    let run = jwt_guard(["revocations", "--config"])
        .command_arg(&config)
        .run();
    assert_eq!(
        run.ok(),
        format!(
            "jti \"t-1\" until {} ({until})\nsubject \"bob\" issued before 2023-11-14T22:13:20Z \
             (1700000000)\n2 entries: 1 jti, 0 sid, 1 subject cutoffs, 0 used refresh tokens\n",
            rfc3339_of(until)
        )
    );
    let run = jwt_guard(["revoke", "--subject", "bob", "--clear", "--config"])
        .command_arg(&config)
        .run();
    assert_eq!(run.ok(), "cleared the cutoff of subject \"bob\"\n");
}

#[test]
fn a_token_that_does_not_verify_is_not_revoked_unless_unverified() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let dir = temp_dir();
    let config = config(
        &dir,
        &format!("[revocation]\nredis_url = \"{}\"\n", redis.url()),
    );
    let exp = now() + 600;
    let forged = signed(
        b"another secret, also 32 bytes!!!",
        jwt_guard_core::Algorithm::HS256,
        Some("k1"),
        claims(Some("stolen"), exp),
    );
    let run = jwt_guard(["revoke", "--config"])
        .command_arg(&config)
        .command_arg(&forged)
        .run();
    let stderr = run.fails(1);
    assert!(stderr.starts_with("error: invalid_signature: "), "{stderr}");
    assert!(!stderr.contains(&forged));
    let run = jwt_guard(["revocations", "--config"])
        .command_arg(&config)
        .run();
    assert_eq!(
        run.ok(),
        "0 entries: 0 jti, 0 sid, 0 subject cutoffs, 0 used refresh tokens\n"
    );

    let run = jwt_guard(["revoke", "--unverified", "--config"])
        .command_arg(&config)
        .command_arg(&forged)
        .run();
    assert_eq!(
        run.ok(),
        format!(
            "revoked jti \"stolen\" until {} ({}) (not verified: --unverified)\n",
            rfc3339_of(exp + 30),
            exp + 30
        )
    );
}

#[test]
fn refusals_with_clear_errors() {
    let Some(redis) = RedisServer::start(&SUITE) else {
        return;
    };
    let dir = temp_dir();
    let shared = config(
        &dir,
        &format!("[revocation]\nredis_url = \"{}\"\n", redis.url()),
    );
    // No jti: cannot be revoked alone.
    let run = jwt_guard(["revoke", "--config"])
        .command_arg(&shared)
        .command_arg(hs256_token(claims(None, now() + 600)))
        .run();
    assert_eq!(
        run.fails(2),
        "error: the token has no jti, so it cannot be revoked alone: revoke its subject \
         (--subject SUB) instead\n"
    );
    // A memory store is each server's own: nothing the CLI can write.
    let memory = config(&dir, "[revocation]\nmemory = true\n");
    let run = jwt_guard(["revoke", "--subject", "ada", "--config"])
        .command_arg(&memory)
        .run();
    assert!(
        run.fails(2).contains("only a shared store (redis_url)"),
        "{run:?}"
    );
    let none = config(&dir, "");
    let run = jwt_guard(["revocations", "--config"])
        .command_arg(&none)
        .run();
    assert_eq!(
        run.fails(2),
        "error: the config has no [revocation] table: nothing to revoke into\n"
    );
    // Redis unreachable: a typed error, no URL (it may hold a password), exit 2, no hang.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = config(
        &dir,
        &format!("[revocation]\nredis_url = \"redis://:hunter2@127.0.0.1:{port}/0\"\n"),
    );
    let run = jwt_guard(["revoke", "--subject", "ada", "--config"])
        .command_arg(&down)
        .run();
    let stderr = run.fails(2);
    assert!(stderr.starts_with("error: revocation store: "), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `secs`, computed here independently of the CLI (days from the
/// civil-from-days algorithm).
fn rfc3339_of(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}
