//! The contract between the server and a provider fake: [`FakeProvider`], the
//! [`FakeRequest`] it is given, the [`FakeResponse`] it returns, the [`Context`] it may
//! use, and the [`Snapshot`] of its state that tests inspect.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use pay_core::Clock;

use crate::form;
use crate::webhook::{RetrySchedule, Webhooks};

/// A provider fake: a state machine that answers HTTP requests the way the real provider
/// documents, behind a [`FakeServer`](crate::FakeServer).
///
/// The server does the I/O (sockets, HTTP framing, fault injection, the request log,
/// webhook delivery); the provider only decides. [`handle`](Self::handle) is a plain
/// function of the request, the provider's own state and the [`Context`] (clock, webhook
/// outbox), so a provider can be unit-tested without a server: build a [`FakeRequest`],
/// call `handle`, look at the [`FakeResponse`].
///
/// State lives inside the provider behind interior mutability (a `Mutex`), because the
/// server calls it from many connections at once through `&self`.
///
/// ```
/// use pay_testkit::{Context, FakeProvider, FakeRequest, FakeResponse};
///
/// /// Answers every request with 204.
/// #[derive(Debug)]
/// struct Quiet;
///
/// impl FakeProvider for Quiet {
///     fn name(&self) -> &'static str {
///         "quiet"
///     }
///     fn handle(&self, _request: &FakeRequest, _ctx: &Context<'_>) -> FakeResponse {
///         FakeResponse::new(204)
///     }
/// }
///
/// let clock = pay_core::SystemClock;
/// let webhooks = pay_testkit::Webhooks::new(std::sync::Arc::new(clock));
/// let ctx = Context::new(&clock, &webhooks, "http://127.0.0.1:1");
/// let answer = Quiet.handle(&FakeRequest::new("GET", "/anything"), &ctx);
/// assert_eq!(answer.status(), 204);
/// ```
pub trait FakeProvider: Send + Sync + fmt::Debug + 'static {
    /// A short lower-case name (`"easypay"`), used in messages and by the binary.
    fn name(&self) -> &'static str;

    /// The documented operation a request is (the API description's `operationId`, such
    /// as `single_create`), when the provider recognises it. The server records it with
    /// the request and [`Route::operation`](crate::Route::operation) matches on it.
    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        let _ = request;
        None
    }

    /// Answers one request. May change state and queue notifications through
    /// `ctx.webhooks()`. Must not block: it runs on the server's async tasks.
    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse;

    /// The provider's own error answer for `status`, used by injected faults that do not
    /// bring their own body ([`Fault::status`](crate::Fault::status),
    /// [`Fault::RateLimited`](crate::Fault::RateLimited)). The default is a small JSON
    /// document; provider fakes return their provider's documented error shape.
    fn error_response(&self, status: u16) -> FakeResponse {
        FakeResponse::json(
            status,
            format!(r#"{{"error":{{"status":{status},"message":"injected fault"}}}}"#),
        )
    }

    /// The provider's own error answer for `status` on the route of `request`: what the
    /// server uses for injected faults without a body. Providers whose error shape
    /// differs between routes (API generations, say) override it; the default is
    /// [`error_response`](Self::error_response), so a fake that implements only that
    /// keeps its behaviour.
    fn error_response_for(&self, request: &FakeRequest, status: u16) -> FakeResponse {
        let _ = request;
        self.error_response(status)
    }

    /// The current state of every resource (payments, refunds, mandates, payouts,
    /// subscriptions…), for tests to inspect. Empty by default.
    fn snapshot(&self) -> Snapshot {
        Snapshot::new()
    }

    /// Names of headers, form fields and JSON keys that carry secrets in this provider's
    /// API, beyond the defaults (API keys, authorisation, signatures, card data, IBANs).
    /// The request log and snapshots redact them.
    fn sensitive_names(&self) -> &'static [&'static str] {
        &[]
    }

    /// When failed webhook deliveries are tried again, as the provider documents it.
    fn webhook_retries(&self) -> RetrySchedule {
        RetrySchedule::default()
    }
}

impl<P: FakeProvider + ?Sized> FakeProvider for Box<P> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        (**self).operation(request)
    }
    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        (**self).handle(request, ctx)
    }
    fn error_response(&self, status: u16) -> FakeResponse {
        (**self).error_response(status)
    }
    fn error_response_for(&self, request: &FakeRequest, status: u16) -> FakeResponse {
        (**self).error_response_for(request, status)
    }
    fn snapshot(&self) -> Snapshot {
        (**self).snapshot()
    }
    fn sensitive_names(&self) -> &'static [&'static str] {
        (**self).sensitive_names()
    }
    fn webhook_retries(&self) -> RetrySchedule {
        (**self).webhook_retries()
    }
}

