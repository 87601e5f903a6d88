//! `jwt-guard verify`: success output, every rejection (exit 1), config problems (exit 2).

use jwt_guard_core::Algorithm;
use serde_json::json;

use crate::support::{
    ISSUER, NOW, SECRET, assert_printable_ascii, fixture, hs256_config, hs256_token, jwt_guard,
    signed, temp_dir,
};

fn good_claims() -> serde_json::Value {
    json!({
        "sub": "ada",
        "iss": ISSUER,
        "aud": "api",
        "exp": NOW + 600,
        "scope": {"write": false, "read": true},
    })
}

const GOOD_LINE: &str = r#"{"aud":"api","exp":1700000600,"iss":"https://issuer.example","scope":{"read":true,"write":false},"sub":"ada"}
"#;

fn verify_at_now(token: &str) -> crate::support::Run {
    jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
        .command_arg(hs256_config())
        .command_arg(token)
        .run()
}

#[test]
fn prints_the_verified_claims_as_one_sorted_json_line() {
    let run = verify_at_now(&hs256_token(good_claims()));
    assert_eq!(run.ok(), GOOD_LINE);
    assert_eq!(run.stderr, "");
}

/// Claims nested deeper than serde_json builds values (128 levels) verify in the core, which
/// skips members it does not need without a depth limit: the token is accepted as a server would
/// accept it (exit 0, not a configuration error), its claims printed as received on one line.
#[test]
fn deeply_nested_claims_verify_and_print_as_received() {
    let mut deep = json!("bottom");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let mut claims = good_claims();
    claims["deep"] = deep;
    let run = verify_at_now(&hs256_token(claims.clone()));
    assert_eq!(
        run.ok(),
        format!("{}\n", serde_json::to_string(&claims).unwrap())
    );
    assert_eq!(
        run.stderr,
        "note: the claims nest deeper than 128 levels: printed as received, not sorted\n"
    );
}

#[test]
fn reads_the_token_from_stdin_with_or_without_dash_and_accepts_bearer() {
    let token = hs256_token(good_claims());
    for (args, input) in [
        (vec![], format!("{token}\n")),
        (vec!["-"], format!("Bearer {token}\n")),
        (vec![], format!("  bearer {token}  ")),
    ] {
        let run = jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
            .command_arg(hs256_config())
            .args(args)
            .stdin(input)
            .run();
        assert_eq!(run.ok(), GOOD_LINE);
    }
    // A Bearer value as an argument, as copied from an Authorization header.
    let run = verify_at_now(&format!("Bearer {token}"));
    assert_eq!(run.ok(), GOOD_LINE);
}

#[test]
fn json_config_is_chosen_by_extension() {
    let run = jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
        .command_arg(fixture("hs256.json"))
        .command_arg(hs256_token(good_claims()))
        .run();
    assert_eq!(run.ok(), GOOD_LINE);
}

