//! Claim rules (`[[claims]]`, `VerifierBuilder::claim_rule`): every condition, missing and
//! `null` claims, names and pointers, registered claims, both claims passes (the one-pass read
//! and the strict path), rule order, config errors naming `claims[i]`, and the failure detail.

use jwt_guard_core::{
    Algorithm, ClaimRule, Error, ErrorKind, Key, ManualClock, RegisteredClaims, Signer, Verifier,
    VerifierConfig, check_rules,
};
use serde::Deserialize;
use serde_json::{Value, json};

const SECRET: &[u8] = b"claim-rules-test-secret-of-32-bytes!";
const NOW: i64 = 1_800_000_000;

fn key() -> Key {
    Key::hmac(SECRET).unwrap()
}

fn token(claims: Value) -> String {
    let mut claims = claims;
    claims["exp"] = json!(NOW + 600);
    Signer::new(key(), Algorithm::HS256)
        .unwrap()
        .encode(&claims)
        .unwrap()
}

fn verifier(rules: Vec<ClaimRule>) -> Verifier {
    Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key())
        .clock(ManualClock::new(NOW))
        .claim_rules(rules)
        .build()
        .unwrap()
}

/// The outcome of verifying `claims` under one rule, through both entry points.
fn outcome(rule: &ClaimRule, claims: &Value) -> Result<(), ErrorKind> {
    let v = verifier(vec![rule.clone()]);
    let t = token(claims.clone());
    let by_token = v.verify_token(&t).map(|_| ()).map_err(Error::into_kind);
    let by_type = v
        .verify::<RegisteredClaims>(&t)
        .map(|_| ())
        .map_err(Error::into_kind);
    assert_eq!(by_token, by_type, "{rule:?} on {claims}");
    // The rule as a route guard decides alike on the same claims.
    let mut with_exp = claims.clone();
    with_exp["exp"] = json!(NOW + 600);
    let guarded = check_rules(std::slice::from_ref(rule), &with_exp).map_err(Error::into_kind);
    assert_eq!(by_token, guarded, "check_rules: {rule:?} on {claims}");
    by_token
}

fn rejected(claim: &str) -> Result<(), ErrorKind> {
    Err(ErrorKind::ClaimRejected(claim.to_owned().into()))
}

