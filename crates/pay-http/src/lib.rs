//! The one HTTP transport every `pay` adapter sends through: a pooled rustls client, a time
//! budget per attempt and per call, the retry loop that asks pay-core's pure
//! [`RetryPolicy::decide`](pay_core::RetryPolicy::decide), idempotency keys chosen once
//! per call, redacted evidence on every error, and tracing that never shows a secret.
//!
//! Adapters describe a call ([`Request`]: the generated [`Operation`](pay_core::Operation),
//! the filled path, the body already serialised and signed) and teach the transport how
//! to read their provider's answers ([`Hooks`]). They write no retry loop, timeout or
//! redaction of their own.
//!
//! # What happens in [`Transport::send`]
//! 1. The idempotency key, for operations whose description declares a header: the
//!    caller's ([`CallOptions::idempotency_key`](pay_core::CallOptions::idempotency_key),
//!    checked against the provider's length limit) or a fresh UUID v4, made once. Every
//!    attempt sends it; operations without the header never send one.
//! 2. Each attempt sends the identical body bytes and fixed headers (a signature made
//!    before the call stays valid; nothing is re-stamped), plus whatever
//!    [`Hooks::authorize`] adds (a bearer token), within the attempt timeout and what is
//!    left of the call's deadline, and reads the whole answer up to a size limit.
//! 3. [`Hooks::classify`] says whether the answer is a success, a failure (with the
//!    provider's advice, such as a retry-advice header or a transient error code under
//!    HTTP 200) or unreadable. A connection that was refused never reached the provider
//!    (`AttemptOutcome::NotSent`); anything after that may have (`NoAnswer`).
//! 4. [`RetryPolicy::decide`](pay_core::RetryPolicy::decide) says retry (after a full
//!    jitter backoff of at least `Retry-After`, in seconds or as an HTTP date read against
//!    the [`Clock`](pay_core::Clock)), give up, or ambiguous. The transport has no retry
//!    rule of its own, and never sleeps past the deadline.
//! 5. A failure becomes a [`PayError`](pay_core::PayError) with all the evidence: provider,
//!    operation, status, the provider's code and message ([`Hooks::decode_error`]),
//!    request id, idempotency key, replay flag, the body through the
//!    [`Redactor`], and a [`CallFailure`] source with the attempts.
//!
//! It deliberately does not know any provider, serialise or sign bodies (adapters and
//! `pay-signing` do), follow redirects, or offer a way to turn certificate checks off.
//!
//! # Example
//! A keyed write whose first answer is lost after the server applied it: the transport
//! repeats it with the same key, and the server replays the stored answer instead of
//! writing twice.
//! ```
//! use std::time::Duration;
//! use pay_core::{CallOptions, ContentType, ProviderId, RetryPolicy};
//! use pay_http::{PlainHooks, Request, Transport};
//! use pay_testkit::{FakeServer, Fault, Route, testing::Ledger};
//! # use pay_core::{IdempotencyHeader, Method, Operation, OperationKind};
//! # static CREATE: Operation = Operation {
//! #     id: "entry_create", kind: OperationKind::Path, method: Method::Post, path: "/entries",
//! #     summary: "", auth: &[], content_types: &[ContentType::Json], request_body: None,
//! #     query: None, path_params: &[], idempotent: false,
//! #     idempotency_header: Some(IdempotencyHeader { name: "Idempotency-Key", max_length: 50 }),
//! #     signed: None, pagination: None, envelope: None, rust_module: "", rust_fn: None,
//! #     generation: None, path_confidence: None, inferred: None,
//! # };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = FakeServer::start(Ledger::new()).await?;
//! server.faults().on(Route::new("POST", "/entries")).then(Fault::AppliedThenLost).then_normal();
//!
//! let transport = Transport::builder(ProviderId::new("ledger"), server.base_url(), PlainHooks)
//!     .retry_policy(RetryPolicy::new(2, Duration::from_millis(1), Duration::from_millis(10)))
//!     .build()?;
//! let options = CallOptions::new();
//! let request = Request::new(&CREATE, "/entries")
//!     .body(ContentType::Json, r#"{"note":"hello"}"#)
//!     .options(&options);
//! let response = transport.send(request).await?;
//!
//! assert_eq!(response.status(), 201);
//! assert_eq!(response.meta().attempts(), 2);
//! assert!(response.meta().is_replayed()); // the second attempt found the first write
//! assert_eq!(response.meta().idempotency_key().unwrap().as_str().len(), 36); // a UUID v4
//! assert_eq!(server.provider().len(), 1); // written once
//! # Ok(())
//! # }
//! ```
#![doc(test(attr(deny(warnings))))]

mod failure;
mod hooks;
mod message;
mod pure;
mod transport;

use pay_core::{RedactedBody, Redactor};
use reqwest::header::HeaderValue;

/// The header types [`Hooks`] and [`Request::header`] take, re-exported so adapters need
/// no direct `reqwest` dependency of a matching version.
pub use reqwest::header;

pub use crate::failure::{CallFailure, StopReason};
pub use crate::hooks::{Answer, Classification, ErrorDetails, Hooks, PlainHooks};
pub use crate::message::{Request, Response, ResponseMeta};
pub use crate::pure::{kind_for_status, parse_retry_after};
pub use crate::transport::{DEFAULT_MAX_BODY, Transport, TransportBuilder};

/// Redacts a body by its content type: JSON, form, or free text for anything else.
pub(crate) fn redacted_body(
    redactor: &Redactor,
    content_type: Option<&HeaderValue>,
    body: &[u8],
) -> RedactedBody {
    let text = String::from_utf8_lossy(body);
    let mime = content_type
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if mime.contains("json") {
        redactor.json(&text)
    } else if mime.starts_with("application/x-www-form-urlencoded") {
        redactor.form(&text)
    } else {
        redactor.text(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Transport<PlainHooks>>();
        assert_send_sync::<Request<'static>>();
        assert_send_sync::<Response>();
        assert_send_sync::<CallFailure>();
    }

    #[test]
    fn bodies_are_redacted_by_content_type() {
        let r = Redactor::default();
        let json = HeaderValue::from_static("application/json; charset=utf-8");
        let form = HeaderValue::from_static("application/x-www-form-urlencoded");
        assert_eq!(
            redacted_body(&r, Some(&json), br#"{"ApiKey":"k","n":1}"#).as_str(),
            r#"{"ApiKey":"[REDACTED]","n":1}"#
        );
        assert_eq!(
            redacted_body(&r, Some(&form), b"ApiKey=k&n=1").as_str(),
            "ApiKey=[REDACTED]&n=1"
        );
        assert_eq!(
            redacted_body(&r, None, b"<p>4111111111111111</p>").as_str(),
            "<p>************1111</p>"
        );
    }
}
