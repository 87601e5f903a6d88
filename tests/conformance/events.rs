//! What both frameworks log, through the core: the same events with the same fields, captured
//! by the shared `tracing` capture (axum's from the test's own thread, its runtime being
//! single-threaded; actix-web's from its worker's thread).
//!
//! - A claims-type mismatch (401 `claims_mismatch`) is a debug event naming the field, the
//!   category and the expected type, never a value of the claims (serde's own messages quote
//!   them: `invalid type: string "...", expected u32`).
//! - An extractor or scope guard that no middleware ran before (missing, or misordered) answers
//!   401 as for no token, and logs at error level both causes and each one's fix, in the terms
//!   of its framework.

use jwt_guard_test_support::capture::{self, Event, Level};
use serde_json::json;

use crate::cases::{Case, Expect};
use crate::harness::Answer;
use crate::harness::actix_server::ActixServer;
use crate::harness::axum_server::AxumServer;
use crate::keys::token;

/// A string no log line may hold: the value of a wrongly typed claim.
const SECRET_VALUE: &str = "value-7f3a9c-never-logged";

/// One request to both servers: each framework's answer and the events it logged.
async fn both(
    axum: &AxumServer,
    actix: &ActixServer,
    target: &str,
    headers: &[(&str, &str)],
) -> [(&'static str, Answer, Vec<Event>); 2] {
    let from_axum = Answer::from(axum.get(target, headers).await);
    let axum_events = capture::take_this_thread();
    let from_actix = Answer::from(actix.get(target, headers).await);
    let workers = actix.worker_threads();
    assert_eq!(workers.len(), 1, "one actix worker");
    let actix_events = capture::take_thread(workers[0]);
    [
        ("axum", from_axum, axum_events),
        ("actix", from_actix, actix_events),
    ]
}

/// The fields of an event as `name=value` pairs, `message` included, sorted.
fn fields(event: &Event) -> Vec<String> {
    let mut fields: Vec<String> = event
        .fields
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    fields.sort();
    fields
}

/// The one event that mentions `code`'s error (the rejection event), failing otherwise.
fn rejection_event<'e>(who: &str, events: &'e [Event], code: &str) -> &'e Event {
    let ours: Vec<&Event> = events
        .iter()
        .filter(|e| e.field("code") == Some(code))
        .collect();
    assert_eq!(ours.len(), 1, "{who}: {events:#?}");
    ours[0]
}

#[tokio::test]
async fn a_claims_mismatch_logs_where_and_why_never_the_value() {
    capture::install();
    let (axum, actix) = crate::servers().await;
    let valid = json!({"tenant": "acme", "seats": 5, "role": "member"});
    let with = |change: serde_json::Value| {
        let mut claims = valid.clone();
        claims
            .as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        token(claims)
    };
    let cases = [
        (
            with(json!({"tenant": null})),
            vec!["field=tenant", "problem=missing field", "expected=a string"],
        ),
        (
            with(json!({"seats": SECRET_VALUE})),
            vec![
                "field=seats",
                "problem=wrong type",
                "expected=u32",
                "found=a string",
            ],
        ),
        (
            with(json!({"role": SECRET_VALUE})),
            vec![
                "field=role",
                "problem=unknown variant",
                "expected=one of `admin`, `member`",
            ],
        ),
        (
            with(json!({"tenant": {"name": SECRET_VALUE}})),
            vec![
                "field=tenant",
                "problem=wrong type",
                "expected=a string",
                "found=a map",
            ],
        ),
    ];
    let claims_invalid: Expect = crate::cases::invalid_token("the token claims are invalid");
    for (bad, detail) in cases {
        let header = format!("Bearer {bad}");
        let answers = both(&axum, &actix, "/tenant", &[("authorization", &header)]).await;
        let mut logged = Vec::new();
        for (who, answer, events) in answers {
            assert!(
                crate::mismatches(&claims_invalid, &answer).is_empty(),
                "{who}: {answer:?}"
            );
            let event = rejection_event(who, &events, "claims_mismatch");
            assert_eq!(event.level, Level::DEBUG, "{who}");
            assert_eq!(event.target, "jwt_guard", "{who}: one log target");
            let mut expected = vec!["status=401", "error=invalid_token", "code=claims_mismatch"];
            expected.extend(detail.iter().copied());
            expected.push("message=bearer token rejected");
            expected.sort_unstable();
            assert_eq!(fields(event), expected, "{who}");
            for event in &events {
                for (name, value) in &event.fields {
                    assert!(
                        !value.contains("7f3a9c") && !value.contains(&bad),
                        "{who}: field {name} carries a claim value or the token: {value}"
                    );
                }
            }
            logged.push(fields(event));
        }
        assert_eq!(logged[0], logged[1], "axum and actix-web log alike");
    }

    // A token that fits logs no rejection.
    let header = format!("Bearer {}", with(json!({})));
    for (who, answer, events) in both(&axum, &actix, "/tenant", &[("authorization", &header)]).await
    {
        assert_eq!(answer.status, 200, "{who}: {answer:?}");
        assert!(
            events.iter().all(|e| e.field("code").is_none()),
            "{who}: {events:#?}"
        );
    }
    axum.stop().await;
    actix.stop().await;
}

#[tokio::test]
async fn a_guard_that_no_middleware_ran_before_logs_both_causes_and_fixes() {
    capture::install();
    let (axum, actix) = crate::servers().await;
    let admin = format!("Bearer {}", token(json!({"scope": "admin"})));
    let unguarded = crate::cases::table()
        .into_iter()
        .find(|c: &Case| c.path == "/misordered/admin")
        .map(|c| c.expect)
        .unwrap();
    let texts = [
        (
            "axum",
            "no JwtLayer ran before RequireScopes: it is missing, or ordered inside \
             RequireScopes. Missing: add `.layer(JwtLayer::new(..))` (or `.route_layer`). \
             Misordered: in axum the last `.layer`/`.route_layer` runs first, so add the \
             JwtLayer after RequireScopes. Refusing the request as unauthenticated.",
        ),
        (
            "actix",
            "no JwtMiddleware ran before RequireScopes: it is missing, or ordered inside \
             RequireScopes. Missing: add `.wrap(JwtMiddleware::new(..))` to the app, scope, \
             resource or route. Misordered: in actix the last `.wrap` runs first, so add the \
             JwtMiddleware after RequireScopes. Refusing the request as unauthenticated.",
        ),
    ];
    for path in ["/misordered/admin", "/unguarded/admin"] {
        let answers = both(&axum, &actix, path, &[("authorization", &admin)]).await;
        for ((who, answer, events), (framework, text)) in answers.into_iter().zip(texts) {
            assert_eq!(who, framework);
            assert!(
                crate::mismatches(&unguarded, &answer).is_empty(),
                "{who} {path}: {answer:?}"
            );
            let errors: Vec<&Event> = events.iter().filter(|e| e.level == Level::ERROR).collect();
            assert_eq!(errors.len(), 1, "{who} {path}: {events:#?}");
            assert_eq!(errors[0].target, "jwt_guard", "{who}: one log target");
            assert_eq!(
                fields(errors[0]),
                [
                    "extractor=RequireScopes".to_owned(),
                    format!("message={text}")
                ],
                "{who} {path}"
            );
        }
    }
    axum.stop().await;
    actix.stop().await;
}
