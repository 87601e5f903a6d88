//! [`RedisStore`]: one deny-list shared by every instance through Redis, checked against a
//! local replica (no network on the request path).
//!
//! How it works: see [`RedisStore`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::streams::StreamReadReply;
use redis::{AsyncConnectionConfig, Client, Cmd, FromRedisValue, Pipeline, RedisResult};
use tokio::sync::{mpsc, oneshot, watch};

use super::memory::{Table, Tables};
use super::{
    FailMode, Revocation, RevocationClaims, RevocationCounts, RevocationStore, StoreFuture,
};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};

mod reader;
mod replica;
mod wire;

use reader::*;
use replica::*;
use wire::*;

/// The default key prefix: `jwt-guard:`.
pub const DEFAULT_KEY_PREFIX: &str = "jwt-guard:";

/// The default bound on how stale the local replica may be: 5 s.
pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_secs(5);

/// The approximate length the event stream is trimmed to (`XADD ... MAXLEN ~`). A reader never
/// needs older events: it reloads the whole list after any reconnect.
const STREAM_MAX_LEN: u64 = 100_000;

/// Timeouts of the writing connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// The reconnect backoff: from 100 ms, doubling, at most 2 s.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// How often the replica drops expired entries.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// How to reach Redis and how stale the replica may get ([`RedisStore::new`]).
#[derive(Clone)]
pub struct RedisOptions {
    url: String,
    key_prefix: String,
    max_staleness: Duration,
    fail: FailMode,
}

impl RedisOptions {
    /// Options for the Redis at `url` (`redis://[user:password@]host:port/db`), with the
    /// [`DEFAULT_KEY_PREFIX`], [`DEFAULT_MAX_STALENESS`] and [`FailMode::Closed`].
    pub fn new(url: impl Into<String>) -> RedisOptions {
        RedisOptions {
            url: url.into(),
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            max_staleness: DEFAULT_MAX_STALENESS,
            fail: FailMode::Closed,
        }
    }

    /// The prefix of every key this store uses (services sharing one Redis keep their lists
    /// apart with different prefixes).
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> RedisOptions {
        self.key_prefix = prefix.into();
        self
    }

    /// How long the replica may go without hearing from Redis before it is stale.
    #[must_use]
    pub fn max_staleness(mut self, max_staleness: Duration) -> RedisOptions {
        self.max_staleness = max_staleness;
        self
    }

    /// What a stale replica does ([`FailMode`]).
    #[must_use]
    pub fn fail(mut self, fail: FailMode) -> RedisOptions {
        self.fail = fail;
        self
    }
}

impl fmt::Debug for RedisOptions {
    /// Never shows the URL (it may hold a password).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisOptions")
            .field("key_prefix", &self.key_prefix)
            .field("max_staleness", &self.max_staleness)
            .field("fail", &self.fail)
            .finish_non_exhaustive()
    }
}

/// The Redis keys of one prefix.
#[derive(Clone)]
struct Keys {
    jti: String,
    sid: String,
    subjects: String,
    used: String,
    used_at: String,
    events: String,
}

impl Keys {
    fn new(prefix: &str) -> Keys {
        Keys {
            jti: format!("{prefix}jti"),
            sid: format!("{prefix}sid"),
            subjects: format!("{prefix}subjects"),
            used: format!("{prefix}used"),
            used_at: format!("{prefix}used_at"),
            events: format!("{prefix}events"),
        }
    }
}

