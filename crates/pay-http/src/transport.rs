//! [`Transport`] and its builder: the pooled client, the time budget, and the attempt loop
//! that asks [`RetryPolicy::decide`] after every failed attempt.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use pay_core::{
    AttemptOutcome, CallSafety, Clock, ContentType, Decision, ErrorKind, IdempotencyKey,
    JournalEntry, JournalId, MerchantReference, Operation, PayError, ProviderId, Redactor,
    RequestId, RetryPolicy, RetryRules, Settlement, SystemClock, WriteJournal,
};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method as HttpMethod, Url};
use tokio::time::Instant;
use tracing::field::Empty;
use tracing::{Instrument, Level, Span};

use crate::failure::{CallFailure, StopReason};
use crate::hooks::{Answer, Classification, Hooks};
use crate::message::{Request, Response, ResponseMeta};
use crate::pure::{Jitter, fresh_key, kind_for_status, mask_phone_like, parse_advice};
use crate::{parse_retry_after, redacted_body};

/// The one way an adapter sends a request: built once per adapter client, cheap to clone
/// (clones share the pooled connections), and safe to use from many tasks at once.
///
/// [`send`](Self::send) runs the attempt loop: it sends the request, classifies the answer
/// through the adapter's [`Hooks`], asks [`RetryPolicy::decide`] what to do after a failed
/// attempt, waits the backoff it returns (never past the call's deadline), and reports
/// either the answer with its [`ResponseMeta`] or a [`PayError`] carrying the evidence.
///
/// Certificate verification is always on; there is no switch to turn it off. Plain
/// `http://` is accepted only for loopback addresses (tests and local fakes).
///
/// Needs a Tokio runtime with its timer enabled.
pub struct Transport<H> {
    inner: Arc<Inner<H>>,
}

impl<H> Clone for Transport<H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<H> {
    provider: ProviderId,
    base_url: String,
    /// `base_url` parsed once, for [`join_plain_path`].
    base: Url,
    /// The joined URLs of operations whose path has no parameters, by the operation's
    /// path template: the same on every call, so joined once ([`Transport::prepare`]).
    joined: std::sync::RwLock<Vec<(&'static str, Url)>>,
    rules: RetryRules,
    policy: RetryPolicy,
    attempt_timeout: Duration,
    deadline: Duration,
    max_body: usize,
    client: reqwest::Client,
    hooks: H,
    clock: Arc<dyn Clock>,
    redactor: Arc<Redactor>,
    jitter: Jitter,
    names: HeaderNames,
    journal: Option<Arc<dyn WriteJournal>>,
}

/// Response header names the rules and hooks read, parsed once when the transport is built.
struct HeaderNames {
    advice: Option<HeaderName>,
    request_id: Option<HeaderName>,
    replay: Option<HeaderName>,
}

impl HeaderNames {
    fn parse(rules: &RetryRules, hooks: &impl Hooks) -> Result<Self, String> {
        let parse = |name: Option<&'static str>| {
            name.map(|n| {
                HeaderName::from_bytes(n.as_bytes())
                    .map_err(|_| format!("`{n}` is not a header name"))
            })
            .transpose()
        };
        Ok(Self {
            advice: parse(rules.advice_header)?,
            request_id: parse(hooks.request_id_header())?,
            replay: parse(hooks.replay_header())?,
        })
    }
}

