//! Every fault the testkit can inject, against a read, a keyed write and an unkeyed write:
//! the decision, the error kind, the number of attempts the server saw, and (for writes)
//! how many entries exist afterwards.

use std::time::{Duration, Instant, SystemTime};

use pay_core::{
    CallOptions, ContentType, ErrorKind, ManualClock, MerchantReference, Operation, PayError,
    RetryPolicy, RetryRules,
};
use pay_http::{Request, Response, StopReason, Transport};
use pay_testkit::testing::Ledger;
use pay_testkit::{FakeServer, Fault, FaultKind, Route};

use crate::support::{
    DOCUMENTED, KEYED_WRITE, LedgerHooks, READ, UNKEYED_WRITE, builder, ended, received,
    secret_body, seed_entry, transport,
};

/// Sends `operation` (a read of `path`, or a write to `/entries` with a secret-looking
/// body and the merchant reference `order-42`).
pub(crate) async fn call(
    t: &Transport<LedgerHooks>,
    operation: &'static Operation,
    path: &str,
    options: &CallOptions,
) -> Result<Response, PayError> {
    let mut request = Request::new(operation, path.to_owned()).options(options);
    if operation.method != pay_core::Method::Get {
        request = request
            .body(ContentType::Json, secret_body())
            .reference(MerchantReference::new("order-42").unwrap());
    }
    t.send(request).await
}

async fn server() -> FakeServer<Ledger> {
    FakeServer::start(Ledger::new()).await.unwrap()
}

fn on_entries(server: &FakeServer<Ledger>, method: &str, faults: impl IntoIterator<Item = Fault>) {
    let path = if method == "GET" {
        "/entries/{id}"
    } else {
        "/entries"
    };
    let mut script = server.faults().on(Route::new(method, path));
    for fault in faults {
        script = script.then(fault);
    }
    script.then_normal();
}

fn on_entries_forever(server: &FakeServer<Ledger>, method: &str, fault: Fault) {
    let path = if method == "GET" {
        "/entries/{id}"
    } else {
        "/entries"
    };
    server
        .faults()
        .on(Route::new(method, path))
        .then(fault)
        .then_repeat_last();
}

fn with_header(status: u16, name: &str, value: &str) -> Fault {
    Fault::Status {
        status,
        headers: vec![(name.to_owned(), value.to_owned())],
        body: None,
    }
}

fn ambiguous_with_reference(err: &PayError) -> bool {
    matches!(err.kind(), ErrorKind::AmbiguousOutcome { reference: Some(r) } if r.as_str() == "order-42")
}

#[tokio::test]
async fn client_errors_are_reported_at_once_with_their_kind() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    let cases = [
        (400, ErrorKind::Rejected),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Authentication),
        (404, ErrorKind::NotFound),
        (422, ErrorKind::Rejected),
    ];
    for (status, kind) in cases {
        server.clear_requests();
        on_entries(&server, "GET", [Fault::status(status)]);
        let err = call(&t, &READ, &path, &CallOptions::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &kind, "{status}");
        assert_eq!(err.http_status(), Some(status));
        assert_eq!(ended(&err), (1, StopReason::GaveUp), "{status}");
        assert_eq!(received(&server, "GET", &path), 1, "{status}");
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn documented_retry_statuses_are_retried_for_reads() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    for status in [409, 429, 500, 502, 503] {
        server.clear_requests();
        on_entries(&server, "GET", [Fault::status(status)]);
        let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
        assert_eq!(response.status(), 200, "{status}");
        assert_eq!(response.meta().attempts(), 2, "{status}");
        assert_eq!(received(&server, "GET", &path), 2, "{status}");
    }
}

#[tokio::test]
async fn a_read_that_stays_down_stops_at_the_attempt_cap() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    // Five retries allowed by the policy, but the documented cap is 3 attempts.
    let t = builder(server.base_url(), DOCUMENTED)
        .retry_policy(RetryPolicy::new(
            5,
            Duration::from_millis(1),
            Duration::from_millis(2),
        ))
        .build()
        .unwrap();
    on_entries_forever(&server, "GET", Fault::status(503));
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ProviderUnavailable);
    assert!(err.is_retryable());
    assert_eq!(ended(&err), (3, StopReason::GaveUp));
    assert_eq!(received(&server, "GET", &path), 3);
}

