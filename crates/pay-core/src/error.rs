//! The one error type callers match on: [`PayError`], classified by [`ErrorKind`], always
//! carrying its evidence (provider, HTTP status, provider code, request id, redacted body).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::capabilities::Capability;
use crate::ids::{IdempotencyKey, MerchantReference, RequestId};
use crate::provider::ProviderId;
use crate::redact::RedactedBody;
use crate::validation::ValidationError;

/// An error from any `pay` operation.
///
/// Match on [`PayError::kind`] to decide what to do; ask questions such as
/// [`is_retryable`](Self::is_retryable) and [`is_ambiguous`](Self::is_ambiguous); read the
/// evidence (provider, HTTP status, provider error code and message, request id, the
/// redacted response body) for logs and support tickets.
///
/// `Display` names the kind and the evidence but never repeats the source error and never
/// contains secrets: adapters redact bodies before attaching them, and validation errors
/// never carry the rejected value.
///
/// ```
/// use pay_core::{ErrorKind, MerchantReference, PayError, ProviderId};
///
/// let reference = MerchantReference::new("order-42")?;
/// let err = PayError::new(ErrorKind::AmbiguousOutcome { reference: Some(reference) })
///     .with_provider(ProviderId::new("easytransac"))
///     .with_operation("payment_direct");
/// assert!(err.is_ambiguous());
/// assert!(!err.is_retryable());
/// assert_eq!(
///     err.to_string(),
///     "easytransac payment_direct: the request may or may not have been applied; \
///      reconcile by merchant reference `order-42` before trying again"
/// );
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
pub struct PayError {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    provider: Option<ProviderId>,
    operation: Option<&'static str>,
    http_status: Option<u16>,
    provider_code: Option<String>,
    provider_message: Option<String>,
    request_id: Option<RequestId>,
    idempotency_key: Option<IdempotencyKey>,
    replayed: bool,
    attempts: Option<u32>,
    body: Option<RedactedBody>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// What went wrong, in the terms a caller acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request broke a documented rule. Raised before anything was sent when the SDK
    /// can tell (which field, which rule); also used for the provider's own validation
    /// errors (then the field is the provider's name for it, when it gives one). Fix the
    /// input; do not retry.
    InvalidRequest(ValidationError),
    /// The credentials were missing, wrong, expired or lack permission.
    Authentication,
    /// The payment was declined (by the issuer, the bank or the provider's risk checks).
    Declined {
        /// The provider's decline code, when it gives one.
        decline_code: Option<String>,
    },
    /// The resource does not exist at the provider.
    NotFound,
    /// The request conflicts with the resource's state or with an earlier request using
    /// the same idempotency key and a different body.
    Conflict,
    /// The provider refused the request for a business reason not covered above (a
    /// capture larger than the authorisation, a refund of a failed payment…). The provider
    /// code and message say which.
    Rejected,
    /// Too many requests. Safe to retry after the delay.
    RateLimited {
        /// How long the provider asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The provider could not be reached or answered with a server error, and the request
    /// was not applied (or is safe to repeat).
    ProviderUnavailable,
    /// No answer in time, for a request that is safe to repeat (a read, or a write with
    /// an idempotency key). Timeouts of unsafe writes are
    /// [`AmbiguousOutcome`](Self::AmbiguousOutcome) instead.
    Timeout,
    /// A write may or may not have happened: the request may have reached the provider
    /// and the answer was lost. It was **not** retried, because the provider cannot
    /// de-duplicate it. Find out what happened before doing anything else, or a retry
    /// could charge (or refund) twice:
    /// - a payment: look it up by its merchant reference
    ///   ([`Payments::find_by_reference`](crate::Payments::find_by_reference));
    /// - a capture, refund or void: read the payment ([`Payments::get_payment`](crate::Payments::get_payment))
    ///   and look at its status, [`captures`](crate::Payment::captures) and
    ///   [`refunds`](crate::Payment::refunds) — never search payments by a refund's
    ///   reference;
    /// - a payout, mandate or subscription: read it back with its trait's `get_*`, or
    ///   list by reference on the provider's own client.
    ///
    /// Providers may take a moment to show a write in searches: a lookup that finds
    /// nothing right after the error is not yet proof; look again after a short wait
    /// before sending the write again.
    ///
    /// When the write carried an idempotency key, [`PayError::idempotency_key`] has it.
    /// A keyed write is reported ambiguous when the provider stored a server error under
    /// the key (Easypay replays a `POST`'s 500 for 24 h): repeating with that key would
    /// only replay the error, so reconcile instead.
    AmbiguousOutcome {
        /// The merchant reference to reconcile by.
        reference: Option<MerchantReference>,
    },
    /// The provider (or this adapter) does not offer the capability.
    NotSupported {
        /// Which capability.
        capability: Capability,
    },
    /// The provider's answer could not be read. The request may have been applied; the
    /// body (redacted) is attached for diagnosis.
    Decode {
        /// Where in the answer: a JSON path such as `data.token`, or a header name.
        location: String,
    },
    /// An incoming webhook was refused before being parsed.
    WebhookRejected {
        /// Why.
        reason: WebhookRejection,
    },
    /// The client is misconfigured (missing key, bad base URL, unusable private key).
    Configuration {
        /// What is wrong, in words (never the secret itself).
        reason: String,
    },
    /// The write journal attached to the client could not record the write, so nothing
    /// was sent (a write is never sent unrecorded). Safe to repeat once the journal's
    /// store is back.
    JournalUnavailable {
        /// Why, in words (the store's error, never a secret).
        reason: String,
    },
}

/// Why a webhook was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The signature, token or credentials were absent.
    MissingSignature,
    /// The signature, token or credentials did not match.
    BadSignature,
    /// The delivery is older than the replay window allows.
    Stale,
    /// This delivery was seen before.
    Replayed,
    /// The body or headers could not be read as the provider's notification format.
    Malformed,
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WebhookRejection::MissingSignature => "no signature or credentials",
            WebhookRejection::BadSignature => "signature or credentials do not match",
            WebhookRejection::Stale => "too old",
            WebhookRejection::Replayed => "already received",
            WebhookRejection::Malformed => "not a notification in the provider's format",
        })
    }
}

