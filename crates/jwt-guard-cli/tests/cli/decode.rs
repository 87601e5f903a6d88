//! `jwt-guard decode`: pretty header and claims, times, and the UNVERIFIED line.

use jwt_guard_core::Algorithm;
use serde_json::json;

use crate::support::{NOW, SECRET, assert_printable_ascii, hs256_token, jwt_guard, signed};

const UNVERIFIED: &str = "UNVERIFIED: the signature and the claims were not checked; use `jwt-guard verify --config FILE` to check them\n";

const EXPECTED: &str = r#"{
  "claims": {
    "exp": 1700000600,
    "iat": 1700000000,
    "nbf": 1699999939.5,
    "sub": "ada"
  },
  "header": {
    "alg": "HS256",
    "kid": "k1",
    "typ": "JWT"
  },
  "times": {
    "exp": "2023-11-14T22:23:20Z (in 10m)",
    "iat": "2023-11-14T22:13:20Z (now)",
    "nbf": "2023-11-14T22:12:19Z (1m 1s ago)"
  }
}
"#;

fn claims() -> serde_json::Value {
    json!({"sub": "ada", "exp": NOW + 600, "iat": NOW, "nbf": 1_699_999_939.5})
}

#[test]
fn prints_header_claims_and_readable_times_and_says_unverified() {
    let run = jwt_guard(["decode", "--now", &NOW.to_string()])
        .command_arg(hs256_token(claims()))
        .run();
    assert_eq!(run.ok(), EXPECTED);
    assert_eq!(run.stderr, UNVERIFIED);
}

#[test]
fn does_not_check_the_signature() {
    // Signed with a secret no one knows: decode still shows it, and still says UNVERIFIED.
    let token = signed(
        b"some other secret of 32 bytes..!",
        Algorithm::HS256,
        Some("k1"),
        claims(),
    );
    let run = jwt_guard(["decode", "--now", &NOW.to_string(), &token]).run();
    assert_eq!(run.ok(), EXPECTED);
    assert_eq!(run.stderr, UNVERIFIED);
}

#[test]
fn reads_stdin_and_accepts_bearer() {
    let token = hs256_token(claims());
    for args in [
        vec!["decode", "--now", "1700000000"],
        vec!["decode", "--now", "1700000000", "-"],
    ] {
        let run = jwt_guard(args).stdin(format!("Bearer {token}\n")).run();
        assert_eq!(run.ok(), EXPECTED);
    }
}

#[test]
fn without_times_the_times_object_is_empty() {
    let run = jwt_guard(["decode", &hs256_token(json!({"sub": "x"}))]).run();
    let value: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(value["times"], json!({}));
    assert_eq!(value["claims"], json!({"sub": "x"}));
}

#[test]
fn a_malformed_token_exits_1_and_no_token_exits_2() {
    for token in ["abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"] {
        let run = jwt_guard(["decode", token]).run();
        let stderr = run.fails(1);
        assert!(
            stderr.starts_with("error: malformed: malformed token: "),
            "{stderr}"
        );
        assert!(!stderr.contains("UNVERIFIED"), "{stderr}");
    }
    let run = jwt_guard(["decode"]).run();
    assert!(run.fails(2).starts_with("error: no token given"), "{run:?}");
}

/// Claim names and values and a header `kid` carrying what a terminal acts on or hides: C1
/// controls (U+0085 NEL, U+009B CSI), ESC and BEL, DEL, a bidi override and isolates, a
/// zero-width space, a tag character (beyond the BMP), a newline.
const HIDDEN_KID: &str = "k\u{85}\u{1b}[31m\u{202e}";

fn hidden_claims() -> serde_json::Value {
    json!({
        "na\u{200b}me": "a\u{9b}b\u{1b}c\u{202e}d",
        "sub": "\u{2066}x\u{2069}\u{7f}\u{7}",
        "tag": "\u{e0041}",
        "x\nnote": "y",
    })
}

/// JSON escapes for every character that does not print (`\u` + four hex digits, a surrogate
/// pair beyond the BMP), so the output is still JSON and reads back to the same values.
const EXPECTED_ESCAPED: &str = r#"{
  "claims": {
    "na\u200bme": "a\u009bb\u001bc\u202ed",
    "sub": "\u2066x\u2069\u007f\u0007",
    "tag": "\udb40\udc41",
    "x\nnote": "y"
  },
  "header": {
    "alg": "HS256",
    "kid": "k\u0085\u001b[31m\u202e",
    "typ": "JWT"
  },
  "times": {}
}
"#;

#[test]
fn characters_that_do_not_print_are_escaped_in_names_values_and_header() {
    let token = signed(SECRET, Algorithm::HS256, Some(HIDDEN_KID), hidden_claims());
    let run = jwt_guard(["decode", "--now", &NOW.to_string(), &token]).run();
    assert_eq!(run.ok(), EXPECTED_ESCAPED);
    assert_eq!(run.stderr, UNVERIFIED);
    assert_printable_ascii(&run.stdout);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["claims"], hidden_claims());
    assert_eq!(value["header"]["kid"], HIDDEN_KID);
}

#[test]
fn visible_non_ascii_text_is_printed_as_is() {
    // Precomposed and combining accents, Devanagari with its vowel signs and virama (combining
    // marks), CJK, an emoji: all print, none is escaped.
    let text = "Jos\u{e9} Jose\u{301} \u{928}\u{92e}\u{938}\u{94d}\u{924}\u{947} \u{4e2d}\u{6587} \u{1f511}";
    let run = jwt_guard(["decode", &hs256_token(json!({"name": text}))]).run();
    assert!(
        run.ok().contains(&format!("\"name\": \"{text}\"")),
        "{run:?}"
    );
}
