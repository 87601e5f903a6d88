//! The verified-token cache: a client sends the same access token for its whole lifetime, so
//! almost every request repeats a token this server already verified. [`BearerAuth`] keeps the
//! tokens that passed every check and, on a repeat, skips the base64 of the signature, the
//! signature check and the claims parse. The contract:
//!
//! - **Key**: the exact token text. A hit compares every byte (the map compares keys, not only
//!   their hashes), and the hash is keyed per cache (foldhash with a random seed, computed once
//!   per request), so an attacker can neither forge a hit nor compute where a token lands. The
//!   hash reads the token's length and its last 64 bytes (`HASHED_TAIL`): the signature of every
//!   algorithm (all of an HS256 token's and part of its claims), where two verified tokens differ
//!   unless they are the same token; hashing a 600-byte token in full cost 290 instructions a
//!   request, the tail about 40. Forged tokens sharing a cached token's tail all meet that
//!   entry's byte comparison and stop at its first difference; they are never stored.
//! - **Admission**: a token is kept at its second full verification, not its first (a
//!   "doorkeeper": a Bloom filter marks the tokens verified once; it is cleared after as many
//!   marks as the cache has entries, and a false positive keeps a token one verification
//!   early). A client that repeats its token gets hits from its third request on; a stream of
//!   tokens that never repeat costs a hash and two bits each, not an insert and an eviction
//!   (HS256: within 3 % of the cache off instead of 13 % more). Only a token that passed every
//!   check sets its bits.
//! - **What a hit still does**: the time rules (`exp`, `nbf`, `iat`, `max_age_secs`, with the
//!   leeway) on the verifier's clock now, so a cached token is refused at the second it expires;
//!   and the revocation check (it runs after the cache, on every request): a cache never hides
//!   a revocation.
//! - **What is stored**: only tokens that passed every check of the verifier, and only if the
//!   token and its claims fit in [`CacheConfig::max_entry_bytes`]. A failed token changes
//!   nothing (no negative caching an attacker could fill); neither does a cached token found
//!   expired (it is dropped).
//! - **Parsed claims**: a kept token carries a slot for the claims `Claims<T>` parses from it
//!   ([`VerifiedToken::claims_shared`]): the first `T` parsed is kept with the entry and later
//!   requests get a clone instead of a parse. It goes with the entry (evicted, expired or
//!   invalidated alike); its size is `T`'s, which `max_entry_bytes` bounds only through the
//!   claims text it was parsed from.
//! - **Keys that change**: an entry keeps the generation of the key set it was verified under
//!   (every [`KeySet`](crate::KeySet) built gets a new one); a remote set fetched again, keys
//!   rotated away or removed, make its entries misses, verified in full against the new keys.
//!   A set fetched again with the same keys costs one full verification per cached token.
//! - **A changed config**: the cache belongs to one [`BearerAuth`] and its verifier; a new
//!   config builds a new `BearerAuth`, hence a new, empty cache.
//! - **Bound**: [`CacheConfig::max_entries`] entries at most (`0` turns the cache off), evicted
//!   by [`quick_cache`]'s CLOCK-Pro (a token used again stays; a one-off token leaves first).
//!   The map is sharded with one read-write lock per shard: a hit takes one shard's read lock,
//!   no global lock.
//! - **Algorithms**: on for every asymmetric family; for HMAC only with [`CacheConfig::hmac`]
//!   (see its doc for the measurement).
//!
//! ```toml
//! [cache]               # optional; defaults shown
//! max_entries = 10000   # 0 turns the cache off
//! max_entry_bytes = 8192
//! hmac = true
//! ```
//!
//! [`BearerAuth`]: crate::http::BearerAuth

use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Equivalent, Lifecycle, UnitWeighter};
use serde::Deserialize;

use crate::algorithm::KeyFamily;
use crate::error::Result;
use crate::metrics as m;
use crate::verifier::{Stamp, VerifiedToken, Verifier};

/// The default bound on entries, 10,000: about 1 KB an entry (a ~500-byte token, ~250 bytes of
/// claims, the header and the map's slot), so about 10 MB, holding every token of up to ~10,000
/// clients active within an access token's lifetime. A hit costs the same at any size (about
/// 1,100 instructions, BENCHMARKS.md); a token that never comes back costs a hash and the
/// doorkeeper's two bits (HS256 +1.5 % over the cache off, RS256/ES256 within noise).
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;

