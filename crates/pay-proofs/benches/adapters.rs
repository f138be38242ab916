//! Benchmark: what each adapter adds to a create-payment and a get-payment exchange,
//! against plain reqwest sending the same bytes to the same loopback fake, in the same
//! run; sequentially and 64 calls at a time (issue 13, item 5a).
//!
//! The four exchanges: Easytransac V1 direct card payment (`POST /api/payment/direct`,
//! signed form) and status (`POST /api/payment/status` by `Tid`); Easypay single create
//! (`POST /2.0/single`, JSON with an `Idempotency-Key`) and get (`GET /2.0/single/{id}`).
//! The plain side's bytes are the adapter's own: each adapter call is first sent once to a
//! socket that records the request (method, path, headers, body), and plain reqwest then
//! replays that request as it is, except that Easypay's `Idempotency-Key` gets a fresh
//! value of the same length on every call, as the adapter's does. The plain side reads the
//! whole answer and checks its status; the adapter side also decodes the answer (and for
//! Easytransac V1 verifies its signature), which is part of what is measured.
//!
//! The Easytransac V1 exchanges have a third side, "by hand": the protocol's own work
//! (sign the form, encode it, read the answer's `Code`, verify its signature, decode its
//! `Result`) done around plain reqwest with pay-signing's public functions, sending the
//! adapter's bytes. The adapter against it is what the adapter's own machinery costs
//! (validation, its serializer, the transport's rules and records); plain reqwest against
//! it is what the protocol costs. The goals are the adapter's against plain reqwest.
//!
//! Run with (results live in `docs/benchmarks.md`):
//!
//! ```sh
//! cargo bench -p pay-proofs --bench adapters
//! ```
//!
//! Two parts. Criterion's groups (`<exchange>/sequential`, `<exchange>/concurrent_64`;
//! time per call), then a ratio report: rounds of every side in turn (which goes first
//! rotates), recording every call's latency, each round's wall
//! time, the client thread's CPU time (`/proc/thread-self/schedstat`) and the whole
//! process's CPU time (the sum over `/proc/self/task/*/schedstat`, which includes the
//! fake's own work, the same on both sides). The client runs on a current-thread runtime
//! on the bench's own thread, the fakes on a one-worker runtime of their own. Every
//! measurement (criterion sample, report round) starts on a fresh fake, because a fake's
//! cost per request grows with the payments it holds.
//!
//! The report runs in child processes of this bench, one after another: five processes
//! of 8 rounds each (`PAY_BENCH_PROCESSES`, an odd number, and `PAY_BENCH_ROUNDS`). Each
//! prints its tables, and the last table gives, per exchange and mode, the median of the
//! processes' ratios with the lowest and the highest. One process's ratios have moved by
//! up to 0.13 from one process to the next, more than between rounds of one process.
//!
//! Without `--bench` (the binary run bare, or `cargo test --benches`) it is a smoke check:
//! criterion's test mode, then three processes of two rounds at a fiftieth of the calls.
//! Its ratios mean nothing; it shows that every side runs and the report adds up.

// A benchmark's job is to print its report.
#![allow(clippy::print_stdout)]

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use pay_core::CallOptions;
use pay_core::wire::MinorUnits;
use pay_easypay::{AccountId, ApiKey, EasypayClient, PaymentId};
use pay_easytransac::{EasytransacClient, wire as et};
use pay_testkit::FakeServer;
use pay_testkit::easypay::{EasypayConfig, EasypayFake};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, TEST_API_KEY, cards};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

const CONCURRENCY: usize = 64;
const EASYPAY_ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
const EASYPAY_KEY: &str = "bench-api-key-6666";

/// One request as the adapter put it on the wire.
#[derive(Debug)]
struct Captured {
    method: reqwest::Method,
    /// Path and query, as sent.
    target: String,
    headers: HeaderMap,
    body: &'static [u8],
}

/// Runs `call` against a socket that records the first request it receives and then
/// closes the connection, and returns that request. `call` gets the socket's base URL
/// and is expected to fail (no answer ever comes).
async fn capture<F, Fut>(call: F) -> Captured
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let read = async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut raw = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = socket.read(&mut chunk).await.expect("read");
            assert!(n > 0, "the client closed before sending a whole request");
            raw.extend_from_slice(&chunk[..n]);
            if let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&raw[..head_end]).expect("UTF-8 head");
                let length = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.trim().parse::<usize>().expect("length"));
                if raw.len() >= head_end + 4 + length {
                    let _ = socket.shutdown().await;
                    return parse_request(&raw, head_end, length);
                }
            }
        }
    };
    let ((), captured) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(call(base), read)
    })
    .await
    .expect("capturing a request took over 10 s");
    captured
}

