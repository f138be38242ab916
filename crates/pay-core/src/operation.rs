//! What a transport needs to know about one API operation, and a provider's documented
//! retry rules: the types of the operation tables that `cargo xtask codegen` writes into
//! each adapter from its API description (`OPERATIONS`, `RETRY_RULES`).
//!
//! They live here, once, so every adapter, the shared transport and the fakes use the same
//! types; the generated tables are `const` data of these types. Nothing here does I/O.

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as HTTP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The method HTTP names `name` (upper case, as on the wire), if it is one of these.
    ///
    /// ```
    /// use pay_core::Method;
    /// assert_eq!(Method::from_http("PATCH"), Some(Method::Patch));
    /// assert_eq!(Method::from_http("patch"), None);
    /// ```
    pub fn from_http(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    /// Whether the method only reads (`GET`). Providers do not always honour HTTP's
    /// idempotency of `PUT` and `DELETE`; [`Operation::idempotent`] is what the description
    /// says about an operation.
    pub fn is_read(self) -> bool {
        self == Method::Get
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the provider serves the operation or calls the merchant with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// A call to the provider's API (`paths` in the description).
    Path,
    /// A notification the provider sends (`webhooks`); `path` is the webhook's name.
    Webhook,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentType {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

impl ContentType {
    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            ContentType::Json => "application/json",
            ContentType::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// An idempotency header the operation accepts (`x-idempotency-header`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdempotencyHeader {
    /// The header name.
    pub name: &'static str,
    /// The longest key the provider accepts, in characters.
    pub max_length: usize,
}

/// How the message is signed (`x-signed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signing {
    /// Easytransac V1: keyed SHA-1 over the form fields.
    EasytransacV1,
    /// Easypay: RSA PKCS#1 v1.5 / SHA-256 over the exact body bytes.
    EasypayRsa,
    /// A shared-secret HMAC described by its parameters (`x-signed: {scheme: hmac, …}`);
    /// `pay_signing::hmac::Scheme::parse` turns them into a scheme that signs and verifies.
    Hmac(HmacSigning),
}

/// The parameters of an [`Signing::Hmac`] signature, as the description states them (the
/// generator accepts only the values listed here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HmacSigning {
    /// The hash: `sha256`, `sha384` or `sha512`.
    pub algorithm: &'static str,
    /// The header carrying the signature.
    pub header: &'static str,
    /// How the tag is written: `hex` or `base64`.
    pub encoding: &'static str,
    /// What is signed: `raw-body` (the exact bytes) or `canonical` (the sorted fields).
    pub covers: &'static str,
    /// A prefix of the header value (`sha256=`), if any.
    pub prefix: Option<&'static str>,
}

/// How a list operation pages (`x-pagination`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pagination {
    /// `page` (1-based) and `records_per_page`.
    Page,
    /// `cursor` and `limit`.
    Cursor,
}

/// The shape of a success body (`x-envelope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Envelope {
    /// `{Code: 0, Signature, Result}`; errors are `{Code != 0, Error}` under the same status.
    EasytransacV1,
    /// `{success, date, data}`; `success: false` is an error.
    EasytransacV2,
    /// `{meta, data: [..]}`.
    EasypayPage,
    /// `{data: [..], ..}`.
    EasypayCursor,
    /// `{status: "ok", message: [..], id, ..}`.
    EasypayAck,
    /// The resource itself.
    Plain,
    /// No body (204).
    Empty,
}

/// API generation, for providers with several (`x-generation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Generation {
    /// Easytransac V1: form-encoded, signed, PascalCase.
    V1,
    /// Easytransac V2: JSON, camelCase, bearer JWT.
    V2,
}

/// Where a path comes from (`x-path-confidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathConfidence {
    /// Official docs or official SDK code.
    Documented,
    /// Only a third-party client shows it.
    Unofficial,
    /// The real path is unknown; this one is a stand-in.
    Placeholder,
}

