//! `VerifierConfig`: every field from TOML, every key source, and errors that name the field.

use std::path::Path;

use jwt_guard_core::{
    Algorithm, ErrorKind, Key, ManualClock, RedirectPolicy, Signer, VerifierConfig,
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
    // Deserialization errors come from the format crate and name the key.
    for (text, needle) in [
        ("algorithms = [\"none\"]", "`none` can never be allowed"),
        ("algorithms = [\"HS257\"]", "unknown algorithm `HS257`"),
        ("algorithms = [\"HS256\"]\nleeway = 5", "leeway"),
        (
            "algorithms = [\"HS256\"]\n[[keys]]\nsecrett = \"x\"",
            "secrett",
        ),
    ] {
        let err = toml::from_str::<VerifierConfig>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{text}: {err}");
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

    // Any other value is refused, naming the key and the accepted values (in TOML and JSON).
    for bad in ["all", "same_origin", "Same-Origin", ""] {
        let text = format!("[remote]\nredirects = \"{bad}\"");
        let err = toml::from_str::<VerifierConfig>(&text)
            .unwrap_err()
            .to_string();
        let needle = format!("`redirects` must be \"none\" or \"same-origin\", not `{bad}`");
        assert!(err.contains(&needle), "{text}: {err}");
        let err = serde_json::from_value::<VerifierConfig>(json!({"remote": {"redirects": bad}}))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&needle), "{bad}: {err}");
    }
    let err = toml::from_str::<VerifierConfig>("[remote]\nredirects = true")
        .unwrap_err()
        .to_string();
    assert!(err.contains("redirects = true"), "{err}");
}