/// What a provider may use while answering: the shared clock, the webhook outbox and the
/// server's own base URL (for links such as a hosted payment page).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    clock: &'a dyn Clock,
    webhooks: &'a Webhooks,
    base_url: &'a str,
}

impl<'a> Context<'a> {
    /// A context; the server makes one per request. Provider unit tests make their own.
    pub fn new(clock: &'a dyn Clock, webhooks: &'a Webhooks, base_url: &'a str) -> Self {
        Self {
            clock,
            webhooks,
            base_url,
        }
    }

    /// The current time by the server's clock (a [`pay_core::ManualClock`] in most tests).
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The server's clock.
    pub fn clock(&self) -> &'a dyn Clock {
        self.clock
    }

    /// The outbox to queue notifications in.
    pub fn webhooks(&self) -> &'a Webhooks {
        self.webhooks
    }

    /// The server's base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &'a str {
        self.base_url
    }
}

/// One HTTP request as the provider sees it: method, path, query, headers and the whole
/// body.
///
/// `Debug` shows the method, path, header names and body length only: requests carry API
/// keys, card numbers and IBANs.
#[derive(Clone, PartialEq, Eq)]
pub struct FakeRequest {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl FakeRequest {
    /// A request for `method` (upper-cased) and `target`, the path with an optional
    /// `?query`. Headers and body start empty.
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (target, None),
        };
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The method, upper case (`POST`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path, still percent-encoded, without the query (`/single/abc`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string after `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The query decoded into pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(form::decode).unwrap_or_default()
    }

    /// The first query parameter called `name`, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        first(self.query_pairs(), name)
    }

    /// Every header, in the order received. Names are lower case when they come from
    /// the server.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first header called `name`, compared ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as UTF-8 text, when it is.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The body decoded as an `application/x-www-form-urlencoded` form, in order (empty
    /// when the body is not UTF-8).
    pub fn form(&self) -> Vec<(String, String)> {
        self.body_text().map(form::decode).unwrap_or_default()
    }

    /// The first form field called `name`, decoded.
    pub fn form_field(&self, name: &str) -> Option<String> {
        first(self.form(), name)
    }
}

fn first(pairs: Vec<(String, String)>, name: &str) -> Option<String> {
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

impl fmt::Debug for FakeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("FakeRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("has_query", &self.query.is_some())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A provider's answer: status, headers and body. `Content-Length` is computed by the
/// server (a header of that name set here is dropped).
///
/// `Debug` shows the status, header names and body length only: answers carry tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct FakeResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl FakeResponse {
    /// An answer with `status`, no headers and no body. A status outside 100–999 is a
    /// bug in the provider: the server answers 500 and the test fails when the server is
    /// dropped.
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON answer (`Content-Type: application/json`).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status)
            .with_header("content-type", "application/json")
            .with_body(body)
    }

    /// A form-encoded answer (`Content-Type: application/x-www-form-urlencoded`).
    pub fn form(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(body)
    }

    /// A plain-text answer (`Content-Type: text/plain; charset=utf-8`).
    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status)
            .with_header("content-type", "text/plain; charset=utf-8")
            .with_body(body)
    }

    /// An HTML answer (`Content-Type: text/html; charset=utf-8`).
    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status)
            .with_header("content-type", "text/html; charset=utf-8")
            .with_body(body)
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces every header called `name` (ignoring case) with one of `value`.
    #[must_use]
    pub fn replace_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.with_header(name, value)
    }

    /// Sets the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first header called `name`, compared ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Debug for FakeResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("FakeResponse")
            .field("status", &self.status)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What kind of resource a [`Resource`] is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ResourceKind {
    /// A payment (single, frequent, direct, page…).
    Payment,
    /// A refund.
    Refund,
    /// A capture of an authorisation.
    Capture,
    /// A SEPA direct-debit mandate.
    Mandate,
    /// A payout.
    Payout,
    /// A subscription or instalment plan.
    Subscription,
    /// An access token the fake issued.
    Token,
    /// Anything else, by the provider fake's own name.
    Other(String),
}

/// One resource held by a provider fake: kind, id, the provider's own status value and
/// other facts as text.
///
/// Values are text on purpose: amounts appear exactly as the provider writes them
/// (`"12.50"`, or minor units `"1250"`), never through a floating-point number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    kind: ResourceKind,
    id: String,
    status: String,
    fields: BTreeMap<String, String>,
}

impl Resource {
    /// A resource with no fields yet.
    pub fn new(kind: ResourceKind, id: impl Into<String>, status: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            status: status.into(),
            fields: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) a field.
    #[must_use]
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// The kind.
    pub fn kind(&self) -> &ResourceKind {
        &self.kind
    }

    /// The provider's id for it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The provider's own status value (`"paid"`, `"authorised"`…).
    pub fn status(&self) -> &str {
        &self.status
    }

    /// A field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Every field, sorted by name.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }

    pub(crate) fn fields_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.fields
    }
}

/// The state of a provider fake at one moment: every resource it holds.
///
/// ```
/// use pay_testkit::{Resource, ResourceKind, Snapshot};
///
/// let snapshot = Snapshot::new()
///     .with(Resource::new(ResourceKind::Payment, "p1", "paid").with_field("amount", "12.50"))
///     .with(Resource::new(ResourceKind::Refund, "r1", "done"));
/// assert_eq!(snapshot.payments().count(), 1);
/// let p1 = snapshot.get(&ResourceKind::Payment, "p1").unwrap();
/// assert_eq!(p1.status(), "paid");
/// assert_eq!(p1.field("amount"), Some("12.50"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    resources: Vec<Resource>,
}

impl Snapshot {
    /// An empty snapshot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource.
    #[must_use]
    pub fn with(mut self, resource: Resource) -> Self {
        self.resources.push(resource);
        self
    }

    /// Adds a resource in place.
    pub fn push(&mut self, resource: Resource) {
        self.resources.push(resource);
    }

    /// Every resource, in the order the provider listed them.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// The resources of one kind.
    pub fn of_kind<'s>(&'s self, kind: &'s ResourceKind) -> impl Iterator<Item = &'s Resource> {
        self.resources.iter().filter(move |r| &r.kind == kind)
    }

    /// The payments.
    pub fn payments(&self) -> impl Iterator<Item = &Resource> {
        self.resources
            .iter()
            .filter(|r| r.kind == ResourceKind::Payment)
    }

    /// The resource of `kind` with `id`.
    pub fn get(&self, kind: &ResourceKind, id: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| &r.kind == kind && r.id == id)
    }

    /// How many resources there are.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    pub(crate) fn resources_mut(&mut self) -> &mut [Resource] {
        &mut self.resources
    }
}

