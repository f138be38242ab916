//! [`EasytransacClient`]: one client for both API generations, every call through
//! `pay_http::Transport`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pay_core::{
    CallOptions, Clock, ContentType, Currency, Environment, ErrorKind, MerchantReference,
    Operation, PayError, ProviderId, Redactor, RetryPolicy, SystemClock,
};
use pay_http::{Request, Response, Transport};
use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::form;
use crate::hooks::{V1Hooks, V2AuthHooks, V2Hooks};
use crate::token::TokenSource;
use crate::wire::{self, V1ApiErrorCode};

/// The provider id every error and event of this adapter carries.
pub const PROVIDER: ProviderId = ProviderId::new("easytransac");

/// V1 production host (`https://www.easytransac.com`; operation paths start with
/// `/api/…`). From the official PHP SDK's `Services::URL_PRODUCTION`.
pub const V1_PRODUCTION_URL: &str = "https://www.easytransac.com";
/// V1 sandbox host (`https://sandbox.easytransac.com`), from the PHP SDK's `URL_SANDBOX`.
pub const V1_SANDBOX_URL: &str = "https://sandbox.easytransac.com";
/// V2 production host (paths start with `/v2/…`). INFERRED: the docs list only a
/// sandbox server; this host comes from a third-party client and is unverified.
pub const V2_PRODUCTION_URL: &str = "https://api.easytransac.com";
/// V2 sandbox host (`https://api.sandbox.easytransac.com`; paths start with `/v2/…`).
pub const V2_SANDBOX_URL: &str = "https://api.sandbox.easytransac.com";

/// How long before a V2 token's expiry it is refreshed (capped at a quarter of the
/// token's lifetime).
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(30);

pub(crate) struct Inner {
    pub(crate) v1: Transport<V1Hooks>,
    pub(crate) v2: Transport<V2Hooks>,
    pub(crate) tokens: Arc<TokenSource>,
    pub(crate) api_key: SecretString,
    pub(crate) currency: Currency,
    pub(crate) environment: Environment,
    pub(crate) paths: HashMap<&'static str, String>,
    pub(crate) capabilities: pay_core::Capabilities,
}

/// The Easytransac client: V1 (form-encoded, SHA-1 signed, `EASYTRANSAC-API-KEY`) and V2
/// (JSON, bearer JWT) behind one handle. Cheap to clone; clones share the connection pool
/// and the V2 token cache.
///
/// Every call goes through `pay_http::Transport`: reads (the operations the description
/// marks idempotent) are retried on transient failures (ApiError 9 and 10 included);
/// writes are never repeated, since Easytransac has no idempotency keys. A write whose
/// answer was lost is [`ErrorKind::AmbiguousOutcome`] carrying its `OrderId`: settle it
/// with [`EasytransacClient::reconcile`].
///
/// Operations are grouped by resource: [`payments`](Self::payments),
/// [`pages`](Self::pages), [`users`](Self::users), [`documents`](Self::documents),
/// [`mandates`](Self::mandates) (V2), [`open_banking`](Self::open_banking) (V2),
/// [`transactions`](Self::transactions) (V2), and [`raw`](Self::raw) for anything else.
#[derive(Clone)]
pub struct EasytransacClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for EasytransacClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasytransacClient")
            .field("v1", &self.inner.v1.base_url())
            .field("v2", &self.inner.v2.base_url())
            .field("environment", &self.inner.environment)
            .field("currency", &self.inner.currency)
            .finish_non_exhaustive()
    }
}

/// Builds an [`EasytransacClient`].
///
/// ```
/// use pay_easytransac::EasytransacClient;
/// use secrecy::SecretString;
///
/// let client = EasytransacClient::builder(SecretString::from("et_test_key"))
///     .sandbox()
///     .build()?;
/// assert_eq!(client.v1_base_url(), "https://sandbox.easytransac.com");
/// assert_eq!(client.v2_base_url(), "https://api.sandbox.easytransac.com");
/// # Ok::<(), pay_core::PayError>(())
/// ```
pub struct EasytransacClientBuilder {
    api_key: SecretString,
    environment: Environment,
    v1_url: Option<String>,
    v2_url: Option<String>,
    clock: Arc<dyn Clock>,
    retry: Option<RetryPolicy>,
    currency: Currency,
    margin: Duration,
    paths: HashMap<&'static str, String>,
    attempt_timeout: Option<Duration>,
    journal: Option<Arc<dyn pay_core::WriteJournal>>,
}

