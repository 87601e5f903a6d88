//! The verified-token cache (issue 16) as the middleware uses it: a sequence of requests from
//! the fuzzer, each decided by two guards over one verifier, one clock and one revocation
//! store, the first with the cache on (four entries, so entries are evicted), the second with
//! it off (`BearerGuard::admit`, what both adapters call; with the cache on it finds the token
//! without the RFC 6750 syntax check and looks it up first). Between requests the clock moves
//! (either way) and tokens are revoked, as the program says. Property: every request gets the same answer
//! from both (the same claims, or the same status, code, description and challenge): a cache
//! hit never passes what a full verification refuses (expired since, not yet valid, revoked,
//! a forged token sharing a cached token's length and tail, a token with a character a header
//! may carry but a token may not), nor refuses what it passes; an accepted token meets the
//! verifier's rules at the clock's time; every refusal's answer is RFC 6750-safe.
//!
//! Tokens: four fixed ones (HS256 and ES256, with `jti`/`sub`, one not valid before 20 s, one
//! expiring after 30 s), and two from the input: its header and claims bytes signed with HS256,
//! and its claims under a fixed header signed with ES256.
//!
//! Input: `header NUL claims NUL program`; the program is a list of operations, one byte each
//! plus its operands (`op % 8`): 0-2 a request with token `a` in the place `op >> 3` names
//! (Authorization, cookie, query, or Authorization and a cookie with token `b`); 3 the same with
//! token `a` changed at one position; 4 the clock moves `n` seconds on (or back, bit 3); 5 `jti` of token `a`
//! revoked; 6 every token of `sub` `a` issued before now revoked; 7 `Authorization` with one of a
//! few scheme spellings. At most 48 operations.
#![no_main]

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use jwt_guard_core::__private::{Admission, BearerGuard};
use jwt_guard_core::cache::CacheConfig;
use jwt_guard_core::http::{BearerAuth, TokenLocations};
use jwt_guard_core::revocation::{MemoryStore, RevocationStore};
use jwt_guard_core::{Algorithm, Clock, Key, ManualClock, Verifier};
use jwt_guard_fuzz::*;
use libfuzzer_sys::fuzz_target;

const LEEWAY: i64 = 5;
const MAX_AGE: i64 = 600;
const MAX_OPS: usize = 48;

struct Keys {
    hmac: Key,
    p256_private: Key,
    p256_public: Key,
    /// The fixed tokens, with their `jti` and `sub` (for the revocations).
    fixed: Vec<(String, Option<String>, String)>,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    let hmac = hmac_key();
    let p256_private = pem_key(P256_PRIVATE);
    let p256_public = pem_key(P256_PUBLIC);
    let claims = |jti: Option<&str>, sub: &str, extra: serde_json::Value| {
        let mut c = serde_json::json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": NOW, "exp": NOW + 3600,
        });
        if let Some(jti) = jti {
            c["jti"] = jti.into();
        }
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        serde_json::to_vec(&c).unwrap()
    };
    let hs = br#"{"alg":"HS256","typ":"JWT"}"#;
    let es = br#"{"alg":"ES256","typ":"JWT"}"#;
    let mut fixed = Vec::new();
    let mut push = |key: &Key, alg, header: &[u8], jti: Option<&str>, sub: &str, extra| {
        let token = sign_compact(key, alg, header, &claims(jti, sub, extra));
        fixed.push((token, jti.map(str::to_owned), sub.to_owned()));
    };
    push(
        &hmac,
        Algorithm::HS256,
        hs,
        Some("j0"),
        "ada",
        serde_json::json!({ "exp": NOW + 30 }),
    );
    push(
        &p256_private,
        Algorithm::ES256,
        es,
        Some("j1"),
        "bob",
        serde_json::json!({}),
    );
    push(
        &hmac,
        Algorithm::HS256,
        hs,
        Some("j2"),
        "ada",
        serde_json::json!({ "nbf": NOW + 20 }),
    );
    push(
        &p256_private,
        Algorithm::ES256,
        es,
        None,
        "cy",
        serde_json::json!({ "iat": NOW - 590 }),
    );
    Keys {
        hmac,
        p256_private,
        p256_public,
        fixed,
    }
});

