//! Shared setup: the fake on 127.0.0.1:0 with a manual clock, and a client on it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use pay_core::wire::MinorUnits;
use pay_core::{ManualClock, RetryPolicy, from_unix_seconds};
use pay_easytransac::{EasytransacClient, wire};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use pay_testkit::{FakeServer, Fault, Route};
use secrecy::SecretString;

pub(crate) const KEY: &str = "et_test_adapter-it-key";

pub(crate) struct Env {
    pub(crate) server: FakeServer<EasytransacFake>,
    pub(crate) client: EasytransacClient,
    pub(crate) clock: ManualClock,
}

/// The clock every test starts at.
pub(crate) fn start_clock() -> ManualClock {
    ManualClock::new(from_unix_seconds(1_700_000_000))
}

/// pay-testkit's Easytransac fake with `config`, on `clock`, on 127.0.0.1:0.
pub(crate) async fn start_fake(
    config: EasytransacConfig,
    clock: &ManualClock,
) -> FakeServer<EasytransacFake> {
    FakeServer::builder()
        .clock(clock.clone())
        .start(EasytransacFake::new(config))
        .await
        .unwrap()
}

pub(crate) async fn env() -> Env {
    let clock = start_clock();
    let server = start_fake(EasytransacConfig::new(SecretString::from(KEY)), &clock).await;
    let client = client_for(server.base_url(), &clock);
    Env {
        server,
        client,
        clock,
    }
}

pub(crate) fn client_for(base: &str, clock: &ManualClock) -> EasytransacClient {
    EasytransacClient::builder(SecretString::from(KEY))
        .base_url(base)
        .clock(Arc::new(clock.clone()))
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ))
        .attempt_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

impl Env {
    /// The next request on `route` gets `body` as a JSON answer under HTTP 200 (what
    /// the provider's answer would be, unapplied); the fake answers normally after.
    pub(crate) fn answer_once(&self, route: Route, body: impl Into<Vec<u8>>) {
        self.server
            .faults()
            .on(route)
            .then(Fault::status_with_body(200, "application/json", body))
            .then_normal();
    }

    /// How many requests the fake received for `operation_id`.
    pub(crate) fn received(&self, operation_id: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.operation() == Some(operation_id))
            .count()
    }
}

/// A direct card payment request for `amount` cents with `order`.
pub(crate) fn card(number: &str, amount: i64, order: &str) -> wire::V1DirectPaymentRequest {
    let mut r = wire::V1DirectPaymentRequest::new(
        MinorUnits(amount),
        number.to_owned(),
        "12".to_owned(),
        "2030".to_owned(),
        "123".to_owned(),
        "10.0.0.1".to_owned(),
    );
    r.order_id = Some(order.to_owned());
    r.uid = Some("customer-1".to_owned());
    r.email = Some("ana@example.org".to_owned());
    r
}

pub(crate) fn success_card(amount: i64, order: &str) -> wire::V1DirectPaymentRequest {
    card(cards::SUCCESS, amount, order)
}

/// Fails the test after 20 seconds so that no bug can hang CI.
pub(crate) async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("the test took longer than 20 seconds")
}