impl fmt::Debug for EasytransacClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasytransacClientBuilder")
            .field("environment", &self.environment)
            .field("v1_url", &self.v1_url)
            .field("v2_url", &self.v2_url)
            .field("journal", &self.journal.is_some())
            .finish_non_exhaustive()
    }
}

impl EasytransacClientBuilder {
    /// Production hosts ([`V1_PRODUCTION_URL`], [`V2_PRODUCTION_URL`], the latter
    /// INFERRED): real money. Never the default: production is only ever reached by
    /// naming it here (or with [`environment`](Self::environment)).
    #[must_use]
    pub fn production(self) -> Self {
        self.environment(Environment::Production)
    }

    /// Sandbox hosts ([`V1_SANDBOX_URL`], [`V2_SANDBOX_URL`]): test money. The default.
    #[must_use]
    pub fn sandbox(self) -> Self {
        self.environment(Environment::Sandbox)
    }

    /// The environment by value ([`Environment::Sandbox`] by default). Easytransac tells
    /// test from live by its hosts (the sandbox is a separate server, `sandbox.…`), and
    /// its test API keys look like `et_test_…` (INFERRED from the docs' example), so a
    /// client built without naming production talks to the sandbox and cannot move real
    /// money.
    #[must_use]
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// A custom V1 base URL (scheme and host; operation paths add `/api/…`).
    #[must_use]
    pub fn v1_base_url(mut self, url: impl Into<String>) -> Self {
        self.v1_url = Some(url.into());
        self
    }

    /// A custom V2 base URL (scheme and host; operation paths add `/v2/…`).
    #[must_use]
    pub fn v2_base_url(mut self, url: impl Into<String>) -> Self {
        self.v2_url = Some(url.into());
        self
    }

    /// One base URL for both generations (a test server such as pay-testkit's fake).
    #[must_use]
    pub fn base_url(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.v1_base_url(url.clone()).v2_base_url(url)
    }

