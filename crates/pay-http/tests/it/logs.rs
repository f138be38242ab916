//! Everything the transport logs, captured at TRACE over calls full of secrets (API key and
//! bearer token headers, card numbers, IBANs, phone numbers, idempotency keys in bodies,
//! headers and error answers), contains none of them.

use std::time::Duration;

use pay_core::{CallOptions, ContentType, IdempotencyKey};
use pay_http::Request;
use pay_testkit::logs::capture_at_trace;
use pay_testkit::testing::Ledger;
use pay_testkit::{FakeServer, Fault, Route};

use crate::faults::call;
use crate::support::{
    API_KEY, BEARER, CARD, DOCUMENTED, IBAN, KEYED_WRITE, PHONE, READ, UNKEYED_WRITE, builder,
    seed_entry, transport,
};

const CALLER_KEY: &str = "order-secret-key-77";

/// Runs calls that exercise every path of the loop, and returns the generated keys.
async fn scenarios() -> Vec<String> {
    let server = FakeServer::start(Ledger::new()).await.unwrap();
    let t = transport(&server, DOCUMENTED);
    let mut keys = Vec::new();
    let entries = || server.faults().on(Route::new("POST", "/entries"));
    let entry = || server.faults().on(Route::new("GET", "/entries/{id}"));

    // A keyed write with the caller's key, answer lost after it was applied.
    entries().then(Fault::AppliedThenLost).then_normal();
    let options = CallOptions::new().idempotency_key(IdempotencyKey::new(CALLER_KEY).unwrap());
    call(&t, &KEYED_WRITE, "/entries", &options).await.unwrap();

    // A keyed write with a fresh key, 502 then fine.
    entries().then(Fault::status(502)).then_normal();
    let response = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap();
    keys.push(response.meta().idempotency_key().unwrap().to_string());

    // Error answers full of secrets, in JSON, a form and HTML.
    let json_error = format!(
        r#"{{"code":"declined","message":"card {CARD} iban {IBAN} phone +351{PHONE}","customer":{{"phone":"{PHONE}","iban":"{IBAN}"}},"apiKey":"{API_KEY}","token":"{BEARER}"}}"#
    );
    entries()
        .then(Fault::status_with_body(
            500,
            "application/json",
            json_error.clone(),
        ))
        .then_normal();
    let err = call(&t, &KEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    keys.push(err.idempotency_key().unwrap().to_string());
    entries()
        .then(Fault::status_with_body(
            400,
            "application/x-www-form-urlencoded",
            format!("Code=9&ApiKey={API_KEY}&CardNumber={CARD}&Phone={PHONE}&Iban={IBAN}"),
        ))
        .then_normal();
    call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    let path = seed_entry(&server, &crate::support::secret_body()).await;
    entry()
        .then(Fault::status_with_body(
            503,
            "text/html",
            format!("<html>card {CARD}, iban {IBAN}, phone {PHONE}</html>"),
        ))
        .then(Fault::status(429))
        .then_normal();
    // Retries through to a success whose body (stored earlier) holds the secrets.
    let options = CallOptions::new().timeout(Duration::from_secs(5));
    let got = builder(server.base_url(), DOCUMENTED)
        .retry_policy(pay_core::RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(2),
        ))
        .build()
        .unwrap()
        .send(Request::new(&READ, path.clone()).options(&options))
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(got.body()).contains(CARD),
        "the body itself is intact"
    );

    // Lost answers of every sort.
    entry()
        .then(Fault::Reset)
        .then(Fault::TruncatedBody)
        .then_normal();
    call(&t, &READ, &path, &CallOptions::new()).await.unwrap();
    entries().then(Fault::MalformedBody).then_normal();
    call(&t, &UNKEYED_WRITE, "/entries", &CallOptions::new())
        .await
        .unwrap_err();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let closed = builder(&format!("http://127.0.0.1:{port}"), DOCUMENTED)
        .build()
        .unwrap();
    closed
        .send(
            Request::new(&UNKEYED_WRITE, "/entries")
                .body(ContentType::Json, crate::support::secret_body()),
        )
        .await
        .unwrap_err();
    server.shutdown().await.unwrap();
    keys
}

#[test]
fn no_secret_reaches_the_logs_even_at_trace() {
    let (keys, logs) = capture_at_trace(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(scenarios())
    });

    // The capture works and shows what it should.
    for expected in [
        "pay.call",
        "pay.attempt",
        "pay.answer",
        "entry_create",
        "decision=\"retry\"",
        "decision=\"ambiguous\"",
        "outcome=\"not_sent\"",
        "safety=\"idempotent_write\"",
        "replay=true",
        "************1111",
    ] {
        assert!(logs.contains(expected), "no `{expected}` in:\n{logs}");
    }
    let phone_digits = format!("351{PHONE}");
    let mut secrets = vec![
        API_KEY,
        BEARER,
        CARD,
        IBAN,
        PHONE,
        CALLER_KEY,
        &phone_digits,
    ];
    secrets.extend(keys.iter().map(String::as_str));
    assert_eq!(keys.len(), 2);
    for secret in secrets {
        assert!(!logs.contains(secret), "`{secret}` leaked into:\n{logs}");
    }
}
