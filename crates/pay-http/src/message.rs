//! One call as an adapter describes it ([`Request`]), and what comes back ([`Response`],
//! [`ResponseMeta`]).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use pay_core::{
    CallOptions, ContentType, ErrorKind, IdempotencyKey, MerchantReference, Operation, PayError,
    ProviderId, Redactor, RequestId,
};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::redacted_body;

/// One logical call: the operation, its filled path, query, body and fixed headers, and the
/// caller's [`CallOptions`].
///
/// The body is built (and signed, when the provider signs bodies) once, before the call;
/// every attempt sends the same bytes and the same fixed headers. That is what keeps a
/// time-stamped signature valid across retries: nothing is re-stamped.
///
/// ```
/// use pay_core::{CallOptions, ContentType, MerchantReference};
/// use pay_http::Request;
/// # use pay_core::{Method, Operation, OperationKind};
/// # static CREATE: Operation = Operation {
/// #     id: "entry_create", kind: OperationKind::Path, method: Method::Post, path: "/entries",
/// #     summary: "", auth: &[], content_types: &[ContentType::Json], request_body: None,
/// #     query: None, path_params: &[], idempotent: false, idempotency_header: None,
/// #     signed: None, pagination: None, envelope: None, rust_module: "", rust_fn: None,
/// #     generation: None, path_confidence: None, inferred: None,
/// # };
///
/// let options = CallOptions::new();
/// let request = Request::new(&CREATE, "/entries")
///     .body(ContentType::Json, r#"{"amount":"12.50"}"#)
///     .reference(MerchantReference::new("order-42")?)
///     .options(&options);
/// assert_eq!(request.operation().id, "entry_create");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
pub struct Request<'a> {
    pub(crate) operation: &'static Operation,
    pub(crate) path: Cow<'a, str>,
    pub(crate) query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub(crate) body: Option<(ContentType, Bytes)>,
    pub(crate) headers: HeaderMap,
    pub(crate) reference: Option<MerchantReference>,
    pub(crate) options: Option<&'a CallOptions>,
}

impl fmt::Debug for Request<'_> {
    /// The operation, the path, the query and header names, and the body's type and
    /// length: never a query value, a header value or the body, which carry card data,
    /// keys and signatures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<&str> = self.query.iter().map(|(k, _)| k.as_ref()).collect();
        let headers: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("Request")
            .field("operation", &self.operation.id)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .field(
                "body",
                &self
                    .body
                    .as_ref()
                    .map(|(kind, bytes)| (kind.mime(), bytes.len())),
            )
            .field("reference", &self.reference)
            .field("options", &self.options)
            .finish()
    }
}

impl<'a> Request<'a> {
    /// A call of `operation` on `path`, the operation's template with its parameters
    /// already filled in and percent-encoded (`/single/3f2a…`), relative to the
    /// transport's base URL.
    pub fn new(operation: &'static Operation, path: impl Into<Cow<'a, str>>) -> Self {
        Self {
            operation,
            path: path.into(),
            query: Vec::new(),
            body: None,
            headers: HeaderMap::new(),
            reference: None,
            options: None,
        }
    }

    /// Adds a query parameter (encoded by the transport).
    #[must_use]
    pub fn query(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the body: bytes already serialised (and signed) in `content_type`. `Bytes`
    /// from a `Vec` or a `String` takes it over without copying.
    #[must_use]
    pub fn body(mut self, content_type: ContentType, body: impl Into<Bytes>) -> Self {
        self.body = Some((content_type, body.into()));
        self
    }

    /// Adds a header sent unchanged on every attempt, such as a signature over the body.
    /// Its value is marked sensitive, so it never shows in `Debug`.
    #[must_use]
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.headers.append(name, value);
        self
    }

    /// The merchant's reference for the payment this call creates or changes: an
    /// [`AmbiguousOutcome`](ErrorKind::AmbiguousOutcome) names it, so the caller can
    /// reconcile by it.
    #[must_use]
    pub fn reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// The caller's options: idempotency key, overall deadline, retry policy.
    #[must_use]
    pub fn options(mut self, options: &'a CallOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// The operation.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }
}

/// What the transport reports about a call that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) attempts: u32,
    pub(crate) latency: Duration,
    pub(crate) request_id: Option<RequestId>,
    pub(crate) idempotency_key: Option<IdempotencyKey>,
    pub(crate) replayed: bool,
}

impl ResponseMeta {
    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// How many attempts the call took (1 when the first one succeeded).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// From the call's start to the end of the answer, backoff included.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// The provider's request id, when it sends one.
    pub fn request_id(&self) -> Option<&RequestId> {
        self.request_id.as_ref()
    }

    /// The idempotency key sent on every attempt, for operations that take one.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.idempotency_key.as_ref()
    }

    /// Whether the provider answered with the stored result of an earlier request with
    /// the same key (`Idempotency-Replay: true`).
    pub fn is_replayed(&self) -> bool {
        self.replayed
    }
}

/// A successful answer: status, headers, the whole body, and the call's [`ResponseMeta`].
pub struct Response {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) meta: ResponseMeta,
    pub(crate) provider: ProviderId,
    pub(crate) operation: &'static str,
    pub(crate) redactor: Arc<Redactor>,
}

impl fmt::Debug for Response {
    /// Shows the metadata and the body's length, never the body or header values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("provider", &self.provider)
            .field("operation", &self.operation)
            .field("meta", &self.meta)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, without copying.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// What the transport reports about the call.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The error to return when the body cannot be decoded: an
    /// [`ErrorKind::Decode`] at `location` with the call's evidence (provider, operation,
    /// status, request id, idempotency key, replay flag, the body redacted by its content
    /// type) and `source` as its cause.
    pub fn decode_error(
        &self,
        location: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> PayError {
        let mut err = PayError::new(ErrorKind::Decode {
            location: location.into(),
        })
        .with_provider(self.provider)
        .with_operation(self.operation)
        .with_http_status(self.meta.status)
        .with_replayed(self.meta.replayed)
        .with_attempts(self.meta.attempts)
        .with_body(redacted_body(
            &self.redactor,
            self.headers.get(CONTENT_TYPE),
            &self.body,
        ))
        .with_source(source);
        if let Some(id) = &self.meta.request_id {
            err = err.with_request_id(id.clone());
        }
        if let Some(key) = &self.meta.idempotency_key {
            err = err.with_idempotency_key(key.clone());
        }
        err
    }
}
