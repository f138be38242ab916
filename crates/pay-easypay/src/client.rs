//! [`EasypayClient`]: credentials, environment, and the one path every call takes
//! (validation, then pay-http's [`Transport`] with Easypay's [`EasypayHooks`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pay_core::{
    CallOptions, Clock, ContentType, Environment, ErrorKind, Method, Operation, PayError,
    ProviderId, Redactor, RetryPolicy, SystemClock, ValidationError,
};
use pay_http::{Answer, Classification, ErrorDetails, Hooks, Request, Response, Transport};
use pay_signing::easypay::RsaSigningKey;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::answered::Answered;
use crate::wire;

/// Easypay's provider id.
pub const PROVIDER: ProviderId = ProviderId::new("easypay");

/// The sandbox base URL.
pub const SANDBOX_URL: &str = "https://api.test.easypay.pt/2.0";

/// The production base URL.
pub const PRODUCTION_URL: &str = "https://api.prod.easypay.pt/2.0";

/// The merchant's Easypay account id (the `AccountId` header), held as a secret.
#[derive(Clone)]
pub struct AccountId(SecretString);

impl AccountId {
    /// An account id.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountId([REDACTED])")
    }
}

/// The merchant's Easypay API key (the `ApiKey` header), held as a secret.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// An API key.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

/// Easypay's answers as pay-http reads them: credentials on every attempt, the
/// `X-Easypay-Should-Retry` advice (through [`wire::RETRY_RULES`]), error bodies
/// `{status, message, code, doc_url}` and `Idempotency-Replay`.
pub struct EasypayHooks {
    account_id: AccountId,
    api_key: ApiKey,
}

impl fmt::Debug for EasypayHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasypayHooks").finish_non_exhaustive()
    }
}

impl EasypayHooks {
    /// Hooks sending these credentials.
    pub fn new(account_id: AccountId, api_key: ApiKey) -> Self {
        Self {
            account_id,
            api_key,
        }
    }
}

/// A header value marked sensitive, or a configuration error naming the header.
fn secret_header(name: &str, value: &str) -> Result<HeaderValue, PayError> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        PayError::new(ErrorKind::Configuration {
            reason: format!("the {name} is not a valid header value"),
        })
        .with_provider(PROVIDER)
    })?;
    value.set_sensitive(true);
    Ok(value)
}

impl Hooks for EasypayHooks {
    fn classify(&self, _operation: &'static Operation, answer: &Answer<'_>) -> Classification {
        if answer.is_success() {
            let body = answer.body();
            if !body.iter().all(u8::is_ascii_whitespace)
                && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err()
            {
                return Classification::Unreadable {
                    location: "body".to_owned(),
                };
            }
            return Classification::Success;
        }
        Classification::by_status(answer)
    }

    fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        let mut details = ErrorDetails::new();
        if matches!(answer.status(), 401 | 403) {
            details = details.kind(ErrorKind::Authentication);
        }
        // A keyed POST's 500 (stored and replayed by Easypay for 24 h) is ambiguous by
        // pay-core's retry decision on `wire::RETRY_RULES`; nothing to decide here.
        if let Ok(body) = serde_json::from_slice::<wire::Error>(answer.body()) {
            let message = match body.message {
                wire::ErrorMessage::Text(text) => text,
                wire::ErrorMessage::List(list) => list.join("; "),
            };
            if !message.is_empty() {
                details = details.message(message);
            }
            if let Some(code) = body.code {
                details = details.code(code);
            }
        }
        details
    }

    fn replay_header(&self) -> Option<&'static str> {
        Some("idempotency-replay")
    }

    async fn authorize(
        &self,
        _operation: &'static Operation,
        _attempt: u32,
        headers: &mut HeaderMap,
    ) -> Result<(), PayError> {
        headers.insert(
            HeaderName::from_static("accountid"),
            secret_header("AccountId", self.account_id.0.expose_secret())?,
        );
        headers.insert(
            HeaderName::from_static("apikey"),
            secret_header("ApiKey", self.api_key.0.expose_secret())?,
        );
        Ok(())
    }
}

/// Settings for an [`EasypayClient`]; [`EasypayClient::builder`] starts one.
#[must_use]
pub struct EasypayClientBuilder {
    account_id: AccountId,
    api_key: ApiKey,
    base_url: String,
    environment: Environment,
    signing_key: Option<RsaSigningKey>,
    clock: Arc<dyn Clock>,
    retry_policy: Option<RetryPolicy>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    jitter_seed: Option<u64>,
    notification_auth: Option<crate::notification::NotificationAuth>,
    journal: Option<Arc<dyn pay_core::WriteJournal>>,
}

