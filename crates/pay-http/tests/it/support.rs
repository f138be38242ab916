//! Shared pieces: a small operation table, two retry-rule tables, hooks for the testkit's
//! toy `Ledger`, and helpers to build a fast transport and read a failure's evidence.

use std::error::Error as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pay_core::{
    ContentType, ErrorKind, IdempotencyHeader, Method, Operation, OperationKind, PayError,
    ProviderId, RetryPolicy, RetryRules,
};
use pay_http::{
    Answer, CallFailure, Classification, ErrorDetails, Hooks, StopReason, Transport,
    TransportBuilder,
};
use pay_testkit::FakeServer;
use pay_testkit::testing::Ledger;
use reqwest::header::{HeaderMap, HeaderValue};

pub(crate) const fn operation(
    id: &'static str,
    method: Method,
    path: &'static str,
    idempotency_header: Option<IdempotencyHeader>,
) -> Operation {
    Operation {
        id,
        kind: OperationKind::Path,
        method,
        path,
        summary: "",
        auth: &[],
        content_types: &[ContentType::Json],
        request_body: None,
        query: None,
        path_params: &[],
        idempotent: false,
        idempotency_header,
        signed: None,
        pagination: None,
        envelope: None,
        rust_module: "",
        rust_fn: None,
        generation: None,
        path_confidence: None,
        inferred: None,
    }
}

/// A read: repeating it changes nothing.
pub(crate) static READ: Operation = operation("entry_get", Method::Get, "/entries/{id}", None);

/// A write the server de-duplicates by `Idempotency-Key` (at most 50 characters).
pub(crate) static KEYED_WRITE: Operation = operation(
    "entry_create",
    Method::Post,
    "/entries",
    Some(IdempotencyHeader {
        name: "Idempotency-Key",
        max_length: 50,
    }),
);

/// The same write without a key: the server cannot de-duplicate it.
pub(crate) static UNKEYED_WRITE: Operation =
    operation("entry_create", Method::Post, "/entries", None);

/// Documented retry rules shaped like a real provider's: an advice header; 409, 429, 502
/// and 503 retried; a POST's 500 not retried (and stored under the key); 429, 502 and
/// 503 not stored; at most 3 attempts.
pub(crate) const DOCUMENTED: RetryRules = RetryRules {
    advice_header: Some("X-Should-Retry"),
    retry_statuses: &[409, 429, 502, 503],
    no_retry_500_methods: &[Method::Post],
    retry_on_no_response: true,
    transient_statuses: &[429, 502, 503],
    max_attempts: Some(3),
};

pub(crate) const PROVIDER: ProviderId = ProviderId::new("ledger");

pub(crate) const API_KEY: &str = "sk_live_7hQ2mZ9xV4bN1cR8";
pub(crate) const BEARER: &str = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.Zm9vYmFy";
pub(crate) const CARD: &str = "4111111111111111";
pub(crate) const IBAN: &str = "PT50000201231234567890154";
pub(crate) const PHONE: &str = "911234567";

/// A JSON body carrying a card number, an IBAN and a phone number.
pub(crate) fn secret_body() -> String {
    format!(r#"{{"note":"order","card_number":"{CARD}","iban":"{IBAN}","phone":"+351{PHONE}"}}"#)
}

/// Hooks for the toy ledger: a success body must be JSON; `{"status":"error","code":…}`
/// under 200 is a failure (code `BUSY` is transient); error bodies are
/// `{"code":…,"message":…}` or the testkit's `{"error":{"message":…}}`; requests carry an
/// API key and a bearer token, counted per attempt.
#[derive(Debug, Default)]
pub(crate) struct LedgerHooks {
    pub(crate) authorized: AtomicU32,
    pub(crate) refuse: bool,
}

impl Hooks for LedgerHooks {
    fn classify(&self, _operation: &'static Operation, answer: &Answer<'_>) -> Classification {
        if !answer.is_success() {
            return Classification::by_status(answer);
        }
        match serde_json::from_slice::<serde_json::Value>(answer.body()) {
            Ok(json) if json["status"] == "error" => Classification::Failure {
                should_retry: Some(json["code"] == "BUSY"),
            },
            Ok(_) => Classification::Success,
            Err(_) => Classification::Unreadable {
                location: "body".to_owned(),
            },
        }
    }

    fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(answer.body()) else {
            return ErrorDetails::new();
        };
        let mut details = ErrorDetails::new();
        if let Some(code) = json["code"].as_str() {
            details = details.code(code);
            if code == "declined" {
                details = details.kind(ErrorKind::Declined {
                    decline_code: Some(code.to_owned()),
                });
            }
        }
        let message = json["message"]
            .as_str()
            .or_else(|| json["error"]["message"].as_str());
        if let Some(message) = message {
            details = details.message(message);
        }
        details
    }

    fn request_id_header(&self) -> Option<&'static str> {
        Some("x-request-id")
    }

    async fn authorize(
        &self,
        _operation: &'static Operation,
        attempt: u32,
        headers: &mut HeaderMap,
    ) -> Result<(), PayError> {
        if self.refuse {
            return Err(PayError::new(ErrorKind::Authentication));
        }
        let _ = attempt;
        self.authorized.fetch_add(1, Ordering::SeqCst);
        let mut key = HeaderValue::from_static(API_KEY);
        key.set_sensitive(true);
        headers.insert("x-api-key", key);
        let mut bearer = HeaderValue::from_str(&format!("Bearer {BEARER}")).unwrap();
        bearer.set_sensitive(true);
        headers.insert("authorization", bearer);
        Ok(())
    }
}

/// Fast settings: 2 retries with 1–5 ms backoff, 250 ms per attempt, 3 s per call, a fixed
/// jitter seed.
pub(crate) fn builder(base_url: &str, rules: RetryRules) -> TransportBuilder<LedgerHooks> {
    Transport::builder(PROVIDER, base_url, LedgerHooks::default())
        .rules(rules)
        .retry_policy(RetryPolicy::new(
            2,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ))
        .attempt_timeout(Duration::from_millis(250))
        .deadline(Duration::from_secs(3))
        .jitter_seed(42)
}

pub(crate) fn transport(server: &FakeServer<Ledger>, rules: RetryRules) -> Transport<LedgerHooks> {
    builder(server.base_url(), rules).build().unwrap()
}

/// The transport's account of a failed call.
pub(crate) fn failure(err: &PayError) -> &CallFailure {
    err.source()
        .and_then(|s| s.downcast_ref::<CallFailure>())
        .unwrap_or_else(|| panic!("no CallFailure behind {err:?}"))
}

/// Attempts made and why the call stopped.
pub(crate) fn ended(err: &PayError) -> (u32, StopReason) {
    let f = failure(err);
    // The error itself carries the same count.
    assert_eq!(err.attempts(), Some(f.attempts()), "{err:?}");
    (f.attempts(), f.reason())
}

/// How many requests the server received for `path`.
pub(crate) fn received(server: &FakeServer<Ledger>, method: &str, path: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method() == method && r.path() == path)
        .count()
}

/// Creates one entry directly, without faults, and returns its path.
pub(crate) async fn seed_entry(server: &FakeServer<Ledger>, body: &str) -> String {
    let t = transport(server, RetryRules::GENERIC);
    let response = t
        .send(
            pay_http::Request::new(&UNKEYED_WRITE, "/entries")
                .body(ContentType::Json, body.to_owned()),
        )
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    server.clear_requests();
    format!("/entries/{}", json["id"].as_str().unwrap())
}
