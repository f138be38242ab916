//! The adapters' answer decoders as the clients run them: each client, through its real
//! transport, against a tiny HTTP/1.1 server on 127.0.0.1 that answers every request with
//! the case's status and bytes. This reaches what is not public on its own: Easytransac's
//! V1 hooks (the `Code` head, ApiError codes), the answer's signature check, the `Result`
//! decoding and the neutral mapping, V2's envelope and error bodies (and the `/v2/auth`
//! token answer), and Easypay's typed and neutral reads.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use pay_core::{
    CallOptions, ErrorKind, Payments, ProviderPaymentId, ProviderRefundId, Refunds, RetryPolicy,
};
use pay_easypay::{AccountId, ApiKey, EasypayClient, PaymentId};
use pay_easytransac::{EasytransacClient, RawSafety};
use pay_signing::jwt::{JwtSecret, TokenClaims, issue_hs256};
use proptest::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

use crate::signing::{api_key, signed_v1_answer, v1_answer};
use crate::support::{Tally, assert_reached, body, fixtures, fuzz, json_text, member_names};

/// What the server answers next, to every request but `POST /v2/auth`.
#[derive(Debug, Clone)]
struct Canned {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

/// The loopback server and the runtime the client and the server run on.
struct Loopback {
    runtime: Runtime,
    url: String,
    canned: Arc<Mutex<Canned>>,
    token_answer: Arc<Mutex<Vec<u8>>>,
}

impl Loopback {
    fn start(token_answer: Vec<u8>) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let canned = Arc::new(Mutex::new(Canned {
            status: 200,
            content_type: "application/json",
            body: b"{}".to_vec(),
        }));
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let token_answer = Arc::new(Mutex::new(token_answer));
        let (shared, token) = (canned.clone(), token_answer.clone());
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), token.clone()));
            }
        });
        Self {
            runtime,
            url,
            canned,
            token_answer,
        }
    }

    fn answer_token(&self, body: Vec<u8>) {
        *self.token_answer.lock().expect("the token answer") = body;
    }

    fn answer(&self, status: u16, content_type: &'static str, body: Vec<u8>) {
        *self.canned.lock().expect("the canned answer") = Canned {
            status,
            content_type,
            body,
        };
    }
}

async fn read_some(stream: &TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One keep-alive connection: read each request (head and `Content-Length` body), answer
/// the canned status and bytes (or the token answer to `/v2/auth`).
async fn serve(stream: TcpStream, canned: Arc<Mutex<Canned>>, token_answer: Arc<Mutex<Vec<u8>>>) {
    let mut buf = Vec::new();
    loop {
        let (head_end, length) = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length);
            }
            match read_some(&stream, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        while buf.len() < head_end + length {
            match read_some(&stream, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let is_auth = buf.starts_with(b"POST /v2/auth ");
        buf.drain(..head_end + length);
        let answer = if is_auth {
            Canned {
                status: 200,
                content_type: "application/json",
                body: token_answer
                    .lock()
                    .map(|t| t.clone())
                    .unwrap_or_else(|e| e.into_inner().clone()),
            }
        } else {
            canned
                .lock()
                .map(|c| c.clone())
                .unwrap_or_else(|e| e.into_inner().clone())
        };
        let mut out = format!(
            "HTTP/1.1 {} Fuzz\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            answer.status,
            answer.content_type,
            answer.body.len()
        )
        .into_bytes();
        out.extend_from_slice(&answer.body);
        if write_all(&stream, &out).await.is_err() {
            return;
        }
    }
}

/// Statuses a server may answer (no 1xx, 204, 205 or 304, which carry no body).
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        6 => Just(200u16),
        3 => prop::sample::select(&[201u16, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503][..]),
        1 => (200u16..600).prop_filter("a status with a body", |s| !matches!(s, 204 | 205 | 304)),
    ]
}

fn content_type() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "application/json",
            "text/html",
            "application/x-www-form-urlencoded",
        ][..],
    )
}

