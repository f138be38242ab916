//! What a provider tells the transport: how to read an answer ([`Hooks`]), what an answer
//! looks like to it ([`Answer`]), and what it concludes ([`Classification`],
//! [`ErrorDetails`]).

use std::fmt;
use std::future::Future;

use pay_core::{ErrorKind, Operation, PayError};
use reqwest::header::{CONTENT_TYPE, HeaderMap};

/// One provider's knowledge of its own answers, implemented once per adapter.
///
/// Every method has a default that suits a plain JSON API, so an adapter overrides only
/// what its provider does differently. The transport calls the hooks; it never knows which
/// provider it talks to.
///
/// ```
/// use pay_core::{ErrorKind, Operation};
/// use pay_http::{Answer, Classification, ErrorDetails, Hooks};
///
/// /// A provider that reports errors as `{"code": "...", "message": "..."}` and sends
/// /// `X-Request-Id`.
/// #[derive(Debug)]
/// struct Acme;
///
/// impl Hooks for Acme {
///     fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
///         let text = String::from_utf8_lossy(answer.body());
///         let details = ErrorDetails::new().message(text.trim());
///         if answer.status() == 400 && text.contains("card_declined") {
///             details.kind(ErrorKind::Declined { decline_code: None }).code("card_declined")
///         } else {
///             details
///         }
///     }
///
///     fn request_id_header(&self) -> Option<&'static str> {
///         Some("x-request-id")
///     }
/// }
/// # let _ = Acme.request_id_header();
/// # let _ = Classification::Success;
/// ```
pub trait Hooks: Send + Sync + fmt::Debug + 'static {
    /// Says whether an answer is a success, a failure (and whether the provider advises
    /// repeating it), or unreadable.
    ///
    /// The default is [`Classification::by_status`]: 2xx is a success, anything else a
    /// failure carrying the advice header of the provider's
    /// [`RetryRules`](pay_core::RetryRules) when it sent one. Override it for providers
    /// that report errors under HTTP 200 (return [`Classification::Failure`], with
    /// `should_retry: Some(true)` for codes the provider documents as transient), or to
    /// check that a success body is readable at all ([`Classification::Unreadable`], which
    /// the retry decision treats like a lost answer).
    fn classify(&self, operation: &'static Operation, answer: &Answer<'_>) -> Classification {
        let _ = operation;
        Classification::by_status(answer)
    }

    /// Reads the provider's error body: the kind it means (when the status alone does not
    /// say it), its error code and its message. Called for every failed answer the
    /// transport reports. The default reads nothing, so the status decides the kind.
    ///
    /// The message is passed through the transport's redactor before it is kept.
    fn decode_error(&self, operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        let _ = (operation, answer);
        ErrorDetails::default()
    }

    /// The response header that carries the provider's request id, if it sends one.
    fn request_id_header(&self) -> Option<&'static str> {
        None
    }

    /// The response header that says `true` when the answer is a replay of an earlier
    /// request with the same idempotency key. Default: `Idempotency-Replay`.
    fn replay_header(&self) -> Option<&'static str> {
        Some("idempotency-replay")
    }

    /// Adds per-attempt headers (a bearer token, which may have been refreshed since the
    /// last attempt) to `headers`. Called before every attempt, inside its time budget.
    /// Headers that must not change between attempts (a signature over the body) belong
    /// on the [`Request`](crate::Request) instead.
    ///
    /// Mark secret values with [`HeaderValue::set_sensitive`](reqwest::header::HeaderValue::set_sensitive).
    ///
    /// # Errors
    /// Whatever stops the call (no credentials, a token that cannot be had); the
    /// transport reports it as it is, with the call's evidence added, and does not retry.
    fn authorize(
        &self,
        operation: &'static Operation,
        attempt: u32,
        headers: &mut HeaderMap,
    ) -> impl Future<Output = Result<(), PayError>> + Send {
        let _ = (operation, attempt, headers);
        std::future::ready(Ok(()))
    }
}

/// Hooks with every default: a plain HTTP API with no request id, errors by status.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainHooks;

impl Hooks for PlainHooks {}

/// An answer as the hooks see it: status, headers and the whole body, already read.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub(crate) status: u16,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) advice: Option<bool>,
}

impl<'a> Answer<'a> {
    /// An answer, for testing hooks without a server. `advice` is what the provider's
    /// advice header said, when it has one.
    pub fn new(status: u16, headers: &'a HeaderMap, body: &'a [u8], advice: Option<bool>) -> Self {
        Self {
            status,
            headers,
            body,
            advice,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The response headers.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }

    /// A header's value, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&'a str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The provider's advice header ([`RetryRules::advice_header`](pay_core::RetryRules::advice_header)),
    /// read as `true`/`false`.
    pub fn advice(&self) -> Option<bool> {
        self.advice
    }
}

/// What an answer means, as [`Hooks::classify`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Classification {
    /// The call succeeded; the transport returns the answer.
    Success,
    /// The provider reports a failure. `should_retry` is its own advice, when it gives
    /// some; [`RetryPolicy::decide`](pay_core::RetryPolicy::decide) weighs it.
    Failure {
        /// The provider's advice.
        should_retry: Option<bool>,
    },
    /// The answer cannot be read (a success status over a body that is not the
    /// provider's format). The request may have been applied: the retry decision treats
    /// it as a lost answer, and the final error is
    /// [`ErrorKind::Decode`](pay_core::ErrorKind::Decode) at `location`.
    Unreadable {
        /// Where the answer went wrong (`body`, a JSON path, a header name).
        location: String,
    },
}

impl Classification {
    /// By status alone: 2xx is a success; anything else a failure with the provider's
    /// advice header.
    ///
    /// ```
    /// use pay_http::{Answer, Classification};
    /// use reqwest::header::HeaderMap;
    ///
    /// let headers = HeaderMap::new();
    /// let ok = Answer::new(201, &headers, b"{}", None);
    /// assert_eq!(Classification::by_status(&ok), Classification::Success);
    /// let busy = Answer::new(503, &headers, b"", Some(false));
    /// assert_eq!(
    ///     Classification::by_status(&busy),
    ///     Classification::Failure { should_retry: Some(false) }
    /// );
    /// ```
    pub fn by_status(answer: &Answer<'_>) -> Self {
        if answer.is_success() {
            Classification::Success
        } else {
            Classification::Failure {
                should_retry: answer.advice,
            }
        }
    }
}

/// What [`Hooks::decode_error`] read from an error body. Every part is optional: a kind
/// overrides the one the status implies, a code and a message become the error's
/// [`provider_code`](PayError::provider_code) and
/// [`provider_message`](PayError::provider_message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetails {
    /// The kind the provider means, when the status alone does not say it (a decline
    /// under 400, a validation error naming a field).
    pub kind: Option<ErrorKind>,
    /// The provider's error code.
    pub code: Option<String>,
    /// The provider's error message (redacted by the transport before it is kept).
    pub message: Option<String>,
}

impl ErrorDetails {
    /// Nothing read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the kind.
    #[must_use]
    pub fn kind(mut self, kind: ErrorKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets the provider's code.
    #[must_use]
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the provider's message.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}