fn parse_request(raw: &[u8], head_end: usize, length: usize) -> Captured {
    let head = std::str::from_utf8(&raw[..head_end]).expect("UTF-8 head");
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().expect("request line").split(' ');
    let method = request_line
        .next()
        .expect("method")
        .parse()
        .expect("method");
    let target = request_line.next().expect("target").to_owned();
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').expect("header line");
        let name = HeaderName::from_bytes(name.trim().as_bytes()).expect("header name");
        // Host and length are the connection's, set by reqwest for the real server.
        if name == reqwest::header::HOST || name == reqwest::header::CONTENT_LENGTH {
            continue;
        }
        headers.append(name, HeaderValue::from_str(value.trim()).expect("value"));
    }
    let body = raw[head_end + 4..head_end + 4 + length].to_vec();
    Captured {
        method,
        target,
        headers,
        body: Box::leak(body.into_boxed_slice()),
    }
}

/// The adapter's call for one exchange.
#[derive(Clone)]
enum AdapterCall {
    EasytransacDirect(EasytransacClient, Box<et::V1DirectPaymentRequest>),
    EasytransacStatus(EasytransacClient, et::V1StatusRequest),
    EasypayCreate(EasypayClient, Box<pay_easypay::wire::SingleCreateRequest>),
    EasypayGet(EasypayClient, PaymentId),
}

impl AdapterCall {
    async fn call(&self) {
        let options = CallOptions::new();
        match self {
            Self::EasytransacDirect(client, request) => {
                let done = client
                    .payments()
                    .direct(request, &options)
                    .await
                    .expect("direct payment");
                assert!(!done.tid.is_empty());
            }
            Self::EasytransacStatus(client, request) => {
                let done = client
                    .payments()
                    .status(request, &options)
                    .await
                    .expect("status");
                assert_eq!(done.status, et::TransactionStatus::Captured);
            }
            Self::EasypayCreate(client, request) => {
                let created = client
                    .single()
                    .create(request, &options)
                    .await
                    .expect("single create");
                assert!(created.id.is_some());
            }
            Self::EasypayGet(client, id) => {
                let single = client.single().get(id, &options).await.expect("get");
                assert!(single.id.is_some());
            }
        }
    }
}

/// Plain reqwest replaying a captured request.
struct PlainCall {
    client: reqwest::Client,
    method: reqwest::Method,
    url: String,
    headers: HeaderMap,
    body: &'static [u8],
    /// Given a fresh value on every call, when the request carries it.
    idempotency: Option<HeaderName>,
    counter: AtomicU64,
}

impl PlainCall {
    fn new(client: reqwest::Client, base: &str, mut captured: Captured) -> Self {
        // The captured key is replaced on every call (`header` would add a second one,
        // and the fake would answer every call as a replay of the first).
        let idempotency = HeaderName::from_static("idempotency-key");
        let idempotency = captured.headers.remove(&idempotency).map(|_| idempotency);
        Self {
            client,
            method: captured.method,
            url: format!("{base}{}", captured.target),
            headers: captured.headers,
            body: captured.body,
            idempotency,
            counter: AtomicU64::new(0),
        }
    }

    async fn call(&self) {
        let mut request = self
            .client
            .request(self.method.clone(), &self.url)
            .headers(self.headers.clone());
        if let Some(name) = &self.idempotency {
            // A fresh key of the adapter's shape (a UUID's 36 characters).
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            let key = format!(
                "{:08x}-0000-4000-8000-{:012x}",
                n >> 48,
                n & 0xffff_ffff_ffff
            );
            request = request.header(name, key);
        }
        if !self.body.is_empty() {
            request = request.body(self.body);
        }
        let response = request.send().await.expect("plain send");
        assert!(response.status().is_success(), "{}", response.status());
        // A real write each time, as the adapter's, never a stored answer.
        assert!(!response.headers().contains_key("idempotency-replay"));
        let body = response.bytes().await.expect("plain body");
        assert!(!body.is_empty());
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Plain,
    Adapter,
    /// Easytransac V1 only: the protocol's own work done by hand around plain reqwest.
    ByHand,
}

/// An Easytransac V1 exchange as a client written by hand around plain reqwest and
/// pay-signing's public functions would make it: sign the form's fields, encode them,
/// send, read the answer's `Code`, verify its signature and decode its `Result` into the
/// wire type. It sends the adapter's bytes (checked when it is built), so the fake does
/// the same work for it; what the adapter costs beyond it is the adapter's own machinery
/// (validation, the serializer, the transport's rules and records, conversions).
struct ByHandCall {
    client: reqwest::Client,
    url: String,
    headers: HeaderMap,
    /// The form's fields without `Signature`, in the order sent.
    fields: Vec<(String, String)>,
    key: SecretString,
}

impl ByHandCall {
    /// `captured`, an Easytransac V1 request of the adapter, taken apart into its fields.
    fn new(client: reqwest::Client, base: &str, captured: &Captured) -> Self {
        let body = std::str::from_utf8(captured.body).expect("a UTF-8 form");
        let mut fields = pay_testkit::form::decode(body);
        fields.retain(|(name, _)| name != "Signature");
        let by_hand = Self {
            client,
            url: format!("{base}{}", captured.target),
            headers: captured.headers.clone(),
            fields,
            key: SecretString::from(TEST_API_KEY),
        };
        assert_eq!(
            by_hand.body().as_bytes(),
            captured.body,
            "the adapter's bytes"
        );
        by_hand
    }