    /// The clock for token expiry and retry timing (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The retry policy for reads (writes are never repeated).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The time budget of one attempt.
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The application's currency (each Easytransac application has exactly one; EUR by
    /// default). Amounts in answers are read in it.
    #[must_use]
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = currency;
        self
    }

    /// How long before expiry the V2 token is refreshed ([`DEFAULT_TOKEN_REFRESH_MARGIN`]).
    #[must_use]
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Sends `operation_id` (an id of [`wire::OPERATIONS`]) to `path` instead of the
    /// description's path: for the operations whose path is a placeholder
    /// (`x-path-confidence: placeholder`), once Easytransac tells you the real one.
    #[must_use]
    pub fn override_path(mut self, operation_id: &'static str, path: impl Into<String>) -> Self {
        self.paths.insert(operation_id, path.into());
        self
    }

    /// A write journal (`pay-journal`): every write is recorded before it is sent and
    /// settled when the answer arrives; a write whose record cannot be written is not
    /// sent ([`ErrorKind::JournalUnavailable`]). The V2 token request is not a payment
    /// write and is not recorded.
    #[must_use]
    pub fn journal(mut self, journal: Arc<dyn pay_core::WriteJournal>) -> Self {
        self.journal = Some(journal);
        self
    }

    fn configure<H: pay_http::Hooks>(
        &self,
        builder: pay_http::TransportBuilder<H>,
        redactor: &Redactor,
    ) -> pay_http::TransportBuilder<H> {
        let mut b = builder
            .rules(wire::RETRY_RULES)
            .clock(self.clock.clone())
            .redactor(redactor.clone());
        if let Some(policy) = self.retry {
            b = b.retry_policy(policy);
        }
        if let Some(t) = self.attempt_timeout {
            b = b.attempt_timeout(t);
        }
        b
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] for an empty API key, an unknown operation id in
    /// [`override_path`](Self::override_path), or a transport that cannot be built.
    pub fn build(self) -> Result<EasytransacClient, PayError> {
        if self.api_key.expose_secret().trim().is_empty() {
            return Err(PayError::new(ErrorKind::Configuration {
                reason: "the Easytransac API key is empty".to_owned(),
            }));
        }
        for id in self.paths.keys() {
            if wire::operation(id).is_none() {
                return Err(PayError::new(ErrorKind::Configuration {
                    reason: format!("override_path: unknown operation `{id}`"),
                }));
            }
        }
        let (v1_default, v2_default) = match self.environment {
            Environment::Production => (V1_PRODUCTION_URL, V2_PRODUCTION_URL),
            _ => (V1_SANDBOX_URL, V2_SANDBOX_URL),
        };
        let v1_url = self.v1_url.clone().unwrap_or_else(|| v1_default.to_owned());
        let v2_url = self.v2_url.clone().unwrap_or_else(|| v2_default.to_owned());
        let redactor = wire::SENSITIVE_FIELDS
            .iter()
            .fold(Redactor::default(), |r, k| r.with_key(k));
        let journaled = |builder: pay_http::TransportBuilder<_>| match &self.journal {
            Some(journal) => builder.journal(journal.clone()),
            None => builder,
        };
        let v1 =
            journaled(self.configure(Transport::builder(PROVIDER, v1_url, V1Hooks), &redactor))
                .build()?;
        let auth = self
            .configure(
                Transport::builder(PROVIDER, v2_url.clone(), V2AuthHooks),
                &redactor,
            )
            .build()?;
        let tokens = Arc::new(TokenSource::new(
            auth,
            self.api_key.clone(),
            self.clock.clone(),
            self.margin,
        ));
        let v2 = self.configure(
            Transport::builder(
                PROVIDER,
                v2_url,
                V2Hooks {
                    tokens: tokens.clone(),
                },
            ),
            &redactor,
        );
        let v2 = match &self.journal {
            Some(journal) => v2.journal(journal.clone()),
            None => v2,
        }
        .build()?;
        Ok(EasytransacClient {
            inner: Arc::new(Inner {
                v1,
                v2,
                tokens,
                api_key: self.api_key,
                currency: self.currency,
                environment: self.environment,
                paths: self.paths,
                capabilities: crate::provider::capabilities(self.currency),
            }),
        })
    }
}

/// A V2 success envelope, `{success, date, data}`, with `data` typed.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct V2Answer<T> {
    /// Always `true` here (a `false` envelope is an error).
    pub success: bool,
    /// The answer's date (ATOM, e.g. `2024-12-31T23:59:59+02:00`).
    pub date: String,
    /// The payload.
    pub data: T,
}

/// How a raw call may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawSafety {
    /// A read: retried on transient failures.
    Read,
    /// A write: never repeated; a lost answer is `AmbiguousOutcome`.
    Write,
}

macro_rules! raw_operation {
    ($name:ident, $id:literal, $method:ident, $ct:ident, $idem:literal, $signed:expr, $env:ident, $gen:ident) => {
        static $name: Operation = Operation {
            id: $id,
            kind: pay_core::OperationKind::Path,
            method: pay_core::Method::$method,
            path: "",
            summary: "raw request (escape hatch)",
            auth: &[],
            content_types: &[ContentType::$ct],
            request_body: None,
            query: None,
            path_params: &[],
            idempotent: $idem,
            idempotency_header: None,
            signed: $signed,
            pagination: None,
            envelope: Some(pay_core::Envelope::$env),
            rust_module: "raw",
            rust_fn: None,
            generation: Some(pay_core::Generation::$gen),
            path_confidence: None,
            inferred: None,
        };
    };
}

