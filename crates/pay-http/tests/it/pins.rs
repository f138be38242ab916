//! Small behaviours mutation testing found unpinned (docs/mutation-testing.md): the hooks'
//! defaults and the time a failed call reports.

use std::time::Duration;

use pay_core::{CallOptions, ErrorKind};
use pay_http::{Hooks, PlainHooks, StopReason};
use pay_testkit::testing::Ledger;
use pay_testkit::{FakeServer, Fault, Route};

use crate::faults::call;
use crate::support::{DOCUMENTED, READ, failure, transport};

#[test]
fn plain_hooks_name_no_request_id_and_the_standard_replay_header() {
    assert_eq!(PlainHooks.request_id_header(), None);
    assert_eq!(PlainHooks.replay_header(), Some("idempotency-replay"));
}

#[tokio::test]
async fn a_failed_call_reports_the_time_it_took() {
    let server = FakeServer::start(Ledger::new()).await.unwrap();
    let t = transport(&server, DOCUMENTED);
    // A slow answer, then the Ledger's own 404 for an entry it does not have.
    server
        .faults()
        .on(Route::new("GET", "/entries/{id}"))
        .then(Fault::Delay(Duration::from_millis(150)))
        .then_normal();
    let err = call(&t, &READ, "/entries/missing", &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::NotFound);
    let how = failure(&err);
    assert_eq!(how.reason(), StopReason::GaveUp);
    assert!(how.elapsed() >= Duration::from_millis(150), "{how}");
    assert!(how.elapsed() < Duration::from_secs(30), "{how}");
    let shown = how.to_string();
    let ms = how.elapsed().as_millis();
    assert!(shown.ends_with(&format!(" in {ms} ms")), "{shown}");
}

#[test]
fn answers_as_hooks_see_them() {
    use pay_http::{Answer, Classification};
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("x-request-id", HeaderValue::from_static("req_1"));
    let answer = Answer::new(503, &headers, b"{\"e\":1}", Some(true));
    assert_eq!(answer.status(), 503);
    assert!(!answer.is_success());
    assert_eq!(answer.body(), b"{\"e\":1}");
    assert_eq!(answer.advice(), Some(true));
    assert_eq!(answer.header("x-request-id"), Some("req_1"));
    assert_eq!(answer.header("x-other"), None);
    assert_eq!(answer.content_type(), Some("application/json"));
    assert_eq!(answer.headers().len(), 2);
    assert_eq!(
        Classification::by_status(&answer),
        Classification::Failure {
            should_retry: Some(true)
        }
    );
    for (status, success) in [
        (199, false),
        (200, true),
        (204, true),
        (299, true),
        (300, false),
    ] {
        let answer = Answer::new(status, &headers, b"", None);
        assert_eq!(answer.is_success(), success, "{status}");
        assert_eq!(answer.status(), status);
        assert_eq!(answer.advice(), None);
    }
    assert_eq!(
        Answer::new(503, &headers, b"", Some(false)).advice(),
        Some(false)
    );
    let empty = HeaderMap::new();
    assert_eq!(Answer::new(200, &empty, b"", None).content_type(), None);
}