/// Counts a failed call's error by kind (every failure is a `PayError`, typed by
/// construction; the counts show which paths the answers reached).
fn typed(e: &pay_core::PayError, tally: &Tally) -> Result<(), TestCaseError> {
    tally.hit(match e.kind() {
        ErrorKind::InvalidRequest(_) => "InvalidRequest",
        ErrorKind::Authentication => "Authentication",
        ErrorKind::Declined { .. } => "Declined",
        ErrorKind::NotFound => "NotFound",
        ErrorKind::Conflict => "Conflict",
        ErrorKind::Rejected => "Rejected",
        ErrorKind::RateLimited { .. } => "RateLimited",
        ErrorKind::ProviderUnavailable => "ProviderUnavailable",
        ErrorKind::Timeout => "Timeout",
        ErrorKind::AmbiguousOutcome { .. } => "AmbiguousOutcome",
        ErrorKind::NotSupported { .. } => "NotSupported",
        ErrorKind::Decode { .. } => "Decode",
        ErrorKind::WebhookRejected { .. } => "WebhookRejected",
        ErrorKind::Configuration { .. } => "Configuration",
        _ => "other",
    });
    prop_assert!(!e.to_string().is_empty());
    Ok(())
}

fn easytransac_token_answer() -> Vec<u8> {
    let secret =
        JwtSecret::from_secret_string(&SecretString::from("fuzz-jwt-secret")).expect("a secret");
    let now = SystemTime::now();
    let claims = TokenClaims::new("fuzz", now, now + Duration::from_secs(10 * 365 * 86_400))
        .expect("claims");
    let token = issue_hs256(&secret, &claims).expect("a token");
    format!(
        r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{{"token":"{}","expiresIn":3600}}}}"#,
        token.expose_secret()
    )
    .into_bytes()
}

fn v1_done_transaction_answer() -> impl Strategy<Value = Vec<u8>> {
    let seeds = fixtures("easytransac/examples", "v1_payment");
    let mut names = member_names(&seeds);
    names.extend(
        pay_easytransac::field_names::<pay_easytransac::wire::DoneTransaction>()
            .iter()
            .map(|n| (*n).to_owned()),
    );
    let key = api_key();
    json_text(names).prop_map(move |result| {
        signed_v1_answer(&result, &key).map_or_else(|| result.into_bytes(), String::into_bytes)
    })
}