/// The revocation store shared through Redis (the crate's README says how to operate it).
///
/// # How it works
///
/// - **Redis holds the list**: sorted sets `<prefix>jti`, `<prefix>sid` and `<prefix>used`
///   (member: the id, score: the `until` second) and a hash `<prefix>subjects` (subject → cutoff),
///   plus a Redis Stream `<prefix>events` with one event per change. Every write is one Lua
///   script (one atomic step: the entry and its event, in the same order for every reader).
/// - **Every instance keeps a replica**: a background thread (`jwt-guard-revocation`, its own
///   single-threaded tokio runtime) loads the list at start, atomically with the stream's last
///   id (`MULTI`/`EXEC`), then follows the stream with `XREAD BLOCK` on a connection of its own
///   (a blocking read on a shared connection would stall every other command). After any
///   connection loss it reconnects with backoff (100 ms doubling to 2 s) and reloads the whole
///   list, so nothing published while it was away is lost, and a Redis that came back empty
///   is seen as empty.
/// - **The request path** ([`RevocationStore::check`]) reads the replica only: a read lock and up to
///   three hash lookups. The thread takes the write lock only to apply events it has already
///   received (never across I/O); a reload builds the new tables first and swaps them in.
/// - **Bounded staleness**: the replica is *fresh* while the thread has heard from Redis (an
///   event, or the end of a `BLOCK` wait, at most `max_staleness / 4` apart) within
///   `max_staleness`. A stale or never-loaded replica fails closed: a token the replica knows
///   to be revoked is still `revoked` (401), every other token gets
///   [`ErrorKind::RevocationUnavailable`] (503 with `Retry-After`). With [`FailMode::Open`]
///   such tokens pass and a warning is logged once per `max_staleness` interval.
/// - **Writes** (`revoke_*`, `mark_used`, `clear_subject`) run on the thread's reconnecting
///   connection (2 s response and connect timeouts) and are applied to the local replica as
///   soon as Redis confirms them; other instances see them when their reader receives the
///   event (milliseconds on a LAN).
///
/// # Persistence
///
/// Revocations survive a Redis restart only if Redis persists them: run it with
/// `appendonly yes` (AOF; `appendfsync everysec` loses at most the last second of writes on a
/// crash). A Redis that restarts empty has forgotten every revocation: the replicas reload the
/// empty list and revoked tokens pass again until they expire.
///
/// Create one per process and share it (`Arc`); it starts a background thread that stops when
/// the store is dropped. Its `Debug` shows the replica's counts and staleness, never an entry
/// or the URL.
pub struct RedisStore {
    shared: Arc<Shared>,
    keys: Keys,
    jobs: mpsc::UnboundedSender<Job>,
    loads: watch::Receiver<LoadState>,
    _stop: oneshot::Sender<()>,
}

#[derive(Debug, Clone, Default)]
struct LoadState {
    loads: u64,
    /// The last load failure (no value of the list, no URL).
    error: Option<String>,
}

impl RedisStore {
    /// Starts the store: checks the URL, starts the background thread (which connects, loads
    /// the list and follows it) and returns at once; until the first load the replica is not
    /// fresh (requests fail closed, or pass with [`FailMode::Open`]). Call from anywhere (no
    /// runtime needed); [`RedisStore::connect`] also waits for the first load.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] at `revocation.redis_url` for a URL the client refuses (the
    /// value is never quoted); [`ErrorKind::Revocation`] when the thread cannot start.
    pub fn new(options: RedisOptions) -> Result<RedisStore> {
        let client = Client::open(options.url.as_str()).map_err(|_| {
            Error::config(
                "revocation.redis_url",
                "not a Redis URL (redis://[user:password@]host[:port][/db])",
            )
        })?;
        let shared = Arc::new(Shared {
            replica: RwLock::new(Tables::default()),
            base: Instant::now(),
            heard_ms: AtomicU64::new(0),
            loaded: AtomicBool::new(false),
            warned_ms: AtomicU64::new(0),
            max_staleness: options.max_staleness,
            fail: options.fail,
            clock: Arc::new(SystemClock),
        });
        let keys = Keys::new(&options.key_prefix);
        let (jobs, job_rx) = mpsc::unbounded_channel();
        let (stop, stop_rx) = oneshot::channel();
        let (load_tx, loads) = watch::channel(LoadState::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| store_error("cannot start the revocation runtime", e))?;
        let reader = Reader {
            shared: Arc::clone(&shared),
            keys: keys.clone(),
            client,
            loads: load_tx,
        };
        std::thread::Builder::new()
            .name("jwt-guard-revocation".into())
            .spawn(move || runtime.block_on(reader.run(job_rx, stop_rx)))
            .map_err(|e| store_error("cannot start the revocation thread", e))?;
        Ok(RedisStore {
            shared,
            keys,
            jobs,
            loads,
            _stop: stop,
        })
    }