#[test]
fn every_rejection_exits_1_with_code_and_message() {
    let with = |changes: serde_json::Value| {
        let mut claims = good_claims();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    };
    let cases: Vec<(String, &str, Option<&str>)> = vec![
        (
            hs256_token(with(json!({"exp": NOW - 3600}))),
            "error: expired: token expired",
            Some(
                "note: exp is 2023-11-14T21:13:20Z (1h ago); now is 2023-11-14T22:13:20Z; leeway 60s",
            ),
        ),
        (
            hs256_token(with(json!({"nbf": NOW + 3600}))),
            "error: immature: token not valid yet",
            Some("note: nbf is 2023-11-14T23:13:20Z (in 1h)"),
        ),
        (
            hs256_token(with(json!({"iss": "https://evil.example"}))),
            "error: invalid_issuer: invalid issuer",
            Some(
                r#"note: token iss is "https://evil.example"; accepted issuers: "https://issuer.example""#,
            ),
        ),
        (
            hs256_token(with(json!({"aud": ["web", "mobile"]}))),
            "error: invalid_audience: invalid audience",
            Some(r#"note: token aud is ["web","mobile"]; accepted audiences: "api""#),
        ),
        (
            hs256_token(with(json!({"exp": null}))),
            "error: missing_claim: missing required claim `exp`",
            None,
        ),
        (
            signed(
                b"another secret, also 32 bytes..!",
                Algorithm::HS256,
                Some("k1"),
                good_claims(),
            ),
            "error: invalid_signature: invalid signature",
            Some(
                r#"note: no configured key for kid "k1" and alg "HS256" verifies the signature: the token was signed with another key, or altered"#,
            ),
        ),
        (
            signed(SECRET, Algorithm::HS256, Some("k2"), good_claims()),
            "error: unknown_key: no key matches the token's kid or alg",
            Some(
                r#"note: token kid is "k2" and alg is "HS256" (unverified); configured kids: "k1""#,
            ),
        ),
        (
            signed(SECRET, Algorithm::HS384, Some("k1"), good_claims()),
            "error: invalid_algorithm: algorithm not allowed",
            Some(r#"note: token alg is "HS384" (unverified); allowed algorithms: HS256"#),
        ),
        (
            "not-a-token".to_owned(),
            "error: malformed: malformed token: ",
            None,
        ),
    ];
    for (token, first_line, note) in cases {
        let run = verify_at_now(&token);
        let stderr = run.fails(1);
        assert!(
            run.first_error_line().starts_with(first_line),
            "want {first_line:?}, got {stderr:?}"
        );
        if first_line.ends_with(": ") {
            // The malformed reason is fixed text from the core; only the prefix is stable.
        } else {
            assert_eq!(run.first_error_line(), first_line);
        }
        match note {
            Some(note) => assert!(
                stderr.lines().any(|l| l == note),
                "want note {note:?} in {stderr:?}"
            ),
            None => assert!(
                stderr.lines().skip(1).all(|l| l.starts_with("note: ")),
                "{stderr:?}"
            ),
        }
        assert!(!stderr.contains(&token) || token == "not-a-token");
    }
}

#[test]
fn now_reproduces_a_past_acceptance_or_rejection() {
    let token = hs256_token(good_claims()); // exp = NOW + 600
    let at = |now: i64| {
        jwt_guard(["verify", "--now", &now.to_string(), "--config"])
            .command_arg(hs256_config())
            .command_arg(&token)
            .run()
    };
    assert_eq!(at(NOW).ok(), GOOD_LINE);
    // Within the 60 s leeway, then past it.
    assert_eq!(at(NOW + 600 + 59).ok(), GOOD_LINE);
    let run = at(NOW + 600 + 60);
    run.fails(1);
    assert_eq!(run.first_error_line(), "error: expired: token expired");
    // Without --now the system clock is used: this token expired in 2023.
    let run = jwt_guard(["verify", "--config"])
        .command_arg(hs256_config())
        .command_arg(&token)
        .run();
    run.fails(1);
    assert_eq!(run.first_error_line(), "error: expired: token expired");
}

#[test]
fn config_and_input_problems_exit_2_naming_the_path_or_field() {
    let dir = temp_dir();
    let token = hs256_token(good_claims());
    let verify_with = |config: &std::path::Path| {
        jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
            .command_arg(config)
            .command_arg(&token)
            .run()
    };

    let missing = dir.path().join("missing.toml");
    let run = verify_with(&missing);
    let stderr = run.fails(2);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot read config {}: ",
            missing.display()
        )),
        "{stderr}"
    );

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "algoritms = [\"HS256\"]\n").unwrap();
    let stderr = verify_with(&typo).fails(2).to_owned();
    assert!(
        stderr.starts_with(&format!("error: config {}: ", typo.display())),
        "{stderr}"
    );
    assert!(stderr.contains("unknown field `algoritms`"), "{stderr}");

    let none = dir.path().join("none.json");
    std::fs::write(&none, r#"{"algorithms": ["none"], "keys": []}"#).unwrap();
    let stderr = verify_with(&none).fails(2).to_owned();
    assert!(stderr.contains("`none` can never be allowed"), "{stderr}");

    let no_pem = dir.path().join("no-pem.toml");
    std::fs::write(
        &no_pem,
        "algorithms = [\"ES256\"]\n[[keys]]\npem_file = \"keys/missing.pem\"\n",
    )
    .unwrap();
    let stderr = verify_with(&no_pem).fails(2).to_owned();
    assert!(stderr.contains("`keys[0].pem_file`"), "{stderr}");
    let resolved = dir.path().join("keys/missing.pem");
    assert!(
        stderr.contains(&resolved.display().to_string()),
        "the path is resolved against the config's directory: {stderr}"
    );

    let no_keys = dir.path().join("no-keys.toml");
    std::fs::write(&no_keys, "algorithms = [\"HS256\"]\n").unwrap();
    let stderr = verify_with(&no_keys).fails(2).to_owned();
    assert!(stderr.contains("`keys`"), "{stderr}");

    // No token at all.
    let run = jwt_guard(["verify", "--config"])
        .command_arg(hs256_config())
        .stdin("\n")
        .run();
    assert_eq!(
        run.fails(2),
        "error: no token given (pass it as an argument, or on standard input with `-`)\n"
    );

    // Missing --config: a usage error from clap.
    let run = jwt_guard(["verify", "x.y.z"]).run();
    assert!(run.fails(2).contains("--config <FILE>"), "{run:?}");
}