#[tokio::test]
async fn the_rules_decide_which_statuses_are_retried() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    // 504 is not in the documented list, but generic rules retry it.
    on_entries(&server, "GET", [Fault::status(504)]);
    let err = call(
        &transport(&server, DOCUMENTED),
        &READ,
        &path,
        &CallOptions::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ProviderUnavailable);
    assert_eq!(ended(&err), (1, StopReason::GaveUp));

    server.clear_requests();
    on_entries(&server, "GET", [Fault::status(504)]);
    let generic = transport(&server, RetryRules::GENERIC);
    let response = call(&generic, &READ, &path, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(response.meta().attempts(), 2);
    assert_eq!(received(&server, "GET", &path), 2);

    // A per-call policy override: no retries at all.
    server.clear_requests();
    on_entries(&server, "GET", [Fault::status(503)]);
    let options = CallOptions::new().retry(RetryPolicy::none());
    let err = call(&generic, &READ, &path, &options).await.unwrap_err();
    assert_eq!(ended(&err), (1, StopReason::GaveUp));
}

#[tokio::test]
async fn an_unsafe_write_that_may_have_arrived_is_ambiguous_and_never_repeated() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    // Any 5xx (and 408) may come after the provider applied it: a gateway's 502, 503
    // or 524 proves nothing about the origin.
    for status in [408, 500, 501, 502, 503, 504, 520, 524] {
        server.clear_requests();
        on_entries(&server, "POST", [Fault::status(status)]);
        let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
            .await
            .unwrap_err();
        assert!(ambiguous_with_reference(&err), "{status}: {err:?}");
        assert!(!err.is_retryable());
        assert_eq!(err.http_status(), Some(status));
        assert_eq!(ended(&err), (1, StopReason::Ambiguous), "{status}");
        assert_eq!(received(&server, "POST", "/entries"), 1);
        assert_eq!(err.idempotency_key(), None);
    }
    // A 429 says it was refused: reported as it is (retryable later), not repeated now.
    server.clear_requests();
    on_entries(&server, "POST", [Fault::status(429)]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::RateLimited { .. }),
        "{err:?}"
    );
    assert_eq!(ended(&err), (1, StopReason::GaveUp));
    assert!(server.provider().is_empty());
}

#[tokio::test]
async fn keyed_writes_follow_the_documented_table() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    // A POST's 500 is stored under the key: repeating would replay it, so ambiguous.
    on_entries(&server, "POST", [Fault::status(500)]);
    let err = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err), "{err:?}");
    assert!(err.idempotency_key().is_some());
    assert_eq!(ended(&err), (1, StopReason::Ambiguous));

    // Transient answers are repeated with the same key, and the write happens once.
    for status in [409, 429, 502, 503] {
        server.clear_requests();
        on_entries(&server, "POST", [Fault::status(status)]);
        let before = server.provider().len();
        let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
            .await
            .unwrap();
        assert_eq!(response.meta().attempts(), 2, "{status}");
        assert_eq!(server.provider().len(), before + 1, "{status}");
        let keys: Vec<String> = server
            .requests()
            .iter()
            .map(|r| r.header("idempotency-key").unwrap().to_owned())
            .collect();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0], keys[1], "{status}: the same key on every attempt");
        assert_eq!(
            Some(keys[0].as_str()),
            response.meta().idempotency_key().map(|k| k.as_str())
        );
    }
}

#[tokio::test]
async fn the_providers_advice_header_wins_over_the_table() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    on_entries(
        &server,
        "GET",
        [with_header(503, "X-Should-Retry", "false")],
    );
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(ended(&err), (1, StopReason::GaveUp));

    server.clear_requests();
    on_entries(&server, "GET", [with_header(400, "x-should-retry", "true")]);
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 2);
}

