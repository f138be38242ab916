//! Benchmark: the transport's overhead against plain reqwest doing the same exchange (a
//! POST of a 200-byte JSON body to pay-testkit's `/echo`, reading the whole answer) with
//! the same client (one `reqwest::Client`, shared) against the same loopback server, in the
//! same run; sequentially and 64 calls at a time.
//!
//! Run with (results live in `docs/benchmarks.md`):
//!
//! ```sh
//! cargo bench -p pay-http --bench transport -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Two parts. First criterion's groups (`sequential`, `concurrent_64`; time per call).
//! Then a ratio report: rounds alternating plain reqwest and the transport, recording
//! every call's latency, the wall time and the client thread's CPU time, printed as a
//! Markdown table of p50 latency, throughput and CPU per call with the transport's ratio
//! to plain reqwest. The client runs on a current-thread runtime on the bench's own thread
//! and the server on a runtime of its own in another thread, so the client thread's CPU
//! time (`/proc/thread-self/schedstat`) is the client's alone.
//!
//! With `PAY_HTTP_BENCH_SIDE=plain_reqwest` or `=pay_http` it makes 3000 sequential calls
//! of one side only and exits, for counting instructions under callgrind.

use std::io::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use pay_core::{ContentType, Method, Operation, OperationKind, ProviderId};
use pay_http::{PlainHooks, Request, Transport};
use pay_testkit::FakeServer;
use pay_testkit::testing::Ledger;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

static ECHO: Operation = Operation {
    id: "echo",
    kind: OperationKind::Path,
    method: Method::Post,
    path: "/echo",
    summary: "",
    auth: &[],
    content_types: &[ContentType::Json],
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
};

const CONCURRENCY: usize = 64;

/// The two ways of making the same exchange.
#[derive(Clone)]
struct Sides {
    client: reqwest::Client,
    url: String,
    transport: Transport<PlainHooks>,
    body: Bytes,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Plain,
    Transport,
}