impl<H: fmt::Debug> fmt::Debug for Transport<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Transport")
            .field("provider", &i.provider)
            .field("base_url", &i.base_url)
            .field("rules", &i.rules)
            .field("policy", &i.policy)
            .field("attempt_timeout", &i.attempt_timeout)
            .field("deadline", &i.deadline)
            .field("max_body", &i.max_body)
            .field("hooks", &i.hooks)
            .field("journal", &i.journal.is_some())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Transport`]; [`Transport::builder`] starts one.
#[must_use]
pub struct TransportBuilder<H> {
    provider: ProviderId,
    base_url: String,
    hooks: H,
    rules: RetryRules,
    policy: RetryPolicy,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    deadline: Duration,
    max_body: usize,
    user_agent: String,
    client: Option<reqwest::Client>,
    clock: Arc<dyn Clock>,
    redactor: Redactor,
    jitter_seed: Option<u64>,
    journal: Option<Arc<dyn WriteJournal>>,
}

impl<H: fmt::Debug> fmt::Debug for TransportBuilder<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("hooks", &self.hooks)
            .field("rules", &self.rules)
            .field("policy", &self.policy)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("max_body", &self.max_body)
            .field("user_agent", &self.user_agent)
            .field("own_client", &self.client.is_some())
            .field("journal", &self.journal.is_some())
            .finish_non_exhaustive()
    }
}

/// The default largest answer read: 4 MiB.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

impl<H: Hooks> TransportBuilder<H> {
    /// The provider's documented retry rules (the adapter's generated `wire::RETRY_RULES`).
    /// Default: [`RetryRules::GENERIC`].
    pub fn rules(mut self, rules: RetryRules) -> Self {
        self.rules = rules;
        self
    }

    /// The retry policy calls use unless their [`CallOptions`](pay_core::CallOptions)
    /// override it. Default: [`RetryPolicy::default`] (2 retries, 500 ms to 5 s, full
    /// jitter).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long to wait for a TCP (and TLS) connection. Default 10 s. Ignored with
    /// [`client`](Self::client), which brings its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from sending to the end of the answer's body.
    /// Default 30 s.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The whole call's deadline, retries and backoff included, when the call's
    /// [`CallOptions::timeout`](pay_core::CallOptions::timeout) does not set one.
    /// Default 60 s.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The largest answer body read, in bytes ([`DEFAULT_MAX_BODY`] by default). A larger
    /// answer is an error, never an unbounded read.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The `User-Agent` header. Default `pay-http/VERSION`; adapters name themselves.
    /// Ignored with [`client`](Self::client).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses the caller's client (for a proxy or custom root certificates) instead of
    /// building one. Its connect timeout, user agent and TLS settings apply; the
    /// transport's attempt timeout and deadline still bound every call.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The clock `Retry-After` dates are read against. Default: the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The redactor for bodies attached to errors and logged at TRACE. Default:
    /// `Redactor::default()` (pay-core's list, phone-number fields included).
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Seeds the backoff jitter, so tests get the same delays every run. Default: a random
    /// seed.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Records every write in `journal` before sending it and settles the entry when the
    /// answer arrives (reads are not recorded). When the entry cannot be recorded, the
    /// write is not sent: the call fails with [`ErrorKind::JournalUnavailable`]. Default:
    /// no journal.
    pub fn journal(mut self, journal: Arc<dyn WriteJournal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Checks the settings and builds the transport, with one pooled client unless one was
    /// given.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the base URL is not absolute `https://` (or
    /// `http://` to a loopback address), carries credentials, a query or a fragment; when
    /// a timeout or the body limit is zero; or when the client cannot be built.
    pub fn build(self) -> Result<Transport<H>, PayError> {
        let config = |reason: String| {
            PayError::new(ErrorKind::Configuration { reason }).with_provider(self.provider)
        };
        let base_url = check_base_url(&self.base_url).map_err(config)?;
        let base = Url::parse(&base_url)
            .map_err(|err| config(format!("base URL `{base_url}` is not a URL: {err}")))?;
        let names = HeaderNames::parse(&self.rules, &self.hooks).map_err(config)?;
        if self.attempt_timeout.is_zero() || self.deadline.is_zero() || self.max_body == 0 {
            return Err(config(
                "the attempt timeout, the deadline and the body limit must not be zero".to_owned(),
            ));
        }
        let client = match self.client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .tls_backend_rustls()
                .tls_version_min(reqwest::tls::Version::TLS_1_2)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                // A payment API answers; it does not send us elsewhere (and a redirected
                // POST may change method).
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|err| config(format!("cannot build the HTTP client: {err}")))?,
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                provider: self.provider,
                base_url,
                base,
                joined: std::sync::RwLock::new(Vec::new()),
                rules: self.rules,
                policy: self.policy,
                attempt_timeout: self.attempt_timeout,
                deadline: self.deadline,
                max_body: self.max_body,
                client,
                hooks: self.hooks,
                clock: self.clock,
                redactor: Arc::new(self.redactor),
                jitter: Jitter::new(self.jitter_seed.unwrap_or_else(Jitter::random_seed)),
                names,
                journal: self.journal,
            }),
        })
    }
}

/// The base URL without a trailing slash, or why it is refused.
fn check_base_url(text: &str) -> Result<String, String> {
    let url = Url::parse(text).map_err(|err| format!("base URL `{text}` is not a URL: {err}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the base URL must not carry credentials".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the base URL must not carry a query or a fragment".to_owned());
    }
    let host = url.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "base URL `{text}`: plain http is only allowed to loopback addresses"
            ));
        }
        other => return Err(format!("base URL `{text}`: unsupported scheme `{other}`")),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `base` (a checked base URL, parsed) with `path` after its own path, without parsing
/// the whole URL again, when `path` is plain: `/` then letters, digits, `-`, `.`, `_`,
/// `~` and `/`. The URL parser reads such a path the same way whether it sets a path or
/// parses a whole URL (`.` and `..` segments included), so this is the URL that parsing
/// `base_url + path` gives (a property test holds the two together). Any other path
/// (spaces and controls, which a whole parse trims at the end, escapes, non-ASCII)
/// answers `None` and takes the full parse.
fn join_plain_path(base: &Url, path: &str) -> Option<Url> {
    let plain = path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/'));
    if !plain {
        return None;
    }
    // A base without a path prefix has the path `/`, which the joined path replaces.
    let prefix = base.path().trim_end_matches('/');
    let mut url = base.clone();
    if prefix.is_empty() {
        url.set_path(path);
    } else {
        url.set_path(&format!("{prefix}{path}"));
    }
    Some(url)
}

/// Appends the query's pairs to `url`, form-encoded.
fn with_query(url: &mut Url, query: &[(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)]) {
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(name, value)| (&**name, &**value)));
    }
}

impl<H: Hooks> Transport<H> {
    /// Starts a transport for `provider` at `base_url` (with any path prefix, such as
    /// `https://api.example/2.0`), reading answers through `hooks`.
    pub fn builder(
        provider: ProviderId,
        base_url: impl Into<String>,
        hooks: H,
    ) -> TransportBuilder<H> {
        TransportBuilder {
            provider,
            base_url: base_url.into(),
            hooks,
            rules: RetryRules::GENERIC,
            policy: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(60),
            max_body: DEFAULT_MAX_BODY,
            user_agent: concat!("pay-http/", env!("CARGO_PKG_VERSION")).to_owned(),
            client: None,
            clock: Arc::new(SystemClock),
            redactor: Redactor::default(),
            jitter_seed: None,
            journal: None,
        }
    }