#[test]
fn config_text_errors_name_line_column_and_field_never_the_secret() {
    // Security review, issue 10: a broken config printed its source line, secret included.
    let dir = temp_dir();
    let token = hs256_token(good_claims());
    let secret = "Qm7vT2xLk9Pw4RzBn8Jd3FyHc6Gs1Ua5";
    let head = "algorithms = [\"HS256\"]\n[[keys]]\n";
    let cases = [
        (
            "misspelled.toml",
            format!("{head}secrte = \"{secret}\"\n"),
            "invalid configuration at `keys[0]` (line 3, column 1): unknown field `secrte`, did \
             you mean `secret`?",
        ),
        (
            "unterminated.toml",
            format!("{head}secret = \"{secret}\nkid = \"k1\"\n"),
            "TOML syntax error at line 3, column 43",
        ),
        (
            "inline.toml",
            format!("algorithms = [\"HS256\"]\nkeys = [{{ kid = \"k1\", secret = \"{secret}\" ]\n"),
            "TOML syntax error at line 2, column 67",
        ),
        (
            "pasted.toml",
            format!("{head}secret = \"x\"\nalg = \"{secret}\"\n"),
            "invalid configuration at `keys[0].alg` (line 4, column 7): unknown value, expected \
             one of `HS256`, `HS384`, `HS512`, `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, \
             `PS512`, `ES256`, `ES384`, `ES512`, `EdDSA`",
        ),
        (
            "wrong-type.json",
            format!(
                "{{\n  \"algorithms\": [\"HS256\"],\n  \"keys\": [{{\"secret\": [\"{secret}\"]}}]\n}}\n"
            ),
            "invalid configuration at `keys[0].secret` (line 3, column 22): expected a string, \
             found a sequence",
        ),
        (
            "secret-env.toml",
            format!("{head}secret_env = \"{secret}\"\n"),
            "invalid configuration at `keys[0].secret_env`: the environment variable it names is \
             not set (the name is not shown: it is not in upper case, and may be a secret written \
             into the wrong field)",
        ),
    ];
    for (name, text, message) in cases {
        let config = dir.path().join(name);
        std::fs::write(&config, &text).unwrap();
        let run = jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
            .command_arg(&config)
            .command_arg(&token)
            .run();
        let stderr = run.fails(2);
        assert!(!stderr.contains(&secret[..8]), "{stderr}");
        assert_eq!(
            stderr,
            format!("error: config {}: {message}\n", config.display()),
            "{text}"
        );
    }
}