raw_operation!(
    RAW_V1_READ,
    "v1_raw_read",
    Post,
    Form,
    true,
    Some(pay_core::Signing::EasytransacV1),
    EasytransacV1,
    V1
);
raw_operation!(
    RAW_V1_WRITE,
    "v1_raw_write",
    Post,
    Form,
    false,
    Some(pay_core::Signing::EasytransacV1),
    EasytransacV1,
    V1
);
raw_operation!(
    RAW_V2_GET,
    "v2_raw_get",
    Get,
    Json,
    true,
    None,
    EasytransacV2,
    V2
);
raw_operation!(
    RAW_V2_POST,
    "v2_raw_post",
    Post,
    Json,
    false,
    None,
    EasytransacV2,
    V2
);
raw_operation!(
    RAW_V2_POST_READ,
    "v2_raw_post_read",
    Post,
    Json,
    true,
    None,
    EasytransacV2,
    V2
);

fn missing_operation(id: &str) -> PayError {
    PayError::new(ErrorKind::Configuration {
        reason: format!("operation `{id}` missing from the operation table"),
    })
}

pub(crate) fn op(id: &'static str) -> Result<&'static Operation, PayError> {
    wire::operation(id).ok_or_else(|| missing_operation(id))
}

fn reference_of(order_id: Option<&str>) -> Result<Option<MerchantReference>, PayError> {
    order_id
        .filter(|o| !o.is_empty())
        .map(MerchantReference::new)
        .transpose()
        .map_err(PayError::from)
}

/// The merchant's reference of a call already sent: `order_id` passed
/// [`reference_of`] before the call went out, so only an empty one gives `None`.
fn reference_after_send(order_id: Option<&str>) -> Option<MerchantReference> {
    reference_of(order_id).ok().flatten()
}

impl EasytransacClient {
    /// A builder for a client with `api_key` (kept as a secret; never logged), on the
    /// sandbox unless [`production`](EasytransacClientBuilder::production) is named.
    pub fn builder(api_key: SecretString) -> EasytransacClientBuilder {
        EasytransacClientBuilder {
            api_key,
            environment: Environment::Sandbox,
            v1_url: None,
            v2_url: None,
            clock: Arc::new(SystemClock),
            retry: None,
            currency: Currency::EUR,
            margin: DEFAULT_TOKEN_REFRESH_MARGIN,
            paths: HashMap::new(),
            attempt_timeout: None,
            journal: None,
        }
    }

    /// The V1 base URL in use.
    pub fn v1_base_url(&self) -> &str {
        self.inner.v1.base_url()
    }

    /// The V2 base URL in use.
    pub fn v2_base_url(&self) -> &str {
        self.inner.v2.base_url()
    }

    /// The application's currency.
    pub fn currency(&self) -> Currency {
        self.inner.currency
    }

    /// How many V2 token requests (`POST /v2/auth`) this client (and its clones) made.
    pub fn token_requests(&self) -> u64 {
        self.inner.tokens.requests()
    }

    /// The path `operation` is sent to: the override, or the description's.
    pub fn path_of(&self, operation: &'static Operation) -> &str {
        self.inner
            .paths
            .get(operation.id)
            .map_or(operation.path, String::as_str)
    }

    fn api_key_header(&self) -> Result<HeaderValue, PayError> {
        let mut value =
            HeaderValue::from_str(self.inner.api_key.expose_secret()).map_err(|_| {
                PayError::new(ErrorKind::Configuration {
                    reason: "the API key is not a valid header value".to_owned(),
                })
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// One V1 call with the signed form `body`; the success answer's signature is
    /// verified.
    ///
    /// `reference` is the merchant's reference for the call, [`reference_of`]`(order_id)`
    /// checked by the caller; an error that leaves the outcome open carries it.
    async fn v1_send(
        &self,
        operation: &'static Operation,
        path: &str,
        body: String,
        order_id: Option<&str>,
        reference: Option<MerchantReference>,
        options: &CallOptions,
    ) -> Result<Response, PayError> {
        let mut request = Request::new(operation, path)
            .header(
                HeaderName::from_static("easytransac-api-key"),
                self.api_key_header()?,
            )
            .body(ContentType::Form, body)
            .options(options);
        if let Some(reference) = reference {
            request = request.reference(reference);
        }
        let response = self
            .inner
            .v1
            .send(request)
            .await
            .map_err(|e| transient_write(operation, e, order_id))?;
        Ok(response)
    }

    /// The verified `Result` of a V1 success answer.
    ///
    /// An answer that does not verify cannot be trusted, whatever it says. For a read
    /// that is an `Authentication` error. For a write that Easytransac cannot
    /// de-duplicate it is an `AmbiguousOutcome` to reconcile by `reference`: the request
    /// reached the provider, and an answer saying `Code` 0 under a signature we cannot
    /// check may well be a payment taken (or a refund made). Calling it anything else
    /// would invite the merchant to send the write again.
    fn verified<'r>(
        &self,
        operation: &'static Operation,
        response: &'r Response,
        order_id: Option<&str>,
    ) -> Result<pay_signing::easytransac::VerifiedResult<'r>, PayError> {
        const UNVERIFIED: &str = "the response's Signature is missing or does not match its Result";
        let unverified = |source: PayError| -> PayError {
            let kind = if operation.idempotent {
                ErrorKind::Authentication
            } else {
                ErrorKind::AmbiguousOutcome {
                    reference: reference_after_send(order_id),
                }
            };
            PayError::new(kind)
                .with_provider(PROVIDER)
                .with_operation(operation.id)
                .with_http_status(response.status())
                .with_attempts(response.meta().attempts())
                .with_provider_message(if operation.idempotent {
                    UNVERIFIED.to_owned()
                } else {
                    format!("{UNVERIFIED}: the write may have been applied")
                })
                .with_source(source)
        };
        let text = std::str::from_utf8(response.body())
            .map_err(|e| unverified(response.decode_error("body", e)))?;
        pay_signing::easytransac::verify_response_result(text, &self.inner.api_key)
            .map_err(|e| unverified(response.decode_error("Signature", e)))
    }

    /// Validated, signed V1 call of a generated operation, decoding `Result` as `T`.
    pub(crate) async fn v1<Req: Serialize, T: DeserializeOwned>(
        &self,
        operation_id: &'static str,
        request: &Req,
        order_id: Option<&str>,
        options: &CallOptions,
    ) -> Result<T, PayError> {
        let operation = op(operation_id)?;
        let reference = reference_of(order_id)?;
        let body = form::signed_request(request, &self.inner.api_key)?;
        let path = self.path_of(operation);
        let response = self
            .v1_send(operation, path, body, order_id, reference, options)
            .await?;
        self.verified(operation, &response, order_id)?
            .deserialize()
            .map_err(|e| response.decode_error("Result", e))
    }

    /// One V2 call, with one retry on a fresh token after a 401: the 401 invalidates
    /// the very token the failed attempt sent (by generation), so the retry carries a
    /// different one; a second 401 is the answer.
    pub(crate) async fn v2_send(
        &self,
        operation: &'static Operation,
        path: &str,
        query: &[(String, String)],
        body: Option<Vec<u8>>,
        reference: Option<MerchantReference>,
        options: &CallOptions,
    ) -> Result<Response, PayError> {
        let mut retried = false;
        loop {
            let mut request = Request::new(operation, path.to_owned()).options(options);
            for (k, v) in query {
                request = request.query(k.clone(), v.clone());
            }
            if let Some(body) = &body {
                request = request.body(ContentType::Json, body.clone());
            }
            if let Some(reference) = reference.clone() {
                request = request.reference(reference);
            }
            let (result, sent) = crate::token::track(self.inner.v2.send(request)).await;
            match result {
                Err(e) if e.http_status() == Some(401) && !retried => {
                    retried = true;
                    if let Some(generation) = sent {
                        self.inner.tokens.invalidate(generation).await;
                    }
                }
                other => return other,
            }
        }
    }

    /// Validated V2 call of a generated operation.
    pub(crate) async fn v2<T: DeserializeOwned>(
        &self,
        operation_id: &'static str,
        path_params: &[(&str, &str)],
        query: &[(String, String)],
        body: Option<Vec<u8>>,
        order_id: Option<&str>,
        options: &CallOptions,
    ) -> Result<V2Answer<T>, PayError> {
        let operation = op(operation_id)?;
        wire::validate_path(operation_id, path_params)?;
        let mut path = self.path_of(operation).to_owned();
        for (name, value) in path_params {
            path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
        }
        let reference = reference_of(order_id)?;
        let response = self
            .v2_send(operation, &path, query, body, reference, options)
            .await?;
        serde_json::from_slice(response.body()).map_err(|e| response.decode_error("data", e))
    }

    /// The raw-request escape hatch: calls the API directly, still through
    /// authentication, signing, retries for reads, redaction and tracing.
    pub fn raw(&self) -> Raw<'_> {
        Raw { client: self }
    }
}

/// Percent-encodes one path segment.
fn encode_segment(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// ApiError 9 or 10 on a write: the provider said "unavailable", but whether the write
/// was applied is not documented. It is never repeated and is reported ambiguous, to be
/// reconciled by `OrderId`.
fn transient_write(
    operation: &'static Operation,
    err: PayError,
    order_id: Option<&str>,
) -> PayError {
    let transient = err
        .provider_code()
        .and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| V1ApiErrorCode::from(c).is_retryable());
    if operation.idempotent || !transient || !matches!(err.kind(), ErrorKind::ProviderUnavailable) {
        return err;
    }
    let mut out = PayError::new(ErrorKind::AmbiguousOutcome {
        reference: reference_after_send(order_id),
    })
    .with_provider(PROVIDER)
    .with_operation(operation.id);
    if let Some(s) = err.http_status() {
        out = out.with_http_status(s);
    }
    if let Some(c) = err.provider_code() {
        out = out.with_provider_code(c.to_owned());
    }
    if let Some(m) = err.provider_message() {
        out = out.with_provider_message(m.to_owned());
    }
    if let Some(a) = err.attempts() {
        out = out.with_attempts(a);
    }
    out.with_source(err)
}

/// The raw-request escape hatch ([`EasytransacClient::raw`]).
#[derive(Debug)]
pub struct Raw<'a> {
    client: &'a EasytransacClient,
}

