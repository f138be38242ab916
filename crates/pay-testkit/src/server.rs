//! [`FakeServer`]: a provider fake served over HTTP/1.1 on a loopback port, with the
//! request log, fault injection, the shared clock and the webhook outbox.

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, TRANSFER_ENCODING};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pay_core::{Clock, SystemClock};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::body::WholeBody;
use crate::fault::{Fault, Faults};
use crate::inspect::{RecordedRequest, Redaction};
use crate::provider::{Context, FakeProvider, FakeRequest, FakeResponse, Snapshot};
use crate::webhook::{RetrySchedule, Webhooks};

/// A provider fake served on `127.0.0.1`.
///
/// Start one per test with [`FakeServer::start`] (or [`FakeServer::builder`] to share a
/// manual clock), point the client under test at [`base_url`](Self::base_url), then
/// inspect what it received ([`requests`](Self::requests)), the fake's state
/// ([`snapshot`](Self::snapshot) or [`provider`](Self::provider)), script faults
/// ([`faults`](Self::faults)) and deliver webhooks ([`webhooks`](Self::webhooks)).
///
/// The server runs on the Tokio runtime that started it, so clients in the same test must
/// be async (or the test must use the multi-threaded runtime).
///
/// Dropping the server stops it and closes every connection, hanging ones included. If
/// the provider panicked or misbehaved while answering (the client then got a 500), the
/// drop panics so the test fails; [`shutdown`](Self::shutdown) reports the same as an
/// error instead.
pub struct FakeServer<P: FakeProvider> {
    provider: Arc<P>,
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl<P: FakeProvider> fmt::Debug for FakeServer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("provider", &self.provider.name())
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`FakeServer`], then [`start`](Self::start).
#[derive(Debug, Clone)]
#[must_use]
pub struct FakeServerBuilder {
    clock: Arc<dyn Clock>,
    port: u16,
    webhook_retries: Option<RetrySchedule>,
    webhook_timeout: Duration,
    automatic_webhooks: bool,
    redact: Vec<String>,
    max_body: usize,
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            port: 0,
            webhook_retries: None,
            webhook_timeout: Duration::from_secs(5),
            automatic_webhooks: false,
            redact: Vec::new(),
            max_body: 4 * 1024 * 1024,
        }
    }
}

impl FakeServerBuilder {
    /// The clock the fake reads (timestamps, token expiry, schedules, webhook retries).
    /// Pass a clone of the [`pay_core::ManualClock`] the code under test uses. The
    /// default is the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// As [`clock`](Self::clock), for a clock already behind an `Arc`.
    pub fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Listens on this port of 127.0.0.1 instead of one the system picks. For the
    /// binary; tests should keep the default (port 0) so they can run in parallel.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Overrides the provider's webhook retry schedule.
    pub fn webhook_retries(mut self, retries: RetrySchedule) -> Self {
        self.webhook_retries = Some(retries);
        self
    }

    /// The real-time limit of one webhook delivery attempt (5 s by default).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// Delivers webhooks as soon as they are due, in the background, instead of waiting
    /// for [`Webhooks::deliver_now`] or [`Webhooks::deliver_due`].
    pub fn automatic_webhooks(mut self) -> Self {
        self.automatic_webhooks = true;
        self
    }

    /// Also redacts this header, form field or JSON key in the request log.
    pub fn redact(mut self, name: &str) -> Self {
        self.redact.push(name.to_owned());
        self
    }