#[test]
fn every_condition_passes_and_fails_exactly() {
    let cases: Vec<(ClaimRule, Value, Result<(), ErrorKind>)> = vec![
        // equals: exact JSON equality, no coercion.
        (
            ClaimRule::claim("token_use").equals("access"),
            json!({"token_use": "access"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("token_use").equals("access"),
            json!({"token_use": "id"}),
            rejected("token_use"),
        ),
        (
            ClaimRule::claim("token_use").equals("access"),
            json!({"token_use": "Access"}),
            rejected("token_use"),
        ),
        (
            ClaimRule::claim("token_use").equals("access"),
            json!({"token_use": ["access"]}),
            rejected("token_use"),
        ),
        (
            ClaimRule::claim("level").equals(1),
            json!({"level": 1}),
            Ok(()),
        ),
        (
            ClaimRule::claim("level").equals(1),
            json!({"level": "1"}),
            rejected("level"),
        ),
        (
            ClaimRule::claim("level").equals("1"),
            json!({"level": 1}),
            rejected("level"),
        ),
        (
            ClaimRule::claim("level").equals(1),
            json!({"level": 1.0}),
            rejected("level"),
        ),
        (
            ClaimRule::claim("email_verified").equals(true),
            json!({"email_verified": true}),
            Ok(()),
        ),
        (
            ClaimRule::claim("email_verified").equals(true),
            json!({"email_verified": "true"}),
            rejected("email_verified"),
        ),
        (
            ClaimRule::claim("email_verified").equals(true),
            json!({"email_verified": false}),
            rejected("email_verified"),
        ),
        // Unicode as is: precomposed é is not e + combining acute.
        (
            ClaimRule::claim("name").equals("caf\u{e9}"),
            json!({"name": "caf\u{e9}"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("name").equals("caf\u{e9}"),
            json!({"name": "cafe\u{301}"}),
            rejected("name"),
        ),
        // one_of
        (
            ClaimRule::claim("azp").one_of(["web-app", "cli"]),
            json!({"azp": "cli"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("azp").one_of(["web-app", "cli"]),
            json!({"azp": "other"}),
            rejected("azp"),
        ),
        (
            ClaimRule::claim("azp").one_of(["web-app", "cli"]),
            json!({"azp": ["cli"]}),
            rejected("azp"),
        ),
        // contains: an array element, or a word of a space-separated string
        (
            ClaimRule::claim("groups").contains("admin"),
            json!({"groups": ["user", "admin"]}),
            Ok(()),
        ),
        (
            ClaimRule::claim("groups").contains("admin"),
            json!({"groups": ["user", "administrator"]}),
            rejected("groups"),
        ),
        (
            ClaimRule::claim("groups").contains("admin"),
            json!({"groups": "user admin"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("groups").contains("admin"),
            json!({"groups": "user administrator"}),
            rejected("groups"),
        ),
        (
            ClaimRule::claim("groups").contains("admin"),
            json!({"groups": {"admin": true}}),
            rejected("groups"),
        ),
        (
            ClaimRule::claim("groups").contains(1),
            json!({"groups": [1, 2]}),
            Ok(()),
        ),
        (
            ClaimRule::claim("groups").contains(1),
            json!({"groups": "1 2"}),
            rejected("groups"),
        ),
        // contains_any / contains_all
        (
            ClaimRule::claim("groups").contains_any(["a", "b"]),
            json!({"groups": ["x", "b"]}),
            Ok(()),
        ),
        (
            ClaimRule::claim("groups").contains_any(["a", "b"]),
            json!({"groups": ["x", "y"]}),
            rejected("groups"),
        ),
        (
            ClaimRule::claim("groups").contains_any(["a", "b"]),
            json!({"groups": "x b"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("groups").contains_all(["a", "b"]),
            json!({"groups": ["b", "x", "a"]}),
            Ok(()),
        ),
        (
            ClaimRule::claim("groups").contains_all(["a", "b"]),
            json!({"groups": ["a", "x"]}),
            rejected("groups"),
        ),
        (
            ClaimRule::claim("groups").contains_all(["a", "b"]),
            json!({"groups": "b a"}),
            Ok(()),
        ),
        // present
        (
            ClaimRule::claim("act").present(true),
            json!({"act": {"sub": "x"}}),
            Ok(()),
        ),
        (
            ClaimRule::claim("act").present(true),
            json!({}),
            rejected("act"),
        ),
        (
            ClaimRule::claim("act").present(true),
            json!({"act": null}),
            rejected("act"),
        ),
        (ClaimRule::claim("act").present(false), json!({}), Ok(())),
        (
            ClaimRule::claim("act").present(false),
            json!({"act": null}),
            Ok(()),
        ),
        (
            ClaimRule::claim("act").present(false),
            json!({"act": "x"}),
            rejected("act"),
        ),
        // Names are exact, with ':', '/', '.'.
        (
            ClaimRule::claim("cognito:groups").contains("admins"),
            json!({"cognito:groups": ["admins"]}),
            Ok(()),
        ),
        (
            ClaimRule::claim("https://example.com/roles").contains("editor"),
            json!({"https://example.com/roles": ["editor"]}),
            Ok(()),
        ),
        (
            ClaimRule::claim("a.b").equals("x"),
            json!({"a": {"b": "x"}}),
            rejected("a.b"),
        ),
        // Pointers into nested claims.
        (
            ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            json!({"realm_access": {"roles": ["api-user"]}}),
            Ok(()),
        ),
        (
            ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            json!({"realm_access": {"roles": ["other"]}}),
            rejected("/realm_access/roles"),
        ),
        (
            ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            json!({"realm_access": {}}),
            rejected("/realm_access/roles"),
        ),
        (
            ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            json!({"realm_access": "x"}),
            rejected("/realm_access/roles"),
        ),
        (
            ClaimRule::at_pointer("/resource_access/my-api/roles/0").equals("first"),
            json!({"resource_access": {"my-api": {"roles": ["first", "second"]}}}),
            Ok(()),
        ),
        (
            ClaimRule::at_pointer("/https:~1~1example.com~1roles").contains("x"),
            json!({"https://example.com/roles": ["x"]}),
            Ok(()),
        ),
        (
            ClaimRule::at_pointer("/a~0b").equals(1),
            json!({"a~b": 1}),
            Ok(()),
        ),
        // Registered claims, read typed by the claims pass.
        (
            ClaimRule::claim("sub").one_of(["ada", "bob"]),
            json!({"sub": "bob"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("sub").one_of(["ada", "bob"]),
            json!({"sub": "eve"}),
            rejected("sub"),
        ),
        (
            ClaimRule::claim("jti").present(true),
            json!({"jti": "j1"}),
            Ok(()),
        ),
        (
            ClaimRule::claim("jti").present(true),
            json!({}),
            rejected("jti"),
        ),
        (
            ClaimRule::at_pointer("/iss").equals("https://idp"),
            json!({"iss": "https://idp"}),
            Ok(()),
        ),
    ];
    for (rule, claims, expected) in &cases {
        assert_eq!(&outcome(rule, claims), expected, "{rule:?} on {claims}");
    }
    // Every condition on a missing claim: claim_rejected, except present = false.
    let missing = [
        ClaimRule::claim("x").equals("a"),
        ClaimRule::claim("x").one_of(["a"]),
        ClaimRule::claim("x").contains("a"),
        ClaimRule::claim("x").contains_any(["a"]),
        ClaimRule::claim("x").contains_all(["a"]),
        ClaimRule::claim("x").present(true),
    ];
    for rule in &missing {
        assert_eq!(outcome(rule, &json!({"y": "a"})), rejected("x"), "{rule:?}");
        assert_eq!(
            outcome(rule, &json!({"x": null})),
            rejected("x"),
            "{rule:?} null"
        );
    }
}

#[test]
fn rules_run_after_the_registered_claims_in_order() {
    let v = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key())
        .clock(ManualClock::new(NOW))
        .audience("api")
        .claim_rule(ClaimRule::claim("a").equals(1))
        .claim_rule(ClaimRule::claim("b").equals(2))
        .build()
        .unwrap();
    let kind = |claims| v.verify_token(&token(claims)).err().map(Error::into_kind);
    // A wrong audience is invalid_audience, whatever the rules say.
    assert_eq!(
        kind(json!({"aud": "other"})),
        Some(ErrorKind::InvalidAudience)
    );
    // The first failing rule is the one reported.
    let err = v
        .verify_token(&token(json!({"aud": "api", "a": 0, "b": 0})))
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ClaimRejected("a".into()));
    let failure = err.claim_rule_failure().unwrap();
    assert_eq!(
        (
            failure.index(),
            failure.claim(),
            failure.condition(),
            failure.is_missing()
        ),
        (0, "a", "equals", false)
    );
    assert_eq!(
        failure.to_string(),
        "claims[0] (`a`, equals): the claim's value does not meet the condition"
    );
    let err = v
        .verify_token(&token(json!({"aud": "api", "a": 1})))
        .unwrap_err();
    let failure = err.claim_rule_failure().unwrap();
    assert_eq!((failure.index(), failure.is_missing()), (1, true));
    assert_eq!(
        failure.to_string(),
        "claims[1] (`b`, equals): the token has no such claim"
    );
    assert!(
        v.verify_token(&token(json!({"aud": "api", "a": 1, "b": 2})))
            .is_ok()
    );
    // A forged token failing a rule is invalid_signature: rules run after the signature.
    let bad = token(json!({"aud": "api"}));
    let forged = format!("{}x", &bad[..bad.len() - 1]);
    let kind = v.verify_token(&forged).err().map(Error::into_kind);
    assert!(
        matches!(
            kind,
            Some(ErrorKind::InvalidSignature | ErrorKind::Malformed(_))
        ),
        "{kind:?}"
    );
}

#[test]
fn the_strict_path_checks_the_rules_too() {
    // A type that stops reading at its first member: the one-pass read cannot decide, the
    // strict path does, and a rule failure wins over the claims mismatch.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct NeedsEmail {
        email: String,
    }
    let v = verifier(vec![ClaimRule::claim("tenant").equals("t1")]);
    let t = token(json!({"tenant": "t2"}));
    let kind = v.verify::<NeedsEmail>(&t).err().map(Error::into_kind);
    assert_eq!(kind, Some(ErrorKind::ClaimRejected("tenant".into())));
    let t = token(json!({"tenant": "t1"}));
    let kind = v.verify::<NeedsEmail>(&t).err().map(Error::into_kind);
    assert_eq!(kind, Some(ErrorKind::ClaimsMismatch));
    let t = token(json!({"tenant": "t1", "email": "a@b"}));
    assert_eq!(v.verify::<NeedsEmail>(&t).unwrap().claims.email, "a@b");
    // The captured member still reaches the caller's type intact.
    #[derive(Debug, Deserialize)]
    struct Tenant {
        tenant: String,
        groups: Vec<String>,
    }
    let v = verifier(vec![
        ClaimRule::claim("tenant").equals("t1"),
        ClaimRule::claim("groups").contains("g"),
    ]);
    let t = token(json!({"tenant": "t1", "groups": ["g", "h"]}));
    let claims = v.verify::<Tenant>(&t).unwrap().claims;
    assert_eq!((claims.tenant.as_str(), claims.groups.len()), ("t1", 2));
}

#[test]
fn the_error_answers_without_values() {
    let v = verifier(vec![ClaimRule::claim("azp").equals("web-app")]);
    let err = v
        .verify_token(&token(json!({"azp": "secret-value"})))
        .unwrap_err();
    assert_eq!(err.code(), "claim_rejected");
    assert!(err.kind().is_token_error());
    assert_eq!(
        err.description(),
        "the token is not accepted by a claim rule"
    );
    assert_eq!(err.to_string(), "claim `azp` rejected by a claim rule");
    let debug = format!("{err:?}");
    assert!(!debug.contains("secret-value"), "{debug}");
    assert!(!debug.contains("web-app"), "{debug}");
}

fn config_field(text: &str) -> String {
    match VerifierConfig::from_toml(text)
        .and_then(|c| c.build())
        .map_err(Error::into_kind)
    {
        Err(ErrorKind::InvalidConfig { field, .. }) => field.into_owned(),
        other => panic!("expected InvalidConfig, got {other:?}\n{text}"),
    }
}

const HS: &str =
    "algorithms = [\"HS256\"]\nkeys = [{ secret = \"claim-rules-test-secret-of-32-bytes!\" }]\n";

#[test]
fn config_rules_and_their_errors() {
    let text = format!(
        "{HS}\n[[claims]]\nname = \"token_use\"\nequals = \"access\"\n\
         [[claims]]\npointer = \"/realm_access/roles\"\ncontains = \"api-user\"\n\
         [[claims]]\nname = \"azp\"\none_of = [\"web-app\", \"cli\"]\n"
    );
    let config = VerifierConfig::from_toml(&text).unwrap();
    assert_eq!(
        config.claims,
        [
            ClaimRule::claim("token_use").equals("access"),
            ClaimRule::at_pointer("/realm_access/roles").contains("api-user"),
            ClaimRule::claim("azp").one_of(["web-app", "cli"]),
        ]
    );
    let v = config
        .build_in_with_clock(std::path::Path::new("."), ManualClock::new(NOW))
        .unwrap();
    let good =
        json!({"token_use": "access", "realm_access": {"roles": ["api-user"]}, "azp": "cli"});
    assert!(v.verify_token(&token(good.clone())).is_ok());
    let mut bad = good;
    bad["azp"] = json!("other");
    assert_eq!(
        v.verify_token(&token(bad)).err().map(Error::into_kind),
        Some(ErrorKind::ClaimRejected("azp".into()))
    );

    let rule = |body: &str| {
        format!("{HS}\n[[claims]]\nname = \"a\"\nequals = \"x\"\n[[claims]]\n{body}\n")
    };
    assert_eq!(
        config_field(&rule("name = \"b\"\nequals = 1\npresent = true")),
        "claims[1]"
    );
    assert_eq!(config_field(&rule("name = \"b\"")), "claims[1]");
    assert_eq!(config_field(&rule("equals = 1")), "claims[1]");
    assert_eq!(
        config_field(&rule("name = \"b\"\npointer = \"/b\"\nequals = 1")),
        "claims[1]"
    );
    assert_eq!(
        config_field(&rule("pointer = \"b\"\nequals = 1")),
        "claims[1].pointer"
    );
    assert_eq!(
        config_field(&rule("pointer = \"/b~2\"\nequals = 1")),
        "claims[1].pointer"
    );
    assert_eq!(
        config_field(&rule("name = \"b\"\none_of = []")),
        "claims[1].one_of"
    );
    assert_eq!(
        config_field(&rule("name = \"b\"\ncontains_any = []")),
        "claims[1].contains_any"
    );
    assert_eq!(
        config_field(&rule("name = \"b\"\ncontains_all = []")),
        "claims[1].contains_all"
    );
    assert_eq!(
        config_field(&rule("name = \"b\"\nequals = [1]")),
        "claims[1].equals"
    );
    assert_eq!(
        config_field(&rule("name = \"b\"\nequals = { x = 1 }")),
        "claims[1].equals"
    );
    // In a provider, under its prefix.
    assert_eq!(
        config_field(&format!(
            "[[providers]]\nissuer = \"a\"\n{HS}\n[[providers.claims]]\nname = \"b\"\none_of = []"
        )),
        "providers[0].claims[0].one_of"
    );
    // With providers, top-level rules are refused (each provider has its own).
    assert_eq!(
        config_field(&format!(
            "[[claims]]\nname = \"b\"\nequals = 1\n[[providers]]\nissuer = \"a\"\n{HS}"
        )),
        "claims"
    );
    // An unknown key in a rule is a config text error naming it.
    let err = VerifierConfig::from_toml(&rule("name = \"b\"\nequal = 1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration at `claims[1]` (line 9, column 1): unknown field `equal`, did you \
         mean `equals`?"
    );
    // JSON configs take the same rules.
    let json_config = VerifierConfig::from_json(
        r#"{"algorithms": ["HS256"], "keys": [{"secret": "claim-rules-test-secret-of-32-bytes!"}],
            "claims": [{"name": "level", "equals": 2}, {"pointer": "/a/b", "present": false}]}"#,
    )
    .unwrap();
    assert_eq!(
        json_config.claims,
        [
            ClaimRule::claim("level").equals(2),
            ClaimRule::at_pointer("/a/b").present(false)
        ]
    );
    // The builder refuses a bad rule the same way.
    let err = Verifier::builder()
        .algorithms([Algorithm::HS256])
        .key(key())
        .claim_rule(ClaimRule::claim("ok").present(true))
        .claim_rule(ClaimRule::claim("a").contains_all(Vec::<String>::new()))
        .build()
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidConfig { field, .. } if field == "claims[1].contains_all"),
        "{err:?}"
    );
}

#[test]
fn each_provider_applies_its_own_rules() {
    let text = format!(
        "[[providers]]\nissuer = \"a\"\n{HS}\nskip_audience_check = true\n\
         [[providers.claims]]\nname = \"token_use\"\nequals = \"access\"\n\
         [[providers]]\nissuer = \"b\"\n{HS}\nskip_audience_check = true\n"
    );
    let v = VerifierConfig::from_toml(&text)
        .unwrap()
        .build_in_with_clock(std::path::Path::new("."), ManualClock::new(NOW))
        .unwrap();
    let kind = |claims| v.verify_token(&token(claims)).err().map(Error::into_kind);
    assert_eq!(
        kind(json!({"iss": "a", "token_use": "id"})),
        Some(ErrorKind::ClaimRejected("token_use".into()))
    );
    assert_eq!(kind(json!({"iss": "a", "token_use": "access"})), None);
    assert_eq!(kind(json!({"iss": "b", "token_use": "id"})), None);
}