impl PayError {
    /// An error of `kind` with no evidence yet; add it with the `with_*` methods.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                provider: None,
                operation: None,
                http_status: None,
                provider_code: None,
                provider_message: None,
                request_id: None,
                idempotency_key: None,
                replayed: false,
                attempts: None,
                body: None,
                source: None,
            }),
        }
    }

    /// Which provider.
    #[must_use]
    pub fn with_provider(mut self, provider: ProviderId) -> Self {
        self.inner.provider = Some(provider);
        self
    }

    /// Which operation (the API description's operation id, such as `single_create`).
    #[must_use]
    pub fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation = Some(operation);
        self
    }

    /// The HTTP status of the provider's answer.
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    /// The provider's error code (Easytransac `Code`, Easypay `code`).
    #[must_use]
    pub fn with_provider_code(mut self, code: impl Into<String>) -> Self {
        self.inner.provider_code = Some(code.into());
        self
    }

    /// The provider's error message, already redacted by the adapter.
    #[must_use]
    pub fn with_provider_message(mut self, message: impl Into<String>) -> Self {
        self.inner.provider_message = Some(message.into());
        self
    }

    /// The provider's request id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: RequestId) -> Self {
        self.inner.request_id = Some(request_id);
        self
    }

    /// The idempotency key the call sent (on every attempt). Transports set it on every
    /// error of a keyed write, so a caller can repeat the call with the same key when
    /// [`is_retryable`](Self::is_retryable) says so.
    #[must_use]
    pub fn with_idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.inner.idempotency_key = Some(key);
        self
    }

    /// Marks the answer as a replay of an earlier request with the same idempotency key
    /// (Easypay's `Idempotency-Replay: true`).
    #[must_use]
    pub fn with_replayed(mut self, replayed: bool) -> Self {
        self.inner.replayed = replayed;
        self
    }

    /// How many attempts the call made before this error (1 when it was not retried).
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = Some(attempts);
        self
    }

    /// The provider's answer, redacted.
    #[must_use]
    pub fn with_body(mut self, body: RedactedBody) -> Self {
        self.inner.body = Some(body);
        self
    }

    /// The underlying error (transport, decoder). Reachable through
    /// [`std::error::Error::source`], never shown by `Display`. Its own `Display` must not
    /// contain secrets; transport errors should be stripped of URLs with credentials.
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The provider, when known.
    pub fn provider(&self) -> Option<ProviderId> {
        self.inner.provider
    }

    /// The operation, when known.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// The HTTP status, when there was an answer.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The provider's error code.
    pub fn provider_code(&self) -> Option<&str> {
        self.inner.provider_code.as_deref()
    }

    /// The provider's error message (redacted).
    pub fn provider_message(&self) -> Option<&str> {
        self.inner.provider_message.as_deref()
    }

    /// The provider's request id.
    pub fn request_id(&self) -> Option<&RequestId> {
        self.inner.request_id.as_ref()
    }

    /// The provider's answer, redacted.
    pub fn body(&self) -> Option<&RedactedBody> {
        self.inner.body.as_ref()
    }

    /// The idempotency key the failed call sent, when it was a keyed write. Every error of
    /// a keyed call carries it, whatever its kind.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.inner.idempotency_key.as_ref()
    }

    /// Whether the provider's answer was a replay of an earlier request with the same
    /// idempotency key.
    pub fn is_replayed(&self) -> bool {
        self.inner.replayed
    }

    /// How many attempts the call made, when the transport counted them.
    pub fn attempts(&self) -> Option<u32> {
        self.inner.attempts
    }

    /// Whether repeating the same call may succeed and cannot apply anything twice.
    ///
    /// True for [`RateLimited`](ErrorKind::RateLimited) (wait
    /// [`retry_after`](Self::retry_after) first),
    /// [`ProviderUnavailable`](ErrorKind::ProviderUnavailable) and
    /// [`Timeout`](ErrorKind::Timeout); the transport only reports those kinds for calls
    /// that are safe to repeat:
    /// - a read: repeat it as it is;
    /// - a keyed write: repeat it **with the same key**, [`idempotency_key`](Self::idempotency_key)
    ///   (set it in [`CallOptions::idempotency_key`](crate::CallOptions::idempotency_key)),
    ///   within the provider's key lifetime (Easypay: 24 hours). A new key, or a repeat
    ///   after the key expired, is a new request and may charge twice;
    /// - an unkeyed write that certainly never reached the provider (connection refused).
    ///
    /// Also true for [`JournalUnavailable`](ErrorKind::JournalUnavailable): nothing was
    /// sent.
    ///
    /// False for everything else, and always for
    /// [`AmbiguousOutcome`](ErrorKind::AmbiguousOutcome): reconcile first.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited { .. }
                | ErrorKind::ProviderUnavailable
                | ErrorKind::Timeout
                | ErrorKind::JournalUnavailable { .. }
        )
    }

    /// Whether a write may have happened without us knowing
    /// ([`ErrorKind::AmbiguousOutcome`]).
    pub fn is_ambiguous(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::AmbiguousOutcome { .. })
    }

    /// Whether this is a decline.
    pub fn is_declined(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Declined { .. })
    }

    /// How long the provider asked us to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.inner.kind {
            ErrorKind::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The validation error, for [`ErrorKind::InvalidRequest`].
    pub fn validation(&self) -> Option<&ValidationError> {
        match &self.inner.kind {
            ErrorKind::InvalidRequest(v) => Some(v),
            _ => None,
        }
    }
}