    /// [`RedisStore::new`], then waits until the list is loaded.
    ///
    /// # Errors
    /// As [`RedisStore::new`]; [`ErrorKind::Revocation`] when the first load fails (Redis
    /// unreachable, or not a Redis).
    pub async fn connect(options: RedisOptions) -> Result<RedisStore> {
        let store = RedisStore::new(options)?;
        let mut loads = store.loads.clone();
        loop {
            {
                let state = loads.borrow_and_update();
                if state.loads > 0 {
                    break;
                }
                if let Some(why) = &state.error {
                    return Err(Error::new(ErrorKind::Revocation(
                        format!("cannot load the revocation list from Redis: {why}").into(),
                    )));
                }
            }
            if loads.changed().await.is_err() {
                return Err(Error::new(ErrorKind::Revocation(
                    "the revocation thread stopped".into(),
                )));
            }
        }
        Ok(store)
    }

    /// How long since the replica last heard from Redis; `None` before the first load.
    pub fn staleness(&self) -> Option<Duration> {
        self.shared.staleness()
    }

    /// Whether the replica is loaded and heard from Redis within `max_staleness`.
    pub fn is_fresh(&self) -> bool {
        self.shared.is_fresh()
    }

    /// How many times the list was loaded whole (1 after the start, one more after each
    /// reconnect).
    pub fn loads(&self) -> u64 {
        self.loads.borrow().loads
    }

    /// As [`RedisStore::run`], trying once more when the connection had dropped (the
    /// connection manager reconnects after the first failure, for example the first write
    /// after Redis restarted): only for what is idempotent (reads, raising a score, clearing
    /// a subject; not `mark_used`).
    fn run_idempotent<T: FromRedisValue + Send + 'static>(
        &self,
        request: impl Into<Request>,
    ) -> StoreFuture<'static, T> {
        let request = request.into();
        self.job(move |mut manager| async move {
            match request.query::<T>(&mut manager).await {
                Err(e) if e.is_connection_dropped() || e.is_io_error() => {
                    request.query(&mut manager).await
                }
                result => result,
            }
        })
    }

    /// Sends `request` once on the background thread's connection.
    fn run<T: FromRedisValue + Send + 'static>(&self, request: Request) -> StoreFuture<'static, T> {
        self.job(move |mut manager| async move { request.query::<T>(&mut manager).await })
    }

    /// Runs `f` on the background thread's connection, and its result here.
    fn job<T: Send + 'static, F>(
        &self,
        f: impl FnOnce(ConnectionManager) -> F + Send + 'static,
    ) -> StoreFuture<'static, T>
    where
        F: Future<Output = RedisResult<T>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |manager| {
            Box::pin(async move {
                let _ = tx.send(f(manager).await);
            })
        });
        let sent = self.jobs.send(job).is_ok();
        Box::pin(async move {
            let result: Result<T> = async move {
                if !sent {
                    return Err(Error::new(ErrorKind::Revocation(
                        "the revocation thread stopped".into(),
                    )));
                }
                match rx.await {
                    Ok(result) => result.map_err(|e| store_error("Redis refused the write", e)),
                    Err(_) => Err(Error::new(ErrorKind::Revocation(
                        "the revocation thread stopped".into(),
                    ))),
                }
            }
            .await;
            if let Err(e) = &result {
                crate::metrics::revocation_error(e.code());
            }
            result
        })
    }

    /// One of the `jti`/`sid` writes: the script, then the local replica.
    fn revoke<'a>(&'a self, kind: &'static str, id: &'a str, until: i64) -> StoreFuture<'a, ()> {
        let key = match kind {
            "jti" => self.keys.jti.clone(),
            _ => self.keys.sid.clone(),
        };
        let events = self.keys.events.clone();
        let id = id.to_owned();
        let now = self.shared.clock.now();
        let shared = Arc::clone(&self.shared);
        let applied = id.clone();
        let mut cmd = eval(REVOKE_ID, [key, events]);
        cmd.arg(&id)
            .arg(score(until))
            .arg(now)
            .arg(STREAM_MAX_LEN)
            .arg(kind);
        let write = self.run_idempotent::<String>(cmd);
        Box::pin(async move {
            let held = write.await?;
            let until = seconds(&held).unwrap_or(until);
            shared.apply(&match kind {
                "jti" => Event::Jti(applied, until),
                _ => Event::Sid(applied, until),
            });
            Ok(())
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts = self.shared.read().counts(self.shared.clock.now());
        f.debug_struct("RedisStore")
            .field("jti", &counts.jti)
            .field("sid", &counts.sid)
            .field("subjects", &counts.subjects)
            .field("staleness", &self.staleness())
            .field("max_staleness", &self.shared.max_staleness)
            .field("fail", &self.shared.fail)
            .finish_non_exhaustive()
    }
}