impl fmt::Debug for EasypayClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasypayClientBuilder")
            .field("base_url", &self.base_url)
            .field("environment", &self.environment)
            .field("signing_key", &self.signing_key.is_some())
            .field("journal", &self.journal.is_some())
            .finish_non_exhaustive()
    }
}

impl EasypayClientBuilder {
    /// Easypay's sandbox, `https://api.test.easypay.pt/2.0` (the default).
    pub fn sandbox(mut self) -> Self {
        SANDBOX_URL.clone_into(&mut self.base_url);
        self.environment = Environment::Sandbox;
        self
    }

    /// Easypay's production API, `https://api.prod.easypay.pt/2.0`.
    pub fn production(mut self) -> Self {
        PRODUCTION_URL.clone_into(&mut self.base_url);
        self.environment = Environment::Production;
        self
    }

    /// Any other base URL, with its path prefix (a fake server's `…/2.0`). Counts as the
    /// sandbox.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.environment = Environment::Sandbox;
        self
    }

    /// The RSA key that signs out-payments (the `Signature` header), loaded with
    /// [`RsaSigningKey::from_pem`]. Without one, creating an out-payment is a
    /// configuration error and nothing is sent.
    pub fn out_payment_key(mut self, key: RsaSigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Loads the out-payment signing key from PEM (PKCS#1 or PKCS#8).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the key cannot be read.
    pub fn out_payment_key_pem(self, pem: &SecretString) -> Result<Self, PayError> {
        let key = RsaSigningKey::from_pem(pem).map_err(|err| {
            PayError::new(ErrorKind::Configuration {
                reason: format!("the out-payment signing key: {err}"),
            })
            .with_provider(PROVIDER)
        })?;
        Ok(self.out_payment_key(key))
    }

    /// The clock (out-payment timestamps, `Retry-After` dates). Default: the system's.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The default retry policy for calls that set none.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// The time budget of one attempt.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The time budget of a whole call, retries included.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How notifications authenticate themselves (Basic credentials or a secret
    /// header). Without it, every notification is rejected.
    pub fn notification_auth(mut self, auth: crate::notification::NotificationAuth) -> Self {
        self.notification_auth = Some(auth);
        self
    }

    /// A fixed seed for the backoff jitter (reproducible tests).
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// A write journal (`pay-journal`): every write is recorded before it is sent and
    /// settled when the answer arrives; a write whose record cannot be written is not
    /// sent ([`ErrorKind::JournalUnavailable`]).
    pub fn journal(mut self, journal: Arc<dyn pay_core::WriteJournal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] for a base URL pay-http refuses (not `https://`, or
    /// plain `http://` other than loopback) or an HTTP client that cannot be built.
    pub fn build(self) -> Result<EasypayClient, PayError> {
        // pay-core's defaults (keys, signatures, phones) plus the description's sensitive
        // fields and the `AccountId` credential.
        let redactor = wire::SENSITIVE_FIELDS
            .iter()
            .chain(["accountid"].iter())
            .fold(Redactor::default(), |r, key| r.with_key(key));
        let hooks = EasypayHooks::new(self.account_id, self.api_key);
        let mut builder = Transport::builder(PROVIDER, self.base_url, hooks)
            .rules(wire::RETRY_RULES)
            .clock(Arc::clone(&self.clock))
            .redactor(redactor)
            .user_agent(concat!("pay-easypay/", env!("CARGO_PKG_VERSION")));
        if let Some(policy) = self.retry_policy {
            builder = builder.retry_policy(policy);
        }
        if let Some(timeout) = self.attempt_timeout {
            builder = builder.attempt_timeout(timeout);
        }
        if let Some(deadline) = self.deadline {
            builder = builder.deadline(deadline);
        }
        if let Some(seed) = self.jitter_seed {
            builder = builder.jitter_seed(seed);
        }
        if let Some(journal) = self.journal {
            builder = builder.journal(journal);
        }
        Ok(EasypayClient {
            inner: Arc::new(Inner {
                transport: builder.build()?,
                environment: self.environment,
                signing_key: self.signing_key,
                clock: self.clock,
                capabilities: crate::traits::capabilities(),
                notification_auth: self.notification_auth,
            }),
        })
    }
}

pub(crate) struct Inner {
    pub(crate) transport: Transport<EasypayHooks>,
    pub(crate) environment: Environment,
    pub(crate) signing_key: Option<RsaSigningKey>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) capabilities: pay_core::Capabilities,
    pub(crate) notification_auth: Option<crate::notification::NotificationAuth>,
}

/// The Easypay API 2.0 client: every operation of the description as a typed method,
/// grouped by resource ([`single`](Self::single), [`captures`](Self::captures), …), and
/// pay-core's traits.
///
/// Cloning is cheap (one shared transport and connection pool).
#[derive(Clone)]
pub struct EasypayClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for EasypayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasypayClient")
            .field("base_url", &self.inner.transport.base_url())
            .field("environment", &self.inner.environment)
            .field("signing_key", &self.inner.signing_key.is_some())
            .finish_non_exhaustive()
    }
}