#[test]
fn relative_key_paths_resolve_against_the_config_directory() {
    let dir = temp_dir();
    let sub = dir.path().join("server");
    std::fs::create_dir(&sub).unwrap();
    jwt_guard(["keygen", "--alg", "ES256", "--kid", "ec1", "--out"])
        .command_arg(sub.join("ec"))
        .run()
        .ok();
    std::fs::write(
        sub.join("verifier.toml"),
        "algorithms = [\"ES256\"]\n\
         skip_audience_check = true\n\
         [[keys]]\nkid = \"ec1\"\npem_file = \"ec.key.pem\"\n",
    )
    .unwrap();
    let token = jwt_guard([
        "encode", "--alg", "ES256", "--kid", "ec1", "--exp", "5m", "--key",
    ])
    .command_arg(sub.join("ec.key.pem"))
    .command_arg(r#"{"sub":"relative"}"#)
    .run()
    .ok()
    .trim()
    .to_owned();
    // From the parent directory, with a relative config path, and from elsewhere.
    for (cwd, config) in [
        (
            dir.path().to_path_buf(),
            std::path::PathBuf::from("server/verifier.toml"),
        ),
        (std::env::temp_dir(), sub.join("verifier.toml")),
    ] {
        let run = jwt_guard(["verify", "--config"])
            .command_arg(&config)
            .command_arg(&token)
            .current_dir(&cwd)
            .run();
        let claims: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
        assert_eq!(claims["sub"], "relative");
    }
}

#[test]
fn characters_that_do_not_print_are_escaped_in_the_verified_claims() {
    let mut claims = good_claims();
    claims["n\u{85}me\u{200b}"] = json!("v\u{9b}2J\u{1b}[0m\u{202e}\u{e0041}\nx");
    let run = verify_at_now(&hs256_token(claims.clone()));
    assert_eq!(
        run.ok(),
        concat!(
            r#"{"aud":"api","exp":1700000600,"iss":"https://issuer.example","#,
            r#""n\u0085me\u200b":"v\u009b2J\u001b[0m\u202e\udb40\udc41\nx","#,
            r#""scope":{"read":true,"write":false},"sub":"ada"}"#,
            "\n"
        )
    );
    assert_printable_ascii(&run.stdout);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap(),
        claims
    );
}

#[test]
fn characters_that_do_not_print_are_escaped_in_the_notes() {
    let with = |name: &str, value: serde_json::Value| {
        let mut claims = good_claims();
        claims[name] = value;
        claims
    };
    let cases = [
        (
            signed(
                SECRET,
                Algorithm::HS256,
                Some("k1\u{85}\u{202e}"),
                good_claims(),
            ),
            "error: unknown_key: no key matches the token's kid or alg\n\
             note: token kid is \"k1\\u0085\\u202e\" and alg is \"HS256\" (unverified); \
             configured kids: \"k1\"\n",
        ),
        (
            // An OSC 8 hyperlink, BEL, and a newline that would start a fake note.
            hs256_token(with(
                "iss",
                json!("https://evil.example\u{1b}]8;;\u{7}\nnote: ok"),
            )),
            "error: invalid_issuer: invalid issuer\n\
             note: token iss is \"https://evil.example\\u001b]8;;\\u0007\\nnote: ok\"; \
             accepted issuers: \"https://issuer.example\"\n",
        ),
        (
            hs256_token(with(
                "aud",
                json!(["a\u{9b}31m", "\u{2066}b\u{e0041}\u{7f}"]),
            )),
            "error: invalid_audience: invalid audience\n\
             note: token aud is [\"a\\u009b31m\",\"\\u2066b\\udb40\\udc41\\u007f\"]; \
             accepted audiences: \"api\"\n",
        ),
    ];
    for (token, stderr) in cases {
        let run = verify_at_now(&token);
        assert_eq!(run.fails(1), stderr);
        assert_printable_ascii(&run.stderr);
    }
}

/// Two issuers with fixed keys, as a server routing by `iss` has them. Both keys have kid `k1`.
const ROUTED_CONFIG: &str = r#"
[[providers]]
issuer = "https://a.example"
algorithms = ["HS256"]
audiences = ["api-a"]
keys = [{ kid = "k1", secret = "secret of provider A: 32 bytes.." }]

[[providers]]
issuer = "https://b.example"
algorithms = ["HS256"]
audiences = ["api-b"]
keys = [
    { kid = "k1", secret = "secret of provider B: 32 bytes.." },
    { kid = "b2", secret = "another secret of B, 32 bytes..." },
]
"#;
const SECRET_A: &[u8] = b"secret of provider A: 32 bytes..";
const SECRET_B: &[u8] = b"secret of provider B: 32 bytes..";
const ISSUER_A: &str = "https://a.example";
const ISSUER_B: &str = "https://b.example";

