//! Rejections are logged with `tracing` at debug level: the status, the RFC 6750 error and the
//! token error's code, never the token. The capture (shared with the core's tests) keeps each
//! event's thread; the `#[tokio::test]` runtime is single-threaded, so the server task's events
//! are the test thread's, and no other test's are.

use axum::Router;
use axum::routing::get;
use jwt_guard_axum::JwtLayer;
use serde_json::json;

use crate::support::capture::{self, Event};
use crate::support::*;

/// The events of jwt-guard's own crates (hyper and axum log too).
fn ours(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| e.field("message").is_some_and(|m| m.starts_with("bearer ")))
        .collect()
}

#[tokio::test]
async fn rejections_are_debug_events_with_the_code_and_without_the_token() {
    capture::install();
    capture::take_this_thread();
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

        let events = ours(capture::take_this_thread());
        assert_eq!(events.len(), 1, "{events:?}");
        let event = &events[0];
        assert_eq!(event.level, tracing::Level::DEBUG);
        assert_eq!(event.target, "jwt_guard");
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
    assert_eq!(ours(capture::take_this_thread()).len(), 0);
    server.stop().await;
}