#[test]
fn easytransac_v1_answers_through_the_client() {
    let server = Loopback::start(easytransac_token_answer());
    let client = EasytransacClient::builder(api_key())
        .base_url(server.url.clone())
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    let options = CallOptions::new();
    let id = ProviderPaymentId::new("ET000001").expect("an id");
    let answer = prop_oneof![
        1 => v1_answer().prop_map(|(b, _)| b),
        1 => v1_done_transaction_answer(),
    ];
    let tally = fuzz(
        "easytransac V1 answers (client: hooks, signature, Result, neutral)",
        (status(), content_type(), answer, any::<bool>()),
        |(status, content_type, bytes, neutral), tally| {
            server.answer(status, content_type, bytes);
            let outcome = if neutral {
                server
                    .runtime
                    .block_on(client.get_payment(&id, &options))
                    .map(|_| ())
            } else {
                server
                    .runtime
                    .block_on(client.raw().v1(
                        "/api/payment/status",
                        &[("Tid", "ET000001")],
                        RawSafety::Read,
                        None,
                        &options,
                    ))
                    .map(|_| ())
            };
            match outcome {
                Ok(()) => tally.hit("decoded"),
                Err(e) => typed(&e, tally)?,
            }
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}

fn v2_answer() -> impl Strategy<Value = Vec<u8>> {
    let seeds = fixtures("easytransac/examples", "v2_");
    let mut names = member_names(&seeds);
    names.extend(
        ["detail", "success", "date", "data"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    names.extend(
        pay_easytransac::field_names::<pay_easytransac::wire::V2TransactionData>()
            .iter()
            .map(|n| (*n).to_owned()),
    );
    // Mostly the documented answer, so the `data` decoding and the event get reached.
    let documented = seeds.clone();
    prop_oneof![
        2 => body(seeds, names.clone()),
        2 => crate::support::mutated(documented),
        2 => json_text(names.clone()).prop_map(|d| format!(r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{d}}}"#).into_bytes()),
        1 => json_text(names).prop_map(|d| format!(r#"{{"success":false,"detail":{d}}}"#).into_bytes()),
    ]
}

#[test]
fn easytransac_v2_answers_through_the_client() {
    let server = Loopback::start(easytransac_token_answer());
    let client = EasytransacClient::builder(api_key())
        .base_url(server.url.clone())
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    let options = CallOptions::new();
    let tally = fuzz(
        "easytransac V2 answers (client: envelope, errors, data, PULL event)",
        (status(), content_type(), v2_answer()),
        |(status, content_type, bytes), tally| {
            server.answer(status, content_type, bytes);
            match server
                .runtime
                .block_on(client.pull("QWER-TYUI-OP12", &options))
            {
                Ok(_) => tally.hit("decoded"),
                Err(e) => typed(&e, tally)?,
            }
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}

/// The `/v2/auth` answer itself: arbitrary token answers, then one V2 call.
#[test]
fn easytransac_v2_token_answers_through_the_client() {
    let names: Vec<String> = [
        "token",
        "expiresIn",
        "expiresDate",
        "success",
        "date",
        "data",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let token = prop_oneof![
        crate::support::text(),
        "[A-Za-z0-9_-]{2,20}\\.[A-Za-z0-9_-]{2,40}\\.[A-Za-z0-9_-]{0,10}",
    ];
    let answer = prop_oneof![
        2 => (token, crate::support::number_text()).prop_map(|(t, n)| format!(
            r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{{"token":{},"expiresIn":{n}}}}}"#,
            serde_json::to_string(&t).unwrap_or_default()
        ).into_bytes()),
        1 => json_text(names).prop_map(String::into_bytes),
    ];
    // One client: every call is answered 401, so the client drops its token and fetches
    // a fresh one (the case's answer) before its one retry. A token that is not a valid
    // header value is never sent, so no 401 drops it: the client keeps refusing calls
    // with `Authentication` until the token's refresh time, and the case starts a new
    // client for the next one.
    let server = Loopback::start(Vec::new());
    server.answer(
        401,
        "application/json",
        br#"{"success":false,"detail":"expired"}"#.to_vec(),
    );
    let new_client = || {
        EasytransacClient::builder(api_key())
            .base_url(server.url.clone())
            .retry_policy(RetryPolicy::none())
            .attempt_timeout(Duration::from_secs(5))
            .build()
            .expect("a client")
    };
    let client = std::cell::RefCell::new(new_client());
    let options = CallOptions::new();
    let tally = fuzz(
        "easytransac V2 token answers (client: /v2/auth)",
        answer,
        |bytes, tally| {
            server.answer_token(bytes);
            let current = client.borrow().clone();
            let before = current.token_requests();
            let outcome = server.runtime.block_on(current.raw().v2(
                "/v2/anything",
                &[],
                None,
                RawSafety::Read,
                &options,
            ));
            let fetched = current.token_requests() - before;
            match &outcome {
                Ok(_) => tally.hit("called"),
                Err(e) => typed(e, tally)?,
            }
            if fetched == 0 {
                // The cached token could not be sent: no request left the client.
                let stuck = matches!(&outcome, Err(e) if matches!(e.kind(), ErrorKind::Authentication) && e.http_status().is_none());
                prop_assert!(stuck, "no token was fetched: {:?}", outcome.err());
                tally.hit("unsendable cached token");
                *client.borrow_mut() = new_client();
            } else {
                tally.hit("token decoded");
            }
            Ok(())
        },
    );
    assert_reached(&tally, "token decoded");
}

#[test]
fn easypay_answers_through_the_client() {
    let server = Loopback::start(Vec::new());
    let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
        .base_url(format!("{}/2.0", server.url))
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    let options = CallOptions::new();
    let uuid = "0b2e2669-b66b-4284-8b7b-537801483de2";
    let payment = ProviderPaymentId::new(uuid).expect("an id");
    let refund = ProviderRefundId::new(uuid).expect("an id");
    let typed_id = PaymentId::new(uuid).expect("an id");
    let seeds = fixtures("easypay/examples", "");
    let names = member_names(&seeds);
    let tally = fuzz(
        "easypay answers (client: hooks, typed reads, neutral reads)",
        (status(), content_type(), body(seeds, names), 0u8..3),
        |(status, content_type, bytes, call), tally| {
            server.answer(status, content_type, bytes);
            let outcome = server.runtime.block_on(async {
                match call {
                    0 => client.get_payment(&payment, &options).await.map(|_| ()),
                    1 => client.get_refund(&refund, &options).await.map(|_| ()),
                    _ => client.single().get(&typed_id, &options).await.map(|_| ()),
                }
            });
            match outcome {
                Ok(()) => tally.hit("decoded"),
                Err(e) => typed(&e, tally)?,
            }
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}