fn store_error(what: &'static str, e: impl fmt::Display) -> Error {
    Error::new(ErrorKind::Revocation(format!("{what}: {e}").into()))
}

impl RevocationStore for RedisStore {
    fn check(&self, claims: &RevocationClaims<'_>) -> Result<()> {
        if let Some(staleness) = self.shared.staleness() {
            crate::metrics::revocation_staleness(staleness);
        }
        // A token the replica knows to be revoked is refused as such, stale or not.
        self.shared.read().check(claims, self.shared.clock.now())?;
        if !self.shared.is_fresh() {
            match self.shared.fail {
                FailMode::Closed => {
                    return Err(Error::new(ErrorKind::RevocationUnavailable {
                        retry_after_secs: self.shared.retry_after_secs(),
                    }));
                }
                FailMode::Open => self.shared.warn_open(),
            }
        }
        Ok(())
    }

    fn revoke_jti<'a>(&'a self, jti: &'a str, until: i64) -> StoreFuture<'a, ()> {
        self.revoke("jti", jti, until)
    }

    fn revoke_sid<'a>(&'a self, sid: &'a str, until: i64) -> StoreFuture<'a, ()> {
        self.revoke("sid", sid, until)
    }

    fn revoke_subject_before<'a>(&'a self, sub: &'a str, cutoff: i64) -> StoreFuture<'a, ()> {
        let (key, events) = (self.keys.subjects.clone(), self.keys.events.clone());
        let sub = sub.to_owned();
        let applied = sub.clone();
        let shared = Arc::clone(&self.shared);
        let mut cmd = eval(REVOKE_SUBJECT, [key, events]);
        cmd.arg(&sub).arg(cutoff).arg(STREAM_MAX_LEN);
        let write = self.run_idempotent::<String>(cmd);
        Box::pin(async move {
            let held = write.await?;
            shared.apply(&Event::Subject(applied, seconds(&held).unwrap_or(cutoff)));
            Ok(())
        })
    }

    fn clear_subject<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool> {
        let (key, events) = (self.keys.subjects.clone(), self.keys.events.clone());
        let sub = sub.to_owned();
        let applied = sub.clone();
        let shared = Arc::clone(&self.shared);
        let mut cmd = eval(CLEAR_SUBJECT, [key, events]);
        cmd.arg(&sub).arg(STREAM_MAX_LEN);
        let write = self.run_idempotent::<i64>(cmd);
        Box::pin(async move {
            let removed = write.await? == 1;
            shared.apply(&Event::Clear(applied));
            Ok(removed)
        })
    }

    fn mark_used<'a>(&'a self, jti: &'a str, until: i64) -> StoreFuture<'a, bool> {
        let key = self.keys.used.clone();
        let jti = jti.to_owned();
        let now = self.shared.clock.now();
        let at_key = format!("{}:{jti}", self.keys.used_at);
        let mut cmd = eval(MARK_USED, [key, at_key]);
        // PXAT needs a finite time: "forever" is the largest NumericDate.
        let until_ms = until
            .min(crate::MAX_NUMERIC_DATE)
            .max(now.saturating_add(1))
            .saturating_mul(1_000);
        cmd.arg(&jti).arg(score(until)).arg(now).arg(until_ms);
        // Not retried: a reply lost after Redis ran it would make the first caller a second.
        let write = self.run::<i64>(Request::Cmd(cmd));
        Box::pin(async move { Ok(write.await? == 1) })
    }