    /// The signed form, as the adapter encodes it.
    fn body(&self) -> String {
        let pairs: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let signature = pay_signing::easytransac::sign_form(&pairs, &self.key).expect("signed");
        pay_testkit::form::encode(pairs.into_iter().chain([("Signature", signature.as_str())]))
    }

    async fn call(&self, expect_captured: bool) {
        let response = self
            .client
            .post(&self.url)
            .headers(self.headers.clone())
            .body(self.body())
            .send()
            .await
            .expect("by-hand send");
        assert!(response.status().is_success(), "{}", response.status());
        let body = response.bytes().await.expect("by-hand body");
        let text = std::str::from_utf8(&body).expect("UTF-8 answer");
        let head = pay_signing::json::Document::read_named(text, &["Code"], 1).expect("JSON");
        assert!(head.root().iter().any(|m| m.value().raw() == "0"), "Code 0");
        let verified =
            pay_signing::easytransac::verify_response_result(text, &self.key).expect("verified");
        let done: et::DoneTransaction = verified.deserialize().expect("a DoneTransaction");
        assert!(!done.tid.is_empty());
        if expect_captured {
            assert_eq!(done.status, et::TransactionStatus::Captured);
        }
    }
}

/// One exchange, each way.
#[derive(Clone)]
struct Exchange {
    adapter: AdapterCall,
    plain: Arc<PlainCall>,
    /// For Easytransac V1 exchanges.
    by_hand: Option<Arc<ByHandCall>>,
}

impl Exchange {
    async fn call(&self, side: Side) {
        match side {
            Side::Plain => self.plain.call().await,
            Side::Adapter => self.adapter.call().await,
            Side::ByHand => {
                let status = matches!(self.adapter, AdapterCall::EasytransacStatus(..));
                self.by_hand
                    .as_ref()
                    .expect("an Easytransac V1 exchange")
                    .call(status)
                    .await;
            }
        }
    }

    /// `calls` calls, `concurrency` at a time; returns each call's latency.
    async fn run(&self, side: Side, calls: usize, concurrency: usize) -> Vec<Duration> {
        if concurrency == 1 {
            let mut latencies = Vec::with_capacity(calls);
            for _ in 0..calls {
                let started = Instant::now();
                self.call(side).await;
                latencies.push(started.elapsed());
            }
            return latencies;
        }
        let mut tasks = JoinSet::new();
        for worker in 0..concurrency {
            let exchange = self.clone();
            let share = calls / concurrency + usize::from(worker < calls % concurrency);
            tasks.spawn(async move {
                let mut latencies = Vec::with_capacity(share);
                for _ in 0..share {
                    let started = Instant::now();
                    exchange.call(side).await;
                    latencies.push(started.elapsed());
                }
                latencies
            });
        }
        let mut latencies = Vec::with_capacity(calls);
        while let Some(done) = tasks.join_next().await {
            latencies.extend(done.expect("a benchmark task panicked"));
        }
        latencies
    }
}

/// The first field of a `schedstat` file: nanoseconds on the CPU.
fn schedstat(path: &str) -> Duration {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    Duration::from_nanos(
        text.split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    )
}

/// This thread's CPU time so far (Linux).
fn thread_cpu() -> Duration {
    schedstat("/proc/thread-self/schedstat")
}

/// The whole process's CPU time so far: the sum over its live threads, in nanoseconds
/// (`getrusage` would need unsafe code, which the workspace forbids; `/proc/self/stat`
/// counts in 10 ms ticks).
fn process_cpu() -> Duration {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task (Linux)")
        .filter_map(Result::ok)
        .map(|task| schedstat(&format!("{}/schedstat", task.path().display())))
        .sum()
}

/// The four exchanges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    EasytransacDirect,
    EasytransacStatus,
    EasypayCreate,
    EasypayGet,
}

const KINDS: [Kind; 4] = [
    Kind::EasytransacDirect,
    Kind::EasytransacStatus,
    Kind::EasypayCreate,
    Kind::EasypayGet,
];