struct Base {
    clock: ManualClock,
    /// The verifier, the token locations (`Authorization`, the cookie `at`, the query
    /// `access_token`) and the realm; no cache, no store.
    auth: BearerAuth,
}

static BASE: LazyLock<Base> = LazyLock::new(|| {
    let keys = &*KEYS;
    let clock = ManualClock::new(NOW);
    let verifier = Verifier::builder()
        .algorithms([Algorithm::HS256, Algorithm::ES256])
        .keys([keys.hmac.clone(), keys.p256_public.clone()])
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .leeway(Duration::from_secs(LEEWAY as u64))
        .max_age(Duration::from_secs(MAX_AGE as u64))
        .clock(clock.clone())
        .build()
        .unwrap();
    let auth = BearerAuth::new(verifier)
        .with_cache(&CacheConfig::off())
        .with_token_locations(TokenLocations::new().cookie("at").query("access_token"))
        .with_realm("fuzz");
    Base { clock, auth }
});

/// What a guard answered, for comparing the two.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Passed(String),
    Refused {
        status: u16,
        code: String,
        description: String,
        challenge: Option<String>,
    },
}

fn answer(guard: &BearerGuard<Fuzz>, request: &http::request::Parts, token: &str) -> Answer {
    let outcome = match guard.admit(request) {
        Admission::Refuse(refusal) => Err(refusal),
        Admission::Anonymous => panic!("required mode never passes a request anonymous"),
        Admission::Pass(passed) => Ok(passed),
        Admission::Verify(verification) => block_on(verification),
    };
    match outcome {
        Ok(passed) => Answer::Passed(
            String::from_utf8(passed.token.payload_json().to_vec())
                .expect("an accepted payload is UTF-8"),
        ),
        Err(refusal) => {
            let rejection = refusal.rejection();
            check_rejection(rejection, token);
            Answer::Refused {
                status: rejection.status().as_u16(),
                code: rejection.error_code().to_owned(),
                description: rejection.description().into_owned(),
                challenge: rejection.www_authenticate(),
            }
        }
    }
}

/// A small cursor over the program bytes.
struct Program<'a>(&'a [u8]);

impl Program<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }
}

const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `token` with one change `how` and `at` choose: a base64url character replaced by another
/// (counted from the end for odd `how`, so the signature's tail and the first segment are both
/// reached), a character a header value may carry but a `b64token` may not, one dropped, one
/// added.
fn mutate(token: &str, how: u8, at: u8) -> String {
    let mut bytes = token.as_bytes().to_vec();
    if bytes.is_empty() {
        return String::new();
    }
    let len = bytes.len();
    let i = if how & 1 == 0 {
        usize::from(at) % len
    } else {
        len - 1 - usize::from(at) % len
    };
    match (how >> 1) % 4 {
        0 => {
            let next = B64URL
                .iter()
                .position(|c| *c == bytes[i])
                .map_or(b'A', |p| B64URL[(p + 1 + usize::from(at >> 4)) % 64]);
            bytes[i] = next;
        }
        1 => bytes[i] = [b'!', b'"', b'*', b'=', b'+', b'/', b'~', b' '][usize::from(at) % 8],
        2 => {
            bytes.remove(i);
        }
        _ => bytes.insert(i, B64URL[usize::from(at) % 64]),
    }
    String::from_utf8(bytes).unwrap()
}

const SCHEMES: [&str; 6] = [
    "Bearer ", "bearer ", "BEARER ", "Bearer  ", "Bearer\t", "Basic ",
];

