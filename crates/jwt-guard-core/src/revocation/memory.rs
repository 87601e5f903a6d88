//! [`MemoryStore`]: the deny-list of one process.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{Revocation, RevocationClaims, RevocationCounts, RevocationStore, StoreFuture};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};

/// The default bound of a [`MemoryStore`]: 100,000 entries.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// A [`RevocationStore`] in this process's memory: one instance only (every instance of a
/// service keeps its own list; the Redis store shares one).
///
/// - **Bounded**: at most `max_entries` entries of all kinds together. A write that would
///   exceed it first drops the expired entries; if the store is still full the write is refused
///   with [`ErrorKind::Revocation`] ("the revocation store is full"): a revocation is never
///   dropped silently to make room. Updating an entry that exists never fails.
/// - **Expiry**: `jti`, `sid` and used marks stop matching at their `until` and are dropped by
///   the next write that needs room; subject cutoffs never expire (clear them with
///   [`RevocationStore::clear_subject`]).
/// - **Read path**: [`RevocationStore::check`] takes a read lock of a `std` `RwLock` for up to
///   three hash lookups. Writers hold the write lock for one hash insert (or one sweep of the
///   expired entries when the store is full), never across an await or any I/O, so a check
///   waits at most that long. A copy-on-write snapshot (`arc-swap`) would make the read one
///   atomic load but every write a copy of the whole table (100,000 entries by default).
///
/// Its `Debug` shows the counts, never an entry. The writes complete without awaiting.
pub struct MemoryStore {
    tables: RwLock<Tables>,
    max_entries: usize,
    clock: Arc<dyn Clock>,
}

/// One kind of entry: id → `until` (subjects: their cutoff). Hashed with foldhash, seeded per
/// table: its keys are what operators revoke, its lookups the claims of verified tokens, so no
/// caller picks keys to collide; SipHash cost a third of the check
/// (`benches/revocation_pair.rs`).
pub(super) type Table = HashMap<Box<str>, i64, foldhash::fast::RandomState>;

/// The entries of a deny-list, each with its `until` (subjects: their cutoff): the state of a
/// [`MemoryStore`] and of the Redis store's local replica.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) jti: Table,
    pub(super) sid: Table,
    pub(super) subjects: Table,
    pub(super) used: Table,
    /// When each `used` mark was set.
    pub(super) used_at: Table,
}

impl Tables {
    /// The request-path check against these entries at `now`.
    pub(super) fn check(&self, claims: &RevocationClaims<'_>, now: i64) -> Result<()> {
        let now = claims.now.unwrap_or(now);
        let live = |map: &Table, key: Option<&str>| {
            key.and_then(|k| map.get(k))
                .is_some_and(|until| *until > now)
        };
        if live(&self.jti, claims.jti.as_deref()) || live(&self.sid, claims.sid.as_deref()) {
            return Err(super::revoked());
        }
        if let Some(cutoff) = claims.sub.as_deref().and_then(|s| self.subjects.get(s)) {
            // `iat < cutoff`; no `iat` under a cutoff cannot be told apart from an old token.
            if claims.iat.is_none_or(|iat| iat < *cutoff) {
                return Err(super::revoked());
            }
        }
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.jti.len() + self.sid.len() + self.subjects.len() + self.used.len()
    }

    pub(super) fn drop_expired(&mut self, now: i64) {
        self.jti.retain(|_, until| *until > now);
        self.sid.retain(|_, until| *until > now);
        self.used.retain(|_, until| *until > now);
        let used = &self.used;
        self.used_at.retain(|jti, _| used.contains_key(jti));
    }

    pub(super) fn counts(&self, now: i64) -> RevocationCounts {
        let live = |m: &Table| m.values().filter(|u| **u > now).count();
        RevocationCounts {
            jti: live(&self.jti),
            sid: live(&self.sid),
            subjects: self.subjects.len(),
            used: live(&self.used),
        }
    }
}

/// Which table a write goes to.
#[derive(Clone, Copy)]
enum Which {
    Jti,
    Sid,
    Subjects,
}

impl Tables {
    fn table(&mut self, table: Which) -> &mut Table {
        match table {
            Which::Jti => &mut self.jti,
            Which::Sid => &mut self.sid,
            Which::Subjects => &mut self.subjects,
        }
    }
}

