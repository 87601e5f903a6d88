//! Rejections are logged with `tracing` at debug level: the status, the RFC 6750 error and the
//! token error's code, never the token. The capture is the global subscriber (a thread-local
//! one races with other tests over each callsite's cached interest) and keeps each event's
//! thread; the `#[tokio::test]` runtime is single-threaded, so the server task's events are the
//! test thread's, and no other test's are.

use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;

use axum::Router;
use axum::routing::get;
use jwt_guard_axum::JwtLayer;
use serde_json::json;

use crate::support::*;

#[derive(Debug, Clone)]
struct Event {
    level: tracing::Level,
    fields: Vec<(String, String)>,
}

impl Event {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Capture(Mutex<Vec<(ThreadId, Event)>>);

static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();

impl Capture {
    /// Installs the capture as the global subscriber (once per test binary).
    fn install() -> &'static Capture {
        CAPTURE.get_or_init(|| {
            let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
            tracing::subscriber::set_global_default(Forward(capture))
                .expect("no other global subscriber in this test binary");
            capture
        })
    }

    /// Removes and returns this thread's events.
    fn take(&self) -> Vec<Event> {
        let me = std::thread::current().id();
        let mut all = self.0.lock().unwrap();
        let (mine, others) = std::mem::take(&mut *all)
            .into_iter()
            .partition::<Vec<_>, _>(|(thread, _)| *thread == me);
        *all = others;
        mine.into_iter().map(|(_, event)| event).collect()
    }
}

struct Forward(&'static Capture);

struct Fields(Vec<(String, String)>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Forward {
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
        let event = Event {
            level: *event.metadata().level(),
            fields: fields.0,
        };
        let thread = std::thread::current().id();
        (self.0).0.lock().unwrap().push((thread, event));
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// The events of jwt-guard's own crates (hyper and axum log too).
fn ours(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| e.field("message").is_some_and(|m| m.starts_with("bearer ")))
        .collect()
}

#[tokio::test]
async fn rejections_are_debug_events_with_the_code_and_without_the_token() {
    let capture = Capture::install();
    capture.take();
    let app = Router::new()
        .route("/me", get(|| async { "me" }))
        .layer(JwtLayer::new(verifier()));
    let server = Server::router(app).await;

    let expired = expired_token();
    let forged = format!("{}AAAA", token(json!({})));
    let valid = token(json!({}));
    let cases: [(Option<&str>, u16, &str, Option<&str>); 3] = [
        (Some(&expired), 401, "invalid_token", Some("expired")),
        (
            Some(&forged),
            401,
            "invalid_token",
            Some("invalid_signature"),
        ),
        (None, 401, "missing_token", None),
    ];
    for (token, status, error, code) in cases {
        let header = token.map(bearer);
        let headers: Vec<(&str, &str)> = header
            .iter()
            .map(|h| ("authorization", h.as_str()))
            .collect();
        let reply = server.get("/me", &headers).await;
        assert_eq!(reply.answer().0, status);

        let events = ours(capture.take());
        assert_eq!(events.len(), 1, "{events:?}");
        let event = &events[0];
        assert_eq!(event.level, tracing::Level::DEBUG);
        assert_eq!(event.field("status"), Some(status.to_string().as_str()));
        assert_eq!(event.field("code"), code);
        assert_eq!(event.field("error"), Some(error));
        if let Some(token) = token {
            assert_eq!(event.field("message"), Some("bearer token rejected"));
            let signature = token.rsplit('.').next().unwrap();
            for (name, value) in &event.fields {
                assert!(
                    !value.contains(signature) && !value.contains(token),
                    "field {name} carries the token: {value}"
                );
            }
        } else {
            assert_eq!(event.field("message"), Some("bearer request rejected"));
        }
    }

    // A request that passes logs nothing of ours.
    let reply = server
        .get("/me", &[("authorization", &bearer(&valid))])
        .await;
    assert_eq!(reply.answer(), (200, "me"));
    assert_eq!(ours(capture.take()).len(), 0);
    server.stop().await;
}
