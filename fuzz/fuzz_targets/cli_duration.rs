//! The CLI's duration parsing (`--exp 1h30m`, `--nbf -5m`) and time formatting. The CLI is a
//! binary crate and these functions are private to it, so the target compiles the CLI's own
//! `time.rs` in (`#[path]`, the exact file the binary builds; nothing is made public).
//! Properties: no panic; a parsed duration prints back as a bare number that parses to the same
//! value; a bare decimal number parses as itself; `rfc3339` gives `YYYY-MM-DDTHH:MM:SSZ` within
//! years 0000..=9999; `describe` never panics for any pair of times.
//!
//! Input: `text` (the duration), or for the formatting part its first 16 bytes as two `i64`.
#![no_main]

#[allow(dead_code, unreachable_pub)]
#[path = "../../crates/jwt-guard-cli/src/time.rs"]
mod time;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match time::parse_duration(text) {
            Ok(secs) => {
                assert_eq!(
                    time::parse_duration(&secs.to_string()),
                    Ok(secs),
                    "{text:?}"
                );
                let digits = text.strip_prefix('+').unwrap_or(text);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    assert_eq!(Ok(secs), digits.parse::<i64>(), "bare number {text:?}");
                }
            }
            Err(message) => assert!(message.starts_with("invalid duration")),
        }
    }
    if let Some((a, b)) = data.get(..8).zip(data.get(8..16)) {
        let at = i64::from_le_bytes(a.try_into().unwrap());
        let now = i64::from_le_bytes(b.try_into().unwrap());
        let shown = time::rfc3339(at);
        if (-62_167_219_200..=253_402_300_799).contains(&at) {
            let b = shown.as_bytes();
            assert_eq!(b.len(), 20, "{shown}");
            assert!(
                b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[19] == b'Z',
                "{shown}"
            );
        }
        let _ = time::describe(at, now);
        let _ = time::span(at.unsigned_abs());
    }
});