impl MemoryStore {
    /// A store of at most `max_entries` entries (of all kinds together), on the system clock.
    pub fn new(max_entries: usize) -> MemoryStore {
        MemoryStore {
            tables: RwLock::new(Tables::default()),
            max_entries,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses `clock` for expiry (a [`ManualClock`](crate::ManualClock) in tests; give it the
    /// verifier's clock).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock) -> MemoryStore {
        self.clock = Arc::new(clock);
        self
    }

    /// The bound on entries.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    fn read(&self) -> RwLockReadGuard<'_, Tables> {
        // No code under the lock panics; a poisoned lock still holds consistent tables.
        self.tables.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Tables> {
        self.tables.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Room for one new entry, dropping expired ones when full.
    fn make_room(&self, tables: &mut Tables, now: i64) -> Result<()> {
        if tables.len() >= self.max_entries {
            tables.drop_expired(now);
        }
        if tables.len() >= self.max_entries {
            return Err(Error::new(ErrorKind::Revocation(
                format!(
                    "the revocation store is full ({} entries, max_entries)",
                    self.max_entries
                )
                .into(),
            )));
        }
        Ok(())
    }

    /// Sets `key` in `table` to the later of its value and `value` (a live entry is never
    /// shortened); a new entry needs room.
    fn upsert(&self, table: Which, key: &str, value: i64) -> Result<()> {
        let now = self.clock.now();
        let mut tables = self.write();
        if let Some(held) = tables.table(table).get_mut(key) {
            *held = (*held).max(value);
            return Ok(());
        }
        self.make_room(&mut tables, now)?;
        tables.table(table).insert(key.into(), value);
        Ok(())
    }

    fn mark(&self, jti: &str, until: i64) -> Result<bool> {
        let now = self.clock.now();
        let mut tables = self.write();
        if let Some(held) = tables.used.get_mut(jti) {
            if *held > now {
                return Ok(false);
            }
            *held = until;
            tables.used_at.insert(jti.into(), now);
            return Ok(true);
        }
        self.make_room(&mut tables, now)?;
        match tables.used.entry(jti.into()) {
            Entry::Occupied(_) => Ok(false),
            Entry::Vacant(slot) => {
                slot.insert(until);
                tables.used_at.insert(jti.into(), now);
                Ok(true)
            }
        }
    }
}

impl Default for MemoryStore {
    /// [`MemoryStore::new`] with [`DEFAULT_MAX_ENTRIES`].
    fn default() -> MemoryStore {
        MemoryStore::new(DEFAULT_MAX_ENTRIES)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts = self.read().counts(self.clock.now());
        f.debug_struct("MemoryStore")
            .field("jti", &counts.jti)
            .field("sid", &counts.sid)
            .field("subjects", &counts.subjects)
            .field("used", &counts.used)
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

fn ready<'a, T: Send + 'a>(value: Result<T>) -> StoreFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl RevocationStore for MemoryStore {
    fn check(&self, claims: &RevocationClaims<'_>) -> Result<()> {
        self.read().check(claims, self.clock.now())
    }

    fn revoke_jti<'a>(&'a self, jti: &'a str, until: i64) -> StoreFuture<'a, ()> {
        ready(self.upsert(Which::Jti, jti, until))
    }

    fn revoke_sid<'a>(&'a self, sid: &'a str, until: i64) -> StoreFuture<'a, ()> {
        ready(self.upsert(Which::Sid, sid, until))
    }

    fn revoke_subject_before<'a>(&'a self, sub: &'a str, cutoff: i64) -> StoreFuture<'a, ()> {
        ready(self.upsert(Which::Subjects, sub, cutoff))
    }

    fn clear_subject<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool> {
        ready(Ok(self.write().subjects.remove(sub).is_some()))
    }

    fn mark_used<'a>(&'a self, jti: &'a str, until: i64) -> StoreFuture<'a, bool> {
        ready(self.mark(jti, until))
    }

    fn used_at<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, Option<i64>> {
        let now = self.clock.now();
        let tables = self.read();
        let live = tables.used.get(jti).is_some_and(|until| *until > now);
        ready(Ok(live.then(|| tables.used_at.get(jti).copied()).flatten()))
    }

    fn counts(&self) -> StoreFuture<'_, RevocationCounts> {
        ready(Ok(self.read().counts(self.clock.now())))
    }

    fn list(&self) -> StoreFuture<'_, Vec<Revocation>> {
        let now = self.clock.now();
        let tables = self.read();
        let live = |m: &Table| {
            m.iter()
                .filter(move |(_, until)| **until > now)
                .map(|(k, until)| (k.to_string(), *until))
                .collect::<Vec<_>>()
        };
        let mut out = Vec::with_capacity(tables.len());
        out.extend(
            live(&tables.jti)
                .into_iter()
                .map(|(jti, until)| Revocation::Jti { jti, until }),
        );
        out.extend(
            live(&tables.sid)
                .into_iter()
                .map(|(sid, until)| Revocation::Sid { sid, until }),
        );
        out.extend(
            tables
                .subjects
                .iter()
                .map(|(sub, cutoff)| Revocation::Subject {
                    sub: sub.to_string(),
                    cutoff: *cutoff,
                }),
        );
        out.extend(
            live(&tables.used)
                .into_iter()
                .map(|(jti, until)| Revocation::Used { jti, until }),
        );
        ready(Ok(out))
    }
}