/// The first header called `name` in `headers`, compared ignoring case.
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_query_form_and_headers() {
        let request = FakeRequest::new("post", "/api/payment/direct?debug=1&x=a%20b")
            .with_header("Content-Type", "application/x-www-form-urlencoded")
            .with_header("EASYTRANSAC-API-KEY", "k3y-secret")
            .with_body("Amount=1250&CardNumber=4111111111111111&Note=a+b");
        assert_eq!(request.method(), "POST");
        assert_eq!(request.path(), "/api/payment/direct");
        assert_eq!(request.query(), Some("debug=1&x=a%20b"));
        assert_eq!(request.query_param("x").as_deref(), Some("a b"));
        assert_eq!(request.header("easytransac-api-key"), Some("k3y-secret"));
        assert_eq!(request.form_field("Amount").as_deref(), Some("1250"));
        assert_eq!(request.form_field("Note").as_deref(), Some("a b"));
        assert_eq!(request.form_field("Missing"), None);
        assert_eq!(
            request.content_type(),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let request = FakeRequest::new("POST", "/pay?ApiKey=q-secret")
            .with_header("Authorization", "Bearer tok-secret")
            .with_body("CardNumber=4111111111111111&Cvv=123");
        let shown = format!("{request:?}");
        for secret in ["q-secret", "tok-secret", "4111111111111111", "Cvv=123"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("authorization") || shown.contains("Authorization"));

        let response = FakeResponse::json(200, r#"{"token":"jwt-secret"}"#);
        let shown = format!("{response:?}");
        assert!(!shown.contains("jwt-secret"), "{shown}");
        assert!(shown.contains("200"));
    }

    #[test]
    fn responses_replace_headers() {
        let response = FakeResponse::json(201, "{}").replace_header("Content-Type", "text/html");
        assert_eq!(response.header("content-type"), Some("text/html"));
        assert_eq!(response.headers().len(), 1);
        assert_eq!(response.status(), 201);
        assert_eq!(response.body(), b"{}");
    }
}