impl Kind {
    /// The sides measured, with their names in criterion's groups.
    fn sides(self) -> &'static [(&'static str, Side)] {
        match self {
            Self::EasytransacDirect | Self::EasytransacStatus => &[
                ("plain_reqwest", Side::Plain),
                ("adapter", Side::Adapter),
                ("by_hand", Side::ByHand),
            ],
            Self::EasypayCreate | Self::EasypayGet => {
                &[("plain_reqwest", Side::Plain), ("adapter", Side::Adapter)]
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::EasytransacDirect => "easytransac_v1_direct",
            Self::EasytransacStatus => "easytransac_v1_status",
            Self::EasypayCreate => "easypay_single_create",
            Self::EasypayGet => "easypay_single_get",
        }
    }
}

/// The client every plain call shares: reqwest as the transport builds its own (rustls,
/// 10 s connect timeout, no redirects).
fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .tls_backend_rustls()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn card_payment() -> et::V1DirectPaymentRequest {
    let mut request = et::V1DirectPaymentRequest::new(
        MinorUnits(1250),
        cards::SUCCESS.to_owned(),
        "09".to_owned(),
        "2030".to_owned(),
        "123".to_owned(),
        "89.184.22.134".to_owned(),
    );
    request.order_id = Some("order-2026-000042".to_owned());
    request.uid = Some("customer-8842".to_owned());
    request.email = Some("jeanne.martin@example.com".to_owned());
    request.firstname = Some("Jeanne".to_owned());
    request.lastname = Some("Martin".to_owned());
    request
}

fn single_request() -> pay_easypay::wire::SingleCreateRequest {
    serde_json::from_str(
        r#"{"type":"sale","value":12.50,"method":"mb","currency":"EUR","key":"order-2026-000042","customer":{"name":"Ana Silva","email":"ana.silva@example.org","phone":"912345678","phone_indicative":"+351"},"capture":{"descriptive":"Order 2026-000042"}}"#,
    )
    .expect("single create request")
}

fn easytransac_client(base: &str) -> EasytransacClient {
    EasytransacClient::builder(SecretString::from(TEST_API_KEY))
        .base_url(base)
        .retry_policy(pay_core::RetryPolicy::none())
        .build()
        .expect("Easytransac client")
}

fn easypay_client(base: &str) -> EasypayClient {
    EasypayClient::builder(AccountId::new(EASYPAY_ACCOUNT), ApiKey::new(EASYPAY_KEY))
        .base_url(base)
        .retry_policy(pay_core::RetryPolicy::none())
        .build()
        .expect("Easypay client")
}

/// Builds `kind`'s exchange on the fake at `base` (Easypay's without `/2.0`): for the
/// reads, first a payment to read, then both calls as the adapter sends them.
async fn exchange(kind: Kind, base: &str, plain: &reqwest::Client) -> Exchange {
    let options = CallOptions::new();
    let (adapter, captured) = match kind {
        Kind::EasytransacDirect => {
            let payment = card_payment();
            let captured = capture(|capture_base| {
                let payment = payment.clone();
                async move {
                    let client = easytransac_client(&capture_base);
                    let _ = client
                        .payments()
                        .direct(&payment, &CallOptions::new())
                        .await;
                }
            })
            .await;
            let client = easytransac_client(base);
            (
                AdapterCall::EasytransacDirect(client, Box::new(payment)),
                captured,
            )
        }
        Kind::EasytransacStatus => {
            let client = easytransac_client(base);
            let tid = client
                .payments()
                .direct(&card_payment(), &options)
                .await
                .expect("a payment to read")
                .tid;
            let status = et::V1StatusRequest {
                tid: Some(tid),
                ..Default::default()
            };
            let captured = capture(|capture_base| {
                let status = status.clone();
                async move {
                    let client = easytransac_client(&capture_base);
                    let _ = client.payments().status(&status, &CallOptions::new()).await;
                }
            })
            .await;
            (AdapterCall::EasytransacStatus(client, status), captured)
        }
        Kind::EasypayCreate => {
            let single = single_request();
            let captured = capture(|capture_base| {
                let single = single.clone();
                async move {
                    let client = easypay_client(&format!("{capture_base}/2.0"));
                    let _ = client.single().create(&single, &CallOptions::new()).await;
                }
            })
            .await;
            assert!(captured.headers.contains_key("idempotency-key"));
            let client = easypay_client(&format!("{base}/2.0"));
            (
                AdapterCall::EasypayCreate(client, Box::new(single)),
                captured,
            )
        }
        Kind::EasypayGet => {
            let client = easypay_client(&format!("{base}/2.0"));
            let id = client
                .single()
                .create(&single_request(), &options)
                .await
                .expect("a single to read")
                .id
                .expect("an id");
            let id = PaymentId::new(id).expect("payment id");
            let captured = capture(|capture_base| {
                let id = id.clone();
                async move {
                    let client = easypay_client(&format!("{capture_base}/2.0"));
                    let _ = client.single().get(&id, &CallOptions::new()).await;
                }
            })
            .await;
            (AdapterCall::EasypayGet(client, id), captured)
        }
    };
    let by_hand = matches!(kind, Kind::EasytransacDirect | Kind::EasytransacStatus)
        .then(|| Arc::new(ByHandCall::new(plain.clone(), base, &captured)));
    Exchange {
        adapter,
        plain: Arc::new(PlainCall::new(plain.clone(), base, captured)),
        by_hand,
    }
}