    fn used_at<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, Option<i64>> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(format!("{}:{jti}", self.keys.used_at));
        let read = self.run_idempotent::<Option<i64>>(cmd);
        Box::pin(read)
    }

    fn counts(&self) -> StoreFuture<'_, RevocationCounts> {
        let keys = self.keys.clone();
        let live = format!("({}", self.shared.clock.now());
        let mut pipe = redis::pipe();
        pipe.cmd("ZCOUNT")
            .arg(&keys.jti)
            .arg(&live)
            .arg("+inf")
            .cmd("ZCOUNT")
            .arg(&keys.sid)
            .arg(&live)
            .arg("+inf")
            .cmd("HLEN")
            .arg(&keys.subjects)
            .cmd("ZCOUNT")
            .arg(&keys.used)
            .arg(&live)
            .arg("+inf");
        let read = self.run_idempotent::<(usize, usize, usize, usize)>(pipe);
        Box::pin(async move {
            let (jti, sid, subjects, used) = read.await?;
            Ok(RevocationCounts {
                jti,
                sid,
                subjects,
                used,
            })
        })
    }

    fn list(&self) -> StoreFuture<'_, Vec<Revocation>> {
        let keys = self.keys.clone();
        let live = format!("({}", self.shared.clock.now());
        let mut pipe = redis::pipe();
        for key in [&keys.jti, &keys.sid, &keys.used] {
            pipe.cmd("ZRANGE")
                .arg(key)
                .arg(&live)
                .arg("+inf")
                .arg("BYSCORE")
                .arg("WITHSCORES");
        }
        pipe.cmd("HGETALL").arg(&keys.subjects);
        let read = self.run_idempotent::<(Entries, Entries, Entries, Entries)>(pipe);
        Box::pin(async move {
            let (jti, sid, used, subjects) = read.await?;
            let when = |v: &str| seconds(v).unwrap_or(i64::MAX);
            let mut out = Vec::with_capacity(jti.len() + sid.len() + used.len() + subjects.len());
            out.extend(jti.into_iter().map(|(jti, until)| Revocation::Jti {
                until: when(&until),
                jti,
            }));
            out.extend(sid.into_iter().map(|(sid, until)| Revocation::Sid {
                until: when(&until),
                sid,
            }));
            out.extend(
                subjects
                    .into_iter()
                    .map(|(sub, cutoff)| Revocation::Subject {
                        cutoff: when(&cutoff),
                        sub,
                    }),
            );
            out.extend(used.into_iter().map(|(jti, until)| Revocation::Used {
                until: when(&until),
                jti,
            }));
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_seconds() {
        assert_eq!(score(i64::MAX), "+inf");
        assert_eq!(score(1_700_000_000), "1700000000");
        assert_eq!(seconds("inf"), Some(i64::MAX));
        assert_eq!(seconds("1700000000"), Some(1_700_000_000));
        assert_eq!(seconds("1.7e9"), Some(1_700_000_000));
        assert_eq!(seconds("nan"), None);
        assert_eq!(seconds("x"), None);
    }

    #[test]
    fn events_raise_and_clear() {
        let mut tables = Tables::default();
        apply_event(&mut tables, &Event::Subject("ada".into(), 100));
        apply_event(&mut tables, &Event::Subject("ada".into(), 50));
        assert_eq!(tables.subjects.get("ada"), Some(&100));
        apply_event(&mut tables, &Event::Clear("ada".into()));
        assert!(tables.subjects.is_empty());
        apply_event(&mut tables, &Event::Jti("j".into(), 10));
        apply_event(&mut tables, &Event::Jti("j".into(), 5));
        assert_eq!(tables.jti.get("j"), Some(&10));
    }

    #[test]
    fn a_bad_url_is_a_config_error_without_the_value() {
        let err = RedisStore::new(RedisOptions::new("http://user:hunter2@example")).unwrap_err();
        assert_eq!(err.code(), "invalid_config");
        assert!(!err.to_string().contains("hunter2"));
        let debug = format!("{:?}", RedisOptions::new("redis://:hunter2@127.0.0.1/"));
        assert!(!debug.contains("hunter2"));
    }
}
