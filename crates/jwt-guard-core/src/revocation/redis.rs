//! [`RedisStore`]: one deny-list shared by every instance through Redis, checked against a
//! local replica (no network on the request path).
//!
//! # How it works
//!
//! - **Redis holds the list**: sorted sets `<prefix>jti`, `<prefix>sid` and `<prefix>used`
//!   (member: the id, score: the `until` second) and a hash `<prefix>subjects` (subject → cutoff),
//!   plus a Redis Stream `<prefix>events` with one event per change. Every write is one Lua
//!   script (one atomic step: the entry and its event, in the same order for every reader).
//! - **Every instance keeps a replica**: a background thread (`jwt-guard-revocation`, its own
//!   single-threaded tokio runtime) loads the list at start, atomically with the stream's last
//!   id (`MULTI`/`EXEC`), then follows the stream with `XREAD BLOCK` on a connection of its own
//!   (a blocking read on a shared connection would stall every other command). After any
//!   connection loss it reconnects with backoff (100 ms doubling to 2 s) and reloads the whole
//!   list, so nothing published while it was away is lost, and a Redis that came back empty
//!   is seen as empty.
//! - **The request path** ([`RevocationStore::check`]) reads the replica only: a read lock and up to
//!   three hash lookups. The thread takes the write lock only to apply events it has already
//!   received (never across I/O); a reload builds the new tables first and swaps them in.
//! - **Bounded staleness**: the replica is *fresh* while the thread has heard from Redis (an
//!   event, or the end of a `BLOCK` wait, at most `max_staleness / 4` apart) within
//!   `max_staleness`. A stale or never-loaded replica fails closed: a token the replica knows
//!   to be revoked is still `revoked` (401), every other token gets
//!   [`ErrorKind::RevocationUnavailable`] (503 with `Retry-After`). With [`FailMode::Open`]
//!   such tokens pass and a warning is logged once per `max_staleness` interval.
//! - **Writes** (`revoke_*`, `mark_used`, `clear_subject`) run on the thread's reconnecting
//!   connection (2 s response and connect timeouts) and are applied to the local replica as
//!   soon as Redis confirms them; other instances see them when their reader receives the
//!   event (milliseconds on a LAN).
//!
//! # Persistence
//!
//! Revocations survive a Redis restart only if Redis persists them: run it with
//! `appendonly yes` (AOF; `appendfsync everysec` loses at most the last second of writes on a
//! crash). A Redis that restarts empty has forgotten every revocation: the replicas reload the
//! empty list and revoked tokens pass again until they expire.

use std::collections::HashMap;
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

use super::memory::Tables;
use super::{
    FailMode, Revocation, RevocationClaims, RevocationCounts, RevocationStore, StoreFuture,
};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};

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

/// What the background thread and the store share.
struct Shared {
    replica: RwLock<Tables>,
    /// The start of the monotonic clock below.
    base: Instant,
    /// Milliseconds after `base` when Redis was last heard from; meaningless until `loaded`.
    heard_ms: AtomicU64,
    loaded: AtomicBool,
    /// Milliseconds after `base` of the last fail-open warning, plus one (0: never).
    warned_ms: AtomicU64,
    max_staleness: Duration,
    fail: FailMode,
    clock: Arc<dyn Clock>,
}