/// What the raw escape hatch ([`EasypayClient::raw`]) answers: the HTTP status and the
/// body as exact JSON text (no number is ever parsed).
#[derive(Debug)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, exactly as received (`None` when empty).
    pub body: Option<Box<RawValue>>,
    /// Whether Easypay answered with the stored result of an earlier request with the
    /// same `Idempotency-Key`.
    pub replayed: bool,
}

/// Where a validation error happened: the operation and provider, with the rule.
pub(crate) fn invalid(operation: &'static Operation, err: ValidationError) -> PayError {
    PayError::new(ErrorKind::InvalidRequest(err))
        .with_provider(PROVIDER)
        .with_operation(operation.id)
}

/// The operation `id` of the description.
pub(crate) fn op(id: &'static str) -> &'static Operation {
    match wire::operation(id) {
        Some(op) => op,
        // The ids are literals of this crate, checked by the `every_operation` test.
        None => &wire::OPERATIONS[0],
    }
}

/// Percent-encodes a path segment (RFC 3986 unreserved characters stay).
fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Fills `{name}` placeholders of the operation's path, after checking them.
pub(crate) fn fill_path(
    operation: &'static Operation,
    params: &[(&str, &str)],
) -> Result<String, PayError> {
    wire::validate_path(operation.id, params).map_err(|e| invalid(operation, e))?;
    let mut path = operation.path.to_owned();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    Ok(path)
}

/// A query struct as `(name, value)` pairs, read from its exact JSON text (strings
/// unquoted, numbers as written; never through a float).
pub(crate) fn query_pairs<Q: Serialize>(
    operation: &'static Operation,
    query: &Q,
) -> Result<Vec<(String, String)>, PayError> {
    let text = serde_json::to_string(query).map_err(|e| serialise_error(operation, &e))?;
    let members: Vec<(String, Box<RawValue>)> =
        serde_json::from_str::<std::collections::BTreeMap<String, Box<RawValue>>>(&text)
            .map_err(|e| serialise_error(operation, &e))?
            .into_iter()
            .collect();
    let mut pairs = Vec::with_capacity(members.len());
    for (name, raw) in members {
        let raw = raw.get();
        let value = if raw.starts_with('"') {
            serde_json::from_str::<String>(raw).map_err(|e| serialise_error(operation, &e))?
        } else {
            raw.to_owned()
        };
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn serialise_error(operation: &'static Operation, err: &serde_json::Error) -> PayError {
    PayError::new(ErrorKind::Configuration {
        reason: format!("cannot serialise the request: {err}"),
    })
    .with_provider(PROVIDER)
    .with_operation(operation.id)
}

/// Decodes a success body as `T`, reading amounts exactly.
pub(crate) fn decode<T: DeserializeOwned>(response: &Response) -> Result<T, PayError> {
    serde_json::from_slice(response.body()).map_err(|e| response.decode_error("body", e))
}

/// One call, assembled.
pub(crate) struct Call<'a> {
    pub(crate) operation: &'static Operation,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) signature: Option<String>,
    pub(crate) options: &'a CallOptions,
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        operation: &'static Operation,
        path: String,
        options: &'a CallOptions,
    ) -> Self {
        Self {
            operation,
            path,
            query: Vec::new(),
            body: None,
            signature: None,
            options,
        }
    }

    /// Sets a JSON body serialised from `body`.
    pub(crate) fn json<B: Serialize>(mut self, body: &B) -> Result<Self, PayError> {
        self.body =
            Some(serde_json::to_vec(body).map_err(|e| serialise_error(self.operation, &e))?);
        Ok(self)
    }
}

impl EasypayClient {
    /// Starts a client for the sandbox with these credentials.
    pub fn builder(account_id: AccountId, api_key: ApiKey) -> EasypayClientBuilder {
        EasypayClientBuilder {
            account_id,
            api_key,
            base_url: SANDBOX_URL.to_owned(),
            environment: Environment::Sandbox,
            signing_key: None,
            clock: Arc::new(SystemClock),
            retry_policy: None,
            attempt_timeout: None,
            deadline: None,
            jitter_seed: None,
            notification_auth: None,
            journal: None,
        }
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        self.inner.transport.base_url()
    }

    /// Sandbox or production.
    pub fn environment(&self) -> Environment {
        self.inner.environment
    }

    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Response, PayError> {
        let mut request = Request::new(call.operation, call.path).options(call.options);
        for (name, value) in call.query {
            request = request.query(name, value);
        }
        if let Some(body) = call.body {
            request = request.body(ContentType::Json, body);
        }
        if let Some(signature) = call.signature {
            request = request.header(
                HeaderName::from_static("signature"),
                secret_header("Signature", &signature)?,
            );
        }
        self.inner.transport.send(request).await
    }

    /// Sends one call and decodes its answer as `T`, with the call's metadata.
    pub(crate) async fn send_decode<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Answered<T>, PayError> {
        let response = self.send(call).await?;
        let value = decode(&response)?;
        Ok(Answered::new(value, response.meta().clone()))
    }

    /// The raw escape hatch: any method and path under the base URL, with an optional
    /// JSON body (exact text), through the same authentication, retries, idempotency
    /// keys (`POST`/`PATCH`), redaction and tracing as the typed methods.
    ///
    /// The call is described as the operation of the description with the same method
    /// and path template when there is one (so its retry and idempotency rules apply),
    /// else as an ad-hoc operation `raw` (a keyed write).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`] when `path` does not start with `/` or the body is
    /// not JSON; any transport or provider error.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        options: &CallOptions,
    ) -> Result<RawResponse, PayError> {
        let operation = raw_operation(method, path);
        if !path.starts_with('/') {
            return Err(invalid(
                operation,
                ValidationError::new(
                    "path",
                    pay_core::Rule::Format {
                        expected: "a path starting with /",
                    },
                ),
            ));
        }
        let mut call = Call::new(operation, path.to_owned(), options);
        if let Some(body) = body {
            serde_json::from_str::<&RawValue>(body).map_err(|_| {
                invalid(
                    operation,
                    ValidationError::new("body", pay_core::Rule::Format { expected: "JSON" }),
                )
            })?;
            call.body = Some(body.as_bytes().to_vec());
        }
        let response = self.send(call).await?;
        let replayed = response.meta().is_replayed();
        let status = response.status();
        let bytes = response.body();
        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(
                serde_json::from_slice::<Box<RawValue>>(bytes)
                    .map_err(|e| response.decode_error("body", e))?,
            )
        };
        Ok(RawResponse {
            status,
            body,
            replayed,
        })
    }
}

