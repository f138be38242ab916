//! Every fault kind, seen from a plain HTTP client: what arrives on the socket, and
//! whether the provider applied the request.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use pay_testkit::testing::Ledger;
use pay_testkit::{
    Context, FakeProvider, FakeRequest, FakeResponse, FakeServer, Fault, FaultKind, Route,
};

use crate::support::{call, hyper_client, hyper_send, parse, raw, request, within};

async fn ledger() -> FakeServer<Ledger> {
    FakeServer::start(Ledger::new()).await.unwrap()
}

fn create() -> Route {
    Route::new("POST", "/entries")
}

#[tokio::test]
async fn statuses_in_sequence_then_normal() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::status(503))
            .then(Fault::status(503))
            .then_normal();
        for _ in 0..2 {
            let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
            assert_eq!(answer.status, 503);
            assert_eq!(answer.header("content-type"), Some("application/json"));
            assert_eq!(
                answer.text(),
                r#"{"error":{"status":503,"message":"injected fault"}}"#
            );
        }
        assert!(server.provider().is_empty());
        assert_eq!(
            call(server.addr(), "POST", "/entries", &[], b"x")
                .await
                .status,
            201
        );
        assert_eq!(server.provider().len(), 1);
        let faults: Vec<Option<FaultKind>> = server.requests().iter().map(|r| r.fault()).collect();
        assert_eq!(
            faults,
            [Some(FaultKind::Status), Some(FaultKind::Status), None]
        );
        assert_eq!(server.faults().remaining(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_status_with_its_own_body_and_headers() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::Status {
                status: 400,
                headers: vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    ("x-request-id".to_owned(), "req-1".to_owned()),
                ],
                body: Some(br#"{"status":"error","message":["bad key"]}"#.to_vec()),
            })
            .then_normal();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert_eq!(answer.status, 400);
        assert_eq!(answer.header("x-request-id"), Some("req-1"));
        assert_eq!(answer.text(), r#"{"status":"error","message":["bad key"]}"#);
    })
    .await;
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::RateLimited {
                retry_after: Duration::from_millis(1500),
            })
            .then_normal();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.header("retry-after"), Some("2"));
        assert!(answer.text().contains(r#""status":429"#));
        assert!(server.provider().is_empty());
    })
    .await;
}

#[tokio::test]
async fn delay_then_normal() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::Delay(Duration::from_millis(300)))
            .then_normal();
        let started = Instant::now();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(answer.status, 201);
        assert_eq!(server.provider().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn hang_until_the_client_gives_up() {
    within(async {
        let server = ledger().await;
        server.faults().on(create()).then(Fault::Hang).then_normal();
        let gave_up = tokio::time::timeout(
            Duration::from_millis(300),
            raw(server.addr(), "POST", "/entries", &[], b"x"),
        )
        .await;
        assert!(gave_up.is_err(), "the server answered: {gave_up:?}");
        assert!(server.provider().is_empty());
        // The next request is answered normally.
        assert_eq!(
            call(server.addr(), "POST", "/entries", &[], b"x")
                .await
                .status,
            201
        );
    })
    .await;
}

#[tokio::test]
async fn reset_without_an_answer() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::Reset)
            .then_normal();
        let err = raw(server.addr(), "POST", "/entries", &[], b"x")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        assert!(server.provider().is_empty());
        assert_eq!(server.requests()[0].fault(), Some(FaultKind::Reset));
    })
    .await;
}

#[tokio::test]
async fn empty_response_closes_cleanly() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::EmptyResponse)
            .then_normal();
        let received = raw(server.addr(), "POST", "/entries", &[], b"x")
            .await
            .unwrap();
        assert!(received.is_empty(), "{received:?}");
        assert!(server.provider().is_empty());
    })
    .await;
}