/// One operation of an API description, with everything a transport needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The description's `operationId`.
    pub id: &'static str,
    /// A call to the provider, or a notification from it.
    pub kind: OperationKind,
    /// The HTTP method.
    pub method: Method,
    /// The path template (`/single/{id}`), or the webhook's name.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Security alternatives, each the list of schemes sent together; an empty
    /// alternative means the call may be unauthenticated.
    pub auth: &'static [&'static [&'static str]],
    /// Request body encodings (empty: no body).
    pub content_types: &'static [ContentType],
    /// The generated type of the request body.
    pub request_body: Option<&'static str>,
    /// The generated type of the query parameters.
    pub query: Option<&'static str>,
    /// Path parameter names, in template order.
    pub path_params: &'static [&'static str],
    /// Whether repeating the call cannot duplicate an effect (`x-idempotent`); always
    /// false for webhooks.
    pub idempotent: bool,
    /// The idempotency header the operation accepts.
    pub idempotency_header: Option<IdempotencyHeader>,
    /// How the message is signed.
    pub signed: Option<Signing>,
    /// How a list pages.
    pub pagination: Option<Pagination>,
    /// The success body's shape (none for webhooks).
    pub envelope: Option<Envelope>,
    /// The adapter module that owns the operation (`x-rust-module`).
    pub rust_module: &'static str,
    /// The adapter function that calls it (`x-rust-fn`), once there is one.
    pub rust_fn: Option<&'static str>,
    /// API generation, for providers with several.
    pub generation: Option<Generation>,
    /// Where the path comes from.
    pub path_confidence: Option<PathConfidence>,
    /// What the description had to infer about the operation (`x-inferred`).
    pub inferred: Option<&'static str>,
}

impl Operation {
    /// A call to the provider's API with no body, no auth, no idempotency header and no
    /// extensions: the starting point for the `with_*` constructors, usable in `const`
    /// and `static` items.
    ///
    /// ```
    /// use pay_core::{CallSafety, ContentType, IdempotencyHeader, Method, Operation};
    ///
    /// static CREATE: Operation = Operation::new("charge_create", Method::Post, "/charges")
    ///     .with_body(&[ContentType::Json])
    ///     .with_idempotency_header(IdempotencyHeader { name: "Idempotency-Key", max_length: 50 });
    /// assert_eq!(CREATE.safety(true), CallSafety::IdempotentWrite);
    /// assert_eq!(CREATE.safety(false), CallSafety::UnsafeWrite);
    /// ```
    pub const fn new(id: &'static str, method: Method, path: &'static str) -> Self {
        Self {
            id,
            kind: OperationKind::Path,
            method,
            path,
            summary: "",
            auth: &[],
            content_types: &[],
            request_body: None,
            query: None,
            path_params: &[],
            idempotent: false,
            idempotency_header: None,
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

    /// Declares the request body's encodings.
    #[must_use]
    pub const fn with_body(mut self, content_types: &'static [ContentType]) -> Self {
        self.content_types = content_types;
        self
    }

    /// Declares the idempotency header the operation accepts.
    #[must_use]
    pub const fn with_idempotency_header(mut self, header: IdempotencyHeader) -> Self {
        self.idempotency_header = Some(header);
        self
    }

    /// Declares the operation idempotent (repeating it cannot duplicate an effect).
    #[must_use]
    pub const fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// How safely the operation may be repeated, given whether this call carries an
    /// idempotency key:
    /// - a `GET` is [`CallSafety::Read`];
    /// - an operation that accepts an idempotency header is
    ///   [`CallSafety::IdempotentWrite`] when the call carries a key and
    ///   [`CallSafety::UnsafeWrite`] when it does not, whatever `idempotent` says
    ///   (descriptions mark keyed writes `x-idempotent` because the key makes them so, and
    ///   the provider stores their answers under the key: a keyed `POST`'s 500 must stay
    ///   ambiguous, not be repeated like a read's);
    /// - any other operation the description marks idempotent (a `DELETE`, a `PUT`) is
    ///   [`CallSafety::Read`];
    /// - every other write is [`CallSafety::UnsafeWrite`].
    ///
    /// ```
    /// use pay_core::{CallSafety, ContentType, IdempotencyHeader, Method, Operation};
    ///
    /// let charge = Operation::new("charge", Method::Post, "/charge").with_body(&[ContentType::Json]);
    /// assert_eq!(charge.safety(true), CallSafety::UnsafeWrite); // no header to carry a key
    /// let keyed = charge
    ///     .with_idempotency_header(IdempotencyHeader { name: "Idempotency-Key", max_length: 50 })
    ///     .idempotent();
    /// assert_eq!(keyed.safety(true), CallSafety::IdempotentWrite);
    /// assert_eq!(keyed.safety(false), CallSafety::UnsafeWrite);
    /// assert_eq!(Operation::new("cancel", Method::Delete, "/x").idempotent().safety(false), CallSafety::Read);
    /// ```
    pub fn safety(&self, keyed: bool) -> CallSafety {
        if self.method.is_read() {
            CallSafety::Read
        } else if self.idempotency_header.is_some() {
            if keyed {
                CallSafety::IdempotentWrite
            } else {
                CallSafety::UnsafeWrite
            }
        } else if self.idempotent {
            CallSafety::Read
        } else {
            CallSafety::UnsafeWrite
        }
    }
}

/// What a call may safely repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallSafety {
    /// A read (GET), or an operation the provider documents as idempotent: repeating it
    /// changes nothing.
    Read,
    /// A write the provider de-duplicates by idempotency key (same key on every attempt).
    /// Repeating it cannot apply it twice.
    IdempotentWrite,
    /// A write the provider cannot de-duplicate. Repeated only when it certainly did not
    /// reach the provider.
    UnsafeWrite,
}

/// A provider's documented retry rules (`x-retry-policy` in its API description), the one
/// source for the adapter's transport and the provider's fake.
///
/// [`RetryPolicy::decide`](crate::RetryPolicy::decide) applies them; the caller's
/// [`RetryPolicy`](crate::RetryPolicy) only sets how many times and how patiently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryRules {
    /// The response header carrying the provider's own advice (`X-Easypay-Should-Retry`:
    /// `true`/`false`), when it sends one. The advice wins over `retry_statuses`.
    pub advice_header: Option<&'static str>,
    /// Answers worth repeating for reads and keyed writes (Easypay: 409, 429, 502, 503).
    pub retry_statuses: &'static [u16],
    /// Methods whose 500 answer is *not* retried (Easypay: `POST`). Every other method's
    /// 500 is retried.
    pub no_retry_500_methods: &'static [Method],
    /// Whether a lost answer (timeout after sending, reset) is retried for reads and keyed
    /// writes.
    pub retry_on_no_response: bool,
    /// Answers the provider does *not* store under an idempotency key (Easypay: 429, 502,
    /// 503): repeating with the same key runs the request again. Any other answer to a
    /// keyed write is stored and replayed for the key's lifetime, so repeating it cannot
    /// change the outcome.
    pub transient_statuses: &'static [u16],
    /// The provider's cap on attempts, when its docs give one.
    pub max_attempts: Option<u32>,
}

