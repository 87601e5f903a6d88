//! `VerifierConfig`: every field from TOML, every key source, and errors that name the field.

use std::path::Path;

use jwt_guard_core::{
    Algorithm, ConfigFormat, ConfigProblem, ErrorKind, Key, ManualClock, RedirectPolicy, Signer,
    VerifierConfig,
};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;
const SECRET: &str = "config-test-secret-of-at-least-32-bytes!";

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn parse(text: &str) -> VerifierConfig {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn field_of(result: jwt_guard_core::Result<jwt_guard_core::Verifier>) -> String {
    match result.map_err(jwt_guard_core::Error::into_kind) {
        Err(ErrorKind::InvalidConfig { field, .. }) => field.into_owned(),
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

#[test]
fn every_field_from_toml() {
    let config = parse(&format!(
        r#"
        algorithms = ["HS256", "ES256"]
        issuers = ["https://issuer.example"]
        audiences = ["api"]
        subject = "ada"
        leeway_secs = 5
        require_exp = true
        required_claims = ["tenant"]
        typ = "at+jwt"
        max_age_secs = 3600
        max_token_bytes = 4096
        critical_extensions = []

        [[keys]]
        kid = "hs"
        alg = "HS256"
        secret = "{SECRET}"

        [[keys]]
        kid = "cert"
        pem_file = "pem/cert_p256.crt.pem"
        "#
    ));
    let verifier = config
        .builder_in(fixtures())
        .unwrap()
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap();
    let v = verifier.validation();
    assert_eq!(v.leeway_secs, 5);
    assert_eq!(v.max_token_bytes, 4096);
    assert_eq!(v.max_age_secs, Some(3600));
    assert_eq!(verifier.keys().len(), 2);
    assert_eq!(
        verifier.keys().keys()[0]
            .algorithms()
            .iter()
            .collect::<Vec<_>>(),
        [Algorithm::HS256]
    );

    let claims = json!({"iss": "https://issuer.example", "aud": "api", "sub": "ada", "tenant": "t",
                        "exp": NOW + 60, "iat": NOW});
    let hs = Signer::new(Key::hmac(SECRET).unwrap().with_kid("hs"), Algorithm::HS256)
        .unwrap()
        .with_typ(Some("at+jwt"));
    assert_eq!(
        verifier
            .verify::<Value>(&hs.encode(&claims).unwrap())
            .unwrap()
            .claims,
        claims
    );
    let cert_signer = Signer::new(
        Key::from_pem(std::fs::read(fixtures().join("pem/cert_p256.key.pem")).unwrap()).unwrap(),
        Algorithm::ES256,
    )
    .unwrap()
    .with_kid("cert")
    .with_typ(Some("application/at+jwt"));
    assert!(
        verifier
            .verify::<Value>(&cert_signer.encode(&claims).unwrap())
            .is_ok()
    );
    let mut no_tenant = claims.clone();
    no_tenant.as_object_mut().unwrap().remove("tenant");
    assert_eq!(
        verifier
            .verify::<Value>(&hs.encode(&no_tenant).unwrap())
            .unwrap_err()
            .into_kind(),
        ErrorKind::MissingClaim("tenant".into())
    );
}

#[test]
fn every_key_source() {
    let dir = tempfile::tempdir().unwrap();
    let ec =
        Key::from_pem(std::fs::read(fixtures().join("pem/cert_p256.key.pem")).unwrap()).unwrap();
    let mut jwk = ec.to_public_jwk().unwrap();
    jwk.kid = Some("from-jwks".into());
    std::fs::write(
        dir.path().join("keys.jwks.json"),
        json!({"keys": [jwk]}).to_string(),
    )
    .unwrap();
    let pem = std::fs::read_to_string(fixtures().join("pem/pkcs1_rsa2048.pub.pem")).unwrap();
    // `cargo test` sets CARGO_PKG_* for the test process, so no `set_var` (unsafe in 2024) is needed.
    let env_entry = "[[keys]]\nkid = \"env\"\nsecret_env = \"CARGO_PKG_DESCRIPTION\"\n";
    let text = format!(
        r#"
        algorithms = ["HS256", "HS512", "ES256", "RS256"]
        [[keys]]
        kid = "plain"
        secret = "{SECRET}"
        [[keys]]
        kid = "b64"
        secret_base64 = "{b64}"
        [[keys]]
        kid = "inline-pem"
        pem = """{pem}"""
        [[keys]]
        kid = "inline-jwk"
        jwk = {{ kty = "oct", k = "{b64url}", alg = "HS512" }}
        [[keys]]
        jwks_file = "keys.jwks.json"
        {env_entry}
        "#,
        b64 = base64_std(SECRET.as_bytes()),
        b64url = base64_url(&[7u8; 64]),
    );
    let verifier = parse(&text).build_in(dir.path()).unwrap();
    let kids: Vec<_> = verifier
        .keys()
        .keys()
        .iter()
        .map(|k| k.kid().map(str::to_owned))
        .collect();
    assert_eq!(
        kids[..5],
        [
            Some("plain".into()),
            Some("b64".into()),
            Some("inline-pem".into()),
            Some("inline-jwk".into()),
            Some("from-jwks".into())
        ]
    );
    let hs512 = Signer::new(
        Key::hmac([7u8; 64]).unwrap().with_kid("inline-jwk"),
        Algorithm::HS512,
    )
    .unwrap();
    let token = hs512.encode(&json!({"exp": 4_102_444_800u64})).unwrap();
    assert!(verifier.verify::<Value>(&token).is_ok());
    assert_eq!(kids[5].as_deref(), Some("env"));
    let from_env = Signer::new(
        Key::hmac(env!("CARGO_PKG_DESCRIPTION"))
            .unwrap()
            .with_kid("env"),
        Algorithm::HS256,
    )
    .unwrap();
    assert!(
        verifier
            .verify::<Value>(&from_env.encode(&json!({"exp": 4_102_444_800u64})).unwrap())
            .is_ok()
    );
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn errors_name_the_field() {
    let here = fixtures();
    assert_eq!(field_of(parse("algorithms = []").build()), "algorithms");
    assert_eq!(field_of(parse(r#"algorithms = ["HS256"]"#).build()), "keys");
    assert_eq!(
        field_of(parse("algorithms = [\"HS256\"]\n[[keys]]\nkid = \"x\"").build()),
        "keys[0]"
    );
    assert_eq!(
        field_of(parse(&format!("algorithms = [\"HS256\"]\n[[keys]]\nsecret = \"{SECRET}\"\nsecret_base64 = \"AAAA\"")).build()),
        "keys[0]"
    );
    assert_eq!(
        field_of(parse(&format!("algorithms = [\"HS256\"]\n[[keys]]\nsecret = \"{SECRET}\"\n[[keys]]\npem_file = \"missing.pem\"")).build_in(here)),
        "keys[1].pem_file"
    );
    assert_eq!(
        field_of(parse("algorithms = [\"HS256\"]\n[[keys]]\nsecret = \"short\"").build()),
        "keys[0].secret"
    );
    assert_eq!(
        field_of(
            parse("algorithms = [\"RS256\"]\n[[keys]]\npem_file = \"pem/rsa1024.pub.pem\"")
                .build_in(here)
        ),
        "keys[0].pem_file"
    );
    assert_eq!(
        field_of(
            parse(
                "algorithms = [\"HS256\"]\n[[keys]]\nsecret_env = \"JWT_GUARD_SURELY_UNSET_VAR\""
            )
            .build()
        ),
        "keys[0].secret_env"
    );
    assert_eq!(
        field_of(
            parse(&format!(
                "algorithms = [\"HS256\"]\n[[keys]]\nalg = \"RS256\"\nsecret = \"{SECRET}\""
            ))
            .build()
        ),
        "keys[0].alg"
    );
    assert_eq!(
        field_of(
            parse(&format!(
                "algorithms = [\"RS256\"]\n[[keys]]\nsecret = \"{SECRET}\""
            ))
            .build()
        ),
        "algorithms"
    );
    // Reading errors name the line, the column and the key.
    for (text, message) in [
        (
            "algorithms = [\"none\"]",
            "invalid configuration at `algorithms[0]` (line 1, column 15): `none` can never be \
             allowed",
        ),
        (
            "algorithms = [\"HS257\"]",
            "invalid configuration at `algorithms[0]` (line 1, column 15): unknown value, \
             expected one of `HS256`, `HS384`, `HS512`, `RS256`, `RS384`, `RS512`, `PS256`, \
             `PS384`, `PS512`, `ES256`, `ES384`, `ES512`, `EdDSA`",
        ),
        (
            "algorithms = [\"HS256\"]\nleeway = 5",
            "invalid configuration (line 2, column 1): unknown field `leeway`, did you mean \
             `leeway_secs`?",
        ),
        (
            "algorithms = [\"HS256\"]\n[[keys]]\nsecrett = \"x\"",
            "invalid configuration at `keys[0]` (line 3, column 1): unknown field `secrett`, \
             did you mean `secret`?",
        ),
    ] {
        let err = VerifierConfig::from_toml(text).unwrap_err().to_string();
        assert_eq!(err, message, "{text}");
    }
}

#[test]
fn redirects_in_the_remote_table() {
    let redirects = |text: &str| parse(text).remote.and_then(|r| r.redirects);
    assert_eq!(
        redirects("[remote]\nredirects = \"same-origin\""),
        Some(RedirectPolicy::SameOrigin)
    );
    assert_eq!(
        redirects("[remote]\nredirects = \"none\""),
        Some(RedirectPolicy::None)
    );
    assert_eq!(redirects("[remote]\ncooldown_secs = 5"), None);
    assert_eq!(RedirectPolicy::default(), RedirectPolicy::None);

    // Any other value is refused, naming the key and the accepted values, never the value (in
    // TOML and JSON).
    for bad in ["all", "same_origin", "Same-Origin", ""] {
        let text = format!("[remote]\nredirects = \"{bad}\"");
        let json = json!({"remote": {"redirects": bad}}).to_string();
        for err in [
            VerifierConfig::from_toml(&text).unwrap_err().to_string(),
            VerifierConfig::from_json(&json).unwrap_err().to_string(),
        ] {
            assert!(err.contains("`remote.redirects`"), "{bad}: {err}");
            assert!(err.contains("`none`, `same-origin`"), "{bad}: {err}");
            assert!(bad.is_empty() || !err.contains(bad), "{bad}: {err}");
        }
    }
    let err = VerifierConfig::from_toml("[remote]\nredirects = true")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`remote.redirects`"), "{err}");
}

// Config texts with faults (security review, issue 10): the error says where (line, column,
// field) and what is wrong, and never holds a secret of the text, in `Display` or `Debug`.

/// The key source fields of a `[[keys]]` entry, each with its own secret (random-looking, so
/// that no 8-byte window of it can appear in a message by chance).
const KEY_SOURCES: [(&str, &str); 7] = [
    ("secret", "Qm7vT2xLk9Pw4RzBn8Jd3FyHc6Gs1Ua5"),
    (
        "secret_base64",
        "dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IG9mIDMyIGJ5dGVzIQ==",
    ),
    ("secret_env", "Xe4rWq9ZtY2uIo8PaS7dFg6HjK5lZx3C"),
    ("pem_file", "Vb1nM0qWe9rTy8uIo7pAs6dFg5hJk4lZ"),
    (
        "pem",
        "MC4CAQAwBQYDK2VwBCIEIJ8DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF",
    ),
    ("jwk", "Hk3jL8mN2bV7cX1zQ9wE4rT6yU0iO5pAsDfGhJkL"),
    ("jwks_file", "Zp9oI8uY7tR6eW5qA4sD3fG2hJ1kL0mN"),
];

/// A second secret, pasted where a name belongs (`alg`, `algorithms`).
const PASTED: &str = "Rt5yU6iO7pLk8jH9gF0dSa1QwE2rT3yU";

/// The field's value holding `secret`, in TOML (an inline table for `jwk`).
fn toml_value(field: &str, secret: &str) -> String {
    match field {
        "jwk" => format!("{{ kty = \"oct\", k = \"{secret}\" }}"),
        _ => format!("\"{secret}\""),
    }
}

/// The same in JSON.
fn json_value(field: &str, secret: &str) -> String {
    match field {
        "jwk" => format!("{{\"kty\": \"oct\", \"k\": \"{secret}\"}}"),
        _ => format!("\"{secret}\""),
    }
}

/// `field` with two letters swapped: a typo two edits away.
fn typo(field: &str) -> String {
    let mut bytes = field.as_bytes().to_vec();
    let at = if field.len() > 4 { 4 } else { 1 };
    bytes.swap(at, at + 1);
    String::from_utf8(bytes).unwrap()
}

/// What a faulty text must give.
struct Expected {
    line: usize,
    column: usize,
    field: String,
    problem: ConfigProblem,
}

/// The column (from 1) where `needle` starts on `line` (from 1) of `text`.
fn column_of(text: &str, line: usize, needle: &str) -> usize {
    let on = text.lines().nth(line - 1).unwrap();
    on[..on
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on {on:?}"))]
        .chars()
        .count()
        + 1
}

#[track_caller]
fn assert_fault(
    result: jwt_guard_core::Result<VerifierConfig>,
    text: &str,
    format: ConfigFormat,
    secrets: &[&str],
    expected: Expected,
) -> String {
    let err = match result {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(err) => err,
    };
    let shown = err.to_string();
    let debug = format!("{err:?}");
    assert_no_secret(&[&shown, &debug], secrets, text);
    assert_eq!(err.code(), "invalid_config", "{shown}");
    match err.into_kind() {
        ErrorKind::ConfigText {
            format: f,
            line,
            column,
            field,
            problem,
            ..
        } => {
            assert_eq!(
                (f, line, column, field.as_ref(), &problem),
                (
                    format,
                    expected.line,
                    expected.column,
                    expected.field.as_str(),
                    &expected.problem
                ),
                "{shown}\n{text}"
            );
        }
        other => panic!("expected ConfigText, got {other:?}\n{text}"),
    }
    shown
}

#[track_caller]
fn assert_no_secret(outputs: &[&str], secrets: &[&str], context: &str) {
    for output in outputs {
        for secret in secrets {
            assert!(secret.len() >= 8);
            for window in secret.as_bytes().windows(8) {
                let window = std::str::from_utf8(window).unwrap();
                assert!(
                    !output.contains(window),
                    "{window:?} of a secret shown in:\n{output}\nfor:\n{context}"
                );
            }
        }
    }
}

fn invalid_type(expected: &str, found: &'static str) -> ConfigProblem {
    ConfigProblem::InvalidType {
        expected: expected.to_owned(),
        found,
    }
}

/// What a string field says it expects (`PathBuf`'s visitor says `path string`).
fn expects(field: &str) -> &'static str {
    match field {
        "pem_file" | "jwks_file" => "path string",
        "jwk" => "struct Jwk",
        _ => "a string",
    }
}

const KEY_FIELDS: &[&str] = &[
    "kid",
    "alg",
    "secret",
    "secret_base64",
    "secret_env",
    "pem_file",
    "pem",
    "jwk",
    "jwks_file",
];

const ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA",
];

#[test]
fn toml_faults_name_line_column_and_field_never_the_secret() {
    let toml = |text: &str| VerifierConfig::from_toml(text);
    let head = "algorithms = [\"HS256\"]\n[[keys]]\nkid = \"k1\"\n";
    for (field, secret) in KEY_SOURCES {
        let value = toml_value(field, secret);
        let check = |text: &str, secrets: &[&str], expected: Expected| {
            assert_fault(toml(text), text, ConfigFormat::Toml, secrets, expected)
        };
        let in_key = |problem| Expected {
            line: 4,
            column: 1,
            field: "keys[0]".into(),
            problem,
        };

        // The source field misspelled: the typo is named, its value is not.
        let misspelled = typo(field);
        let text = format!("{head}{misspelled} = {value}\n");
        let shown = check(
            &text,
            &[secret],
            in_key(ConfigProblem::UnknownField {
                name: Some(misspelled.clone()),
                did_you_mean: Some(field),
                expected: KEY_FIELDS,
            }),
        );
        assert_eq!(
            shown,
            format!(
                "invalid configuration at `keys[0]` (line 4, column 1): unknown field \
                 `{misspelled}`, did you mean `{field}`?"
            )
        );

        // Another field misspelled next to the secret.
        let text = format!("{head}{field} = {value}\nkdi = \"k2\"\n");
        check(
            &text,
            &[secret],
            Expected {
                line: 5,
                ..in_key(ConfigProblem::UnknownField {
                    name: Some("kdi".into()),
                    did_you_mean: Some("kid"),
                    expected: KEY_FIELDS,
                })
            },
        );

        // A key that is no near miss (it could be a secret written as a key) is not named.
        let text = format!("{head}\"{secret}\" = 1\n");
        let shown = check(
            &text,
            &[secret],
            in_key(ConfigProblem::UnknownField {
                name: None,
                did_you_mean: None,
                expected: KEY_FIELDS,
            }),
        );
        assert!(shown.ends_with("unknown field, expected one of `kid`, `alg`, `secret`, `secret_base64`, `secret_env`, `pem_file`, `pem`, `jwk`, `jwks_file`"), "{shown}");

        // The secret with the wrong type: an integer, a float, a date, an array; a string for
        // `jwk`.
        let wrong_types: Vec<(String, &str, &'static str)> = match field {
            "jwk" => vec![(format!("\"{secret}\""), secret, "a string")],
            _ => vec![
                (
                    "918273645546372819".into(),
                    "918273645546372819",
                    "an integer",
                ),
                ("31415.926535897932".into(), "31415.926535897932", "a float"),
                (
                    "1979-05-27T07:32:00Z".into(),
                    "1979-05-27T07:32:00Z",
                    "a datetime",
                ),
                (format!("[\"{secret}\"]"), secret, "a sequence"),
            ],
        };
        for (wrong, secret, found) in wrong_types {
            let text = format!("{head}{field} = {wrong}\n");
            let shown = check(
                &text,
                &[secret],
                Expected {
                    column: field.len() + 4,
                    field: format!("keys[0].{field}"),
                    ..in_key(invalid_type(expects(field), found))
                },
            );
            assert_eq!(
                shown,
                format!(
                    "invalid configuration at `keys[0].{field}` (line 4, column {}): expected {}, \
                     found {found}",
                    field.len() + 4,
                    expects(field)
                )
            );
        }

        // The secret in an unterminated string: the closing quote is missing at the line end.
        let unterminated = match field {
            "jwk" => format!("jwk = {{ kty = \"oct\", k = \"{secret} }}"),
            _ => format!("{field} = \"{secret}"),
        };
        let text = format!("{head}{unterminated}\nalg = \"HS256\"\n");
        // In an inline table, toml reports the missing `}` first: at the start of the next line.
        let (line, column) = match field {
            "jwk" => (5, 1),
            _ => (4, unterminated.chars().count() + 1),
        };
        let shown = check(
            &text,
            &[secret],
            Expected {
                line,
                column,
                field: String::new(),
                problem: ConfigProblem::Syntax,
            },
        );
        assert_eq!(
            shown,
            format!("TOML syntax error at line {line}, column {column}")
        );

        // The secret in a broken inline table (no closing brace).
        let text =
            format!("algorithms = [\"HS256\"]\nkeys = [{{ kid = \"k1\", {field} = {value} ]\n");
        check(
            &text,
            &[secret],
            Expected {
                line: 2,
                column: column_of(&text, 2, " ]") + 1,
                field: String::new(),
                problem: ConfigProblem::Syntax,
            },
        );

        // A secret pasted as a name (`alg`, `algorithms`): the accepted names, not the value.
        let text = format!("{head}{field} = {value}\nalg = \"{PASTED}\"\n");
        check(
            &text,
            &[secret, PASTED],
            Expected {
                line: 5,
                column: 7,
                field: "keys[0].alg".into(),
                problem: ConfigProblem::UnknownVariant {
                    expected: ALGORITHMS,
                },
            },
        );
        let text = format!("algorithms = [\"HS256\", \"{PASTED}\"]\n[[keys]]\n{field} = {value}\n");
        check(
            &text,
            &[secret, PASTED],
            Expected {
                line: 1,
                column: column_of(&text, 1, "\"Rt5"),
                field: "algorithms[1]".into(),
                problem: ConfigProblem::UnknownVariant {
                    expected: ALGORITHMS,
                },
            },
        );

        // The field twice (TOML: a syntax error, at the second key).
        let text = format!("{head}{field} = {value}\n{field} = {value}\n");
        check(
            &text,
            &[secret],
            Expected {
                line: 5,
                column: 1,
                field: String::new(),
                problem: ConfigProblem::Syntax,
            },
        );
    }

    // A JWK without its `kty`.
    let secret = KEY_SOURCES[5].1;
    let text = format!("{head}jwk = {{ k = \"{secret}\" }}\n");
    check_missing_kty(toml(&text), &text, ConfigFormat::Toml, secret, 4, 7);
}

fn check_missing_kty(
    result: jwt_guard_core::Result<VerifierConfig>,
    text: &str,
    format: ConfigFormat,
    secret: &str,
    line: usize,
    column: usize,
) {
    let shown = assert_fault(
        result,
        text,
        format,
        &[secret],
        Expected {
            line,
            column,
            field: "keys[0].jwk".into(),
            problem: ConfigProblem::MissingField("kty"),
        },
    );
    assert!(shown.ends_with(": missing field `kty`"), "{shown}");
}

#[test]
fn json_faults_name_line_column_and_field_never_the_secret() {
    let json = |text: &str| VerifierConfig::from_json(text);
    // Line 5 holds the field; `{entry}` is replaced by one or more members.
    let doc = |entry: &str| {
        format!(
            "{{\n  \"algorithms\": [\"HS256\"],\n  \"keys\": [{{\n    \"kid\": \"k1\",\n    \
             {entry}\n  }}]\n}}\n"
        )
    };
    for (field, secret) in KEY_SOURCES {
        let value = json_value(field, secret);
        let check = |text: &str, secrets: &[&str], expected: Expected| {
            assert_fault(json(text), text, ConfigFormat::Json, secrets, expected)
        };
        // serde_json reports the position of the last character it read.
        let after = |text: &str, needle: &str| column_of(text, 5, needle) + needle.len() - 1;

        let misspelled = typo(field);
        let text = doc(&format!("\"{misspelled}\": {value}"));
        check(
            &text,
            &[secret],
            Expected {
                line: 5,
                column: after(&text, &format!("\"{misspelled}\"")),
                field: "keys[0]".into(),
                problem: ConfigProblem::UnknownField {
                    name: Some(misspelled.clone()),
                    did_you_mean: Some(field),
                    expected: KEY_FIELDS,
                },
            },
        );

        let text = doc(&format!("\"{secret}\": 1"));
        check(
            &text,
            &[secret],
            Expected {
                line: 5,
                column: after(&text, &format!("\"{secret}\"")),
                field: "keys[0]".into(),
                problem: ConfigProblem::UnknownField {
                    name: None,
                    did_you_mean: None,
                    expected: KEY_FIELDS,
                },
            },
        );

        let wrong_types: Vec<(String, &str, &'static str)> = match field {
            "jwk" => vec![(format!("\"{secret}\""), secret, "a string")],
            _ => vec![
                (
                    "918273645546372819".into(),
                    "918273645546372819",
                    "an integer",
                ),
                ("31415.926535897932".into(), "31415.926535897932", "a float"),
                (format!("[\"{secret}\"]"), secret, "a sequence"),
            ],
        };
        for (wrong, secret, found) in wrong_types {
            let text = doc(&format!("\"{field}\": {wrong}"));
            let column = match found {
                // serde_json stops before the opening bracket of a sequence it does not want.
                "a sequence" => column_of(&text, 5, "[") - 1,
                _ => after(&text, &wrong),
            };
            check(
                &text,
                &[secret],
                Expected {
                    line: 5,
                    column,
                    field: format!("keys[0].{field}"),
                    problem: invalid_type(expects(field), found),
                },
            );
        }

        // An unterminated string runs to the end of the text (serde_json: column 0).
        let text = format!("{{\"keys\": [{{\"{field}\": \"{secret}\n");
        let shown = check(
            &text,
            &[secret],
            Expected {
                line: 2,
                column: 0,
                field: String::new(),
                problem: ConfigProblem::Syntax,
            },
        );
        assert_eq!(shown, "JSON syntax error at line 2");

        // A broken object: `]` where `}` belongs.
        let text = format!("{{\"keys\": [{{\"{field}\": {value} ]}}\n");
        check(
            &text,
            &[secret],
            Expected {
                line: 1,
                column: column_of(&text, 1, " ]") + 1,
                field: String::new(),
                problem: ConfigProblem::Syntax,
            },
        );

        let text = doc(&format!("\"{field}\": {value}, \"alg\": \"{PASTED}\""));
        check(
            &text,
            &[secret, PASTED],
            Expected {
                line: 5,
                column: after(&text, &format!("\"{PASTED}\"")),
                field: "keys[0].alg".into(),
                problem: ConfigProblem::UnknownVariant {
                    expected: ALGORITHMS,
                },
            },
        );

        // JSON allows a member twice; the config does not.
        let text = doc(&format!("\"{field}\": {value}, \"{field}\": {value}"));
        check(
            &text,
            &[secret],
            Expected {
                line: 5,
                column: after(&text, &format!(", \"{field}\"")),
                field: "keys[0]".into(),
                problem: ConfigProblem::DuplicateField(field),
            },
        );
    }

    let secret = KEY_SOURCES[5].1;
    let text = doc(&format!("\"jwk\": {{\"k\": \"{secret}\"}}"));
    let column = column_of(&text, 5, "}");
    check_missing_kty(json(&text), &text, ConfigFormat::Json, secret, 5, column);
}

#[test]
fn key_source_errors_name_the_field_never_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let pem_text = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        KEY_SOURCES[4].1
    );
    let jwks_text = format!(
        r#"{{"keys": [{{"kty": "oct", "k": "{}"}}]}}"#,
        KEY_SOURCES[6].1
    );
    let lowercase = "authorization: bearer eyj0exaioijkv1qilcjhbgcioijiuzi1nij9";
    // Each: the entry (after `[[keys]]`), the field at fault, the secrets.
    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        (
            format!("secret = \"{}\"", &KEY_SOURCES[0].1[..20]),
            "keys[0].secret",
            vec![&KEY_SOURCES[0].1[..20]],
        ),
        (
            format!("secret_base64 = \"{}!!\"", KEY_SOURCES[1].1),
            "keys[0].secret_base64",
            vec![KEY_SOURCES[1].1],
        ),
        // A secret written into `secret_env`: the variable it names is not set.
        (
            format!("secret_env = \"{}\"", KEY_SOURCES[2].1),
            "keys[0].secret_env",
            vec![KEY_SOURCES[2].1],
        ),
        // Key text written into `pem_file` / `jwks_file` is not repeated as a path.
        (
            format!("pem_file = \"\"\"{pem_text}\"\"\""),
            "keys[0].pem_file",
            vec![KEY_SOURCES[4].1],
        ),
        (
            format!("jwks_file = '{jwks_text}'"),
            "keys[0].jwks_file",
            vec![KEY_SOURCES[6].1],
        ),
        (
            format!("pem = \"{}\"", KEY_SOURCES[4].1),
            "keys[0].pem",
            vec![KEY_SOURCES[4].1],
        ),
        (
            format!("jwk = {{ kty = \"{}\", k = \"AAAA\" }}", KEY_SOURCES[5].1),
            "keys[0].jwk",
            vec![KEY_SOURCES[5].1],
        ),
        (
            format!(
                "jwk = {{ kty = \"oct\", use = \"{}\", k = \"AAAA\" }}",
                KEY_SOURCES[5].1
            ),
            "keys[0].jwk",
            vec![KEY_SOURCES[5].1],
        ),
        (
            format!(
                "jwk = {{ kty = \"oct\", alg = \"{}\", k = \"{}\" }}",
                KEY_SOURCES[5].1,
                base64_url(&[7u8; 32])
            ),
            "keys[0].jwk",
            vec![KEY_SOURCES[5].1],
        ),
        (
            format!("jwk = {{ kty = \"oct\", k = \"{}!\" }}", KEY_SOURCES[5].1),
            "keys[0].jwk",
            vec![KEY_SOURCES[5].1],
        ),
        // A header line pasted as the token header's name.
        (
            format!("secret = \"{SECRET}\"\n[token]\nheader = \"{lowercase}\""),
            "token.header",
            vec![&lowercase[22..]],
        ),
    ];
    for (entry, field, secrets) in cases {
        let text = format!("algorithms = [\"HS256\"]\n[[keys]]\n{entry}\n");
        let err = VerifierConfig::from_toml(&text)
            .and_then(|config| config.build_in(dir.path()).map(|_| config))
            .unwrap_err();
        let (shown, debug) = (err.to_string(), format!("{err:?}"));
        assert_no_secret(&[&shown, &debug], &secrets, &text);
        match err.into_kind() {
            ErrorKind::InvalidConfig { field: f, .. } => assert_eq!(f, field, "{shown}"),
            // `[token]` is checked while reading the text.
            ErrorKind::ConfigText { field: f, .. } => assert_eq!(f, "token", "{shown}"),
            other => panic!("{other:?}: {shown}"),
        }
    }

    // A name that looks like one is still shown: it is what the user has to fix.
    let err = VerifierConfig::from_toml(
        "algorithms = [\"HS256\"]\n[[keys]]\nsecret_env = \"JWT_GUARD_SURELY_UNSET_VAR\"\n",
    )
    .unwrap()
    .build()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration at `keys[0].secret_env`: environment variable \
         JWT_GUARD_SURELY_UNSET_VAR is not set"
    );
}

// The fields the top level and each `[[providers]]` entry share (issue 11: defined once). Each
// with a TOML value other than its default.
const SHARED_FIELDS: [(&str, &str); 18] = [
    ("algorithms", "[\"HS256\"]"),
    ("audiences", "[\"api\"]"),
    ("skip_audience_check", "true"),
    ("subject", "\"ada\""),
    ("leeway_secs", "7"),
    ("require_exp", "false"),
    ("required_claims", "[\"tenant\"]"),
    ("typ", "\"at+jwt\""),
    ("max_age_secs", "3600"),
    ("max_token_bytes", "4096"),
    ("max_header_bytes", "1024"),
    ("max_keys_without_kid", "2"),
    ("require_kid", "true"),
    ("critical_extensions", "[\"b64\"]"),
    ("claims", "[{ name = \"tenant\", equals = \"acme\" }]"),
    (
        "keys",
        "[{ secret = \"config-test-secret-of-at-least-32-bytes!\" }]",
    ),
    ("jwks_url", "\"https://idp.example/jwks\""),
    ("oidc_issuer", "\"https://idp.example\""),
];

/// The accepted keys an unknown-field fault lists.
fn expected_fields(problem: &ConfigProblem) -> &'static [&'static str] {
    match problem {
        ConfigProblem::UnknownField { expected, .. } => expected,
        other => panic!("expected UnknownField, got {other:?}"),
    }
}

#[test]
fn misspelled_shared_fields_are_refused_naming_them() {
    let provider_text = "[[providers]]\nissuer = \"a\"\nmax_header_byte = 1\n";
    let provider_fields = {
        let err = VerifierConfig::from_toml(provider_text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration at `providers[0]` (line 3, column 1): unknown field \
             `max_header_byte`, did you mean `max_header_bytes`?"
        );
        match err.into_kind() {
            ErrorKind::ConfigText { problem, .. } => expected_fields(&problem),
            other => panic!("{other:?}"),
        }
    };
    let top_fields = {
        let err = VerifierConfig::from_json("{\"require_ki\": true}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration (line 1, column 13): unknown field `require_ki`, did you \
             mean `require_kid`?"
        );
        match err.into_kind() {
            ErrorKind::ConfigText { problem, .. } => expected_fields(&problem),
            other => panic!("{other:?}"),
        }
    };
    // The lists name every shared field (so the loops below cover them all) and each level's own.
    let shared: Vec<&str> = SHARED_FIELDS.iter().map(|(name, _)| *name).collect();
    let own_provider = [&["issuer"][..], &shared, &["remote"]].concat();
    assert_eq!(provider_fields, own_provider);
    let mut own_top = [
        &["issuers"][..],
        &shared,
        &[
            "remote",
            "providers",
            "token",
            "revocation",
            "sessions",
            "roles",
            "resource_metadata",
            "cache",
            "metrics",
        ],
    ]
    .concat();
    let mut top_sorted = top_fields.to_vec();
    own_top.sort_unstable();
    top_sorted.sort_unstable();
    assert_eq!(top_sorted, own_top);

    for name in shared {
        let misspelled = &name[..name.len() - 1];
        let unknown = |expected| ConfigProblem::UnknownField {
            name: Some(misspelled.to_owned()),
            did_you_mean: Some(name),
            expected,
        };
        let len = misspelled.len();
        let cases = [
            (
                ConfigFormat::Toml,
                format!("algorithms = [\"HS256\"]\n{misspelled} = 1\n"),
                (2, 1, ""),
                top_fields,
            ),
            (
                ConfigFormat::Toml,
                format!("[[providers]]\nissuer = \"a\"\n{misspelled} = 1\n"),
                (3, 1, "providers[0]"),
                provider_fields,
            ),
            (
                ConfigFormat::Json,
                format!("{{\n  \"algorithms\": [\"HS256\"],\n  \"{misspelled}\": 1\n}}\n"),
                (3, len + 4, ""),
                top_fields,
            ),
            (
                ConfigFormat::Json,
                format!(
                    "{{\n  \"providers\": [{{\n    \"issuer\": \"a\",\n    \"{misspelled}\": 1\n  \
                     }}]\n}}\n"
                ),
                (4, len + 6, "providers[0]"),
                provider_fields,
            ),
        ];
        for (format, text, (line, column, field), expected) in cases {
            let shown = assert_fault(
                VerifierConfig::from_text(&text, format),
                &text,
                format,
                &[],
                Expected {
                    line,
                    column,
                    field: field.to_owned(),
                    problem: unknown(expected),
                },
            );
            let at = match field {
                "" => String::new(),
                field => format!(" at `{field}`"),
            };
            assert_eq!(
                shown,
                format!(
                    "invalid configuration{at} (line {line}, column {column}): unknown field \
                     `{misspelled}`, did you mean `{name}`?"
                )
            );
        }
    }

    // A key that is no near miss is not repeated, in a provider as at the top level.
    let secret = KEY_SOURCES[0].1;
    for (format, text, line, column) in [
        (
            ConfigFormat::Toml,
            format!("[[providers]]\nissuer = \"a\"\n\"{secret}\" = 1\n"),
            3,
            1,
        ),
        (
            ConfigFormat::Json,
            format!("{{\"providers\": [{{\"issuer\": \"a\",\n\"{secret}\": 1}}]}}"),
            2,
            secret.len() + 2,
        ),
    ] {
        assert_fault(
            VerifierConfig::from_text(&text, format),
            &text,
            format,
            &[secret],
            Expected {
                line,
                column,
                field: "providers[0]".into(),
                problem: ConfigProblem::UnknownField {
                    name: None,
                    did_you_mean: None,
                    expected: provider_fields,
                },
            },
        );
    }
}

#[test]
fn every_shared_field_at_top_level_next_to_providers_is_refused_naming_it() {
    let provider = format!(
        "[[providers]]\nissuer = \"a\"\nalgorithms = [\"HS256\"]\nkeys = [{{ secret = \"{SECRET}\" }}]\n"
    );
    let fields = SHARED_FIELDS
        .iter()
        .copied()
        .chain([("issuers", "[\"b\"]")]);
    for (name, value) in fields {
        let text = format!("{name} = {value}\n{provider}");
        let err = VerifierConfig::from_toml(&text)
            .unwrap()
            .build()
            .unwrap_err();
        assert_eq!(
            err.into_kind(),
            ErrorKind::InvalidConfig {
                field: name.into(),
                reason: "with [[providers]], set it in each provider instead (only [token] and \
                         [remote] apply to all)"
                    .into()
            },
            "{text}"
        );
    }
    // Unset (empty, false) is not set; [remote] and [token] apply to every provider.
    let text = format!(
        "algorithms = []\nskip_audience_check = false\n[remote]\nttl_secs = 600\n[token]\n\
         cookie = \"session\"\n{provider}"
    );
    assert!(VerifierConfig::from_toml(&text).unwrap().build().is_ok());
}

#[test]
fn every_rule_reaches_the_verifier_at_top_level_and_in_a_provider() {
    let key = Key::hmac(SECRET).unwrap();
    let expected = jwt_guard_core::Verifier::builder()
        .algorithms([Algorithm::HS256])
        .issuer("a")
        .audiences(["api"])
        .skip_audience_check()
        .subject("ada")
        .leeway(std::time::Duration::from_secs(7))
        .require_exp(false)
        .required_claims(["tenant"])
        .typ("at+jwt")
        .max_age(std::time::Duration::from_secs(3600))
        .max_token_bytes(4096)
        .max_header_bytes(1024)
        .max_keys_without_kid(2)
        .require_kid(true)
        .critical_extensions(["b64"])
        .claim_rule(jwt_guard_core::ClaimRule::claim("tenant").equals("acme"))
        .key(key.clone())
        .build()
        .unwrap()
        .validation()
        .clone();
    let rules: String = SHARED_FIELDS
        .iter()
        .filter(|(name, _)| !matches!(*name, "keys" | "jwks_url" | "oidc_issuer"))
        .map(|(name, value)| format!("{name} = {value}\n"))
        .collect();
    let keys = format!("keys = [{{ secret = \"{SECRET}\" }}]\n");

    let single = VerifierConfig::from_toml(&format!("issuers = [\"a\"]\n{rules}{keys}"))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(single.validation(), &expected);

    let routed = VerifierConfig::from_toml(&format!(
        "[[providers]]\nissuer = \"a\"\n{rules}{keys}[[providers]]\nissuer = \"b\"\n\
         algorithms = [\"HS256\"]\n{keys}"
    ))
    .unwrap()
    .build()
    .unwrap();
    let token = Signer::new(key, Algorithm::HS256)
        .unwrap()
        .encode(&json!({"iss": "a"}))
        .unwrap();
    assert_eq!(routed.route(&token).unwrap().validation(), &expected);
}

/// One rule for relative key paths: a config read from a file resolves them against the file's
/// directory wherever it is built; an in-memory config against the current directory.
#[test]
fn a_config_file_resolves_relative_paths_against_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/p256.pub.pem"),
    )
    .unwrap();
    std::fs::write(dir.path().join("issuer.pub.pem"), pem).unwrap();
    let text = "algorithms = [\"ES256\"]\n[[keys]]\npem_file = \"issuer.pub.pem\"\n";
    let file = dir.path().join("verifier.toml");
    std::fs::write(&file, text).unwrap();

    let config = VerifierConfig::from_file(&file).unwrap();
    assert_eq!(config.base_dir.as_deref(), Some(dir.path()));
    assert_eq!(config.resolve_dir(), dir.path());
    assert_eq!(config.build().unwrap().keys().keys().len(), 1);

    // The same text in memory resolves against the current directory (the crate's here).
    let in_memory = VerifierConfig::from_toml(text).unwrap();
    assert_eq!(in_memory.resolve_dir(), Path::new("."));
    let err = in_memory.build().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidConfig { field, .. } if field == "keys[0].pem_file"),
        "{err}"
    );

    // JSON by extension; an unreadable file names the path.
    let json = dir.path().join("verifier.json");
    std::fs::write(
        &json,
        r#"{"algorithms": ["ES256"], "keys": [{"pem_file": "issuer.pub.pem"}]}"#,
    )
    .unwrap();
    assert!(VerifierConfig::from_file(&json).unwrap().build().is_ok());
    let missing = dir.path().join("nope.toml");
    let err = VerifierConfig::from_file(&missing).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidConfig { field, reason }
            if field == "config" && reason.starts_with(&format!("cannot read {}", missing.display()))),
        "{err}"
    );
}
