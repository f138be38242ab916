//! Count: how many Easytransac V2 token requests (`POST /v2/auth`) 1 000 concurrent V2
//! calls through one client make (issue 13, item 5b; the goal is exactly 1).
//!
//! Run with (results live in `docs/benchmarks.md`):
//!
//! ```sh
//! cargo bench -p pay-proofs --bench token_flight
//! ```
//!
//! On a two-worker runtime, so the calls really run in parallel, against pay-testkit's
//! Easytransac fake on 127.0.0.1 sharing a manual clock with the client: for each of three
//! fresh clients, 1 000 concurrent `GET /v2/transaction/status` calls with no token
//! cached, 1 000 more with the token cached, then the clock moved past the token's
//! lifetime and 1 000 more. It prints, per round, the calls answered and the tokens the
//! fake issued (`tokens_issued`) and the client requested (`token_requests`), and exits
//! non-zero when a round needed other than 1, 0 and 1 token.

// A benchmark's job is to print its report.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use pay_core::wire::MinorUnits;
use pay_core::{CallOptions, ManualClock, from_unix_seconds};
use pay_easytransac::{EasytransacClient, wire};
use pay_testkit::FakeServer;
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, TEST_API_KEY, cards};
use secrecy::SecretString;
use tokio::task::JoinSet;

const CALLS: usize = 1_000;

fn client(base: &str, clock: &ManualClock) -> EasytransacClient {
    EasytransacClient::builder(SecretString::from(TEST_API_KEY))
        .base_url(base)
        .clock(Arc::new(clock.clone()))
        .build()
        .expect("client")
}

/// `CALLS` concurrent V2 status reads of `tid`; how many found it captured.
async fn statuses(client: &EasytransacClient, tid: &str) -> usize {
    let mut set = JoinSet::new();
    for _ in 0..CALLS {
        let client = client.clone();
        let query = wire::V2TransactionStatusQuery {
            tid: Some(tid.to_owned()),
            order_id: None,
        };
        set.spawn(async move {
            client
                .transactions()
                .status(&query, &CallOptions::new())
                .await
        });
    }
    let mut ok = 0;
    while let Some(done) = set.join_next().await {
        let answer = done.expect("task").expect("status");
        assert_eq!(answer.data.status, wire::V2TransactionStatus::Captured);
        ok += 1;
    }
    ok
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let server = FakeServer::builder()
        .clock(clock.clone())
        .start(EasytransacFake::new(EasytransacConfig::new(
            SecretString::from(TEST_API_KEY),
        )))
        .await
        .expect("fake");
    let mut payment = wire::V1DirectPaymentRequest::new(
        MinorUnits(1250),
        cards::SUCCESS.to_owned(),
        "09".to_owned(),
        "2030".to_owned(),
        "123".to_owned(),
        "89.184.22.134".to_owned(),
    );
    payment.order_id = Some("order-token-flight".to_owned());
    let tid = client(server.base_url(), &clock)
        .payments()
        .direct(&payment, &CallOptions::new())
        .await
        .expect("payment")
        .tid;

    println!(
        "| client | round | concurrent calls | answered | wall time | tokens issued by the fake | token requests by the client |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut failures = Vec::new();
    for n in 1..=3 {
        let client = client(server.base_url(), &clock);
        for (round, expected) in [
            ("no token cached", 1),
            ("token cached", 0),
            ("token expired (clock + 301 s)", 1),
        ] {
            if expected == 1 && client.token_requests() > 0 {
                clock.advance(Duration::from_secs(301));
            }
            let issued = server.provider().tokens_issued();
            let requested = client.token_requests();
            let started = Instant::now();
            let answered = statuses(&client, &tid).await;
            let wall = started.elapsed();
            let issued = server.provider().tokens_issued() - issued;
            let requested = client.token_requests() - requested;
            println!(
                "| {n} | {round} | {CALLS} | {answered} | {} ms | {issued} | {requested} |",
                wall.as_millis()
            );
            if answered != CALLS || issued != expected || requested != expected {
                failures.push(format!(
                    "client {n}, {round}: {issued} tokens, expected {expected}"
                ));
            }
        }
    }
    server.shutdown().await.expect("the fake stayed healthy");
    assert!(failures.is_empty(), "{failures:?}");
}
