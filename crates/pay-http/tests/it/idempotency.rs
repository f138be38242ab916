//! Idempotency keys: chosen once per call, sent on every attempt, checked before sending,
//! never sent where the operation has no header, and reported on the answer and every
//! error; and the body and fixed headers are the same bytes on every attempt.

use pay_core::{CallOptions, ContentType, ErrorKind, IdempotencyKey, Rule};
use pay_http::{Request, StopReason};
use pay_testkit::testing::Ledger;
use pay_testkit::{FakeServer, Fault, Route};
use reqwest::header::{HeaderName, HeaderValue};

use crate::faults::call;
use crate::support::{DOCUMENTED, KEYED_WRITE, READ, UNKEYED_WRITE, ended, seed_entry, transport};

async fn server() -> FakeServer<Ledger> {
    FakeServer::start(Ledger::new()).await.unwrap()
}

fn keys_sent(server: &FakeServer<Ledger>) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_callers_key_is_sent_on_every_attempt() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    server
        .faults()
        .on(Route::new("POST", "/entries"))
        .then_times(2, Fault::status(503))
        .then_normal();
    let key = IdempotencyKey::new("order-42-create").unwrap();
    let options = CallOptions::new().idempotency_key(key.clone());
    let response = call(&t, &KEYED_WRITE, "/entries", &options).await.unwrap();
    assert_eq!(response.meta().attempts(), 3);
    assert_eq!(response.meta().idempotency_key(), Some(&key));
    assert!(!response.meta().is_replayed());
    assert_eq!(
        keys_sent(&server),
        vec![Some("order-42-create".to_owned()); 3]
    );

    // Repeating the call with the same key later is answered from the server's store.
    let again = call(&t, &KEYED_WRITE, "/entries", &options).await.unwrap();
    assert!(again.meta().is_replayed());
    assert_eq!(again.body(), response.body());
    assert_eq!(server.provider().len(), 1);
}

#[tokio::test]
async fn a_fresh_key_is_made_once_per_call() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    server
        .faults()
        .on(Route::new("POST", "/entries"))
        .then(Fault::status(502))
        .then_normal();
    let first = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    let second = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    let sent = keys_sent(&server);
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent[0], sent[1],
        "one key for both attempts of the first call"
    );
    assert_ne!(sent[1], sent[2], "a new key for a new call");
    let key = first.meta().idempotency_key().unwrap().as_str();
    assert_eq!(Some(key), sent[0].as_deref());
    assert_eq!(key.len(), 36);
    assert_eq!(key.as_bytes()[14], b'4', "UUID version 4");
    assert_ne!(
        second.meta().idempotency_key(),
        first.meta().idempotency_key()
    );
    assert_eq!(server.provider().len(), 2);
}

#[tokio::test]
async fn a_key_longer_than_the_provider_accepts_is_refused_before_sending() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    let key = IdempotencyKey::new("k".repeat(51)).unwrap();
    let options = CallOptions::new().idempotency_key(key.clone());
    let err = call(&t, &KEYED_WRITE, "/entries", &options)
        .await
        .unwrap_err();
    let invalid = err.validation().expect("InvalidRequest");
    assert_eq!(invalid.field(), "idempotency_key");
    assert!(
        matches!(invalid.rule(), Rule::MaxLength { .. }),
        "{invalid:?}"
    );
    assert_eq!(err.idempotency_key(), Some(&key));
    assert_eq!(err.operation(), Some("entry_create"));
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn operations_without_a_header_never_send_a_key() {
    let server = server().await;
    let path = seed_entry(&server, "{}").await;
    let t = transport(&server, DOCUMENTED);
    let options = CallOptions::new().idempotency_key(IdempotencyKey::new("ignored-key").unwrap());
    let read = call(&t, &READ, &path, &options).await.unwrap();
    let write = call(&t, &UNKEYED_WRITE, "/entries", &options)
        .await
        .unwrap();
    assert_eq!(read.meta().idempotency_key(), None);
    assert_eq!(write.meta().idempotency_key(), None);
    assert_eq!(keys_sent(&server), vec![None, None]);
}

#[tokio::test]
async fn every_error_of_a_keyed_call_carries_the_key_and_the_replay_flag() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    let key = IdempotencyKey::new("order-7").unwrap();
    let options = CallOptions::new().idempotency_key(key.clone());
    let replayed_400 = Fault::Status {
        status: 400,
        headers: vec![("Idempotency-Replay".to_owned(), "true".to_owned())],
        body: None,
    };
    for (fault, kind) in [
        (replayed_400, ErrorKind::Rejected),
        (Fault::status(404), ErrorKind::NotFound),
        (
            Fault::status(500),
            ErrorKind::AmbiguousOutcome {
                reference: Some(pay_core::MerchantReference::new("order-42").unwrap()),
            },
        ),
    ] {
        server
            .faults()
            .on(Route::new("POST", "/entries"))
            .then(fault.clone())
            .then_normal();
        let err = call(&t, &KEYED_WRITE, "/entries", &options)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &kind, "{fault:?}");
        assert_eq!(err.idempotency_key(), Some(&key), "{fault:?}");
        assert!(err.to_string().contains("idempotency key order-7"), "{err}");
    }
    // An answer the server marks as a replay: the error says so.
    server
        .faults()
        .on(Route::new("POST", "/entries"))
        .then(Fault::Status {
            status: 409,
            headers: vec![("idempotency-replay".to_owned(), "true".to_owned())],
            body: None,
        })
        .then_repeat_last();
    let err = call(&t, &KEYED_WRITE, "/entries", &options)
        .await
        .unwrap_err();
    assert!(err.is_replayed());
    assert_eq!(err.kind(), &ErrorKind::Conflict);
    assert_eq!(ended(&err), (3, StopReason::GaveUp));
}

#[tokio::test]
async fn every_attempt_sends_the_identical_bytes_and_fixed_headers() {
    let server = server().await;
    let t = transport(&server, DOCUMENTED);
    server
        .faults()
        .on(Route::new("POST", "/entries"))
        .then(Fault::status(502))
        .then(Fault::AppliedThenLost)
        .then_normal();
    // A body stamped with a time and "signed" once, before the call.
    let body = r#"{"amount":"12.50","timestamp":"2026-11-23T10:00:00Z"}"#;
    let stamp = HeaderValue::from_static("t=1700000000,v1=deadbeef");
    let options = CallOptions::new();
    let request = Request::new(&KEYED_WRITE, "/entries")
        .body(ContentType::Json, body)
        .header(HeaderName::from_static("x-body-stamp"), stamp)
        .options(&options);
    let response = t.send(request).await.unwrap();
    assert_eq!(response.meta().attempts(), 3);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.body(), body);
        assert_eq!(r.header("x-body-stamp"), Some("t=1700000000,v1=deadbeef"));
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    assert_eq!(server.provider().body_of("e1").as_deref(), Some(body));
    assert_eq!(server.provider().len(), 1);
}