/// A fake of its own for one measurement.
enum Fake {
    Easytransac(FakeServer<EasytransacFake>),
    Easypay(FakeServer<EasypayFake>),
}

/// The runtimes and the plain client. Every measurement (a criterion sample, a round of
/// the ratio report) gets a fresh fake: the fakes' cost per request grows with the
/// payments they hold (each request scans them for due work), so a long-lived fake
/// would make the later side of a comparison pay for the earlier side's payments.
struct Harness {
    server_runtime: Runtime,
    runtime: Runtime,
    plain: reqwest::Client,
}

impl Harness {
    fn new() -> Self {
        Self {
            server_runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("server runtime"),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("client runtime"),
            plain: plain_client(),
        }
    }
}

impl Harness {
    /// A fresh fake for `kind` and its exchange on it.
    fn fresh(&self, kind: Kind) -> (Exchange, Fake) {
        let (fake, base) = match kind {
            Kind::EasytransacDirect | Kind::EasytransacStatus => {
                let fake = self
                    .server_runtime
                    .block_on(FakeServer::start(EasytransacFake::new(
                        EasytransacConfig::new(SecretString::from(TEST_API_KEY)),
                    )))
                    .expect("Easytransac fake");
                let base = fake.base_url().to_owned();
                (Fake::Easytransac(fake), base)
            }
            Kind::EasypayCreate | Kind::EasypayGet => {
                let fake = self
                    .server_runtime
                    .block_on(FakeServer::start(EasypayFake::new(EasypayConfig::new(
                        EASYPAY_ACCOUNT,
                        EASYPAY_KEY,
                    ))))
                    .expect("Easypay fake");
                let base = fake.base_url().to_owned();
                (Fake::Easypay(fake), base)
            }
        };
        let exchange = self.runtime.block_on(exchange(kind, &base, &self.plain));
        (exchange, fake)
    }

    /// Stops `fake`, checking it stayed healthy.
    fn done(&self, exchange: Exchange, fake: Fake) {
        drop(exchange);
        match fake {
            Fake::Easytransac(fake) => self.server_runtime.block_on(fake.shutdown()),
            Fake::Easypay(fake) => self.server_runtime.block_on(fake.shutdown()),
        }
        .expect("the fake stayed healthy");
    }

    /// On a fresh fake: `warm` calls (connections, allocator), then `calls` timed ones,
    /// `concurrency` at a time. Returns the latencies, the wall time, and the client
    /// thread's and the process's CPU time over the timed calls.
    fn measure(
        &self,
        kind: Kind,
        side: Side,
        warm: usize,
        calls: usize,
        concurrency: usize,
    ) -> (Vec<Duration>, Duration, Duration, Duration) {
        let (exchange, fake) = self.fresh(kind);
        self.runtime.block_on(exchange.run(side, warm, concurrency));
        let (client, all) = (thread_cpu(), process_cpu());
        let started = Instant::now();
        let latencies = self
            .runtime
            .block_on(exchange.run(side, calls, concurrency));
        let wall = started.elapsed();
        let (client, all) = (thread_cpu() - client, process_cpu() - all);
        self.done(exchange, fake);
        (latencies, wall, client, all)
    }
}

fn criterion_part(c: &mut Criterion, harness: &Harness) {
    for kind in KINDS {
        for (mode, concurrency) in [("sequential", 1), ("concurrent_64", CONCURRENCY)] {
            let mut group = c.benchmark_group(format!("{}/{mode}", kind.name()));
            group.throughput(Throughput::Elements(1));
            for &(name, side) in kind.sides() {
                group.bench_function(name, |b| {
                    b.iter_custom(|iters| {
                        let calls = usize::try_from(iters).unwrap_or(usize::MAX);
                        harness
                            .measure(kind, side, concurrency * 2, calls, concurrency)
                            .1
                    });
                });
            }
            group.finish();
        }
    }
}