#[tokio::test]
async fn a_response_shows_its_parts_and_hides_its_body() {
    use std::error::Error as _;

    let server = FakeServer::start(Ledger::new()).await.unwrap();
    let t = transport(&server, DOCUMENTED);
    let body = r#"{"id":"e1","note":"card 4111111111111111"}"#;
    server
        .faults()
        .on(Route::new("GET", "/entries/{id}"))
        .then(Fault::Status {
            status: 200,
            headers: vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("x-request-id".to_owned(), "req_9".to_owned()),
            ],
            body: Some(body.as_bytes().to_vec()),
        })
        .then_normal();
    let response = call(&t, &READ, "/entries/e1", &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-request-id"), Some("req_9"));
    assert_eq!(response.header("x-missing"), None);
    assert!(response.headers().contains_key("content-type"));
    assert_eq!(response.body().as_ref(), body.as_bytes());
    let meta = response.meta();
    assert_eq!(meta.status(), 200);
    assert_eq!(meta.attempts(), 1);
    assert!(meta.latency() > Duration::ZERO);
    assert_eq!(meta.request_id().map(|id| id.as_str()), Some("req_9"));
    assert_eq!(meta.idempotency_key(), None);
    assert!(!meta.is_replayed());
    let shown = format!("{response:?}");
    assert!(
        shown.contains(&format!("body_len: {}", body.len())),
        "{shown}"
    );
    // The card number's first six digits: `4111` alone may turn up in the latency.
    assert!(!shown.contains("411111"), "{shown}");

    let cause = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
    let err = response.decode_error("note", cause);
    assert_eq!(
        err.kind(),
        &ErrorKind::Decode {
            location: "note".to_owned()
        }
    );
    assert_eq!(err.operation(), Some("entry_get"));
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(err.request_id().map(|id| id.as_str()), Some("req_9"));
    let kept = err.body().unwrap().as_str();
    assert!(
        kept.contains("************1111") && !kept.contains("4111111111111111"),
        "{kept}"
    );
    assert!(err.source().is_some());
    assert_eq!(response.into_body().as_ref(), body.as_bytes());
}

#[test]
fn a_request_debugs_without_values() {
    use pay_core::{ContentType, MerchantReference};
    use pay_http::Request;
    use reqwest::header::{HeaderName, HeaderValue};

    let options = CallOptions::new();
    let request = Request::new(&READ, "/entries/e1")
        .query("filter", "secret-query-value")
        .header(
            HeaderName::from_static("x-signature"),
            HeaderValue::from_static("secret-header-value"),
        )
        .body(ContentType::Json, "secret-body-value")
        .reference(MerchantReference::new("order-7").unwrap())
        .options(&options);
    assert_eq!(request.operation().id, "entry_get");
    let shown = format!("{request:?}");
    for part in [
        "entry_get",
        "/entries/e1",
        "filter",
        "x-signature",
        "17",
        "order-7",
    ] {
        assert!(shown.contains(part), "{part}: {shown}");
    }
    for secret in [
        "secret-query-value",
        "secret-header-value",
        "secret-body-value",
    ] {
        assert!(!shown.contains(secret), "{secret}: {shown}");
    }
}

#[test]
fn each_zero_setting_alone_is_refused() {
    use pay_http::Transport;
    let base = || {
        Transport::builder(
            crate::support::PROVIDER,
            "https://api.example.com",
            PlainHooks,
        )
    };
    for (name, builder) in [
        ("attempt timeout", base().attempt_timeout(Duration::ZERO)),
        ("deadline", base().deadline(Duration::ZERO)),
        ("body limit", base().max_body(0)),
    ] {
        let err = builder.build().unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Configuration { reason } if reason.contains("must not be zero")),
            "{name}: {err:?}"
        );
    }
    assert!(base().build().is_ok());
}

#[tokio::test]
async fn a_request_the_client_will_not_build_is_a_configuration_error_and_never_sent() {
    // A caller's client that only speaks https, given a plain-http loopback base URL:
    // reqwest refuses to build the request, so nothing can have reached the server.
    let server = FakeServer::start(Ledger::new()).await.unwrap();
    let client = reqwest::Client::builder().https_only(true).build().unwrap();
    let t = crate::support::builder(server.base_url(), DOCUMENTED)
        .client(client)
        .build()
        .unwrap();
    let err = call(
        &t,
        &crate::support::UNKEYED_WRITE,
        "/entries",
        &CallOptions::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Configuration { reason } if reason.contains("could not be built")),
        "{err:?}"
    );
    assert!(!err.is_ambiguous());
    assert!(server.requests().is_empty());
}