#[tokio::test]
async fn failures_under_http_200_are_classified_by_the_hooks() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    let busy = Fault::status_with_body(
        200,
        "application/json",
        r#"{"status":"error","code":"BUSY"}"#,
    );
    let denied = Fault::status_with_body(
        200,
        "application/json",
        r#"{"status":"error","code":"DENIED","message":"not allowed"}"#,
    );
    // A transient code is retried for a read.
    on_entries(&server, "GET", [busy.clone()]);
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 2);
    // Any other code is reported as it is.
    server.clear_requests();
    on_entries(&server, "GET", [denied]);
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Rejected);
    assert_eq!(err.provider_code(), Some("DENIED"));
    assert_eq!(err.provider_message(), Some("not allowed"));
    assert_eq!(ended(&err), (1, StopReason::GaveUp));
    // An unsafe write is never repeated, whatever the code says.
    on_entries(&server, "POST", [busy]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(ended(&err), (1, StopReason::GaveUp));
    assert_eq!(err.provider_code(), Some("BUSY"));
}

#[tokio::test]
async fn rate_limited_with_retry_after_in_seconds() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    let one_second = Fault::RateLimited {
        retry_after: Duration::from_secs(1),
    };
    on_entries(&server, "GET", [one_second.clone()]);
    let started = Instant::now();
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited Retry-After"
    );
    assert_eq!(response.meta().attempts(), 2);

    server.clear_requests();
    on_entries(&server, "GET", [one_second]);
    let options = CallOptions::new().retry(RetryPolicy::none());
    let err = call(&t, &READ, &path, &options).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(received(&server, "GET", &path), 1);
}

#[tokio::test]
async fn rate_limited_with_retry_after_as_an_http_date_read_against_the_clock() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    // The injected clock is in 2001: a date one second after it is in the past for the
    // system clock, so only reading it against the injected clock waits a second.
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(978_307_200));
    let t = builder(server.base_url(), DOCUMENTED)
        .clock(std::sync::Arc::new(clock.clone()))
        .build()
        .unwrap();
    let date = |ahead| httpdate::fmt_http_date(pay_core::Clock::now(&clock) + ahead);
    on_entries(
        &server,
        "GET",
        [with_header(
            429,
            "Retry-After",
            &date(Duration::from_secs(1)),
        )],
    );
    let started = Instant::now();
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.meta().attempts(), 2);

    // Two minutes is longer than the policy honours (30 s): report it instead of waiting.
    server.clear_requests();
    on_entries(
        &server,
        "GET",
        [with_header(
            429,
            "Retry-After",
            &date(Duration::from_secs(120)),
        )],
    );
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(ended(&err), (1, StopReason::GaveUp));
}

#[tokio::test]
async fn delays_past_the_attempt_timeout() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED); // 250 ms per attempt
    let slow = Fault::Delay(Duration::from_millis(600));

    on_entries(&server, "GET", [slow.clone()]);
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 2);

    // The unkeyed write may land after we stopped listening: ambiguous, sent once.
    server.clear_requests();
    on_entries(&server, "POST", [slow.clone()]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err), "{err:?}");
    assert_eq!(ended(&err), (1, StopReason::Ambiguous));
    assert_eq!(received(&server, "POST", "/entries"), 1);

    // The keyed write is repeated with its key: however the two land, one effect.
    server.clear_requests();
    tokio::time::sleep(Duration::from_millis(400)).await; // let the slow one settle
    let before = server.provider().len();
    on_entries(&server, "POST", [slow]);
    let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(response.meta().attempts(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await; // let the slow one finish
    assert_eq!(server.provider().len(), before + 1, "one effect");
}

#[tokio::test]
async fn a_hang_stops_at_the_calls_deadline() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = builder(server.base_url(), DOCUMENTED)
        .attempt_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    on_entries_forever(&server, "GET", Fault::Hang);
    let options = CallOptions::new().timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = call(&t, &READ, &path, &options).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert_eq!(err.kind(), &ErrorKind::Timeout);
    assert!(err.is_retryable());
    assert_eq!(ended(&err), (1, StopReason::Deadline));
    assert_eq!(received(&server, "GET", &path), 1);

    // An unsafe write that hangs is ambiguous.
    on_entries_forever(&server, "POST", Fault::Hang);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &options)
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err));
}

#[tokio::test]
async fn backoff_never_sleeps_past_the_deadline() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    on_entries(
        &server,
        "GET",
        [Fault::RateLimited {
            retry_after: Duration::from_secs(2),
        }],
    );
    let options = CallOptions::new().timeout(Duration::from_millis(500));
    let started = Instant::now();
    let err = call(&t, &READ, &path, &options).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(ended(&err), (1, StopReason::Deadline));
}