/// The default bound on one entry, 8 KiB of token plus claims: a token larger than that is
/// verified every time (it would evict many ordinary ones).
pub const DEFAULT_MAX_ENTRY_BYTES: usize = 8192;

/// The `[cache]` table: the verified-token cache of the HTTP adapters ([module doc](self)).
/// The default (no table) is on with [`DEFAULT_MAX_ENTRIES`].
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CacheConfig {
    /// At most this many tokens (default [`DEFAULT_MAX_ENTRIES`]; `0`: no cache).
    #[serde(default)]
    pub max_entries: Option<usize>,
    /// A token whose text and claims together are longer is never cached (default
    /// [`DEFAULT_MAX_ENTRY_BYTES`]).
    #[serde(default)]
    pub max_entry_bytes: Option<usize>,
    /// Whether HMAC (HS256/384/512) tokens are cached too (default `true`). An HS256 verify is
    /// a few microseconds at most, but a miss also decodes and parses the claims: measured, a
    /// hit is 1,135 instructions against 21,329 with the cache off (18.8× fewer), and a token
    /// that never repeats costs 1.5 % more than the cache off (it is hashed and marked, never
    /// stored). Turn it off for HMAC tokens that are never presented twice.
    #[serde(default)]
    pub hmac: Option<bool>,
}

impl CacheConfig {
    /// A cache of at most `max_entries` tokens (`0`: off), other settings default.
    pub fn with_max_entries(max_entries: usize) -> CacheConfig {
        CacheConfig {
            max_entries: Some(max_entries),
            ..CacheConfig::default()
        }
    }

    /// No cache.
    pub fn off() -> CacheConfig {
        CacheConfig::with_max_entries(0)
    }

    /// Whether HMAC tokens are cached.
    #[must_use]
    pub fn hmac(mut self, on: bool) -> CacheConfig {
        self.hmac = Some(on);
        self
    }

    /// The bound on one entry's token plus claims bytes.
    #[must_use]
    pub fn max_entry_bytes(mut self, bytes: usize) -> CacheConfig {
        self.max_entry_bytes = Some(bytes);
        self
    }
}

/// Counts of a verified-token cache since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Tokens in the cache now.
    pub entries: usize,
    /// Its bound ([`CacheConfig::max_entries`]).
    pub capacity: usize,
    /// Requests answered from the cache (time rules passed or not).
    pub hits: u64,
    /// Requests verified in full (including entries of an old key set generation).
    pub misses: u64,
    /// Entries pushed out by the bound (or refused admission by it).
    pub evictions: u64,
}

/// Counts evictions (the [`Lifecycle`] hook of the map).
#[derive(Clone, Default)]
struct Evictions(std::sync::Arc<(AtomicU64, m::Lazy<::metrics::Counter>)>);

impl Lifecycle<TokenKey, Entry> for Evictions {
    type RequestState = ();

    fn begin_request(&self) -> Self::RequestState {}

    fn on_evict(&self, _state: &mut Self::RequestState, _key: TokenKey, _val: Entry) {
        self.0.0.fetch_add(1, Ordering::Relaxed);
        m::cache_evicted(&self.0.1);
    }
}

/// A cached token's key: its text and its hash, computed once per request (the map hashes the
/// hash, not the text again). Equal only if the texts are.
struct TokenKey {
    hash: u64,
    token: Box<[u8]>,
}

/// The key of a lookup, borrowing the request's token.
#[derive(Clone, Copy)]
struct TokenRef<'t> {
    hash: u64,
    token: &'t [u8],
}

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl Hash for TokenRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for TokenKey {
    fn eq(&self, other: &TokenKey) -> bool {
        self.hash == other.hash && self.token == other.token
    }
}

impl Eq for TokenKey {}

impl Equivalent<TokenKey> for TokenRef<'_> {
    fn equivalent(&self, key: &TokenKey) -> bool {
        self.hash == key.hash && *self.token == *key.token
    }
}

/// How many bytes at the end of a token the cache's hash reads: 64 characters are the last 48
/// bytes of the signature of an RS/PS/ES/EdDSA token and the whole 43-character HS256 signature
/// with 21 characters of claims before it.
pub(crate) const HASHED_TAIL: usize = 64;

