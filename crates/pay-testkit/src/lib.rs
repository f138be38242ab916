//! Fake payment provider servers for tests: in-process, stateful, on `127.0.0.1:0`, with an
//! inspection API, scripted fault injection, a manual clock shared with the code under
//! test, outbound webhooks, a conformance suite for adapters and proptest strategies.
//!
//! `pay-testkit` is a dev-dependency only. It is what the adapters' integration tests,
//! the demo and users' own tests run against, so its fakes behave as the providers
//! document, not like a mock that says yes.
//!
//! # What is here
//! - [`FakeServer`]: serves a [`FakeProvider`] over HTTP/1.1 on a loopback port, one per
//!   test, started in one line. It records every request with secrets redacted
//!   ([`FakeServer::requests`]), exposes the fake's state ([`FakeServer::snapshot`]), and
//!   fails the test on drop if the fake panicked.
//! - [`FakeProvider`]: what a provider fake implements. It decides; the server does the
//!   I/O. [`easytransac::EasytransacFake`] (V1 signed forms and V2 JWT) and
//!   [`easypay::EasypayFake`] (API 2.0 with idempotency keys and RSA strong
//!   authentication) implement it on the generated route tables and request checks in
//!   [`generated`]; [`testing::Ledger`] is a toy one for examples and for the testkit's
//!   own tests.
//! - [`Faults`]: per-route scripts of [`Fault`]s consumed in order — status codes with the
//!   provider's error body, 429 with `Retry-After`, delays, hangs, connection resets,
//!   empty, truncated or malformed answers, an HTML error page, and "applied, then the
//!   answer lost".
//! - [`Webhooks`]: the outbox fakes queue notifications in; deliver now or when due by
//!   the clock, duplicate, reorder, tamper, with retries and a delivery log. Only loopback
//!   receivers are ever contacted.
//! - [`conformance`]: checks every adapter must pass against its fake.
//! - `strategies` (feature `proptest`): strategies for money, IBANs, card numbers,
//!   references and webhook payloads.
//! - [`logs`]: every log line captured at TRACE, for tests proving no secret is logged.
//! - [`registry`]: the fakes the `pay-testkit serve --provider NAME` binary can serve.
//!
//! It deliberately does not talk to any real provider, does not serve TLS, and does not
//! send webhooks anywhere but loopback addresses.
//!
//! # Example
//! ```
//! use pay_testkit::testing::Ledger;
//! use pay_testkit::{Fault, FakeServer, Route};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = FakeServer::start(Ledger::new()).await?;
//! server.faults().on(Route::new("POST", "/entries")).then(Fault::status(503)).then_normal();
//!
//! // Any HTTP client works; here, a raw one.
//! let mut socket = tokio::net::TcpStream::connect(server.addr()).await?;
//! socket
//!     .write_all(b"POST /entries HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
//!     .await?;
//! let mut answer = String::new();
//! socket.read_to_string(&mut answer).await?;
//! assert!(answer.starts_with("HTTP/1.1 503"));
//!
//! let log = server.requests();
//! assert_eq!(log.len(), 1);
//! assert_eq!(log[0].operation(), Some("entry_create"));
//! assert!(server.provider().is_empty()); // the fault kept the request from the fake
//! server.shutdown().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Time
//! The server reads the clock it was built with ([`FakeServerBuilder::clock`]): pass the
//! [`pay_core::ManualClock`] the code under test uses, and token expiry, timestamps,
//! schedules and webhook retries follow it. Injected delays are real time, because they
//! exist to trip the client's real timeouts.
//!
//! # Feature flags
//! - `proptest`: the `strategies` module.
#![doc(test(attr(deny(warnings))))]

mod body;
mod calendar;
mod fault;
mod inspect;
mod pages;
mod present;
mod provider;
mod route;
mod server;
mod webhook;

mod fakes;

pub mod conformance;
pub mod form;
pub mod generated;
pub mod logs;
pub mod registry;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod testing;

// The provider fakes (`easypay`, `easytransac`, …): one module per described provider,
// declared by the generated `fakes.rs`.
pub use crate::fakes::*;
pub use crate::fault::{Fault, FaultKind, FaultScript, Faults};
pub use crate::inspect::RecordedRequest;
pub use crate::provider::{
    Context, FakeProvider, FakeRequest, FakeResponse, Resource, ResourceKind, Snapshot,
};
pub use crate::route::{PathParams, Route};
pub use crate::server::{FakeServer, FakeServerBuilder, ServerProblems};
pub use crate::webhook::{
    Delivery, DeliveryOutcome, Notification, NotificationId, Pending, RetrySchedule,
    UnknownNotification, Webhooks, flip_middle_byte,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync + ?Sized>() {}
        assert_send_sync::<FakeServer<testing::Ledger>>();
        assert_send_sync::<FakeServer<Box<dyn FakeProvider>>>();
        assert_send_sync::<Faults>();
        assert_send_sync::<Webhooks>();
        assert_send_sync::<RecordedRequest>();
        assert_send_sync::<ServerProblems>();
        assert_send_sync::<dyn FakeProvider>();
    }
}