impl From<ValidationError> for PayError {
    fn from(err: ValidationError) -> Self {
        PayError::new(ErrorKind::InvalidRequest(err))
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::InvalidRequest(v) => write!(f, "invalid request: {v}"),
            ErrorKind::Authentication => f.write_str("authentication failed"),
            ErrorKind::Declined { decline_code } => match decline_code {
                Some(code) => write!(f, "declined ({code})"),
                None => f.write_str("declined"),
            },
            ErrorKind::NotFound => f.write_str("not found"),
            ErrorKind::Conflict => {
                f.write_str("conflicts with the resource's state or an earlier request")
            }
            ErrorKind::Rejected => f.write_str("rejected by the provider"),
            ErrorKind::RateLimited { retry_after } => match retry_after {
                Some(d) => write!(f, "rate limited; retry after {} ms", d.as_millis()),
                None => f.write_str("rate limited"),
            },
            ErrorKind::ProviderUnavailable => f.write_str("provider unavailable"),
            ErrorKind::Timeout => f.write_str("timed out"),
            ErrorKind::AmbiguousOutcome { reference } => {
                f.write_str("the request may or may not have been applied; ")?;
                match reference {
                    Some(r) => write!(
                        f,
                        "reconcile by merchant reference `{r}` before trying again"
                    ),
                    None => f.write_str("reconcile before trying again"),
                }
            }
            ErrorKind::NotSupported { capability } => {
                write!(f, "not supported: {}", capability.as_str())
            }
            ErrorKind::Decode { location } => {
                write!(f, "could not read the provider's answer at `{location}`")
            }
            ErrorKind::WebhookRejected { reason } => write!(f, "webhook rejected: {reason}"),
            ErrorKind::Configuration { reason } => write!(f, "configuration: {reason}"),
            ErrorKind::JournalUnavailable { reason } => write!(
                f,
                "the write journal could not record the call, so nothing was sent: {reason}"
            ),
        }
    }
}