    /// The largest request body accepted (4 MiB by default); larger ones get 413.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Binds 127.0.0.1 and starts serving `provider` on the current Tokio runtime.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start<P: FakeProvider>(self, provider: P) -> io::Result<FakeServer<P>> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await?;
        let addr = listener.local_addr()?;
        let provider = Arc::new(provider);
        let dyn_provider: Arc<dyn FakeProvider> = provider.clone();
        let webhooks = Webhooks::new(self.clock.clone());
        webhooks.set_retries(
            self.webhook_retries
                .unwrap_or_else(|| provider.webhook_retries()),
        );
        webhooks.set_timeout(self.webhook_timeout);
        if self.automatic_webhooks {
            webhooks.set_automatic(true);
        }
        let redaction = Redaction::new(
            provider
                .sensitive_names()
                .iter()
                .copied()
                .chain(self.redact.iter().map(String::as_str)),
        );
        let shared = Arc::new(Shared {
            provider: dyn_provider,
            clock: self.clock,
            redaction,
            log: Mutex::new(Vec::new()),
            next_seq: AtomicU64::new(1),
            faults: Faults::new(),
            webhooks,
            problems: Mutex::new(Vec::new()),
            base_url: format!("http://{addr}"),
            max_body: self.max_body,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Ok(FakeServer {
            provider,
            shared,
            addr,
            stop,
            task: Some(task),
        })
    }
}

impl<P: FakeProvider> FakeServer<P> {
    /// Starts `provider` on `127.0.0.1:0` with the system clock.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn start(provider: P) -> io::Result<Self> {
        FakeServerBuilder::default().start(provider).await
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// `base_url` followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shared.base_url)
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The provider fake, for typed access to its state.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The clock the server reads.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.shared.clock.clone()
    }

    /// Every request received so far, in arrival order, redacted.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// The provider's state now, with secret fields redacted.
    pub fn snapshot(&self) -> Snapshot {
        self.shared
            .redaction
            .snapshot(self.shared.provider.snapshot())
    }

    /// The fault scripts.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The webhook outbox.
    pub fn webhooks(&self) -> &Webhooks {
        &self.shared.webhooks
    }

    /// What went wrong inside the server so far: provider panics, invalid answers.
    pub fn problems(&self) -> Vec<String> {
        lock(&self.shared.problems).clone()
    }

    /// Stops the server, closes every connection and reports what went wrong inside it.
    ///
    /// # Errors
    /// [`ServerProblems`] when the provider panicked or gave an invalid answer, or the
    /// server task died.
    pub async fn shutdown(mut self) -> Result<(), ServerProblems> {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take()
            && let Err(err) = task.await
            && err.is_panic()
        {
            lock(&self.shared.problems).push(format!(
                "the server task panicked: {}",
                panic_message(err.into_panic().as_ref())
            ));
        }
        self.shared.webhooks.set_automatic(false);
        let problems = std::mem::take(&mut *lock(&self.shared.problems));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ServerProblems(problems))
        }
    }
}

impl FakeServer<Box<dyn FakeProvider>> {
    /// Settings (a shared clock, a fixed port, webhook behaviour), then
    /// [`start`](FakeServerBuilder::start) with any provider.
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }
}

impl<P: FakeProvider> Drop for FakeServer<P> {
    fn drop(&mut self) {
        let Some(task) = self.task.take() else {
            return;
        };
        // Whether the task died is read before the stop signal: on a multi-threaded
        // runtime the task may see the signal and finish before the check.
        let died = task.is_finished();
        let _ = self.stop.send(true);
        task.abort();
        self.shared.webhooks.set_automatic(false);
        let mut problems = std::mem::take(&mut *lock(&self.shared.problems));
        if died {
            problems.push("the server task stopped before the server was dropped".to_owned());
        }
        if !problems.is_empty() && !std::thread::panicking() {
            panic!("{}", ServerProblems(problems));
        }
    }
}

/// What went wrong inside a [`FakeServer`]: the provider panicked, answered with an
/// invalid status or header, or the server task died.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerProblems(pub Vec<String>);

impl fmt::Display for ServerProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pay-testkit: the fake server had {} problem(s):",
            self.0.len()
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServerProblems {}