impl Sides {
    async fn call(&self, side: Side) {
        match side {
            Side::Plain => {
                let response = self
                    .client
                    .post(&self.url)
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(self.body.clone())
                    .send()
                    .await
                    .expect("plain send");
                assert_eq!(response.status(), 200);
                let body = response.bytes().await.expect("plain body");
                assert!(!body.is_empty());
            }
            Side::Transport => {
                let response = self
                    .transport
                    .send(Request::new(&ECHO, "/echo").body(ContentType::Json, self.body.clone()))
                    .await
                    .expect("transport send");
                assert_eq!(response.status(), 200);
                assert!(!response.body().is_empty());
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
            let sides = self.clone();
            let share = calls / concurrency + usize::from(worker < calls % concurrency);
            tasks.spawn(async move {
                let mut latencies = Vec::with_capacity(share);
                for _ in 0..share {
                    let started = Instant::now();
                    sides.call(side).await;
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

/// This thread's CPU time so far, from `/proc/thread-self/schedstat` (nanoseconds on the
/// CPU), which needs no unsafe code.
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("/proc/thread-self/schedstat (Linux)");
    let nanos = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("schedstat's first field");
    Duration::from_nanos(nanos)
}

fn criterion_part(c: &mut Criterion, runtime: &Runtime, sides: &Sides) {
    for (group_name, concurrency) in [("sequential", 1), ("concurrent_64", CONCURRENCY)] {
        let mut group = c.benchmark_group(group_name);
        group.throughput(Throughput::Elements(1));
        for (name, side) in [
            ("plain_reqwest", Side::Plain),
            ("pay_http", Side::Transport),
        ] {
            group.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let calls = usize::try_from(iters).unwrap_or(usize::MAX);
                    runtime.block_on(async {
                        let started = Instant::now();
                        sides.run(side, calls, concurrency).await;
                        started.elapsed()
                    })
                });
            });
        }
        group.finish();
    }
}

/// One side's measurements over all rounds: every call's latency, and per round the
/// throughput and the CPU time per call. Throughput and CPU are reported as medians over
/// rounds, so a burst of load from elsewhere on the machine moves one round, not the figure.
#[derive(Default)]
struct Totals {
    latencies: Vec<Duration>,
    throughputs: Vec<u128>,
    cpu_per_call: Vec<Duration>,
}

impl Totals {
    fn add_round(&mut self, latencies: Vec<Duration>, wall: Duration, cpu: Duration) {
        let calls = u32::try_from(latencies.len()).expect("calls fit in u32");
        self.throughputs
            .push(u128::from(calls) * 1_000_000 / wall.as_micros().max(1));
        self.cpu_per_call.push(cpu / calls);
        self.latencies.extend(latencies);
    }

    fn p50(&mut self) -> Duration {
        self.latencies.sort_unstable();
        self.latencies[self.latencies.len() / 2]
    }

    fn calls(&self) -> usize {
        self.latencies.len()
    }

    fn throughput_per_s(&mut self) -> u128 {
        self.throughputs.sort_unstable();
        self.throughputs[self.throughputs.len() / 2]
    }

    fn cpu_per_call(&mut self) -> Duration {
        self.cpu_per_call.sort_unstable();
        self.cpu_per_call[self.cpu_per_call.len() / 2]
    }
}

/// A duration shown in microseconds with decimals, in integer arithmetic.
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

/// Ratio `a / b` as text with two decimals, in integer arithmetic.
fn ratio(a: u128, b: u128) -> String {
    let hundredths = (a * 100 + b / 2) / b.max(1);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

fn ratio_report(
    runtime: &Runtime,
    sides: &Sides,
    server: &FakeServer<Ledger>,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\n| mode | side | calls | p50 latency | throughput (calls/s) | CPU per call |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    let mut ratios = Vec::new();
    for (mode, concurrency, rounds, per_round) in [
        ("sequential", 1, 20, 2_000),
        ("64 concurrent", CONCURRENCY, 20, 6_400),
    ] {
        // Warm both sides (connections, allocator) before measuring.
        for side in [Side::Plain, Side::Transport] {
            runtime.block_on(sides.run(side, per_round / 4, concurrency));
        }
        let mut plain = Totals::default();
        let mut ours = Totals::default();
        for round in 0..rounds {
            // Alternate which side goes first, so drift hits both alike.
            let order = if round % 2 == 0 {
                [Side::Plain, Side::Transport]
            } else {
                [Side::Transport, Side::Plain]
            };
            for side in order {
                server.clear_requests();
                let cpu = thread_cpu();
                let started = Instant::now();
                let latencies = runtime.block_on(sides.run(side, per_round, concurrency));
                let wall = started.elapsed();
                let cpu = thread_cpu() - cpu;
                let totals = if side == Side::Plain {
                    &mut plain
                } else {
                    &mut ours
                };
                totals.add_round(latencies, wall, cpu);
            }
        }
        for (name, totals) in [("plain reqwest", &mut plain), ("pay-http", &mut ours)] {
            writeln!(
                out,
                "| {mode} | {name} | {} | {:.1} µs | {} | {:.2} µs |",
                totals.calls(),
                Micros(totals.p50()),
                totals.throughput_per_s(),
                Micros(totals.cpu_per_call())
            )?;
        }
        ratios.push((
            mode,
            ratio(ours.p50().as_nanos(), plain.p50().as_nanos()),
            ratio(ours.throughput_per_s(), plain.throughput_per_s()),
            ratio(
                ours.cpu_per_call().as_nanos(),
                plain.cpu_per_call().as_nanos(),
            ),
        ));
    }
    writeln!(
        out,
        "\n| mode | p50 ratio (goal ≤ 1.05) | throughput ratio (goal ≥ 0.95) | CPU per call ratio (goal ≤ 1.10) |"
    )?;
    writeln!(out, "|---|---|---|---|")?;
    for (mode, p50, throughput, cpu) in ratios {
        writeln!(out, "| {mode} | {p50} | {throughput} | {cpu} |")?;
    }
    Ok(())
}

fn main() {
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let server = server_runtime
        .block_on(FakeServer::start(Ledger::new()))
        .expect("server");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    // The client the transport would build, shared by both sides.
    let client = reqwest::Client::builder()
        .tls_backend_rustls()
        .connect_timeout(Duration::from_secs(10))
        .user_agent("pay-http-bench")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let transport = Transport::builder(ProviderId::new("bench"), server.base_url(), PlainHooks)
        .client(client.clone())
        .build()
        .expect("transport");
    let sides = Sides {
        client,
        url: server.url("/echo"),
        transport,
        body: Bytes::from(format!(
            r#"{{"amount":"12.50","currency":"EUR","reference":"order-2026-000042","customer":{{"name":"Jeanne Martin","email":"jeanne@example.com"}},"pad":"{}"}}"#,
            "x".repeat(64)
        )),
    };

    // For an instruction count under `valgrind --tool=callgrind` (see docs/benchmarks.md):
    // one side only, 1000 warm-up calls then 2000 measured, no criterion.
    if let Ok(name) = std::env::var("PAY_HTTP_BENCH_SIDE") {
        let side = if name == "plain_reqwest" {
            Side::Plain
        } else {
            Side::Transport
        };
        runtime.block_on(sides.run(side, 1_000, 1));
        runtime.block_on(sides.run(side, 2_000, 1));
        server_runtime
            .block_on(server.shutdown())
            .expect("the fake server stayed healthy");
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_part(&mut criterion, &runtime, &sides);
    criterion.final_summary();

    // `cargo bench` passes `--bench`; a `cargo test --benches` run only checks it builds
    // and runs once, briefly.
    if std::env::args().any(|a| a == "--bench") {
        ratio_report(&runtime, &sides, &server).expect("stdout");
    }
    server_runtime
        .block_on(server.shutdown())
        .expect("the fake server stayed healthy");
}