    /// The provider.
    pub fn provider(&self) -> ProviderId {
        self.inner.provider
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The provider's hooks.
    pub fn hooks(&self) -> &H {
        &self.inner.hooks
    }

    /// The pooled client every call uses.
    pub fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// Sends one logical call, retrying as [`RetryPolicy::decide`] says within the call's
    /// deadline, and returns the successful answer.
    ///
    /// For an operation with an idempotency header, the key is the caller's
    /// ([`CallOptions::idempotency_key`](pay_core::CallOptions::idempotency_key)) or a
    /// fresh UUID v4 made once for the call, and every attempt sends it. Operations
    /// without the header never send one.
    ///
    /// # Errors
    /// A [`PayError`] with the provider, the operation and the idempotency key (for keyed
    /// calls) always, and, when there was an answer, its HTTP status, the provider's code
    /// and message (from [`Hooks::decode_error`]), request id, replay flag and body
    /// (redacted). Its source is a [`CallFailure`] saying how many attempts were made and
    /// why the transport stopped. The kind follows [`kind_for_status`] unless the hooks
    /// say otherwise; a write that may have been applied without an answer is
    /// [`ErrorKind::AmbiguousOutcome`]; a lost answer to a safe call is
    /// [`ErrorKind::Timeout`] (no answer in time) or
    /// [`ErrorKind::ProviderUnavailable`] (refused, reset, cut short); an unreadable
    /// answer is [`ErrorKind::Decode`]. Before anything is sent:
    /// [`ErrorKind::InvalidRequest`] for a caller's key longer than the provider accepts
    /// or a zero [`CallOptions::timeout`](pay_core::CallOptions::timeout),
    /// [`ErrorKind::Configuration`] for a path that is not `/…` without query.
    pub async fn send(&self, mut request: Request<'_>) -> Result<Response, PayError> {
        let started = Instant::now();
        let inner = &*self.inner;
        let operation = request.operation;
        if request
            .options
            .and_then(|o| o.timeout)
            .is_some_and(|t| t.is_zero())
        {
            return Err(PayError::from(pay_core::ValidationError::new(
                "timeout",
                pay_core::Rule::Minimum {
                    min: "0".to_owned(),
                    inclusive: false,
                },
            ))
            .with_provider(inner.provider)
            .with_operation(operation.id));
        }
        let key = self.key_for(&request)?;
        let safety = operation.safety(key.is_some());
        let span = tracing::info_span!(
            "pay.call",
            provider = inner.provider.as_str(),
            operation = operation.id,
            safety = safety_name(safety),
            attempt = Empty,
            status = Empty,
            latency_ms = Empty,
            replay = Empty,
            decision = Empty,
            request_id = Empty,
        );
        let policy = request
            .options
            .and_then(|o| o.retry)
            .unwrap_or(inner.policy);
        let budget = request
            .options
            .and_then(|o| o.timeout)
            .unwrap_or(inner.deadline);
        let call = Call {
            span: span.clone(),
            operation,
            safety,
            reference: request.reference.take(),
            key,
            started,
            deadline: later(started, budget),
            policy,
        };
        let prepared = match self.prepare(request, call.key.as_ref()) {
            Ok(prepared) => prepared,
            Err(reason) => {
                let err = self.evidence(PayError::new(ErrorKind::Configuration { reason }), &call);
                return Err(err);
            }
        };
        let journal = match (&inner.journal, safety) {
            (Some(journal), CallSafety::IdempotentWrite | CallSafety::UnsafeWrite) => Some(journal),
            _ => None,
        };
        let Some(journal) = journal else {
            return self.run(&call, prepared).instrument(span).await;
        };
        // Recorded before the first byte leaves; when it cannot be, nothing is sent.
        let entry = self.journal_entry(&call, &prepared);
        let id = journal.record(&entry).await.map_err(|err| {
            self.evidence(
                PayError::new(ErrorKind::JournalUnavailable {
                    reason: err.to_string(),
                })
                .with_source(err),
                &call,
            )
        })?;
        let result = self.run(&call, prepared).instrument(span).await;
        self.settle(journal.as_ref(), id, &result).await;
        result
    }

    /// What the journal records of a write: nothing the redactor would not show.
    fn journal_entry(&self, call: &Call, prepared: &Prepared<'_>) -> JournalEntry {
        let inner = &*self.inner;
        let summary = prepared
            .body
            .as_ref()
            .map(|body| redacted_body(&inner.redactor, prepared.content_type.as_ref(), body));
        JournalEntry::new(
            inner.provider,
            call.operation.id,
            call.operation.method,
            prepared.path.as_ref(),
            inner.clock.now(),
        )
        .with_reference(call.reference.clone())
        .with_idempotency_key(call.key.clone())
        .with_summary(summary)
    }

    /// Settles a journal entry with the call's result. A journal that cannot be written
    /// now does not change the result (the write happened or not regardless); the entry
    /// stays `pending` for recovery.
    async fn settle(
        &self,
        journal: &dyn WriteJournal,
        id: JournalId,
        result: &Result<Response, PayError>,
    ) {
        let settlement = match result {
            Ok(response) => Settlement::Succeeded {
                status: response.meta.status,
                request_id: response.meta.request_id.clone(),
                answer: redacted_body(
                    &self.inner.redactor,
                    response.headers.get(CONTENT_TYPE),
                    &response.body,
                ),
            },
            Err(err) => Settlement::of_error(err),
        };
        if let Err(err) = journal.settle(id, &settlement).await {
            tracing::warn!(
                journal_id = id.get(),
                state = settlement.state(),
                error = %err,
                "pay.journal.settle_failed"
            );
        }
    }

    /// The call's idempotency key, when the operation takes one.
    fn key_for(&self, request: &Request<'_>) -> Result<Option<IdempotencyKey>, PayError> {
        let operation = request.operation;
        let Some(header) = operation.idempotency_header else {
            return Ok(None);
        };
        let evidence = |err: PayError| {
            err.with_provider(self.inner.provider)
                .with_operation(operation.id)
        };
        match request.options.and_then(|o| o.idempotency_key.as_ref()) {
            Some(key) => match key.check_max_len(header.max_length) {
                Ok(()) => Ok(Some(key.clone())),
                Err(invalid) => {
                    Err(evidence(PayError::from(invalid)).with_idempotency_key(key.clone()))
                }
            },
            None => fresh_key(uuid::Uuid::new_v4(), header.max_length)
                .map(Some)
                .map_err(|reason| evidence(PayError::new(ErrorKind::Configuration { reason }))),
        }
    }

    /// Everything every attempt sends, built and checked once.
    fn prepare<'a>(
        &self,
        request: Request<'a>,
        key: Option<&IdempotencyKey>,
    ) -> Result<Prepared<'a>, String> {
        let path = &*request.path;
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(format!(
                "request path `{path}` must start with `/` and carry no query or fragment"
            ));
        }
        let key = match (request.operation.idempotency_header, key) {
            (Some(header), Some(key)) => {
                let name = HeaderName::from_bytes(header.name.as_bytes())
                    .map_err(|_| format!("`{}` is not a header name", header.name))?;
                let value = HeaderValue::from_str(key.as_str())
                    .map_err(|_| "the idempotency key is not a header value".to_owned())?;
                Some((name, value))
            }
            _ => None,
        };
        let (content_type, body) = match request.body {
            Some((content_type, body)) => (Some(content_type_value(content_type)), Some(body)),
            None => (None, None),
        };
        let template = request.operation.path;
        let fixed_path = request.operation.path_params.is_empty() && *request.path == *template;
        let mut prepared = Prepared {
            method: http_method(request.operation.method),
            url: None,
            path: request.path,
            query: request.query,
            fixed: request.headers,
            content_type,
            key,
            body,
        };
        prepared.url = Some(if fixed_path {
            self.fixed_url(template, &prepared)?
        } else {
            self.url(&prepared)?
        });
        Ok(prepared)
    }

    /// [`Transport::url`] of a path without parameters (`template` itself): joined once
    /// and kept, as the path is the same on every call. At most 256 templates are kept
    /// (more than any provider's description has operations); beyond that, each call
    /// joins its own.
    fn fixed_url(&self, template: &'static str, prepared: &Prepared<'_>) -> Result<Url, String> {
        const MAX_JOINED: usize = 256;
        let is_template = |(path, _): &&(&'static str, Url)| std::ptr::eq(*path, template);
        // Every call reads the list, the first of each template writes it. A poisoned
        // lock only means a panic elsewhere while it was held: the list itself is always
        // whole (each change is one push).
        let found = self
            .inner
            .joined
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(is_template)
            .map(|(_, url)| url.clone());
        let mut url = match found {
            Some(url) => url,
            None => {
                let url = self.join(template)?;
                let mut joined = self
                    .inner
                    .joined
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if joined.len() < MAX_JOINED && !joined.iter().any(|kept| is_template(&kept)) {
                    joined.push((template, url.clone()));
                }
                url
            }
        };
        with_query(&mut url, &prepared.query);
        Ok(url)
    }

    /// The attempt's URL: base URL, path and query.
    fn url(&self, prepared: &Prepared<'_>) -> Result<Url, String> {
        let mut url = self.join(&prepared.path)?;
        with_query(&mut url, &prepared.query);
        Ok(url)
    }

    /// The base URL and `path` joined, without a heap buffer when they are short.
    fn join(&self, path: &str) -> Result<Url, String> {
        if let Some(url) = join_plain_path(&self.inner.base, path) {
            return Ok(url);
        }
        let base = self.inner.base_url.as_bytes();
        let bytes = path.as_bytes();
        let mut buffer = [0u8; 512];
        let joined = base.len() + bytes.len();
        let parsed = match buffer.get_mut(..joined) {
            Some(slot) => {
                slot[..base.len()].copy_from_slice(base);
                slot[base.len()..].copy_from_slice(bytes);
                match std::str::from_utf8(slot) {
                    Ok(text) => Url::parse(text),
                    Err(_) => Url::parse(&format!("{}{path}", self.inner.base_url)),
                }
            }
            None => Url::parse(&format!("{}{path}", self.inner.base_url)),
        };
        parsed.map_err(|err| format!("request path `{path}` does not make a URL: {err}"))
    }

    async fn run(&self, call: &Call, mut prepared: Prepared<'_>) -> Result<Response, PayError> {
        let inner = &*self.inner;
        let span = &call.span;
        let mut attempt = 1u32;
        loop {
            span.record("attempt", attempt);
            let now = Instant::now();
            let until = call.deadline.min(later(now, inner.attempt_timeout));
            let result = if until <= now {
                Attempt::Lost {
                    timed_out: true,
                    cause: None,
                }
            } else {
                tokio::time::timeout_at(until, self.attempt(call, &mut prepared, attempt))
                    .await
                    .unwrap_or(Attempt::Lost {
                        timed_out: true,
                        cause: None,
                    })
            };
            let (outcome, last) = match result {
                Attempt::Answered(received) => {
                    let advice = inner
                        .names
                        .advice
                        .as_ref()
                        .and_then(|name| received.headers.get(name))
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_advice);
                    let answer = Answer {
                        status: received.status,
                        headers: &received.headers,
                        body: &received.body,
                        advice,
                    };
                    let classification = inner.hooks.classify(call.operation, &answer);
                    self.trace_body(&received);
                    // `None`: unreadable, at that location.
                    let (should_retry, unreadable) = match classification {
                        Classification::Success => {
                            return Ok(self.success(call, received, attempt));
                        }
                        Classification::Failure { should_retry } => (should_retry, None),
                        Classification::Unreadable { location } => (None, Some(location)),
                    };
                    let retry_after = received
                        .headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, inner.clock.now()));
                    let outcome = match unreadable {
                        None => AttemptOutcome::Answered {
                            status: received.status,
                            should_retry,
                            retry_after,
                        },
                        Some(_) => AttemptOutcome::NoAnswer,
                    };
                    (
                        outcome,
                        Last::Answered {
                            received,
                            retry_after,
                            unreadable,
                        },
                    )
                }
                Attempt::NotSent(cause) => (AttemptOutcome::NotSent, Last::NotSent(cause)),
                Attempt::Lost { timed_out, cause } => {
                    (AttemptOutcome::NoAnswer, Last::Lost { timed_out, cause })
                }
                Attempt::Fatal(fatal) => {
                    self.attempt_event(attempt, call, None, "fatal", fatal.status());
                    return Err(self.failure(call, Last::Fatal(fatal), StopReason::Fatal, attempt));
                }
            };
            let decision = call.policy.decide(
                &inner.rules,
                call.operation.method,
                call.safety,
                attempt,
                outcome,
                inner.jitter.next(),
            );
            let stop = match decision {
                Decision::Retry { after } => {
                    if later(Instant::now(), after) >= call.deadline {
                        Some(StopReason::Deadline)
                    } else {
                        self.attempt_event(attempt, call, Some(&outcome), "retry", last.status());
                        tokio::time::sleep(after).await;
                        None
                    }
                }
                Decision::GiveUp => Some(StopReason::GaveUp),
                Decision::Ambiguous => Some(StopReason::Ambiguous),
            };
            if let Some(reason) = stop {
                self.attempt_event(
                    attempt,
                    call,
                    Some(&outcome),
                    reason.as_str(),
                    last.status(),
                );
                return Err(self.failure(call, last, reason, attempt));
            }
            attempt += 1;
        }
    }

    /// One attempt: authorise, send, read the whole answer within the size limit.
    async fn attempt(&self, call: &Call, prepared: &mut Prepared<'_>, attempt: u32) -> Attempt {
        let inner = &*self.inner;
        // The first attempt takes the URL built when the call was prepared; a retry builds
        // it again (which succeeded once), so a call that succeeds at once copies nothing.
        let url = match prepared.url.take() {
            Some(url) => url,
            None => match self.url(prepared) {
                Ok(url) => url,
                Err(reason) => {
                    return Attempt::Fatal(Fatal::Refused(PayError::new(
                        ErrorKind::Configuration { reason },
                    )));
                }
            },
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &prepared.fixed {
            headers.append(name.clone(), value.clone());
        }
        if let Some(content_type) = &prepared.content_type {
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        if let Some((name, value)) = &prepared.key {
            headers.insert(name.clone(), value.clone());
        }
        if let Err(err) = inner
            .hooks
            .authorize(call.operation, attempt, &mut headers)
            .await
        {
            return Attempt::Fatal(Fatal::Refused(err));
        }
        let mut request = reqwest::Request::new(prepared.method.clone(), url);
        *request.headers_mut() = headers;
        if let Some(body) = &prepared.body {
            *request.body_mut() = Some(body.clone().into());
        }
        let mut response = match inner.client.execute(request).await {
            Ok(response) => response,
            Err(err) if err.is_connect() => return Attempt::NotSent(err.without_url()),
            Err(err) if err.is_builder() => {
                return Attempt::Fatal(Fatal::Refused(
                    PayError::new(ErrorKind::Configuration {
                        reason: "the request could not be built".to_owned(),
                    })
                    .with_source(err.without_url()),
                ));
            }
            Err(err) => {
                return Attempt::Lost {
                    timed_out: err.is_timeout(),
                    cause: Some(err.without_url()),
                };
            }
        };
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        match read_body(response, inner.max_body).await {
            Ok(body) => Attempt::Answered(Received {
                status,
                headers,
                body,
            }),
            Err(BodyError::TooLarge) => Attempt::Fatal(Fatal::TooLarge { status, headers }),
            Err(BodyError::Read(err)) => Attempt::Lost {
                timed_out: err.is_timeout(),
                cause: Some(err.without_url()),
            },
        }
    }

    fn success(&self, call: &Call, received: Received, attempts: u32) -> Response {
        let inner = &*self.inner;
        let latency = call.started.elapsed();
        let request_id = self.request_id(&received.headers);
        let replayed = self.replayed(&received.headers);
        let span = &call.span;
        span.record("status", received.status);
        span.record("latency_ms", millis(latency));
        span.record("replay", replayed);
        span.record("decision", "success");
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        tracing::debug!(
            attempt = attempts,
            outcome = "answered",
            status = received.status,
            decision = "success",
            "pay.attempt"
        );
        Response {
            headers: received.headers,
            body: received.body,
            meta: ResponseMeta {
                status: received.status,
                attempts,
                latency,
                request_id,
                idempotency_key: call.key.clone(),
                replayed,
            },
            provider: inner.provider,
            operation: call.operation.id,
            redactor: inner.redactor.clone(),
        }
    }

    /// The error for a call that stopped after `attempts` attempts, the last being `last`.
    fn failure(&self, call: &Call, last: Last, reason: StopReason, attempts: u32) -> PayError {
        let inner = &*self.inner;
        let elapsed = call.started.elapsed();
        let ambiguous = || ErrorKind::AmbiguousOutcome {
            reference: call.reference.clone(),
        };
        let (err, cause) = match last {
            Last::NotSent(cause) => (PayError::new(ErrorKind::ProviderUnavailable), Some(cause)),
            Last::Lost { timed_out, cause } => {
                let kind = if reason == StopReason::Ambiguous {
                    ambiguous()
                } else if timed_out {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::ProviderUnavailable
                };
                (PayError::new(kind), cause)
            }
            Last::Answered {
                received,
                retry_after,
                unreadable,
            } => {
                let answer = Answer {
                    status: received.status,
                    headers: &received.headers,
                    body: &received.body,
                    advice: None,
                };
                let details = inner.hooks.decode_error(call.operation, &answer);
                let kind = if reason == StopReason::Ambiguous {
                    ambiguous()
                } else if let Some(location) = unreadable {
                    ErrorKind::Decode { location }
                } else {
                    details
                        .kind
                        .unwrap_or_else(|| kind_for_status(received.status, retry_after))
                };
                let mut err = self
                    .answered(call, PayError::new(kind), &received.headers)
                    .with_http_status(received.status)
                    .with_body(redacted_body(
                        &inner.redactor,
                        received.headers.get(CONTENT_TYPE),
                        &received.body,
                    ));
                if let Some(code) = details.code {
                    err = err.with_provider_code(code);
                }
                if let Some(message) = details.message {
                    // Whatever its shape (hooks may pass a whole body), by key and by pattern.
                    err = err.with_provider_message(inner.redactor.any(&message).as_str());
                }
                (err, None)
            }
            Last::Fatal(Fatal::TooLarge { status, headers }) => {
                let err = PayError::new(ErrorKind::Decode {
                    location: "body".to_owned(),
                })
                .with_provider_message(format!(
                    "the answer's body is larger than the limit of {} bytes",
                    inner.max_body
                ))
                .with_http_status(status);
                (self.answered(call, err, &headers), None)
            }
            Last::Fatal(Fatal::Refused(err)) => {
                let span = &call.span;
                span.record("latency_ms", millis(elapsed));
                span.record("decision", reason.as_str());
                return self.evidence(err, call);
            }
        };
        let span = &call.span;
        if let Some(status) = err.http_status() {
            span.record("status", status);
        }
        span.record("latency_ms", millis(elapsed));
        span.record("replay", err.is_replayed());
        span.record("decision", reason.as_str());
        self.evidence(err, call)
            .with_attempts(attempts)
            .with_source(CallFailure {
                attempts,
                elapsed,
                reason,
                cause,
            })
    }

    /// Adds the request id and replay flag of an answer.
    fn answered(&self, call: &Call, mut err: PayError, headers: &HeaderMap) -> PayError {
        if let Some(id) = self.request_id(headers) {
            call.span.record("request_id", id.as_str());
            err = err.with_request_id(id);
        }
        err.with_replayed(self.replayed(headers))
    }

    /// Adds the provider, operation and idempotency key.
    fn evidence(&self, err: PayError, call: &Call) -> PayError {
        let err = err
            .with_provider(self.inner.provider)
            .with_operation(call.operation.id);
        match &call.key {
            Some(key) => err.with_idempotency_key(key.clone()),
            None => err,
        }
    }

    fn request_id(&self, headers: &HeaderMap) -> Option<RequestId> {
        let name = self.inner.names.request_id.as_ref()?;
        let value = headers.get(name)?.to_str().ok()?;
        RequestId::new(value).ok()
    }

    fn replayed(&self, headers: &HeaderMap) -> bool {
        self.inner
            .names
            .replay
            .as_ref()
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// At TRACE only: the answer's body, redacted, with phone-like runs masked too.
    fn trace_body(&self, received: &Received) {
        if tracing::enabled!(Level::TRACE) {
            let redacted = redacted_body(
                &self.inner.redactor,
                received.headers.get(CONTENT_TYPE),
                &received.body,
            );
            tracing::trace!(
                status = received.status,
                body = %mask_phone_like(redacted.as_str()),
                "pay.answer"
            );
        }
    }

    fn attempt_event(
        &self,
        attempt: u32,
        call: &Call,
        outcome: Option<&AttemptOutcome>,
        decision: &'static str,
        status: Option<u16>,
    ) {
        let outcome = match outcome {
            Some(AttemptOutcome::NotSent) => "not_sent",
            Some(AttemptOutcome::NoAnswer) => "no_answer",
            Some(AttemptOutcome::Answered { .. }) => "answered",
            Some(_) | None => "stopped",
        };
        tracing::debug!(
            attempt,
            outcome,
            status,
            decision,
            elapsed_ms = millis(call.started.elapsed()),
            "pay.attempt"
        );
    }
}

/// The per-call facts the loop and the error builder share.
struct Call {
    span: Span,
    operation: &'static Operation,
    safety: CallSafety,
    reference: Option<MerchantReference>,
    key: Option<IdempotencyKey>,
    started: Instant,
    deadline: Instant,
    policy: RetryPolicy,
}

/// What every attempt sends: built once per call.
struct Prepared<'a> {
    method: HttpMethod,
    /// The URL for the next attempt, when built already.
    url: Option<Url>,
    path: std::borrow::Cow<'a, str>,
    query: Vec<(std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    /// The request's fixed headers (a signature).
    fixed: HeaderMap,
    content_type: Option<HeaderValue>,
    key: Option<(HeaderName, HeaderValue)>,
    body: Option<Bytes>,
}

struct Received {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

enum Attempt {
    /// Certainly never reached the server (refused, DNS, connect timeout).
    NotSent(reqwest::Error),
    /// May have reached it; no (whole) answer.
    Lost {
        timed_out: bool,
        cause: Option<reqwest::Error>,
    },
    Answered(Received),
    Fatal(Fatal),
}

enum Fatal {
    TooLarge { status: u16, headers: HeaderMap },
    Refused(PayError),
}

impl Fatal {
    fn status(&self) -> Option<u16> {
        match self {
            Fatal::TooLarge { status, .. } => Some(*status),
            Fatal::Refused(err) => err.http_status(),
        }
    }
}

/// The last attempt, kept to build the error.
enum Last {
    NotSent(reqwest::Error),
    Lost {
        timed_out: bool,
        cause: Option<reqwest::Error>,
    },
    Answered {
        received: Received,
        retry_after: Option<Duration>,
        unreadable: Option<String>,
    },
    Fatal(Fatal),
}

impl Last {
    fn status(&self) -> Option<u16> {
        match self {
            Last::Answered { received, .. } => Some(received.status),
            Last::Fatal(fatal) => fatal.status(),
            Last::NotSent(_) | Last::Lost { .. } => None,
        }
    }
}

enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

/// Reads the whole body, refusing more than `max` bytes. A body that arrives in one chunk
/// is kept as it is; otherwise the chunks are copied once into one buffer.
async fn read_body(mut response: reqwest::Response, max: usize) -> Result<Bytes, BodyError> {
    let declared = response.content_length();
    if declared.is_some_and(|len| len > max as u64) {
        return Err(BodyError::TooLarge);
    }
    let Some(first) = response.chunk().await.map_err(BodyError::Read)? else {
        return Ok(Bytes::new());
    };
    if first.len() > max {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(BodyError::Read)? else {
        return Ok(first);
    };
    let hint = declared
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(first.len() + second.len());
    let mut buffer = BytesMut::with_capacity(hint.min(max));
    buffer.extend_from_slice(&first);
    buffer.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if buffer.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        buffer.extend_from_slice(&chunk);
    }
    if buffer.len() > max {
        return Err(BodyError::TooLarge);
    }
    Ok(buffer.freeze())
}

fn http_method(method: pay_core::Method) -> HttpMethod {
    match method {
        pay_core::Method::Get => HttpMethod::GET,
        pay_core::Method::Post => HttpMethod::POST,
        pay_core::Method::Put => HttpMethod::PUT,
        pay_core::Method::Patch => HttpMethod::PATCH,
        pay_core::Method::Delete => HttpMethod::DELETE,
        // `Method` is non-exhaustive; a future method is sent under its own name.
        other => HttpMethod::from_bytes(other.as_str().as_bytes()).unwrap_or(HttpMethod::GET),
    }
}

/// The `Content-Type` value of a body, without validating the text again on every call.
fn content_type_value(content_type: ContentType) -> HeaderValue {
    const JSON: HeaderValue = HeaderValue::from_static("application/json");
    const FORM: HeaderValue = HeaderValue::from_static("application/x-www-form-urlencoded");
    match content_type {
        ContentType::Json => JSON,
        ContentType::Form => FORM,
        other => HeaderValue::from_static(other.mime()),
    }
}

fn safety_name(safety: CallSafety) -> &'static str {
    match safety {
        CallSafety::Read => "read",
        CallSafety::IdempotentWrite => "idempotent_write",
        CallSafety::UnsafeWrite => "unsafe_write",
        _ => "unknown",
    }
}

/// `from + by`, or thirty years from `from` when that overflows (a deadline of
/// `Duration::MAX` means "none").
fn later(from: Instant, by: Duration) -> Instant {
    from.checked_add(by)
        .unwrap_or_else(|| from + Duration::from_secs(30 * 365 * 24 * 60 * 60))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://api.example/2.0/").unwrap(),
            "https://api.example/2.0"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(check_base_url("http://localhost:1/x").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        assert!(
            check_base_url("http://api.example")
                .unwrap_err()
                .contains("loopback")
        );
        assert!(
            check_base_url("ftp://127.0.0.1")
                .unwrap_err()
                .contains("scheme")
        );
        assert!(
            check_base_url("https://user:pw@api.example")
                .unwrap_err()
                .contains("credentials")
        );
        // A user name alone, or a password alone, is a credential too.
        for base in ["https://user@api.example", "https://:pw@api.example"] {
            assert!(
                check_base_url(base).unwrap_err().contains("credentials"),
                "{base}"
            );
        }
        assert!(check_base_url("https://api.example/?a=1").is_err());
        assert!(check_base_url("https://api.example/#top").is_err());
        assert!(check_base_url("api.example").is_err());
    }

    #[test]
    fn plain_paths_join_the_parsed_base() {
        let joined = |base: &str, path: &str| {
            let base = Url::parse(&check_base_url(base).unwrap()).unwrap();
            join_plain_path(&base, path).map(String::from)
        };
        assert_eq!(
            joined("http://127.0.0.1:8080/", "/api/payment/direct").as_deref(),
            Some("http://127.0.0.1:8080/api/payment/direct")
        );
        assert_eq!(
            joined("https://api.example/2.0/", "/single/5a-b_c~d.e").as_deref(),
            Some("https://api.example/2.0/single/5a-b_c~d.e")
        );
        assert_eq!(
            joined("https://api.example/a%20b", "/x").as_deref(),
            Some("https://api.example/a%20b/x")
        );
        // Dot segments resolve as a whole parse resolves them, the prefix included.
        assert_eq!(
            joined("https://api.example/2.0", "/a/./b/../c").as_deref(),
            Some("https://api.example/2.0/a/c")
        );
        assert_eq!(
            joined("https://api.example/2.0", "/../x").as_deref(),
            Some("https://api.example/x")
        );
        for path in ["x", "/a b", "/a ", "/a%2F", "/caf\u{e9}", "/a\\b", "/a\tb"] {
            assert_eq!(joined("https://api.example", path), None, "{path:?}");
        }
    }

    proptest::proptest! {
        /// A plain path gives the URL the full parse of base and path gives.
        #[test]
        fn a_joined_path_is_the_parsed_url(
            base in proptest::sample::select(vec![
                "http://127.0.0.1:8080",
                "http://localhost:1/",
                "https://api.example/2.0",
                "https://api.example/2.0//",
                "https://API.example:443/v%201/x",
                "http://[::1]:9/p.q",
            ]),
            path in "/[a-zA-Z0-9._~/ %?#\\-]{0,24}",
        ) {
            let base_url = check_base_url(base).unwrap();
            let parsed = Url::parse(&base_url).unwrap();
            if let Some(url) = join_plain_path(&parsed, &path) {
                proptest::prop_assert_eq!(Some(url), Url::parse(&format!("{base_url}{path}")).ok());
            }
        }
    }

    #[test]
    fn fixed_paths_are_joined_once_and_queries_added_per_call() {
        static ENTRIES: Operation = Operation::new("entry", pay_core::Method::Post, "/entries");
        static ENTRY: Operation = Operation::new("entry", pay_core::Method::Post, "/entries/{id}");
        let transport = Transport::builder(
            ProviderId::new("ledger"),
            "http://127.0.0.1:9/api/",
            crate::PlainHooks,
        )
        .build()
        .unwrap();
        let url = |request: Request<'static>| {
            transport
                .prepare(request, None)
                .unwrap()
                .url
                .map(String::from)
        };
        let joined = || transport.inner.joined.read().unwrap().len();
        let plain = "http://127.0.0.1:9/api/entries";
        assert_eq!(
            url(Request::new(&ENTRIES, "/entries")).as_deref(),
            Some(plain)
        );
        assert_eq!(joined(), 1);
        // A query is added to a copy: the kept URL stays without it.
        assert_eq!(
            url(Request::new(&ENTRIES, "/entries").query("q", "a b&c")).as_deref(),
            Some("http://127.0.0.1:9/api/entries?q=a+b%26c")
        );
        assert_eq!(
            url(Request::new(&ENTRIES, "/entries")).as_deref(),
            Some(plain)
        );
        assert_eq!(joined(), 1);
        // A path other than the template (a parameter filled in) is joined per call.
        assert_eq!(
            url(Request::new(&ENTRY, "/entries/7")).as_deref(),
            Some("http://127.0.0.1:9/api/entries/7")
        );
        assert_eq!(
            url(Request::new(&ENTRIES, "/entries/../other")).as_deref(),
            Some("http://127.0.0.1:9/api/other")
        );
        assert_eq!(joined(), 1);
        // At most 256 templates are kept; the others are joined per call, as well.
        for i in 0..300 {
            let path: &'static str = Box::leak(format!("/many/{i}").into_boxed_str());
            let operation: &'static Operation = Box::leak(Box::new(Operation::new(
                "many",
                pay_core::Method::Get,
                path,
            )));
            assert_eq!(
                url(Request::new(operation, path)),
                Some(format!("http://127.0.0.1:9/api/many/{i}"))
            );
        }
        assert_eq!(joined(), 256);
    }

    #[test]
    fn huge_durations_do_not_overflow() {
        let now = Instant::now();
        assert!(later(now, Duration::MAX) > later(now, Duration::from_secs(3600)));
        // "None" is thirty years of 365 days.
        assert_eq!(
            later(now, Duration::MAX) - now,
            Duration::from_secs(30 * 365 * 86_400)
        );
        assert_eq!(
            later(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
    }

    #[test]
    fn methods_and_names() {
        assert_eq!(http_method(pay_core::Method::Patch), HttpMethod::PATCH);
        assert_eq!(safety_name(CallSafety::IdempotentWrite), "idempotent_write");
        assert_eq!(millis(Duration::from_micros(2500)), 2);
    }
}
