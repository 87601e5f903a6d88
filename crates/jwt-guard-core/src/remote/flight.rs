//! The shared state of a [`RemoteJwks`](super::RemoteJwks) and the machinery of the one fetch in
//! flight: readers load an immutable snapshot (one atomic pointer load); a fetch runs in its own
//! task, joined by whoever needs it and published when it ends (also when it is dropped early);
//! a background task refreshes the set before it expires and ends when the source is dropped.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use reqwest::{Client, Url};
use tokio::sync::{Notify, watch};

use crate::key::KeySet;
use crate::remote::error::FetchError;
use crate::remote::fetch::{self, Fetched, Source};
use crate::remote::policy::Policy;

/// What a [`RemoteJwks`](super::RemoteJwks) and its clones share.
pub(super) struct Shared {
    /// The configured JWK Set URL, or the issuer for discovery (as given).
    pub(super) location: String,
    pub(super) source: Source,
    client: Client,
    pub(super) policy: Policy,
    /// What [`KeySource::current`](crate::KeySource::current) reads: replaced whole by a
    /// successful fetch.
    pub(super) snapshot: ArcSwapOption<Snapshot>,
    /// The `jwks_uri` discovery found.
    pub(super) discovered: ArcSwapOption<Url>,
    pub(super) last_error: ArcSwapOption<FetchError>,
    /// Taken only to start or join a fetch, never across an `.await`, never by `current`.
    flight: Mutex<Flight>,
    pub(super) fetches: AtomicU64,
    pub(super) failures: AtomicU64,
    /// Whether the background refresh task runs.
    background: Arc<AtomicBool>,
    /// Stops the background task when the source is dropped.
    shutdown: Arc<Notify>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.shutdown.notify_one();
    }
}

/// A fetched set as readers see it, with its lifetime.
pub(super) struct Snapshot {
    pub(super) keys: Arc<KeySet>,
    pub(super) fetched_at: Instant,
    pub(super) ttl: Duration,
    pub(super) stale_until: Instant,
}

type Outcome = Option<std::result::Result<(), Arc<FetchError>>>;

#[derive(Default)]
struct Flight {
    /// The fetch in flight: its outcome is published here when it ends.
    running: Option<watch::Receiver<Outcome>>,
    /// When the last fetch started.
    last_start: Option<Instant>,
}

fn lock(flight: &Mutex<Flight>) -> MutexGuard<'_, Flight> {
    flight.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits for the outcome of the fetch `rx` belongs to.
pub(super) async fn wait(
    mut rx: watch::Receiver<Outcome>,
) -> std::result::Result<(), Arc<FetchError>> {
    match rx.wait_for(Option::is_some).await {
        Ok(outcome) => outcome
            .clone()
            .unwrap_or(Err(Arc::new(FetchError::Cancelled))),
        Err(_) => Err(Arc::new(FetchError::Cancelled)),
    }
}

/// Publishes a fetch's outcome and clears the flight when the fetch task ends, also if it is
/// dropped early (its runtime shut down).
struct FlightDone {
    shared: Arc<Shared>,
    tx: watch::Sender<Outcome>,
    outcome: Outcome,
}

impl Drop for FlightDone {
    fn drop(&mut self) {
        lock(&self.shared.flight).running = None;
        let outcome = self
            .outcome
            .take()
            .unwrap_or(Err(Arc::new(FetchError::Cancelled)));
        self.tx.send_replace(Some(outcome));
    }
}

/// Clears the "background task runs" flag when that task ends or is dropped.
struct BackgroundFlag(Arc<AtomicBool>);

impl Drop for BackgroundFlag {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Shared {
    /// The state of a source that has fetched nothing yet.
    pub(super) fn new(location: String, source: Source, client: Client, policy: Policy) -> Shared {
        Shared {
            location,
            source,
            client,
            policy,
            snapshot: ArcSwapOption::empty(),
            discovered: ArcSwapOption::empty(),
            last_error: ArcSwapOption::empty(),
            flight: Mutex::new(Flight::default()),
            fetches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            background: Arc::new(AtomicBool::new(false)),
            shutdown: Arc::new(Notify::new()),
        }
    }

    /// Joins the fetch in flight, or starts one unless one started within the cooldown (`force`
    /// ignores the cooldown). `Ok(None)`: within the cooldown, nothing to wait for.
    pub(super) fn start(
        self: &Arc<Self>,
        force: bool,
    ) -> std::result::Result<Option<watch::Receiver<Outcome>>, FetchError> {
        let mut flight = lock(&self.flight);
        if let Some(rx) = &flight.running {
            return Ok(Some(rx.clone()));
        }
        if !force
            && flight
                .last_start
                .is_some_and(|t| t.elapsed() < self.policy.cooldown)
        {
            return Ok(None);
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            drop(flight);
            tracing::warn!(
                target: crate::LOG_TARGET,
                location = self.location.as_str(),
                "cannot fetch the JWK Set outside a Tokio runtime"
            );
            return Err(FetchError::NoRuntime);
        };
        let (tx, rx) = watch::channel(None);
        flight.running = Some(rx.clone());
        flight.last_start = Some(Instant::now());
        drop(flight);
        let done = FlightDone {
            shared: self.clone(),
            tx,
            outcome: None,
        };
        handle.spawn(async move {
            let mut done = done;
            let outcome = done.shared.fetch_and_store().await;
            done.outcome = Some(outcome);
        });
        if !self.background.swap(true, Ordering::AcqRel) {
            let flag = BackgroundFlag(self.background.clone());
            let weak = Arc::downgrade(self);
            let shutdown = self.shutdown.clone();
            handle.spawn(async move {
                let _flag = flag;
                background(weak, shutdown).await;
            });
        }
        Ok(Some(rx))
    }

