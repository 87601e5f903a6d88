//! base64url as JWS uses it (RFC 7515 §2): strict for tokens, lenient for configured keys.

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Token parts: URL-safe alphabet, no padding, no whitespace, trailing bits must be zero.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// JWK members: URL-safe alphabet, padding tolerated.
const JWK: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Configured secrets: the standard alphabet, padding tolerated.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(crate) fn decode_strict(input: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STRICT.decode(input)
}

/// Strict decoding straight into a shared buffer of the exact size (one allocation, no copy:
/// a verified token's claims live in an `Arc<[u8]>` that the verified-token cache shares).
pub(crate) fn decode_strict_shared(input: &str) -> Result<std::sync::Arc<[u8]>, ()> {
    // Unpadded base64: 4 characters are 3 bytes, a tail of 2 or 3 characters 1 or 2 bytes.
    let len = match input.len() % 4 {
        1 => return Err(()),
        tail => input.len() / 4 * 3 + tail.saturating_sub(1),
    };
    let mut shared: std::sync::Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
    let buf = std::sync::Arc::get_mut(&mut shared).ok_or(())?;
    match STRICT.decode_slice(input, buf) {
        Ok(n) if n == len => Ok(shared),
        _ => Err(()),
    }
}

/// Strict decoding into `buf` when it is large enough (no allocation), else onto the heap.
pub(crate) fn decode_strict_into<'b>(input: &str, buf: &'b mut [u8]) -> Result<Cow<'b, [u8]>, ()> {
    if base64::decoded_len_estimate(input.len()) <= buf.len() {
        let n = STRICT.decode_slice(input, &mut *buf).map_err(|_| ())?;
        buf.get(..n).map(Cow::Borrowed).ok_or(())
    } else {
        STRICT.decode(input).map(Cow::Owned).map_err(|_| ())
    }
}

pub(crate) fn encode(input: &[u8]) -> String {
    STRICT.encode(input)
}

pub(crate) fn encode_into(input: &[u8], out: &mut String) {
    STRICT.encode_string(input, out);
}

pub(crate) fn decode_jwk_member(input: &str) -> Result<Vec<u8>, base64::DecodeError> {
    JWK.decode(input)
}

/// Standard or URL-safe alphabet, with or without padding.
pub(crate) fn decode_lenient(input: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD_LENIENT
        .decode(input)
        .or_else(|_| JWK.decode(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_decoding_is_strict_decoding() {
        for input in [
            "",
            "QQ",
            "QUI",
            "QUJD",
            "QUJDRA",
            "eyJhIjoxfQ",
            "QUJDRA=",
            "QR",
            "Q",
            "QUJD+",
        ] {
            let shared = decode_strict_shared(input).ok();
            let strict = decode_strict(input).ok();
            assert_eq!(shared.as_deref(), strict.as_deref(), "{input:?}");
        }
    }

    #[test]
    fn strict_rejects_padding_alphabet_whitespace_and_trailing_bits() {
        assert_eq!(decode_strict("YWI").ok(), Some(b"ab".to_vec()));
        assert!(decode_strict("YWI=").is_err(), "padding");
        assert!(decode_strict("+/8").is_err(), "standard alphabet");
        assert!(decode_strict("YW I").is_err(), "whitespace");
        assert!(decode_strict("YWJ").is_err(), "non-zero trailing bits");
        assert!(decode_strict("Y").is_err(), "impossible length");
    }

    #[test]
    fn into_buffer_or_heap() {
        let mut small = [0u8; 4];
        assert_eq!(
            decode_strict_into("YWI", &mut small).ok().as_deref(),
            Some(&b"ab"[..])
        );
        assert!(matches!(
            decode_strict_into("YWJjZGVmZ2g", &mut small),
            Ok(Cow::Owned(_))
        ));
        assert!(decode_strict_into("YWI=", &mut small).is_err());
    }

    #[test]
    fn lenient_accepts_both_alphabets() {
        assert_eq!(decode_lenient("+/8=").ok(), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_lenient("-_8").ok(), Some(vec![0xfb, 0xff]));
    }
}