#[tokio::test]
async fn truncated_body_is_applied_and_cut_short() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::TruncatedBody)
            .then_normal();
        let answer = parse(
            &raw(server.addr(), "POST", "/entries", &[], b"x")
                .await
                .unwrap(),
        );
        assert_eq!(answer.status, 201);
        let full = br#"{"id":"e1","created_at":""#;
        let declared = answer.declared_len().unwrap();
        assert!(
            answer.body.len() < declared,
            "{} of {declared}",
            answer.body.len()
        );
        assert!(full.starts_with(&answer.body));
        assert_eq!(server.provider().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn malformed_body_is_applied_and_not_json() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::MalformedBody)
            .then_normal();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());
        assert_eq!(server.provider().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn html_error_page() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::HtmlError)
            .then_normal();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert_eq!(answer.status, 502);
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(answer.text().contains("<h1>502 Bad Gateway</h1>"));
        assert!(server.provider().is_empty());
    })
    .await;
}

#[tokio::test]
async fn wrong_content_type_is_applied() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::WrongContentType)
            .then_normal();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert_eq!(answer.status, 201);
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(answer.text().starts_with(r#"{"id":"e1""#));
        assert_eq!(server.provider().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn applied_then_lost_proves_idempotency() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::AppliedThenLost)
            .then_normal();
        let key = [("Idempotency-Key", "order-42")];
        let err = raw(server.addr(), "POST", "/entries", &key, b"pay 10")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        // The write happened although the client saw nothing.
        assert_eq!(server.provider().len(), 1);
        assert_eq!(server.provider().body_of("e1").as_deref(), Some("pay 10"));
        // Retrying with the same key finds the first write instead of making a second.
        let retry = call(server.addr(), "POST", "/entries", &key, b"pay 10").await;
        assert_eq!(retry.status, 201);
        assert_eq!(retry.header("idempotency-replay"), Some("true"));
        assert!(retry.text().starts_with(r#"{"id":"e1""#));
        assert_eq!(server.provider().len(), 1);
        // Reconciliation by reading back works too.
        assert_eq!(
            call(server.addr(), "GET", "/entries/e1", &[], b"")
                .await
                .status,
            200
        );
    })
    .await;
}

#[tokio::test]
async fn applied_then_status_applies_and_answers_the_error() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::AppliedThenStatus(502))
            .then_normal();
        let key = [("Idempotency-Key", "order-7")];
        let answer = call(server.addr(), "POST", "/entries", &key, b"pay 7").await;
        assert_eq!(answer.status, 502);
        assert_eq!(
            answer.text(),
            r#"{"error":{"status":502,"message":"injected fault"}}"#
        );
        // The write happened although the client was told it failed.
        assert_eq!(server.provider().len(), 1);
        let retry = call(server.addr(), "POST", "/entries", &key, b"pay 7").await;
        assert_eq!(retry.status, 201);
        assert_eq!(retry.header("idempotency-replay"), Some("true"));
        assert_eq!(server.provider().len(), 1);
        assert_eq!(
            server.requests()[0].fault(),
            Some(FaultKind::AppliedThenStatus)
        );
    })
    .await;
}

