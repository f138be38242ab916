//! Figures: the client's memory and throughput with 10 000 requests in flight through one
//! client, and its resident memory across 100 000 calls (issue 13, item 5c; the goal is at
//! most 10 MB of growth).
//!
//! Run with (results live in `docs/benchmarks.md`):
//!
//! ```sh
//! cargo bench -p pay-proofs --bench memory
//! ```
//!
//! The fakes run in a child process (this same binary, started with
//! `PAY_PROOFS_FAKE_DELAY_MS`), so this process's memory (`VmRSS`, `VmHWM` from
//! `/proc/self/status`) is the client's alone and the two processes' sockets count
//! against separate descriptor limits. The client is one `EasypayClient` on a
//! current-thread runtime.
//!
//! 1. Growth: 5 000 warm-up calls, then 100 000 calls 64 at a time (alternately
//!    `POST /2.0/single` and `GET /2.0/single/{id}`), `VmRSS` read every 25 000. Each of
//!    the 64 workers repeats its creates under one idempotency key, so the fake answers
//!    them from what it stored and its state stays small.
//! 2. In flight: against a fake whose `GET /2.0/single/{id}` answers after a 2 s delay,
//!    three waves of 10 000 concurrent gets through one client. Per wave: the wall time,
//!    the throughput, the most calls in flight at once as counted by the client, and the
//!    mean number in flight by Little's law (the sum of latencies over the wall time).
//!    `VmHWM` after the waves is the peak.
//!
//! Under `cargo test --benches` (no `--bench` argument) it runs a small version of each.

// A benchmark's job is to print its report.
#![allow(clippy::print_stdout)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pay_core::{CallOptions, IdempotencyKey};
use pay_easypay::{AccountId, ApiKey, EasypayClient, PaymentId, wire};
use pay_testkit::easypay::{EasypayConfig, EasypayFake};
use pay_testkit::{FakeServer, Fault, Route};
use tokio::task::JoinSet;

const ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
const API_KEY: &str = "bench-api-key-6666";
const DELAY_VAR: &str = "PAY_PROOFS_FAKE_DELAY_MS";
const CREATE: &str = r#"{"type":"sale","value":12.50,"method":"mb","currency":"EUR","key":"order-2026-000042","customer":{"name":"Ana Silva","email":"ana.silva@example.org"},"capture":{"descriptive":"Order 2026-000042"}}"#;

/// The child's job: serve the Easypay fake, with every single get delayed by `delay`
/// when it is not zero, print its base URL, and stop when its standard input closes.
fn serve(delay: Duration) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime
        .block_on(FakeServer::start(EasypayFake::new(EasypayConfig::new(
            ACCOUNT, API_KEY,
        ))))
        .expect("fake");
    if !delay.is_zero() {
        server
            .faults()
            .on(Route::new("GET", "/2.0/single/{id}"))
            .then(Fault::Delay(delay))
            .then_repeat_last();
    }
    println!("{}", server.base_url());
    // The request log would grow by every request; clear it now and then.
    let server = Arc::new(server);
    let log = runtime.spawn({
        let server = Arc::clone(&server);
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                server.clear_requests();
            }
        }
    });
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    log.abort();
    // The parent is done: leave without tearing the server down.
    std::process::exit(0);
}

/// A fake in a child process; dropped, it closes the child's input and waits for it.
struct ChildFake {
    child: Child,
    base: String,
}

impl ChildFake {
    fn start(delay: Duration) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("this binary"))
            .env(DELAY_VAR, delay.as_millis().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("child fake");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the child's base URL");
        Self {
            child,
            base: line.trim().to_owned(),
        }
    }
}