/// One side's measurements over all rounds: every call's latency, and per round the
/// throughput and the CPU time per call (client thread, whole process). Throughput and
/// CPU are medians over rounds, so a burst of load from elsewhere moves one round.
#[derive(Default)]
struct Totals {
    latencies: Vec<Duration>,
    throughputs: Vec<u128>,
    client_cpu: Vec<Duration>,
    process_cpu: Vec<Duration>,
}

fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

impl Totals {
    fn add_round(
        &mut self,
        latencies: Vec<Duration>,
        wall: Duration,
        client: Duration,
        all: Duration,
    ) {
        let calls = u32::try_from(latencies.len()).expect("calls fit in u32");
        self.throughputs
            .push(u128::from(calls) * 1_000_000 / wall.as_micros().max(1));
        self.client_cpu.push(client / calls);
        self.process_cpu.push(all / calls);
        self.latencies.extend(latencies);
    }

    fn p50(&mut self) -> Duration {
        median(&mut self.latencies)
    }

    fn throughput(&mut self) -> u128 {
        median(&mut self.throughputs)
    }

    fn client_cpu(&mut self) -> Duration {
        median(&mut self.client_cpu)
    }

    fn process_cpu(&mut self) -> Duration {
        median(&mut self.process_cpu)
    }
}

/// A duration in microseconds with `precision` decimals (default 1), in integer arithmetic.
struct Micros(Duration);

impl std::fmt::Display for Micros {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nanos = self.0.as_nanos();
        let places = f.precision().unwrap_or(1).min(3);
        let scale = 10u128.pow(u32::try_from(3 - places).unwrap_or(0));
        let rounded = (nanos + scale / 2) / scale;
        let unit = 10u128.pow(u32::try_from(places).unwrap_or(0));
        write!(f, "{}.{:0places$}", rounded / unit, rounded % unit)
    }
}

/// `a / b` in hundredths, rounded, in integer arithmetic.
fn hundredths(a: u128, b: u128) -> u128 {
    (a * 100 + b / 2) / b.max(1)
}

/// Hundredths written with two decimals.
struct Ratio(u128);

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// One process's ratios of one side against another for one exchange and mode, in
/// hundredths: p50, throughput, process CPU, client-thread CPU.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ratios {
    /// `plain` (the adapter against plain reqwest, the goals) or `by_hand`.
    against: String,
    exchange: String,
    mode: String,
    values: [u128; 4],
}

impl Ratios {
    fn new(
        against: &str,
        exchange: &str,
        mode: &str,
        ours: &mut Totals,
        base: &mut Totals,
    ) -> Self {
        Self {
            against: against.to_owned(),
            exchange: exchange.to_owned(),
            mode: mode.to_owned(),
            values: [
                hundredths(ours.p50().as_nanos(), base.p50().as_nanos()),
                hundredths(ours.throughput(), base.throughput()),
                hundredths(ours.process_cpu().as_nanos(), base.process_cpu().as_nanos()),
                hundredths(ours.client_cpu().as_nanos(), base.client_cpu().as_nanos()),
            ],
        }
    }

    /// The table line.
    fn line(&self) -> String {
        let [p50, throughput, process, client] = self.values.map(Ratio);
        format!(
            "| {} | {} | {p50} | {throughput} | {process} | {client} |",
            self.exchange, self.mode
        )
    }

    /// The line a child process hands its parent: `RATIOS` and the fields, by tabs.
    fn record(&self) -> String {
        let [a, b, c, d] = self.values;
        format!(
            "{RECORD}\t{}\t{}\t{}\t{a}\t{b}\t{c}\t{d}",
            self.against, self.exchange, self.mode
        )
    }

    /// A line of [`record`](Self::record)'s, read back.
    fn parse(line: &str) -> Option<Self> {
        let mut fields = line.strip_prefix(RECORD)?.strip_prefix('\t')?.split('\t');
        let mut text = || fields.next().map(str::to_owned);
        let (against, exchange, mode) = (text()?, text()?, text()?);
        let mut values = [0; 4];
        for value in &mut values {
            *value = text()?.parse().ok()?;
        }
        if fields.next().is_some() {
            return None;
        }
        Some(Self {
            against,
            exchange,
            mode,
            values,
        })
    }
}

/// What starts a child process's [`Ratios::record`] lines.
const RECORD: &str = "RATIOS";

const GOAL_HEADER: &str = "| exchange | mode | p50 ratio (goal ≤ 1.10) | throughput ratio (goal ≥ 0.90) | process CPU per call ratio (goal ≤ 1.10) | client-thread CPU per call ratio |";
const BY_HAND_HEADER: &str = "| exchange | mode | p50 ratio | throughput ratio | process CPU per call ratio | client-thread CPU per call ratio |";