#[tokio::test]
async fn applied_then_hang_applies_and_never_answers() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::AppliedThenHang)
            .then_normal();
        let gave_up = tokio::time::timeout(
            Duration::from_millis(300),
            raw(server.addr(), "POST", "/entries", &[], b"x"),
        )
        .await;
        assert!(gave_up.is_err(), "the server answered: {gave_up:?}");
        assert_eq!(server.provider().len(), 1, "applied before hanging");
        assert_eq!(
            call(server.addr(), "POST", "/entries", &[], b"x")
                .await
                .status,
            201
        );
        assert_eq!(server.provider().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn slow_body_sends_the_head_at_once_and_the_body_in_pieces() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::SlowBody {
                chunks: 4,
                over: Duration::from_millis(400),
            })
            .then_normal();
        let mut client = hyper_client(server.addr()).await;
        let started = Instant::now();
        let response = client
            .send_request(request("POST", "/entries", "x"))
            .await
            .unwrap();
        let head_after = started.elapsed();
        assert_eq!(response.status(), 201);
        assert!(head_after < Duration::from_millis(200), "{head_after:?}");
        // Applied before the body started.
        assert_eq!(server.provider().len(), 1);
        let declared: usize = response.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut body = response.into_body();
        let mut pieces = Vec::new();
        while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
            if let Ok(data) = frame.unwrap().into_data() {
                pieces.push((started.elapsed(), data));
            }
        }
        let whole: Vec<u8> = pieces.iter().flat_map(|(_, d)| d.to_vec()).collect();
        assert_eq!(whole.len(), declared);
        assert!(whole.starts_with(br#"{"id":"e1""#));
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        assert!(
            pieces[0].0 >= Duration::from_millis(90),
            "the first piece waits too: {:?}",
            pieces[0].0
        );
        assert!(started.elapsed() >= Duration::from_millis(400));
        // A client whose patience ends before the body does sees the head but not the end.
        server
            .faults()
            .on(create())
            .then(Fault::SlowBody {
                chunks: 10,
                over: Duration::from_secs(5),
            })
            .then_normal();
        let late = tokio::time::timeout(
            Duration::from_millis(300),
            raw(server.addr(), "POST", "/entries", &[], b"x"),
        )
        .await;
        assert!(late.is_err(), "the whole body arrived: {late:?}");
        assert_eq!(server.provider().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn slow_body_with_zero_chunks_sends_one_piece_after_the_whole_wait() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::SlowBody {
                chunks: 0,
                over: Duration::from_millis(300),
            })
            .then_normal();
        let started = Instant::now();
        let answer = call(server.addr(), "POST", "/entries", &[], b"x").await;
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(answer.status, 201);
        assert_eq!(Some(answer.body.len()), answer.declared_len());
        assert!(answer.text().starts_with(r#"{"id":"e1""#));
    })
    .await;
}

#[tokio::test]
async fn what_a_hyper_client_sees() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(create())
            .then(Fault::Reset)
            .then(Fault::EmptyResponse)
            .then(Fault::AppliedThenLost)
            .then(Fault::TruncatedBody)
            .then_normal();
        for _ in 0..3 {
            let result = hyper_send(server.addr(), request("POST", "/entries", "x")).await;
            assert!(result.is_err(), "{result:?}");
        }
        // The truncated answer's head arrives, then reading the body fails.
        let mut client = hyper_client(server.addr()).await;
        let response = client
            .send_request(request("POST", "/entries", "x"))
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body = http_body_util::BodyExt::collect(response.into_body()).await;
        assert!(body.is_err(), "the body should end early");
        assert_eq!(
            server.provider().len(),
            2,
            "applied-then-lost and truncated apply"
        );
        let ok = hyper_send(server.addr(), request("POST", "/entries", "x"))
            .await
            .unwrap();
        assert_eq!(ok.0, 201);
    })
    .await;
}

#[tokio::test]
async fn scripts_match_by_operation_and_can_repeat() {
    within(async {
        let server = ledger().await;
        server
            .faults()
            .on(Route::operation("entry_get"))
            .then(Fault::status(500))
            .then_repeat_last();
        call(server.addr(), "POST", "/entries", &[], b"x").await;
        for _ in 0..3 {
            assert_eq!(
                call(server.addr(), "GET", "/entries/e1", &[], b"")
                    .await
                    .status,
                500
            );
        }
        assert_eq!(
            call(server.addr(), "GET", "/entries", &[], b"")
                .await
                .status,
            200
        );
        server.faults().clear();
        assert_eq!(
            call(server.addr(), "GET", "/entries/e1", &[], b"")
                .await
                .status,
            200
        );
    })
    .await;
}