/// The described operation matching a raw call, else a generic one per method.
fn raw_operation(method: Method, path: &str) -> &'static Operation {
    let path = path.split('?').next().unwrap_or_default();
    let matches = |template: &str| {
        let a: Vec<&str> = template.split('/').collect();
        let b: Vec<&str> = path.split('/').collect();
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
    };
    // Literal templates first (`/frequent/authorisation/{id}` before `/frequent/{id}`).
    let mut best: Option<&'static Operation> = None;
    for operation in wire::OPERATIONS {
        if operation.kind == pay_core::OperationKind::Path
            && operation.method == method
            && matches(operation.path)
        {
            let literal = |o: &Operation| o.path.matches('{').count();
            if best.is_none_or(|b| literal(operation) < literal(b)) {
                best = Some(operation);
            }
        }
    }
    best.unwrap_or(match method {
        Method::Get => &RAW_GET,
        Method::Delete => &RAW_DELETE,
        Method::Patch => &RAW_PATCH,
        _ => &RAW_POST,
    })
}

macro_rules! raw_op {
    ($name:ident, $method:expr, $key:expr, $idempotent:expr) => {
        static $name: Operation = Operation {
            id: "raw",
            kind: pay_core::OperationKind::Path,
            method: $method,
            path: "",
            summary: "A raw call (EasypayClient::raw)",
            auth: &[&["AccountId", "ApiKey"]],
            content_types: &[ContentType::Json],
            request_body: None,
            query: None,
            path_params: &[],
            idempotent: $idempotent,
            idempotency_header: $key,
            signed: None,
            pagination: None,
            envelope: None,
            rust_module: "client",
            rust_fn: Some("raw"),
            generation: None,
            path_confidence: None,
            inferred: None,
        };
    };
}

const KEY: Option<pay_core::IdempotencyHeader> = Some(pay_core::IdempotencyHeader {
    name: "Idempotency-Key",
    max_length: 50,
});