/// The routed config in a fresh directory.
struct Routed {
    dir: tempfile::TempDir,
}

impl Routed {
    fn new() -> Routed {
        let dir = temp_dir();
        std::fs::write(dir.path().join("routed.toml"), ROUTED_CONFIG).unwrap();
        Routed { dir }
    }

    fn verify_at(&self, now: i64, token: &str) -> crate::support::Run {
        jwt_guard(["verify", "--now", &now.to_string(), "--config"])
            .command_arg(self.dir.path().join("routed.toml"))
            .command_arg(token)
            .run()
    }

    /// The error code of the verifier a server builds from the same file (with the system
    /// clock: use tokens whose times do not matter).
    fn server_code(&self, token: &str) -> &'static str {
        let config = jwt_guard_core::VerifierConfig::from_toml(ROUTED_CONFIG).unwrap();
        let verifier = config.build_in(self.dir.path()).unwrap();
        verifier.verify_token(token).unwrap_err().code()
    }
}

fn claims_for(iss: &str, aud: &str) -> serde_json::Value {
    json!({"iss": iss, "aud": aud, "sub": "ada", "exp": NOW + 600})
}

#[test]
fn routed_config_verifies_each_issuer_with_its_own_provider() {
    let routed = Routed::new();
    let a = signed(
        SECRET_A,
        Algorithm::HS256,
        Some("k1"),
        claims_for(ISSUER_A, "api-a"),
    );
    assert_eq!(
        routed.verify_at(NOW, &a).ok(),
        "{\"aud\":\"api-a\",\"exp\":1700000600,\"iss\":\"https://a.example\",\"sub\":\"ada\"}\n"
    );
    let b = signed(
        SECRET_B,
        Algorithm::HS256,
        Some("k1"),
        claims_for(ISSUER_B, "api-b"),
    );
    assert_eq!(
        routed.verify_at(NOW, &b).ok(),
        "{\"aud\":\"api-b\",\"exp\":1700000600,\"iss\":\"https://b.example\",\"sub\":\"ada\"}\n"
    );
    // --now is every provider's clock: past exp and the 60 s leeway, B's token is expired.
    let run = routed.verify_at(NOW + 660, &b);
    assert_eq!(
        run.fails(1),
        "error: expired: token expired\n\
         note: token iss is \"https://b.example\" (unverified): routed to providers[1]\n\
         note: exp is 2023-11-14T22:23:20Z (1m ago); now is 2023-11-14T22:24:20Z; leeway 60s\n"
    );
}

#[test]
fn routed_config_rejects_an_unknown_or_missing_issuer_as_the_server_does() {
    let routed = Routed::new();
    let unknown = signed(
        SECRET_A,
        Algorithm::HS256,
        Some("k1"),
        claims_for("https://c.example", "api-a"),
    );
    assert_eq!(routed.server_code(&unknown), "invalid_issuer");
    assert_eq!(
        routed.verify_at(NOW, &unknown).fails(1),
        "error: invalid_issuer: invalid issuer\n\
         note: token iss is \"https://c.example\"; no [[providers]] entry has it; \
         their issuers: \"https://a.example\", \"https://b.example\"\n"
    );

    let mut claims = claims_for(ISSUER_A, "api-a");
    claims.as_object_mut().unwrap().remove("iss");
    let no_iss = signed(SECRET_A, Algorithm::HS256, Some("k1"), claims);
    assert_eq!(routed.server_code(&no_iss), "missing_claim");
    assert_eq!(
        routed.verify_at(NOW, &no_iss).fails(1),
        "error: missing_claim: missing required claim `iss`\n\
         note: with [[providers]], a token is routed by its iss, and this one has none\n"
    );
}