impl RetryRules {
    /// Rules for a provider that documents none: retry no answer, 408, 429, 502, 503 and
    /// 504, and 500 only for reads. For keyed writes it assumes the safe thing: every
    /// other answer (a 500 included) may have been stored under the key, so a keyed write
    /// answered 500 is ambiguous rather than repeated.
    pub const GENERIC: RetryRules = RetryRules {
        advice_header: None,
        retry_statuses: &[408, 429, 502, 503, 504],
        no_retry_500_methods: &[Method::Post, Method::Put, Method::Patch, Method::Delete],
        retry_on_no_response: true,
        transient_statuses: &[408, 429, 502, 503, 504],
        max_attempts: None,
    };

    /// Whether a `status` answer to `method` is worth repeating, by the table alone
    /// (without the provider's advice header).
    pub fn retries_status(&self, method: Method, status: u16) -> bool {
        if status == 500 {
            return !self.no_retry_500_methods.contains(&method);
        }
        self.retry_statuses.contains(&status)
    }

    /// Whether the provider stores a `status` answer under the idempotency key and replays
    /// it to every repeat (so repeating a keyed write that got it cannot change anything).
    pub fn stores_answer(&self, status: u16) -> bool {
        !self.transient_statuses.contains(&status)
    }
}

impl Default for RetryRules {
    fn default() -> Self {
        Self::GENERIC
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_and_content_types_have_their_http_names() {
        for (method, name) in [
            (Method::Get, "GET"),
            (Method::Post, "POST"),
            (Method::Put, "PUT"),
            (Method::Patch, "PATCH"),
            (Method::Delete, "DELETE"),
        ] {
            assert_eq!(method.as_str(), name);
            assert_eq!(method.to_string(), name);
            assert_eq!(Method::from_http(name), Some(method));
            assert_eq!(method.is_read(), method == Method::Get, "{name}");
        }
        assert_eq!(Method::from_http("get"), None);
        assert_eq!(Method::from_http("HEAD"), None);
        assert_eq!(ContentType::Json.mime(), "application/json");
        assert_eq!(
            ContentType::Form.mime(),
            "application/x-www-form-urlencoded"
        );
    }

    #[test]
    fn generic_rules_retry_by_method_and_status() {
        let rules = RetryRules::default();
        assert_eq!(rules, RetryRules::GENERIC);
        assert!(rules.retries_status(Method::Get, 500));
        assert!(!rules.retries_status(Method::Post, 500));
        for status in [408, 429, 502, 503, 504] {
            assert!(rules.retries_status(Method::Post, status), "{status}");
            assert!(!rules.stores_answer(status), "{status}");
        }
        assert!(!rules.retries_status(Method::Get, 400));
        assert!(rules.stores_answer(500));
        assert!(rules.stores_answer(409));
    }
}