/// One request per fault kind, in one script; the log records each kind, and the table
/// must cover every kind there is.
#[tokio::test]
async fn every_fault_kind_is_injected_and_recorded() {
    within(async {
        let all = [
            Fault::status(503),
            Fault::RateLimited {
                retry_after: Duration::from_secs(1),
            },
            Fault::Delay(Duration::from_millis(10)),
            Fault::Hang,
            Fault::Reset,
            Fault::EmptyResponse,
            Fault::TruncatedBody,
            Fault::MalformedBody,
            Fault::HtmlError,
            Fault::WrongContentType,
            Fault::AppliedThenLost,
            Fault::AppliedThenStatus(503),
            Fault::AppliedThenHang,
            Fault::SlowBody {
                chunks: 2,
                over: Duration::from_millis(20),
            },
        ];
        let kinds: Vec<FaultKind> = all.iter().map(Fault::kind).collect();
        assert_eq!(kinds, FaultKind::ALL);

        let server = ledger().await;
        let mut script = server.faults().on(create());
        for fault in &all {
            script = script.then(fault.clone());
        }
        script.then_normal();
        for _ in &all {
            // Short client timeout: the hang never answers.
            let _ = tokio::time::timeout(
                Duration::from_millis(500),
                raw(server.addr(), "POST", "/entries", &[], b"x"),
            )
            .await;
        }
        let recorded: Vec<FaultKind> = server.requests().iter().filter_map(|r| r.fault()).collect();
        assert_eq!(recorded, FaultKind::ALL);
        let applied = FaultKind::ALL
            .iter()
            .filter(|k| k.reaches_provider())
            .count();
        assert_eq!(server.provider().len(), applied);
    })
    .await;
}

/// A provider with two error shapes: `/new/…` routes get their own.
#[derive(Debug)]
struct TwoShapes;

impl FakeProvider for TwoShapes {
    fn name(&self) -> &'static str {
        "two-shapes"
    }

    fn handle(&self, _request: &FakeRequest, _ctx: &Context<'_>) -> FakeResponse {
        FakeResponse::json(200, "{}")
    }

    fn error_response(&self, status: u16) -> FakeResponse {
        FakeResponse::json(status, format!(r#"{{"old":{status}}}"#))
    }

    fn error_response_for(&self, request: &FakeRequest, status: u16) -> FakeResponse {
        if request.path().starts_with("/new/") {
            FakeResponse::json(status, format!(r#"{{"new":{status}}}"#))
        } else {
            self.error_response(status)
        }
    }
}

#[tokio::test]
async fn injected_bodies_come_from_the_route_aware_error_response() {
    within(async {
        // Boxed, so the forwarding implementation is exercised too.
        let server = FakeServer::start(Box::new(TwoShapes)).await.unwrap();
        for path in ["/new/thing", "/old/thing"] {
            server
                .faults()
                .on(Route::new("POST", path))
                .then(Fault::status(503))
                .then(Fault::RateLimited {
                    retry_after: Duration::from_secs(1),
                })
                .then_normal();
        }
        let mut seen = Vec::new();
        for path in ["/new/thing", "/old/thing"] {
            for _ in 0..2 {
                let answer = call(server.addr(), "POST", path, &[], b"").await;
                seen.push((answer.status, answer.text()));
            }
            assert_eq!(
                call(server.addr(), "POST", path, &[], b"").await.status,
                200
            );
        }
        let expected = [
            (503, r#"{"new":503}"#),
            (429, r#"{"new":429}"#),
            (503, r#"{"old":503}"#),
            (429, r#"{"old":429}"#),
        ];
        let expected: Vec<(u16, String)> = expected
            .iter()
            .map(|(s, b)| (*s, (*b).to_owned()))
            .collect();
        assert_eq!(seen, expected);

        // A provider that overrides only `error_response` keeps its shape everywhere.
        let ledger = ledger().await;
        ledger
            .faults()
            .on(Route::new("POST", "/new/thing"))
            .then(Fault::status(502))
            .then_normal();
        let answer = call(ledger.addr(), "POST", "/new/thing", &[], b"").await;
        assert_eq!(answer.status, 502);
        assert_eq!(
            answer.text(),
            r#"{"error":{"status":502,"message":"injected fault"}}"#
        );
    })
    .await;
}