impl Drop for ChildFake {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// `VmRSS` and `VmHWM` of this process, in kB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("a memory field")
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn client(base: &str) -> EasypayClient {
    EasypayClient::builder(AccountId::new(ACCOUNT), ApiKey::new(API_KEY))
        .base_url(format!("{base}/2.0"))
        .retry_policy(pay_core::RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// `calls` calls, `concurrency` at a time, alternately a create and a get of `id`.
async fn mixed(client: &EasypayClient, id: &PaymentId, calls: usize, concurrency: usize) {
    let request: Arc<wire::SingleCreateRequest> =
        Arc::new(serde_json::from_str(CREATE).expect("request"));
    let mut tasks = JoinSet::new();
    for worker in 0..concurrency {
        let (client, id, request) = (client.clone(), id.clone(), Arc::clone(&request));
        let share = calls / concurrency + usize::from(worker < calls % concurrency);
        // One idempotency key per worker: the fake answers its creates after the first
        // from what it stored (the client's work is the same), so the fake's state, and
        // its cost per request, stay constant over the 100 000 calls.
        let create = CallOptions::new()
            .idempotency_key(IdempotencyKey::new(format!("bench-memory-{worker}")).expect("key"));
        tasks.spawn(async move {
            for n in 0..share {
                if n % 2 == 0 {
                    let created = client
                        .single()
                        .create(&request, &create)
                        .await
                        .expect("create");
                    assert!(created.id.is_some());
                } else {
                    client
                        .single()
                        .get(&id, &CallOptions::new())
                        .await
                        .expect("get");
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a task panicked");
    }
}

async fn first_single(client: &EasypayClient) -> PaymentId {
    let request: wire::SingleCreateRequest = serde_json::from_str(CREATE).expect("request");
    let id = client
        .single()
        .create(&request, &CallOptions::new())
        .await
        .expect("create")
        .id
        .expect("id");
    PaymentId::new(id).expect("payment id")
}

fn mb(kb: u64) -> String {
    format!("{}.{} MB", kb / 1024, (kb % 1024) * 10 / 1024)
}

async fn growth(calls: usize) {
    let fake = ChildFake::start(Duration::ZERO);
    let client = client(&fake.base);
    let id = first_single(&client).await;
    mixed(&client, &id, 5_000.min(calls), 64).await;
    let (start, _) = memory();
    println!("\n| calls after warm-up | VmRSS | growth since warm-up | throughput (calls/s) |");
    println!("|---|---|---|---|");
    println!("| 0 | {} | 0.0 MB | |", mb(start));
    let step = calls / 4;
    let mut end = start;
    for n in 1..=4 {
        let started = Instant::now();
        mixed(&client, &id, step, 64).await;
        let wall = started.elapsed();
        end = memory().0;
        let rate = u128::try_from(step).unwrap_or(0) * 1_000_000 / wall.as_micros().max(1);
        println!(
            "| {} | {} | {}{} | {rate} |",
            step * n,
            mb(end),
            if end < start { "-" } else { "" },
            mb(end.abs_diff(start)),
        );
    }
    println!(
        "\nRSS growth over {} calls: {}{} (goal ≤ 10 MB)",
        step * 4,
        if end < start { "-" } else { "" },
        mb(end.abs_diff(start))
    );
}

async fn in_flight(per_wave: usize, delay: Duration) {
    let fake = ChildFake::start(delay);
    let client = client(&fake.base);
    let id = first_single(&client).await;
    let (before, _) = memory();
    println!(
        "\n{per_wave} concurrent `GET /2.0/single/{{id}}` per wave, each answered after {} ms; VmRSS before: {}",
        delay.as_millis(),
        mb(before)
    );
    println!(
        "\n| wave | wall time | throughput (calls/s) | most in flight (client count) | mean in flight (Little) | p50 latency | max latency | VmRSS after |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for wave in 1..=3 {
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = JoinSet::new();
        for _ in 0..per_wave {
            let (client, id, now, most) = (
                client.clone(),
                id.clone(),
                Arc::clone(&now),
                Arc::clone(&most),
            );
            tasks.spawn(async move {
                let began = Instant::now();
                let n = now.fetch_add(1, Ordering::Relaxed) + 1;
                most.fetch_max(n, Ordering::Relaxed);
                let answer = client.single().get(&id, &CallOptions::new()).await;
                now.fetch_sub(1, Ordering::Relaxed);
                answer.expect("get");
                began.elapsed()
            });
        }
        let mut latencies = Vec::with_capacity(per_wave);
        while let Some(done) = tasks.join_next().await {
            latencies.push(done.expect("a task panicked"));
        }
        let wall = started.elapsed();
        latencies.sort_unstable();
        let total: Duration = latencies.iter().sum();
        let little = total.as_micros() * 10 / wall.as_micros().max(1);
        let rate = u128::try_from(per_wave).unwrap_or(0) * 1_000_000 / wall.as_micros().max(1);
        println!(
            "| {wave} | {} ms | {rate} | {} | {}.{} | {} ms | {} ms | {} |",
            wall.as_millis(),
            most.load(Ordering::Relaxed),
            little / 10,
            little % 10,
            latencies[latencies.len() / 2].as_millis(),
            latencies[latencies.len() - 1].as_millis(),
            mb(memory().0),
        );
    }
    let (after, peak) = memory();
    println!(
        "\nVmHWM (peak) {}, {} above VmRSS before the waves; VmRSS after {}",
        mb(peak),
        mb(peak.saturating_sub(before)),
        mb(after)
    );
}

fn main() {
    if let Ok(delay) = std::env::var(DELAY_VAR) {
        serve(Duration::from_millis(delay.parse().expect("a delay in ms")));
        return;
    }
    let benching = std::env::args().any(|a| a == "--bench");
    let (calls, per_wave) = if benching {
        (100_000, 10_000)
    } else {
        (2_000, 500)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    runtime.block_on(growth(calls));
    runtime.block_on(in_flight(per_wave, Duration::from_secs(2)));
}