#[test]
fn routed_config_checks_a_token_with_the_keys_and_rules_of_its_issuer_only() {
    let routed = Routed::new();
    // A's key, B's issuer: B's key k1 does not verify it.
    let forged = signed(
        SECRET_A,
        Algorithm::HS256,
        Some("k1"),
        claims_for(ISSUER_B, "api-b"),
    );
    assert_eq!(routed.server_code(&forged), "invalid_signature");
    assert_eq!(
        routed.verify_at(NOW, &forged).fails(1),
        "error: invalid_signature: invalid signature\n\
         note: token iss is \"https://b.example\" (unverified): routed to providers[1]\n\
         note: no configured key for kid \"k1\" and alg \"HS256\" verifies the signature: the \
         token was signed with another key, or altered\n"
    );
    // B's second kid is unknown to A; A's notes list A's kids and audiences only.
    let b2 = signed(
        SECRET_B,
        Algorithm::HS256,
        Some("b2"),
        claims_for(ISSUER_A, "api-a"),
    );
    assert_eq!(
        routed.verify_at(NOW, &b2).fails(1),
        "error: unknown_key: no key matches the token's kid or alg\n\
         note: token iss is \"https://a.example\" (unverified): routed to providers[0]\n\
         note: token kid is \"b2\" and alg is \"HS256\" (unverified); configured kids: \"k1\"\n"
    );
    let wrong_aud = signed(
        SECRET_A,
        Algorithm::HS256,
        Some("k1"),
        claims_for(ISSUER_A, "api-b"),
    );
    assert_eq!(
        routed.verify_at(NOW, &wrong_aud).fails(1),
        "error: invalid_audience: invalid audience\n\
         note: token iss is \"https://a.example\" (unverified): routed to providers[0]\n\
         note: token aud is \"api-b\"; accepted audiences: \"api-a\"\n"
    );
}

#[test]
fn remote_providers_are_handled_as_a_remote_single_config_is() {
    // The CLI makes no network request. Whether the core it was built with has the `remote`
    // feature (cargo unifies features across a workspace build: `cargo test --workspace
    // --all-features` has it) decides between "needs the remote feature" (exit 2) and a key set
    // that is never loaded (exit 1); either way a provider fares as a single config does.
    let dir = temp_dir();
    let rules = "jwks_url = \"https://a.example/jwks.json\"\nalgorithms = [\"HS256\"]\n\
                 skip_audience_check = true\n";
    let single = dir.path().join("single.toml");
    std::fs::write(&single, format!("issuers = [\"{ISSUER_A}\"]\n{rules}")).unwrap();
    let routed = dir.path().join("routed.toml");
    std::fs::write(
        &routed,
        format!("[[providers]]\nissuer = \"{ISSUER_A}\"\n{rules}"),
    )
    .unwrap();
    let token = signed(SECRET_A, Algorithm::HS256, None, claims_for(ISSUER_A, "x"));
    let run = |config: &std::path::Path| {
        jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
            .command_arg(config)
            .command_arg(&token)
            .run()
    };
    let (single, routed) = (run(&single), run(&routed));
    const NO_FETCH: &str = "note: jwt-guard verify fetches no remote key set (jwks_url, \
                            oidc_issuer): it checks with fixed keys only\n";
    if single.code == 1 {
        assert_eq!(
            single.fails(1),
            format!("error: key_unavailable: key set unavailable\n{NO_FETCH}")
        );
        assert_eq!(
            routed.fails(1),
            format!(
                "error: key_unavailable: key set unavailable\n\
                 note: token iss is \"https://a.example\" (unverified): routed to providers[0]\n\
                 {NO_FETCH}"
            )
        );
    } else {
        let feature = "a remote key set needs the `remote` cargo feature (of jwt-guard-core, or \
                       of jwt-guard)\n";
        assert_eq!(
            single.fails(2),
            format!(
                "error: config {}: invalid configuration at `jwks_url`: {feature}",
                dir.path().join("single.toml").display()
            )
        );
        assert_eq!(
            routed.fails(2),
            format!(
                "error: config {}: invalid configuration at `providers[0].jwks_url`: {feature}",
                dir.path().join("routed.toml").display()
            )
        );
    }
}