impl Shared {
    fn read(&self) -> RwLockReadGuard<'_, Tables> {
        // No code under the lock panics; a poisoned lock still holds consistent tables.
        self.replica.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Tables> {
        self.replica.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn heard(&self) {
        self.heard_ms.store(self.elapsed_ms(), Ordering::Release);
    }

    /// How long since Redis was last heard from; `None` before the first load.
    fn staleness(&self) -> Option<Duration> {
        if !self.loaded.load(Ordering::Acquire) {
            return None;
        }
        let heard = self.heard_ms.load(Ordering::Acquire);
        Some(Duration::from_millis(
            self.elapsed_ms().saturating_sub(heard),
        ))
    }

    fn is_fresh(&self) -> bool {
        self.staleness().is_some_and(|s| s <= self.max_staleness)
    }

    fn retry_after_secs(&self) -> u64 {
        self.max_staleness.as_secs_f64().ceil().max(1.0) as u64
    }

    /// One warning per `max_staleness` interval (at least a second) while failing open.
    fn warn_open(&self) {
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

    fn apply(&self, event: &Event) {
        let mut tables = self.write();
        apply_event(&mut tables, event);
    }
}

/// One change of the list, as the stream carries it.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    Jti(String, i64),
    Sid(String, i64),
    Subject(String, i64),
    Clear(String),
}

fn apply_event(tables: &mut Tables, event: &Event) {
    fn later(map: &mut HashMap<Box<str>, i64>, key: &str, value: i64) {
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
fn seconds(value: &str) -> Option<i64> {
    let value: f64 = value.parse().ok()?;
    if value.is_nan() {
        return None;
    }
    // Saturating: `inf` is "forever".
    #[allow(clippy::cast_possible_truncation)]
    Some(value as i64)
}

/// A score for `until` (whole seconds; `i64::MAX` is written as `+inf`).
fn score(until: i64) -> String {
    if until == i64::MAX {
        "+inf".to_owned()
    } else {
        until.to_string()
    }
}

/// A command or a pipeline for the background thread's connection.
enum Request {
    Cmd(Cmd),
    Pipe(Pipeline),
}

impl From<Cmd> for Request {
    fn from(cmd: Cmd) -> Request {
        Request::Cmd(cmd)
    }
}

impl From<Pipeline> for Request {
    fn from(pipe: Pipeline) -> Request {
        Request::Pipe(pipe)
    }
}

impl Request {
    async fn query<T: FromRedisValue>(&self, con: &mut ConnectionManager) -> RedisResult<T> {
        match self {
            Request::Cmd(cmd) => cmd.query_async(con).await,
            Request::Pipe(pipe) => pipe.query_async(con).await,
        }
    }
}

/// `EVAL script <keys>`: the script text each time (writes are rare; no `EVALSHA` cache to
/// lose when Redis restarts).
fn eval<const N: usize>(script: &str, keys: [String; N]) -> Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(script).arg(N).arg(&keys[..]);
    cmd
}

/// Members with their scores (or hash fields with their values), as Redis sends them.
type Entries = Vec<(String, String)>;

type Job = Box<dyn FnOnce(ConnectionManager) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// The revocation store shared through Redis: see the [module documentation](self) for how the
/// replica, the stream and staleness work, and the crate's README for operating it.
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

/// `KEYS[1]` the sorted set, `KEYS[2]` the stream; `ARGV`: id, until, now, stream length, op.
/// Drops expired members, raises (never lowers) the member's score, publishes the held score.
const REVOKE_ID: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'op', ARGV[5], 'key', ARGV[1], 'value', held)
return held
";

/// `KEYS[1]` the subjects hash, `KEYS[2]` the stream; `ARGV`: subject, cutoff, stream length.
/// A later cutoff replaces an earlier one; an earlier one is ignored (no event).
const REVOKE_SUBJECT: &str = r"
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and tonumber(held) >= tonumber(ARGV[2]) then
  return held
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'op', 'sub', 'key', ARGV[1], 'value', ARGV[2])
return ARGV[2]
";

/// `KEYS[1]` the subjects hash, `KEYS[2]` the stream; `ARGV`: subject, stream length.
const CLEAR_SUBJECT: &str = r"
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'op', 'clear', 'key', ARGV[1], 'value', '0')
end
return removed
";

/// `KEYS[1]` the used set, `KEYS[2]` the jti's first-use key; `ARGV`: jti, until, now, until
/// in milliseconds. 1 for the first caller while a mark lives; the first use time is kept
/// beside it, expiring with the mark.
const MARK_USED: &str = r"
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held and tonumber(held) > tonumber(ARGV[3]) then
  return 0
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SET', KEYS[2], ARGV[3], 'PXAT', ARGV[4])
return 1
";

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

/// The background thread's work: the writing connection's jobs, and the replica.
struct Reader {
    shared: Arc<Shared>,
    keys: Keys,
    client: Client,
    loads: watch::Sender<LoadState>,
}

impl Reader {
    async fn run(self, mut jobs: mpsc::UnboundedReceiver<Job>, mut stop: oneshot::Receiver<()>) {
        let manager = ConnectionManager::new_lazy_with_config(
            self.client.clone(),
            ConnectionManagerConfig::new()
                .set_connection_timeout(Some(WRITE_TIMEOUT))
                .set_response_timeout(Some(WRITE_TIMEOUT))
                .set_number_of_retries(2)
                .set_max_delay(BACKOFF_MAX),
        );
        let manager = match manager {
            Ok(manager) => manager,
            Err(e) => {
                self.failed(&e);
                return;
            }
        };
        let writes = async {
            while let Some(job) = jobs.recv().await {
                tokio::spawn(job(manager.clone()));
            }
        };
        tokio::select! {
            _ = &mut stop => {}
            () = writes => {}
            () = self.follow(&manager) => {}
        }
    }

    fn failed(&self, e: &dyn fmt::Display) {
        let why = e.to_string();
        self.loads.send_modify(|state| state.error = Some(why));
    }

