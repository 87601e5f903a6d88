//! Hostile input, deterministically: tens of thousands of mutated, truncated, spliced and
//! synthesized tokens go through `verify`; none may panic, hang, or be accepted unless it is
//! byte-identical to a genuine token, and every rejection must be a token error (never a
//! configuration error). A seeded generator makes every failure reproducible.

use std::panic::{AssertUnwindSafe, catch_unwind};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_guard_core::{Algorithm, Key, ManualClock, Signer, Verifier, keygen};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;

/// xorshift64*: a tiny deterministic generator for test inputs (not for anything secret).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn byte(&mut self) -> u8 {
        const INTERESTING: &[u8] = b"=+/-_.\0 \"\\{}[]:,\n\r\t\x7f\xff\xc3\xa9AZaz09";
        if self.below(2) == 0 {
            INTERESTING[self.below(INTERESTING.len())]
        } else {
            (self.next() & 0xff) as u8
        }
    }
}

fn setup(alg: Algorithm) -> (Verifier, Vec<String>) {
    let key: Key = keygen::generate(alg).unwrap().key().clone().with_kid("k");
    let verifier = Verifier::builder()
        .algorithms([alg, Algorithm::HS256])
        .key(key.clone())
        .issuer("iss")
        .audience("aud")
        .required_claims(["sub"])
        .clock(ManualClock::new(NOW))
        .build()
        .unwrap();
    let signer = Signer::new(key, alg).unwrap();
    let tokens = [
        json!({"iss": "iss", "aud": "aud", "sub": "s", "exp": NOW + 60}),
        json!({"iss": "iss", "aud": ["x", "aud"], "sub": "s", "exp": NOW + 60, "nbf": NOW, "iat": NOW,
               "nested": {"a": [1, 2.5, null, true, "\u{e9}\\\""]}}),
    ]
    .iter()
    .map(|c| signer.encode(c).unwrap())
    .collect();
    (verifier, tokens)
}

fn mutate(rng: &mut Rng, genuine: &[String]) -> Vec<u8> {
    let mut t = genuine[rng.below(genuine.len())].clone().into_bytes();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        let len = t.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                t[i] = rng.byte();
            }
            1 => {
                let i = rng.below(len + 1);
                t.insert(i, rng.byte());
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(16)).min(len);
                t.drain(i..j);
            }
            3 => t.truncate(rng.below(len + 1)),
            4 => {
                // Splice a part of another genuine token in.
                let other = genuine[rng.below(genuine.len())].as_bytes();
                let parts: Vec<&[u8]> = other.split(|b| *b == b'.').collect();
                let piece = parts[rng.below(parts.len())];
                let i = rng.below(len + 1);
                t.splice(i..i, piece.iter().copied());
            }
            5 => {
                // Replace one segment with base64url of hostile JSON.
                let hostile = hostile_json(rng);
                let mut parts: Vec<Vec<u8>> = t.split(|b| *b == b'.').map(<[u8]>::to_vec).collect();
                let k = rng.below(parts.len());
                parts[k] = B64.encode(hostile).into_bytes();
                t = parts.join(&b'.');
            }
            6 => t.extend_from_slice(b"."),
            7 if len > 0 => {
                let i = rng.below(len);
                t[i] = b'.';
            }
            _ => {
                let i = rng.below(len + 1);
                let n = rng.below(64);
                t.splice(i..i, std::iter::repeat_n(b'A', n));
            }
        }
    }
    t
}

fn hostile_json(rng: &mut Rng) -> Vec<u8> {
    let pick = rng.below(12);
    let s = match pick {
        0 => format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        1 => format!("{{\"a\":{}1{}}}", "{\"a\":".repeat(300), "}".repeat(300)),
        2 => r#"{"alg":"HS256","alg":"none"}"#.to_owned(),
        3 => r#"{"alg":"none"}"#.to_owned(),
        4 => r#"{"exp":1e999999,"iss":"iss"}"#.to_owned(),
        5 => r#"{"exp":-9223372036854775809}"#.to_owned(),
        6 => r#"{"alg":"HS256","crit":["b64"],"b64":false}"#.to_owned(),
        7 => format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(20_000)),
        8 => "\u{feff}{\"alg\":\"HS256\"}".to_owned(),
        9 => r#"{"aud":[[[]]],"sub":{"$ref":"x"}}"#.to_owned(),
        10 => String::from_utf8_lossy(&(0..rng.below(200)).map(|_| rng.byte()).collect::<Vec<_>>()).into_owned(),
        _ => r#"{"alg":"HS256","jku":"http://127.0.0.1:9/","x5u":"file:///etc/passwd","jwk":{"kty":"oct","k":""}}"#.to_owned(),
    };
    s.into_bytes()
}

fn run(alg: Algorithm, cases: usize, seed: u64) {
    let (verifier, genuine) = setup(alg);
    let mut rng = Rng(seed);
    let (mut rejected, mut accepted) = (0usize, 0usize);
    for case in 0..cases {
        let bytes = mutate(&mut rng, &genuine);
        let token = String::from_utf8_lossy(&bytes).into_owned();
        let outcome = catch_unwind(AssertUnwindSafe(|| verifier.verify::<Value>(&token)));
        match outcome {
            Err(_) => panic!("{alg} seed {seed} case {case}: verify panicked on {token:?}"),
            Ok(Ok(_)) => {
                assert!(
                    genuine.contains(&token),
                    "{alg} case {case}: accepted a mutated token {token:?}"
                );
                accepted += 1;
            }
            Ok(Err(e)) => {
                assert!(
                    e.kind().is_token_error(),
                    "{alg} case {case}: {e:?} is not a token error"
                );
                assert!(jwt_guard_core::http::BearerError::for_error(e.kind()).is_some());
                let description = e.description();
                assert!(
                    description
                        .bytes()
                        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
                    "{alg} case {case}: description {description:?} leaves RFC 6750's character set"
                );
                rejected += 1;
            }
        }
    }
    assert_eq!(rejected + accepted, cases);
    assert!(
        rejected > cases * 9 / 10,
        "{alg}: only {rejected} of {cases} mutations were rejected"
    );
}

#[test]
fn mutated_hs256_tokens_never_panic_or_pass() {
    run(Algorithm::HS256, 40_000, 0x9e37_79b9_7f4a_7c15);
}

#[test]
fn mutated_asymmetric_tokens_never_panic_or_pass() {
    for (alg, seed) in [
        (Algorithm::RS256, 1),
        (Algorithm::PS256, 2),
        (Algorithm::ES256, 3),
        (Algorithm::ES512, 4),
        (Algorithm::EdDSA, 5),
    ] {
        run(alg, 1_500, seed);
    }
}

#[test]
fn arbitrary_strings_never_panic() {
    let (verifier, _) = setup(Algorithm::HS256);
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        let token = String::from_utf8_lossy(&bytes).into_owned();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _ = verifier.verify::<Value>(&token);
            let _ = jwt_guard_core::dangerous::decode_unverified::<Value>(&token);
            let _ = Key::from_jwk_json(&token);
            let _ = jwt_guard_core::KeySet::from_jwks_json(&token);
            let _ = Key::from_pem(&bytes);
            let _ = Key::from_der(&bytes);
        }));
        assert!(result.is_ok(), "panicked on {token:?}");
    }
}
