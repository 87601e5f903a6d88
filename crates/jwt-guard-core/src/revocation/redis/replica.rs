//! The local replica: what the background thread and the store share, and the changes the stream carries.

use super::*;

/// What the background thread and the store share.
pub(super) struct Shared {
    pub(super) replica: RwLock<Tables>,
    /// The start of the monotonic clock below.
    pub(super) base: Instant,
    /// Milliseconds after `base` when Redis was last heard from; meaningless until `loaded`.
    pub(super) heard_ms: AtomicU64,
    pub(super) loaded: AtomicBool,
    /// Milliseconds after `base` of the last fail-open warning, plus one (0: never).
    pub(super) warned_ms: AtomicU64,
    pub(super) max_staleness: Duration,
    pub(super) fail: FailMode,
    pub(super) clock: Arc<dyn Clock>,
}

impl Shared {
    pub(super) fn read(&self) -> RwLockReadGuard<'_, Tables> {
        // No code under the lock panics; a poisoned lock still holds consistent tables.
        self.replica.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn write(&self) -> RwLockWriteGuard<'_, Tables> {
        self.replica.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(super) fn heard(&self) {
        self.heard_ms.store(self.elapsed_ms(), Ordering::Release);
    }

    /// How long since Redis was last heard from; `None` before the first load.
    pub(super) fn staleness(&self) -> Option<Duration> {
        if !self.loaded.load(Ordering::Acquire) {
            return None;
        }
        let heard = self.heard_ms.load(Ordering::Acquire);
        Some(Duration::from_millis(
            self.elapsed_ms().saturating_sub(heard),
        ))
    }

    pub(super) fn is_fresh(&self) -> bool {
        self.staleness().is_some_and(|s| s <= self.max_staleness)
    }

    pub(super) fn retry_after_secs(&self) -> u64 {
        self.max_staleness.as_secs_f64().ceil().max(1.0) as u64
    }

    /// One warning per `max_staleness` interval (at least a second) while failing open.
    pub(super) fn warn_open(&self) {
        let now = self.elapsed_ms().saturating_add(1);
        let interval = u64::try_from(self.max_staleness.as_millis())
            .unwrap_or(u64::MAX)
            .max(1_000);
        let last = self.warned_ms.load(Ordering::Relaxed);
        if (last == 0 || now.saturating_sub(last) >= interval)
            && self
                .warned_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                target: crate::LOG_TARGET,
                staleness_ms = self.staleness().map(|s| s.as_millis() as u64),
                "revocation replica is stale; failing open: tokens it does not know to be revoked pass"
            );
        }
    }

    pub(super) fn apply(&self, event: &Event) {
        let mut tables = self.write();
        apply_event(&mut tables, event);
    }
}

/// One change of the list, as the stream carries it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Event {
    Jti(String, i64),
    Sid(String, i64),
    Subject(String, i64),
    Clear(String),
}

pub(super) fn apply_event(tables: &mut Tables, event: &Event) {
    fn later(map: &mut Table, key: &str, value: i64) {
        match map.get_mut(key) {
            Some(held) => *held = (*held).max(value),
            None => {
                map.insert(key.into(), value);
            }
        }
    }
    match event {
        Event::Jti(jti, until) => later(&mut tables.jti, jti, *until),
        Event::Sid(sid, until) => later(&mut tables.sid, sid, *until),
        Event::Subject(sub, cutoff) => later(&mut tables.subjects, sub, *cutoff),
        Event::Clear(sub) => {
            tables.subjects.remove(sub.as_str());
        }
    }
}

/// A Redis score or hash value (`"1700000000"`, `"inf"`, `"1.7e9"`) as whole seconds.
pub(super) fn seconds(value: &str) -> Option<i64> {
    let value: f64 = value.parse().ok()?;
    if value.is_nan() {
        return None;
    }
    // Saturating: `inf` is "forever".
    #[allow(clippy::cast_possible_truncation)]
    Some(value as i64)
}

/// A score for `until` (whole seconds; `i64::MAX` is written as `+inf`).
pub(super) fn score(until: i64) -> String {
    if until == i64::MAX {
        "+inf".to_owned()
    } else {
        until.to_string()
    }
}
