//! A fake Easypay on loopback and a client pointed at it.

use std::sync::Arc;
use std::time::Duration;

use pay_core::CallOptions;
use pay_core::{ManualClock, RetryPolicy, from_unix_seconds};
use pay_easypay::{AccountId, ApiKey, CaptureId, EasypayClient, PaymentId};
use pay_testkit::easypay::{EasypayConfig, EasypayFake, PHONE_AUTHORISED};
use pay_testkit::{Context, FakeServer};
use secrecy::SecretString;

pub(crate) const ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
pub(crate) const API_KEY: &str = "api-key-secret-6666";
pub(crate) const HOOK_USER: &str = "easypay-hooks";
pub(crate) const HOOK_PASSWORD: &str = "hook-password-8888";
/// 2023-11-14 22:13:20 UTC.
pub(crate) const START: i64 = 1_700_000_000;

pub(crate) fn keys_dir() -> String {
    format!("{}/../../fixtures/easypay/keys", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn private_pem() -> SecretString {
    SecretString::from(
        std::fs::read_to_string(format!("{}/test-rsa-2048-pkcs8.pem", keys_dir())).unwrap(),
    )
}

pub(crate) fn public_pem() -> String {
    std::fs::read_to_string(format!("{}/test-rsa-2048-public-spki.pem", keys_dir())).unwrap()
}

pub(crate) struct Env {
    pub(crate) server: FakeServer<EasypayFake>,
    pub(crate) clock: ManualClock,
    pub(crate) client: EasypayClient,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let config = EasypayConfig::new(ACCOUNT, API_KEY)
            .with_out_payment_key(&public_pem())
            .expect("public key");
        Self::with(config).await
    }

    /// A client whose attempts give up after `timeout` (for hanging faults).
    pub(crate) async fn start_with_timeout(timeout: Duration) -> Self {
        let config = EasypayConfig::new(ACCOUNT, API_KEY)
            .with_out_payment_key(&public_pem())
            .expect("public key");
        Self::build(config, Some(timeout)).await
    }

    pub(crate) async fn with(config: EasypayConfig) -> Self {
        Self::build(config, None).await
    }

    /// A fake that sends every notification with Basic credentials to loopback URLs,
    /// and a client configured with the same credentials.
    pub(crate) async fn with_notifications() -> Self {
        let config = EasypayConfig::new(ACCOUNT, API_KEY)
            .with_out_payment_key(&public_pem())
            .expect("public key")
            .with_generic_url("http://127.0.0.1:9/generic")
            .with_authorisation_url("http://127.0.0.1:9/authorisation")
            .with_transaction_url("http://127.0.0.1:9/transaction")
            .with_notification_credentials(HOOK_USER, HOOK_PASSWORD);
        Self::build(config, None).await
    }

    /// Every notification the fake has queued, as received.
    pub(crate) fn notifications(&self) -> Vec<pay_core::RawWebhook> {
        self.server
            .webhooks()
            .pending()
            .iter()
            .map(|p| {
                let n = p.notification();
                pay_core::RawWebhook::new(
                    n.headers().to_vec(),
                    n.body().to_vec(),
                    from_unix_seconds(START),
                )
            })
            .collect()
    }

    async fn build(config: EasypayConfig, timeout: Option<Duration>) -> Self {
        let clock = ManualClock::new(from_unix_seconds(START));
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasypayFake::new(config))
            .await
            .expect("server starts");
        let client = EasypayClient::builder(AccountId::new(ACCOUNT), ApiKey::new(API_KEY))
            .base_url(server.url("/2.0"))
            .clock(Arc::new(clock.clone()))
            .retry_policy(RetryPolicy::new(
                3,
                Duration::from_millis(1),
                Duration::from_millis(5),
            ))
            .jitter_seed(7)
            .attempt_timeout(timeout.unwrap_or(Duration::from_secs(10)))
            .notification_auth(pay_easypay::NotificationAuth::basic(
                HOOK_USER,
                HOOK_PASSWORD,
            ))
            .out_payment_key_pem(&private_pem())
            .expect("private key")
            .build()
            .expect("client");
        Self {
            server,
            clock,
            client,
        }
    }

    pub(crate) fn ctx(&self) -> Context<'_> {
        Context::new(&self.clock, self.server.webhooks(), self.server.base_url())
    }

    /// A single MB WAY authorisation of `value` euros (JSON number text), which the fake
    /// authorises at once.
    pub(crate) async fn authorised_mbway(&self, value: &str) -> PaymentId {
        let created = self
            .client
            .single()
            .create(
                &json(&format!(
                    r#"{{"type":"authorisation","value":{value},"method":"mbw","customer":{{"name":"Ana","phone":"{PHONE_AUTHORISED}"}},"capture":{{"descriptive":"Order"}}}}"#
                )),
                &CallOptions::new(),
            )
            .await
            .expect("an MB WAY authorisation");
        PaymentId::new(created.id.expect("an id")).expect("a payment id")
    }

    /// Captures `value` euros (JSON number text) of `payment`.
    pub(crate) async fn capture(&self, payment: &PaymentId, value: &str) -> CaptureId {
        let created = self
            .client
            .captures()
            .create(
                payment,
                &json(&format!(r#"{{"descriptive":"Capture","value":{value}}}"#)),
                &CallOptions::new(),
            )
            .await
            .expect("a capture");
        CaptureId::new(created.id.expect("an id")).expect("a capture id")
    }

    /// A single Multibanco reference, left unpaid.
    pub(crate) async fn unpaid_multibanco(&self) -> PaymentId {
        let created = self
            .client
            .single()
            .create(
                &json(r#"{"value":3,"method":"mb","capture":{"descriptive":"Unpaid"}}"#),
                &CallOptions::new(),
            )
            .await
            .expect("a Multibanco reference");
        PaymentId::new(created.id.expect("an id")).expect("a payment id")
    }
}

/// A wire type from exact JSON text.
pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}
