//! A `tracing` capture for tests: the global subscriber of the test binary (a thread-local one
//! races with other tests over each callsite's cached interest), keeping every event with its
//! level, message, fields and thread. Used by the core's remote tests (filtering by location),
//! `jwt-guard-axum`'s tests and the conformance suite (filtering by thread: the test's own for
//! axum, the worker's for actix-web).

use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::ThreadId;

/// The level of an [`Event`] (`tracing`'s), for suites that do not depend on `tracing`.
pub use tracing::Level;

/// One captured event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its level.
    pub level: tracing::Level,
    /// Its target (jwt-guard's own events: `jwt_guard`).
    pub target: String,
    /// Its `message` field (empty if it has none).
    pub message: String,
    /// Every field, `message` included, as `(name, value)` (`Debug` form unless a `&str`).
    pub fields: Vec<(String, String)>,
    /// The thread that emitted it.
    pub thread: ThreadId,
}

impl Event {
    /// The value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

static EVENTS: OnceLock<&'static Mutex<Vec<Event>>> = OnceLock::new();

/// Installs the capture (once per binary) and returns its store.
fn store() -> &'static Mutex<Vec<Event>> {
    EVENTS.get_or_init(|| {
        let store: &'static Mutex<Vec<Event>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        tracing::subscriber::set_global_default(Capture(store))
            .expect("no other global subscriber in this test binary");
        store
    })
}

/// Installs the capture; every event from now on is kept.
pub fn install() {
    store();
}

/// Every event so far (installs the capture first).
pub fn events() -> Vec<Event> {
    store()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Removes and returns the events emitted on this thread (installs the capture first).
pub fn take_this_thread() -> Vec<Event> {
    take_thread(std::thread::current().id())
}

/// Removes and returns the events emitted on `thread` (installs the capture first): for a
/// server on a thread of its own, such as an actix-web worker
/// (`ActixServer::worker_threads`).
pub fn take_thread(thread: ThreadId) -> Vec<Event> {
    let mut all = store().lock().unwrap_or_else(PoisonError::into_inner);
    let (mine, others) = std::mem::take(&mut *all)
        .into_iter()
        .partition(|e: &Event| e.thread == thread);
    *all = others;
    mine
}

struct Capture(&'static Mutex<Vec<Event>>);

struct Fields(Vec<(String, String)>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        let message = fields
            .0
            .iter()
            .find(|(n, _)| n == "message")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Event {
                level: *event.metadata().level(),
                target: event.metadata().target().to_owned(),
                message,
                fields: fields.0,
                thread: std::thread::current().id(),
            });
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}