raw_op!(RAW_GET, Method::Get, None, true);
raw_op!(RAW_DELETE, Method::Delete, None, true);
raw_op!(RAW_POST, Method::Post, KEY, true);
raw_op!(RAW_PATCH, Method::Patch, KEY, true);

#[cfg(test)]
mod tests {
    use super::*;

    fn hooks() -> EasypayHooks {
        EasypayHooks::new(AccountId::new("a"), ApiKey::new("k"))
    }

    #[test]
    fn error_bodies_keep_easypays_message_and_code() {
        let headers = HeaderMap::new();
        let body = br#"{"status":"error","message":"Error description","code":"ERROR_CODE","doc_url":"https://docs.easypay.pt/errors/ERROR_CODE"}"#;
        let details =
            hooks().decode_error(op("single_get"), &Answer::new(400, &headers, body, None));
        assert_eq!(details.message.as_deref(), Some("Error description"));
        assert_eq!(details.code.as_deref(), Some("ERROR_CODE"));
        assert_eq!(details.kind, None);
        let list = br#"{"status":"error","message":["one","two"]}"#;
        let details =
            hooks().decode_error(op("single_get"), &Answer::new(403, &headers, list, None));
        assert_eq!(details.message.as_deref(), Some("one; two"));
        assert_eq!(details.kind, Some(ErrorKind::Authentication));
        // A keyed POST's 500 is ambiguous by pay-core's decision on the generated rules,
        // not by the hooks: the rule exists once.
        let details =
            hooks().decode_error(op("single_create"), &Answer::new(500, &headers, b"", None));
        assert_eq!(details.kind, None);
        let create = op("single_create");
        assert_eq!(create.safety(true), pay_core::CallSafety::IdempotentWrite);
        assert_eq!(
            RetryPolicy::default().decide(
                &wire::RETRY_RULES,
                create.method,
                create.safety(true),
                1,
                pay_core::AttemptOutcome::Answered {
                    status: 500,
                    should_retry: Some(false),
                    retry_after: None,
                },
                0,
            ),
            pay_core::Decision::Ambiguous
        );
        let details =
            hooks().decode_error(op("single_get"), &Answer::new(500, &headers, b"", None));
        assert_eq!(details.kind, None, "a read's 500 is only unavailable");
    }

    #[test]
    fn a_success_that_is_not_json_is_unreadable() {
        let headers = HeaderMap::new();
        let bad = Answer::new(200, &headers, b"<html>", None);
        assert!(matches!(
            hooks().classify(op("single_get"), &bad),
            Classification::Unreadable { .. }
        ));
        let empty = Answer::new(204, &headers, b"", None);
        assert_eq!(
            hooks().classify(op("single_delete"), &empty),
            Classification::Success
        );
    }

    #[test]
    fn debug_shows_no_credential() {
        let client =
            EasypayClient::builder(AccountId::new("acct-secret"), ApiKey::new("key-secret"))
                .build()
                .unwrap();
        let text = format!("{client:?} {:?}", hooks());
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(client.base_url(), SANDBOX_URL);
        let prod = EasypayClient::builder(AccountId::new("a"), ApiKey::new("k"))
            .production()
            .build()
            .unwrap();
        assert_eq!(prod.base_url(), PRODUCTION_URL);
        assert_eq!(prod.environment(), Environment::Production);
        assert!(
            EasypayClient::builder(AccountId::new("a"), ApiKey::new("k"))
                .base_url("http://example.org/2.0")
                .build()
                .is_err(),
            "plain http only to loopback"
        );
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_segment("3f2a-_.~"), "3f2a-_.~");
    }

    #[test]
    fn raw_calls_use_the_described_operation() {
        assert_eq!(raw_operation(Method::Get, "/single/abc").id, "single_get");
        assert_eq!(
            raw_operation(Method::Post, "/frequent/authorisation/x").id,
            "frequent_authorise"
        );
        assert_eq!(raw_operation(Method::Post, "/nowhere").id, "raw");
    }

    #[test]
    fn query_pairs_keep_exact_numbers() {
        let q = wire::SingleListQuery {
            page: Some(2),
            key: Some("order 1".to_owned()),
            value: Some(serde_json::from_str("17.50").unwrap()),
            ..Default::default()
        };
        let pairs = query_pairs(op("single_list"), &q).unwrap();
        assert!(pairs.contains(&("page".to_owned(), "2".to_owned())));
        assert!(pairs.contains(&("key".to_owned(), "order 1".to_owned())));
        assert!(pairs.contains(&("value".to_owned(), "17.50".to_owned())));
    }
}