/// Runs the report's rounds in this process, prints its tables and returns its ratios.
fn ratio_report(
    harness: &Harness,
    rounds: usize,
    scale: usize,
    filter: &str,
) -> std::io::Result<Vec<Ratios>> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\n| exchange | mode | side | calls | p50 latency | throughput (calls/s) | client-thread CPU per call | process CPU per call |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    let mut ratios = Vec::new();
    let mut by_hand_ratios = Vec::new();
    for kind in KINDS.into_iter().filter(|k| k.name().contains(filter)) {
        for (mode, concurrency, per_round) in [
            ("sequential", 1, 1_000 / scale),
            ("64 concurrent", CONCURRENCY, 3_200 / scale),
        ] {
            let sides = kind.sides();
            let mut totals: Vec<Totals> = sides.iter().map(|_| Totals::default()).collect();
            for round in 0..rounds {
                // Rotate which side goes first, and every other cycle of rotations run
                // the sides backwards, so that each side follows each of the others: drift
                // and what a side leaves behind hit every side alike.
                let n = sides.len();
                for k in 0..n {
                    let i = if (round / n) % 2 == 0 {
                        (round + k) % n
                    } else {
                        (round + n - k) % n
                    };
                    let (latencies, wall, client, all) =
                        harness.measure(kind, sides[i].1, per_round / 4, per_round, concurrency);
                    totals[i].add_round(latencies, wall, client, all);
                }
            }
            for ((_, side), totals) in sides.iter().zip(&mut totals) {
                let name = match side {
                    Side::Plain => "plain reqwest",
                    Side::Adapter => "adapter",
                    Side::ByHand => "by hand",
                };
                writeln!(
                    out,
                    "| {} | {mode} | {name} | {} | {:.1} µs | {} | {:.2} µs | {:.2} µs |",
                    kind.name(),
                    totals.latencies.len(),
                    Micros(totals.p50()),
                    totals.throughput(),
                    Micros(totals.client_cpu()),
                    Micros(totals.process_cpu()),
                )?;
            }
            let [plain, ours, rest @ ..] = totals.as_mut_slice() else {
                unreachable!("every exchange has a plain and an adapter side");
            };
            ratios.push(Ratios::new("plain", kind.name(), mode, ours, plain));
            if let [by_hand] = rest {
                by_hand_ratios.push(Ratios::new("by_hand", kind.name(), mode, ours, by_hand));
            }
        }
    }
    let lines = |ratios: &[Ratios]| ratios.iter().map(Ratios::line).collect::<Vec<_>>();
    write_ratio_tables(&mut out, "", &lines(&ratios), &lines(&by_hand_ratios))?;
    ratios.extend(by_hand_ratios);
    Ok(ratios)
}

/// Runs the report in `processes` child processes of this bench, one after another, each
/// doing `rounds` rounds; echoes their tables and prints, per exchange and mode, the
/// median of their ratios and the range. A run's ratios have moved by up to 0.13 from one
/// process to the next, more than between rounds of one process (why was not measured:
/// perhaps where the allocator and the loader put things, or which CPU each thread
/// settles on). The verdict is the median over processes, and the range shows the spread.
fn across_processes(processes: usize, rounds: usize, scale: usize) -> std::io::Result<()> {
    assert!(
        !processes.is_multiple_of(2),
        "PAY_BENCH_PROCESSES must be odd (a median of one middle value), not {processes}"
    );
    assert!(rounds > 0, "PAY_BENCH_ROUNDS must be at least 1");
    let exe = std::env::current_exe()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut all = Vec::new();
    let mut out = std::io::stdout();
    for process in 1..=processes {
        writeln!(out, "\n### Report, process {process} of {processes}")?;
        out.flush()?;
        let child = std::process::Command::new(&exe)
            .args(&args)
            .env(CHILD, format!("{rounds},{scale}"))
            .stderr(std::process::Stdio::inherit())
            .output()?;
        assert!(
            child.status.success(),
            "report process {process}: {}",
            child.status
        );
        let text = String::from_utf8_lossy(&child.stdout);
        for line in text.lines() {
            if line.starts_with(RECORD) {
                let ratios = Ratios::parse(line)
                    .unwrap_or_else(|| panic!("report process {process}: a bad record: {line}"));
                all.push(ratios);
            } else {
                writeln!(out, "{line}")?;
            }
        }
    }
    let (goals, by_hand): (Vec<_>, Vec<_>) = summarise(&all, processes)
        .into_iter()
        .partition(|(key, _)| key.0 == "plain");
    let lines = |rows: Vec<((String, String, String), String)>| {
        rows.into_iter()
            .map(|(key, cells)| format!("| {} | {} | {cells} |", key.1, key.2))
            .collect::<Vec<_>>()
    };
    write_ratio_tables(
        &mut out,
        &format!(
            "\n### Across the {processes} processes: the median of each ratio [lowest, highest]\n"
        ),
        &lines(goals),
        &lines(by_hand),
    )
}

