//! The server core: starting in one line, routing to the provider, keep-alive, the shared
//! clock, fixed ports, limits, and failing the test when the provider misbehaves.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use pay_core::{ManualClock, from_unix_seconds, unix_seconds};
use pay_testkit::testing::Ledger;
use pay_testkit::{FakeServer, Fault, ResourceKind, Route};
use tokio::io::AsyncReadExt;

use crate::support::{call, hyper_client, request, within};

#[tokio::test]
async fn starts_in_one_line_and_serves_every_route() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        let base = server.base_url().to_owned();
        assert_eq!(base, format!("http://127.0.0.1:{}", server.addr().port()));
        assert_eq!(server.url("/entries"), format!("{base}/entries"));
        assert!(server.addr().ip().is_loopback());

        let created = call(server.addr(), "POST", "/entries", &[], b"first").await;
        assert_eq!(created.status, 201);
        assert_eq!(created.header("content-type"), Some("application/json"));
        let json: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
        assert_eq!(json["id"], "e1");

        let got = call(server.addr(), "GET", "/entries/e1", &[], b"").await;
        assert_eq!(got.status, 200);
        let json: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
        assert_eq!(json["body"], "first");
        assert_eq!(
            call(server.addr(), "GET", "/entries/e2", &[], b"")
                .await
                .status,
            404
        );
        assert_eq!(
            call(server.addr(), "GET", "/entries", &[], b"")
                .await
                .text(),
            r#"{"count":1}"#
        );
        let echo = call(server.addr(), "PUT", "/echo?a=1", &[], b"hi").await;
        assert_eq!(
            echo.text(),
            r#"{"method":"PUT","path":"/echo","query":"a=1","body":"hi"}"#
        );
        assert_eq!(
            call(server.addr(), "GET", "/nowhere", &[], b"")
                .await
                .status,
            404
        );

        let operations: Vec<Option<&str>> =
            server.requests().iter().map(|r| r.operation()).collect();
        assert_eq!(
            operations,
            [
                Some("entry_create"),
                Some("entry_get"),
                Some("entry_get"),
                Some("entry_list"),
                Some("echo"),
                None
            ]
        );
        let seqs: Vec<u64> = server.requests().iter().map(|r| r.seq()).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);

        let snapshot = server.snapshot();
        let entry = snapshot
            .get(&ResourceKind::Other("entry".to_owned()), "e1")
            .unwrap();
        assert_eq!(entry.status(), "created");
        assert_eq!(entry.field("body"), Some("first"));
        assert_eq!(server.provider().len(), 1);

        server.clear_requests();
        assert!(server.requests().is_empty());
        assert!(server.problems().is_empty());
        assert!(format!("{server:?}").contains("ledger"));
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn servers_are_independent() {
    within(async {
        let a = FakeServer::start(Ledger::new()).await.unwrap();
        let b = FakeServer::start(Ledger::new()).await.unwrap();
        assert_ne!(a.addr(), b.addr());
        call(a.addr(), "POST", "/entries", &[], b"x").await;
        assert_eq!(a.provider().len(), 1);
        assert_eq!(b.provider().len(), 0);
        assert!(b.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn one_connection_serves_several_requests() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        let mut client = hyper_client(server.addr()).await;
        for expected in ["e1", "e2", "e3"] {
            let response = client
                .send_request(request("POST", "/entries", "x"))
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            assert!(String::from_utf8_lossy(&body).contains(expected));
        }
        assert_eq!(server.provider().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn the_clock_is_shared_with_the_test() {
    within(async {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(Ledger::new())
            .await
            .unwrap();
        let first = call(server.addr(), "POST", "/entries", &[], b"a").await;
        assert!(first.text().contains(r#""created_at":"1700000000""#));
        clock.advance(Duration::from_secs(60));
        let second = call(server.addr(), "POST", "/entries", &[], b"b").await;
        assert!(second.text().contains(r#""created_at":"1700000060""#));
        let times: Vec<i64> = server
            .requests()
            .iter()
            .map(|r| unix_seconds(r.received_at()))
            .collect();
        assert_eq!(times, [1_700_000_000, 1_700_000_060]);
        assert_eq!(unix_seconds(server.clock().now()), 1_700_000_060);
    })
    .await;
}

#[tokio::test]
async fn a_fixed_port_is_used_or_refused() {
    within(async {
        let holder = FakeServer::start(Ledger::new()).await.unwrap();
        let taken = holder.addr().port();
        let err = FakeServer::builder()
            .port(taken)
            .start(Ledger::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
        holder.shutdown().await.unwrap();
        // The port is free again; binding it explicitly works.
        let server = FakeServer::builder()
            .port(taken)
            .start(Ledger::new())
            .await
            .unwrap();
        assert_eq!(server.addr().port(), taken);
        assert_eq!(
            call(server.addr(), "GET", "/entries", &[], b"")
                .await
                .status,
            200
        );
    })
    .await;
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    within(async {
        let server = FakeServer::builder()
            .max_body(8)
            .start(Ledger::new())
            .await
            .unwrap();
        let answer = call(server.addr(), "POST", "/entries", &[], b"0123456789").await;
        assert_eq!(answer.status, 413);
        assert!(server.provider().is_empty());
        assert!(server.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_provider_panic_fails_shutdown() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        let answer = call(server.addr(), "POST", "/panic", &[], b"").await;
        assert_eq!(answer.status, 500);
        assert!(answer.text().contains("panicked"));
        assert_eq!(server.problems().len(), 1);
        let problems = server.shutdown().await.unwrap_err();
        assert_eq!(problems.0.len(), 1);
        assert!(
            problems.0[0]
                .contains("provider `ledger` panicked in handle: the ledger was asked to panic"),
            "{problems}"
        );
        assert!(
            problems
                .to_string()
                .starts_with("pay-testkit: the fake server had 1 problem(s):")
        );
    })
    .await;
}

#[tokio::test]
async fn a_provider_panic_fails_the_drop() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        call(server.addr(), "POST", "/panic", &[], b"").await;
        let dropped = std::panic::catch_unwind(AssertUnwindSafe(move || drop(server)));
        let payload = dropped.unwrap_err();
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains("the ledger was asked to panic"),
            "{message}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_invalid_answer_is_a_problem() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        let answer = call(server.addr(), "POST", "/invalid-answer", &[], b"").await;
        assert_eq!(answer.status, 500);
        let problems = server.shutdown().await.unwrap_err();
        assert!(
            problems.0[0].contains("status 42 is not an HTTP status"),
            "{problems}"
        );
    })
    .await;
}

#[tokio::test]
async fn shutdown_closes_hanging_connections() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        server
            .faults()
            .on(Route::any())
            .then(Fault::Hang)
            .then_normal();
        let addr = server.addr();
        let client =
            tokio::spawn(
                async move { crate::support::raw(addr, "POST", "/entries", &[], b"x").await },
            );
        // Wait until the server has the request, then stop it.
        while server.requests().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.shutdown().await.unwrap();
        // The client is released: the connection was closed without an answer.
        let received = client.await.unwrap();
        assert!(received.map(|bytes| bytes.is_empty()).unwrap_or(true));
    })
    .await;
}

#[tokio::test]
async fn a_dropped_server_refuses_connections() {
    within(async {
        let server = FakeServer::start(Ledger::new()).await.unwrap();
        let addr = server.addr();
        let mut open = tokio::net::TcpStream::connect(addr).await.unwrap();
        drop(server);
        // The open connection is closed and new ones are refused.
        let mut buf = [0u8; 1];
        let read = open.read(&mut buf).await;
        assert!(matches!(read, Ok(0) | Err(_)));
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    })
    .await;
}