struct Shared {
    provider: Arc<dyn FakeProvider>,
    clock: Arc<dyn Clock>,
    redaction: Redaction,
    log: Mutex<Vec<RecordedRequest>>,
    next_seq: AtomicU64,
    faults: Faults,
    webhooks: Webhooks,
    problems: Mutex<Vec<String>>,
    base_url: String,
    max_body: usize,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, shared.clone()));
                }
                // Out of file descriptors and the like: wait a little and go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(done) = connections.join_next(), if !connections.is_empty() => {
                if let Err(err) = done
                    && err.is_panic()
                {
                    lock(&shared.problems).push(format!(
                        "a connection task panicked: {}",
                        panic_message(err.into_panic().as_ref())
                    ));
                }
            }
        }
    }
    // Dropping the set aborts every connection, hanging ones included.
    connections.abort_all();
}

/// How a request handler tells its connection to end without an answer.
#[derive(Debug, Default)]
struct Kill {
    notify: Notify,
    reset: Arc<AtomicBool>,
}

impl Kill {
    fn now(&self, reset: bool) {
        self.reset.store(reset, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// The accepted socket. When it is dropped after a "reset" kill, `SO_LINGER` is set to
/// zero first, so closing it sends a TCP RST instead of a FIN.
struct Socket {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            let _ = socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let kill = Arc::new(Kill::default());
    let socket = Socket {
        stream,
        reset: kill.reset.clone(),
    };
    let handler_kill = kill.clone();
    let service = service_fn(move |request| {
        let shared = shared.clone();
        let kill = handler_kill.clone();
        async move { Ok::<_, Infallible>(answer(&shared, &kill, request).await) }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(socket), service);
    tokio::select! {
        _ = connection => {}
        () = kill.notify.notified() => {}
    }
}

async fn answer(shared: &Shared, kill: &Kill, request: Request<Incoming>) -> Response<WholeBody> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, shared.max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "pay-testkit: request body too large or unreadable",
            );
        }
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let mut fake = FakeRequest::new(parts.method.as_str(), &target).with_body(body.to_vec());
    for (name, value) in &parts.headers {
        fake = fake.with_header(name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
    }

    let operation = match guarded(shared, "operation", || shared.provider.operation(&fake)) {
        Ok(operation) => operation,
        Err(panicked) => return panicked.answer(),
    };
    let fault = shared.faults.next_for(&fake, operation);
    let seq = shared.next_seq.fetch_add(1, Ordering::SeqCst);
    let record = shared.redaction.record(
        seq,
        shared.clock.now(),
        &fake,
        operation,
        fault.as_ref().map(Fault::kind),
    );
    lock(&shared.log).push(record);

    let Some(fault) = fault else {
        return normal(shared, &fake);
    };
    match fault {
        Fault::Status {
            status,
            headers,
            body,
        } => {
            let mut response = match body {
                Some(body) => FakeResponse::new(status).with_body(body),
                None => match guarded(shared, "error_response", || {
                    shared.provider.error_response_for(&fake, status)
                }) {
                    Ok(response) => response,
                    Err(panicked) => return panicked.answer(),
                },
            };
            for (name, value) in headers {
                response = response.replace_header(&name, &value);
            }
            convert(shared, response)
        }
        Fault::RateLimited { retry_after } => {
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            match guarded(shared, "error_response", || {
                shared.provider.error_response_for(&fake, 429)
            }) {
                Ok(response) => convert(
                    shared,
                    response.replace_header("retry-after", &seconds.to_string()),
                ),
                Err(panicked) => panicked.answer(),
            }
        }
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            normal(shared, &fake)
        }
        Fault::Hang => std::future::pending().await,
        Fault::Reset => {
            kill.now(true);
            std::future::pending().await
        }
        Fault::EmptyResponse => {
            kill.now(false);
            std::future::pending().await
        }
        Fault::AppliedThenLost => {
            let _applied = normal(shared, &fake);
            kill.now(true);
            std::future::pending().await
        }
        Fault::AppliedThenStatus(status) => {
            let _applied = normal(shared, &fake);
            match guarded(shared, "error_response", || {
                shared.provider.error_response_for(&fake, status)
            }) {
                Ok(response) => convert(shared, response),
                Err(panicked) => panicked.answer(),
            }
        }
        Fault::AppliedThenHang => {
            let _applied = normal(shared, &fake);
            std::future::pending().await
        }
        Fault::SlowBody { chunks, over } => slow(normal(shared, &fake), chunks, over).await,
        Fault::TruncatedBody => truncated(normal(shared, &fake)).await,
        Fault::MalformedBody => {
            let _applied = normal(shared, &fake);
            convert(
                shared,
                FakeResponse::json(200, r#"{"status":"ok","data":{"id":"#),
            )
        }
        Fault::HtmlError => convert(
            shared,
            FakeResponse::html(
                502,
                "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n\
                 <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n",
            ),
        ),
        Fault::WrongContentType => {
            let mut response = normal(shared, &fake);
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
    }
}

/// The provider panicked; the panic is recorded as a problem.
struct Panicked;

impl Panicked {
    fn answer(self) -> Response<WholeBody> {
        plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "pay-testkit: the provider fake panicked; the test fails when the server is dropped",
        )
    }
}

/// Calls into the provider, turning a panic into a recorded problem.
fn guarded<T>(shared: &Shared, what: &str, call: impl FnOnce() -> T) -> Result<T, Panicked> {
    std::panic::catch_unwind(AssertUnwindSafe(call)).map_err(|payload| {
        let message = format!(
            "provider `{}` panicked in {what}: {}",
            shared.provider.name(),
            panic_message(payload.as_ref())
        );
        lock(&shared.problems).push(message);
        Panicked
    })
}

/// The provider's own answer.
fn normal(shared: &Shared, request: &FakeRequest) -> Response<WholeBody> {
    let ctx = Context::new(
        shared.clock.as_ref(),
        &shared.webhooks,
        shared.base_url.as_str(),
    );
    match guarded(shared, "handle", || shared.provider.handle(request, &ctx)) {
        Ok(response) => convert(shared, response),
        Err(panicked) => panicked.answer(),
    }
}

/// Turns a provider answer into an HTTP response; an invalid status or header is a
/// provider bug, answered with 500 and recorded.
fn convert(shared: &Shared, response: FakeResponse) -> Response<WholeBody> {
    match build(&response) {
        Ok(built) => built,
        Err(problem) => {
            lock(&shared.problems).push(format!(
                "provider `{}` gave an invalid answer: {problem}",
                shared.provider.name()
            ));
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "pay-testkit: the provider fake gave an invalid answer",
            )
        }
    }
}

fn build(response: &FakeResponse) -> Result<Response<WholeBody>, String> {
    let status = StatusCode::from_u16(response.status())
        .map_err(|_| format!("status {} is not an HTTP status", response.status()))?;
    let mut built = Response::new(WholeBody::sized(response.body().to_vec()));
    *built.status_mut() = status;
    for (name, value) in response.headers() {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of `{name}` is not a header value"))?;
        built.headers_mut().append(name, value);
    }
    Ok(built)
}

/// The same answer with its body cut in half under the full `Content-Length`; hyper then
/// closes the connection because the body ended early.
async fn truncated(response: Response<WholeBody>) -> Response<WholeBody> {
    let (mut parts, body) = response.into_parts();
    let full = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let full = if full.is_empty() {
        hyper::body::Bytes::from_static(br#"{"truncated":true}"#)
    } else {
        full
    };
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
    Response::from_parts(parts, WholeBody::cut_short(full.slice(..full.len() / 2)))
}

/// The same answer with its full `Content-Length`, its body sent in `chunks` pieces spread
/// evenly over `over`.
async fn slow(response: Response<WholeBody>, chunks: u32, over: Duration) -> Response<WholeBody> {
    let (parts, body) = response.into_parts();
    let full = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let chunks = chunks.max(1);
    Response::from_parts(parts, WholeBody::slow(full, chunks, over / chunks))
}

fn plain(status: StatusCode, text: &'static str) -> Response<WholeBody> {
    let mut response = Response::new(WholeBody::sized(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