/// The goals' table of `goals` lines under `title`, then, when there are any, the
/// by-hand table of `by_hand` lines.
fn write_ratio_tables(
    out: &mut impl std::io::Write,
    title: &str,
    goals: &[String],
    by_hand: &[String],
) -> std::io::Result<()> {
    writeln!(out, "{title}\n{GOAL_HEADER}\n|---|---|---|---|---|---|")?;
    for line in goals {
        writeln!(out, "{line}")?;
    }
    if !by_hand.is_empty() {
        writeln!(
            out,
            "\nThe adapter against the same exchange done by hand (Easytransac V1):\n\n{BY_HAND_HEADER}\n|---|---|---|---|---|---|"
        )?;
        for line in by_hand {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// Per `(against, exchange, mode)`, in first-seen order: each ratio's median over the
/// processes and its range, as `1.07 [1.04, 1.12]` cells joined by ` | `.
fn summarise(all: &[Ratios], processes: usize) -> Vec<((String, String, String), String)> {
    let mut keys: Vec<(String, String, String)> = Vec::new();
    for r in all {
        let key = (r.against.clone(), r.exchange.clone(), r.mode.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|key| {
            let cells: Vec<String> = (0..4)
                .map(|i| {
                    let mut values: Vec<u128> = all
                        .iter()
                        .filter(|r| (&r.against, &r.exchange, &r.mode) == (&key.0, &key.1, &key.2))
                        .map(|r| r.values[i])
                        .collect();
                    assert_eq!(
                        values.len(),
                        processes,
                        "{key:?}: a ratio from every process"
                    );
                    values.sort_unstable();
                    let n = values.len();
                    let (low, high) = (values[0], values[n - 1]);
                    format!("{} [{}, {}]", Ratio(values[n / 2]), Ratio(low), Ratio(high))
                })
                .collect();
            (key, cells.join(" | "))
        })
        .collect()
}

/// Set in a child process of [`across_processes`] to `rounds,scale`: it runs the report
/// only, and hands its ratios back as [`Ratios::record`] lines.
const CHILD: &str = "PAY_BENCH_REPORT_ROUNDS";

/// The number an environment variable holds, or `default` when it is unset.
fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
    })
}

/// Criterion's name filter among the bench's arguments (`cargo bench … -- easypay`): the
/// first word that is neither an option nor the value of one of criterion's options that
/// take one. Empty when there is none.
fn name_filter(args: &[String]) -> &str {
    const TAKE_A_VALUE: [&str; 19] = [
        "-c",
        "--color",
        "-s",
        "--save-baseline",
        "-b",
        "--baseline",
        "--baseline-lenient",
        "--format",
        "--profile-time",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--plotting-backend",
        "--output-format",
    ];
    let mut words = args.iter().skip(1);
    while let Some(word) = words.next() {
        if TAKE_A_VALUE.contains(&word.as_str()) {
            words.next();
        } else if !word.starts_with('-') {
            return word;
        }
    }
    ""
}

fn main() {
    // Criterion's name filter limits the report too.
    let args: Vec<String> = std::env::args().collect();
    let filter = name_filter(&args);

    if let Ok(spec) = std::env::var(CHILD) {
        let (rounds, scale) = spec
            .split_once(',')
            .and_then(|(r, s)| Some((r.parse().ok()?, s.parse().ok()?)))
            .expect("rounds,scale");
        let ratios = ratio_report(&Harness::new(), rounds, scale, filter).expect("stdout");
        for ratios in ratios {
            println!("{}", ratios.record());
        }
        return;
    }

    let harness = Harness::new();
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    criterion_part(&mut criterion, &harness);
    criterion.final_summary();
    drop(harness);
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if !KINDS.iter().any(|k| k.name().contains(filter)) {
        println!("\nNo exchange's name contains `{filter}`: no ratio report.");
        return;
    }

    // `cargo bench` passes `--bench`; a `cargo test --benches` run only checks that it
    // builds and runs, briefly (three processes of two short rounds).
    let benching = args.iter().any(|a| a == "--bench");
    let (processes, rounds, scale) = if benching {
        (
            env_number("PAY_BENCH_PROCESSES", 5),
            env_number("PAY_BENCH_ROUNDS", 8),
            1,
        )
    } else {
        (3, 2, 50)
    };
    across_processes(processes, rounds, scale).expect("stdout");
}
