//! Reading JSON strictly with serde: strings borrowed from the input when they can be, member
//! names checked for duplicates (which serde's maps would silently overwrite) at a cost measured
//! on the hot path, and a slot through which a visitor reports the rule it enforced.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::error::ErrorKind;

/// A borrowed-when-possible string (serde's `Cow` impl always allocates).
pub(crate) struct BorrowedStr<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BorrowedStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Member names seen so far in one object: eight inline (with a 64-bit fingerprint each, so a
/// new name is string-compared only against a name with the same fingerprint), then a hash set
/// (so a 16 KiB object of tiny members stays linear and a small one does not allocate).
pub(super) struct SeenNames<'de> {
    len: usize,
    fingerprints: [u64; 8],
    inline: [Cow<'de, str>; 8],
    large: Option<HashSet<Cow<'de, str>>>,
}

impl Default for SeenNames<'_> {
    fn default() -> Self {
        SeenNames {
            len: 0,
            fingerprints: [0; 8],
            inline: [const { Cow::Borrowed("") }; 8],
            large: None,
        }
    }
}

/// FNV-1a over a member name's bytes (names are short; this is cheaper than a string compare).
fn name_fingerprint(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl<'de> SeenNames<'de> {
    /// `false` if `name` was already seen.
    pub(super) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if let Some(large) = &mut self.large {
            return large.insert(name);
        }
        let print = name_fingerprint(&name);
        let used = self.fingerprints.get(..self.len).unwrap_or_default();
        for (i, seen) in used.iter().enumerate() {
            if *seen == print && self.inline.get(i).is_some_and(|n| *n == name) {
                return false;
            }
        }
        if let (Some(slot), Some(fp)) = (
            self.inline.get_mut(self.len),
            self.fingerprints.get_mut(self.len),
        ) {
            *slot = name;
            *fp = print;
            self.len += 1;
        } else {
            let mut large: HashSet<Cow<'de, str>> =
                self.inline.iter_mut().map(std::mem::take).collect();
            large.insert(name);
            self.large = Some(large);
        }
        true
    }
}

/// Where a visitor records the rule it enforced (the serde error itself carries no kind).
pub(super) struct Slot<'s>(pub(super) &'s mut Option<ErrorKind>);

impl Slot<'_> {
    pub(super) fn fail<E: de::Error>(&mut self, kind: ErrorKind) -> E {
        *self.0 = Some(kind);
        E::custom("rejected")
    }
}

/// The fault to report for `json` whose reader stopped at `fault`: `fault` if `json` is valid
/// JSON, else `Malformed(not_json)`. The readers stop at the first fault they meet, and JSON that
/// breaks just after a claim's name looked to them like a wrongly typed value, so the answer
/// depended on the claims type (found by fuzzing). Only on the error path: a second, syntax-only
/// read.
pub(crate) fn syntax_first(json: &[u8], fault: ErrorKind, not_json: &'static str) -> ErrorKind {
    match serde_json::from_slice::<de::IgnoredAny>(json) {
        Ok(_) => fault,
        Err(_) => ErrorKind::Malformed(not_json),
    }
}