/// Base64url and dots only: the text of a compact JWS, a subset of RFC 6750's `b64token`.
fn is_compact_jws_text(token: &str) -> bool {
    token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The tokens verified once and not (yet) kept: a Bloom filter of two bits per token, set by
/// a token that passed every check, cleared after `capacity` tokens have been marked, so at
/// most 1/8 of its bits are set (16 bits per entry of the cache) and a token never seen passes
/// for seen less than 2 % of the time. A false positive only keeps a token one verification
/// early.
struct Doorkeeper {
    words: Box<[AtomicU64]>,
    marks: AtomicUsize,
    reset_after: usize,
}

impl Doorkeeper {
    /// 16 bits per entry (a power of two, 1,024 to 2^24 bits: at most 2 MiB).
    fn new(capacity: usize) -> Doorkeeper {
        let bits = capacity
            .saturating_mul(16)
            .clamp(1 << 10, 1 << 24)
            .next_power_of_two();
        Doorkeeper {
            words: (0..bits / 64).map(|_| AtomicU64::new(0)).collect(),
            marks: AtomicUsize::new(0),
            reset_after: capacity.max(1),
        }
    }

    /// Whether `hash` was marked before; marks it.
    fn seen(&self, hash: u64) -> bool {
        // Two bit positions from the two halves of the hash.
        let first = self.test_and_set(hash);
        let second = self.test_and_set(hash >> 32);
        if first && second {
            return true;
        }
        if self.marks.fetch_add(1, Ordering::Relaxed) + 1 >= self.reset_after {
            self.marks.store(0, Ordering::Relaxed);
            for word in &self.words {
                word.store(0, Ordering::Relaxed);
            }
            // This token stays marked.
            self.test_and_set(hash);
            self.test_and_set(hash >> 32);
        }
        false
    }

    fn test_and_set(&self, hash: u64) -> bool {
        let bits = self.words.len().saturating_mul(64);
        let bit = usize::try_from(hash & 0xffff_ffff).unwrap_or(0) & bits.wrapping_sub(1);
        let Some(word) = self.words.get(bit / 64) else {
            return false;
        };
        let mask = 1u64 << (bit % 64);
        word.load(Ordering::Relaxed) & mask != 0
            || word.fetch_or(mask, Ordering::Relaxed) & mask != 0
    }
}

/// One cached token.
#[derive(Clone)]
struct Entry {
    /// Shared: a hit hands out a reference, not a copy of the token.
    token: Arc<VerifiedToken>,
    stamp: Stamp,
}

/// What [`TokenCache::lookup`] found. Returned and matched at once, never stored.
pub(crate) enum Lookup {
    /// The token is cached: its answer now (verified, or expired since it was stored).
    Hit(Result<(Arc<VerifiedToken>, Stamp)>),
    /// Not cached (or cached under keys no longer in use): verify in full.
    Miss(Miss),
}

/// A token [`TokenCache::lookup`] did not find, for [`TokenCache::keep`]: its hash,
/// so a request hashes its token once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Miss {
    hash: u64,
}

/// The cache ([module doc](self)). Built by [`BearerAuth`](crate::http::BearerAuth) for its
/// own verifier only (a stamp means nothing to another verifier).
pub(crate) struct TokenCache {
    map: Cache<TokenKey, Entry, UnitWeighter, DefaultHashBuilder, Evictions>,
    /// Hashes tokens (seeded at random per cache).
    hasher: foldhash::quality::RandomState,
    doorkeeper: Doorkeeper,
    capacity: usize,
    max_entry_bytes: usize,
    hmac: bool,
    evictions: Evictions,
    hits: AtomicU64,
    misses: AtomicU64,
    counters: m::CacheCounters,
}

impl TokenCache {
    /// The cache `config` describes; `None` when it is off.
    pub(crate) fn new(config: &CacheConfig) -> Option<TokenCache> {
        let capacity = config.max_entries.unwrap_or(DEFAULT_MAX_ENTRIES);
        if capacity == 0 {
            return None;
        }
        let evictions = Evictions::default();
        let map = Cache::with(
            capacity,
            u64::try_from(capacity).unwrap_or(u64::MAX),
            UnitWeighter,
            DefaultHashBuilder::default(),
            evictions.clone(),
        );
        Some(TokenCache {
            map,
            hasher: foldhash::quality::RandomState::default(),
            doorkeeper: Doorkeeper::new(capacity),
            capacity,
            max_entry_bytes: config.max_entry_bytes.unwrap_or(DEFAULT_MAX_ENTRY_BYTES),
            hmac: config.hmac.unwrap_or(true),
            evictions,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            counters: m::CacheCounters::default(),
        })
    }