#[tokio::test]
async fn a_refused_connection_never_reached_the_server_so_even_unsafe_writes_retry() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // closed again: connecting is refused
    let t = builder(&format!("http://127.0.0.1:{port}"), DOCUMENTED)
        .build()
        .unwrap();
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ProviderUnavailable);
    assert!(err.is_retryable(), "it never reached the provider");
    assert_eq!(ended(&err), (3, StopReason::GaveUp));
    assert_eq!(
        t.hooks()
            .authorized
            .load(std::sync::atomic::Ordering::SeqCst),
        3
    );
    let cause = std::error::Error::source(crate::support::failure(&err));
    assert!(cause.is_some(), "the connect error is kept");
}

#[tokio::test]
async fn a_reset_after_the_write() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    for lost in [Fault::Reset, Fault::EmptyResponse] {
        server.clear_requests();
        on_entries(&server, "GET", [lost.clone()]);
        let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
        assert_eq!(response.meta().attempts(), 2, "{lost:?}");
        assert_eq!(received(&server, "GET", &path), 2, "{lost:?}");

        server.clear_requests();
        on_entries(&server, "POST", [lost.clone()]);
        let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
            .await
            .unwrap_err();
        assert!(ambiguous_with_reference(&err), "{lost:?}: {err:?}");
        assert_eq!(ended(&err), (1, StopReason::Ambiguous));
        assert_eq!(received(&server, "POST", "/entries"), 1);

        server.clear_requests();
        let before = server.provider().len();
        on_entries(&server, "POST", [lost.clone()]);
        let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
            .await
            .unwrap();
        assert_eq!(response.meta().attempts(), 2);
        assert_eq!(server.provider().len(), before + 1, "{lost:?}");
    }
    // A read that keeps losing its answer: not a timeout, the provider is unreachable.
    on_entries_forever(&server, "GET", Fault::Reset);
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ProviderUnavailable);
    assert_eq!(ended(&err), (3, StopReason::GaveUp));
}

#[tokio::test]
async fn truncated_bodies_are_lost_answers() {
    let server = server().await;
    let path = seed_entry(&server, r#"{"n":1}"#).await;
    let t = transport(&server, DOCUMENTED);
    on_entries(&server, "GET", [Fault::TruncatedBody]);
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 2);

    // Applied, then cut short: the unkeyed write is ambiguous and exists once.
    server.clear_requests();
    let before = server.provider().len();
    on_entries(&server, "POST", [Fault::TruncatedBody]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err), "{err:?}");
    assert_eq!(ended(&err), (1, StopReason::Ambiguous));
    assert_eq!(server.provider().len(), before + 1);

    // The keyed write is repeated and the server replays the first answer.
    server.clear_requests();
    on_entries(&server, "POST", [Fault::TruncatedBody]);
    let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(response.meta().attempts(), 2);
    assert!(response.meta().is_replayed());
    assert_eq!(server.provider().len(), before + 2);
}

#[tokio::test]
async fn malformed_bodies_are_unreadable_answers() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    on_entries(&server, "GET", [Fault::MalformedBody]);
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 2);

    server.clear_requests();
    on_entries_forever(&server, "GET", Fault::MalformedBody);
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Decode {
            location: "body".to_owned()
        }
    );
    assert_eq!(err.http_status(), Some(200));
    assert!(err.body().is_some());
    assert_eq!(ended(&err), (3, StopReason::GaveUp));
    server.faults().clear();

    let before = server.provider().len();
    on_entries(&server, "POST", [Fault::MalformedBody]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err), "{err:?}");
    assert_eq!(server.provider().len(), before + 1);

    on_entries(&server, "POST", [Fault::MalformedBody]);
    let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    assert!(response.meta().is_replayed());
    assert_eq!(server.provider().len(), before + 2);
}

#[tokio::test]
async fn html_error_pages_from_a_load_balancer() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    on_entries_forever(&server, "GET", Fault::HtmlError);
    let err = call(&t, &READ, &path, &CallOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ProviderUnavailable);
    assert_eq!(err.http_status(), Some(502));
    assert!(err.body().unwrap().as_str().contains("502 Bad Gateway"));
    assert_eq!(
        err.provider_message(),
        None,
        "the hooks could not read HTML"
    );
    assert_eq!(ended(&err), (3, StopReason::GaveUp));

    on_entries(&server, "POST", [Fault::HtmlError]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err));
    assert_eq!(ended(&err), (1, StopReason::Ambiguous));
}