impl fmt::Display for PayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match (i.provider, i.operation) {
            (Some(p), Some(op)) => write!(f, "{p} {op}: ")?,
            (Some(p), None) => write!(f, "{p}: ")?,
            (None, Some(op)) => write!(f, "{op}: ")?,
            (None, None) => {}
        }
        write!(f, "{}", i.kind)?;
        let mut evidence = Vec::new();
        if let Some(s) = i.http_status {
            evidence.push(format!("HTTP {s}"));
        }
        if let Some(c) = &i.provider_code {
            evidence.push(format!("provider code {c}"));
        }
        if let Some(r) = &i.request_id {
            evidence.push(format!("request id {r}"));
        }
        if let Some(k) = &i.idempotency_key {
            evidence.push(format!("idempotency key {k}"));
        }
        if i.replayed {
            evidence.push("replayed".to_owned());
        }
        if let Some(n) = i.attempts.filter(|n| *n > 1) {
            evidence.push(format!("{n} attempts"));
        }
        if !evidence.is_empty() {
            write!(f, " [{}]", evidence.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for PayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("PayError");
        d.field("kind", &i.kind);
        if let Some(p) = i.provider {
            d.field("provider", &p);
        }
        if let Some(op) = i.operation {
            d.field("operation", &op);
        }
        if let Some(s) = i.http_status {
            d.field("http_status", &s);
        }
        if let Some(c) = &i.provider_code {
            d.field("provider_code", c);
        }
        if let Some(m) = &i.provider_message {
            d.field("provider_message", m);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(k) = &i.idempotency_key {
            d.field("idempotency_key", k);
        }
        if i.replayed {
            d.field("replayed", &true);
        }
        if let Some(n) = i.attempts {
            d.field("attempts", &n);
        }
        if let Some(b) = &i.body {
            d.field("body", b);
        }
        if let Some(s) = &i.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl StdError for PayError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.inner.source {
            Some(s) => Some(s.as_ref()),
            None => match &self.inner.kind {
                ErrorKind::InvalidRequest(v) => Some(v),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn is_send_sync_and_small() {
        assert_send_sync::<PayError>();
        assert_eq!(size_of::<PayError>(), size_of::<usize>());
    }

    #[test]
    fn display_carries_the_evidence() {
        let err = PayError::new(ErrorKind::Declined {
            decline_code: Some("CARD_DECLINED".to_owned()),
        })
        .with_provider(ProviderId::new("easypay"))
        .with_operation("single_create")
        .with_http_status(402)
        .with_provider_code("CARD_DECLINED")
        .with_provider_message("Card declined")
        .with_request_id(RequestId::new("req-1").unwrap());
        assert_eq!(
            err.to_string(),
            "easypay single_create: declined (CARD_DECLINED) [HTTP 402, provider code CARD_DECLINED, request id req-1]"
        );
        assert!(err.is_declined());
        assert_eq!(err.provider_message(), Some("Card declined"));
    }

    #[test]
    fn questions() {
        let limited = PayError::new(ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        });
        assert!(limited.is_retryable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(2)));
        assert!(PayError::new(ErrorKind::Timeout).is_retryable());
        assert!(!PayError::new(ErrorKind::Authentication).is_retryable());
        let invalid: PayError = ValidationError::new("amount", Rule::Overflow).into();
        assert_eq!(invalid.validation().unwrap().field(), "amount");
        assert_eq!(
            invalid.to_string(),
            "invalid request: `amount` is too large (the amount would overflow)"
        );
        assert!(invalid.source().is_some());
        let unsupported = PayError::new(ErrorKind::NotSupported {
            capability: Capability::Payouts,
        });
        assert_eq!(unsupported.to_string(), "not supported: payouts");
    }

    #[test]
    fn every_error_of_a_keyed_write_keeps_its_key() {
        let key = IdempotencyKey::new("order-42-create").unwrap();
        for kind in [
            ErrorKind::Timeout,
            ErrorKind::ProviderUnavailable,
            ErrorKind::Conflict,
            ErrorKind::Rejected,
            ErrorKind::AmbiguousOutcome { reference: None },
        ] {
            let err = PayError::new(kind).with_idempotency_key(key.clone());
            assert_eq!(err.idempotency_key(), Some(&key));
            assert!(
                err.to_string().contains("idempotency key order-42-create"),
                "{err}"
            );
            assert!(format!("{err:?}").contains("order-42-create"));
        }
        let ambiguous = PayError::new(ErrorKind::AmbiguousOutcome {
            reference: Some(MerchantReference::new("order-42").unwrap()),
        })
        .with_idempotency_key(key.clone())
        .with_replayed(true);
        assert!(!ambiguous.is_retryable());
        assert!(ambiguous.is_replayed());
        assert!(
            ambiguous
                .to_string()
                .ends_with("[idempotency key order-42-create, replayed]")
        );
        assert!(!PayError::new(ErrorKind::Timeout).is_replayed());
        let retried = PayError::new(ErrorKind::Timeout).with_attempts(3);
        assert_eq!(retried.attempts(), Some(3));
        assert_eq!(retried.to_string(), "timed out [3 attempts]");
        assert_eq!(
            PayError::new(ErrorKind::Timeout)
                .with_attempts(1)
                .to_string(),
            "timed out"
        );
        assert_eq!(PayError::new(ErrorKind::Timeout).idempotency_key(), None);
    }

    #[test]
    fn every_accessor_returns_what_was_set() {
        let body = crate::Redactor::default().json(r#"{"error":"nope"}"#);
        let err = PayError::new(ErrorKind::Conflict)
            .with_provider(ProviderId::new("easytransac"))
            .with_operation("refund")
            .with_http_status(409)
            .with_provider_code("E7")
            .with_provider_message("already refunded")
            .with_request_id(RequestId::new("req-9").unwrap())
            .with_body(body.clone())
            .with_attempts(2);
        assert_eq!(err.kind(), &ErrorKind::Conflict);
        assert_eq!(err.provider(), Some(ProviderId::new("easytransac")));
        assert_eq!(err.operation(), Some("refund"));
        assert_eq!(err.http_status(), Some(409));
        assert_eq!(err.provider_code(), Some("E7"));
        assert_eq!(err.provider_message(), Some("already refunded"));
        assert_eq!(err.request_id().map(RequestId::as_str), Some("req-9"));
        assert_eq!(err.body(), Some(&body));
        assert_eq!(err.attempts(), Some(2));
        assert_eq!(err.retry_after(), None);
        assert!(err.validation().is_none());
        assert!(err.source().is_none());
        assert!(!err.is_ambiguous() && !err.is_declined() && !err.is_retryable());
        assert_eq!(
            err.to_string(),
            "easytransac refund: conflicts with the resource's state or an earlier request \
             [HTTP 409, provider code E7, request id req-9, 2 attempts]"
        );
        let debug = format!("{err:?}");
        for part in [
            "kind: Conflict",
            "provider: easytransac,",
            "operation: \"refund\"",
            "http_status: 409",
            "provider_code: \"E7\"",
            "provider_message: \"already refunded\"",
            "attempts: 2",
            "body: \"{\\\"error\\\":\\\"nope\\\"}\"",
        ] {
            assert!(debug.contains(part), "{part} in {debug}");
        }
        let bare = PayError::new(ErrorKind::NotFound);
        assert_eq!(bare.provider(), None);
        assert_eq!(bare.operation(), None);
        assert_eq!(bare.http_status(), None);
        assert_eq!(bare.provider_code(), None);
        assert_eq!(bare.request_id(), None);
        assert_eq!(bare.body(), None);
        assert_eq!(bare.attempts(), None);
        assert_eq!(format!("{bare:?}"), "PayError { kind: NotFound }");
        assert_eq!(
            PayError::new(ErrorKind::Timeout)
                .with_operation("capture")
                .to_string(),
            "capture: timed out"
        );
        let ambiguous = PayError::new(ErrorKind::AmbiguousOutcome { reference: None });
        assert!(ambiguous.is_ambiguous() && !ambiguous.is_declined());
        assert_eq!(
            ambiguous.to_string(),
            "the request may or may not have been applied; reconcile before trying again"
        );
    }

    #[test]
    fn every_kind_says_what_happened() {
        let cases = [
            (ErrorKind::Authentication, "authentication failed"),
            (ErrorKind::Declined { decline_code: None }, "declined"),
            (ErrorKind::NotFound, "not found"),
            (ErrorKind::Rejected, "rejected by the provider"),
            (ErrorKind::RateLimited { retry_after: None }, "rate limited"),
            (
                ErrorKind::RateLimited {
                    retry_after: Some(Duration::from_millis(1500)),
                },
                "rate limited; retry after 1500 ms",
            ),
            (ErrorKind::ProviderUnavailable, "provider unavailable"),
            (
                ErrorKind::AmbiguousOutcome {
                    reference: Some(MerchantReference::new("o-1").unwrap()),
                },
                "the request may or may not have been applied; reconcile by merchant \
                 reference `o-1` before trying again",
            ),
            (
                ErrorKind::Decode {
                    location: "$.amount".to_owned(),
                },
                "could not read the provider's answer at `$.amount`",
            ),
            (
                ErrorKind::Configuration {
                    reason: "no key".to_owned(),
                },
                "configuration: no key",
            ),
            (
                ErrorKind::JournalUnavailable {
                    reason: "disk full".to_owned(),
                },
                "the write journal could not record the call, so nothing was sent: disk full",
            ),
        ];
        for (kind, text) in cases {
            assert_eq!(PayError::new(kind).to_string(), text);
        }
        for (reason, text) in [
            (
                WebhookRejection::MissingSignature,
                "no signature or credentials",
            ),
            (
                WebhookRejection::BadSignature,
                "signature or credentials do not match",
            ),
            (WebhookRejection::Stale, "too old"),
            (WebhookRejection::Replayed, "already received"),
            (
                WebhookRejection::Malformed,
                "not a notification in the provider's format",
            ),
        ] {
            assert_eq!(
                PayError::new(ErrorKind::WebhookRejected { reason }).to_string(),
                format!("webhook rejected: {text}")
            );
        }
        assert!(
            PayError::new(ErrorKind::JournalUnavailable {
                reason: String::new()
            })
            .is_retryable()
        );
        assert!(PayError::new(ErrorKind::ProviderUnavailable).is_retryable());
    }

    #[test]
    fn source_is_kept_but_not_displayed() {
        let io = std::io::Error::other("connection reset by peer at 10.1.2.3");
        let err = PayError::new(ErrorKind::ProviderUnavailable).with_source(io);
        assert_eq!(err.to_string(), "provider unavailable");
        assert!(
            err.source()
                .unwrap()
                .to_string()
                .contains("connection reset")
        );
    }
}