    /// The cache's answer for `token` without waiting: a hit (the time rules checked now; an
    /// expired entry is dropped and answered as the full path would), or a miss to verify in
    /// full, then offered to [`TokenCache::keep`]. A miss is counted by
    /// [`TokenCache::missed`] when it is verified: a request refused before that (its token's
    /// RFC 6750 syntax, checked after the lookup) is not a miss.
    ///
    /// `token` need not have passed the syntax check: every cached token did (see
    /// [`TokenCache::keep`]), so bytes that find an entry are valid.
    #[inline]
    pub(crate) fn lookup(&self, verifier: &Verifier, token: &[u8]) -> Lookup {
        let key = TokenRef {
            hash: self.hash(token),
            token,
        };
        if let Some(entry) = self.map.get(&key) {
            match verifier.check_stamp(&entry.stamp) {
                Some(Ok(())) => {
                    self.hit();
                    return Lookup::Hit(Ok((entry.token, entry.stamp)));
                }
                Some(Err(e)) => {
                    // Expired (or, after a clock step back, not yet valid): the answer the full
                    // path gives too; an expired token never becomes valid again.
                    self.hit();
                    self.map.remove(&key);
                    return Lookup::Hit(Err(e));
                }
                // Verified under keys no longer in use: verify in full.
                None => {
                    self.map.remove(&key);
                }
            }
        }
        Lookup::Miss(Miss { hash: key.hash })
    }

    /// The key's hash: the token's length and its last [`HASHED_TAIL`] bytes (module doc).
    #[inline]
    fn hash(&self, token: &[u8]) -> u64 {
        let tail = token
            .get(token.len().saturating_sub(HASHED_TAIL)..)
            .unwrap_or(token);
        self.hasher.hash_one((token.len(), tail))
    }

    /// Counts a miss of [`TokenCache::lookup`], verified in full.
    pub(crate) fn missed(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.counters.missed();
    }

    /// Keeps `verified`, the full verification of a `token` that [`TokenCache::lookup`]
    /// missed, if it may be kept (its size, its family) and this is its second verification
    /// (the doorkeeper). The stored token and the caller's then share one slot for the claims
    /// `Claims<T>` parses, so later hits clone them instead of parsing again. Synchronous, and
    /// called by the caller's own future: the miss path has no extra async layer.
    ///
    /// Only compact-JWS text (base64url and dots) is kept, so every cached token has RFC
    /// 6750's `b64token` syntax and a request whose token finds an entry needs no syntax check
    /// (`BearerGuard::admit` looks up before checking). A verified token always is such text;
    /// the check holds the rule for callers of [`BearerAuth::verify`](crate::http::BearerAuth)
    /// whose text was never read from a request. It runs on the insert only.
    pub(crate) fn keep(&self, token: &str, miss: Miss, verified: &mut VerifiedToken, stamp: Stamp) {
        if self.admits(token, verified)
            && self.doorkeeper.seen(miss.hash)
            && is_compact_jws_text(token)
        {
            verified.share_parsed_claims();
            self.map.insert(
                TokenKey {
                    hash: miss.hash,
                    token: Box::from(token.as_bytes()),
                },
                Entry {
                    token: Arc::new(verified.clone()),
                    stamp,
                },
            );
        }
    }

    fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
        self.counters.hit();
    }

    fn admits(&self, token: &str, verified: &VerifiedToken) -> bool {
        token.len().saturating_add(verified.payload_json().len()) <= self.max_entry_bytes
            && (self.hmac || verified.header().alg.family() != KeyFamily::Hmac)
    }

    /// The counts.
    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.map.len(),
            capacity: self.capacity,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.0.0.load(Ordering::Relaxed),
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the tokens.
        f.debug_struct("TokenCache")
            .field("stats", &self.stats())
            .field("max_entry_bytes", &self.max_entry_bytes)
            .field("hmac", &self.hmac)
            .finish()
    }
}