/// The `pay.attempt` events of `logs`, one line each.
fn attempt_events(logs: &str) -> Vec<&str> {
    logs.lines()
        .filter(|line| line.contains("pay.attempt"))
        .collect()
}

#[test]
fn attempt_events_name_the_calls_safety_and_the_answers_status() {
    use crate::support::{UNKEYED_WRITE, builder, seed_entry};
    let ((), logs) = pay_testkit::logs::capture_at_trace(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = FakeServer::start(Ledger::new()).await.unwrap();
            let t = transport(&server, DOCUMENTED);
            // A read answered 503, retried, then found.
            let path = seed_entry(&server, r#"{"note":"n"}"#).await;
            server
                .faults()
                .on(Route::new("GET", "/entries/{id}"))
                .then(Fault::status(503))
                .then_normal();
            call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
            // A write without a key answered 500: never repeated.
            server
                .faults()
                .on(Route::new("POST", "/entries"))
                .then(Fault::status(500))
                .then_normal();
            call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
                .await
                .unwrap_err();
            // An answer over the size limit: fatal, with the status it came with.
            let big = seed_entry(&server, &format!(r#"{{"pad":"{}"}}"#, "x".repeat(500))).await;
            let small = builder(server.base_url(), DOCUMENTED)
                .max_body(256)
                .build()
                .unwrap();
            call(&small, &READ, &big, &CallOptions::new())
                .await
                .unwrap_err();
            server.shutdown().await.unwrap();
        })
    });
    let events = attempt_events(&logs);
    let event = |decision: &str, status: &str| {
        events
            .iter()
            .find(|line| {
                line.contains(&format!("decision=\"{decision}\""))
                    && line.contains(&format!("status={status}"))
            })
            .copied()
    };
    let retried =
        event("retry", "503").unwrap_or_else(|| panic!("no retry after 503 in {events:#?}"));
    assert!(retried.contains("safety=\"read\""), "{retried}");
    assert!(retried.contains("outcome=\"answered\""), "{retried}");
    // A 500 to a write without a key may have been applied: the call stops, ambiguous.
    let stopped =
        event("ambiguous", "500").unwrap_or_else(|| panic!("no stop after 500 in {events:#?}"));
    assert!(stopped.contains("outcome=\"answered\""), "{stopped}");
    assert!(stopped.contains("safety=\"unsafe_write\""), "{stopped}");
    let fatal = event("fatal", "200").unwrap_or_else(|| panic!("no fatal 200 in {events:#?}"));
    assert!(fatal.contains("outcome=\"stopped\""), "{fatal}");
}

#[tokio::test]
async fn paths_the_url_parser_reads_specially_reach_the_server_encoded() {
    // Escapes, spaces and non-ASCII take the whole parse, in the stack buffer or, past
    // 512 bytes, in a heap string; a plain path (however long) takes the parsed base.
    // Each arrives as the URL parser encodes it.
    let server = FakeServer::start(Ledger::new()).await.unwrap();
    let t = transport(&server, DOCUMENTED);
    let long_plain = format!("/entries/{}", "x".repeat(600));
    let long_escaped = format!("/entries/{}%20y", "x".repeat(600));
    let long_spaced = format!("/entries/{} y", "x".repeat(600));
    for (path, expected) in [
        ("/entries/a%20b", "/entries/a%20b".to_owned()),
        ("/entries/caf\u{e9}", "/entries/caf%C3%A9".to_owned()),
        ("/entries/a b", "/entries/a%20b".to_owned()),
        (long_plain.as_str(), long_plain.clone()),
        (long_escaped.as_str(), long_escaped.clone()),
        (long_spaced.as_str(), long_escaped.clone()),
        ("/entries/plain-1.2_3~", "/entries/plain-1.2_3~".to_owned()),
    ] {
        server.clear_requests();
        let err = call(&t, &READ, path, &CallOptions::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::NotFound, "{path}: {err:?}");
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{path}");
        assert_eq!(requests[0].path(), expected, "{path}");
    }
}
