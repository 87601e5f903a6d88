//! [`KeySet`]: many keys, found by `kid` (a map lookup) or, without one, by algorithm.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::error::{Error, ErrorKind, Result};
use crate::jwk::{Jwk, JwkSet};
use crate::key::material::KeyOptions;
use crate::key::sign::Key;

/// Keys that a JWKS held but that could not be used (and why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// Position in the `keys` array.
    pub index: usize,
    /// The key's `kid`, if it had a readable one.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

/// Many keys: a token's `kid` selects exactly one (by map lookup); a token without `kid` tries
/// only the keys allowed for its `alg`.
#[derive(Clone)]
pub struct KeySet {
    keys: Vec<Key>,
    by_kid: HashMap<String, Vec<usize>>,
    by_alg: [Vec<usize>; 13],
    skipped: Vec<SkippedKey>,
    /// Unique per set built in this process (a clone keeps it: same keys): the verified-token
    /// cache keeps the generation a token was verified under and treats an entry of another
    /// generation as a miss, so a key set that changed (a remote set fetched again, keys
    /// rotated away) never serves a token its new keys did not verify.
    generation: u64,
}

/// The next [`KeySet`] generation (0 is never handed out).
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

impl Default for KeySet {
    fn default() -> KeySet {
        KeySet {
            keys: Vec::new(),
            by_kid: HashMap::new(),
            by_alg: Default::default(),
            skipped: Vec::new(),
            generation: NEXT_GENERATION.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl KeySet {
    /// An empty set.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// This set's generation (see the field).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// How many keys a token of `alg` without `kid` would be tried against.
    pub(crate) fn count_without_kid(&self, alg: Algorithm) -> usize {
        self.by_alg.get(alg as usize).map_or(0, Vec::len)
    }

    /// Adds a key.
    pub fn push(&mut self, key: Key) {
        let index = self.keys.len();
        if let Some(kid) = key.kid() {
            self.by_kid.entry(kid.to_owned()).or_default().push(index);
        }
        for (slot, alg) in self.by_alg.iter_mut().zip(Algorithm::ALL) {
            if key.allows(alg) {
                slot.push(index);
            }
        }
        self.keys.push(key);
    }

    /// Parses a JWK Set. A key that cannot be used here (`use: enc`, an unsupported `kty`,
    /// `crv` or `alg`, bad members, an off-curve EC point, a small-order or non-canonical
    /// Ed25519 point) is skipped and reported by [`KeySet::skipped`], not fatal.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] if the text is not a JWK Set or holds no usable key.
    pub fn from_jwks_json(json: &str) -> Result<KeySet> {
        KeySet::from_jwks_json_with(json, KeyOptions::default())
    }

    pub(crate) fn from_jwks_json_with(json: &str, options: KeyOptions) -> Result<KeySet> {
        let set: JwkSet = serde_json::from_str(json)
            .map_err(|e| Error::with_source(ErrorKind::InvalidKey("not a JWK Set".into()), e))?;
        let mut keys = KeySet::new();
        for (index, value) in set.keys.into_iter().enumerate() {
            let kid = value
                .get("kid")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            let parsed = serde_json::from_value::<Jwk>(value)
                .map_err(|e| Error::with_source(ErrorKind::InvalidKey("not a JWK".into()), e))
                .and_then(|jwk| Key::from_jwk_with(&jwk, options));
            match parsed {
                Ok(key) => keys.push(key),
                Err(e) => keys.skipped.push(SkippedKey {
                    index,
                    kid,
                    reason: e.to_string(),
                }),
            }
        }
        if keys.is_empty() {
            return Err(Error::invalid_key(match keys.skipped.first() {
                Some(first) => format!(
                    "the JWK Set holds no usable key (first problem: {})",
                    first.reason
                ),
                None => "the JWK Set holds no keys".to_owned(),
            }));
        }
        Ok(keys)
    }

    /// Keys of a JWKS that were skipped, with reasons.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The union of the algorithms of all keys.
    pub fn algorithms(&self) -> AlgorithmSet {
        self.keys
            .iter()
            .flat_map(|k| k.algorithms().iter())
            .collect()
    }

    /// The keys to try for a token with this `kid` and `alg`.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownKey`] if `kid` names no key (or, without `kid`, no key allows `alg`);
    /// [`ErrorKind::InvalidAlgorithm`] if the key named by `kid` is not bound to `alg`.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<impl Iterator<Item = &Key>> {
        let indices: &[usize] = match kid {
            Some(kid) => {
                let indices = self
                    .by_kid
                    .get(kid)
                    .ok_or(Error::new(ErrorKind::UnknownKey))?;
                if !indices
                    .iter()
                    .filter_map(|i| self.keys.get(*i))
                    .any(|k| k.allows(alg))
                {
                    return Err(Error::new(ErrorKind::InvalidAlgorithm));
                }
                indices
            }
            None => {
                let indices = self
                    .by_alg
                    .get(alg as usize)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if indices.is_empty() {
                    return Err(Error::new(ErrorKind::UnknownKey));
                }
                indices
            }
        };
        Ok(indices
            .iter()
            .filter_map(|i| self.keys.get(*i))
            .filter(move |k| k.allows(alg)))
    }
}

impl FromIterator<Key> for KeySet {
    fn from_iter<I: IntoIterator<Item = Key>>(iter: I) -> Self {
        let mut set = KeySet::new();
        for key in iter {
            set.push(key);
        }
        set
    }
}

impl From<Key> for KeySet {
    fn from(key: Key) -> Self {
        std::iter::once(key).collect()
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.keys)
            .field("skipped", &self.skipped)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_by_kid_and_alg() {
        let set: KeySet = [
            Key::hmac([1u8; 32]).map(|k| k.with_kid("a")),
            Key::hmac([2u8; 64]).map(|k| k.with_kid("b")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let count = |kid, alg| {
            set.select(kid, alg)
                .map(Iterator::count)
                .map_err(Error::into_kind)
        };
        assert_eq!(count(Some("a"), Algorithm::HS256), Ok(1));
        assert_eq!(
            count(Some("a"), Algorithm::HS512),
            Err(ErrorKind::InvalidAlgorithm)
        );
        assert_eq!(
            count(Some("z"), Algorithm::HS256),
            Err(ErrorKind::UnknownKey)
        );
        assert_eq!(count(None, Algorithm::HS256), Ok(2));
        assert_eq!(count(None, Algorithm::HS512), Ok(1));
        assert_eq!(count(None, Algorithm::RS256), Err(ErrorKind::UnknownKey));
    }
}