    /// Connects, loads, follows the stream; after any failure, again with backoff. Never ends.
    /// Logs one warning when Redis is lost (or unreachable at the start), not one per retry.
    async fn follow(&self, manager: &ConnectionManager) {
        let mut backoff = BACKOFF_MIN;
        let mut warned = false;
        loop {
            let before = self.loads.borrow().loads;
            let error = self.session(manager).await;
            if self.loads.borrow().loads > before {
                // This session loaded the list: a fresh outage.
                backoff = BACKOFF_MIN;
                warned = false;
            }
            if !warned {
                tracing::warn!(
                    target: crate::LOG_TARGET,
                    error = %error,
                    "revocation replica cannot reach Redis; reconnecting with backoff"
                );
                warned = true;
            }
            self.failed(&error);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection's life: load the whole list, then follow the stream until an error
    /// (the only way it ends).
    async fn session(&self, manager: &ConnectionManager) -> redis::RedisError {
        match self.follow_once(manager).await {
            Ok(never) => match never {},
            Err(e) => e,
        }
    }

    async fn follow_once(
        &self,
        manager: &ConnectionManager,
    ) -> RedisResult<std::convert::Infallible> {
        let block = (self.shared.max_staleness / 4)
            .clamp(Duration::from_millis(50), Duration::from_millis(1_000));
        let mut con: MultiplexedConnection = self
            .client
            .get_multiplexed_async_connection_with_config(
                &AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(WRITE_TIMEOUT))
                    .set_response_timeout(Some(block + Duration::from_secs(1))),
            )
            .await?;
        let mut last_id = self.load(&mut con).await?;
        // Redis is back: let the writing connection find out now (a dropped connection fails
        // one command, then reconnects), not on the next write (`mark_used` is not retried).
        for _ in 0..2 {
            let pong: RedisResult<String> =
                redis::cmd("PING").query_async(&mut manager.clone()).await;
            if pong.is_ok() {
                break;
            }
        }
        let mut swept = Instant::now();
        loop {
            let reply: Option<StreamReadReply> = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(1_000)
                .arg("BLOCK")
                .arg(u64::try_from(block.as_millis()).unwrap_or(1_000))
                .arg("STREAMS")
                .arg(&self.keys.events)
                .arg(&last_id)
                .query_async(&mut con)
                .await?;
            let events: Vec<Event> = reply
                .into_iter()
                .flat_map(|r| r.keys)
                .flat_map(|k| k.ids)
                .filter_map(|entry| {
                    let event = parse_event(&entry);
                    last_id = entry.id;
                    event
                })
                .collect();
            if !events.is_empty() {
                let mut tables = self.shared.write();
                for event in &events {
                    apply_event(&mut tables, event);
                }
            }
            if swept.elapsed() >= SWEEP_EVERY {
                let now = self.shared.clock.now();
                self.shared.write().drop_expired(now);
                swept = Instant::now();
            }
            self.shared.heard();
        }
    }

    /// The whole list and the stream's last id, in one `MULTI`/`EXEC`; swapped in whole.
    async fn load(&self, con: &mut MultiplexedConnection) -> RedisResult<String> {
        let live = format!("({}", self.shared.clock.now());
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("XREVRANGE")
            .arg(&self.keys.events)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1);
        for key in [&self.keys.jti, &self.keys.sid] {
            pipe.cmd("ZRANGE")
                .arg(key)
                .arg(&live)
                .arg("+inf")
                .arg("BYSCORE")
                .arg("WITHSCORES");
        }
        pipe.cmd("HGETALL").arg(&self.keys.subjects);
        let (last, jti, sid, subjects): (
            redis::streams::StreamRangeReply,
            Entries,
            Entries,
            Entries,
        ) = pipe.query_async(con).await?;
        let last_id = last
            .ids
            .into_iter()
            .next()
            .map_or_else(|| "0-0".to_owned(), |entry| entry.id);
        let table = |entries: Entries| -> HashMap<Box<str>, i64> {
            entries
                .into_iter()
                .filter_map(|(k, v)| seconds(&v).map(|v| (k.into_boxed_str(), v)))
                .collect()
        };
        let fresh = Tables {
            jti: table(jti),
            sid: table(sid),
            subjects: table(subjects),
            used: HashMap::new(),
            used_at: HashMap::new(),
        };
        *self.shared.write() = fresh;
        self.shared.heard();
        self.shared.loaded.store(true, Ordering::Release);
        self.loads.send_modify(|state| {
            state.loads += 1;
            state.error = None;
        });
        tracing::info!(
            target: crate::LOG_TARGET,
            loads = self.loads.borrow().loads,
            "revocation replica loaded from Redis"
        );
        Ok(last_id)
    }
}

fn parse_event(entry: &redis::streams::StreamId) -> Option<Event> {
    let op: String = entry.get("op")?;
    let key: String = entry.get("key")?;
    let value: String = entry.get("value")?;
    let value = seconds(&value);
    match op.as_str() {
        "jti" => Some(Event::Jti(key, value?)),
        "sid" => Some(Event::Sid(key, value?)),
        "sub" => Some(Event::Subject(key, value?)),
        "clear" => Some(Event::Clear(key)),
        _ => None,
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
