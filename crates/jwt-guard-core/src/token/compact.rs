//! The compact serialization: the three parts of a JWS, and the fingerprint of a header segment
//! that the verifier's header memo is keyed on.

use crate::error::{Error, ErrorKind, Result};

/// The three base64url parts of a compact JWS, still encoded.
#[derive(Clone, Copy)]
pub(crate) struct Compact<'a> {
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
    /// `header || '.' || payload`, the JWS signing input.
    pub(crate) signing_input: &'a [u8],
}

pub(crate) fn split(token: &str) -> Result<Compact<'_>> {
    let malformed = || {
        Error::new(ErrorKind::Malformed(
            "a JWT has exactly three dot-separated parts",
        ))
    };
    let (header, rest) = token.split_once('.').ok_or_else(malformed)?;
    let (payload, signature) = rest.split_once('.').ok_or_else(malformed)?;
    if signature.contains('.') {
        return Err(malformed());
    }
    let signing_len = header.len() + 1 + payload.len();
    let signing_input = token.as_bytes().get(..signing_len).ok_or_else(malformed)?;
    Ok(Compact {
        header,
        payload,
        signature,
        signing_input,
    })
}

/// A 64-bit fingerprint of a header segment (tens of bytes), eight bytes per
/// step (FxHash's multiplier). Not collision-resistant: it only decides which entries are worth a
/// full comparison, so a collision costs a string compare, never a wrong answer.
pub(crate) fn fingerprint(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = step(0, bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = step(h, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        if let Some(head) = word.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        h = step(h, u64::from_le_bytes(word));
    }
    // The multiply leaves the low bits weakly mixed; fold the high half in.
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_needs_exactly_three_parts() {
        assert!(split("a.b.c").is_ok());
        assert!(split("a.b..").is_err());
        assert!(split("a.b").is_err());
        assert!(split("abc").is_err());
        let c = split("h.p.s").ok();
        assert_eq!(c.map(|c| c.signing_input), Some(&b"h.p"[..]));
    }
}
