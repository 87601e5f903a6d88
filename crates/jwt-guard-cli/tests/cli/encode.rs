//! `jwt-guard encode`: key sources, claims sources, time claims, header, and errors (exit 2).

use jwt_guard_core::{Algorithm, Key, Signer, Verifier};
use serde_json::json;

use crate::support::{NOW, SECRET, fixture, hs256_token, jwt_guard, temp_dir};

/// `SECRET` in base64 (standard alphabet).
const SECRET_B64: &str = "YW4gZXhhbXBsZSBzZWNyZXQgb2YgMzIgYnl0ZXMuLiE=";

fn secret_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("secret.bin");
    std::fs::write(&path, SECRET).unwrap();
    path
}

fn expected_with_times() -> String {
    // What the core signer makes of the same claims: encode adds nothing else.
    hs256_token(json!({"sub": "ada", "iat": NOW, "nbf": NOW - 60, "exp": NOW + 5400}))
}

#[test]
fn hs256_with_a_raw_secret_file_matches_the_core_signer() {
    let dir = temp_dir();
    let run = jwt_guard([
        "encode",
        "--alg",
        "HS256",
        "--kid",
        "k1",
        "--now",
        "1700000000",
    ])
    .args(["--iat", "--nbf", "-1m", "--exp", "1h30m", "--key"])
    .command_arg(secret_file(&dir))
    .command_arg(r#"{"sub":"ada","exp":1}"#)
    .run();
    assert_eq!(run.ok(), format!("{}\n", expected_with_times()));
    assert_eq!(run.stderr, "");
}

#[test]
fn secret_base64_and_secret_env_give_the_same_token() {
    let common = [
        "encode",
        "--alg",
        "HS256",
        "--kid",
        "k1",
        "--now",
        "1700000000",
        "--iat",
        "--nbf",
        "-60",
        "--exp",
        "90m",
    ];
    let run = jwt_guard(common)
        .args(["--secret-base64", SECRET_B64, r#"{"sub":"ada"}"#])
        .run();
    assert_eq!(run.ok(), format!("{}\n", expected_with_times()));
    let run = jwt_guard(common)
        .args(["--secret-env", "JWT_GUARD_TEST_SECRET", r#"{"sub":"ada"}"#])
        .env(
            "JWT_GUARD_TEST_SECRET",
            std::str::from_utf8(SECRET).unwrap(),
        )
        .run();
    assert_eq!(run.ok(), format!("{}\n", expected_with_times()));
}

#[test]
fn claims_come_from_the_argument_or_stdin() {
    let dir = temp_dir();
    let key = secret_file(&dir);
    let expected = format!("{}\n", hs256_token(json!({"sub": "stdin", "n": [1, 2]})));
    for (args, input) in [
        (vec![], Some(r#"{"sub":"stdin","n":[1,2]}"#)),
        (vec!["-"], Some("\n{\"n\": [1, 2],\n \"sub\": \"stdin\"}\n")),
        (vec![r#"{"sub":"stdin","n":[1,2]}"#], None),
    ] {
        let mut cmd = jwt_guard(["encode", "--alg", "HS256", "--kid", "k1", "--key"])
            .command_arg(&key)
            .args(args);
        if let Some(input) = input {
            cmd = cmd.stdin(input);
        }
        assert_eq!(cmd.run().ok(), expected);
    }
    // Nothing on stdin: empty claims.
    let run = jwt_guard(["encode", "--alg", "HS256", "--kid", "k1", "--key"])
        .command_arg(&key)
        .run();
    assert_eq!(run.ok(), format!("{}\n", hs256_token(json!({}))));
}

#[test]
fn typ_can_be_changed_or_left_out() {
    let header = |typ: &str| {
        let token = jwt_guard(["encode", "--alg", "HS256", "--secret-base64", SECRET_B64])
            .args(["--typ", typ, "{}"])
            .run()
            .ok()
            .trim()
            .to_owned();
        let run = jwt_guard(["decode", &token]).run();
        let value: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
        value["header"].clone()
    };
    assert_eq!(header("at+jwt"), json!({"alg": "HS256", "typ": "at+jwt"}));
    assert_eq!(header(""), json!({"alg": "HS256"}));
}

#[test]
fn jwk_and_jwk_set_files() {
    // A private EC JWK made by PyJWT/cryptography (tests/fixtures), kid taken from it.
    let token = jwt_guard(["encode", "--alg", "ES256", "--key"])
        .command_arg(fixture("ec-p256.private.jwk.json"))
        .command_arg(r#"{"sub":"jwk","exp":4102444800}"#)
        .run()
        .ok()
        .trim()
        .to_owned();
    let public = Key::from_pem(std::fs::read(fixture("ec-p256.pub.pem")).unwrap())
        .unwrap()
        .with_kid("fixture-p256");
    let verifier = Verifier::builder()
        .algorithms([Algorithm::ES256])
        .key(public)
        .build()
        .unwrap();
    let data = verifier.verify::<serde_json::Value>(&token).unwrap();
    assert_eq!(data.header.kid.as_deref(), Some("fixture-p256"));
    assert_eq!(data.claims, json!({"sub": "jwk", "exp": 4_102_444_800u64}));

    // A single `oct` JWK, and a JWK Set from which --kid picks the key.
    let dir = temp_dir();
    let oct = dir.path().join("oct.jwk.json");
    std::fs::write(
        &oct,
        json!({"kty": "oct", "kid": "k1", "k": "YW4gZXhhbXBsZSBzZWNyZXQgb2YgMzIgYnl0ZXMuLiE"})
            .to_string(),
    )
    .unwrap();
    let run = jwt_guard(["encode", "--alg", "HS256", "--key"])
        .command_arg(&oct)
        .command_arg(r#"{"sub":"ada"}"#)
        .run();
    assert_eq!(
        run.ok(),
        format!("{}\n", hs256_token(json!({"sub": "ada"})))
    );

    let set = dir.path().join("set.jwks.json");
    let other =
        json!({"kty": "oct", "kid": "k0", "k": "b3RoZXIgc2VjcmV0LCBhbHNvIDMyIGJ5dGVzIGxvbmch"});
    let ours =
        json!({"kty": "oct", "kid": "k1", "k": "YW4gZXhhbXBsZSBzZWNyZXQgb2YgMzIgYnl0ZXMuLiE"});
    std::fs::write(&set, json!({"keys": [other, ours]}).to_string()).unwrap();
    let run = jwt_guard(["encode", "--alg", "HS256", "--kid", "k1", "--key"])
        .command_arg(&set)
        .command_arg(r#"{"sub":"ada"}"#)
        .run();
    assert_eq!(
        run.ok(),
        format!("{}\n", hs256_token(json!({"sub": "ada"})))
    );
    let run = jwt_guard(["encode", "--alg", "HS256", "--key"])
        .command_arg(&set)
        .run();
    assert_eq!(
        run.fails(2),
        format!(
            "error: key {}: the JWK Set holds 2 private keys for HS256; choose one with --kid\n",
            set.display()
        )
    );
}

#[test]
fn ed25519_pem_tokens_are_deterministic() {
    let dir = temp_dir();
    let prefix = dir.path().join("ed");
    jwt_guard(["keygen", "--alg", "EdDSA", "--out"])
        .command_arg(&prefix)
        .run()
        .ok();
    let pem = dir.path().join("ed.key.pem");
    let expected = Signer::new(
        Key::from_pem(std::fs::read(&pem).unwrap()).unwrap(),
        Algorithm::EdDSA,
    )
    .unwrap()
    .with_kid("ed")
    .encode(&json!({"sub": "ada"}))
    .unwrap();
    let run = jwt_guard(["encode", "--alg", "EdDSA", "--kid", "ed", "--key"])
        .command_arg(&pem)
        .command_arg(r#"{"sub":"ada"}"#)
        .run();
    assert_eq!(run.ok(), format!("{expected}\n"));
}

#[test]
fn problems_exit_2_with_a_message() {
    let dir = temp_dir();
    let secret = secret_file(&dir);
    let short = dir.path().join("short.bin");
    std::fs::write(&short, b"too short").unwrap();
    let missing = dir.path().join("missing.pem");
    let public_pem = fixture("ec-p256.pub.pem");
    let ec_jwk = fixture("ec-p256.private.jwk.json");

    let cases: Vec<(Vec<String>, Option<&str>, String)> = vec![
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--key".into(),
                missing.display().to_string(),
            ],
            None,
            format!("error: cannot read key {}: ", missing.display()),
        ),
        (
            vec![
                "--alg".into(),
                "ES256".into(),
                "--key".into(),
                public_pem.display().to_string(),
            ],
            None,
            format!(
                "error: key {}: signing failed: a public key cannot sign",
                public_pem.display()
            ),
        ),
        (
            vec![
                "--alg".into(),
                "ES384".into(),
                "--key".into(),
                ec_jwk.display().to_string(),
            ],
            None,
            format!(
                "error: key {}: invalid key: this key cannot be used with ES384",
                ec_jwk.display()
            ),
        ),
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--key".into(),
                short.display().to_string(),
            ],
            None,
            format!(
                "error: key {}: weak key: an HMAC secret of 9 bytes",
                short.display()
            ),
        ),
        (
            vec![
                "--alg".into(),
                "HS512".into(),
                "--key".into(),
                secret.display().to_string(),
            ],
            None,
            format!(
                "error: key {}: invalid key: this key cannot be used with HS512",
                secret.display()
            ),
        ),
        (
            vec![
                "--alg".into(),
                "ES256".into(),
                "--key".into(),
                secret.display().to_string(),
            ],
            None,
            format!(
                "error: key {}: not a PEM, JWK or JWK Set file (raw secret bytes are for HS256, HS384 and HS512 only)",
                secret.display()
            ),
        ),
        (
            vec![
                "--alg".into(),
                "ES256".into(),
                "--secret-base64".into(),
                SECRET_B64.into(),
            ],
            None,
            "error: --secret-base64 is for HS256, HS384 and HS512 only; give --key FILE for ES256"
                .into(),
        ),
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--secret-env".into(),
                "JWT_GUARD_TEST_SECRET".into(),
            ],
            None,
            "error: --secret-env: environment variable JWT_GUARD_TEST_SECRET is not set".into(),
        ),
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--secret-base64".into(),
                "not base64!".into(),
            ],
            None,
            "error: --secret-base64: invalid key: the HMAC secret is not valid base64".into(),
        ),
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--key".into(),
                secret.display().to_string(),
                "[1,2]".into(),
            ],
            None,
            "error: the claims must be a JSON object".into(),
        ),
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--key".into(),
                secret.display().to_string(),
            ],
            Some("{\"sub\":"),
            "error: the claims are not valid JSON: ".into(),
        ),
        (
            vec![
                "--alg".into(),
                "HS256".into(),
                "--key".into(),
                secret.display().to_string(),
                "--now".into(),
                "0".into(),
                "--exp".into(),
                "-1s".into(),
                "{}".into(),
            ],
            None,
            "error: --exp puts the time outside 1970..9999 (now is 0)".into(),
        ),
    ];
    for (args, stdin, prefix) in cases {
        let mut cmd = jwt_guard(["encode"]).args(&args);
        if let Some(input) = stdin {
            cmd = cmd.stdin(input);
        }
        let run = cmd.run();
        let stderr = run.fails(2);
        assert!(
            stderr.starts_with(&prefix),
            "{args:?}: want {prefix:?}, got {stderr:?}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for (args, needle) in [
        (vec!["encode", "--alg", "HS256", "{}"], "--key <FILE>"),
        (
            vec!["encode", "--alg", "none", "--secret-base64", SECRET_B64],
            "unknown algorithm `none`",
        ),
        (
            vec![
                "encode",
                "--alg",
                "HS256",
                "--secret-base64",
                SECRET_B64,
                "--exp",
                "10x",
            ],
            "invalid duration `10x`",
        ),
        (
            vec![
                "encode",
                "--alg",
                "HS256",
                "--secret-base64",
                SECRET_B64,
                "--secret-env",
                "X",
            ],
            "cannot be used with",
        ),
    ] {
        let run = jwt_guard(&args).run();
        let stderr = run.fails(2);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