#[tokio::test]
async fn applied_then_lost() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    on_entries(&server, "POST", [Fault::AppliedThenLost]);
    let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(response.meta().attempts(), 2);
    assert!(response.meta().is_replayed());
    assert_eq!(server.provider().len(), 1, "one effect");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("idempotency-key"),
        requests[1].header("idempotency-key")
    );

    on_entries(&server, "POST", [Fault::AppliedThenLost]);
    let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    assert!(ambiguous_with_reference(&err), "{err:?}");
    assert!(
        err.to_string()
            .contains("reconcile by merchant reference `order-42`")
    );
    assert_eq!(ended(&err), (1, StopReason::Ambiguous));
    assert_eq!(server.provider().len(), 2, "applied once, never repeated");
}

/// The writes that happen before the answer goes wrong: a gateway status, no answer at
/// all, a body slower than the attempt timeout. An unkeyed write is ambiguous, sent
/// once and applied once; a keyed write is repeated with its key and replayed.
#[tokio::test]
async fn applied_then_a_status_a_hang_or_a_slow_body() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED); // 250 ms per attempt
    let faults = [
        Fault::AppliedThenStatus(503),
        Fault::AppliedThenHang,
        Fault::SlowBody {
            chunks: 4,
            over: Duration::from_millis(800),
        },
    ];
    for fault in faults {
        server.clear_requests();
        let before = server.provider().len();
        on_entries(&server, "POST", [fault.clone()]);
        let err = call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
            .await
            .unwrap_err();
        assert!(ambiguous_with_reference(&err), "{fault:?}: {err:?}");
        assert_eq!(ended(&err), (1, StopReason::Ambiguous), "{fault:?}");
        assert_eq!(received(&server, "POST", "/entries"), 1, "{fault:?}");
        assert_eq!(server.provider().len(), before + 1, "{fault:?}");

        server.clear_requests();
        on_entries(&server, "POST", [fault.clone()]);
        let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
            .await
            .unwrap();
        assert_eq!(response.meta().attempts(), 2, "{fault:?}");
        assert!(response.meta().is_replayed(), "{fault:?}");
        assert_eq!(server.provider().len(), before + 2, "{fault:?}: one effect");
    }
    // A slow body that still arrives within the attempt timeout is just slow.
    server.clear_requests();
    let path = seed_entry(&server, "{}").await;
    on_entries(
        &server,
        "GET",
        [Fault::SlowBody {
            chunks: 2,
            over: Duration::from_millis(60),
        }],
    );
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 1);
}

#[tokio::test]
async fn a_wrong_content_type_on_a_readable_answer_is_still_an_answer() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    on_entries(&server, "GET", [Fault::WrongContentType]);
    let response = call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    assert_eq!(response.meta().attempts(), 1);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
}

#[test]
fn every_fault_kind_has_a_test_here() {
    let source = include_str!("faults.rs");
    let names = [
        (FaultKind::Status, "Fault::status("),
        (FaultKind::RateLimited, "Fault::RateLimited"),
        (FaultKind::Delay, "Fault::Delay("),
        (FaultKind::Hang, "Fault::Hang"),
        (FaultKind::Reset, "Fault::Reset"),
        (FaultKind::EmptyResponse, "Fault::EmptyResponse"),
        (FaultKind::TruncatedBody, "Fault::TruncatedBody"),
        (FaultKind::MalformedBody, "Fault::MalformedBody"),
        (FaultKind::HtmlError, "Fault::HtmlError"),
        (FaultKind::WrongContentType, "Fault::WrongContentType"),
        (FaultKind::AppliedThenLost, "Fault::AppliedThenLost"),
        (FaultKind::AppliedThenStatus, "Fault::AppliedThenStatus("),
        (FaultKind::AppliedThenHang, "Fault::AppliedThenHang"),
        (FaultKind::SlowBody, "Fault::SlowBody"),
    ];
    assert_eq!(
        names.len(),
        FaultKind::ALL.len(),
        "a new fault kind needs a test"
    );
    for (kind, name) in names {
        assert!(FaultKind::ALL.contains(&kind));
        assert!(source.matches(name).count() >= 2, "{name}");
    }
}