fuzz_target!(|data: &[u8]| {
    let (header, rest) = split_nul(data);
    let (claims, program) = split_nul(rest);
    let keys = &*KEYS;
    let mut tokens: Vec<String> = keys.fixed.iter().map(|(t, _, _)| t.clone()).collect();
    tokens.push(sign_compact(&keys.hmac, Algorithm::HS256, header, claims));
    tokens.push(sign_compact(
        &keys.p256_private,
        Algorithm::ES256,
        br#"{"alg":"ES256"}"#,
        claims,
    ));

    // One verifier, clock and settings for every input (building them, and a default cache of
    // 10,000 entries per `BearerAuth::new`, per input cost more than the requests); the clock
    // is set back, and the store and the cache are new, so an input's answers depend on it
    // alone.
    let base = &*BASE;
    let clock = &base.clock;
    clock.set(NOW);
    let store: Arc<dyn RevocationStore> = Arc::new(MemoryStore::new(64).with_clock(clock.clone()));
    let guard = |cache: CacheConfig| {
        BearerGuard::<Fuzz>::new(
            base.auth
                .clone()
                .with_cache(&cache)
                .with_revocation(Arc::clone(&store)),
        )
    };
    let cached = guard(CacheConfig::with_max_entries(4));
    let uncached = guard(CacheConfig::off());

    let mut program = Program(program);
    for _ in 0..MAX_OPS {
        let Some(op) = program.byte() else {
            break;
        };
        let pick = |program: &mut Program| usize::from(program.byte().unwrap_or(0)) % tokens.len();
        let mut request = http::Request::get("/");
        let carried: String;
        match op % 8 {
            0..=3 => {
                let a = pick(&mut program);
                let mut token = tokens[a].clone();
                if op % 8 == 3 {
                    let how = program.byte().unwrap_or(0);
                    let at = program.byte().unwrap_or(0);
                    token = mutate(&token, how, at);
                }
                match (op >> 3) % 4 {
                    0 => request = request.header("authorization", format!("Bearer {token}")),
                    1 => request = request.header("cookie", format!("x=1; at={token}")),
                    2 => request = request.uri(format!("/?access_token={token}")),
                    _ => {
                        let b = pick(&mut program);
                        request = request
                            .header("authorization", format!("Bearer {token}"))
                            .header("cookie", format!("at={}", tokens[b]));
                    }
                }
                carried = token;
            }
            4 => {
                // Forward, or back (a clock set back, or a token cached before its `nbf`
                // is reached again from the other side: a hit re-checks every time rule).
                let n = i64::from(program.byte().unwrap_or(1));
                clock.advance(if op & 8 == 0 { n } else { -n });
                continue;
            }
            5 => {
                let a = pick(&mut program);
                if let Some((_, Some(jti), _)) = keys.fixed.get(a) {
                    block_on(store.revoke_jti(jti, NOW + 7200)).unwrap();
                }
                continue;
            }
            6 => {
                let a = pick(&mut program);
                if let Some((_, _, sub)) = keys.fixed.get(a) {
                    block_on(store.revoke_subject_before(sub, clock.now())).unwrap();
                }
                continue;
            }
            _ => {
                let a = pick(&mut program);
                let scheme = SCHEMES[usize::from(op >> 3) % SCHEMES.len()];
                carried = tokens[a].clone();
                request = request.header("authorization", format!("{scheme}{carried}"));
            }
        }
        // A mutation may make a value no header or URI can hold: nothing to send.
        let Ok(request) = request.body(()) else {
            continue;
        };
        let (parts, ()) = request.into_parts();
        let with_cache = answer(&cached, &parts, &carried);
        let without = answer(&uncached, &parts, &carried);
        assert_eq!(
            with_cache,
            without,
            "the cache changed the answer at t = NOW + {}",
            clock.now() - NOW
        );
        if let Answer::Passed(payload) = &with_cache {
            Rules {
                now: clock.now(),
                leeway: LEEWAY,
                issuers: vec![ISSUER.into()],
                audiences: vec![AUDIENCE.into()],
                require_exp: true,
                max_age: Some(MAX_AGE),
                ..Rules::default()
            }
            .check_accepted(payload.as_bytes());
        }
    }
});