    /// How long until the background task's next refresh: at 80 % of the lifetime of the set
    /// in use (at once without one, or after a failure), and never sooner than the cooldown
    /// after the last start. Zero: due now.
    fn refresh_due_in(&self) -> Duration {
        let now = Instant::now();
        let due = match (self.snapshot.load_full(), self.last_error.load().is_some()) {
            (Some(s), false) => s
                .fetched_at
                .checked_add(s.ttl.saturating_mul(4) / 5)
                .unwrap_or(now),
            _ => now,
        };
        let earliest = lock(&self.flight)
            .last_start
            .and_then(|t| t.checked_add(self.policy.cooldown))
            .unwrap_or(now);
        due.max(earliest).saturating_duration_since(now)
    }

    async fn fetch_and_store(&self) -> std::result::Result<(), Arc<FetchError>> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        match fetch::fetch(&self.client, &self.policy, &self.source, &self.discovered).await {
            Ok(Fetched { keys, ttl, url }) => {
                for skipped in keys.skipped() {
                    tracing::warn!(
                        target: crate::LOG_TARGET,
                        jwks_uri = %url,
                        index = skipped.index,
                        kid = skipped.kid.as_deref().unwrap_or(""),
                        reason = %skipped.reason,
                        "skipped a JWK that cannot be used; the other keys serve"
                    );
                }
                let fetched_at = Instant::now();
                let stale_until = fetched_at
                    .checked_add(ttl.saturating_add(self.policy.max_stale))
                    .unwrap_or(fetched_at);
                tracing::debug!(
                    target: crate::LOG_TARGET,
                    jwks_uri = %url,
                    keys = keys.len(),
                    ttl_secs = ttl.as_secs(),
                    "JWK Set loaded"
                );
                self.snapshot.store(Some(Arc::new(Snapshot {
                    keys: Arc::new(keys),
                    fetched_at,
                    ttl,
                    stale_until,
                })));
                self.last_error.store(None);
                crate::metrics::jwks_fetched(true);
                crate::metrics::jwks_age(std::time::Duration::ZERO);
                Ok(())
            }
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                crate::metrics::jwks_fetched(false);
                if let Some(snapshot) = self.snapshot.load().as_ref() {
                    crate::metrics::jwks_age(snapshot.fetched_at.elapsed());
                }
                if matches!(e, FetchError::Status { .. } | FetchError::Redirect(..)) {
                    // An error status or a refused redirect from a discovered jwks_uri: discover
                    // again next time.
                    self.discovered.store(None);
                }
                let e = Arc::new(e);
                self.last_error.store(Some(e.clone()));
                self.log_failure(&e);
                Err(e)
            }
        }
    }

    fn log_failure(&self, e: &FetchError) {
        let location = self.location.as_str();
        let now = Instant::now();
        match self.snapshot.load_full() {
            Some(s) if now < s.stale_until => tracing::warn!(
                target: crate::LOG_TARGET,
                location,
                error = %e,
                age_secs = now.saturating_duration_since(s.fetched_at).as_secs(),
                retry_in_secs = self.policy.cooldown.as_secs(),
                "JWK Set refresh failed; still using the last good keys"
            ),
            Some(s) => tracing::error!(
                target: crate::LOG_TARGET,
                location,
                error = %e,
                age_secs = now.saturating_duration_since(s.fetched_at).as_secs(),
                "JWK Set refresh failed and the last good keys are past max_stale: \
                 tokens are refused (key_unavailable) until a fetch succeeds"
            ),
            None => tracing::warn!(
                target: crate::LOG_TARGET,
                location,
                error = %e,
                retry_in_secs = self.policy.cooldown.as_secs(),
                "JWK Set fetch failed; no keys loaded yet (tokens get key_unavailable)"
            ),
        }
    }
}

/// The background refresh: sleeps until the next refresh is due, runs (or joins) it, and ends
/// when the source is dropped.
async fn background(weak: Weak<Shared>, shutdown: Arc<Notify>) {
    loop {
        let Some(shared) = weak.upgrade() else {
            return;
        };
        // A fetch in flight (the first load, a request's refresh): its outcome decides the
        // schedule, so wait for it first.
        let running = lock(&shared.flight).running.clone();
        let due_in = shared.refresh_due_in();
        drop(shared);
        if let Some(rx) = running {
            let _ = wait(rx).await;
            continue;
        }
        if !due_in.is_zero() {
            let sleep = due_in.max(Duration::from_millis(10));
            if tokio::time::timeout(sleep, shutdown.notified())
                .await
                .is_ok()
            {
                return;
            }
            continue;
        }
        let rx = match weak.upgrade() {
            Some(shared) => shared.start(false),
            None => return,
        };
        match rx {
            Ok(Some(rx)) => {
                let _ = wait(rx).await;
            }
            // Within the cooldown (the due time is recomputed above) or no runtime (cannot be:
            // this task runs on one).
            Ok(None) | Err(_) => {
                if tokio::time::timeout(Duration::from_millis(10), shutdown.notified())
                    .await
                    .is_ok()
                {
                    return;
                }
            }
        }
    }
}