/// `good_claims()` with `changes` applied (`null` removes a member).
fn good_claims_with(changes: serde_json::Value) -> serde_json::Value {
    let mut claims = good_claims();
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

/// `verify --now NOW --config <hs256 config> ARGS... TOKEN`.
fn verify_with_args(args: &[&str], token: &str) -> crate::support::Run {
    jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
        .command_arg(hs256_config())
        .args(args)
        .command_arg(token)
        .run()
}

/// `--require-claims`: the claims a handler's type needs, checked as the config's
/// `required_claims` are (present and not null), so a token that a server would refuse with
/// 401 `claims_mismatch` for a missing field exits 1 with `missing_claim`.
#[test]
fn require_claims_checks_the_names_a_handler_needs() {
    let with_tenant = hs256_token(good_claims_with(json!({"tenant": "acme"})));
    let run = verify_with_args(&["--require-claims", "tenant,sub"], &with_tenant);
    assert!(run.ok().contains(r#""tenant":"acme""#), "{run:?}");
    assert_eq!(run.stderr, "");
    // Repeated, and with spaces after the commas.
    let run = verify_with_args(
        &["--require-claims", "tenant", "--require-claims", "sub, aud"],
        &with_tenant,
    );
    assert!(run.ok().contains(r#""tenant":"acme""#), "{run:?}");

    for token in [
        hs256_token(good_claims()),
        hs256_token(good_claims_with(json!({"tenant": null}))),
        signed(
            SECRET,
            Algorithm::HS256,
            None,
            json!({"sub": "ada", "iss": ISSUER, "aud": "api", "exp": NOW + 600, "tenant": null}),
        ),
    ] {
        let run = verify_with_args(&["--require-claims", "sub,tenant"], &token);
        assert_eq!(
            run.fails(1),
            "error: missing_claim: missing required claim `tenant`\n\
             note: tenant is required by --require-claims (present and not null)\n"
        );
    }
    // Without the option, the config's rules alone accept it.
    verify_at_now(&hs256_token(good_claims())).ok();

    for empty in ["", ",", " , "] {
        let run = verify_with_args(&["--require-claims", empty], &with_tenant);
        assert_eq!(
            run.fails(2),
            "error: --require-claims: name at least one claim\n"
        );
    }
}

#[test]
fn require_claims_applies_to_every_provider_of_a_routed_config() {
    let routed = Routed::new();
    let token = signed(
        SECRET_B,
        Algorithm::HS256,
        Some("k1"),
        claims_for(ISSUER_B, "api-b"),
    );
    let run = jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
        .command_arg(routed.dir.path().join("routed.toml"))
        .args(["--require-claims", "tenant"])
        .command_arg(&token)
        .run();
    assert_eq!(
        run.fails(1),
        "error: missing_claim: missing required claim `tenant`\n\
         note: token iss is \"https://b.example\" (unverified): routed to providers[1]\n\
         note: tenant is required by --require-claims (present and not null)\n"
    );
}

/// `--scope`: the scopes a route's `RequireScopes::all` requires, read from the token as the
/// server reads them (`scope`, a space-separated string or an array, else `scp`).
#[test]
fn scope_requires_every_scope_named_as_require_scopes_all() {
    let read_write = hs256_token(good_claims_with(json!({"scope": "read write"})));
    let scp = hs256_token(good_claims_with(json!({"scope": null, "scp": ["read"]})));
    let none = hs256_token(good_claims_with(json!({"scope": null})));

    for args in [
        vec!["--scope", "read"],
        vec!["--scope", "write read"],
        vec!["--scope", "read", "--scope", "write"],
    ] {
        let run = verify_with_args(&args, &read_write);
        assert!(run.ok().contains(r#""scope":"read write""#), "{run:?}");
        assert_eq!(run.stderr, "");
    }
    verify_with_args(&["--scope", "read"], &scp).ok();

    let cases = [
        (
            vec!["--scope", "read", "--scope", "admin"],
            &read_write,
            "note: missing scope: \"admin\" (--scope requires all of \"read\", \"admin\")\n\
             note: the token grants: \"read\", \"write\"\n",
        ),
        (
            vec!["--scope", "admin delete"],
            &scp,
            "note: missing scopes: \"admin\", \"delete\" (--scope requires all of \"admin\", \
             \"delete\")\n\
             note: the token grants: \"read\"\n",
        ),
        (
            vec!["--scope", "read"],
            &none,
            "note: missing scope: \"read\" (--scope requires all of \"read\")\n\
             note: the token grants no scope (it has neither a scope nor an scp claim)\n",
        ),
    ];
    for (args, token, notes) in cases {
        let run = verify_with_args(&args, token);
        assert_eq!(
            run.fails(1),
            format!("error: insufficient_scope: the token lacks a required scope\n{notes}"),
            "{args:?}"
        );
    }

    // A scope claim of the wrong type is the 401 a server answers, not a 403.
    let run = verify_with_args(&["--scope", "read"], &hs256_token(good_claims()));
    assert_eq!(
        run.fails(1),
        "error: invalid_claim: invalid claim `scope`\n"
    );

    // A rejected token is rejected first, as the server answers 401 before 403.
    let expired = hs256_token(good_claims_with(json!({"exp": NOW - 3600})));
    let run = verify_with_args(&["--scope", "admin"], &expired);
    assert_eq!(
        run.fails(1).lines().next(),
        Some("error: expired: token expired")
    );

    // An empty requirement would pass any token: refused as a usage error.
    for empty in ["", " "] {
        let run = verify_with_args(&["--scope", empty], &read_write);
        assert_eq!(
            run.fails(2),
            "error: --scope: name at least one scope (an empty requirement would pass any \
             token)\n"
        );
    }
}

/// The config's claim rules (`[[claims]]`) apply as in the server; a failing rule exits 1 with
/// `claim_rejected`, the notes naming the rule, what it requires and the token's claim, never
/// the token.
#[test]
fn claim_rules_of_the_config_apply_and_explain_which_failed() {
    let dir = temp_dir();
    let config = dir.path().join("rules.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[[claims]]\nname = \"azp\"\none_of = [\"web-app\", \"cli\"]\n\
             [[claims]]\npointer = \"/realm_access/roles\"\ncontains = \"api-user\"\n",
            std::fs::read_to_string(hs256_config()).unwrap()
        ),
    )
    .unwrap();
    let verify = |token: &str| {
        jwt_guard(["verify", "--now", &NOW.to_string(), "--config"])
            .command_arg(&config)
            .command_arg(token)
            .run()
    };
    let good = good_claims_with(json!({"azp": "cli", "realm_access": {"roles": ["api-user"]}}));
    assert!(
        verify(&hs256_token(good.clone()))
            .ok()
            .contains(r#""azp":"cli""#)
    );

    let other_client = hs256_token(good_claims_with(
        json!({"azp": "partner", "realm_access": {"roles": ["api-user"]}}),
    ));
    let run = verify(&other_client);
    assert_eq!(
        run.fails(1),
        "error: claim_rejected: claim `azp` rejected by a claim rule\n\
         note: rule claims[0] (`azp`, one_of): the claim's value does not meet the condition\n\
         note: the rule requires one_of [\"web-app\",\"cli\"]; the token's `azp` is \"partner\"\n"
    );
    assert!(!run.stderr.contains(&other_client));

    let no_roles = hs256_token(good_claims_with(json!({"azp": "web-app"})));
    let run = verify(&no_roles);
    assert_eq!(
        run.fails(1),
        "error: claim_rejected: claim `/realm_access/roles` rejected by a claim rule\n\
         note: rule claims[1] (`/realm_access/roles`, contains): the token has no such claim\n\
         note: the rule requires contains \"api-user\"; the token's `/realm_access/roles` is \
         absent\n"
    );

    // A malformed rule is a config error naming it (exit 2).
    std::fs::write(
        &config,
        format!(
            "{}\n[[claims]]\nname = \"azp\"\none_of = []\n",
            std::fs::read_to_string(hs256_config()).unwrap()
        ),
    )
    .unwrap();
    let run = verify(&hs256_token(good));
    assert_eq!(
        run.fails(2),
        format!(
            "error: config {}: invalid configuration at `claims[0].one_of`: needs at least one \
             value (an empty list would decide nothing)\n",
            config.display()
        )
    );
}