impl Raw<'_> {
    /// A V1 call to `path` (e.g. `/api/payment/status`) with form `fields`, signed and
    /// sent with the API key; answers the verified body text. `Signature` in `fields`
    /// is replaced by the computed one.
    ///
    /// # Errors
    /// As any V1 call. When the answer's signature does not verify: `Authentication` for
    /// a [`RawSafety::Read`], `AmbiguousOutcome` (to reconcile by `order_id`) for a
    /// [`RawSafety::Write`].
    pub async fn v1(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        safety: RawSafety,
        order_id: Option<&str>,
        options: &CallOptions,
    ) -> Result<String, PayError> {
        let operation = match safety {
            RawSafety::Read => &RAW_V1_READ,
            RawSafety::Write => &RAW_V1_WRITE,
        };
        let fields = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let body = form::signed_body(fields, &self.client.inner.api_key)?;
        let reference = reference_of(order_id)?;
        let response = self
            .client
            .v1_send(operation, path, body, order_id, reference, options)
            .await?;
        self.client.verified(operation, &response, order_id)?;
        String::from_utf8(response.body().to_vec()).map_err(|e| response.decode_error("body", e))
    }

    /// A V2 call: `GET` (a read) when `body` is `None`, else `POST` of the JSON `body`
    /// text; with the bearer token (one retry with a fresh token after a 401). Answers
    /// the body text of a `success: true` envelope.
    ///
    /// # Errors
    /// As any V2 call.
    pub async fn v2(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&str>,
        safety: RawSafety,
        options: &CallOptions,
    ) -> Result<String, PayError> {
        let operation = match (body.is_some(), safety) {
            (false, _) => &RAW_V2_GET,
            (true, RawSafety::Write) => &RAW_V2_POST,
            (true, RawSafety::Read) => &RAW_V2_POST_READ,
        };
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let response = self
            .client
            .v2_send(
                operation,
                path,
                &query,
                body.map(|b| b.as_bytes().to_vec()),
                None,
                options,
            )
            .await?;
        String::from_utf8(response.body().to_vec()).map_err(|e| response.decode_error("body", e))
    }
}
